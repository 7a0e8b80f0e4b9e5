"""One alert email's subject, plain text, HTML and chart."""

from __future__ import annotations

import html
from datetime import datetime

from pipeline.config.model import BrandConfig
from pipeline.detect.store import Spike
from pipeline.notify import charts
from pipeline.notify.alerts.context import CHART_DAYS, AlertContext, clean_text

METRIC_LABEL = {
    "complaints": "complaints",
    "negative_share": "negative share",
    "volume": "post volume",
}


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
