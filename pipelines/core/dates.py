"""Date parsing for news article headers (standard library only, no Apache Beam).

Recognised forms, in English, German, French, Spanish, Italian, Portuguese, Dutch, Polish,
Russian, Turkish and Arabic (month and weekday names, full or abbreviated, any case, with or
without accents or a trailing dot):

- ISO and year-first numerics: ``2020-03-18``, ``2020/03/18``, ``2020.03.18``,
  ``2020-03-18T10:22Z``;
- day-month-year with a month name: ``13 Mar, 2020``, ``13. März 2020``, ``13 de marzo de 2020``,
  ``13 marca 2020 r.``, ``13 марта 2020 года``, ``13 آذار/مارس 2020``;
- month-day-year: ``March 13, 2020``, ``Mar 13 2020``; year-month-day: ``2020-Mar-13``;
- CJK: ``2020年3月13日`` (also Korean ``2020년 3월 13일``);
- day-first dotted numerics ``13.03.2020`` and slashed/dashed numerics (see policy below);
- any of these with a weekday (before, or after the date), a time and a timezone.

Policies:

- Numeric ambiguity: year-first forms are always Y-M-D. ``DD.MM.YYYY`` is read day-first (that
  dotted form is European usage). ``A/B/YYYY`` and ``A-B-YYYY`` are read only when unambiguous:
  if exactly one of A, B is > 12 it is the day; if A == B both readings agree; otherwise (e.g.
  ``03/04/2020``) the result is None rather than a guess. Two-digit years are not accepted.
- A date needs a day, a month and a four-digit year (``March 2020`` and ``March 13`` are None).
- Time zones are read but not applied: the result is the calendar date as printed, i.e. the
  publisher's local date (``2020-03-18T23:30-05:00`` is 2020-03-18).
- Validity: impossible calendar dates, years before ``DateConfig.min_year`` and dates later than
  ``today + DateConfig.max_future_days`` are None (never clamped).
- Published vs Updated: `parse_published_line` accepts only publication labels (``Published``,
  ``Date``, ``Posted`` ...); an ``Updated``/``Stand``/``Mis à jour`` line returns None, because a
  later revision date is not the publication date. `parse_header_date` recognises both and says
  which; on a line carrying both, the published date wins.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

__all__ = [
    "DEFAULT",
    "ISO_PREFIX_RE",
    "DateConfig",
    "DateKind",
    "HeaderDate",
    "parse_date",
    "parse_header_date",
    "parse_published_line",
    "publication_date",
    "split_date_prefix",
]


@dataclass(frozen=True)
class DateConfig:
    """Which parsed dates are plausible publication dates.

    min_year: earlier years are rejected (default 1900).
    max_future_days: dates more than this many days after `today` are rejected (default 2; the
        slack absorbs time zones and feeds stamped ahead of the run's clock).
    """

    min_year: int = 1900
    max_future_days: int = 2

    def __post_init__(self) -> None:
        for name in ("min_year", "max_future_days"):
            value = getattr(self, name)
            # bool is an int subclass; True as a year is a bug, not a configuration.
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if not datetime.MINYEAR <= self.min_year <= datetime.MAXYEAR:
            raise ValueError(f"min_year must be in [{datetime.MINYEAR}, {datetime.MAXYEAR}]")
        if self.max_future_days < 0:
            raise ValueError("max_future_days must be >= 0")


DEFAULT = DateConfig()

DateKind = Literal["published", "updated"]


class HeaderDate(NamedTuple):
    """A date found on a labelled header line, and whether the label was published or updated."""

    kind: DateKind
    date: datetime.date


# ---------------------------------------------------------------------------------------------
# Tables. Every entry goes through `_normalize`, exactly like the input, so they are written in
# their natural spelling (accents, capitals) and still match unaccented or upper-case input.
# ---------------------------------------------------------------------------------------------

# The tables are laid out by hand (one language per block), so the formatter is kept out.
# fmt: off
# language -> 12 entries (January first), each "alias|alias|...".
_MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "january|jan", "february|feb", "march|mar", "april|apr", "may", "june|jun",
        "july|jul", "august|aug", "september|sept|sep", "october|oct", "november|nov",
        "december|dec",
    ),
    "de": (
        "januar|jänner|jaenner|jan|jän", "februar|feber|feb", "märz|maerz|mär|mrz",
        "april|apr", "mai", "juni|jun", "juli|jul", "august|aug", "september|sept|sep",
        "oktober|okt", "november|nov", "dezember|dez",
    ),
    "fr": (
        "janvier|janv", "février|févr|fév", "mars", "avril|avr", "mai", "juin",
        "juillet|juil", "août", "septembre|sept", "octobre|oct", "novembre|nov",
        "décembre|déc",
    ),
    "es": (
        "enero|ene", "febrero|feb", "marzo|mar", "abril|abr", "mayo|may", "junio|jun",
        "julio|jul", "agosto|ago", "septiembre|setiembre|sept|sep|set", "octubre|oct",
        "noviembre|nov", "diciembre|dic",
    ),
    "it": (
        "gennaio|gen", "febbraio|feb", "marzo|mar", "aprile|apr", "maggio|mag", "giugno|giu",
        "luglio|lug", "agosto|ago", "settembre|set", "ottobre|ott", "novembre|nov",
        "dicembre|dic",
    ),
    "pt": (
        "janeiro|jan", "fevereiro|fev", "março|mar", "abril|abr", "maio|mai", "junho|jun",
        "julho|jul", "agosto|ago", "setembro|set", "outubro|out", "novembro|nov",
        "dezembro|dez",
    ),
    "nl": (
        "januari|jan", "februari|feb", "maart|mrt|mar", "april|apr", "mei", "juni|jun",
        "juli|jul", "augustus|aug", "september|sept|sep", "oktober|okt", "november|nov",
        "december|dec",
    ),
    # Polish: nominative (used alone) and genitive (used after a day number).
    "pl": (
        "styczeń|stycznia|sty", "luty|lutego|lut", "marzec|marca|mar",
        "kwiecień|kwietnia|kwi", "maj|maja", "czerwiec|czerwca|cze", "lipiec|lipca|lip",
        "sierpień|sierpnia|sie", "wrzesień|września|wrz", "październik|października|paź",
        "listopad|listopada|lis", "grudzień|grudnia|gru",
    ),
    # Russian: nominative and genitive ("13 марта").
    "ru": (
        "январь|января|янв", "февраль|февраля|февр|фев", "март|марта|мар",
        "апрель|апреля|апр", "май|мая", "июнь|июня|июн", "июль|июля|июл",
        "август|августа|авг", "сентябрь|сентября|сент|сен", "октябрь|октября|окт",
        "ноябрь|ноября|нояб|ноя", "декабрь|декабря|дек",
    ),
    "tr": (
        "ocak|oca", "şubat|şub", "mart|mar", "nisan|nis", "mayıs|may", "haziran|haz",
        "temmuz|tem", "ağustos|ağu", "eylül|eyl", "ekim|eki", "kasım|kas", "aralık|ara",
    ),
    # Arabic: Egyptian/Gulf (transliterated), Levantine/Iraqi (Syriac), Maghrebi (French-
    # derived, Algeria/Tunisia) and Moroccan spellings.
    "ar": (
        "يناير|كانون الثاني|جانفي",
        "فبراير|شباط|فيفري",
        "مارس|آذار",
        "أبريل|إبريل|ابريل|نيسان|أفريل",
        "مايو|أيار|ماي",
        "يونيو|يونيه|يونية|حزيران|جوان",
        "يوليو|يوليه|يولية|تموز|جويلية|يوليوز",
        "أغسطس|آب|أوت|غشت",
        "سبتمبر|أيلول|شتنبر",
        "أكتوبر|تشرين الأول|اكتوبر",
        "نوفمبر|تشرين الثاني|نونبر",
        "ديسمبر|كانون الأول|دجنبر",
    ),
}

# Weekdays are recognised only so they can be skipped; which day it is does not matter.
_WEEKDAY_NAMES: dict[str, str] = {
    "en": "monday|mon|tuesday|tue|tues|wednesday|wed|thursday|thu|thur|thurs|friday|fri|"
    "saturday|sat|sunday|sun",
    "de": "montag|mo|dienstag|di|mittwoch|mi|donnerstag|do|freitag|fr|samstag|sonnabend|sa|"
    "sonntag|so",
    "fr": "lundi|lun|mardi|mar|mercredi|mer|jeudi|jeu|vendredi|ven|samedi|sam|dimanche|dim",
    "es": "lunes|lun|martes|mar|miércoles|mié|jueves|jue|viernes|vie|sábado|sáb|domingo|dom",
    "it": "lunedì|lun|martedì|mar|mercoledì|mer|giovedì|gio|venerdì|ven|sabato|sab|"
    "domenica|dom",
    "pt": "segunda-feira|segunda|seg|terça-feira|terça|ter|quarta-feira|quarta|qua|"
    "quinta-feira|quinta|qui|sexta-feira|sexta|sex|sábado|sáb|domingo|dom",
    "nl": "maandag|ma|dinsdag|di|woensdag|wo|donderdag|do|vrijdag|vr|zaterdag|za|zondag|zo",
    "pl": "poniedziałek|pon|wtorek|wt|środa|śr|czwartek|czw|piątek|pt|sobota|sob|niedziela|"
    "niedz|ndz",
    "ru": "понедельник|пн|вторник|вт|среда|ср|четверг|чт|пятница|пт|суббота|сб|воскресенье|вс",
    "tr": "pazartesi|pzt|salı|çarşamba|perşembe|cuma|cumartesi|cmt|pazar",
    "ar": "الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد|"
    "يوم الاثنين|يوم الإثنين|يوم الثلاثاء|يوم الأربعاء|يوم الخميس|يوم الجمعة|يوم السبت|يوم الأحد",
}
# Chinese 星期五/周五/礼拜五, Japanese 金曜日/(金), Korean 금요일: no spaces, so no word boundary.
_CJK_WEEKDAY = (
    r"(?:星期|禮拜|礼拜|周|週)[一二三四五六日天]|[月火水木金土日]曜日?|[月火水木金土日]"
    r"|[월화수목금토일]요일"
)

# Words that may sit between a date and its time: "at 10:22", "um 10:22 Uhr", "à 10h22",
# "a las 10:22", "alle ore 10:22", "às 10h", "om 10:22", "o godz. 10:22", "в 10:22", "saat 10:22".
_TIME_CONNECTORS = (
    "at", "um", "a", "a las", "a la", "alle", "alle ore", "ore", "as", "om", "o", "godz",
    "o godz", "в", "saat", "الساعة", "في", "kl", "klo",
)
_TZ_ABBREVIATIONS = (
    "utc", "gmt", "z", "cet", "cest", "eet", "eest", "wet", "west", "bst", "ist", "msk", "мск",
    "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "et", "pt", "ct", "mt", "jst", "kst",
    "hkt", "sgt", "trt", "ast", "aest", "aedt", "wib", "pkt",
)

# Header labels, by kind. A label must be followed by a date and nothing else, so short generic
# labels ("Date", "Data", "Tarih") cannot turn an ordinary sentence into a header line.
_HEADER_LABELS: dict[DateKind, tuple[str, ...]] = {
    "published": (
        # en
        "published", "first published", "originally published", "posted", "date", "dated",
        "publication date", "date published", "published date", "pubdate", "pub date",
        # de
        "veröffentlicht", "veroeffentlicht", "erschienen", "publiziert", "erstellt", "datum",
        "veröffentlichungsdatum",
        # fr
        "publié", "publiée", "paru", "mis en ligne", "date de publication",
        # es, pt
        "publicado", "publicada", "fecha", "fecha de publicación", "data de publicação",
        # it
        "pubblicato", "pubblicata", "data", "data di pubblicazione",
        # nl
        "gepubliceerd", "geplaatst",
        # pl
        "opublikowano", "data publikacji", "dodano",
        # ru
        "опубликовано", "опубликован", "опубликована", "дата публикации", "дата", "размещено",
        # tr
        "yayınlanma tarihi", "yayınlanma", "yayın tarihi", "yayınlandı", "tarih",
        "oluşturulma tarihi",
        # ar
        "نشر", "نشر بتاريخ", "تم النشر", "تاريخ النشر", "بتاريخ", "التاريخ", "تاريخ",
        # zh (simplified, traditional), ja
        "发布时间", "发布日期", "发布于", "发布", "发表时间", "发表日期", "发表于",
        "發布時間", "發佈時間", "發布日期", "發表時間", "發布", "日期", "时间", "時間",
        "公開日", "公開日時", "掲載日", "投稿日", "投稿日時", "配信日", "配信日時",
    ),
    "updated": (
        # en
        "updated", "last updated", "last modified", "modified", "revised",
        # de ("Stand:" is the revision stamp on German news sites)
        "aktualisiert", "zuletzt aktualisiert", "geändert", "stand",
        # fr
        "mis à jour", "mise à jour", "dernière mise à jour", "actualisé",
        # es, pt
        "actualizado", "última actualización", "atualizado", "última atualização",
        # it
        "aggiornato", "aggiornata", "ultimo aggiornamento", "aggiornamento",
        # nl
        "bijgewerkt", "laatst bijgewerkt", "gewijzigd",
        # pl
        "zaktualizowano", "aktualizacja", "ostatnia aktualizacja",
        # ru
        "обновлено", "обновлен", "обновлена", "изменено", "дата обновления",
        # tr
        "güncellenme tarihi", "güncellendi", "güncelleme", "son güncelleme",
        # ar
        "آخر تحديث", "تم التحديث", "تحديث", "تاريخ التحديث",
        # zh, ja
        "更新时间", "更新時間", "更新日期", "更新于", "更新於", "更新", "更新日", "最終更新日",
        "更新日時",
    ),
}
# Words between a label and its date: "Published on", "Veröffentlicht am", "Publié le",
# "Publicado el/em", "Pubblicato il", "Gepubliceerd op", "Opublikowano dnia", "نشر في".
_LABEL_CONNECTORS = (
    "on", "at", "am", "um", "le", "el", "il", "em", "op", "dnia", "w", "в", "في", "يوم",
    "于", "於",
)
# Other labels that may follow a date on the same line ("发布时间：… 来源：新华网"); they only
# mark where a new segment starts.
_OTHER_LABELS = (
    "source", "quelle", "fuente", "fonte", "bron", "źródło", "источник", "kaynak", "المصدر",
    "来源", "來源", "出典", "author", "autor", "auteur", "автор", "yazar", "作者", "编辑", "編輯",
)
# fmt: on


# ---------------------------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------------------------

_CHAR_FIXES = str.maketrans(
    {
        "ı": "i",  # Turkish dotless i; upper-case input casefolds to a dotted i
        "ł": "l",  # Polish l-stroke has no decomposition, so accent stripping misses it
        "ـ": None,  # Arabic tatweel (justification stretch)
        "،": ",",  # Arabic comma
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        # Direction marks and zero-width characters that scraped Arabic text carries.
        **dict.fromkeys(
            "\u200b\u200c\u200d\u200e\u200f\u061c\u2060\ufeff\u00ad"
            "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
            None,
        ),
    }
)
_WHITESPACE_RE = re.compile(r"\s+")


def _normalize(text: str) -> str:
    """Case-, accent- and width-insensitive form used for all matching.

    NFKC folds full-width digits and punctuation (年３月, ：) and ordinal indicators; casefold
    and stripping combining marks make "Février", "FEVRIER" and "fevrier" one key, "Maerz"
    excepted (listed explicitly). NFC at the end recomposes Hangul, which NFD split into jamo.
    """
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_FIXES)
        text = "".join(
            c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
        )
        text = unicodedata.normalize("NFC", text)
    return _WHITESPACE_RE.sub(" ", text).strip()


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation, longest first so "marzo" is tried before "mar"; spaces match runs."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)


def _build_months() -> dict[str, int]:
    months: dict[str, int] = {}
    for language, names in _MONTH_NAMES.items():
        if len(names) != 12:
            raise ValueError(f"month table for {language!r} has {len(names)} entries")
        for number, aliases in enumerate(names, start=1):
            for alias in aliases.split("|"):
                key = _normalize(alias)
                # Cross-language abbreviations collide by design ("mar", "set"); they must
                # agree, or a date would silently depend on table order.
                if months.setdefault(key, number) != number:
                    raise ValueError(f"month name {alias!r} ({language}) maps to two months")
    return months


def _build_labels() -> dict[str, DateKind]:
    labels: dict[str, DateKind] = {}
    for kind, words in _HEADER_LABELS.items():
        for word in words:
            if labels.setdefault(_normalize(word), kind) != kind:
                raise ValueError(f"header label {word!r} is both published and updated")
    return labels


_MONTHS = _build_months()
_LABELS = _build_labels()

# ---------------------------------------------------------------------------------------------
# Regexes (compiled once; matched against `_normalize`d text)
# ---------------------------------------------------------------------------------------------

_NOT_LETTER_AHEAD = r"(?![^\W\d_])"  # a word must not continue into more letters
_MONTH = f"(?:{_alternation(_MONTHS)})"
_WEEKDAY_WORD = _alternation(_normalize(w) for n in _WEEKDAY_NAMES.values() for w in n.split("|"))
_WEEKDAY = rf"(?:(?:{_WEEKDAY_WORD})\.?{_NOT_LETTER_AHEAD}|{_CJK_WEEKDAY})"
_SEP = r"[\s,|·•/\-–—]"
_ORDINAL = r"(?:st|nd|rd|th|er|o|°)"  # 13th, 1er, 1º (NFKC turns º into o)
_YEAR_SUFFIX = r"(?:\s*(?:года|год|г|r|م)\.?" + _NOT_LETTER_AHEAD + ")?"  # 2020 г., 2020 r., 2020م


def _month_group(form: str) -> str:
    # "13 آذار/مارس 2020" and "آذار (مارس)": Arabic papers often print both month names.
    return (
        rf"(?P<{form}_m>{_MONTH})\.?{_NOT_LETTER_AHEAD}"
        rf"(?:\s*[/(]\s*(?P<{form}_m2>{_MONTH})\.?{_NOT_LETTER_AHEAD}\s*\)?)?"
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
    rf"(?:{_alternation(_TZ_ABBREVIATIONS)}){_NOT_LETTER_AHEAD})\)?"
)
_TIME = (
    r"(?:[01]?\d|2[0-3])[:h.][0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?"
    r"(?:\s*(?:a\.m\.?|p\.m\.?|am|pm|صباحا|مساء|ص|م))?(?:\s*(?:uhr|hrs|h|ч))?"
    rf"(?:\s*{_TZ})?"
)
_TIME_CONNECTOR = rf"(?:(?:{_alternation(_TIME_CONNECTORS)})\.?\s*)"
_DATE_RE = re.compile(
    # Optional leading time ("10:22, 13 March 2020") and weekday, the date, then an optional
    # weekday (Turkish/Japanese put it after), and an optional time ("T" for ISO 8601).
    rf"(?:{_TIME}{_SEP}+)?(?:{_WEEKDAY}{_SEP}*)?"
    rf"(?:{'|'.join(f.pattern for f in _FORMS)})"
    rf"(?:{_SEP}*\(?{_WEEKDAY}\)?)?"
    rf"(?:(?:{_SEP}+|t){_TIME_CONNECTOR}{{0,2}}{_TIME})?"
)

_LABEL_RE = re.compile(
    rf"(?P<label>{_alternation(_LABELS)}){_NOT_LETTER_AHEAD}\s*[:\-–—]?\s*"
    rf"(?:(?:{_alternation(_LABEL_CONNECTORS)}){_NOT_LETTER_AHEAD}\s*[:\-–—]?\s*)?"
    r"(?P<rest>.+)"
)
# Split a header line into "label: value" segments: at separators, and before any known label
# that is directly followed by a colon ("Published: X Updated: Y", "时间：X 来源：Y").
_SEGMENT_RE = re.compile(
    rf"[|•·;]|\s(?=(?:{_alternation([*_LABELS, *(_normalize(w) for w in _OTHER_LABELS)])})\s*:)"
)

_HAS_DIGIT_RE = re.compile(r"\d")
# Punctuation and decoration that may surround a date or a header line ("**Published:**",
# "(13 March 2020)", "— 13.03.2020 —", "13 марта 2020 г."), stripped from both ends.
_STRIP = " \t\n\r\f\v.,;:!?*_#>|/\\\"'«»“”„‘’‹›()[]{}<>•·-–—"

# A date string longer than this is a sentence, not a date; checked before any normalization
# so that body paragraphs cost almost nothing.
_MAX_DATE_CHARS = 120
_MAX_HEADER_LINE_CHARS = 240

# Leading `` date YYYY-MM-DD `` prefix of raw seed files (the date is glued to the body); an
# ISO time may follow the date ("T10:22:00Z"). Groups: year, month, day.
ISO_PREFIX_RE = re.compile(
    r"^[\s\ufeff]*date(?:\s*:\s*|\s+)(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
    r"(?:\s+|$)",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _resolve_today(today: datetime.date | None) -> datetime.date:
    if today is None:
        return datetime.datetime.now(datetime.timezone.utc).date()
    if isinstance(today, datetime.datetime):
        # date and datetime do not compare; a datetime here means "that day".
        return today.date()
    if not isinstance(today, datetime.date):
        raise TypeError(f"today must be a datetime.date, got {type(today).__name__}")
    return today


def _make_date(
    year: int, month: int, day: int, today: datetime.date, config: DateConfig
) -> datetime.date | None:
    if year < config.min_year:
        return None
    try:
        value = datetime.date(year, month, day)
    except ValueError:  # 31 Feb, month 13, day 0
        return None
    try:
        latest = today + datetime.timedelta(days=config.max_future_days)
    except OverflowError:
        latest = datetime.date.max
    return value if value <= latest else None


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
    month = _MONTHS.get(" ".join(raw.split()))
    second = match.group(f"{form.name}_m2")
    if second is not None and _MONTHS.get(" ".join(second.split())) != month:
        return None  # "März/April": contradictory double month
    return month


def _parse_normalized(text: str, today: datetime.date, config: DateConfig) -> datetime.date | None:
    text = text.strip(_STRIP)
    if not text or len(text) > _MAX_DATE_CHARS or not _HAS_DIGIT_RE.search(text):
        return None
    match = _DATE_RE.fullmatch(text)
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
        return _make_date(int(year), month, day, today, config)
    return None  # unreachable: every alternative of _DATE_RE sets its year group


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def parse_date(
    text: str, *, today: datetime.date | None = None, config: DateConfig = DEFAULT
) -> datetime.date | None:
    """The date that `text` consists of, or None.

    `text` must be only a date, optionally with a weekday, a time, a timezone and surrounding
    punctuation/whitespace; a sentence that merely contains a date is None. Also None: impossible
    dates, years before `config.min_year`, dates after `today + config.max_future_days`, and
    ambiguous numerics (see the module docstring), and any text over 480 characters (checked
    before any other work, so body paragraphs are cheap). `today` defaults to the current UTC
    date; a datetime counts as its date.
    """
    if not text or len(text) > 4 * _MAX_DATE_CHARS:
        return None
    return _parse_normalized(_normalize(text), _resolve_today(today), config)


def parse_header_date(
    line: str, *, today: datetime.date | None = None, config: DateConfig = DEFAULT
) -> HeaderDate | None:
    """The date on a labelled header line and the label's kind, or None.

    Recognises "<label>[:] [connector] <date>" where the label is a published label (Published,
    Posted, Date, Veröffentlicht, Publié, Publicado, Pubblicato, Opublikowano, Опубликовано,
    Yayınlanma tarihi, نشر, 发布时间 ...) or an updated label (Updated, Stand, Mis à jour,
    Actualizado, Обновлено, آخر تحديث, 更新时间 ...), and <date> is what `parse_date` accepts.
    A line may hold several segments separated by | • · ; or starting with "<label>:"; a
    published segment wins over an updated one. A bare date without a label is None (use
    `parse_date` for datelines), and so is any line over 240 characters.
    """
    if not line or len(line) > _MAX_HEADER_LINE_CHARS:
        return None
    if line.isascii() and not _HAS_DIGIT_RE.search(line):
        return None  # lower-casing adds no digit: skip normalizing most header lines
    text = _normalize(line)
    if not _HAS_DIGIT_RE.search(text):
        return None
    today = _resolve_today(today)
    updated: HeaderDate | None = None
    for segment in _SEGMENT_RE.split(text):
        match = _LABEL_RE.fullmatch(segment.strip(_STRIP))
        if match is None:
            continue
        value = _parse_normalized(match.group("rest"), today, config)
        if value is None:
            continue
        kind = _LABELS[" ".join(match.group("label").split())]
        if kind == "published":
            return HeaderDate("published", value)
        updated = updated or HeaderDate("updated", value)
    return updated


def parse_published_line(
    line: str, *, today: datetime.date | None = None, config: DateConfig = DEFAULT
) -> datetime.date | None:
    """The publication date on a header line such as "Published: 2020-03-18T10:22:00Z", or None.

    Only published labels count: an "Updated: ..." line is None (see `parse_header_date` to get
    updated dates too). Same grammar and validity rules as `parse_header_date`.
    """
    found = parse_header_date(line, today=today, config=config)
    return found.date if found is not None and found.kind == "published" else None


def split_date_prefix(
    text: str, *, today: datetime.date | None = None, config: DateConfig = DEFAULT
) -> tuple[datetime.date | None, str]:
    """Split a leading `` date YYYY-MM-DD `` prefix off `text`.

    Returns (date, rest) with the prefix and the whitespace after it removed. The date is
    validated like `parse_date`; an impossible or out-of-range date gives (None, rest), the
    prefix still removed because it is markup, not body text. Without a prefix: (None, text).
    """
    match = ISO_PREFIX_RE.match(text)
    if match is None:
        return None, text
    value = _make_date(
        int(match.group("year")),
        int(match.group("month")),
        int(match.group("day")),
        _resolve_today(today),
        config,
    )
    return value, text[match.end() :]


# How each kind of header candidate (see `pipelines.core.headers`) is read.
_CANDIDATE_PARSERS: dict[str, Callable[..., datetime.date | None]] = {
    "header": parse_date,
    "published-line": parse_published_line,
    "dateline": parse_date,
}


def publication_date(
    candidates: Iterable[tuple[str, str]],
    *,
    today: datetime.date | None = None,
    config: DateConfig = DEFAULT,
) -> tuple[datetime.date | None, str]:
    """(date, source) of the first candidate, in the given priority order, that parses.

    `candidates` are (source, raw text) pairs with source "header" (the ``date`` prefix value),
    "published-line" or "dateline"; unknown sources are read with `parse_date`. Candidates that
    are impossible or too far in the future are skipped. Nothing usable: (None, "none").
    """
    today = _resolve_today(today)
    for source, raw in candidates:
        parser = _CANDIDATE_PARSERS.get(source, parse_date)
        value = parser(raw, today=today, config=config)
        if value is not None:
            return value, source
    return None, "none"
