"""The message templates (pipeline/notify/templates/): every one escapes hostile values, a
missing variable fails loudly, and they ship in the wheel as package data."""

from __future__ import annotations

import fnmatch
import importlib.resources
import re
import tomllib
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta

import jinja2
import pytest

from pipeline.config.model import BrandConfig
from pipeline.detect.store import Spike
from pipeline.notify import charts, templating
from pipeline.notify.alerts.context import AlertContext, MetricFigures, MetricSeries
from pipeline.notify.alerts.incident import Incident
from pipeline.notify.alerts.render import (
    AlertBody,
    AlertMessage,
    CategoryShare,
    ChartImage,
    PostLine,
    render_alert,
)
from pipeline.notify.operators import TaskFailure, failure_email
from pipeline.notify.report.data import (
    AlertRow,
    CategoryRow,
    ComplaintHour,
    ComplaintRow,
    Headline,
    Metric,
    ReportData,
    ReportOptions,
    ReportWindow,
    Responses,
    SpikeWithAlerts,
    TermRow,
)
from pipeline.notify.report.render import (
    CategoryLine,
    Chart,
    ComplaintLine,
    Image,
    MetricLine,
    SpikeLine,
    TermLine,
    render_html,
    render_text,
    report_view,
)
from pipeline.settings import PROJECT_ROOT

#: Post text as an attacker writes it: markup, an attribute break-out, bidi overrides and
#: isolates, a zero-width space.
HOSTILE = '<script>alert(1)</script> x"onmouseover=alert(2) \u202eevil\u202c \u2066i\u2069 z\u200bw'
#: A link that safe_url accepts, with a quote that must not end the href attribute.
HOSTILE_URL = 'https://evil.example/a?"onmouseover=alert(3)'
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\ufeff]")
T = datetime(2026, 10, 22, 9, tzinfo=UTC)


def template_names() -> set[str]:
    """The templates a message is rendered from (partials start with an underscore)."""
    return {n for n in templating.environment().list_templates() if not n.startswith("_")}


def brand(name: str = "Acme") -> BrandConfig:
    return BrandConfig(
        id="acme", name=name, timezone="Europe/Berlin", accounts=("@acme",), terms=("acme",),
        exclude=(), languages=("en",), sources=(), report_recipients=(),
        report_local_time="08:00", alert_recipients=(),
    )  # fmt: skip


def hostile_alert() -> tuple[str, str]:
    """The alert's HTML and plain text for an incident whose posts are hostile."""
    message = hostile_alert_message()
    return message.html, message.text


def hostile_alert_message(
    kind: str = "opened",
    report_link: str | None = 'https://r.example/"><script>',
    posts: tuple[tuple[str, int, str, str | None, datetime], ...] = (),
) -> AlertMessage:
    """The rendered alert (``kind``) of an incident whose posts are hostile; ``posts``
    come after its two."""
    spike = Spike(
        spike_id="acme:complaints", brand="acme", metric="complaints", started_at=T,
        last_hour=T + timedelta(hours=2), ended_at=None, peak_hour=T, observed=40,
        expected=5, score=9.0, severity="critical", hours=3,
    )  # fmt: skip
    figures = MetricFigures(
        metric="complaints", severity="critical", started_at=T, last_hour=spike.last_hour,
        ended_at=None, flagged_hours=3, worst_hour=T, worst_observed=40, worst_expected=5,
        busiest_hour=T, busiest_observed=40, excess=80,
    )  # fmt: skip
    series = MetricSeries("complaints", [T], [1.0], [1.0], [0.0], [3.0], [])
    ctx = AlertContext(
        figures=[figures], series=[series],
        posts=[(HOSTILE, 10, HOSTILE, HOSTILE_URL, T), ("b", 1, "b", "javascript:alert(4)", T),
               *posts],
        categories=[(HOSTILE, 3, 0.5)], terms=[("outage", 2)], report_link=report_link,
    )  # fmt: skip
    incident = Incident((spike,), spike, "critical")
    return render_alert(brand('Acme <script>"'), incident, kind, "critical", ctx)


def hostile_report_data() -> ReportData:
    """A full report whose complaints, handles, categories and terms are hostile."""
    window = ReportWindow.of(brand('Acme <script>"'), date(2026, 10, 22), ReportOptions())
    complaint = ComplaintRow(
        source="demo", post_id="p1", created_at=T.replace(tzinfo=None), author_handle=HOSTILE,
        author_followers=100, category=HOSTILE, url=HOSTILE_URL, text=HOSTILE,
        complaint_score=0.9, compound=-0.5, answered=False, first_reply_at=None,
        response_seconds=None, age_seconds=90_000,
    )  # fmt: skip
    unsafe_link = replace(complaint, post_id="p2", url="javascript:alert(5)")
    alert = AlertRow("opened", "critical", "a@b.example", "smtp", "sent", T)
    metrics = tuple(
        Metric(name, 1.0, 0.5, 1.0)
        for name in ("posts", "complaints", "complaint_share", "negative_share", "mean_compound")
    )
    return ReportData(
        window=window,
        headline=Headline(True, 28, metrics, 100, 1),
        days=(),
        spike_days=(),
        hours=(ComplaintHour(datetime(2026, 10, 22, 11), 2),),
        categories=(CategoryRow(HOSTILE, 2, 100, 1.0),),
        terms=(TermRow(HOSTILE, HOSTILE, 2),),
        term_baseline_posts=5,
        spikes=(
            SpikeWithAlerts(
                "s", "acme", "complaints", T, T, None, T, 40, 5, 9, "critical", 3, (alert,)
            ),
        ),
        responses=Responses(2, 0, 0.0, 0, 0.0, None, None),
        overdue_total=2,
        overdue_new=1,
        backlog_loaded_days=7,
        overdue=(complaint, unsafe_link),
        top_complaints=(complaint, unsafe_link),
        complaints=(complaint, unsafe_link),
    )


def hostile_report() -> tuple[str, str]:
    data = hostile_report_data()
    chart = Chart("daily", "daily@x", 'chart "><script>')
    return render_html(data, [chart]), render_text(data)


def hostile_notice() -> tuple[str, str]:
    """An operators' notice about a failed task whose every field is hostile (an error
    message can quote a post)."""
    failure = TaskFailure(HOSTILE, HOSTILE, HOSTILE, 1, HOSTILE, logical_date=HOSTILE)
    message = failure_email(failure, "ops@example.com")
    return message.html, message.text


#: Each message template, rendered by its real renderer from hostile input.
RENDERED: dict[str, Callable[[], str]] = {
    "alert.html": lambda: hostile_alert()[0],
    "alert.txt": lambda: hostile_alert()[1],
    "report.html": lambda: hostile_report()[0],
    "report.txt": lambda: hostile_report()[1],
    "notice.html": lambda: hostile_notice()[0],
    "notice.txt": lambda: hostile_notice()[1],
}


@pytest.fixture(autouse=True)
def no_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The alert's chart is not what is tested here (and matplotlib is slow to import)."""
    monkeypatch.setattr(charts, "time_series", lambda *a, **k: b"\x89PNG")
    monkeypatch.setattr(charts, "incident_chart", lambda *a, **k: b"\x89PNG")


def test_every_message_template_is_rendered_here() -> None:
    assert template_names() == set(RENDERED)


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_hostile_values_are_escaped_or_cleaned(name: str) -> None:
    out = RENDERED[name]()
    assert not BIDI.search(out), "bidi and invisible controls are removed"
    if name.endswith(".html"):
        assert "<script" not in out.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
        assert '"onmouseover' not in out and "&quot;onmouseover=alert(2)" in out
        assert "javascript:" not in out
        if not name.startswith("notice"):  # an operators' notice links nothing
            assert 'href="https://evil.example/a?&quot;onmouseover=alert(3)"' in out
    else:
        assert "<script>alert(1)</script>" in out and "&lt;" not in out  # text is not escaped


def test_each_html_template_escapes_every_value_itself() -> None:
    """Escaping is the templates' own: views whose every string is hostile, given directly."""
    line = ComplaintLine(HOSTILE, HOSTILE, True, True, HOSTILE, HOSTILE, HOSTILE, HOSTILE,
                         HOSTILE_URL, HOSTILE)  # fmt: skip
    report = report_view(hostile_report_data())
    report = replace(
        report,
        title=HOSTILE,
        note=HOSTILE,
        overdue_heading=HOSTILE,
        overdue_rule=HOSTILE,
        overdue=(line,),
        top_complaints=(line,),
        attachment_note=HOSTILE,
        responses=((HOSTILE, HOSTILE),),
        baseline_note=HOSTILE,
        reach_note=HOSTILE,
        terms_note=HOSTILE,
        sources=HOSTILE,
        spikes=(SpikeLine(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE),),
        categories=(CategoryLine(HOSTILE, HOSTILE, HOSTILE),),
        terms=(TermLine(HOSTILE, HOSTILE),),
        metrics=(MetricLine(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, "#000"),),
    )
    alert = AlertBody(
        title=HOSTILE, headline=HOSTILE, colour="#000", facts=((HOSTILE, HOSTILE),),
        charts=(ChartImage(HOSTILE, HOSTILE),),
        categories=(CategoryShare(HOSTILE, 1, HOSTILE),), terms=HOSTILE,
        posts=(PostLine(HOSTILE, HOSTILE, HOSTILE, HOSTILE_URL, HOSTILE_URL),),
        report_link=HOSTILE,
    )  # fmt: skip
    images = {"daily": Image(HOSTILE, HOSTILE), "hourly": Image(HOSTILE, HOSTILE)}
    for out in (
        templating.render("report.html", report, images=images),
        templating.render("alert.html", alert),
    ):
        assert "<script" not in out and '"onmouseover' not in out
        assert out.count("&lt;script&gt;alert(1)&lt;/script&gt; x&quot;onmouseover") >= 5
    report_html = templating.render("report.html", report, images=images)
    # Every hostile field of the view, escaped: the spike's, the category's, the term's...
    assert report_html.count("&lt;script&gt;alert(1)&lt;/script&gt; x&quot;onmouseover") >= 30


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_a_missing_variable_fails_loudly(name: str) -> None:
    with pytest.raises(jinja2.UndefinedError):
        templating.environment().get_template(name).render()


def test_a_view_without_one_field_fails_loudly() -> None:
    view = report_view(hostile_report_data())
    values = {f.name: getattr(view, f.name) for f in fields(view) if f.name != "sources"}
    template = templating.environment().get_template("report.html")
    with pytest.raises(jinja2.UndefinedError, match="sources"):
        template.render(values, images={})


def test_no_template_turns_escaping_off() -> None:
    folder = importlib.resources.files("pipeline.notify") / templating.TEMPLATES
    for entry in folder.iterdir():
        source = entry.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|autoescape\s+false|Markup", source), entry.name


def test_the_templates_ship_in_the_wheel() -> None:
    """Every file of the templates folder matches pyproject's package data for the package,
    and the environment finds each one through the installed package."""
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as fh:
        package_data = tomllib.load(fh)["tool"]["setuptools"]["package-data"]["pipeline.notify"]
    folder = importlib.resources.files("pipeline.notify") / templating.TEMPLATES
    files = {entry.name for entry in folder.iterdir() if entry.is_file()}
    assert template_names() <= files and {"_layout.html", "_tables.html"} <= files
    for name in files:
        path = f"{templating.TEMPLATES}/{name}"
        assert any(fnmatch.fnmatch(path, pattern) for pattern in package_data), path
    assert set(templating.environment().list_templates()) == files


def test_the_environment_is_built_once() -> None:
    assert templating.environment() is templating.environment()
