"""The daily complaint report: figures against a small warehouse built here, hostile text,
short reports for empty days, delivery once per recipient, and when reports are due."""

from __future__ import annotations

import email
import email.policy
import math
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from pipeline import timeutil
from pipeline.errors import ConfigError, DeliveryError
from pipeline.notify.mailer import build_message
from pipeline.notify.report.data import gather
from pipeline.notify.report.options import ReportOptions, report_options
from pipeline.notify.report.render import direction, fmt_duration, render_text
from pipeline.notify.report.sending import due_reports, render_report, send_reports
from pipeline.notify.text import display_text
from pipeline.settings import Settings
from pipeline.steps.brands import load_brands
from pipeline.warehouse import connection, loads, marts
from pipeline.warehouse.responses import refresh_complaint_responses
from tests.fakes.smtp import free_port, use_smtp

NY = ZoneInfo("America/New_York")
DAY = date(2026, 10, 22)  # a Thursday; New York is UTC-4 (EDT)
BRANDS = """
version: 1
brands:
  - id: acme
    name: Acme Telecom
    timezone: America/New_York
    accounts: ["@AcmeCare"]
    terms: ["acme"]
    sources: {demo: {profile: telecom}}
    report:
      recipients: [lead@acme.example, deputy@acme.example]
      local_time: "08:00"
"""
HOSTILE = (
    "<script>alert('x')</script> \u202egnp.exe\u202c net\u200bwork down \u2066isolated\u2069 "
    + "A" * 5000
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    brands = tmp_path / "brands.yaml"
    brands.write_text(BRANDS, encoding="utf-8")
    monkeypatch.setenv("BRANDPULSE_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(brands))
    return Settings.from_env()


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """A New York wall-clock time as aware UTC."""
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=NY).astimezone(UTC)


def post(post_id: str, moment: datetime, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source": "demo", "post_id": post_id, "brand": "acme",
        "created_at": timeutil.naive_utc(moment), "brand_day": moment.astimezone(NY).date(),
        "author_id": f"u-{post_id}", "author_handle": f"user_{post_id}", "author_followers": 10,
        "text": "nice day", "lang": "en", "url": f"https://social.example/s/{post_id}",
        "conversation_id": post_id, "in_reply_to_post_id": None, "in_reply_to_author_id": None,
        "repost_of": None, "is_brand_reply": False, "kind": "original", "duplicate_of": None,
        "text_fingerprint": post_id, "compound": 0.0, "pos": 0.0, "neu": 1.0, "neg": 0.0,
        "sentiment": "neutral", "is_complaint": False, "complaint_score": 0.1,
        "complaint_category": None, "model_version": "test", "copy_candidate": True,
    }  # fmt: skip
    row.update(kw)
    return row


def complaint(post_id: str, moment: datetime, category: str, **kw: Any) -> dict[str, Any]:
    base = {"compound": -0.5, "sentiment": "negative", "is_complaint": True,
            "complaint_score": 0.9, "complaint_category": category}  # fmt: skip
    base.update(kw)
    return post(post_id, moment, **base)


def reply(post_id: str, moment: datetime, to: str) -> dict[str, Any]:
    return post(
        post_id, moment, author_id="care", author_handle="AcmeCare", author_followers=9000,
        text="@someone sorry, DM us", conversation_id=to, in_reply_to_post_id=to,
        in_reply_to_author_id=f"u-{to}", is_brand_reply=True, kind="brand_reply",
    )  # fmt: skip


def baseline_day(day: date, tag: str) -> list[dict[str, Any]]:
    """10 posts: 2 complaints, 1 other negative, 4 positive, 3 neutral (mean compound 0.07)."""
    rows = [
        complaint(f"{tag}c1", at(day, 9), "billing", text="bill wrong"),
        complaint(f"{tag}c2", at(day, 10), "billing", text="charged twice"),
        post(f"{tag}n", at(day, 11), compound=-0.3, sentiment="negative"),
    ]
    rows += [
        post(f"{tag}p{i}", at(day, 12 + i), compound=0.5, sentiment="positive") for i in range(4)
    ]
    rows += [post(f"{tag}z{i}", at(day, 17 + i)) for i in range(3)]
    return rows


def build(settings: Settings, rows: list[dict[str, Any]], days: list[date]) -> None:
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        if rows:
            con.register("incoming", pd.DataFrame(rows, columns=list(loads.POST_COLUMNS)))
            con.execute("insert into posts by name select * from incoming")
            con.unregister("incoming")
        marts.refresh_daily(con, settings.sql, "acme", timezone="America/New_York", days=days)
        lo, hi = at(min(days), 0), at(max(days) + timedelta(days=1), 0)
        hours = [lo + timedelta(hours=i) for i in range(int((hi - lo) / timedelta(hours=1)))]
        marts.refresh_hourly(con, settings.sql, "acme", hours)


@pytest.fixture
def full(env: Settings) -> Settings:
    """Two baseline days, then DAY with four complaints (one hostile), spikes and alerts."""
    d1, d2 = DAY - timedelta(days=2), DAY - timedelta(days=1)
    rows = baseline_day(d1, "a") + baseline_day(d2, "b")
    rows.append(reply("ra", at(d1, 9, 30), "ac1"))  # one baseline complaint answered
    rows += [
        complaint("c1", at(DAY, 10), "billing", author_followers=5000,
                  text="my bill is wrong, double charged again"),
        complaint("c2", at(DAY, 12), "billing", author_followers=100,
                  author_handle='x"><b>bold', url="javascript:alert(1)",
                  text="=HYPERLINK(\"http://evil\") charged twice and the bill is wrong"),
        complaint("c3", at(DAY, 14), "outage", author_followers=20000, text=HOSTILE),
        complaint("c4", at(DAY, 23, 30), "outage", author_followers=50,
                  text="network down since noon"),
        post("n1", at(DAY, 9), compound=-0.3, sentiment="negative"),
        *[post(f"p{i}", at(DAY, 15 + i), compound=0.5, sentiment="positive") for i in range(3)],
        reply("r1", at(DAY, 11, 30), "c1"),  # 90 min
        reply("r2", at(DAY, 16), "c2"),  # 4 h
        reply("r4", at(DAY + timedelta(days=1), 9), "c4"),  # after the report's 08:00
    ]  # fmt: skip
    build(env, rows, [d1, d2, DAY])
    with connection.open_for_write(env.warehouse, env.sql) as con:
        # Whatever refresh_daily derived (or not yet): the rows the report must show.
        con.execute("delete from brand_daily_categories where brand = 'acme' and day = ?", [DAY])
        con.execute(
            "insert into brand_daily_categories values"
            " ('acme', ?, 'billing', 2, 5100, 0.5), ('acme', ?, 'outage', 2, 20050, 0.5)",
            [DAY, DAY],
        )
        start = timeutil.naive_utc(at(DAY, 14))
        spike = f"acme:complaints:{start.isoformat()}"
        con.execute(
            "insert into spikes values (?, 'acme', 'complaints', ?, ?, ?, ?, 3, 0.4, 0.97,"
            " 'critical', 2, 'test')",
            [spike, start, start + timedelta(hours=1), start + timedelta(hours=2), start],
        )
        for i in range(2):
            con.execute(
                "insert into spike_hours values (?, 'acme', 'complaints', ?, 3, 0.4, 0.97,"
                " 'critical')",
                [spike, start + timedelta(hours=i)],
            )
        con.execute(
            "insert into alerts by name select ? as spike_id, 'acme' as brand,"
            " 'complaints' as metric, 'opened' as kind, 'critical' as severity,"
            " 'oncall@acme.example' as recipient, 'smtp' as channel, 'sent' as status,"
            " 1 as attempts, '<m@x>' as message_id, ? as claimed_at, ? as sent_at",
            [spike, start + timedelta(hours=1), start + timedelta(hours=1)],
        )
    return env


def test_headline_figures_against_the_previous_28_days(full: Settings) -> None:
    report = render_report(full, "acme", DAY)
    hl = report.data.headline
    assert hl.loaded and hl.baseline_days == 2
    got = {m.name: (m.value, m.baseline, m.change) for m in hl.metrics}
    assert got["posts"] == (8, 10, pytest.approx(-0.2))
    assert got["complaints"] == (4, 2, pytest.approx(1.0))
    assert got["complaint_share"] == (0.5, 0.2, pytest.approx(0.3))
    assert got["negative_share"] == (0.625, 0.3, pytest.approx(0.325))
    assert got["mean_compound"] == (
        pytest.approx(-0.1), pytest.approx(0.07), pytest.approx(-0.17),
    )  # fmt: skip
    assert [direction(m) for m in hl.metrics] == ["down", "up", "up", "up", "down"]
    assert hl.complaint_reach == 5000 + 100 + 20000 + 50
    for figure in ("-20 %", "+100 %", "50 %", "20 %", "+30 pts", "62 %", "-0.10", "-0.17"):
        assert figure in report.text, figure
        assert figure in report.html, figure


def test_response_performance_and_the_overdue_list(full: Settings) -> None:
    report = render_report(full, "acme", DAY)
    r = report.data.responses
    # c1 after 90 min, c2 after 4 h; c3 never; c4's reply comes after the 08:00 report.
    assert (r.complaints, r.answered, r.within_sla) == (4, 2, 2)
    assert r.answered_share == 0.5
    assert r.median_seconds == pytest.approx((5400 + 14400) / 2)
    assert r.p90_seconds == pytest.approx(5400 + 0.9 * 9000)
    for figure in ("2 h 45 min", "3 h 45 min", "2 (50 %)"):
        assert figure in report.text and figure in report.html, figure
    # Past the 24 h SLA at 08:00 on the 23rd: the three unanswered baseline complaints
    # (same reach), the longest past the SLA first; nothing of DAY yet. bc1 and bc2 went
    # past the SLA less than a day ago: new since the last report.
    assert report.data.overdue_total == 3 and report.data.overdue_new == 2
    assert [c.post_id for c in report.data.overdue] == ["ac2", "bc1", "bc2"]
    assert [c.new_breach for c in report.data.overdue] == [False, True, True]
    age = at(DAY + timedelta(days=1), 8) - at(DAY - timedelta(days=2), 10)
    assert report.data.overdue[0].age_seconds == int(age.total_seconds())
    assert report.data.overdue[0].past_sla_seconds == int(age.total_seconds()) - 86400
    assert (
        "Unanswered past the 24-hour target: 3 complaints from the last 7 days "
        "(2 new since the last report)"
    ) in report.text
    top = [c.post_id for c in report.data.top_complaints]
    assert top == ["c3", "c1", "c2", "c4"]
    assert [c.answered for c in report.data.top_complaints] == [False, True, True, False]


def test_charts_categories_spikes_terms_and_the_csv(full: Settings) -> None:
    report = render_report(full, "acme", DAY)
    data = report.data
    assert [(c.category, c.complaints) for c in data.categories] == [("billing", 2), ("outage", 2)]
    assert data.spike_days == (DAY,)
    assert [(s.metric, s.severity, len(s.alerts)) for s in data.spikes] == [
        ("complaints", "critical", 1)
    ]
    assert "Complaints per hour (critical)" in report.text
    assert "Alert sent to oncall@acme.example" in report.text and "smtp" not in report.text
    terms = {(t.category, t.term): t.posts for t in data.terms}
    # Against the two baseline days ("bill wrong", "charged twice" in each), the day's
    # billing complaints say "double" and "again" in no baseline post: those stand out;
    # "bill" and "charged" are what billing complaints always say.
    assert ("billing", "bill") not in terms and ("billing", "charged") not in terms
    assert ("billing", "the") not in terms and ("billing", "acme") not in terms
    assert sum(p.complaints for p in data.hours) == 4 and len(data.hours) == 24
    assert {i.cid.split(".")[0] for i in report.images} == {"daily", "categories", "hourly"}
    for image in report.images:
        assert image.png.startswith(b"\x89PNG")
        assert f'src="cid:{image.cid}"' in report.html
    rows = report.csv.decode("utf-8-sig").splitlines()
    assert len(rows) == 5 and rows[0].startswith("created_at_utc,created_at_local")
    assert "'=HYPERLINK" in report.csv.decode("utf-8-sig")  # no formula for spreadsheets


def test_hostile_post_text_is_escaped_neutralised_and_truncated(full: Settings) -> None:
    report = render_report(full, "acme", DAY)
    for part in (report.html, report.archive_html):
        assert "<script" not in part.lower()
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in part
        assert 'x"><b>' not in part and "x&quot;&gt;&lt;b&gt;bold" in part
        assert "javascript:" not in part
        assert "A" * 300 not in part and "A" * 200 in part
    for part in (report.html, report.text, report.csv.decode("utf-8-sig"), report.subject):
        assert not re.search("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]", part)
    assert "network down" in report.text and "A" * 300 not in report.text
    assert "A" * 5000 in report.csv.decode("utf-8-sig")  # the CSV keeps the whole post
    msg = build_message(report.email("lead@acme.example"), "brandpulse@example.com")
    html_part = msg.get_body(preferencelist=("html",))
    assert html_part is not None and "<script" not in html_part.get_content().lower()
    assert display_text("a\u202eb\u200bc\n\n d", 10) == "abc d"
    # Joiners stay: they build emoji (woman facepalming) and move no text.
    assert display_text("\U0001f926\u200d\u2640\ufe0f ok") == "\U0001f926\u200d\u2640\ufe0f ok"
    assert display_text("x" * 20, 10) == "x" * 9 + "…"


def test_the_email_carries_cid_images_and_the_csv(full: Settings) -> None:
    report = render_report(full, "acme", DAY)
    mail = report.email("lead@acme.example")
    assert mail.key == "report:acme:2026-10-22"
    parsed = email.message_from_bytes(
        bytes(build_message(mail, "brandpulse@example.com")), policy=email.policy.default
    )
    cids = {p["Content-ID"] for p in parsed.walk() if p.get_content_type() == "image/png"}
    assert cids == {f"<{i.cid}>" for i in report.images}
    names = [p.get_filename() for p in parsed.iter_attachments()]
    assert "brandpulse-acme-2026-10-22-complaints.csv" in names
    assert "Acme Telecom complaint report 2026-10-22: 4 complaints" in parsed["Subject"]


@pytest.mark.parametrize("case", ["not_loaded", "no_posts", "no_complaints", "empty_warehouse"])
def test_a_day_without_posts_or_complaints_gives_a_short_report(env: Settings, case: str) -> None:
    if case == "no_posts":
        build(env, [], [DAY])
    elif case == "no_complaints":
        build(env, [post("p", at(DAY, 10), compound=0.5, sentiment="positive")], [DAY])
    elif case == "not_loaded":
        build(env, baseline_day(DAY - timedelta(days=1), "b"), [DAY - timedelta(days=1)])
    report = render_report(env, "acme", DAY)
    expected = {
        "not_loaded": "No posts were loaded for this day",
        "empty_warehouse": "No posts were loaded for this day",
        "no_posts": "No posts about the brand were found on this day.",
        "no_complaints": "No complaints on this day.",
    }[case]
    assert expected in report.text and expected in report.html
    assert report.data.complaints == () and not report.email("x@y.example").attachments
    assert "<script" not in report.html and len(report.text) < 3000


def test_send_reports_once_per_recipient_and_resend(env: Settings) -> None:
    build(env, baseline_day(DAY, "d"), [DAY])
    first = send_reports(env, DAY, ["acme"], None)
    assert [(r.recipient, r.status, r.channel) for r in first] == [
        ("lead@acme.example", "sent", "outbox"), ("deputy@acme.example", "sent", "outbox"),
    ]  # fmt: skip
    assert len(list(env.outbox.glob("*.eml"))) == 2
    archived = env.reports / "acme" / "2026-10-22.html"
    assert "data:image/png;base64," in archived.read_text() and "cid:" not in archived.read_text()
    again = send_reports(env, DAY, ["acme"], None)
    assert [r.status for r in again] == ["skipped", "skipped"]
    forced = send_reports(env, DAY, ["acme"], None, resend=True)
    assert [r.status for r in forced] == ["sent", "sent"]
    assert [r.message_id for r in forced] == [r.message_id for r in first]
    con = connection.connect(env.warehouse, read_only=True)
    try:
        ledger = con.execute(
            "select recipient, channel, status, attempts, message_id, sent_at is not null"
            " from report_deliveries order by recipient"
        ).fetchall()
    finally:
        con.close()
    assert ledger == [
        ("deputy@acme.example", "outbox", "sent", 2, first[1].message_id, True),
        ("lead@acme.example", "outbox", "sent", 2, first[0].message_id, True),
    ]


def test_a_failed_delivery_is_recorded_and_retried_by_a_rerun(
    env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(env, baseline_day(DAY, "d"), [DAY])
    closed = use_smtp(monkeypatch, free_port())  # nothing listens there
    with pytest.raises(DeliveryError, match="2 report email"):
        send_reports(env, DAY, ["acme"], closed)
    con = connection.connect(env.warehouse, read_only=True)
    statuses = con.execute("select status, error is not null from report_deliveries").fetchall()
    con.close()
    assert statuses == [("failed", True), ("failed", True)]
    assert [r.status for r in send_reports(env, DAY, ["acme"], None)] == ["sent", "sent"]


def test_sla_from_overrides_and_bad_values_fail_naming_brand_and_field(env: Settings) -> None:
    build(env, baseline_day(DAY - timedelta(days=1), "b"), [DAY - timedelta(days=1)])
    brand = load_brands(env.brands_file).get("acme")
    assert report_options(brand) == ReportOptions(sla_hours=24.0)
    two = report_options(replace(brand, overrides={"report": {"sla_hours": 2}}))
    with connection.open_for_write(env.warehouse, env.sql) as con:
        refresh_complaint_responses(
            con, env.sql, "acme", at(DAY, 0) - timedelta(days=7), at(DAY, 0)
        )
        data = gather(con, env.sql, brand, DAY, two)
    # Past a 2 h SLA at 08:00: the day before's two complaints (posted 09:00 and 10:00).
    assert data.window.sla_hours == 2 and data.overdue_total == 2
    assert "Unanswered past the 2-hour target: 2 complaints" in render_text(data)
    for bad, fld in [({"sla_hours": 0}, "overrides.report.sla_hours"),
                     ({"sla_hours": True}, "overrides.report.sla_hours"),
                     ({"sla_hours": 24 * 7}, "overrides.report.sla_hours"),
                     ({"sla": 4}, "overrides.report.sla"),
                     (12, "overrides.report")]:  # fmt: skip
        with pytest.raises(ConfigError, match=f"brand 'acme', field '{re.escape(fld)}'"):
            report_options(replace(brand, overrides={"report": bad}))


def test_each_report_is_due_in_exactly_one_hourly_run_across_daylight_saving(
    env: Settings,
) -> None:
    # 2026-11-01: New York falls back from EDT to EST.
    start = datetime(2026, 10, 30, tzinfo=UTC)
    due = []
    for i in range(24 * 5):
        lo = start + timedelta(hours=i)
        for d in due_reports(env, lo, lo + timedelta(hours=1)):
            due.append((d.day, lo + timedelta(hours=1)))
    assert [d for d, _ in due] == [date(2026, 10, 29) + timedelta(days=i) for i in range(5)]
    sent_at = {d: when.astimezone(NY).strftime("%H:%M") for d, when in due}
    assert set(sent_at.values()) == {"08:00"}
    assert due_reports(env, at(DAY, 8) - timedelta(minutes=1), at(DAY, 8))[
        0
    ].day == DAY - timedelta(days=1)


def test_durations_read_naturally() -> None:
    assert [fmt_duration(s) for s in (None, 42, 600, 9900, 2 * 86400 + 3600)] == [
        "–", "42 s", "10 min", "2 h 45 min", "2 d 1 h",
    ]  # fmt: skip


@pytest.fixture(autouse=True)
def _quiet_matplotlib(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    yield


def test_the_unanswered_list_is_most_urgent_first_with_the_newest_breaches(
    env: Settings,
) -> None:
    """30 unanswered complaints past the SLA: 18 from 5-6 days ago, 12 that went past it in
    the last day. The list holds 20: the 10 most urgent new breaches (always), and the 10
    most urgent of the rest; all in order of urgency = log10(10 + followers) x (1 + days
    past the SLA)."""
    old_day, new_day = DAY - timedelta(days=5), DAY - timedelta(days=1)
    rows = [
        complaint(f"o{i}", at(old_day, 1 + i % 20), "billing", author_followers=10 * i)
        for i in range(18)
    ]
    rows += [
        complaint(f"n{i}", at(new_day, 9 + i % 12), "outage", author_followers=1000 * (i + 1))
        for i in range(12)
    ]
    days = [old_day + timedelta(days=i) for i in range(6)]
    build(env, rows, days)
    report = render_report(env, "acme", DAY)
    data = report.data
    assert (data.overdue_total, data.overdue_new) == (30, 12)
    listed = data.overdue
    assert len(listed) == 20 and sum(c.new_breach for c in listed) == 10
    # Independently: the urgency of every overdue complaint, as the docs define it.
    as_of = at(DAY + timedelta(days=1), 8)

    def urgency(row: dict[str, Any]) -> float:
        created = row["created_at"].replace(tzinfo=UTC)
        past = (as_of - created).total_seconds() - 86400
        return math.log10(10 + row["author_followers"]) * (1 + past / 86400)

    by_id = {r["post_id"]: r for r in rows}
    news = sorted((r for r in rows if r["post_id"][0] == "n"), key=urgency, reverse=True)
    olds = sorted((r for r in rows if r["post_id"][0] == "o"), key=urgency, reverse=True)
    expected = {r["post_id"] for r in news[:10] + olds[:10]}
    assert {c.post_id for c in listed} == expected
    scores = [urgency(by_id[c.post_id]) for c in listed]
    assert scores == sorted(scores, reverse=True)
    # The oldest complaint (no followers) waits longest but is not listed: the rule was
    # "oldest first", which showed only the 20 oldest and none of the new breaches.
    assert "o0" not in {c.post_id for c in listed}
    assert "20 most urgent are shown; the newest are always among them" in report.text
    assert report.text.count(" NEW\n") == 10


def test_the_report_speaks_plain_words(full: Settings) -> None:
    """No column names, internal metric ids, transport names, commands or paths; counts
    agree with their nouns; shares are whole percentages."""
    report = render_report(full, "acme", DAY)
    for part in (report.text, report.html, report.subject):
        for internal in ("negative_share", "complaint_share", "mean_compound", "brand_daily",
                         "complaint_responses", "spike_hours", "smtp", "outbox", "(s)",
                         "brandpulse report", "var/", ".venv", "SLA:"):  # fmt: skip
            assert internal not in part, (internal, part[:200])
        assert not re.search(r"\b1 (complaints|followers|days|replies)\b", part)
        assert not re.search(r"\d\.\d %", part), "shares are whole percentages"
    assert "Share of negative posts" in report.text and "Share of negative posts" in report.html
    assert "Complaints per hour (critical)" in report.text
