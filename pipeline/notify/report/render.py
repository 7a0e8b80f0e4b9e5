"""The daily complaint report as HTML, plain text and CSV, from :class:`ReportData`.

Post text, handles and links are written by strangers: every one of them goes through
:func:`clean` (bidi controls, zero-width and other invisible format characters removed,
whitespace collapsed, length capped) and, in HTML, :func:`html.escape`. Links are shown
only when they are plain ``http(s)`` URLs. The HTML is what mail clients render well:
tables and inline styles, no scripts, no external resources, images by ``cid:``. The plain
text carries the same figures, formatted by the same functions.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from pipeline.notify.report.data import (
    BASELINE_DAYS,
    CHART_DAYS,
    ComplaintRow,
    Metric,
    ReportData,
)
from pipeline.notify.report.options import BACKLOG_DAYS

#: Characters of post text shown in the report (a tweet's 280; the CSV has the full text).
TEXT_LIMIT = 280
#: Characters of handles, categories and other short fields (X allows 15, Bluesky 253).
SHORT_LIMIT = 64
#: Longest link shown in full; longer ones keep their start.
URL_LIMIT = 200

_ELLIPSIS = "…"

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
INK, MUTED, RULE, HEAD_BG = "#1f2937", "#6b7280", "#e5e7eb", "#f3f4f6"
FONT = "font-family:Arial,Helvetica,sans-serif"


#: Format characters that are kept: zero-width non-joiner and joiner.
_JOINERS = frozenset("\u200c\u200d")


def clean(text: str | None, limit: int = TEXT_LIMIT) -> str:
    """Text safe to show: no control or invisible format characters, one line, capped.

    Removes every Unicode format character (category Cf: the bidi embeddings, overrides and
    isolates U+202A-U+202E and U+2066-U+2069, the marks U+200E/U+200F/U+061C, zero-width
    spaces U+200B, U+2060, U+FEFF, soft hyphens, tag characters) except the joiners U+200C
    and U+200D (they build emoji like 🤦‍♀️ and shape Indic and Arabic scripts, and move no
    text), and control characters; collapses whitespace, and cuts to ``limit`` characters
    with an ellipsis. Not escaped: use :func:`h` for HTML.
    """
    if not text:
        return ""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace()
        or ch in _JOINERS
        or unicodedata.category(ch) not in {"Cf", "Cc", "Co", "Cs"}
    )
    one_line = " ".join(kept.split())
    if len(one_line) > limit:
        return one_line[: limit - 1].rstrip() + _ELLIPSIS
    return one_line


def h(text: str | None, limit: int = TEXT_LIMIT) -> str:
    """:func:`clean`, then HTML-escaped (quotes too, so it is safe in attributes)."""
    return html.escape(clean(text, limit), quote=True)


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) link without whitespace or invisible characters."""
    if not url:
        return None
    if url != clean(url, len(url) + 1) or " " in url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return url


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
    return clean(category or "uncategorized", SHORT_LIMIT).replace("_", " ")


# -- the parts both renderings share ----------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """An inline chart: which one (``daily``, ``categories``, ``hourly``), its cid, its alt text."""

    name: str
    cid: str
    alt: str


def title(data: ReportData) -> str:
    w = data.window
    return f"{clean(w.brand_name, SHORT_LIMIT)}: complaints on {w.day:%A %d %B %Y}"


def subject(data: ReportData) -> str:
    w = data.window
    if not data.headline.loaded:
        return f"{clean(w.brand_name, SHORT_LIMIT)} complaint report {w.day}: no data loaded"
    complaints = data.headline.get("complaints").value
    return (
        f"{clean(w.brand_name, SHORT_LIMIT)} complaint report {w.day}: "
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


# -- HTML -------------------------------------------------------------------------------

_TABLE = (
    'role="presentation" cellpadding="0" cellspacing="0" border="0" '
    f'style="border-collapse:collapse;width:100%;{FONT};font-size:13px;color:{INK}"'
)
_TH = (
    f'style="text-align:left;padding:6px 8px;background:{HEAD_BG};'
    f'border-bottom:1px solid {RULE};font-weight:bold"'
)
_TD = f'style="padding:6px 8px;border-bottom:1px solid {RULE};vertical-align:top"'
_TD_NUM = (
    f'style="padding:6px 8px;border-bottom:1px solid {RULE};vertical-align:top;'
    'text-align:right;white-space:nowrap"'
)
_TD_TEXT = (
    f'style="padding:6px 8px;border-bottom:1px solid {RULE};vertical-align:top;'
    'word-break:break-word;overflow-wrap:anywhere"'
)
_H2 = f'style="{FONT};font-size:16px;color:{INK};margin:24px 0 8px 0"'
_P = f'style="{FONT};font-size:13px;color:{INK};margin:4px 0"'
_P_MUTED = f'style="{FONT};font-size:12px;color:{MUTED};margin:4px 0"'


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool]) -> str:
    """A table from already-escaped cells."""
    out = [f"<table {_TABLE}><tr>"]
    out += [f"<th {_TH}>{cell}</th>" for cell in head]
    out.append("</tr>")
    for row in rows:
        out.append("<tr>")
        for cell, num in zip(row, numeric, strict=True):
            out.append(f"<td {_TD_NUM if num else _TD_TEXT}>{cell}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _link(url: str | None, label: str) -> str:
    safe = safe_url(url)
    if safe is None:
        return html.escape(label)
    return (
        f'<a href="{html.escape(safe, quote=True)}" style="color:#2563eb">{html.escape(label)}</a>'
    )


def _complaint_rows_html(data: ReportData, rows: Sequence[ComplaintRow], *, age: bool) -> str:
    head = ["Posted (local)", "Age" if age else "First reply after", "Author", "Followers",
            "Category", "Complaint", "Link"]  # fmt: skip
    body = []
    for c in rows:
        wait = fmt_duration(c.age_seconds) if age else (
            fmt_duration(c.response_seconds) if c.answered else "not answered"
        )  # fmt: skip
        body.append(
            [
                html.escape(local_str(data, c.created_at)),
                html.escape(wait),
                "@" + h(c.author_handle, SHORT_LIMIT),
                html.escape(fmt_int(c.author_followers)),
                html.escape(category_label(c.category)),
                h(c.text),
                _link(c.url, "open"),
            ]
        )
    return _table(head, body, [False, True, False, True, False, False, False])


def _img(chart: Chart, image_src: Callable[[str], str]) -> str:
    return (
        f'<img src="{html.escape(image_src(chart.cid), quote=True)}" '
        f'alt="{html.escape(chart.alt, quote=True)}" width="640" '
        'style="display:block;width:100%;max-width:640px;height:auto;border:0">'
    )


def render_html(
    data: ReportData,
    charts: Sequence[Chart],
    image_src: Callable[[str], str] = lambda cid: f"cid:{cid}",
) -> str:
    """The report as one HTML document (images by ``image_src(cid)``: ``cid:`` for email)."""
    w = data.window
    by_cid = {c.name: c for c in charts}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title(data))}</title></head>",
        f'<body style="margin:0;padding:0;background:#ffffff;{FONT};color:{INK}">',
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%">'
        '<tr><td align="center" style="padding:16px">',
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="640" '
        'style="max-width:640px;width:100%"><tr><td>',
        f'<h1 style="{FONT};font-size:20px;color:{INK};margin:0 0 4px 0">'
        f"{html.escape(title(data))}</h1>",
        f"<p {_P_MUTED}>{html.escape(as_of_line(data))}</p>",
    ]
    note = empty_note(data)
    if note:
        parts.append(f"<p {_P}><strong>{html.escape(note)}</strong></p>")

    # Headline
    hl = data.headline
    parts.append(f"<h2 {_H2}>Yesterday against the previous {BASELINE_DAYS} days</h2>")
    rows = []
    for m in hl.metrics:
        colour = _direction_colour(m)
        d = direction(m)
        change = (
            f'<span style="color:{colour};font-weight:bold">{_ARROWS[d]} '
            f'{html.escape(fmt_change(m))}</span> <span style="color:{MUTED}">{d}</span>'
        )
        rows.append(
            [html.escape(LABELS[m.name]), html.escape(fmt_value(m)),
             html.escape(fmt_value(m, baseline=True)), change]
        )  # fmt: skip
    parts.append(
        _table(["Measure", "Yesterday", f"{BASELINE_DAYS}-day baseline", "Change"], rows,
               [False, True, True, True])
    )  # fmt: skip
    parts.append(
        f"<p {_P_MUTED}>Baseline: daily mean of posts and complaints, pooled rates over the "
        f"{hl.baseline_days} day(s) stored of the previous {BASELINE_DAYS}. Complainers' "
        f"reach: {fmt_int(hl.complaint_reach)} followers; brand replies posted: "
        f"{fmt_int(hl.brand_replies)}.</p>"
    )
    if "daily" in by_cid:
        parts.append(_img(by_cid["daily"], image_src))

    # Responses (yesterday's complaints), then the backlog past the SLA (any recent day)
    parts.append(f"<h2 {_H2}>How fast the brand answered</h2>")
    if data.responses.complaints:
        parts.append(
            _table(["Yesterday's complaints", ""],
                   [[html.escape(k), html.escape(v)] for k, v in response_lines(data)],
                   [False, True])
        )  # fmt: skip
        parts.append(
            f"<p {_P_MUTED}>A complaint is answered when one of the brand's accounts replied "
            "to it (or to its author in its thread) before the time above; times are from "
            "complaint to first reply.</p>"
        )
    else:
        parts.append(f"<p {_P}>No complaints to answer on this day.</p>")
    parts.append(f"<h3 {_H2}>{html.escape(overdue_heading(data))}</h3>")
    if data.overdue:
        parts.append(_complaint_rows_html(data, data.overdue, age=True))
    else:
        parts.append(f"<p {_P}>None: every complaint past the SLA was answered.</p>")

    if hl.loaded:
        # Charts of the day
        if "categories" in by_cid:
            parts.append(f"<h2 {_H2}>Complaints by category</h2>")
            parts.append(_img(by_cid["categories"], image_src))
        if data.categories:
            parts.append(
                _table(
                    ["Category", "Complaints", "Share", "Reach"],
                    [[html.escape(category_label(c.category)), fmt_int(c.complaints),
                      fmt_pct(c.share), fmt_int(c.complaint_reach)] for c in data.categories],
                    [False, True, True, True],
                )
            )  # fmt: skip
        if "hourly" in by_cid:
            parts.append(f"<h2 {_H2}>Yesterday's complaints by hour</h2>")
            parts.append(_img(by_cid["hourly"], image_src))

        # Spikes and alerts
        parts.append(f"<h2 {_H2}>Spikes and alerts</h2>")
        if data.spikes:
            srows = []
            for s in data.spikes:
                sent = (
                    ", ".join(
                        f"{a.kind} to {a.recipient} ({a.channel}, {a.status})" for a in s.alerts
                    )
                    or "no alert sent"
                )
                srows.append(
                    [html.escape(s.metric), html.escape(s.severity),
                     html.escape(local_str(data, s.started_at)),
                     html.escape(local_str(data, s.ended_at) if s.ended_at else "ongoing"),
                     html.escape(f"{s.observed:g} vs {s.expected:g}"), html.escape(sent)]
                )  # fmt: skip
            parts.append(
                _table(["Metric", "Severity", "Started", "Ended", "Peak (observed vs expected)",
                        "Alerts"], srows, [False, False, False, False, True, False])
            )  # fmt: skip
        else:
            parts.append(f"<p {_P}>No spike on this day.</p>")

        # Top complaints and terms
        if data.top_complaints:
            parts.append(f"<h2 {_H2}>Top complaints by reach</h2>")
            parts.append(_complaint_rows_html(data, data.top_complaints, age=False))
        if data.terms:
            parts.append(f"<h2 {_H2}>Top complaint terms per category</h2>")
            grouped: dict[str, list[str]] = {}
            for t in data.terms:
                grouped.setdefault(t.category, []).append(
                    f"{clean(t.term, SHORT_LIMIT)} ({t.posts})"
                )
            parts.append(
                _table(["Category", "Terms (complaints using them)"],
                       [[html.escape(category_label(c)), html.escape(", ".join(v))]
                        for c, v in grouped.items()], [False, False])
            )  # fmt: skip
    csv_note = (
        f"The {len(data.complaints):,} complaint(s) of the day are attached as CSV."
        if data.complaints
        else "No CSV attached: there were no complaints."
    )
    parts.append(f"<p {_P_MUTED} >{html.escape(csv_note)} {html.escape(_sources_line(w.day))}</p>")
    parts.append("</td></tr></table></td></tr></table></body></html>")
    return "\n".join(parts)


def _sources_line(day: object) -> str:
    return (
        f"Figures from the brandpulse warehouse: brand_daily, brand_hourly, "
        f"brand_daily_categories, spikes, alerts, complaint_responses and posts "
        f"(chart: {CHART_DAYS} days to {day})."
    )


# -- plain text -------------------------------------------------------------------------


def _text_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)).rstrip()

    return [line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _complaint_lines(data: ReportData, rows: Sequence[ComplaintRow], *, age: bool) -> list[str]:
    out = []
    for i, c in enumerate(rows, 1):
        wait = (
            f"age {fmt_duration(c.age_seconds)}"
            if age
            else (
                f"answered after {fmt_duration(c.response_seconds)}"
                if c.answered
                else "not answered"
            )
        )
        out.append(
            f"{i:>2}. {local_str(data, c.created_at)}  @{clean(c.author_handle, SHORT_LIMIT)}"
            f" ({fmt_int(c.author_followers)} followers)  {category_label(c.category)}  {wait}"
        )
        out.append(f"    {clean(c.text)}")
        url = safe_url(c.url)
        if url:
            out.append(f"    {clean(url, URL_LIMIT)}")
    return out


def render_text(data: ReportData) -> str:
    """The plain-text part: the same figures as the HTML."""
    w = data.window
    out = [title(data), as_of_line(data), ""]
    note = empty_note(data)
    if note:
        out += [note, ""]
    hl = data.headline
    out.append(f"YESTERDAY AGAINST THE PREVIOUS {BASELINE_DAYS} DAYS")
    out += _text_table(
        ["Measure", "Yesterday", f"{BASELINE_DAYS}-day baseline", "Change"],
        [[LABELS[m.name], fmt_value(m), fmt_value(m, baseline=True),
          f"{fmt_change(m)} {direction(m)}".strip()] for m in hl.metrics],
    )  # fmt: skip
    out.append(
        f"Baseline over {hl.baseline_days} stored day(s). Complainers' reach: "
        f"{fmt_int(hl.complaint_reach)} followers; brand replies posted: "
        f"{fmt_int(hl.brand_replies)}."
    )
    out += ["", "HOW FAST THE BRAND ANSWERED (yesterday's complaints)"]
    if data.responses.complaints:
        out += _text_table(["Measure", "Value"], [list(p) for p in response_lines(data)])
    else:
        out.append("No complaints to answer on this day.")
    out += ["", overdue_heading(data)]
    out += _complaint_lines(data, data.overdue, age=True) or [
        "None: every complaint past the SLA was answered."
    ]
    if hl.loaded:
        if data.categories:
            out += ["", "COMPLAINTS BY CATEGORY"]
            out += _text_table(
                ["Category", "Complaints", "Share", "Reach"],
                [[category_label(c.category), fmt_int(c.complaints), fmt_pct(c.share),
                  fmt_int(c.complaint_reach)] for c in data.categories],
            )  # fmt: skip
        if data.hours and any(p.complaints for p in data.hours):
            out += ["", "YESTERDAY'S COMPLAINTS BY HOUR (local)"]
            out.append("  ".join(f"{p.local_hour:%H}h:{p.complaints}" for p in data.hours))
        out += ["", "SPIKES AND ALERTS"]
        if data.spikes:
            for s in data.spikes:
                end = local_str(data, s.ended_at) if s.ended_at else "ongoing"
                out.append(
                    f"- {s.metric} {s.severity}: {local_str(data, s.started_at)} to {end}, "
                    f"peak {s.observed:g} vs {s.expected:g} expected"
                )
                for a in s.alerts:
                    out.append(f"    alert {a.kind} to {a.recipient} ({a.channel}, {a.status})")
                if not s.alerts:
                    out.append("    no alert sent")
        else:
            out.append("No spike on this day.")
        if data.top_complaints:
            out += ["", "TOP COMPLAINTS BY REACH"]
            out += _complaint_lines(data, data.top_complaints, age=False)
        if data.terms:
            out += ["", "TOP COMPLAINT TERMS PER CATEGORY"]
            grouped: dict[str, list[str]] = {}
            for t in data.terms:
                grouped.setdefault(t.category, []).append(
                    f"{clean(t.term, SHORT_LIMIT)} ({t.posts})"
                )
            out += [f"- {category_label(c)}: {', '.join(v)}" for c, v in grouped.items()]
    out.append("")
    out.append(
        f"The {len(data.complaints):,} complaint(s) of the day are attached as CSV."
        if data.complaints
        else "No CSV attached: there were no complaints."
    )
    out.append(_sources_line(w.day))
    return "\n".join(out) + "\n"


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
    value = clean(text, 10_000) if text else ""
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
