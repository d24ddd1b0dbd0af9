"""Date parsing for news article headers (standard library only, no Apache Beam).

Recognised forms, in English, German, French, Spanish, Italian, Portuguese, Dutch, Polish,
Russian, Turkish, Arabic and Persian (month and weekday names, full or abbreviated, any case,
with or without accents or a trailing dot), Chinese, Japanese and Korean:

- ISO and year-first numerics: ``2020-03-18``, ``2020/03/18``, ``2020.03.18``,
  ``2020-03-18T10:22Z``;
- day-month-year with a month name: ``13 Mar, 2020``, ``13. März 2020``, ``13 de marzo de 2020``,
  ``13 marca 2020 r.``, ``13 марта 2020 года``, ``13 آذار/مارس 2020``, ``١٣ مارس ٢٠٢٠``;
- month-day-year: ``March 13, 2020``, ``Mar 13 2020``; year-month-day: ``2020-Mar-13``;
- CJK: ``2020年3月13日`` (also Korean ``2020년 3월 13일``);
- day-first dotted numerics ``13.03.2020`` and slashed/dashed numerics (see `forms`);
- any of these with a weekday (before, or after the date), a time and a timezone.

Policies:

- A date needs a day, a month and a four-digit year (``March 2020`` and ``March 13`` are None).
- Time zones are read but not applied: the result is the calendar date as printed, i.e. the
  publisher's local date (``2020-03-18T23:30-05:00`` is 2020-03-18).
- Validity: impossible calendar dates, years before ``DateConfig.min_year`` and dates later than
  ``today + DateConfig.max_future_days`` are None (never clamped).
- Published vs Updated: see `header_lines`.

Modules: `config` (validity), `names` (month/weekday tables per language), `labels` (header
labels per language), `normalize`, `forms` (the layouts), `parse` (a text that is a date),
`header_lines` (dates on header lines), `choose` (the publication date among candidates).
"""

from pipelines.core.dates.choose import SOURCES, publication_date
from pipelines.core.dates.config import DEFAULT, DateConfig
from pipelines.core.dates.header_lines import (
    LineDate,
    parse_header_date,
    parse_published_line,
    read_header_line,
)
from pipelines.core.dates.labels import DateKind, HeaderDate
from pipelines.core.dates.parse import ISO_PREFIX_RE, parse_date, split_date_prefix

__all__ = [
    "DEFAULT",
    "ISO_PREFIX_RE",
    "SOURCES",
    "DateConfig",
    "DateKind",
    "HeaderDate",
    "LineDate",
    "parse_date",
    "parse_header_date",
    "parse_published_line",
    "publication_date",
    "read_header_line",
    "split_date_prefix",
]
