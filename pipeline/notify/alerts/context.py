"""What an incident's alert shows, read from the warehouse: per metric the figures (worst
hour, total excess, flagged hours) and the chart's series with the detector's baseline and
band; the top posts by reach, the complaint categories and the terms driving it; the link
to the latest report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from pipeline import timeutil
from pipeline.config.model import BrandConfig
from pipeline.detect import hourly, options
from pipeline.notify.alerts.incident import Incident
from pipeline.notify.alerts.options import AlertConfig
from pipeline.notify.terms import rising_terms
from pipeline.settings import Settings
from pipeline.timeutil import HOUR
from pipeline.warehouse.sqlfiles import read_sql

#: Days of hourly points shown before an incident starts: the same hours the days before.
ALERT_CHART_DAYS_BEFORE = 2
#: Hours shown after an incident's last flagged hour (when stored): how it calmed down.
ALERT_CHART_HOURS_AFTER = 6


@dataclass(frozen=True)
class MetricFigures:
    """One metric of an incident: its flagged hours summed up."""

    metric: str
    severity: str
    started_at: datetime
    last_hour: datetime
    ended_at: datetime | None
    flagged_hours: int
    #: The worst hour: the largest observed minus expected (the biggest jump).
    worst_hour: datetime
    worst_observed: float
    worst_expected: float
    #: The flagged hour with the largest observed value (may differ from the worst).
    busiest_hour: datetime
    busiest_observed: float
    #: Over expected, summed over the flagged hours: complaints or posts; for the share of
    #: negative posts, the negative posts above the expected share of each hour's posts.
    excess: float


@dataclass(frozen=True)
class MetricSeries:
    """A metric's chart: hourly values (UTC hours) with the detector's baseline and band."""

    metric: str
    hours: list[datetime]
    values: list[float | None]
    expected: list[float | None]
    low: list[float | None]
    high: list[float | None]
    flagged: list[datetime]


@dataclass(frozen=True)
class AlertContext:
    """What an alert email shows besides the incident's spikes (read from the warehouse)."""

    figures: list[MetricFigures]  # in the incident's metric order
    series: list[MetricSeries]
    posts: list[tuple[str, int, str, str | None, datetime]]  # handle, followers, text, url, at
    categories: list[tuple[str, int, float | None]]  # category, in incident, baseline share
    terms: list[tuple[str, int]]
    report_link: str | None  # the latest report under report_base_url, or None


def _query(settings: Settings, name: str) -> str:
    """The SQL of ``sql/queries/alerts/<name>.sql`` (the posts counting toward a metric:
    complaints, negative posts, or any for volume, chosen by the ``$metric`` parameter)."""
    return read_sql(settings.sql, f"queries/alerts/{name}")


def _metric_value(metric: str, row: Sequence[Any]) -> float | None:
    posts, negative, complaints = row
    if metric == "complaints":
        return float(complaints)
    if metric == "volume":
        return float(posts)
    return None if not posts else negative / posts


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _figures(
    incident: Incident,
    flagged: dict[str, list[tuple[datetime, float, float]]],
    posts_at: dict[datetime, int],
) -> list[MetricFigures]:
    """Per metric of ``incident`` (its spikes of that metric together), its figures."""
    out = []
    for metric in incident.metrics:
        spikes = [s for s in incident.spikes if s.metric == metric]
        hours = sorted(
            h
            for s in spikes
            for h in flagged.get(s.spike_id) or [(s.peak_hour, s.observed, s.expected)]
        )
        worst = max(hours, key=lambda h: (h[1] - h[2], -h[0].timestamp()))
        busiest = max(hours, key=lambda h: (h[1], -h[0].timestamp()))
        if metric == "negative_share":
            excess = sum((obs - exp) * posts_at.get(hour, 0) for hour, obs, exp in hours)
        else:
            excess = sum(obs - exp for _, obs, exp in hours)
        ends = [s.ended_at for s in spikes]
        out.append(
            MetricFigures(
                metric=metric,
                severity="critical" if any(s.severity == "critical" for s in spikes) else "warning",
                started_at=min(s.started_at for s in spikes),
                last_hour=max(s.last_hour for s in spikes),
                ended_at=None if None in ends else max(e for e in ends if e is not None),
                flagged_hours=sum(s.hours for s in spikes),
                worst_hour=worst[0], worst_observed=worst[1], worst_expected=worst[2],
                busiest_hour=busiest[0], busiest_observed=busiest[1], excess=max(excess, 0.0),
            )
        )  # fmt: skip
    return out


def _report_link(settings: Settings, brand: str, config: AlertConfig) -> str | None:
    if config.report_base_url is None:
        return None
    latest = sorted((settings.reports / brand).glob("????-??-??.html"))
    return f"{config.report_base_url}/{brand}/{latest[-1].name}" if latest else None


def gather_context(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    brand: BrandConfig,
    incident: Incident,
    config: AlertConfig,
) -> AlertContext:
    end = incident.last_hour + HOUR
    chart_start = incident.started_at - timedelta(days=ALERT_CHART_DAYS_BEFORE)
    chart_end = end + ALERT_CHART_HOURS_AFTER * HOUR
    history = con.execute(
        "select hour, posts, negative, complaints from brand_hourly"
        " where brand = ? and hour < ? order by hour",
        [brand.id, timeutil.naive_utc(chart_end)],
    ).fetchall()
    points = [hourly.HourPoint(_aware(r[0]), r[1], r[2], r[3]) for r in history]
    # The detector's baseline, as it judged each hour: the same whole-history replay as
    # pipeline.detect.store.detect_brand.
    spike_config = options.SpikeConfig.from_overrides(
        brand.overrides.get("spikes"), f"brand {brand.id}: overrides.spikes"
    )
    verdicts = hourly.judge_hours(points, spike_config, brand=brand.id, start=chart_start)
    base = {(b.metric, b.hour): b for b in verdicts.baselines}
    shown = [p for p in points if p.hour >= chart_start]
    rows = con.execute(
        "select spike_id, hour, observed, expected from spike_hours"
        " where list_contains(?, spike_id) order by hour",
        [list(incident.spike_ids)],
    ).fetchall()
    flagged: dict[str, list[tuple[datetime, float, float]]] = {}
    for sid, hour, obs, exp in rows:
        flagged.setdefault(sid, []).append((_aware(hour), float(obs), float(exp)))
    posts_at = {p.hour: p.posts for p in points if p.hour >= incident.started_at}
    series = []
    for metric in incident.metrics:
        marks = [h for s in incident.spikes if s.metric == metric
                 for h, _, _ in flagged.get(s.spike_id, [])]  # fmt: skip
        baselines = [base.get((metric, p.hour)) for p in shown]
        series.append(
            MetricSeries(
                metric=metric,
                hours=[p.hour for p in shown],
                values=[_metric_value(metric, (p.posts, p.negative, p.complaints)) for p in shown],
                expected=[None if b is None else b.expected for b in baselines],
                low=[None if b is None else b.low for b in baselines],
                high=[None if b is None else b.high for b in baselines],
                flagged=sorted(marks),
            )
        )
    started = timeutil.naive_utc(incident.started_at)
    span: dict[str, object] = {"brand": brand.id, "start": started, "end": timeutil.naive_utc(end)}
    week_before: dict[str, object] = {
        "brand": brand.id, "start": started - timedelta(days=7), "end": started,
    }  # fmt: skip
    counted: dict[str, object] = {"metric": incident.lead.metric}
    posts = con.execute(_query(settings, "top_posts"), span | counted).fetchall()
    categories = con.execute(
        _query(settings, "categories"), span | {"baseline_start": week_before["start"]}
    ).fetchall()
    texts_sql = _query(settings, "texts")
    texts = [r[0] for r in con.execute(texts_sql, span | counted).fetchall()]
    baseline_texts = [r[0] for r in con.execute(texts_sql, week_before | counted).fetchall()]
    return AlertContext(
        figures=_figures(incident, flagged, posts_at),
        series=series,
        posts=[(r[0], int(r[1]), r[2], r[3], r[4]) for r in posts],
        categories=[(r[0], int(r[1]), r[2]) for r in categories],
        terms=rising_terms(texts, baseline_texts),
        report_link=_report_link(settings, brand.id, config),
    )
