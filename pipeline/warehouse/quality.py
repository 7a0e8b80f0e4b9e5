"""The aggregates quality gate: Great Expectations suites over refreshed marts.

:func:`gate_aggregates`, called by :func:`pipeline.steps.aggregation.aggregate`, checks the
``brand_hourly``, ``brand_daily`` and ``brand_daily_categories`` rows a refresh has just
written. A failure puts the rows back as they were before the refresh and raises
:class:`~pipeline.errors.QualityError`, all while the task still holds the warehouse's write
lock, so no analyst ever reads the failed rows (DuckDB lets no other process open the file
meanwhile).

Every suite run, of this gate and of the posts gate (:mod:`pipeline.posts.quality`), is
stored in ``quality_results`` by :func:`store_report` (one row per expectation, see
``sql/migrations/007_quality.sql``). docs/quality.md lists every expectation.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from pipeline.errors import QualityError
from pipeline.posts.expectations import Suite, SuiteReport, log_report, param, unit, validate
from pipeline.timeutil import naive_utc
from pipeline.warehouse import connection, loads

log = logging.getLogger(__name__)

#: ``quality_results.source`` of the aggregate suites (they span every source).
ALL_SOURCES = "*"


def _marts_expectations(gxe: Any, grain: str) -> list[Any]:
    """``brand_hourly`` (``grain`` hour) and ``brand_daily`` (day)."""
    return [
        gxe.ExpectTableRowCountToEqual(value=param("grains")),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["brand", grain]),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="posts", column_B="labelled"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="posts", column_B="complaints", or_equal=True
        ),
        unit(gxe, "negative_share"),
        unit(gxe, "complaint_share"),
        unit(gxe, "negative_reach_share"),
        gxe.ExpectColumnValuesToBeBetween(column="mean_compound", min_value=-1, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="reach", min_value=0),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="reach", column_B="negative_reach", or_equal=True
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="reach", column_B="complaint_reach", or_equal=True
        ),
    ]


def _hourly_expectations(gxe: Any) -> list[Any]:
    return _marts_expectations(gxe, "hour")


def _daily_expectations(gxe: Any) -> list[Any]:
    return [
        *_marts_expectations(gxe, "day"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="complaints", column_B="category_complaints"),
    ]


def _categories_expectations(gxe: Any) -> list[Any]:
    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["brand", "day", "category"]),
        gxe.ExpectColumnValuesToBeBetween(column="complaints", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="complaint_reach", min_value=0),
        unit(gxe, "share"),
    ]


# The aggregate suites (see docs/quality.md for each expectation).
BRAND_HOURLY = Suite("brand_hourly", _hourly_expectations)
BRAND_DAILY = Suite("brand_daily", _daily_expectations)
BRAND_DAILY_CATEGORIES = Suite("brand_daily_categories", _categories_expectations)


def store_report(con: duckdb.DuckDBPyConnection, report: SuiteReport) -> None:
    """Replace the stored results of this suite on this batch with ``report``."""
    key = [report.suite, report.source, report.brand, report.batch_id]
    with connection.transaction(con):
        con.execute(
            "delete from quality_results"
            " where suite = ? and source = ? and brand = ? and batch_id = ?",
            key,
        )
        loads.insert_values(
            con,
            "quality_results",
            [
                [
                    *key,
                    o.expectation,
                    o.success,
                    o.element_count,
                    o.unexpected_count,
                    json.dumps(o.details, default=str, ensure_ascii=False, sort_keys=True),
                    report.checked_at,
                ]
                for o in report.outcomes
            ],
        )


# --------------------------------------------------------------------------------------
# Posts


@dataclass(frozen=True)
class AggregateRows:
    """The aggregate rows of one brand for some hours and days, as stored at one moment."""

    brand: str
    hours: tuple[datetime, ...]  # naive UTC hour starts
    days: tuple[date, ...]
    hourly: pd.DataFrame
    daily: pd.DataFrame
    categories: pd.DataFrame


def read_aggregates(
    con: duckdb.DuckDBPyConnection, brand: str, hours: Sequence[datetime], days: Sequence[date]
) -> AggregateRows:
    """``brand``'s rows of ``brand_hourly`` for ``hours`` and of ``brand_daily`` and
    ``brand_daily_categories`` for ``days``."""
    stamps = tuple(sorted({naive_utc(h) for h in hours}))
    ordered = tuple(sorted(set(days)))

    def rows(table: str, column: str, keys: Sequence[object], order: str) -> pd.DataFrame:
        # Table and column names are ours, never user input.
        return con.execute(
            f"select * from {table} where brand = ? and list_contains(?, {column})"  # noqa: S608
            f" order by {order}",
            [brand, list(keys)],
        ).df()

    return AggregateRows(
        brand=brand,
        hours=stamps,
        days=ordered,
        hourly=rows("brand_hourly", "hour", stamps, "hour"),
        daily=rows("brand_daily", "day", ordered, "day"),
        categories=rows("brand_daily_categories", "day", ordered, "day, category"),
    )


def restore_aggregates(con: duckdb.DuckDBPyConnection, before: AggregateRows) -> None:
    """Put ``before``'s hours and days back exactly as they were (one transaction)."""
    tables = (
        ("brand_hourly", "hour", list(before.hours), before.hourly),
        ("brand_daily", "day", list(before.days), before.daily),
        ("brand_daily_categories", "day", list(before.days), before.categories),
    )
    with connection.transaction(con):
        for table, column, keys, frame in tables:
            con.execute(
                f"delete from {table} where brand = ? and list_contains(?, {column})",  # noqa: S608
                [before.brand, keys],
            )
            loads.insert_frame(con, table, frame)


def check_aggregates(rows: AggregateRows, *, batch_id: str) -> list[SuiteReport]:
    """Run the aggregate suites over freshly refreshed rows (empty tables are skipped)."""
    reports = []

    def run(suite: Suite, frame: pd.DataFrame, grains: int | None = None) -> SuiteReport:
        report = validate(
            suite,
            frame,
            source=ALL_SOURCES,
            brand=rows.brand,
            batch_id=batch_id,
            parameters={"grains": grains} if grains is not None else None,
        )
        log_report(log, report)
        return report

    if rows.hours:
        hourly = rows.hourly.assign(
            labelled=rows.hourly["positive"] + rows.hourly["neutral"] + rows.hourly["negative"]
        )
        reports.append(run(BRAND_HOURLY, hourly, len(rows.hours)))
    if rows.days:
        per_day = rows.categories.groupby("day")["complaints"].sum()
        daily = rows.daily.assign(
            labelled=rows.daily["positive"] + rows.daily["neutral"] + rows.daily["negative"],
            category_complaints=rows.daily["day"].map(per_day).fillna(0).astype("int64"),
        )
        reports.append(run(BRAND_DAILY, daily, len(rows.days)))
        if len(rows.categories):
            reports.append(run(BRAND_DAILY_CATEGORIES, rows.categories))
    return reports


def gate_aggregates(
    con: duckdb.DuckDBPyConnection, before: AggregateRows, *, batch_id: str
) -> list[SuiteReport]:
    """Check the rows refreshed since ``before`` was read; on failure, restore and raise.

    Results are stored in every case. ``before`` must come from :func:`read_aggregates`
    on the same connection just before the refresh; the caller holds the write lock
    throughout, so no other process sees the refreshed rows until they have passed.
    """
    after = read_aggregates(con, before.brand, before.hours, before.days)
    reports = check_aggregates(after, batch_id=batch_id)
    for report in reports:
        store_report(con, report)
    failed = [r for r in reports if not r.success]
    if failed:
        restore_aggregates(con, before)
        raise QualityError(
            f"aggregates of brand '{before.brand}' failed their quality suites and were "
            f"rolled back to what was stored before (batch {batch_id}): "
            + "; ".join(r.summary() for r in failed)
            + ". See quality_results for the details."
        )
    return reports
