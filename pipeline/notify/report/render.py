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
from pipeline.notify.report import words
from pipeline.notify.report.data import (
    BASELINE_DAYS,
    MAX_OVERDUE_ROWS,
    REPORT_CHART_DAYS,
    AlertRow,
    ComplaintRow,
    Metric,
    ReportData,
    SpikeWithAlerts,
)
from pipeline.notify.report.options import BACKLOG_DAYS
from pipeline.notify.text import display_text, safe_url

#: Characters of handles, categories and other short fields (X allows 15, Bluesky 253).
SHORT_LIMIT = 64
#: Longest link shown in full in the plain text; longer ones keep their start.
URL_LIMIT = 200

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


def fmt_duration(seconds: float | None) -> str:
    return words.duration(seconds)


def fmt_value(metric: Metric, baseline: bool = False) -> str:
    """A headline figure: counts whole (the baseline's daily mean too), shares in whole
    percent, the tone with two decimals."""
    value = metric.baseline if baseline else metric.value
    if metric.name in {"posts", "complaints"}:
        return words.count(value)
    if metric.name == "mean_compound":
        return words.tone(value)
    return words.percent(value)


def fmt_change(metric: Metric) -> str:
    """The change as shown: relative for counts, percentage points for shares."""
    c = metric.change
    if c is None:
        return words.DASH
    if metric.name in {"posts", "complaints"}:
        return f"{100 * c:+.0f} %"
    if metric.name == "mean_compound":
        return f"{c:+.2f}"
    return f"{100 * c:+.0f} pts"


def direction(metric: Metric) -> str:
    """``up``, ``down`` or ``flat`` as the change reads at the precision shown."""
    shown = fmt_change(metric)
    if shown == words.DASH:
        return words.DASH
    digits = [ch for ch in shown if ch.isdigit()]
    if not any(d != "0" for d in digits):
        return "flat"
    return "up" if shown.startswith("+") else "down"


_ARROWS = {"up": "▲", "down": "▼", "flat": "=", words.DASH: ""}


def _direction_colour(metric: Metric) -> str:
    d = direction(metric)
    rise_good = _RISE_IS[metric.name]
    if d not in {"up", "down"} or rise_good is None:
        return _NEUTRAL
    return _GOOD if (d == "up") == rise_good else _BAD


def local_str(data: ReportData, moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return words.DASH if moment is None else data.window.local(moment).strftime(fmt)


def local_moment(data: ReportData, moment: datetime | None) -> str:
    """``Thu 22 Oct 14:15`` in the brand's time zone."""
    return words.DASH if moment is None else words.moment(data.window.local(moment))


def category_label(category: str | None) -> str:
    return words.category(display_text(category, SHORT_LIMIT) or None)


def _spike_value(metric: str, value: float) -> str:
    return words.percent(value) if metric == "negative_share" else words.count(value)


def _zone_name(timezone: str) -> str:
    """``America/New_York`` -> ``New York``."""
    return timezone.rsplit("/", 1)[-1].replace("_", " ")


# -- the parts both renderings share ----------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """An inline chart: which one (``daily``, ``categories``, ``hourly``), its cid, its alt text."""

    name: str
    cid: str
    alt: str


def title(data: ReportData) -> str:
    w = data.window
    brand = display_text(w.brand_name, SHORT_LIMIT)
    return f"{brand}: complaints on {w.day:%A} {w.day.day} {w.day:%B %Y}"


def subject(data: ReportData) -> str:
    w = data.window
    brand = display_text(w.brand_name, SHORT_LIMIT)
    if not data.headline.loaded:
        return f"{brand} complaint report {w.day}: no data loaded for the day"
    complaints = data.headline.get("complaints").value
    return (
        f"{brand} complaint report {w.day}: {words.plural(complaints, 'complaint')}; "
        f"{data.overdue_total:,} unanswered past the {w.sla_hours:g} h target"
    )


def as_of_line(data: ReportData) -> str:
    w = data.window
    return (
        f"Times are {_zone_name(w.timezone)} time ({w.timezone}). Replies counted up to "
        f"{local_moment(data, w.as_of)}. Reply target (SLA): {words.hours(w.sla_hours)}."
    )


def response_lines(data: ReportData) -> list[tuple[str, str]]:
    r = data.responses
    return [
        ("Complaints", words.count(r.complaints)),
        ("Answered by the brand", f"{words.count(r.answered)} ({words.percent(r.answered_share)})"),
        (
            f"Answered within {words.hours(data.window.sla_hours)}",
            f"{words.count(r.within_sla)} ({words.percent(r.within_sla_share)})",
        ),
        ("Typical time to first reply (median)", words.duration(r.median_seconds)),
        ("Slowest tenth waited longer than", words.duration(r.p90_seconds)),
    ]


def overdue_heading(data: ReportData) -> str:
    w = data.window
    new = f" ({data.overdue_new:,} new since the last report)" if data.overdue_new else ""
    return (
        f"Unanswered past the {words.target(w.sla_hours)}: "
        f"{words.plural(data.overdue_total, 'complaint')} from the last {BACKLOG_DAYS} days{new}"
    )


def overdue_rule(data: ReportData) -> str:
    """How the list is ordered, or why it is empty."""
    shown, total = len(data.overdue), data.overdue_total
    if total == 0:
        loaded = data.backlog_loaded_days
        if loaded == 0:
            return (
                f"No posts were loaded for the last {BACKLOG_DAYS} days, so unanswered "
                "complaints cannot be listed."
            )
        if loaded < BACKLOG_DAYS:
            return (
                f"None found, but only {words.plural(loaded, 'day')} of the last "
                f"{BACKLOG_DAYS} had posts loaded: complaints of the other days are not known."
            )
        return f"None: no complaint of the last {BACKLOG_DAYS} days is waiting past the target."
    more = (
        f" The {shown} most urgent are shown; the newest are always among them."
        if total > shown
        else ""
    )
    return (
        "Most urgent first: the more followers the author has, and the longer past the "
        f"target, the higher a complaint is listed.{more}"
    )


def empty_note(data: ReportData) -> str | None:
    """The one-line explanation of a short report, or None for a full one."""
    if not data.headline.loaded:
        return (
            "No posts were loaded for this day, so there is nothing to report for it. If "
            "that is unexpected, ask the team that runs brandpulse to check the day's imports."
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

    posted: str  # "Thu 22 Oct 14:15"
    wait: str  # "2 d 4 h past the target", "answered after 3 h 05 min", "not answered"
    answered: bool
    new: bool  # went past the target since the last report
    handle: str
    followers: str  # "3,877 followers"
    category: str
    text: str
    href: str | None  # a safe http(s) URL, or None: not linked
    url_text: str  # the safe URL as the plain text shows it (capped), or ""


@dataclass(frozen=True)
class CategoryLine:
    label: str
    complaints: str  # "193 (54 %)"
    reach: str


@dataclass(frozen=True)
class SpikeLine:
    metric: str  # "Complaints per hour"
    severity: str
    when: str  # "Thu 22 Oct 13:00 to 22:00", "since Thu 22 Oct 13:00 (ongoing)"
    peak: str  # "25 against 9 expected"
    alerts: str  # "alert and all-clear sent to a and b"


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
    baseline_note: str
    metrics: tuple[MetricLine, ...]
    reach_note: str
    responses: tuple[tuple[str, str], ...]  # empty when no complaint was to be answered
    overdue_heading: str
    overdue_rule: str
    overdue: tuple[ComplaintLine, ...]
    loaded: bool  # the day's figures exist; without them only the backlog is shown
    categories: tuple[CategoryLine, ...]
    hours: str | None  # "13:00 48, 14:00 35, …" (plain text only), None when no complaint
    spikes: tuple[SpikeLine, ...]
    top_complaints: tuple[ComplaintLine, ...]
    terms: tuple[TermLine, ...]
    terms_note: str
    attachment_note: str
    sources: str


@dataclass(frozen=True)
class Image:
    """An inline chart as the HTML shows it."""

    src: str
    alt: str


def _complaint_line(data: ReportData, c: ComplaintRow, *, overdue: bool) -> ComplaintLine:
    if overdue:
        past = c.past_sla_seconds
        wait = (
            f"{words.duration(past)} past the target"
            if past is not None
            else f"waiting {words.duration(c.age_seconds)}"
        )
    elif c.answered:
        wait = f"answered after {words.duration(c.response_seconds)}"
    else:
        wait = "not answered"
    url = safe_url(c.url)
    return ComplaintLine(
        posted=local_moment(data, c.created_at),
        wait=wait,
        answered=c.answered,
        new=overdue and c.new_breach,
        handle=display_text(c.author_handle, SHORT_LIMIT),
        followers=words.plural(c.author_followers, "follower"),
        category=category_label(c.category),
        text=display_text(c.text),
        href=url,
        url_text=display_text(url, URL_LIMIT) if url else "",
    )


def _alerts_summary(alerts: tuple[AlertRow, ...]) -> str:
    """``alert and all-clear sent to a and b``; failures named as such."""
    if not alerts:
        return "No alert sent"
    by_outcome: dict[tuple[bool, str], list[str]] = {}
    for a in alerts:
        ok = a.status in words.DELIVERED
        recipient = display_text(a.recipient, SHORT_LIMIT)
        kinds = by_outcome.setdefault((ok, recipient), [])
        kind = words.ALERT_KINDS.get(a.kind, "message")
        if kind not in kinds:
            kinds.append(kind)
    grouped: dict[tuple[bool, str], list[str]] = {}
    for (ok, recipient), kinds in by_outcome.items():
        grouped.setdefault((ok, words.listing(kinds)), []).append(recipient)
    parts = [
        f"{kinds} {'sent' if ok else 'not delivered'} to {words.listing(recipients)}"
        for (ok, kinds), recipients in grouped.items()
    ]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _spike_line(data: ReportData, s: SpikeWithAlerts) -> SpikeLine:
    started = local_moment(data, s.started_at)
    if s.ended_at is None:
        when = f"since {started} (ongoing)"
    else:
        end = data.window.local(s.ended_at)
        same_day = end.date() == data.window.local(s.started_at).date()
        when = f"{started} to {end:%H:%M}" if same_day else f"{started} to {words.moment(end)}"
    return SpikeLine(
        metric=words.SPIKE_METRICS.get(s.metric, words.category(s.metric)),
        severity=s.severity,
        when=when,
        peak=(
            f"highest {_spike_value(s.metric, s.observed)} against "
            f"{_spike_value(s.metric, s.expected)} expected"
        ),
        alerts=_alerts_summary(s.alerts),
    )


def _terms(data: ReportData) -> tuple[TermLine, ...]:
    grouped: dict[str, list[str]] = {}
    for t in data.terms:
        grouped.setdefault(t.category, []).append(
            f"{display_text(t.term, SHORT_LIMIT)} ({t.posts:,})"
        )
    return tuple(TermLine(category_label(c), ", ".join(v)) for c, v in grouped.items())


def _terms_note(data: ReportData) -> str:
    if not data.term_baseline_posts:
        return (
            f"There are no complaints of the previous {BASELINE_DAYS} days to compare with "
            "yet, so these are simply the words the day's complaints use most; in "
            "brackets, how many use each."
        )
    if not data.terms:
        return (
            "No word stands out: the day's complaints say what complaints of the previous "
            f"{BASELINE_DAYS} days said."
        )
    return (
        "Words used unusually often in the day's complaints, compared with the brand's "
        f"complaints of the same category in the previous {BASELINE_DAYS} days; in "
        "brackets, how many of the day's complaints use the word."
    )


def report_view(data: ReportData) -> ReportView:
    """What the report shows, from the warehouse's figures."""
    hl = data.headline
    complaints = len(data.complaints)
    return ReportView(
        title=title(data),
        as_of=as_of_line(data),
        note=empty_note(data),
        baseline_window=BASELINE_DAYS,
        baseline_note=(
            f"Usual day: the average of the {words.plural(hl.baseline_days, 'day')} with "
            f"figures among the {BASELINE_DAYS} before (shares over all their posts)."
        ),
        metrics=tuple(
            MetricLine(
                label=words.MEASURES[m.name],
                value=fmt_value(m),
                baseline=fmt_value(m, baseline=True),
                change=fmt_change(m),
                direction=direction(m),
                arrow=_ARROWS[direction(m)],
                colour=_direction_colour(m),
            )
            for m in hl.metrics
        ),
        reach_note=(
            f"The people who complained have {words.plural(hl.complaint_reach, 'follower')} "
            f"between them. The brand posted {words.plural(hl.brand_replies, 'reply', 'replies')}."
            + (
                f" {words.plural(hl.unscored, 'post')} in other languages "
                f"{'was' if hl.unscored == 1 else 'were'} not scored."
                if hl.unscored
                else ""
            )
        ),
        responses=tuple(response_lines(data)) if data.responses.complaints else (),
        overdue_heading=overdue_heading(data),
        overdue_rule=overdue_rule(data),
        overdue=tuple(_complaint_line(data, c, overdue=True) for c in data.overdue),
        loaded=hl.loaded,
        categories=tuple(
            CategoryLine(
                category_label(c.category),
                f"{words.count(c.complaints)} ({words.percent(c.share)})",
                words.count(c.complaint_reach),
            )
            for c in data.categories
        ),
        hours=(
            ", ".join(f"{p.local_hour:%H}:00 {p.complaints}" for p in data.hours if p.complaints)
            if any(p.complaints for p in data.hours)
            else None
        ),
        spikes=tuple(_spike_line(data, s) for s in data.spikes),
        top_complaints=tuple(_complaint_line(data, c, overdue=False) for c in data.top_complaints),
        terms=_terms(data),
        terms_note=_terms_note(data),
        attachment_note=(
            f"All {words.plural(complaints, 'complaint')} of the day are attached as a "
            "spreadsheet (CSV)."
            if complaints > 1
            else "The day's one complaint is attached as a spreadsheet (CSV)."
            if complaints == 1
            else "No spreadsheet attached: there were no complaints."
        ),
        sources=(
            f"Figures from the brandpulse warehouse; the chart shows the {REPORT_CHART_DAYS} "
            f"days to {data.window.day.day} {data.window.day:%b %Y}. At most "
            f"{MAX_OVERDUE_ROWS} unanswered complaints are listed."
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
        ["Measure", "The day", "Usual day", "Change"],
        [[m.label, m.value, m.baseline, f"{m.change} {m.direction}".strip()]
         for m in view.metrics],
    )  # fmt: skip
    responses_table = _text_table(["Measure", "Value"], [list(p) for p in view.responses])
    categories_table = _text_table(
        ["Category", "Complaints (share)", "Followers reached"],
        [[c.label, c.complaints, c.reach] for c in view.categories],
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
