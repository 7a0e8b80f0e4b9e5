"""The daily complaint report as HTML, plain text and CSV, from :class:`ReportData`.

Post text, handles and links are written by strangers: every one of them goes through
:func:`pipeline.notify.text.display_text` (bidi controls, zero-width and other invisible format
characters removed, whitespace collapsed, length capped); the HTML template escapes every
value. Links are shown only when they are plain ``http(s)`` URLs
(:func:`pipeline.notify.text.safe_url`). This module computes what the
report says (:class:`ReportView`: formatted figures, colours, rows); the markup is in
``pipeline/notify/templates/report.html`` (tables and inline styles, what mail clients render
well: no scripts, no external resources, images by ``cid:``) and the plain text, which carries
the same figures formatted by the same functions, in ``report.txt``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pipeline.notify import templating
from pipeline.notify.report.data import (
    BASELINE_DAYS,
    REPORT_CHART_DAYS,
    ComplaintRow,
    Metric,
    ReportData,
    SpikeWithAlerts,
)
from pipeline.notify.report.options import BACKLOG_DAYS
from pipeline.notify.text import display_text, safe_url

#: Characters of handles, categories and other short fields (X allows 15, Bluesky 253).
SHORT_LIMIT = 64
#: Longest link shown in full; longer ones keep their start.
URL_LIMIT = 200

LABELS = {
    "posts": "Posts",
    "complaints": "Complaints",
    "complaint_share": "Complaint rate",
    "negative_share": "Negative share",
    "mean_compound": "Mean sentiment (VADER compound)",
}
#: Whether a rise of the figure is good (green), bad (red) or neither (grey).
_RISE_IS = {
    "posts": None,
    "complaints": False,
    "complaint_share": False,
    "negative_share": False,
    "mean_compound": True,
}
_GOOD, _BAD, _NEUTRAL = "#15803d", "#b91c1c", "#4b5563"


# -- numbers --------------------------------------------------------------------------


def fmt_int(value: float | None) -> str:
    return "–" if value is None else f"{round(value):,}"


def fmt_mean(value: float | None) -> str:
    """A mean count (the baseline's posts per day): one decimal."""
    return "–" if value is None else f"{value:,.1f}"


def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def fmt_compound(value: float | None) -> str:
    return "–" if value is None else f"{value:+.3f}"


def fmt_duration(seconds: float | None) -> str:
    """``45 s``, ``12 min``, ``3 h 05 min``, ``2 d 4 h``."""
    if seconds is None:
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    minutes = round(s / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, mins = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {mins:02d} min"
    days, hrs = divmod(hours, 24)
    return f"{days} d {hrs} h"


def fmt_value(metric: Metric, baseline: bool = False) -> str:
    value = metric.baseline if baseline else metric.value
    if metric.name in {"posts", "complaints"}:
        return fmt_mean(value) if baseline else fmt_int(value)
    if metric.name == "mean_compound":
        return fmt_compound(value)
    return fmt_pct(value)


def fmt_change(metric: Metric) -> str:
    """The change as shown: relative for counts, percentage points for shares."""
    c = metric.change
    if c is None:
        return "–"
    if metric.name in {"posts", "complaints"}:
        return f"{100 * c:+.0f} %"
    if metric.name == "mean_compound":
        return f"{c:+.3f}"
    return f"{100 * c:+.1f} pts"


def direction(metric: Metric) -> str:
    """``up``, ``down`` or ``flat`` as the change reads at the precision shown."""
    shown = fmt_change(metric)
    if shown == "–":
        return "–"
    digits = [ch for ch in shown if ch.isdigit()]
    if not any(d != "0" for d in digits):
        return "flat"
    return "up" if shown.startswith("+") else "down"


_ARROWS = {"up": "▲", "down": "▼", "flat": "=", "–": ""}


def _direction_colour(metric: Metric) -> str:
    d = direction(metric)
    rise_good = _RISE_IS[metric.name]
    if d not in {"up", "down"} or rise_good is None:
        return _NEUTRAL
    return _GOOD if (d == "up") == rise_good else _BAD


def local_str(data: ReportData, moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "–" if moment is None else data.window.local(moment).strftime(fmt)


def category_label(category: str | None) -> str:
    return display_text(category or "uncategorized", SHORT_LIMIT).replace("_", " ")


# -- the parts both renderings share ----------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """An inline chart: which one (``daily``, ``categories``, ``hourly``), its cid, its alt text."""

    name: str
    cid: str
    alt: str


def title(data: ReportData) -> str:
    w = data.window
    return f"{display_text(w.brand_name, SHORT_LIMIT)}: complaints on {w.day:%A %d %B %Y}"


def subject(data: ReportData) -> str:
    w = data.window
    if not data.headline.loaded:
        return f"{display_text(w.brand_name, SHORT_LIMIT)} complaint report {w.day}: no data loaded"
    complaints = data.headline.get("complaints").value
    return (
        f"{display_text(w.brand_name, SHORT_LIMIT)} complaint report {w.day}: "
        f"{fmt_int(complaints)} complaints; {data.overdue_total:,} from the last 7 days "
        "unanswered past SLA"
    )


def as_of_line(data: ReportData) -> str:
    w = data.window
    return (
        f"Local day {w.day} ({w.timezone}); replies counted up to "
        f"{local_str(data, w.as_of)} local time; SLA {w.sla_hours:g} h."
    )


def response_lines(data: ReportData) -> list[tuple[str, str]]:
    r = data.responses
    return [
        ("Complaints", fmt_int(r.complaints)),
        ("Answered by the brand", f"{fmt_int(r.answered)} ({fmt_pct(r.answered_share)})"),
        (
            f"Answered within the {data.window.sla_hours:g} h SLA",
            f"{fmt_int(r.within_sla)} ({fmt_pct(r.within_sla_share)})",
        ),
        ("Median time to first reply", fmt_duration(r.median_seconds)),
        ("90th percentile time to first reply", fmt_duration(r.p90_seconds)),
    ]


def overdue_heading(data: ReportData) -> str:
    shown = len(data.overdue)
    more = f"; the {shown} oldest shown, most-reached first within a day" if shown else ""
    return (
        f"Unanswered past the {data.window.sla_hours:g} h SLA: {data.overdue_total:,} "
        f"complaint(s) of the last {BACKLOG_DAYS} days{more}"
    )


def empty_note(data: ReportData) -> str | None:
    """The one-line explanation of a short report, or None for a full one."""
    if not data.headline.loaded:
        return (
            "No posts were loaded for this day, so there is nothing to report. If that is "
            "unexpected, check the ingest runs for the day."
        )
    if not data.headline.get("posts").value:
        return "No posts about the brand were found on this day."
    if not data.headline.get("complaints").value:
        return "No complaints on this day."
    return None


# -- what the HTML and the plain text show ----------------------------------------------


@dataclass(frozen=True)
class MetricLine:
    """One headline figure, formatted, with the change's direction, arrow and colour."""

    label: str
    value: str
    baseline: str
    change: str
    direction: str  # up | down | flat | –
    arrow: str
    colour: str


@dataclass(frozen=True)
class ComplaintLine:
    """One complaint in a list, cleaned; linked only when :func:`safe_url` accepts its URL."""

    posted: str
    wait: str  # the backlog's age, or the time to the first reply, or "not answered"
    answered: bool
    handle: str
    followers: str
    category: str
    text: str
    href: str | None  # a safe http(s) URL, or None: not linked
    url_text: str  # the safe URL as the plain text shows it (capped), or ""


@dataclass(frozen=True)
class CategoryLine:
    label: str
    complaints: str
    share: str
    reach: str


@dataclass(frozen=True)
class SpikeLine:
    metric: str
    severity: str
    started: str
    ended: str  # or "ongoing"
    observed: str
    expected: str
    alerts: tuple[str, ...]  # "opened to oncall@… (smtp, sent)"

    @property
    def alerts_summary(self) -> str:
        return ", ".join(self.alerts) or "no alert sent"


@dataclass(frozen=True)
class TermLine:
    category: str
    terms: str  # "term (complaints), …"


@dataclass(frozen=True)
class ReportView:
    """Everything the report's HTML and plain text show, formatted and cleaned."""

    title: str
    as_of: str
    note: str | None  # why the report is short, or None
    baseline_window: int  # the days the baseline looks back
    baseline_days: int  # the days of them stored
    metrics: tuple[MetricLine, ...]
    reach: str
    brand_replies: str
    responses: tuple[tuple[str, str], ...]  # empty when no complaint was to be answered
    overdue_heading: str
    overdue: tuple[ComplaintLine, ...]
    loaded: bool  # the day's figures exist; without them only the backlog is shown
    categories: tuple[CategoryLine, ...]
    hours: str | None  # "09h:2  10h:1 …" (plain text only), None when no complaint
    spikes: tuple[SpikeLine, ...]
    top_complaints: tuple[ComplaintLine, ...]
    terms: tuple[TermLine, ...]
    attachment_note: str
    sources: str


@dataclass(frozen=True)
class Image:
    """An inline chart as the HTML shows it."""

    src: str
    alt: str


def _complaint_line(data: ReportData, c: ComplaintRow, *, age: bool) -> ComplaintLine:
    if age:
        wait = fmt_duration(c.age_seconds)
    else:
        wait = fmt_duration(c.response_seconds) if c.answered else "not answered"
    url = safe_url(c.url)
    return ComplaintLine(
        posted=local_str(data, c.created_at),
        wait=wait,
        answered=c.answered,
        handle=display_text(c.author_handle, SHORT_LIMIT),
        followers=fmt_int(c.author_followers),
        category=category_label(c.category),
        text=display_text(c.text),
        href=url,
        url_text=display_text(url, URL_LIMIT) if url else "",
    )


def _spike_line(data: ReportData, s: SpikeWithAlerts) -> SpikeLine:
    return SpikeLine(
        metric=s.metric,
        severity=s.severity,
        started=local_str(data, s.started_at),
        ended=local_str(data, s.ended_at) if s.ended_at else "ongoing",
        observed=f"{s.observed:g}",
        expected=f"{s.expected:g}",
        alerts=tuple(f"{a.kind} to {a.recipient} ({a.channel}, {a.status})" for a in s.alerts),
    )


def _terms(data: ReportData) -> tuple[TermLine, ...]:
    grouped: dict[str, list[str]] = {}
    for t in data.terms:
        grouped.setdefault(t.category, []).append(
            f"{display_text(t.term, SHORT_LIMIT)} ({t.posts})"
        )
    return tuple(TermLine(category_label(c), ", ".join(v)) for c, v in grouped.items())


def report_view(data: ReportData) -> ReportView:
    """What the report shows, from the warehouse's figures."""
    hl = data.headline
    return ReportView(
        title=title(data),
        as_of=as_of_line(data),
        note=empty_note(data),
        baseline_window=BASELINE_DAYS,
        baseline_days=hl.baseline_days,
        metrics=tuple(
            MetricLine(
                label=LABELS[m.name],
                value=fmt_value(m),
                baseline=fmt_value(m, baseline=True),
                change=fmt_change(m),
                direction=direction(m),
                arrow=_ARROWS[direction(m)],
                colour=_direction_colour(m),
            )
            for m in hl.metrics
        ),
        reach=fmt_int(hl.complaint_reach),
        brand_replies=fmt_int(hl.brand_replies),
        responses=tuple(response_lines(data)) if data.responses.complaints else (),
        overdue_heading=overdue_heading(data),
        overdue=tuple(_complaint_line(data, c, age=True) for c in data.overdue),
        loaded=hl.loaded,
        categories=tuple(
            CategoryLine(
                category_label(c.category),
                fmt_int(c.complaints),
                fmt_pct(c.share),
                fmt_int(c.complaint_reach),
            )
            for c in data.categories
        ),
        hours=(
            "  ".join(f"{p.local_hour:%H}h:{p.complaints}" for p in data.hours)
            if any(p.complaints for p in data.hours)
            else None
        ),
        spikes=tuple(_spike_line(data, s) for s in data.spikes),
        top_complaints=tuple(_complaint_line(data, c, age=False) for c in data.top_complaints),
        terms=_terms(data),
        attachment_note=(
            f"The {len(data.complaints):,} complaint(s) of the day are attached as CSV."
            if data.complaints
            else "No CSV attached: there were no complaints."
        ),
        sources=(
            "Figures from the brandpulse warehouse: brand_daily, brand_hourly, "
            "brand_daily_categories, spikes, alerts, complaint_responses and posts "
            f"(chart: {REPORT_CHART_DAYS} days to {data.window.day})."
        ),
    )


def render_html(
    data: ReportData,
    charts: Sequence[Chart],
    image_src: Callable[[str], str] = lambda cid: f"cid:{cid}",
) -> str:
    """The report as one HTML document (images by ``image_src(cid)``: ``cid:`` for email)."""
    images = {c.name: Image(image_src(c.cid), c.alt) for c in charts}
    return templating.render("report.html", report_view(data), images=images)


def _text_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, two spaces apart, trailing blanks cut."""
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)).rstrip()

    return [line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_text(data: ReportData) -> str:
    """The plain-text part: the same figures as the HTML, tables in aligned columns."""
    view = report_view(data)
    headline_table = _text_table(
        ["Measure", "Yesterday", f"{BASELINE_DAYS}-day baseline", "Change"],
        [[m.label, m.value, m.baseline, f"{m.change} {m.direction}".strip()]
         for m in view.metrics],
    )  # fmt: skip
    responses_table = _text_table(["Measure", "Value"], [list(p) for p in view.responses])
    categories_table = _text_table(
        ["Category", "Complaints", "Share", "Reach"],
        [[c.label, c.complaints, c.share, c.reach] for c in view.categories],
    )
    return templating.render(
        "report.txt",
        view,
        headline_table=headline_table,
        responses_table=responses_table,
        categories_table=categories_table,
    )


# -- CSV --------------------------------------------------------------------------------

CSV_COLUMNS = (
    "created_at_utc", "created_at_local", "source", "post_id", "author_handle",
    "author_followers", "category", "complaint_score", "compound", "url",
    "answered_by_report_time", "first_reply_at_utc", "response_seconds", "text",
)  # fmt: skip

#: A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection"):
#: such cells are prefixed with an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str | None) -> str:
    value = display_text(text, 10_000) if text else ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def render_csv(data: ReportData) -> bytes:
    """The day's complaints, oldest first, full text (cleaned of invisible characters)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in data.complaints:
        writer.writerow(
            [
                c.created_at.isoformat(sep=" "),
                local_str(data, c.created_at, "%Y-%m-%d %H:%M:%S"),
                _cell(c.source),
                _cell(c.post_id),
                _cell(c.author_handle),
                c.author_followers,
                _cell(c.category),
                f"{c.complaint_score:.4f}",
                f"{c.compound:.4f}",
                _cell(safe_url(c.url)),
                "yes" if c.answered else "no",
                c.first_reply_at.isoformat(sep=" ") if c.first_reply_at else "",
                "" if c.response_seconds is None else c.response_seconds,
                _cell(c.text),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8
