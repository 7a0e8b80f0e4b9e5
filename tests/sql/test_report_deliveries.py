"""The report delivery ledger (report_deliveries) to a real SMTP server on 127.0.0.1:
every outage retried to completion, once per recipient. A report whose delivery failed is
due again in the next hourly runs (not only in its own), an SMTP server down for several
runs delays it, and a crash between claim and record resends it with the same Message-ID."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from pipeline.errors import DeliveryError
from pipeline.notify import mailer
from pipeline.notify.report import sending
from pipeline.settings import Settings
from pipeline.warehouse import connection
from tests.fakes.smtp import free_port, smtp_config, smtp_server
from tests.sql.test_report import DAY, at, baseline_day, build, env  # noqa: F401 (fixture)

LEAD, DEPUTY = "lead@acme.example", "deputy@acme.example"
#: The hourly run in which DAY's report is due (08:00 in New York the day after).
DUE_HOUR = (at(DAY + timedelta(days=1), 7), at(DAY + timedelta(days=1), 8))


def _hour(n: int) -> tuple[Any, Any]:
    """The hourly run ``n`` hours after the one the report is due in."""
    return DUE_HOUR[0] + timedelta(hours=n), DUE_HOUR[1] + timedelta(hours=n)


def _run(s: Settings, n: int, smtp: mailer.SmtpConfig) -> list[str]:
    """What the report DAG does in hourly run ``n``: the due reports, sent; the statuses."""
    due = sending.due_reports(s, *_hour(n))
    try:
        return [r.status for r in sending.send_due(s, due, smtp)]
    except DeliveryError:
        return ["failed"]


def _ledger(s: Settings) -> list[tuple[Any, ...]]:
    con = connection.connect(s.warehouse, read_only=True)
    try:
        return con.execute(
            "select recipient, status, attempts from report_deliveries order by recipient"
        ).fetchall()
    finally:
        con.close()


def test_smtp_down_for_several_runs_then_up_delivers_once(
    env: Settings,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(env, baseline_day(DAY, "d"), [DAY])
    with smtp_server() as (inbox, port):
        up = smtp_config(monkeypatch, port, "smtp_up")
        down = smtp_config(monkeypatch, free_port(), "smtp_down")
        for n in range(4):  # the due run and three more hours: the server is down
            assert _run(env, n, down) == ["failed"]
        assert _ledger(env) == [(DEPUTY, "failed", 4), (LEAD, "failed", 4)]
        assert _run(env, 4, up) == ["sent", "sent"]  # back: the next run delivers
        assert _run(env, 5, up) == []  # and then it is no longer due
        assert sending.due_reports(env, *_hour(6)) == []
    assert sorted(r.recipients[0] for r in inbox.messages) == [DEPUTY, LEAD]
    assert _ledger(env) == [(DEPUTY, "sent", 5), (LEAD, "sent", 5)]


def test_a_refused_recipient_is_retried_alone(
    env: Settings,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(env, baseline_day(DAY, "d"), [DAY])
    with smtp_server() as (inbox, port):
        smtp = smtp_config(monkeypatch, port, "smtp_up")
        inbox.fail_next = 1  # the first recipient (lead) is refused
        assert _run(env, 0, smtp) == ["failed"]
        assert _ledger(env) == [(DEPUTY, "sent", 1), (LEAD, "failed", 1)]
        assert _run(env, 1, smtp) == ["sent", "skipped"]
        assert _run(env, 2, smtp) == []
    assert sorted(r.recipients[0] for r in inbox.messages) == [DEPUTY, LEAD]


def test_a_crash_between_claim_and_record_resends_with_the_same_message_id(
    env: Settings,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    build(env, baseline_day(DAY, "d"), [DAY])
    real_settle = sending._settle

    def killed(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("killed after the SMTP server accepted the report")

    with smtp_server() as (inbox, port):
        smtp = smtp_config(monkeypatch, port, "smtp_up")
        monkeypatch.setattr(sending, "_settle", killed)
        with pytest.raises(SystemExit):
            _run(env, 0, smtp)
        monkeypatch.setattr(sending, "_settle", real_settle)
        assert _ledger(env) == [(LEAD, "sending", 1)]
        with caplog.at_level(logging.WARNING, logger="pipeline.notify.report.sending"):
            assert _run(env, 1, smtp) == ["sent", "sent"]
        assert _run(env, 2, smtp) == []
    to_lead = inbox.to(LEAD)
    assert len(to_lead) == 2 and to_lead[0]["Message-ID"] == to_lead[1]["Message-ID"]
    assert len(inbox.to(DEPUTY)) == 1
    assert "did not finish" in caplog.text
    assert _ledger(env) == [(DEPUTY, "sent", 1), (LEAD, "sent", 2)]


def test_a_failed_report_older_than_the_retry_days_is_left_alone(
    env: Settings,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(env, baseline_day(DAY, "d"), [DAY])
    down = smtp_config(monkeypatch, free_port(), "smtp_down")
    assert _run(env, 0, down) == ["failed"]
    assert sending.due_reports(env, *_hour(24 * sending.RETRY_DAYS - 1)) != []
    assert sending.due_reports(env, *_hour(24 * (sending.RETRY_DAYS + 2))) == []
