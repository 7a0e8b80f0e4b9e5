"""What an alert shows besides the spike itself, read from the warehouse: the chart's
series, the top posts by reach, the complaint categories and the terms driving it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from pipeline import timeutil
from pipeline.detect.store import Spike
from pipeline.notify.terms import rising_terms
from pipeline.settings import Settings
from pipeline.timeutil import HOUR
from pipeline.warehouse.sqlfiles import read_sql

#: Days of hourly points in an alert's chart.
ALERT_CHART_DAYS = 7


@dataclass(frozen=True)
class AlertContext:
    """What an alert email shows besides the spike itself (read from the warehouse)."""

    hours: list[datetime]
    values: list[float | None]
    marked: list[datetime]
    latest_observed: float
    latest_expected: float
    posts: list[tuple[str, int, str, str | None, datetime]]  # handle, followers, text, url, at
    categories: list[tuple[str, int, float | None]]  # category, in spike, baseline share
    terms: list[tuple[str, int]]
    report_hint: str


def _query(settings: Settings, name: str) -> str:
    """The SQL of ``sql/queries/alerts/<name>.sql`` (the posts counting toward a spike's metric:
    complaints, negative posts, or any for volume, chosen by the ``$metric`` parameter)."""
    return read_sql(settings.sql, f"queries/alerts/{name}")


def _metric_value(metric: str, row: Sequence[Any]) -> float | None:
    posts, negative, complaints = row
    if metric == "complaints":
        return float(complaints)
    if metric == "volume":
        return float(posts)
    return None if not posts else negative / posts


def gather_context(
    con: duckdb.DuckDBPyConnection, settings: Settings, spike: Spike
) -> AlertContext:
    end = spike.last_hour + HOUR
    chart_start = end - timedelta(days=ALERT_CHART_DAYS)
    rows = con.execute(
        "select hour, posts, negative, complaints from brand_hourly"
        " where brand = ? and hour >= ? and hour < ? order by hour",
        [spike.brand, timeutil.naive_utc(chart_start), timeutil.naive_utc(end)],
    ).fetchall()
    hours = [r[0] for r in rows]
    values = [_metric_value(spike.metric, r[1:]) for r in rows]
    flagged = con.execute(
        "select hour, observed, expected from spike_hours where spike_id = ? order by hour",
        [spike.spike_id],
    ).fetchall()
    marked = [r[0] for r in flagged]
    latest_observed, latest_expected = (flagged[-1][1], flagged[-1][2]) if flagged else (0, 0)
    started = timeutil.naive_utc(spike.started_at)
    spike_span = {"brand": spike.brand, "start": started, "end": timeutil.naive_utc(end)}
    week_before = {"brand": spike.brand, "start": started - timedelta(days=7), "end": started}
    metric = {"metric": spike.metric}
    posts = con.execute(_query(settings, "top_posts"), spike_span | metric).fetchall()
    categories = con.execute(
        _query(settings, "categories"), spike_span | {"baseline_start": week_before["start"]}
    ).fetchall()
    texts_sql = _query(settings, "texts")
    texts = [r[0] for r in con.execute(texts_sql, spike_span | metric).fetchall()]
    baseline_texts = [r[0] for r in con.execute(texts_sql, week_before | metric).fetchall()]
    latest = sorted((settings.reports / spike.brand).glob("*.html"))
    hint = (
        str(latest[-1])
        if latest
        else f"brandpulse report --brand {spike.brand} --date <day> (no report archived yet)"
    )
    return AlertContext(
        hours=hours,
        values=values,
        marked=marked,
        latest_observed=float(latest_observed),
        latest_expected=float(latest_expected),
        posts=[(r[0], int(r[1]), r[2], r[3], r[4]) for r in posts],
        categories=[(r[0], int(r[1]), r[2]) for r in categories],
        terms=rising_terms(texts, baseline_texts),
        report_hint=hint,
    )
