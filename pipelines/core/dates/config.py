"""Which parsed dates are plausible publication dates: the config and calendar validity."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


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


def resolve_today(today: datetime.date | None) -> datetime.date:
    """`today` as a date; None means the current UTC date, a datetime means its date."""
    if today is None:
        return datetime.datetime.now(datetime.timezone.utc).date()
    if isinstance(today, datetime.datetime):
        # date and datetime do not compare; a datetime here means "that day".
        return today.date()
    if not isinstance(today, datetime.date):
        raise TypeError(f"today must be a datetime.date, got {type(today).__name__}")
    return today


def make_date(
    year: int, month: int, day: int, today: datetime.date, config: DateConfig
) -> datetime.date | None:
    """The date, or None when impossible, before `config.min_year` or too far after `today`."""
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
