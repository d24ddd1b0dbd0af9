"""Date layouts (year-first, day-month-year, month-day-year, dotted, slashed, CJK 年月日) and
the reading of one normalized date string.

Numeric ambiguity: year-first forms are always Y-M-D. ``DD.MM.YYYY`` is read day-first (that
dotted form is European usage). ``A/B/YYYY`` and ``A-B-YYYY`` are read only when unambiguous: if
exactly one of A, B is > 12 it is the day; if A == B both readings agree; otherwise (e.g.
``03/04/2020``) the result is None rather than a guess. Two-digit years are not accepted.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from pipelines.core.dates.config import DateConfig, make_date
from pipelines.core.dates.names import (
    CJK_WEEKDAY,
    MONTH_NAMES,
    TIME_CONNECTORS,
    TZ_ABBREVIATIONS,
    WEEKDAY_NAMES,
)
from pipelines.core.dates.normalize import alternation, normalize


def _build_months() -> dict[str, int]:
    months: dict[str, int] = {}
    for language, names in MONTH_NAMES.items():
        if len(names) != 12:
            raise ValueError(f"month table for {language!r} has {len(names)} entries")
        for number, aliases in enumerate(names, start=1):
            for alias in aliases.split("|"):
                key = normalize(alias)
                # Cross-language abbreviations collide by design ("mar", "set"); they must
                # agree, or a date would silently depend on table order.
                if months.setdefault(key, number) != number:
                    raise ValueError(f"month name {alias!r} ({language}) maps to two months")
    return months


MONTHS = _build_months()

NOT_LETTER_AHEAD = r"(?![^\W\d_])"  # a word must not continue into more letters
_MONTH = f"(?:{alternation(MONTHS)})"
_WEEKDAY_WORD = alternation(normalize(w) for n in WEEKDAY_NAMES.values() for w in n.split("|"))
_WEEKDAY = rf"(?:(?:{_WEEKDAY_WORD})\.?{NOT_LETTER_AHEAD}|{CJK_WEEKDAY})"
_SEP = r"[\s,|·•/\-–—]"
_ORDINAL = r"(?:st|nd|rd|th|er|o|°)"  # 13th, 1er, 1º (NFKC turns º into o)
_YEAR_SUFFIX = r"(?:\s*(?:года|год|г|r|م)\.?" + NOT_LETTER_AHEAD + ")?"  # 2020 г., 2020 r., 2020م


def _month_group(form: str) -> str:
    # "13 آذار/مارس 2020" and "آذار (مارس)": Arabic papers often print both month names.
    return (
        rf"(?P<{form}_m>{_MONTH})\.?{NOT_LETTER_AHEAD}"
        rf"(?:\s*[/(]\s*(?P<{form}_m2>{_MONTH})\.?{NOT_LETTER_AHEAD}\s*\)?)?"
    )


@dataclass(frozen=True)
class _Form:
    """One date layout. Its groups are <name>_y, <name>_m (digits or month name), <name>_d."""

    name: str
    pattern: str
    named_month: bool = False
    # Slash/dash numerics: <name>_d and <name>_m hold the two numbers in written order, and
    # `_resolve_ambiguous` decides which is the day.
    ambiguous: bool = False


_FORMS: tuple[_Form, ...] = (
    _Form("iso", r"(?P<iso_y>\d{4})(?P<iso_s>[-/.])(?P<iso_m>\d{1,2})(?P=iso_s)(?P<iso_d>\d{1,2})"),
    _Form(
        "cjk",
        r"(?P<cjk_y>\d{4})\s*[年년]\s*(?P<cjk_m>\d{1,2})\s*[月월]\s*(?P<cjk_d>\d{1,2})\s*[日号일]?",
    ),
    _Form("dot", r"(?P<dot_d>\d{1,2})\.\s?(?P<dot_m>\d{1,2})\.\s?(?P<dot_y>\d{4})"),
    _Form(
        "num",
        r"(?P<num_d>\d{1,2})(?P<num_s>[/-])(?P<num_m>\d{1,2})(?P=num_s)(?P<num_y>\d{4})",
        ambiguous=True,
    ),
    _Form(
        "dmy",
        rf"(?P<dmy_d>\d{{1,2}}){_ORDINAL}?\.?[\s\-/]*(?:de\s+)?{_month_group('dmy')}"
        rf"[\s,\-/]*(?:(?:de|del)\s+)?(?P<dmy_y>\d{{4}}){_YEAR_SUFFIX}",
        named_month=True,
    ),
    _Form(
        "mdy",
        rf"{_month_group('mdy')}[\s\-/]*(?P<mdy_d>\d{{1,2}})"
        rf"(?:{_ORDINAL}[\s,\-/.]*|[\s,\-/.]+)(?P<mdy_y>\d{{4}})",
        named_month=True,
    ),
    _Form(
        "ymd",
        rf"(?P<ymd_y>\d{{4}})[\s,\-/.]+{_month_group('ymd')}[\s,\-/.]*"
        rf"(?P<ymd_d>\d{{1,2}}){_ORDINAL}?",
        named_month=True,
    ),
)

_TZ = (
    r"\(?(?:(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{2}(?::?\d{2})?|"
    rf"(?:{alternation(TZ_ABBREVIATIONS)}){NOT_LETTER_AHEAD})\)?"
)
_TIME = (
    r"(?:(?:[01]?\d|2[0-3])[:h.][0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?|(?:[01]?\d|2[0-3])[時时][0-5]?\d分)"
    r"(?:\s*(?:a\.m\.?|p\.m\.?|am|pm|صباحا|مساء|ص|م))?(?:\s*(?:uhr|hrs|h|ч))?"
    rf"(?:\s*{_TZ})?"
)
_TIME_CONNECTOR = rf"(?:(?:{alternation(TIME_CONNECTORS)})\.?\s*)"
DATE_RE = re.compile(
    # Optional leading time ("10:22, 13 March 2020") and weekday, the date, then an optional
    # weekday (Turkish/Japanese put it after), and an optional time ("T" for ISO 8601).
    rf"(?:{_TIME}{_SEP}+)?(?:{_WEEKDAY}{_SEP}*)?"
    rf"(?:{'|'.join(f.pattern for f in _FORMS)})"
    rf"(?:{_SEP}*\(?{_WEEKDAY}\)?)?"
    rf"(?:(?:{_SEP}+|t){_TIME_CONNECTOR}{{0,2}}{_TIME})?"
)

HAS_DIGIT_RE = re.compile(r"\d")
# Punctuation and decoration that may surround a date or a header line ("**Published:**",
# "(13 March 2020)", "— 13.03.2020 —", "13 марта 2020 г."), stripped from both ends.
STRIP = " \t\n\r\f\v.,;:!?*_#>|/\\\"'«»“”„‘’‹›()[]{}<>•·-–—"
# A date string longer than this is a sentence, not a date; checked before any normalization
# so that body paragraphs cost almost nothing.
MAX_DATE_CHARS = 120


def _resolve_ambiguous(first: int, second: int) -> tuple[int, int] | None:
    """(day, month) for A/B/YYYY, or None when both readings are possible and differ."""
    if first == second:
        return first, second
    if first > 12 >= second:
        return first, second
    if second > 12 >= first:
        return second, first
    return None


def _month_number(match: re.Match[str], form: _Form) -> int | None:
    raw = match.group(f"{form.name}_m")
    if not form.named_month:
        return int(raw)
    month = MONTHS.get(" ".join(raw.split()))
    second = match.group(f"{form.name}_m2")
    if second is not None and MONTHS.get(" ".join(second.split())) != month:
        return None  # "März/April": contradictory double month
    return month


def parse_normalized(text: str, today: datetime.date, config: DateConfig) -> datetime.date | None:
    """The valid date that normalized `text` is (surrounding punctuation aside), or None."""
    text = text.strip(STRIP)
    if not text or len(text) > MAX_DATE_CHARS or not HAS_DIGIT_RE.search(text):
        return None
    match = DATE_RE.fullmatch(text)
    if match is None:
        return None
    for form in _FORMS:
        year = match.group(f"{form.name}_y")
        if year is None:
            continue
        day = int(match.group(f"{form.name}_d"))
        month = _month_number(match, form)
        if month is None:
            return None
        if form.ambiguous:
            resolved = _resolve_ambiguous(day, month)
            if resolved is None:
                return None
            day, month = resolved
        return make_date(int(year), month, day, today, config)
    return None  # unreachable: every alternative of _DATE_RE sets its year group
