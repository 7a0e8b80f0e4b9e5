"""Moments: parsing what users type (``2026-10-05``, ``…T13:00Z``), normalizing to UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pipeline.errors import InputError


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
