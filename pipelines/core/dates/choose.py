"""Which of an article's header date candidates is its publication date, and where it came from."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from pipelines.core.dates.config import DEFAULT, DateConfig, resolve_today
from pipelines.core.dates.header_lines import parse_published_line
from pipelines.core.dates.parse import parse_date

# Candidate sources (`date_source`): the ``date`` prefix of seed files, a published line, a
# dateline, a date on the byline line (`pipelines.core.headers` lists them by priority).
SOURCES = ("header", "published-line", "dateline", "byline")

# How each kind of header candidate is read.
_CANDIDATE_PARSERS: dict[str, Callable[..., datetime.date | None]] = {
    "header": parse_date,
    "published-line": parse_published_line,
    "dateline": parse_date,
    "byline": parse_date,
}


def publication_date(
    candidates: Iterable[tuple[str, str]],
    *,
    today: datetime.date | None = None,
    config: DateConfig = DEFAULT,
) -> tuple[datetime.date | None, str]:
    """(date, source) of the first candidate, in the given priority order, that parses.

    `candidates` are (source, raw text) pairs with source "header" (the ``date`` prefix value),
    "published-line", "dateline" or "byline"; unknown sources are read with `parse_date`.
    Candidates that are impossible or too far in the future are skipped. Nothing usable:
    (None, "none").
    """
    today = resolve_today(today)
    for source, raw in candidates:
        parser = _CANDIDATE_PARSERS.get(source, parse_date)
        value = parser(raw, today=today, config=config)
        if value is not None:
            return value, source
    return None, "none"
