"""The aggregate step: copies, ``brand_hourly``, ``brand_daily`` and ``complaint_responses``
brought up to date after loads of an interval, each refreshed set gated by its quality suite.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from pipeline.config.model import BrandConfig
from pipeline.posts.normalize import COPY_WINDOW
from pipeline.settings import Settings
from pipeline.steps.brands import brands_for
from pipeline.steps.planning import Chunk, local_days
from pipeline.timeutil import HOUR, ceil_hour, check_interval, floor_hour
from pipeline.warehouse import connection, loads, marts, responses
from pipeline.warehouse.quality import gate_aggregates, read_aggregates

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AggregateResult:
    hours: int
    days: int
    brands: tuple[str, ...]


def _hours(start: datetime, end: datetime) -> list[datetime]:
    """The UTC hour starts that ``[start, end)`` touches."""
    hours, cursor = [], floor_hour(start)
    while cursor < end:
        hours.append(cursor)
        cursor += HOUR
    return hours


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def aggregate(
    start: datetime,
    end: datetime,
    brand_ids: Sequence[str] | None = None,
    settings: Settings | None = None,
    *,
    hourly: bool = True,
    daily: bool = True,
    before: timedelta = timedelta(0),
    after: timedelta = COPY_WINDOW,
    create: bool = True,
) -> AggregateResult:
    """Bring everything derived from ``posts`` up to date after loads of ``[start, end)``.

    1. Copies are decided anew for posts in ``[start, end + COPY_WINDOW)``: a post loaded
       now can make a later post (loaded earlier) a copy, so the result never depends on
       the order loads ran in.
    2. ``brand_hourly`` is recomputed for every UTC hour, and ``brand_daily`` for every
       local day, that ``[start, end)`` touches (rows for hours and days without posts
       included), and for the hours and days already stored in the margins ``before`` and
       ``after`` it (their copies may have changed); a margin never adds rows, so no hour
       or day that was never loaded appears as empty. With ``create=False`` (the daily
       settle) only rows already stored are refreshed, inside the interval too.
    3. Where a later load moved a post to another time (``moved_posts``), the stored hours
       and days it was counted in are refreshed too (whatever ``hourly`` and ``daily``), so
       they stop counting it.
    """
    settings = settings or Settings.from_env()
    start, end = check_interval(start, end)
    brands = brands_for(settings).select(tuple(brand_ids or ()))
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        result = _aggregate_on(
            con, settings, brands, start, end,
            hourly=hourly, daily=daily, before=before, after=after, create=create,
        )  # fmt: skip
    return result


def _aggregate_on(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    brands: Sequence[BrandConfig],
    start: datetime,
    end: datetime,
    *,
    hourly: bool = True,
    daily: bool = True,
    before: timedelta = timedelta(0),
    after: timedelta = COPY_WINDOW,
    create: bool = True,
) -> AggregateResult:
    """:func:`aggregate` on an open connection (publishing is the caller's)."""
    hours = days = 0
    lo, hi = start - before, end + after
    batch_id = loads.interval_batch_id(start, end)
    for brand in brands:
        moved = marts.moved_times(con, brand.id)
        moved_hours, moved_days = _refresh_moved(con, settings, brand, moved)
        marts.mark_copies(
            con, settings.sql, brand.id, start=start, end=end + COPY_WINDOW, window=COPY_WINDOW
        )
        hour_list: list[datetime] = moved_hours
        if hourly:
            own = _hours(start, end) if create else []
            margin = marts.existing_hours(con, brand.id, floor_hour(lo), ceil_hour(hi))
            hour_list = own + margin + moved_hours
        day_list: list[date] = moved_days
        if daily:
            own_days = _days(*local_days(brand, start, end)) if create else []
            margin_days = marts.existing_days(con, brand.id, *local_days(brand, lo, hi))
            day_list = own_days + margin_days + moved_days
        # The rows as they were: put back if the refreshed ones fail their quality suites.
        before_refresh = read_aggregates(con, brand.id, hour_list, day_list)
        if hourly:
            hours += marts.refresh_hourly(con, settings.sql, brand.id, hour_list)
        # Replies arrive after complaints: complaints of the week before get theirs.
        responses.refresh_complaint_responses(
            con, settings.sql, brand.id, start - responses.REPLY_LOOKBACK, end
        )
        if daily:
            days += marts.refresh_daily(
                con, settings.sql, brand.id, timezone=brand.timezone, days=day_list
            )
        if not hourly and moved_hours:
            hours += marts.refresh_hourly(con, settings.sql, brand.id, moved_hours)
        if not daily and moved_days:
            days += marts.refresh_daily(
                con, settings.sql, brand.id, timezone=brand.timezone, days=moved_days
            )
        # Still holding the write lock: nobody has read the new rows yet.
        gate_aggregates(con, before_refresh, batch_id=batch_id)
        marts.forget_moved(con, brand.id, moved)
    log.info(
        "aggregated %d brand-hours and %d brand-days over [%s, %s) and its margins",
        hours, days, start.isoformat(), end.isoformat(),
    )  # fmt: skip
    return AggregateResult(hours=hours, days=days, brands=tuple(b.id for b in brands))


def _moved_spans(moved: Sequence[datetime]) -> list[tuple[datetime, datetime]]:
    """The hours of ``moved`` times as spans, joined when less than a copy window apart."""
    spans: list[tuple[datetime, datetime]] = []
    for hour in sorted({floor_hour(t) for t in moved}):
        if spans and hour <= spans[-1][1] + COPY_WINDOW:
            spans[-1] = (spans[-1][0], hour + HOUR)
        else:
            spans.append((hour, hour + HOUR))
    return spans


def _refresh_moved(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    brand: BrandConfig,
    moved: Sequence[datetime],
) -> tuple[list[datetime], list[date]]:
    """Where posts were counted before a later load moved them (``moved_posts``): copies
    after them and complaint responses around them decided again; the stored hours and
    local days to refresh returned (the copy window after them included). A post's row
    in ``complaint_responses`` at its former time goes before its new one is written."""
    hours: list[datetime] = []
    days: list[date] = []
    for lo, hi in _moved_spans(moved):
        marts.mark_copies(
            con, settings.sql, brand.id, start=lo, end=hi + COPY_WINDOW, window=COPY_WINDOW
        )
        responses.refresh_complaint_responses(
            con, settings.sql, brand.id, lo - responses.REPLY_LOOKBACK, hi
        )
        hours += marts.existing_hours(con, brand.id, lo, ceil_hour(hi + COPY_WINDOW))
        days += marts.existing_days(con, brand.id, *local_days(brand, lo, hi + COPY_WINDOW))
    return hours, days


def aggregate_chunks(items: Sequence[Chunk], settings: Settings | None = None) -> AggregateResult:
    """Recompute the aggregates over what ``items`` loaded, brand by brand."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    for c in items:
        lo, hi = spans.get(c.brand, (c.start, c.end))
        spans[c.brand] = (min(lo, c.start), max(hi, c.end))
    settings = settings or Settings.from_env()
    brands = brands_for(settings)
    hours = days = 0
    # One connection, so the analyst snapshot is published once, not once per brand.
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        for brand_id, span in sorted(spans.items()):
            start, end = check_interval(*span)
            result = _aggregate_on(con, settings, [brands.get(brand_id)], start, end)
            hours, days = hours + result.hours, days + result.days
    return AggregateResult(hours=hours, days=days, brands=tuple(sorted(spans)))
