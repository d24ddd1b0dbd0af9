"""Dates on header lines: "Published: …", "Stand: …", "WDR 5 | 5. März 2020", a bare dateline.

Published vs Updated: `parse_published_line` accepts only publication labels (``Published``,
``Date``, ``Posted`` ...); an ``Updated``/``Stand``/``Mis à jour`` line returns None, because a
later revision date is not the publication date. `parse_header_date` recognises both and says
which; on a line carrying both, the published date wins.
"""

from __future__ import annotations

import datetime
import re
from typing import Literal, NamedTuple

from pipelines.core.dates.config import DEFAULT, DateConfig, resolve_today
from pipelines.core.dates.forms import HAS_DIGIT_RE, NOT_LETTER_AHEAD, STRIP, parse_normalized
from pipelines.core.dates.labels import (
    HEADER_LABELS,
    LABEL_CONNECTORS,
    OTHER_LABELS,
    DateKind,
    HeaderDate,
)
from pipelines.core.dates.normalize import alternation, normalize

# A header line longer than this is body text; checked before any normalization.
MAX_HEADER_LINE_CHARS = 240

LineKind = Literal["date", "published", "updated"]


class LineDate(NamedTuple):
    """A date on a header line: a bare date ("date") or a labelled one, and its date text.

    `text` is the line as printed when the date fills it, else the normalized segment that
    holds the date ("5. märz 2020", "published: 13 march 2020"), so it can be read again later
    (with the run's `today`) without the rest of the line.
    """

    kind: LineKind
    date: datetime.date
    text: str


def _build_labels() -> dict[str, DateKind]:
    labels: dict[str, DateKind] = {}
    for kind, words in HEADER_LABELS.items():
        for word in words:
            if labels.setdefault(normalize(word), kind) != kind:
                raise ValueError(f"header label {word!r} is both published and updated")
    return labels


LABELS = _build_labels()

_LABEL_RE = re.compile(
    rf"(?P<label>{alternation(LABELS)}){NOT_LETTER_AHEAD}\s*[:\-–—]?\s*"
    rf"(?:(?:{alternation(LABEL_CONNECTORS)}){NOT_LETTER_AHEAD}\s*[:\-–—]?\s*)?"
    r"(?P<rest>.+)"
)
# Split a header line into "label: value" segments: at separators, and before any known label
# that is directly followed by a colon ("Published: X Updated: Y", "时间：X 来源：Y").
_SEGMENT_RE = re.compile(
    rf"[|•·;]|\s(?=(?:{alternation([*LABELS, *(normalize(w) for w in OTHER_LABELS)])})\s*:)"
)
# Order in which the dates of one line are preferred: a publication label, then a bare date
# segment, then an update label (a later revision is not the publication date).
_PREFERENCE: dict[LineKind, int] = {"published": 0, "date": 1, "updated": 2}


def _scan(text: str, today: datetime.date, config: DateConfig) -> LineDate | None:
    """The preferred date of a normalized header line."""
    whole = parse_normalized(text, today, config)
    if whole is not None:
        return LineDate("date", whole, text.strip(STRIP))
    best: LineDate | None = None
    segments = _SEGMENT_RE.split(text)
    for segment in segments:
        segment = segment.strip(STRIP)
        if not segment or not HAS_DIGIT_RE.search(segment):
            continue
        match = _LABEL_RE.fullmatch(segment)
        if match is not None:
            value = parse_normalized(match.group("rest"), today, config)
            if value is None:
                continue
            found = LineDate(LABELS[" ".join(match.group("label").split())], value, segment)
        elif len(segments) > 1:
            value = parse_normalized(segment, today, config)
            if value is None:
                continue
            found = LineDate("date", value, segment)
        else:
            continue
        if found.kind == "published":
            return found
        if best is None or _PREFERENCE[found.kind] < _PREFERENCE[best.kind]:
            best = found
    return best


def read_header_line(
    line: str, *, today: datetime.date | None = None, config: DateConfig = DEFAULT
) -> LineDate | None:
    """The date a header line carries, or None.

    The line is a bare date ("Friday, 13 Mar, 2020"), or segments separated by | • · ; of which
    one is a date ("WDR 5 | 5. März 2020") or a labelled date ("Published: …", "Stand: …"). A
    published label wins over a bare date, which wins over an updated label. Lines over 240
    characters are body text: None before any other work.
    """
    if not line or len(line) > MAX_HEADER_LINE_CHARS:
        return None
    if line.isascii() and not HAS_DIGIT_RE.search(line):
        return None  # lower-casing adds no digit: skip normalizing most header lines
    text = normalize(line)
    if not HAS_DIGIT_RE.search(text):
        return None
    found = _scan(text, resolve_today(today), config)
    if found is not None and found.text == text.strip(STRIP):
        return found._replace(text=line.strip())  # the whole line: keep it as printed
    return found


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
    if not line or len(line) > MAX_HEADER_LINE_CHARS:
        return None
    if line.isascii() and not HAS_DIGIT_RE.search(line):
        return None
    text = normalize(line)
    if not HAS_DIGIT_RE.search(text):
        return None
    today = resolve_today(today)
    updated: HeaderDate | None = None
    for segment in _SEGMENT_RE.split(text):
        match = _LABEL_RE.fullmatch(segment.strip(STRIP))
        if match is None:
            continue
        value = parse_normalized(match.group("rest"), today, config)
        if value is None:
            continue
        kind = LABELS[" ".join(match.group("label").split())]
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
