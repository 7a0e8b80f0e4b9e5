"""Moments: parsing what users type (``2026-10-05``, ``…T13:00Z``), normalizing to UTC.

The one place for time arithmetic every stage shares: the units, hour boundaries, and
the warehouse's convention that a timestamp without a zone is UTC (:func:`naive_utc`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final

from pipeline.errors import InputError

HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)
WEEK: Final = timedelta(days=7)


def parse_moment(text: str) -> datetime:
    """A date or ISO datetime as an aware UTC datetime; naive input is taken as UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"not a date or ISO datetime: {text!r} (use e.g. 2026-10-05 or 2026-10-05T13:00Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def plain_utc(moment: datetime) -> datetime:
    """``moment`` (aware) as a plain ``datetime`` in UTC.

    Airflow hands tasks pendulum ``DateTime`` objects, whose arithmetic with the stdlib's
    ``timezone.utc`` silently drops the zone (``dt - timedelta(days=1)`` comes out naive);
    plain datetimes do not.
    """
    utc = moment.astimezone(UTC)
    return datetime(
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, tzinfo=UTC
    )


def check_interval(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Both ends aware, start before end; returned as plain UTC datetimes."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InputError("interval ends must be timezone-aware (UTC)")
    if not start < end:
        raise InputError(
            f"empty interval: start {start.isoformat()} is not before end {end.isoformat()}"
        )
    return plain_utc(start), plain_utc(end)


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as the warehouse stores it: UTC, without a zone.

    An aware moment is converted to UTC; a naive one is taken to be UTC already (the
    warehouse's convention, and what DuckDB returns for ``timestamp`` columns).
    """
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def floor_hour(moment: datetime) -> datetime:
    """The start of the hour ``moment`` falls in."""
    return moment.replace(minute=0, second=0, microsecond=0)


def ceil_hour(moment: datetime) -> datetime:
    """The first hour start at or after ``moment``."""
    floored = floor_hour(moment)
    return floored if floored == moment else floored + HOUR
