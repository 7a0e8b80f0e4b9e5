"""One alert email's subject, plain text, HTML and chart.

Python computes what the email says (:class:`AlertBody`); the markup is in
``pipeline/notify/templates/alert.html`` and the plain text in ``alert.txt``
(:mod:`pipeline.notify.templating`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline.config.model import BrandConfig
from pipeline.detect.store import Spike
from pipeline.notify import charts, templating
from pipeline.notify.alerts.context import ALERT_CHART_DAYS, AlertContext
from pipeline.notify.text import display_text, safe_url

METRIC_LABEL = {
    "complaints": "complaints",
    "negative_share": "negative share",
    "volume": "post volume",
}

#: The headline's bar colour: a critical spike, a warning or escalation, a recovery.
_CRITICAL, _WARNING, _RECOVERED = "#dc2626", "#d97706", "#16a34a"


@dataclass(frozen=True)
class CategoryShare:
    """A complaint category in the spike, and its share of complaints the week before."""

    name: str
    complaints: int
    before: str  # the share the week before, formatted, or "—"


@dataclass(frozen=True)
class PostLine:
    """One of the top posts by reach, its text cleaned of invisible and bidi controls."""

    handle: str
    followers: str
    text: str
    url: str | None  # as stored: shown in the plain text
    href: str | None  # a plain https link (passed :func:`safe_url`), or None: not linked


@dataclass(frozen=True)
class AlertBody:
    """What the alert's HTML and plain text show."""

    headline: str
    colour: str
    facts: tuple[tuple[str, str], ...]
    categories: tuple[CategoryShare, ...]
    terms: str  # "word (n), ..." or "" when none stands out
    posts: tuple[PostLine, ...]
    report_hint: str


def _fmt(metric: str, value: float) -> str:
    return f"{value:.0%}" if metric == "negative_share" else f"{value:,.0f}"


def _local(moment: datetime, brand: BrandConfig) -> str:
    return f"{moment.astimezone(brand.tz):%a %d %b %H:%M %Z}"


def _href(url: str | None) -> str | None:
    """The URL when it may be linked: an https link that :func:`safe_url` accepts."""
    return url if url and url.startswith("https://") and safe_url(url) else None


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
    if kind == "recovered":
        colour = _RECOVERED
    else:
        colour = _CRITICAL if severity == "critical" else _WARNING
    body = AlertBody(
        headline=headline,
        colour=colour,
        facts=(
            ("Metric", label),
            ("Severity", severity),
            ("Since", f"{since} ({spike.started_at:%Y-%m-%d %H:%M} UTC)"),
            ("Latest flagged hour", f"{_local(spike.last_hour, brand)}: {obs} vs {exp} expected"),
            ("Peak", f"{_local(spike.peak_hour, brand)}: {peak_obs} vs {peak_exp} expected"),
            ("Flagged hours", str(spike.hours)),
            ("Spike id", spike.spike_id),
        ),
        categories=tuple(
            CategoryShare(c, n, "—" if share is None else f"{share:.0%}")
            for c, n, share in ctx.categories
        ),
        terms=", ".join(f"{w} ({n})" for w, n in ctx.terms),
        posts=tuple(
            PostLine(display_text(h, 40), f"{f:,}", display_text(t), u, _href(u))
            for h, f, t, u, _ in ctx.posts
        ),
        report_hint=ctx.report_hint,
    )
    png = charts.time_series(
        ctx.hours, ctx.values, title=f"{brand.name}: {label}, last {ALERT_CHART_DAYS} days (UTC)",
        ylabel=label, marked=ctx.marked, bars=spike.metric != "negative_share",
    )  # fmt: skip
    text = templating.render("alert.txt", body)
    html = templating.render("alert.html", body)
    return subject, text, html, png
