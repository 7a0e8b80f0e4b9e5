"""The marts analysts read, refreshed from the intermediate views: copies, hourly, daily.

Each refresh deletes the rows of exactly the hours or days it is given and selects them
anew from ``sql/models/marts/<mart>.sql`` in one transaction. The staging and intermediate
views they select from are ``sql/models/staging/`` and ``sql/models/intermediate/``,
applied by the migrate step (:func:`pipeline.warehouse.sqlfiles.apply_views`);
docs/warehouse.md ("The layers") describes the layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from pipeline.timeutil import naive_utc
from pipeline.warehouse.connection import transaction
from pipeline.warehouse.sqlfiles import read_sql


def mart_sql(sql_dir: Path, mart: str) -> str:
    """The select a mart is materialized from: ``sql_dir/models/marts/<mart>.sql``."""
    return read_sql(sql_dir, f"models/marts/{mart}")


def mark_copies(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    brand: str,
    *,
    start: datetime,
    end: datetime,
    window: timedelta,
) -> None:
    """Decide anew which of ``brand``'s posts created in ``[start, end)`` are copies."""
    params = {
        "brand": brand,
        "start": naive_utc(start),
        "end": naive_utc(end),
        "window_start": naive_utc(start - window),
    }
    with transaction(con):
        con.execute(read_sql(sql_dir, "queries/warehouse/mark_copies"), params)


def moved_times(con: duckdb.DuckDBPyConnection, brand: str) -> list[datetime]:
    """The times ``brand``'s posts were counted at before a later load moved them
    (``moved_posts``, sql/migrations/013), oldest first, aware UTC."""
    rows = con.execute(
        "select created_at from moved_posts where brand = ? order by created_at", [brand]
    ).fetchall()
    return [r[0].replace(tzinfo=UTC) for r in rows]


def forget_moved(con: duckdb.DuckDBPyConnection, brand: str, times: Sequence[datetime]) -> None:
    """Delete these ``moved_posts`` rows once their hours and days are refreshed."""
    if times:
        con.execute(
            "delete from moved_posts where brand = $brand and list_contains($times, created_at)",
            {"brand": brand, "times": [naive_utc(t) for t in times]},
        )


def existing_hours(
    con: duckdb.DuckDBPyConnection, brand: str, start: datetime, end: datetime
) -> list[datetime]:
    """The hours of ``brand_hourly`` already stored for ``brand`` in ``[start, end)``."""
    rows = con.execute(
        "select hour from brand_hourly where brand = ? and hour >= ? and hour < ? order by hour",
        [brand, naive_utc(start), naive_utc(end)],
    ).fetchall()
    return [r[0].replace(tzinfo=UTC) for r in rows]


def existing_days(
    con: duckdb.DuckDBPyConnection, brand: str, first: date, last: date
) -> list[date]:
    """The days of ``brand_daily`` already stored for ``brand`` in ``first .. last``."""
    rows = con.execute(
        "select day from brand_daily where brand = ? and day >= ? and day <= ? order by day",
        [brand, first, last],
    ).fetchall()
    return [r[0] for r in rows]


def refresh_hourly(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, brand: str, hours: Sequence[datetime]
) -> int:
    """Recompute ``brand_hourly`` rows of ``brand`` for exactly these UTC hour starts.

    The mart is materialized from ``int_post_measures`` (models/marts/brand_hourly.sql): the
    rows of those hours are deleted and selected anew in one transaction.
    """
    if not hours:
        return 0
    stamps = sorted({naive_utc(h) for h in hours})
    params = {
        "brand": brand,
        "hours": stamps,
        "start": stamps[0],
        "end": stamps[-1] + timedelta(hours=1),
    }
    with transaction(con):
        con.execute(
            "delete from brand_hourly where brand = $brand and list_contains($hours, hour)",
            {"brand": brand, "hours": stamps},
        )
        con.execute(f"insert into brand_hourly by name {mart_sql(sql_dir, 'brand_hourly')}", params)
    return len(stamps)


def refresh_daily(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    brand: str,
    *,
    timezone: str,
    days: Sequence[date],
) -> int:
    """Recompute ``brand_daily`` and ``brand_daily_categories`` of ``brand`` for these days.

    Both marts are materialized in one transaction, ``brand_daily`` from
    ``int_post_measures`` (the same measure rules as ``brand_hourly``) and the categories
    from ``int_complaints``, so a day's category complaints always sum to its complaints.
    """
    if not days:
        return 0
    ordered = sorted(set(days))
    params = {
        "brand": brand,
        "timezone": timezone,
        "days": ordered,
        "first_day": ordered[0],
        "last_day": ordered[-1],
    }
    with transaction(con):
        con.execute(
            "delete from brand_daily where brand = $brand and list_contains($days, day)",
            {"brand": brand, "days": ordered},
        )
        con.execute(f"insert into brand_daily by name {mart_sql(sql_dir, 'brand_daily')}", params)
        con.execute(
            "delete from brand_daily_categories where brand = $brand and list_contains($days, day)",
            {"brand": brand, "days": ordered},
        )
        con.execute(
            "insert into brand_daily_categories by name "
            + mart_sql(sql_dir, "brand_daily_categories"),
            {k: v for k, v in params.items() if k != "timezone"},
        )
    return len(ordered)
