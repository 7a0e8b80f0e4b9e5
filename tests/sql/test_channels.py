"""Alerts and reports to Slack, Teams and a generic webhook, and email through Airflow's SMTP
provider, against real servers on 127.0.0.1: each service's payload format, the same
exactly-once ledger per channel and recipient, failures retried, secrets never stored.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.errors import DeliveryError
from pipeline.notify.channels.digest import digest, teams_escape
from pipeline.notify.mailer import MAY_HAVE_ARRIVED
from pipeline.notify.report.sending import render_report, send_reports
from pipeline.settings import Settings
from pipeline.steps import alerting
from pipeline.warehouse import connection, loads, marts
from tests.conftest import pebble_brands, write_brands
from tests.dbdump import dump
from tests.fakes.chat import (
    SLACK_PATH,
    TEAMS_PATH,
    WEBHOOK_PATH,
    FakeSlack,
    FakeTeams,
    FakeWebhook,
    webhook_connection,
)
from tests.fakes.server import Fault, serve
from tests.fakes.smtp import free_port, smtp_server, use_smtp
from tests.sql import test_alert_threads as threads
from tests.sql.test_alert_threads import loaded  # noqa: F401 (the fixture)
from tests.sql.test_alerts import DAYS, T0, _posts

WINDOW = (T0, T0 + timedelta(days=DAYS))
EMAIL = "oncall@pebble.example"
HMAC_SECRET = "whsec-canary-0123456789"
CHANNELS = [EMAIL, {"slack": "care_slack"}, {"teams": "pr_teams"}, {"webhook": "pager"}]
KEYS = [EMAIL, "slack:care_slack", "teams:pr_teams", "webhook:pager"]


def _load(s: Settings) -> None:
    record = loads.LoadRecord("demo", "pebble", T0, WINDOW[1], "/l", 0, 0, 0, 0, "test")
    empty_q = pd.DataFrame(columns=["record_no", "post_id", "reason", "raw"])
    with connection.open_for_write(s.warehouse, s.sql) as con:
        loads.replace_interval(con, record, _posts(), empty_q)
        hours = [T0 + timedelta(hours=h) for h in range(DAYS * 24)]
        marts.refresh_hourly(con, s.sql, "pebble", hours)


def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **brand: Any) -> Settings:
    brands = write_brands(
        tmp_path / "brands.yaml", pebble_brands(accounts=["@PebbleMobile"], **brand)
    )
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(brands))
    s = Settings.from_env()
    _load(s)
    return s


class Receivers:
    def __init__(self, slack: FakeSlack, teams: FakeTeams, webhook: FakeWebhook) -> None:
        self.slack, self.teams, self.webhook = slack, teams, webhook
        self.webhook_url = self.slack_url = ""


@pytest.fixture
def receivers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receivers]:
    """The three fake services, with their Connections set as the command line reads them."""
    r = Receivers(FakeSlack(), FakeTeams(), FakeWebhook(secret=HMAC_SECRET))
    with ExitStack() as stack:
        slack = stack.enter_context(serve(r.slack))
        teams = stack.enter_context(serve(r.teams))
        hook = stack.enter_context(serve(r.webhook))
        r.webhook_url, r.slack_url = hook + WEBHOOK_PATH, slack + SLACK_PATH
        monkeypatch.setenv("AIRFLOW_CONN_CARE_SLACK", webhook_connection(slack + SLACK_PATH))
        monkeypatch.setenv(
            "AIRFLOW_CONN_PR_TEAMS", webhook_connection(teams + TEAMS_PATH, timeout=1)
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_PAGER",
            webhook_connection(hook + WEBHOOK_PATH, hmac_secret=HMAC_SECRET, timeout=1),
        )
        yield r


def _ledger(s: Settings) -> list[tuple[Any, ...]]:
    con = connection.connect(s.warehouse, read_only=True)
    try:
        return con.execute(
            "select recipient, metric, kind, status, attempts, channel from alerts"
            " where status <> 'included' order by recipient, metric, kind"
        ).fetchall()
    finally:
        con.close()


def test_an_alert_goes_once_to_each_channel_in_its_format(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, receivers: Receivers
) -> None:
    s = _settings(tmp_path, monkeypatch, alerts={"recipients": CHANNELS})
    with smtp_server() as (inbox, port):
        smtp = use_smtp(monkeypatch, port)
        summary = alerting.evaluate(s, smtp, window=WINDOW)
        # Complaints and the share of negative posts spiked together: one incident, one
        # message per recipient.
        assert summary.failed == 0 and summary.sent == 4
        alerting.evaluate(s, smtp, window=WINDOW)  # a rerun sends nothing more
        alerting.evaluate(s, smtp)
    assert len(inbox.messages) == 1
    assert len(receivers.slack.received) == len(receivers.teams.received) == 1
    assert len(receivers.webhook.received) == 1
    assert sorted({(r[0], r[3], r[4], r[5]) for r in _ledger(s)}) == [
        ("oncall@pebble.example", "sent", 1, "smtp"),
        ("slack:care_slack", "sent", 1, "slack"),
        ("teams:pr_teams", "sent", 1, "teams"),
        ("webhook:pager", "sent", 1, "webhook"),
    ]
    # Slack: Block Kit; the subject as header, the headline and the facts, posts quoted,
    # and everything a stranger wrote mrkdwn-escaped.
    slack = next(p for p in receivers.slack.received if "complaints" in p["text"].lower())
    header, headline = slack["blocks"][0], slack["blocks"][1]
    assert header["type"] == "header" and "Pebble Mobile" in header["text"]["text"]
    assert "expected" in headline["text"]["text"]
    facts = next(b for b in slack["blocks"] if "fields" in b)["fields"]
    assert any(f["text"].startswith("*Severity*") for f in facts)
    dumped = str(slack)
    assert "<script>" not in dumped and "&lt;script&gt;" in dumped
    assert "<b>loud</b>" not in dumped and "&lt;b&gt;loud&lt;/b&gt;" in dumped
    assert "\u202e" not in dumped
    # Teams: one Adaptive Card, facts as a FactSet, markup escaped.
    card = receivers.teams.received[0]["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert any(e["type"] == "FactSet" for e in card["body"])
    teams_text = " ".join(e.get("text", "") for e in card["body"])
    assert "\\<script\\>" in teams_text and "<script>" not in teams_text
    # Webhook: the documented schema, signed (the fake checks the HMAC), keyed for dedup.
    doc = receivers.webhook.received[0]
    assert doc["event"] == "alert" and doc["key"].startswith("alert:pebble:")
    assert receivers.webhook.headers[0]["x-brandpulse-signature"].startswith("sha256=")
    spikes = {m.message["X-Brandpulse-Spike"] for m in inbox.messages}
    assert {d["key"].split(":opened:")[0] for d in receivers.webhook.received} == {
        f"alert:{spike}" for spike in spikes
    }


def test_failed_channels_are_recorded_and_retried_by_the_next_run(
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    receivers: Receivers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = _settings(tmp_path, monkeypatch, alerts={"recipients": CHANNELS[1:]})
    # One failure per service: each hits the incident's opening alert.
    receivers.slack.faults.append(Fault.status(500, b"internal_error"))
    receivers.teams.faults.append(Fault.slow(3.0))  # past the Connection's 1 s timeout
    receivers.webhook.faults.append(Fault.status(503, {"error": "maintenance"}))
    with caplog.at_level(logging.WARNING), pytest.raises(DeliveryError, match="alert deliveries"):
        alerting.evaluate(s, None, window=WINDOW)
    failed = {(r[0], r[5]) for r in _ledger(s) if r[3] == "failed"}
    assert ("slack:care_slack", "slack") in failed and ("teams:pr_teams", "teams") in failed
    assert ("webhook:pager", "webhook") in failed
    con = connection.connect(s.warehouse, read_only=True)
    errors = [
        r[0] for r in con.execute("select error from alerts where error is not null").fetchall()
    ]
    con.close()
    assert any("500" in e for e in errors) and any("503" in e for e in errors)
    assert any("timed out" in e.lower() or "timeout" in e.lower() for e in errors)
    assert not any("XXXXSECRETTOKEN" in e or HMAC_SECRET in e for e in errors)
    # The Teams post timed out after it was sent: the error and the log say it may be there.
    [timed_out] = [e for e in errors if "Teams" in e]
    assert timed_out.endswith(MAY_HAVE_ARRIVED)
    assert not any(MAY_HAVE_ARRIVED in e for e in errors if "Teams" not in e)
    assert "Teams webhook (pr_teams): no answer after the post was sent" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        alerting.evaluate(s, None, window=WINDOW)  # the retry delivers only what failed
    assert {r[3] for r in _ledger(s)} == {"sent"}
    assert len(receivers.slack.received) == len(receivers.webhook.received) == 1
    # The post that timed out reached Teams late: a timeout cannot tell, and Teams takes no
    # idempotency key, so it is sent again (at least once), and the retry says so.
    _eventually(lambda: len(receivers.teams.received) == 2)  # the slow handler ends 3 s late
    [retry] = [r.getMessage() for r in caplog.records if "sending again" in r.getMessage()]
    assert "to teams:pr_teams" in retry and MAY_HAVE_ARRIVED in retry
    assert max(r[4] for r in _ledger(s)) == 2  # counted: the failed try and the retry


def _eventually(probe: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait until ``probe()`` holds: a fake's slow answer is recorded when its handler ends."""
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, "timed out waiting for the slow post to arrive"
        time.sleep(0.1)


def test_a_slack_post_without_an_answer_is_said_to_have_maybe_arrived(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, receivers: Receivers
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_CARE_SLACK", webhook_connection(receivers.slack_url, timeout=1)
    )
    s = _settings(tmp_path, monkeypatch, alerts={"recipients": [{"slack": "care_slack"}]})
    receivers.slack.faults.append(Fault.slow(3.0))
    with pytest.raises(DeliveryError, match="may show it twice"):
        alerting.evaluate(s, None, window=WINDOW)
    alerting.evaluate(s, None, window=WINDOW)
    assert {r[3] for r in _ledger(s)} == {"sent"}
    # The slow post arrives (its handler ends 3 s after it began), and so did its retry.
    _eventually(lambda: len(receivers.slack.received) == 2)


def test_a_post_that_never_connected_is_not_said_to_have_maybe_arrived(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = f"http://127.0.0.1:{free_port()}{TEAMS_PATH}"
    monkeypatch.setenv("AIRFLOW_CONN_PR_TEAMS", webhook_connection(closed, timeout=1))
    s = _settings(tmp_path, monkeypatch, alerts={"recipients": [{"teams": "pr_teams"}]})
    with pytest.raises(DeliveryError, match="not sent"):
        alerting.evaluate(s, None, window=WINDOW)
    con = connection.connect(s.warehouse, read_only=True)
    errors = [r[0] for r in con.execute("select error from alerts").fetchall()]
    con.close()
    assert errors and all("not sent (ConnectError" in e for e in errors)
    assert not any(MAY_HAVE_ARRIVED in e for e in errors)


def test_a_bad_signature_secret_is_refused_and_recorded(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, receivers: Receivers
) -> None:
    conn = webhook_connection(receivers.webhook_url, hmac_secret="not-the-receivers-secret")
    monkeypatch.setenv("AIRFLOW_CONN_PAGER", conn)
    s = _settings(tmp_path, monkeypatch, alerts={"recipients": [{"webhook": "pager"}]})
    with pytest.raises(DeliveryError, match="401"):
        alerting.evaluate(s, None, window=WINDOW)
    assert {r[3] for r in _ledger(s)} == {"failed"} and receivers.webhook.received == []
    unsigned = webhook_connection(receivers.webhook_url)
    monkeypatch.setenv("AIRFLOW_CONN_PAGER", unsigned)
    with pytest.raises(DeliveryError, match="401"):
        alerting.evaluate(s, None, window=WINDOW)
    monkeypatch.setenv(
        "AIRFLOW_CONN_PAGER", webhook_connection(receivers.webhook_url, hmac_secret=HMAC_SECRET)
    )
    alerting.evaluate(s, None, window=WINDOW)
    assert {r[3] for r in _ledger(s)} == {"sent"}
    opened = [d["key"] for d in receivers.webhook.received if ":opened:" in d["key"]]
    assert len(opened) == 1  # the incident's opening alert, once


def test_a_missing_connection_fails_with_its_name_and_the_variable_to_set(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = _settings(tmp_path, monkeypatch, alerts={"recipients": [{"slack": "nowhere"}]})
    with pytest.raises(DeliveryError, match="AIRFLOW_CONN_NOWHERE"):
        alerting.evaluate(s, None, window=WINDOW)


REPORT_DAY = date(2026, 10, 25)  # the surge's day (New York), T0 + 20 days
REPORTS_URL = "https://reports.pebble.example/care"


def _report_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recipients: list) -> Settings:
    s = _settings(
        tmp_path, monkeypatch, report={"recipients": recipients},
        overrides={"alerts": {"report_base_url": REPORTS_URL}},
    )  # fmt: skip
    with connection.open_for_write(s.warehouse, s.sql) as con:
        days = [REPORT_DAY - timedelta(days=n) for n in range(DAYS)]
        marts.refresh_daily(con, s.sql, "pebble", timezone="America/New_York", days=days)
    return s


def test_the_daily_report_goes_to_chat_as_a_summary(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, receivers: Receivers
) -> None:
    s = _report_settings(tmp_path, monkeypatch, ["lead@pebble.example", *CHANNELS[1:]])
    results = send_reports(s, REPORT_DAY, ["pebble"], None)
    assert [(r.recipient, r.status, r.channel) for r in results] == [
        ("lead@pebble.example", "sent", "outbox"),
        ("slack:care_slack", "sent", "slack"),
        ("teams:pr_teams", "sent", "teams"),
        ("webhook:pager", "sent", "webhook"),
    ]
    report = render_report(s, "pebble", REPORT_DAY, refresh=False)
    complaints = report.data.headline.get("complaints")
    link = f"{REPORTS_URL}/pebble/2026-10-25.html"
    # Slack: the subject, the backlog first, the day against a usual day, then the lists.
    [post] = receivers.slack.received
    assert post["blocks"][0]["text"]["text"] == report.subject
    assert post["blocks"][1]["text"]["text"].startswith("Unanswered past the 24-hour target: ")
    fields = [f["text"] for f in next(b for b in post["blocks"] if "fields" in b)["fields"]]
    assert fields[1].startswith(f"*Complaints*\n{complaints.value:,.0f} (usual day ")
    assert any(f.startswith("*Answered by the brand*") for f in fields)
    sections = [b["text"]["text"] for b in post["blocks"][3:] if b["type"] == "section"]
    assert sections[0].startswith("*Most urgent unanswered*\n>@")
    assert sections[1].startswith("*What people complained about*\n>billing: ")
    assert post["blocks"][-1]["elements"][0]["url"] == link
    # Teams: the same as a card; the webhook: the same digest as JSON, and the email's text.
    card = receivers.teams.received[0]["attachments"][0]["content"]
    [facts] = [e["facts"] for e in card["body"] if e["type"] == "FactSet"]
    assert [f["title"] for f in facts] == [teams_escape(label) for label, _ in report.chat.facts]
    assert card["actions"][0]["url"] == link
    [doc] = receivers.webhook.received
    assert doc["event"] == "report" and doc["key"] == "report:pebble:2026-10-25"
    assert [(f["label"], f["value"]) for f in doc["facts"]] == list(report.chat.facts)
    assert doc["link"] == link and doc["text"] == report.text
    again = send_reports(s, REPORT_DAY, ["pebble"], None)
    assert {r.status for r in again} == {"skipped"}


def test_the_reports_chat_post_is_built_from_its_figures_not_its_email_text(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = _report_settings(tmp_path, monkeypatch, [{"slack": "care_slack"}])
    report = render_report(s, "pebble", REPORT_DAY)
    email = report.email("slack:care_slack")
    reworded = dataclasses.replace(email, text="Bonjour.\n\nPlaintes: 3\n\nListe:\n  rien")
    assert digest(reworded) == digest(email) == report.chat
    labels = [label for label, _ in report.chat.facts]
    assert labels[:5] == [
        "Posts about the brand", "Complaints", "Share of posts that are complaints",
        "Share of negative posts", "Average tone of posts (from -1 negative to +1 positive)",
    ]  # fmt: skip
    assert labels[5:] == ["Answered by the brand", "Answered within 24 hours",
                          "Typical time to first reply (median)"]  # fmt: skip
    [lines] = [x[1] for x in report.chat.sections if x[0] == "Most urgent unanswered"]
    top = report.data.overdue[0]
    assert lines[0].startswith(f"@{top.author_handle} ({top.author_followers} followers, ")
    assert len(lines) == 3


def test_a_report_without_data_still_says_so_in_chat(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = _settings(tmp_path, monkeypatch, report={"recipients": [{"slack": "care_slack"}]})
    report = render_report(s, "pebble", REPORT_DAY + timedelta(days=3), refresh=False)
    assert report.chat.headline.startswith("No posts were loaded for this day")
    assert report.chat.facts == () and report.chat.link is None


# -- SMTP through the provider: logins, and the scrubbing of what servers echo ----------------


def test_auth_login_through_the_smtp_provider(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = _settings(tmp_path, monkeypatch, alerts={"recipients": [EMAIL]})
    with smtp_server(login=("mailer", "s3cret-pass"), mechanisms=("LOGIN",)) as (inbox, port):
        smtp = use_smtp(monkeypatch, port, login="mailer", password="s3cret-pass")
        summary = alerting.evaluate(s, smtp, window=WINDOW)
    assert summary.sent == 1 and len(inbox.messages) == 1  # one incident
    assert set(inbox.mechanisms_used) == {"LOGIN"} and set(inbox.logins) == {"mailer"}


def test_xoauth2_through_the_smtp_provider(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = _settings(tmp_path, monkeypatch, alerts={"recipients": [EMAIL]})
    user, token = "alerts@pebble.example", "ya29.canary-access-token"
    with smtp_server(xoauth2=(user, token)) as (inbox, port):
        smtp = use_smtp(monkeypatch, port, login=user, auth_type="oauth2", access_token=token)
        summary = alerting.evaluate(s, smtp, window=WINDOW)
    assert summary.sent == 1 and len(inbox.messages) == 1  # one incident
    assert set(inbox.mechanisms_used) == {"XOAUTH2"} and set(inbox.logins) == {user}
    assert inbox.messages[0].message["From"] == "brandpulse@alerts.example"


def test_caller_headers_reach_the_smtp_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pipeline.notify.channels import dispatch
    from pipeline.notify.mailer import Email

    email = Email(
        key="alert:x:opened", to=EMAIL, subject="s", text="t", html="<p>t</p>",
        headers={"Message-ID": "<root@brandpulse>", "In-Reply-To": "<prev@brandpulse>",
                 "References": "<first@brandpulse> <prev@brandpulse>"},
    )  # fmt: skip
    with smtp_server() as (inbox, port):
        delivery = dispatch(email, use_smtp(monkeypatch, port), tmp_path)
    assert delivery.channel == "smtp" and delivery.where == f"smtp_default 127.0.0.1:{port}"
    [got] = inbox.messages
    assert got.message["Message-ID"] == "<root@brandpulse>"
    assert got.message["In-Reply-To"] == "<prev@brandpulse>"
    assert got.message["References"] == "<first@brandpulse> <prev@brandpulse>"


CANARY_USER = "canary-user@pebble.example"
CANARY = "Canary-Pa55word-7f3e"


def _forms() -> list[str]:
    """The canary password in every form an AUTH exchange carries it."""
    b64 = lambda text: base64.b64encode(text.encode()).decode()  # noqa: E731
    return [
        CANARY,
        b64(CANARY),
        b64(f"\0{CANARY_USER}\0{CANARY}"),
        b64(f"{CANARY_USER}\0{CANARY_USER}\0{CANARY}"),
        b64(CANARY_USER),
    ]


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_an_smtp_server_echoing_auth_leaks_no_secret_to_logs_warehouse_or_snapshot(
    mechanism: str,
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = _settings(
        tmp_path, monkeypatch, alerts={"recipients": [EMAIL]},
        report={"recipients": ["lead@pebble.example"]},
    )  # fmt: skip
    day = (WINDOW[1] - timedelta(days=2)).date()
    with (
        caplog.at_level(logging.DEBUG),
        smtp_server(echo_auth=True, mechanisms=(mechanism,)) as (inbox, port),
    ):
        smtp = use_smtp(monkeypatch, port, login=CANARY_USER, password=CANARY)
        with pytest.raises(DeliveryError) as alert_error:
            alerting.evaluate(s, smtp, window=WINDOW)
        with pytest.raises(DeliveryError) as report_error:
            send_reports(s, day, ["pebble"], smtp)
    assert inbox.mechanisms_used and set(inbox.mechanisms_used) == {mechanism}
    assert "535" in str(alert_error.value) and "***" in caplog.text  # echoed, then masked
    # What brandpulse and Airflow logged (not the fake server's own protocol log).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    stored = [str(alert_error.value), str(report_error.value), logged]
    for db in (s.warehouse, s.analyst_db):
        assert db.exists()
        stored.append(repr(dump(db)))
        stored.append(db.read_bytes().decode("latin-1"))
    con = connection.connect(s.warehouse, read_only=True)
    errors = con.execute(
        "select error from alerts union all select error from report_deliveries"
    ).fetchall()
    con.close()
    assert errors and all(e[0] and "535" in e[0] for e in errors)
    for text in stored:
        for form in _forms():
            assert form not in text, (form, text[:300])


def test_an_alert_thread_in_chat_titles_each_post_with_its_own_kind(
    loaded: Settings,  # noqa: F811 (test_alert_threads' fixture)
    receivers: Receivers,
) -> None:
    """Opening, escalation and recovery to Slack and Teams: each post is titled with what
    it is (the email's follow-ups are "Re:" the opening, for mail threading; chat has no
    thread), and says it from the alert's own figures."""
    write_brands(
        loaded.brands_file,
        pebble_brands(
            alerts={"recipients": [{"slack": "care_slack"}, {"teams": "pr_teams"}]},
            overrides={"alerts": {"report_base_url": "https://reports.pebble.example/brandpulse"}},
        ),
    )
    for stage in threads.STAGES:
        threads.advance(loaded, stage)
        window = (threads.OUTAGE - timedelta(days=1), stage)
        assert alerting.evaluate(loaded, None, window=window).failed == 0
    titles = [post["blocks"][0]["text"]["text"] for post in receivers.slack.received]
    assert [t.split(":", 1)[0] for t in titles] == [
        "[brandpulse] WARNING", "[brandpulse] ESCALATED to CRITICAL", "[brandpulse] RESOLVED",
    ]  # fmt: skip
    cards = [p["attachments"][0]["content"] for p in receivers.teams.received]
    assert [c["body"][0]["text"] for c in cards] == [teams_escape(t) for t in titles]
    recovered = receivers.slack.received[-1]
    assert "is over: no unusual hour since" in recovered["blocks"][1]["text"]["text"]
    fields = [f["text"] for f in next(b for b in recovered["blocks"] if "fields" in b)["fields"]]
    assert fields[:3] == ["*Severity*\ncritical", fields[1], fields[2]]
    assert fields[2].startswith("*Status*\nended ")
    assert recovered["blocks"][-1]["elements"][0]["url"] == (
        "https://reports.pebble.example/brandpulse/pebble/2026-10-24.html"
    )
