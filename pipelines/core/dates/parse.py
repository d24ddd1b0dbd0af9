"""Reading a text that is only a date, and the ``date YYYY-MM-DD`` prefix of raw seed files."""

from __future__ import annotations

import datetime
import re

from pipelines.core.dates.config import DEFAULT, DateConfig, make_date, resolve_today
from pipelines.core.dates.forms import MAX_DATE_CHARS, parse_normalized
from pipelines.core.dates.normalize import normalize

# Leading `` date YYYY-MM-DD `` prefix of raw seed files (the date is glued to the body); an
# ISO time may follow the date ("T10:22:00Z"). Groups: year, month, day.
ISO_PREFIX_RE = re.compile(
    r"^[\s\ufeff]*date(?:\s*:\s*|\s+)(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
    r"(?:\s+|$)",
    re.IGNORECASE,
)


def parse_date(
    text: str, *, today: datetime.date | None = None, config: DateConfig = DEFAULT
) -> datetime.date | None:
    """The date that `text` consists of, or None.

    `text` must be only a date, optionally with a weekday, a time, a timezone and surrounding
    punctuation/whitespace; a sentence that merely contains a date is None. Also None: impossible
    dates, years before `config.min_year`, dates after `today + config.max_future_days`, and
    ambiguous numerics (see `forms`), and any text over 480 characters (checked before any
    other work, so body paragraphs are cheap). `today` defaults to the current UTC date; a
    datetime counts as its date.
    """
    if not text or len(text) > 4 * MAX_DATE_CHARS:
        return None
    return parse_normalized(normalize(text), resolve_today(today), config)


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
    value = make_date(
        int(match.group("year")),
        int(match.group("month")),
        int(match.group("day")),
        resolve_today(today),
        config,
    )
    return value, text[match.end() :]
