"""One alert email's subject, plain text, HTML and charts, in plain words.

Python computes what the email says (:class:`AlertBody`); the markup is in
``pipeline/notify/templates/alert.html`` and the plain text in ``alert.txt``
(:mod:`pipeline.notify.templating`). Numbers are rounded as people say them (48 complaints,
6.3 expected, 36%), times are the brand's local time with its zone, and no internal name
(a metric's column, a spike id, a path, a command) reaches the reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline.config.model import BrandConfig
from pipeline.notify import charts, templating
from pipeline.notify.alerts.context import AlertContext, MetricFigures
from pipeline.notify.alerts.incident import Incident
from pipeline.notify.text import display_text, safe_url
from pipeline.timeutil import HOUR

#: What each metric is called in an alert: the measure, and what it counts.
MEASURE = {
    "complaints": "complaints per hour",
    "negative_share": "share of negative posts",
    "volume": "posts per hour",
}
COUNTED = {"complaints": "complaints", "negative_share": "negative posts", "volume": "posts"}
#: The incident in a word, after the brand's name ("a complaint spike").
SPIKE_NAME = {
    "complaints": "complaint spike",
    "negative_share": "spike in negative posts",
    "volume": "spike in posts",
}

#: The headline's bar colour: a critical spike, a warning or escalation, a recovery.
_CRITICAL, _WARNING, _RECOVERED = "#dc2626", "#d97706", "#16a34a"


@dataclass(frozen=True)
class CategoryShare:
    """A complaint category in the incident, and its share of complaints the week before."""

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
class ChartImage:
    cid: str
    alt: str


@dataclass(frozen=True)
class AlertBody:
    """What the alert's HTML and plain text show."""

    title: str
    headline: str
    colour: str
    facts: tuple[tuple[str, str], ...]
    charts: tuple[ChartImage, ...]
    categories: tuple[CategoryShare, ...]
    terms: str  # "word (n), ..." or "" when none stands out
    posts: tuple[PostLine, ...]
    report_link: str | None


@dataclass(frozen=True)
class AlertMessage:
    """A rendered alert: subject, plain text, HTML and its charts as (cid, PNG), and what
    the text and HTML show (its chat post is built from that: alerts/chat.py)."""

    subject: str
    text: str
    html: str
    charts: tuple[tuple[str, bytes], ...]
    body: AlertBody


def count(value: float) -> str:
    """A count as people say it: whole above 10 (62, not 62.096), one decimal below (6.3)."""
    if abs(value) >= 10 or value == round(value):
        return f"{value:,.0f}"
    return f"{value:.1f}"


def value(metric: str, v: float) -> str:
    """A metric's value in words: "36%" for the share, else a count."""
    return f"{v:.0%}" if metric == "negative_share" else count(v)


def _amount(metric: str, v: float) -> str:
    """ "48 complaints" / "36% negative posts"."""
    noun = COUNTED[metric]
    if metric == "negative_share":
        return f"{value(metric, v)} negative posts"
    return f"{count(v)} {noun[:-1] if count(v) == '1' else noun}"


def _local(moment: datetime, brand: BrandConfig) -> str:
    return f"{moment.astimezone(brand.tz):%a %d %b %H:%M %Z}"


def _hour(moment: datetime, brand: BrandConfig) -> str:
    """ "Thu 22 Oct 15:00-16:00 EDT": a UTC hour start as the brand's local hour."""
    start, end = moment.astimezone(brand.tz), (moment + HOUR).astimezone(brand.tz)
    return f"{start:%a %d %b %H:%M}-{end:%H:%M %Z}"


def _href(url: str | None) -> str | None:
    """The URL when it may be linked: an https link that :func:`safe_url` accepts."""
    return url if url and url.startswith("https://") and safe_url(url) else None


def _worst(f: MetricFigures) -> str:
    expected = value(f.metric, f.worst_expected)
    return f"{_amount(f.metric, f.worst_observed)} against {expected} expected"


def _excess(f: MetricFigures) -> str:
    noun = COUNTED[f.metric]
    return f"{count(f.excess)} more {noun} than expected"


def _headline(
    brand: BrandConfig, incident: Incident, kind: str, severity: str, lead: MetricFigures
) -> str:
    name = SPIKE_NAME[lead.metric]
    since = _local(incident.started_at, brand)
    ended = incident.ended_at
    if kind == "recovered":
        opening = f"The {name} at {brand.name} that began {since} is over"
        state = f"no unusual hour since {_local(ended or incident.last_hour + HOUR, brand)}"
        return (
            f"{opening}: {state}. Worst hour {_hour(lead.worst_hour, brand)}: {_worst(lead)};"
            f" {_excess(lead)} in all."
        )
    state = f"it ended {_local(ended, brand)}" if ended is not None else "still ongoing"
    what = f"{brand.name}: {name} since {since}, {state}."
    if kind == "escalated":
        what = f"{brand.name}: the {name} since {since} is now {severity}; {state}."
    total = f"{_excess(lead)} {'in all' if ended else 'so far'}"
    return f"{what} Worst hour {_hour(lead.worst_hour, brand)}: {_worst(lead)}. {total}."


def _subject(brand: BrandConfig, kind: str, severity: str, lead: MetricFigures) -> str:
    label = {"opened": severity.upper(), "escalated": f"ESCALATED to {severity.upper()}",
             "recovered": "RESOLVED"}[kind]  # fmt: skip
    hour = lead.worst_hour.astimezone(brand.tz)
    return (
        f"[brandpulse] {label}: {brand.name} {SPIKE_NAME[lead.metric]},"
        f" {_amount(lead.metric, lead.worst_observed)} at {hour:%H:%M %Z %a %d %b}"
        f" ({value(lead.metric, lead.worst_expected)} expected)"
    )


def _facts(
    brand: BrandConfig, incident: Incident, severity: str, ctx: AlertContext
) -> tuple[tuple[str, str], ...]:
    ended = incident.ended_at
    facts = [
        ("Severity", severity),
        ("Since", _local(incident.started_at, brand)),
        ("Status", f"ended {_local(ended, brand)}" if ended else "ongoing"),
    ]
    for f in ctx.figures:
        measure = MEASURE[f.metric].capitalize()
        line = f"worst hour {_hour(f.worst_hour, brand)}: {_worst(f)}"
        if f.busiest_hour != f.worst_hour:
            most = _amount(f.metric, f.busiest_observed)
            line += f"; most in one hour: {most} ({_hour(f.busiest_hour, brand)})"
        hours = "1 unusual hour" if f.flagged_hours == 1 else f"{f.flagged_hours} unusual hours"
        facts.append((measure, f"{line}; {hours}; {_excess(f)}"))
    return tuple(facts)


def render_alert(
    brand: BrandConfig, incident: Incident, kind: str, severity: str, ctx: AlertContext
) -> AlertMessage:
    """Subject, plain text, HTML and chart PNGs of one alert of ``incident``."""
    lead = next(f for f in ctx.figures if f.metric == incident.lead.metric)
    colour = (
        _RECOVERED if kind == "recovered" else _CRITICAL if severity == "critical" else _WARNING
    )
    drawn = []
    for s in ctx.series:
        measure = MEASURE[s.metric]
        pct = s.metric == "negative_share"
        scale = 100.0 if pct else 1.0

        def scaled(seq: list[float | None], k: float = scale) -> list[float | None]:
            return [None if v is None else v * k for v in seq]

        png = charts.incident_chart(
            s.hours, scaled(s.values), expected=scaled(s.expected), low=scaled(s.low),
            high=scaled(s.high), marked=s.flagged, tz=brand.tz,
            title=f"{brand.name}: {measure}", ylabel=f"{measure} (%)" if pct else measure,
            bars=not pct,
        )  # fmt: skip
        drawn.append((f"chart-{s.metric.replace('_', '-')}", measure, png))
    body = AlertBody(
        title=_subject(brand, kind, severity, lead).removeprefix("[brandpulse] "),
        headline=_headline(brand, incident, kind, severity, lead),
        colour=colour,
        facts=_facts(brand, incident, severity, ctx),
        charts=tuple(
            ChartImage(cid, f"Chart: {alt}, with the expected range") for cid, alt, _ in drawn
        ),
        categories=tuple(
            CategoryShare(
                display_text(c, 40).replace("_", " "), n, "—" if share is None else f"{share:.0%}"
            )
            for c, n, share in ctx.categories
        ),
        terms=", ".join(f"{w} ({n})" for w, n in ctx.terms),
        posts=tuple(
            PostLine(display_text(h, 40), f"{f:,}", display_text(t), u, _href(u))
            for h, f, t, u, _ in ctx.posts
        ),
        report_link=ctx.report_link,
    )
    return AlertMessage(
        subject=_subject(brand, kind, severity, lead),
        text=templating.render("alert.txt", body),
        html=templating.render("alert.html", body),
        charts=tuple((cid, png) for cid, _, png in drawn),
        body=body,
    )
