"""The daily complaint report's figures, read from the warehouse.

Every number the report shows is a value of a warehouse table or of a SQL aggregation over
the analyst contract's tables (``brand_daily``, ``brand_hourly``, ``brand_daily_categories``,
``spikes``, ``spike_hours``, ``alerts``, ``complaint_responses``, ``posts``), run here with
parameters only, from the query files of ``sql/queries/report/``. Python only formats them
(:mod:`pipeline.notify.report.render`), except the terms per category, which
:mod:`pipeline.notify.terms` finds in the complaints' texts: the words of the day's
complaints that stand out against the brand's complaints of the previous
:data:`BASELINE_DAYS` days (weighted log-odds with an informative Dirichlet prior).

A report covers one brand's local calendar day (``day``) and is judged **as of** the
moment it is due: the next day at the brand's ``report.local_time``. A complaint counts as
answered when the brand's first reply was posted before that moment, so rendering a day
again later gives the same figures over the same posts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipeline.config.model import BrandConfig
from pipeline.detect.store import Spike
from pipeline.notify.report.options import BACKLOG_DAYS, ReportOptions
from pipeline.notify.terms import STOP_WORDS, brand_words, terms_by_category
from pipeline.timeutil import naive_utc
from pipeline.warehouse.sqlfiles import read_sql

#: Days of history the headline compares the report day with (the issue's "previous 28
#: days": four whole weeks, so every weekday weighs the same).
BASELINE_DAYS = 28
#: Days of the complaints-and-negative-share chart, the report day included.
REPORT_CHART_DAYS = 30
#: Rows in the overdue list and in the top complaints by reach (the rest are counted).
MAX_OVERDUE_ROWS = 20
#: Places of the overdue list kept for the newest breaches (past the SLA for less than a
#: day), so a busy backlog never hides what went past the SLA since the last report.
NEW_BREACH_ROWS = 10
MAX_TOP_COMPLAINTS = 10
#: Terms shown per category, and the fewest complaints a term must appear in to be shown
#: (a word in one post is that post, not a pattern).
TERMS_PER_CATEGORY = 6
MIN_TERM_POSTS = 2
#: Spike metrics drawn on the 30-day chart (pipeline/detect/counts.py names them).
CHART_SPIKE_METRICS = ("complaints", "negative_share")


@dataclass(frozen=True)
class ReportWindow:
    """The times one report is about, all aware UTC datetimes except ``day``."""

    brand_id: str
    brand_name: str
    timezone: str
    day: date
    start: datetime  # the local day's first moment
    end: datetime  # the next local day's first moment
    as_of: datetime  # when the report is due: the next day at report.local_time
    sla_hours: float

    @classmethod
    def of(cls, brand: BrandConfig, day: date, options: ReportOptions) -> ReportWindow:
        tz = brand.tz
        hh, mm = (int(p) for p in brand.report_local_time.split(":"))
        return cls(
            brand_id=brand.id,
            brand_name=brand.name,
            timezone=brand.timezone,
            day=day,
            start=datetime.combine(day, time(), tz).astimezone(UTC),
            end=datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC),
            as_of=datetime.combine(day + timedelta(days=1), time(hh, mm), tz).astimezone(UTC),
            sla_hours=options.sla_hours,
        )

    @property
    def backlog_start(self) -> datetime:
        return self.as_of - timedelta(days=BACKLOG_DAYS)

    @property
    def overdue_before(self) -> datetime:
        """Complaints posted up to this moment and unanswered at ``as_of`` are past the SLA."""
        return self.as_of - timedelta(hours=self.sla_hours)

    def local(self, moment: datetime) -> datetime:
        """A warehouse timestamp (naive UTC) or aware datetime in the brand's time zone."""
        from zoneinfo import ZoneInfo

        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(ZoneInfo(self.timezone))


@dataclass(frozen=True)
class Metric:
    """One headline figure: the day's value, the baseline's, and the change between them."""

    name: str  # posts | complaints | complaint_share | negative_share | mean_compound
    value: float | None
    baseline: float | None
    change: float | None  # relative for counts, absolute for shares and the compound


@dataclass(frozen=True)
class Headline:
    loaded: bool  # brand_daily has a row for the day
    baseline_days: int  # brand_daily rows among the previous BASELINE_DAYS days
    metrics: tuple[Metric, ...]
    complaint_reach: int
    brand_replies: int
    #: Original posts left unscored: in a language without a scorer or not the brand's.
    unscored: int = 0

    def get(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)


@dataclass(frozen=True)
class DayPoint:
    day: date
    posts: int
    complaints: int
    negative_share: float | None


@dataclass(frozen=True)
class ComplaintHour:
    """The report day's complaints in one local hour (not a ``brand_hourly`` row: that is
    :class:`pipeline.detect.hourly.HourPoint`, UTC hours with every count)."""

    local_hour: datetime  # naive, in the brand's time zone
    complaints: int


@dataclass(frozen=True)
class CategoryRow:
    category: str
    complaints: int
    complaint_reach: int
    share: float


@dataclass(frozen=True)
class TermRow:
    category: str
    term: str
    posts: int  # the day's complaints of that category containing the term
    baseline_posts: int = 0  # the same category's complaints of the baseline days using it


@dataclass(frozen=True)
class AlertRow:
    kind: str
    severity: str
    recipient: str
    channel: str
    status: str
    sent_at: datetime | None


@dataclass(frozen=True)
class SpikeWithAlerts(Spike):
    """A stored spike (the store's record) overlapping the report day, and the alerts sent
    about it."""

    alerts: tuple[AlertRow, ...] = ()


@dataclass(frozen=True)
class Responses:
    """How the brand answered the day's complaints, as of the report's moment."""

    complaints: int
    answered: int
    answered_share: float | None
    within_sla: int
    within_sla_share: float | None
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class ComplaintRow:
    """One complaint as listed (text is raw post text: escape it before showing it)."""

    source: str
    post_id: str
    created_at: datetime  # naive UTC
    author_handle: str
    author_followers: int
    category: str | None
    url: str | None
    text: str
    complaint_score: float
    compound: float
    answered: bool  # a brand reply before as_of
    first_reply_at: datetime | None  # naive UTC, only when answered before as_of
    response_seconds: int | None
    age_seconds: int  # as_of - created_at
    past_sla_seconds: int | None = None  # in the overdue list: age minus the SLA
    new_breach: bool = False  # in the overdue list: past the SLA for less than a day


@dataclass(frozen=True)
class ReportData:
    window: ReportWindow
    headline: Headline
    days: tuple[DayPoint, ...]
    spike_days: tuple[date, ...]
    hours: tuple[ComplaintHour, ...]
    categories: tuple[CategoryRow, ...]
    terms: tuple[TermRow, ...]
    term_baseline_posts: int  # the baseline complaints the terms were compared with
    spikes: tuple[SpikeWithAlerts, ...]
    responses: Responses
    overdue_total: int
    overdue_new: int  # of overdue_total: past the SLA for less than a day
    backlog_loaded_days: int  # local days of the backlog window with figures (brand_daily)
    overdue: tuple[ComplaintRow, ...]
    top_complaints: tuple[ComplaintRow, ...]
    complaints: tuple[ComplaintRow, ...]  # all of the day's, oldest first (the CSV)


def _rows(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, query: str, params: Mapping[str, object]
) -> list[tuple[Any, ...]]:
    """The rows of ``sql_dir/queries/report/<query>.sql`` with these parameters."""
    return con.execute(read_sql(sql_dir, f"queries/report/{query}"), dict(params)).fetchall()


def _complaint(row: Sequence[Any]) -> ComplaintRow:
    return ComplaintRow(
        source=row[0],
        post_id=row[1],
        created_at=row[2],
        author_handle=row[3],
        author_followers=int(row[4]),
        category=row[5],
        url=row[6],
        text=row[7],
        complaint_score=float(row[8]),
        compound=float(row[9]),
        answered=bool(row[10]),
        first_reply_at=row[11],
        response_seconds=None if row[12] is None else int(row[12]),
        age_seconds=int(row[13]),
        past_sla_seconds=int(row[14]) if len(row) > 14 else None,
        new_breach=bool(row[15]) if len(row) > 15 else False,
    )


def _headline(con: duckdb.DuckDBPyConnection, sql_dir: Path, w: ReportWindow) -> Headline:
    params = {
        "brand": w.brand_id,
        "day": w.day,
        "base_first": w.day - timedelta(days=BASELINE_DAYS),
    }
    row = _rows(con, sql_dir, "headline", params)[0]
    names = ("posts", "complaints", "complaint_share", "negative_share", "mean_compound")
    metrics = tuple(
        Metric(name, *(None if v is None else float(v) for v in row[2 + 3 * i : 5 + 3 * i]))
        for i, name in enumerate(names)
    )
    return Headline(
        loaded=bool(row[0]),
        baseline_days=int(row[1]),
        metrics=metrics,
        complaint_reach=int(row[17]),
        brand_replies=int(row[18]),
        unscored=int(row[19]),
    )


def _spikes(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, w: ReportWindow
) -> tuple[SpikeWithAlerts, ...]:
    span = {"brand": w.brand_id, "lo": naive_utc(w.start), "hi": naive_utc(w.end)}
    spikes = _rows(con, sql_dir, "spikes", span)
    ids = [r[0] for r in spikes]
    alerts: dict[str, list[AlertRow]] = {}
    if ids:
        for a in _rows(con, sql_dir, "alerts", {"brand": w.brand_id, "spikes": ids}):
            alerts.setdefault(a[0], []).append(AlertRow(*a[1:]))
    names = [f.name for f in fields(Spike)]
    return tuple(
        replace(SpikeWithAlerts.from_row(names, r), alerts=tuple(alerts.get(r[0], ())))
        for r in spikes
    )


def gather(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    brand: BrandConfig,
    day: date,
    options: ReportOptions,
) -> ReportData:
    """Read every figure of ``brand``'s report for local ``day`` from the warehouse, with the
    queries of ``sql_dir/queries/report/``."""
    w = ReportWindow.of(brand, day, options)
    as_of = naive_utc(w.as_of)
    day_params = {"brand": w.brand_id, "day": day}
    headline = _headline(con, sql_dir, w)
    chart_first = day - timedelta(days=REPORT_CHART_DAYS - 1)
    days = tuple(
        DayPoint(d, int(p), int(c), None if s is None else float(s))
        for d, p, c, s in _rows(con, sql_dir, "days", {**day_params, "first": chart_first})
    )
    chart_lo = datetime.combine(chart_first, time(), brand.tz)
    spike_days = tuple(
        r[0]
        for r in _rows(
            con,
            sql_dir,
            "spike_days",
            {
                "brand": w.brand_id,
                "tz": w.timezone,
                "metrics": list(CHART_SPIKE_METRICS),
                "lo": naive_utc(chart_lo),
                "hi": naive_utc(w.end),
            },
        )
    )
    hours = tuple(
        ComplaintHour(h, int(c))
        for h, c in _rows(
            con,
            sql_dir,
            "hours",
            {
                "brand": w.brand_id,
                "tz": w.timezone,
                "lo": naive_utc(w.start),
                "hi": naive_utc(w.end),
            },
        )
    )
    categories = tuple(
        CategoryRow(c, int(n), int(r), float(s))
        for c, n, r, s in _rows(con, sql_dir, "categories", day_params)
    )
    base_first = day - timedelta(days=BASELINE_DAYS)
    term_baseline = _rows(con, sql_dir, "term_baseline", {**day_params, "first": base_first})
    terms = tuple(
        TermRow(c, k.term, k.posts, k.baseline_posts)
        for c, k in terms_by_category(
            _rows(con, sql_dir, "term_posts", day_params),
            term_baseline,
            stop=STOP_WORDS | brand_words(brand),
            min_posts=MIN_TERM_POSTS,
            per_category=TERMS_PER_CATEGORY,
        )
    )
    r = _rows(
        con, sql_dir, "responses", {**day_params, "as_of": as_of, "sla_s": w.sla_hours * 3600}
    )[0]
    responses = Responses(
        complaints=int(r[0]),
        answered=int(r[1]),
        answered_share=r[2],
        within_sla=int(r[3]),
        within_sla_share=r[4],
        median_seconds=r[5],
        p90_seconds=r[6],
    )
    backlog = {
        "brand": w.brand_id,
        "as_of": as_of,
        "backlog_start": naive_utc(w.backlog_start),
        "overdue_before": naive_utc(w.overdue_before),
        "sla_s": round(w.sla_hours * 3600),
    }
    backlog_days = {"first_day": day - timedelta(days=BACKLOG_DAYS - 1), "day": day}
    count = _rows(con, sql_dir, "overdue_count", {**backlog, **backlog_days})[0]
    listed = {**backlog, "limit": MAX_OVERDUE_ROWS, "new_limit": NEW_BREACH_ROWS}
    overdue = tuple(_complaint(row) for row in _rows(con, sql_dir, "overdue", listed))
    complaints = tuple(
        _complaint(row)
        for row in _rows(con, sql_dir, "day_complaints", {**day_params, "as_of": as_of})
    )
    # The most reach first; ties: the older complaint, then the post id.
    top = tuple(
        sorted(complaints, key=lambda c: (-c.author_followers, c.created_at, c.post_id))[
            :MAX_TOP_COMPLAINTS
        ]
    )
    return ReportData(
        window=w,
        headline=headline,
        days=days,
        spike_days=spike_days,
        hours=hours,
        categories=categories,
        terms=terms,
        term_baseline_posts=len(term_baseline),
        spikes=_spikes(con, sql_dir, w),
        responses=responses,
        overdue_total=int(count[0]),
        overdue_new=int(count[1]),
        backlog_loaded_days=int(count[2]),
        overdue=overdue,
        top_complaints=top,
        complaints=complaints,
    )
