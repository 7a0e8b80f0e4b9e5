"""The daily complaint report's figures, read from the warehouse.

Every number the report shows is a value of a warehouse table or of a SQL aggregation over
the analyst contract's tables (``brand_daily``, ``brand_hourly``, ``brand_daily_categories``,
``spikes``, ``spike_hours``, ``alerts``, ``complaint_responses``, ``posts``), run here with
parameters only. Python only formats them (:mod:`pipeline.notify.report.render`).

A report covers one brand's local calendar day (``day``) and is judged **as of** the
moment it is due: the next day at the brand's ``report.local_time``. A complaint counts as
answered when the brand's first reply was posted before that moment, so rendering a day
again later gives the same figures over the same posts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb

from pipeline.config.model import BrandConfig
from pipeline.notify.report.options import BACKLOG_DAYS, ReportOptions

#: Days of history the headline compares the report day with (the issue's "previous 28
#: days": four whole weeks, so every weekday weighs the same).
BASELINE_DAYS = 28
#: Days of the complaints-and-negative-share chart, the report day included.
CHART_DAYS = 30
#: Rows in the overdue list and in the top complaints by reach (the rest are counted).
MAX_OVERDUE_ROWS = 20
MAX_TOP_COMPLAINTS = 10
#: Terms shown per category, and the fewest complaints a term must appear in to be shown
#: (a word in one post is that post, not a pattern).
TERMS_PER_CATEGORY = 6
MIN_TERM_POSTS = 2
#: Spike metrics drawn on the 30-day chart (pipeline/detect/counts.py names them).
CHART_SPIKE_METRICS = ("complaints", "negative_share")

#: Words that say nothing about what went wrong: the English stop words of NLTK's list
#: (nltk.corpus.stopwords 'english'), the Spanish ones our demo brands meet most, and
#: social-media filler. Terms are also stripped of the brand's own names and handles.
_STOP_WORDS_TEXT = """
    a about above after again against ain all am an and any are aren aren't as at be because
    been before being below between both but by can couldn couldn't d did didn didn't do does
    doesn doesn't doing don don't down during each few for from further had hadn hadn't has
    hasn hasn't have haven haven't having he her here hers herself him himself his how i if in
    into is isn isn't it it's its itself just ll m ma me mightn mightn't more most mustn
    mustn't my myself needn needn't no nor not now o of off on once only or other our ours
    ourselves out over own re s same shan shan't she she's should should've shouldn shouldn't
    so some such t than that that'll the their theirs them themselves then there these they
    this those through to too under until up ve very was wasn wasn't we were weren weren't
    what when where which while who whom why will with won won't wouldn wouldn't y you you'd
    you'll you're you've your yours yourself yourselves
    i'm i've i'd i'll we're we've they're they've can't cant dont im ive get got still even
    again also one really yet already just like would could us via amp lol omg pls please
    thanks thank today yesterday day days hours hour now time
    de la que el en y los del se las por un para con una su al lo como más pero sus le ya o
    este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde
    todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos
    qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella
    estar estas algunas algo nosotros mi mis tú te ti tu tus es son está no hoy
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


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

    def get(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)


@dataclass(frozen=True)
class DayPoint:
    day: date
    posts: int
    complaints: int
    negative_share: float | None


@dataclass(frozen=True)
class HourPoint:
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
    posts: int  # complaints of that category containing the term


@dataclass(frozen=True)
class AlertRow:
    kind: str
    severity: str
    recipient: str
    channel: str
    status: str
    sent_at: datetime | None


@dataclass(frozen=True)
class SpikeRow:
    spike_id: str
    metric: str
    started_at: datetime
    ended_at: datetime | None
    peak_hour: datetime
    observed: float
    expected: float
    score: float
    severity: str
    hours: int
    alerts: tuple[AlertRow, ...]


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


@dataclass(frozen=True)
class ReportData:
    window: ReportWindow
    headline: Headline
    days: tuple[DayPoint, ...]
    spike_days: tuple[date, ...]
    hours: tuple[HourPoint, ...]
    categories: tuple[CategoryRow, ...]
    terms: tuple[TermRow, ...]
    spikes: tuple[SpikeRow, ...]
    responses: Responses
    overdue_total: int
    overdue: tuple[ComplaintRow, ...]
    top_complaints: tuple[ComplaintRow, ...]
    complaints: tuple[ComplaintRow, ...]  # all of the day's, oldest first (the CSV)


_HEADLINE_SQL = """
with today as (
    select posts, complaints, complaint_share, negative_share, mean_compound,
           complaint_reach, brand_replies
    from brand_daily
    where brand = $brand and day = $day
),

base as (
    select
        count(*) as days,
        avg(posts) as posts,
        avg(complaints) as complaints,
        sum(complaints) / nullif(sum(posts), 0) as complaint_share,
        sum(negative) / nullif(sum(posts), 0) as negative_share,
        sum(mean_compound * posts) / nullif(sum(posts), 0) as mean_compound
    from brand_daily
    where brand = $brand and day >= $base_first and day < $day
)

select
    (select count(*) from today) as loaded,
    b.days,
    t.posts, b.posts, (t.posts - b.posts) / nullif(b.posts, 0),
    t.complaints, b.complaints, (t.complaints - b.complaints) / nullif(b.complaints, 0),
    t.complaint_share, b.complaint_share, t.complaint_share - b.complaint_share,
    t.negative_share, b.negative_share, t.negative_share - b.negative_share,
    t.mean_compound, b.mean_compound, t.mean_compound - b.mean_compound,
    coalesce(t.complaint_reach, 0), coalesce(t.brand_replies, 0)
from base as b
left join today as t on true
"""

_DAYS_SQL = """
select day, posts, complaints, negative_share
from brand_daily
where brand = $brand and day >= $first and day <= $day
order by day
"""

_SPIKE_DAYS_SQL = """
select distinct timezone($tz, hour::timestamptz)::date as day
from spike_hours
where brand = $brand and list_contains($metrics, metric) and hour >= $lo and hour < $hi
order by day
"""

_HOURS_SQL = """
select timezone($tz, hour::timestamptz) as local_hour, complaints
from brand_hourly
where brand = $brand and hour >= $lo and hour < $hi
order by hour
"""

_CATEGORIES_SQL = """
select category, complaints, complaint_reach, share
from brand_daily_categories
where brand = $brand and day = $day
order by complaints desc, category
"""

_SPIKES_SQL = """
select spike_id, metric, started_at, ended_at, peak_hour, observed, expected, score,
       severity, hours
from spikes
where brand = $brand
  and started_at < $hi
  and coalesce(ended_at, last_hour + interval 1 hour) > $lo
order by started_at, metric, spike_id
"""

_ALERTS_SQL = """
select spike_id, kind, severity, recipient, channel, status, sent_at
from alerts
where brand = $brand and list_contains($spikes, spike_id)
order by claimed_at, spike_id, recipient
"""

_RESPONSES_SQL = """
with judged as (
    select
        response_seconds,
        first_reply_at is not null and first_reply_at < $as_of as answered
    from complaint_responses
    where brand = $brand and brand_day = $day
)

select
    count(*) as complaints,
    count(*) filter (where answered) as answered,
    count(*) filter (where answered) / nullif(count(*), 0) as answered_share,
    count(*) filter (where answered and response_seconds <= $sla_s) as within_sla,
    count(*) filter (where answered and response_seconds <= $sla_s) / nullif(count(*), 0),
    quantile_cont(response_seconds, 0.5) filter (where answered) as median_seconds,
    quantile_cont(response_seconds, 0.9) filter (where answered) as p90_seconds
from judged
"""

_COMPLAINT_COLUMNS = """
    r.source,
    r.post_id,
    r.created_at,
    r.author_handle,
    r.author_followers,
    r.complaint_category,
    r.url,
    p.text,
    r.complaint_score,
    p.compound,
    coalesce(r.first_reply_at < $as_of, false) as answered,
    case when r.first_reply_at < $as_of then r.first_reply_at end as first_reply_at,
    case when r.first_reply_at < $as_of then r.response_seconds end as response_seconds,
    date_diff('second', r.created_at, $as_of::timestamp) as age_seconds
from complaint_responses as r
inner join posts as p
    on p.source = r.source and p.brand = r.brand and p.post_id = r.post_id
"""

_OVERDUE_WHERE = """
where r.brand = $brand
  and r.created_at >= $backlog_start
  and r.created_at <= $overdue_before
  and (r.first_reply_at is null or r.first_reply_at >= $as_of)
"""

_OVERDUE_COUNT_SQL = f"select count(*) from complaint_responses as r {_OVERDUE_WHERE}"  # noqa: S608

_OVERDUE_SQL = f"""
select {_COMPLAINT_COLUMNS}
{_OVERDUE_WHERE}
order by r.brand_day, r.author_followers desc, r.created_at, r.post_id
limit $limit
"""

_TOP_SQL = f"""
select {_COMPLAINT_COLUMNS}
where r.brand = $brand and r.brand_day = $day
order by r.author_followers desc, r.created_at, r.post_id
limit $limit
"""

_DAY_COMPLAINTS_SQL = f"""
select {_COMPLAINT_COLUMNS}
where r.brand = $brand and r.brand_day = $day
order by r.created_at, r.source, r.post_id
"""

#: Terms per category: the words of the day's complaints (links, @handles and #tags removed),
#: counted once per complaint, stop words and the brand's own names left out.
_TERMS_SQL = """
with docs as (
    select
        source,
        post_id,
        complaint_category as category,
        regexp_replace(lower(text), '(https?://\\S+|www\\.\\S+|[@#]\\S+)', ' ', 'g') as body
    from posts
    where brand = $brand
      and brand_day = $day
      and kind = 'original'
      and is_complaint
      and complaint_category is not null
),

words as (
    select distinct category, source, post_id, term
    from (
        select category, source, post_id,
               unnest(regexp_extract_all(body, '\\p{L}[\\p{L}''’]*\\p{L}')) as term
        from docs
    )
),

counted as (
    select category, replace(term, '’', '''') as term, count(*) as posts
    from words
    where length(term) >= 3
      and not list_contains($stop, replace(term, '’', ''''))
    group by all
),

ranked as (
    select
        category,
        term,
        posts,
        row_number() over (partition by category order by posts desc, term) as rank
    from counted
    where posts >= $min_posts
)

select category, term, posts
from ranked
where rank <= $per_category
order by category, rank
"""


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, object]
) -> list[tuple[Any, ...]]:
    return con.execute(sql, dict(params)).fetchall()


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


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
    )


def _headline(con: duckdb.DuckDBPyConnection, w: ReportWindow) -> Headline:
    params = {
        "brand": w.brand_id,
        "day": w.day,
        "base_first": w.day - timedelta(days=BASELINE_DAYS),
    }
    row = _rows(con, _HEADLINE_SQL, params)[0]
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
    )


def _spikes(con: duckdb.DuckDBPyConnection, w: ReportWindow) -> tuple[SpikeRow, ...]:
    span = {"brand": w.brand_id, "lo": _naive(w.start), "hi": _naive(w.end)}
    spikes = _rows(con, _SPIKES_SQL, span)
    ids = [r[0] for r in spikes]
    alerts: dict[str, list[AlertRow]] = {}
    if ids:
        for a in _rows(con, _ALERTS_SQL, {"brand": w.brand_id, "spikes": ids}):
            alerts.setdefault(a[0], []).append(AlertRow(*a[1:]))
    return tuple(
        SpikeRow(
            spike_id=r[0],
            metric=r[1],
            started_at=r[2],
            ended_at=r[3],
            peak_hour=r[4],
            observed=float(r[5]),
            expected=float(r[6]),
            score=float(r[7]),
            severity=r[8],
            hours=int(r[9]),
            alerts=tuple(alerts.get(r[0], ())),
        )
        for r in spikes
    )


def _brand_words(brand: BrandConfig) -> list[str]:
    """The brand's own names, handles and search terms, as words (left out of the terms)."""
    import re

    text = " ".join((brand.name, brand.id, *brand.accounts, *brand.terms)).lower()
    return sorted(set(re.findall(r"[^\W\d_]+", text)))


def gather(
    con: duckdb.DuckDBPyConnection, brand: BrandConfig, day: date, options: ReportOptions
) -> ReportData:
    """Read every figure of ``brand``'s report for local ``day`` from the warehouse."""
    w = ReportWindow.of(brand, day, options)
    as_of = _naive(w.as_of)
    day_params = {"brand": w.brand_id, "day": day}
    headline = _headline(con, w)
    days = tuple(
        DayPoint(d, int(p), int(c), None if s is None else float(s))
        for d, p, c, s in _rows(
            con, _DAYS_SQL, {**day_params, "first": day - timedelta(days=CHART_DAYS - 1)}
        )
    )
    chart_lo = datetime.combine(day - timedelta(days=CHART_DAYS - 1), time(), brand.tz)
    spike_days = tuple(
        r[0]
        for r in _rows(
            con,
            _SPIKE_DAYS_SQL,
            {
                "brand": w.brand_id,
                "tz": w.timezone,
                "metrics": list(CHART_SPIKE_METRICS),
                "lo": _naive(chart_lo),
                "hi": _naive(w.end),
            },
        )
    )
    hours = tuple(
        HourPoint(h, int(c))
        for h, c in _rows(
            con,
            _HOURS_SQL,
            {"brand": w.brand_id, "tz": w.timezone, "lo": _naive(w.start), "hi": _naive(w.end)},
        )
    )
    categories = tuple(
        CategoryRow(c, int(n), int(r), float(s))
        for c, n, r, s in _rows(con, _CATEGORIES_SQL, day_params)
    )
    terms = tuple(
        TermRow(c, t, int(n))
        for c, t, n in _rows(
            con,
            _TERMS_SQL,
            {
                **day_params,
                "stop": sorted(STOP_WORDS | set(_brand_words(brand))),
                "min_posts": MIN_TERM_POSTS,
                "per_category": TERMS_PER_CATEGORY,
            },
        )
    )
    r = _rows(con, _RESPONSES_SQL, {**day_params, "as_of": as_of, "sla_s": w.sla_hours * 3600})[0]
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
        "backlog_start": _naive(w.backlog_start),
        "overdue_before": _naive(w.overdue_before),
    }
    count = _rows(con, _OVERDUE_COUNT_SQL, backlog)[0]
    overdue = tuple(
        _complaint(row) for row in _rows(con, _OVERDUE_SQL, {**backlog, "limit": MAX_OVERDUE_ROWS})
    )
    top = tuple(
        _complaint(row)
        for row in _rows(con, _TOP_SQL, {**day_params, "as_of": as_of, "limit": MAX_TOP_COMPLAINTS})
    )
    complaints = tuple(
        _complaint(row) for row in _rows(con, _DAY_COMPLAINTS_SQL, {**day_params, "as_of": as_of})
    )
    return ReportData(
        window=w,
        headline=headline,
        days=days,
        spike_days=spike_days,
        hours=hours,
        categories=categories,
        terms=terms,
        spikes=_spikes(con, w),
        responses=responses,
        overdue_total=int(count[0]),
        overdue=overdue,
        top_complaints=top,
        complaints=complaints,
    )
