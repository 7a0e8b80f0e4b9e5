"""Spikes into the warehouse, and alert emails that arrive once.

:func:`detect` judges a brand's stored hours with :mod:`pipeline.detect.engine` (causally: each
hour on the hours before it) and stores what it flags: ``spike_hours`` (every flagged hour)
and ``spikes`` (one row per episode). Re-deriving a range gives the same rows.

:func:`send_alerts` decides, per spike and recipient, which emails are due and delivers each
exactly once through an idempotent ledger (``alerts``):

1. the delivery is *claimed*: a row with status ``sending`` is committed first;
2. the email is handed to SMTP (or written to the outbox);
3. the row is marked ``sent``.

A rerun skips ``sent`` rows. A row found ``sending`` means a crash between 2 and 3: the
email is sent again with the same Message-ID (mail clients show it once), ``attempts``
counts it and the log says so, so a duplicate is never silent and an alert is never lost.

What is due for a spike (per recipient): an ``opened`` alert at its severity when first
seen; an ``escalated`` alert when its severity later rises above what was alerted (an
ongoing spike re-alerts only then: that is the cooldown); a ``recovered`` note when the
episode has ended (no flagged hour for ``recovery_hours`` stored hours), unless the
spike had already ended when it was first alerted (the opening email says so).
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from pipeline import timeutil
from pipeline.config.brands import BrandConfig, load_brands
from pipeline.detect import engine
from pipeline.notify import charts, mailer
from pipeline.notify.alerts.options import SEVERITY_RANK, AlertConfig
from pipeline.notify.report.render import clean
from pipeline.settings import Settings
from pipeline.warehouse import connection

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
#: Version of the detector defaults and of the episode rules, stored with every spike.
DETECTOR_VERSION = "spikes-1"
METRIC_LABEL = {
    "complaints": "complaints",
    "negative_share": "negative share",
    "volume": "post volume",
}
#: Hours of the chart in an alert email.
CHART_DAYS = 7
_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}", re.UNICODE)
_STOPWORDS = frozenset(
    """the and for you your with this that have has was were are but not our out all
    just can cant can't don't dont get got from they them what when will would there their
    been had how why who which about into than then its it's i'm im i've ive me my mine
    his her she him he we us a an to of in on at is it be so or as if no yes do did does
    any some one two more most very really still again now today yesterday hours hour day
    days week http https www com amp via rt""".split()  # noqa: SIM905 - reads better as text
)


# ------------------------------------------------------------------------------------
# Configuration
# ------------------------------------------------------------------------------------


def brand_settings(
    brand: BrandConfig, file: str = "brands"
) -> tuple[engine.SpikeConfig, AlertConfig]:
    """The brand's detector thresholds and alert settings, validated."""
    where = f"{file}: brand {brand.id}: overrides"
    return (
        engine.SpikeConfig.from_overrides(brand.overrides.get("spikes"), f"{where}.spikes"),
        AlertConfig.from_overrides(brand.overrides.get("alerts"), f"{where}.alerts"),
    )


# ------------------------------------------------------------------------------------
# Detection and storage
# ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DetectResult:
    brand: str
    hours: int  # stored hours judged
    flagged: int  # flagged metric-hours
    spike_ids: tuple[str, ...]  # episodes touching the judged hours


def spike_id(brand: str, metric: str, started_at: datetime) -> str:
    return f"{brand}:{metric}:{started_at.astimezone(UTC):%Y-%m-%dT%H:00Z}"


def _stored_hours(
    con: duckdb.DuckDBPyConnection, brand: str, start: datetime, end: datetime
) -> list[engine.HourPoint]:
    rows = con.execute(
        "select hour, posts, negative, complaints from brand_hourly"
        " where brand = ? and hour >= ? and hour < ? order by hour",
        [brand, timeutil.naive_utc(start), timeutil.naive_utc(end)],
    ).fetchall()
    return [engine.HourPoint(r[0].replace(tzinfo=UTC), r[1], r[2], r[3]) for r in rows]


def _rebuild_spikes(con: duckdb.DuckDBPyConnection, brand: str, recovery_hours: int) -> None:
    """``spikes`` rows of ``brand`` from its ``spike_hours`` (small: one row per episode)."""
    con.execute("delete from spikes where brand = ?", [brand])
    con.execute(
        """
        insert into spikes by name
        with through as (
            select max(hour) + interval 1 hour as stored_until
            from brand_hourly where brand = $brand
        ),
        ranked as (
            select *,
                row_number() over (partition by spike_id order by score desc, hour) as peak_rank
            from spike_hours where brand = $brand
        ),
        episodes as (
            select
                spike_id, brand, metric,
                min(hour) as started_at,
                max(hour) as last_hour,
                count(*)::integer as hours,
                max(case severity when 'critical' then 2 else 1 end) as rank
            from spike_hours where brand = $brand
            group by spike_id, brand, metric
        )
        select
            e.spike_id, e.brand, e.metric, e.started_at, e.last_hour,
            case when t.stored_until >= e.last_hour + interval 1 hour
                                         + to_hours($recovery_hours::bigint)
                 then e.last_hour + interval 1 hour end as ended_at,
            p.hour as peak_hour, p.observed, p.expected, p.score,
            case e.rank when 2 then 'critical' else 'warning' end as severity,
            e.hours,
            $version as detector_version
        from episodes as e
        join ranked as p on p.spike_id = e.spike_id and p.peak_rank = 1
        cross join through as t
        """,
        {"brand": brand, "recovery_hours": recovery_hours, "version": DETECTOR_VERSION},
    )


def detect_brand(
    con: duckdb.DuckDBPyConnection,
    brand: BrandConfig,
    start: datetime,
    end: datetime,
) -> DetectResult:
    """Judge ``brand``'s stored hours in ``[start, end)`` and store the flagged ones."""
    spike_config, alert_config = brand_settings(brand)
    # Every verdict is made on the brand's whole stored history (the detector's state
    # depends on where it starts), so judging an hour again always gives the same answer.
    points = _stored_hours(con, brand.id, datetime.min.replace(tzinfo=UTC), end)
    findings = engine.detect_hourly(points, spike_config, brand=brand.id, start=start)
    judged = sum(1 for p in points if p.hour >= start)
    rows = [
        (
            spike_id(brand.id, f.metric, f.started_at),
            brand.id,
            f.metric,
            timeutil.naive_utc(f.hour_start),
            f.observed,
            f.expected,
            f.score,
            f.severity,
        )
        for f in findings
    ]
    with connection.transaction(con):
        con.execute(
            "delete from spike_hours where brand = ? and hour >= ? and hour < ?",
            [brand.id, timeutil.naive_utc(start), timeutil.naive_utc(end)],
        )
        if rows:
            con.executemany("insert into spike_hours values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        _rebuild_spikes(con, brand.id, alert_config.recovery_hours)
    ids = tuple(sorted({r[0] for r in rows}))
    log.info(
        "%s: judged %d stored hours in [%s, %s): %d flagged metric-hours in %d spikes",
        brand.id, judged, start.isoformat(), end.isoformat(), len(rows), len(ids),
    )  # fmt: skip
    return DetectResult(brand.id, judged, len(rows), ids)


def latest_window(
    con: duckdb.DuckDBPyConnection, brand: BrandConfig
) -> tuple[datetime, datetime] | None:
    """The scheduled evaluation's window: the last ``lookback_hours`` stored hours."""
    _, alert_config = brand_settings(brand)
    row = con.execute("select max(hour) from brand_hourly where brand = ?", [brand.id]).fetchone()
    if row is None or row[0] is None:
        return None
    end = row[0].replace(tzinfo=UTC) + HOUR
    return end - alert_config.lookback_hours * HOUR, end


# ------------------------------------------------------------------------------------
# Alert emails
# ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    spike_id: str
    brand: str
    metric: str
    started_at: datetime
    last_hour: datetime
    ended_at: datetime | None
    peak_hour: datetime
    observed: float
    expected: float
    score: float
    severity: str
    hours: int

    @classmethod
    def from_row(cls, names: Sequence[str], row: Sequence[Any]) -> Spike:
        d = dict(zip(names, row, strict=True))
        for k in ("started_at", "last_hour", "ended_at", "peak_hour"):
            if d[k] is not None:
                d[k] = d[k].replace(tzinfo=UTC)
        d.pop("detector_version", None)
        return cls(**d)


@dataclass(frozen=True)
class AlertOutcome:
    spike_id: str
    kind: str
    severity: str
    recipient: str
    status: str  # sent | skipped (already sent) | resent (after a crash) | failed
    channel: str
    where: str = ""


@dataclass
class AlertSummary:
    outcomes: list[AlertOutcome] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(1 for o in self.outcomes if o.status in {"sent", "resent"})

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "failed")


#: Spikes flagged this long before an evaluated window are still looked at (their end, and
#: the recovery note, may fall in the window).
SCOPE_BEFORE = timedelta(hours=24)


def _spikes_in_scope(
    con: duckdb.DuckDBPyConnection, brand: str, start: datetime, end: datetime
) -> list[Spike]:
    """Spikes flagged in ``[start - SCOPE_BEFORE, end)``."""
    cursor = con.execute(
        "select * exclude (detector_version) from spikes"
        " where brand = ? and last_hour >= ? and started_at < ? order by started_at, metric",
        [brand, timeutil.naive_utc(start - SCOPE_BEFORE), timeutil.naive_utc(end)],
    )
    names = [d[0] for d in cursor.description or []]
    return [Spike.from_row(names, r) for r in cursor.fetchall()]


def _ledger(
    con: duckdb.DuckDBPyConnection, spike: str, recipient: str
) -> dict[tuple[str, str], tuple[str, int]]:
    rows = con.execute(
        "select kind, severity, status, attempts from alerts where spike_id = ? and recipient = ?",
        [spike, recipient],
    ).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


#: Ledger statuses that need nothing more: delivered, or a recovery note folded into the
#: opening alert of a spike that had already ended when first seen.
DONE = frozenset({"sent", "included"})


def due_alerts(
    spike: Spike, ledger: Mapping[tuple[str, str], tuple[str, int]], config: AlertConfig
) -> list[tuple[str, str]]:
    """(kind, severity) of the alerts due for ``spike`` to one recipient, in order.

    Already claimed rows (sent, or left ``sending`` by a crash) are returned again only when
    not ``sent``, so the caller resends a crashed delivery with the same Message-ID.
    """
    if spike.metric not in config.metrics:
        return []
    if SEVERITY_RANK[spike.severity] < SEVERITY_RANK[config.min_severity]:
        return []
    due = [key for key, (status, _) in ledger.items() if status not in DONE]
    kinds = {kind for kind, _ in ledger}
    if "opened" not in kinds:
        # First sight. A spike already over gets one email that says so, not two.
        due.append(("opened", spike.severity))
    else:
        alerted = max(SEVERITY_RANK[sev] for kind, sev in ledger if kind != "recovered")
        if alerted < SEVERITY_RANK[spike.severity]:
            due.append(("escalated", spike.severity))
        if spike.ended_at is not None and config.recovery_note and "recovered" not in kinds:
            due.append(("recovered", spike.severity))
    order = {"opened": 0, "escalated": 1, "recovered": 2}
    return sorted(dict.fromkeys(due), key=lambda k: (order[k[0]], SEVERITY_RANK[k[1]]))


def clean_text(text: str, limit: int = 280) -> str:
    """Post text made safe to show (no bidi or invisible controls, one line, capped): the
    same rules as the daily report's (:func:`pipeline.notify.report.render.clean`)."""
    return clean(text, limit)


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


_POST_FILTER = {
    "complaints": "is_complaint",
    "negative_share": "sentiment = 'negative'",
    "volume": "true",
}


def _metric_value(metric: str, row: Sequence[Any]) -> float | None:
    posts, negative, complaints = row
    if metric == "complaints":
        return float(complaints)
    if metric == "volume":
        return float(posts)
    return None if not posts else negative / posts


def _terms(texts: Sequence[str], baseline: Sequence[str], limit: int = 8) -> list[tuple[str, int]]:
    """Words much more frequent in the spike's posts than in the week before."""
    now = Counter(w for t in texts for w in {m.lower() for m in _WORD.findall(t)})
    before = Counter(w for t in baseline for w in {m.lower() for m in _WORD.findall(t)})
    scale = len(texts) / max(1, len(baseline))
    ranked = [
        ((n + 1) / (before[w] * scale + 1), n, w)
        for w, n in now.items()
        if n >= 3 and w not in _STOPWORDS
    ]
    ranked.sort(key=lambda x: (-x[0], -x[1], x[2]))
    return [(w, n) for ratio, n, w in ranked[:limit] if ratio >= 1.5]


def gather_context(
    con: duckdb.DuckDBPyConnection, settings: Settings, spike: Spike
) -> AlertContext:
    end = spike.last_hour + HOUR
    chart_start = end - timedelta(days=CHART_DAYS)
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
    where = _POST_FILTER[spike.metric]
    window = [spike.brand, timeutil.naive_utc(spike.started_at), timeutil.naive_utc(end)]
    posts = con.execute(
        "select author_handle, author_followers, text, url, created_at from posts"  # noqa: S608
        f" where brand = ? and created_at >= ? and created_at < ? and kind = 'original'"
        f" and {where} order by author_followers desc, created_at, post_id limit 5",
        window,
    ).fetchall()
    baseline_window = [
        spike.brand,
        timeutil.naive_utc(spike.started_at - timedelta(days=7)),
        timeutil.naive_utc(spike.started_at),
    ]
    categories = con.execute(
        """
        with spike as (
            select coalesce(complaint_category, 'other') as category, count(*) as n
            from posts where brand = ? and created_at >= ? and created_at < ?
              and kind = 'original' and is_complaint group by 1
        ),
        before as (
            select coalesce(complaint_category, 'other') as category,
                   count(*) / sum(count(*)) over () as share
            from posts where brand = ? and created_at >= ? and created_at < ?
              and kind = 'original' and is_complaint group by 1
        )
        select s.category, s.n::bigint, b.share
        from spike as s left join before as b using (category)
        order by s.n desc, s.category limit 6
        """,
        window + baseline_window,
    ).fetchall()
    text_sql = (
        "select text from posts where brand = ? and created_at >= ? and created_at < ?"  # noqa: S608
        f" and kind = 'original' and {where}"
    )
    texts = [r[0] for r in con.execute(text_sql, window).fetchall()]
    baseline_texts = [r[0] for r in con.execute(text_sql, baseline_window).fetchall()]
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
        terms=_terms(texts, baseline_texts),
        report_hint=hint,
    )


def _fmt(metric: str, value: float) -> str:
    return f"{value:.0%}" if metric == "negative_share" else f"{value:,.0f}"


def _local(moment: datetime, brand: BrandConfig) -> str:
    return f"{moment.astimezone(brand.tz):%a %d %b %H:%M %Z}"


def render_alert(
    brand: BrandConfig, spike: Spike, kind: str, severity: str, ctx: AlertContext
) -> tuple[str, str, str, bytes]:
    """Subject, plain text, HTML and chart PNG of one alert."""
    label = METRIC_LABEL[spike.metric]
    obs, exp = _fmt(spike.metric, ctx.latest_observed), _fmt(spike.metric, ctx.latest_expected)
    peak_obs, peak_exp = _fmt(spike.metric, spike.observed), _fmt(spike.metric, spike.expected)
    since = _local(spike.started_at, brand)
    if kind == "recovered":
        subject = f"[brandpulse] RESOLVED: {brand.name} {label} spike is over"
        headline = (
            f"The {label} spike that began {since} is over: no flagged hour since "
            f"{_local(spike.ended_at or spike.last_hour, brand)}."
        )
    else:
        verb = "ESCALATED to " if kind == "escalated" else ""
        subject = (
            f"[brandpulse] {verb}{severity.upper()}: {brand.name} {label} spike"
            f" ({peak_obs} vs {peak_exp} expected)"
        )
        state = (
            f"It ended {_local(spike.ended_at, brand)}."
            if spike.ended_at is not None
            else "It is ongoing."
        )
        headline = (
            f"{brand.name}: {label} {obs} in the hour from {_local(spike.last_hour, brand)},"
            f" against {exp} expected. Spike since {since} ({spike.hours} flagged hours). {state}"
        )
    facts = [
        ("Metric", label),
        ("Severity", severity),
        ("Since", f"{since} ({spike.started_at:%Y-%m-%d %H:%M} UTC)"),
        ("Latest flagged hour", f"{_local(spike.last_hour, brand)}: {obs} vs {exp} expected"),
        ("Peak", f"{_local(spike.peak_hour, brand)}: {peak_obs} vs {peak_exp} expected"),
        ("Flagged hours", str(spike.hours)),
        ("Spike id", spike.spike_id),
    ]
    cats = [(c, n, "—" if share is None else f"{share:.0%}") for c, n, share in ctx.categories]
    png = charts.time_series(
        ctx.hours, ctx.values, title=f"{brand.name}: {label}, last {CHART_DAYS} days (UTC)",
        ylabel=label, marked=ctx.marked, bars=spike.metric != "negative_share",
    )  # fmt: skip

    text_lines = [headline, ""]
    text_lines += [f"{k}: {v}" for k, v in facts]
    if cats:
        text_lines += ["", "Complaint categories in the spike (share the week before):"]
        text_lines += [f"  {c}: {n} ({b})" for c, n, b in cats]
    if ctx.terms:
        text_lines += ["", "Terms driving it: " + ", ".join(f"{w} ({n})" for w, n in ctx.terms)]
    posts = [(clean_text(h, 40), f, clean_text(t), u) for h, f, t, u, _ in ctx.posts]
    if posts:
        text_lines += ["", "Top posts by reach:"]
        for handle, followers, text, url in posts:
            text_lines.append(f"  @{handle} ({followers:,} followers): "
                              f"{text}" + (f" <{url}>" if url else ""))  # fmt: skip
    text_lines += ["", f"Latest report: {ctx.report_hint}", "", "Chart: see the HTML part."]

    e = html.escape
    cell = "padding:4px 10px;border-bottom:1px solid #e5e7eb;font:13px Arial,sans-serif"
    colour = "#dc2626" if severity == "critical" and kind != "recovered" else "#d97706"
    if kind == "recovered":
        colour = "#16a34a"
    rows_html = "".join(
        f'<tr><td style="{cell};color:#6b7280">{e(k)}</td><td style="{cell}">{e(v)}</td></tr>'
        for k, v in facts
    )
    cats_html = "".join(
        f'<tr><td style="{cell}">{e(c)}</td><td style="{cell};text-align:right">{n}</td>'
        f'<td style="{cell};text-align:right">{e(b)}</td></tr>'
        for c, n, b in cats
    )
    posts_html = "".join(
        f'<tr><td style="{cell}"><b>@{e(h)}</b> '
        f'<span style="color:#6b7280">{f:,} followers</span><br>{e(t)}'
        + (f' <a href="{e(u, quote=True)}">link</a>' if u and u.startswith("https://") else "")
        + "</td></tr>"
        for h, f, t, u in posts
    )
    terms_html = e(", ".join(f"{w} ({n})" for w, n in ctx.terms)) or "none stand out"
    body = [
        '<!DOCTYPE html><html><body style="margin:0;padding:16px;background:#ffffff">',
        f'<div style="border-left:6px solid {colour};padding:8px 14px;font:15px Arial,sans-serif;'
        f'color:#111827">{e(headline)}</div>',
        f'<table cellpadding="0" cellspacing="0" style="margin:12px 0">{rows_html}</table>',
        '<img src="cid:chart" alt="chart" width="700" style="display:block;max-width:100%">',
    ]
    if cats_html:
        body.append(
            '<h3 style="font:bold 14px Arial,sans-serif">Complaint categories in the spike</h3>'
            f'<table cellpadding="0" cellspacing="0"><tr><th style="{cell};text-align:left">'
            f'category</th><th style="{cell}">complaints</th><th style="{cell}">share the '
            f"week before</th></tr>{cats_html}</table>"
        )
    body.append(f'<p style="font:13px Arial,sans-serif"><b>Terms driving it:</b> {terms_html}</p>')
    if posts_html:
        body.append(
            '<h3 style="font:bold 14px Arial,sans-serif">Top posts by reach</h3>'
            f'<table cellpadding="0" cellspacing="0">{posts_html}</table>'
        )
    body.append(
        f'<p style="font:12px Arial,sans-serif;color:#6b7280">Latest report: '
        f"{e(ctx.report_hint)}</p></body></html>"
    )
    return subject, "\n".join(text_lines) + "\n", "".join(body), png


@dataclass(frozen=True)
class _Delivery:
    """One due alert: a spike's ``kind`` at ``severity`` to ``recipient``."""

    spike: Spike
    kind: str
    severity: str
    recipient: str
    previous: tuple[str, int] | None  # (status, attempts) of its ledger row, if claimed

    @property
    def key(self) -> list[str]:
        return [self.spike.spike_id, self.kind, self.severity, self.recipient]

    def claim(self, con: duckdb.DuckDBPyConnection, message_id: str) -> None:
        """Commit the ledger row as ``sending`` before anything is handed over."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with connection.transaction(con):
            if self.previous is None:
                con.execute(
                    "insert into alerts values"
                    " (?, ?, ?, ?, ?, ?, 'pending', 'sending', 1, ?, ?, null, null)",
                    [self.spike.spike_id, self.spike.brand, self.spike.metric, self.kind,
                     self.severity, self.recipient, message_id, now],
                )  # fmt: skip
            else:
                con.execute(
                    "update alerts set status = 'sending', attempts = attempts + 1"
                    " where spike_id = ? and kind = ? and severity = ? and recipient = ?",
                    self.key,
                )

    def record(
        self, con: duckdb.DuckDBPyConnection, status: str, channel: str, error: str | None
    ) -> None:
        sent_at = datetime.now(UTC).replace(tzinfo=None) if status == "sent" else None
        with connection.transaction(con):
            con.execute(
                "update alerts set status = ?, channel = ?, sent_at = ?, error = ?"
                " where spike_id = ? and kind = ? and severity = ? and recipient = ?",
                [status, channel, sent_at, error, *self.key],
            )


def evaluate(
    settings: Settings,
    smtp: mailer.SmtpConfig | None,
    brand_ids: Sequence[str] = (),
    *,
    window: tuple[datetime, datetime] | None = None,
    alerts: bool = True,
) -> AlertSummary:
    """Detect spikes and deliver the alerts due, each exactly once.

    ``window`` is the ``[start, end)`` judged (a run's interval); None means, per brand,
    its last ``lookback_hours`` stored hours (the scheduled evaluation). With
    ``alerts=False`` spikes are stored and nothing is sent.
    Raises :class:`~pipeline.notify.mailer.DeliveryError` after trying every delivery when any
    failed (the task retries; what was sent stays sent).
    """
    brands = load_brands(settings.brands_file).select(tuple(brand_ids))
    summary = AlertSummary()
    errors: list[str] = []
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        for brand in brands:
            judged = window or latest_window(con, brand)
            if judged is None:
                log.info("%s: no stored hours yet, nothing to judge", brand.id)
                continue
            w_start, w_end = judged
            detect_brand(con, brand, w_start, w_end)
            _, config = brand_settings(brand)
            if not alerts or not brand.alert_recipients:
                continue
            for spike in _spikes_in_scope(con, brand.id, w_start, w_end):
                context: AlertContext | None = None
                for recipient in brand.alert_recipients:
                    ledger = _ledger(con, spike.spike_id, recipient)
                    for kind, severity in due_alerts(spike, ledger, config):
                        context = context or gather_context(con, settings, spike)
                        job = _Delivery(
                            spike, kind, severity, recipient, ledger.get((kind, severity))
                        )
                        outcome = _deliver_one(
                            con, settings, smtp=smtp, brand=brand, job=job, context=context
                        )
                        summary.outcomes.append(outcome)
                        if outcome.status == "failed":
                            errors.append(outcome.where)
                        elif kind == "opened" and spike.ended_at is not None:
                            _fold_recovery(con, spike, severity, recipient)
    if errors:
        raise mailer.DeliveryError(
            f"{len(errors)} alert deliveries failed (will be retried): {errors[0]}"
        )
    return summary


def _fold_recovery(
    con: duckdb.DuckDBPyConnection, spike: Spike, severity: str, recipient: str
) -> None:
    """Record that the opening alert of an already-ended spike said it had ended."""
    with connection.transaction(con):
        con.execute(
            "insert or ignore into alerts select spike_id, brand, metric, 'recovered', severity,"
            " recipient, channel, 'included', 0, message_id, claimed_at, sent_at, null"
            " from alerts where spike_id = ? and kind = 'opened' and severity = ?"
            " and recipient = ?",
            [spike.spike_id, severity, recipient],
        )


def _deliver_one(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    smtp: mailer.SmtpConfig | None,
    brand: BrandConfig,
    job: _Delivery,
    context: AlertContext,
) -> AlertOutcome:
    spike = job.spike
    subject, text, body, png = render_alert(brand, spike, job.kind, job.severity, context)
    email = mailer.Email(
        key=f"alert:{spike.spike_id}:{job.kind}:{job.severity}",
        to=job.recipient,
        subject=subject,
        text=text,
        html=body,
        images=(mailer.InlineImage("chart", png, "chart.png"),),
        headers={"X-Brandpulse-Spike": spike.spike_id},
    )
    what = f"alert {spike.spike_id} {job.kind} ({job.severity}) to {job.recipient}"
    if job.previous is not None and job.previous[0] == "sending":
        log.warning(
            "%s was claimed by an attempt that did not finish (a crash?): sending again with"
            " the same Message-ID %s (attempt %d)",
            what, email.message_id, job.previous[1] + 1,
        )  # fmt: skip
    job.claim(con, email.message_id)
    try:
        delivery = mailer.deliver(email, smtp, settings.outbox)
    except mailer.DeliveryError as exc:
        job.record(con, "failed", "smtp", str(exc))
        log.error("%s failed: %s", what, exc)
        return AlertOutcome(spike.spike_id, job.kind, job.severity, job.recipient, "failed",
                            "smtp", str(exc))  # fmt: skip
    job.record(con, "sent", delivery.channel, None)
    status = "resent" if job.previous is not None else "sent"
    log.info("%s: %s via %s", what, status, delivery.where)
    return AlertOutcome(spike.spike_id, job.kind, job.severity, job.recipient, status,
                        delivery.channel, delivery.where)  # fmt: skip


def describe(summary: AlertSummary, settings: Settings, *, sent: bool = True) -> str:
    """One line for the command line and the task log."""
    if not sent:
        return "spikes stored; alerts not sent (--no-alerts)"
    if not summary.outcomes:
        return "no alert due"
    channels = sorted({o.channel for o in summary.outcomes})
    where = f" (outbox: {settings.outbox})" if "outbox" in channels else ""
    return f"alerts: {summary.sent} sent via {', '.join(channels)}{where}, {summary.failed} failed"
