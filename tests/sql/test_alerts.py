"""Spikes stored from brand_hourly and alert emails delivered exactly once, to a real SMTP
server on 127.0.0.1: one email per incident and recipient, reruns, a refused delivery and a
crash between send and record (the staged thread of one incident: test_alert_threads.py)."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline import timeutil
from pipeline.errors import DeliveryError
from pipeline.notify.alerts import ledger
from pipeline.settings import Settings
from pipeline.steps import alerting
from pipeline.warehouse import connection, loads, marts
from tests.conftest import pebble_brands, write_brands
from tests.fakes.smtp import smtp_server, use_smtp

T0 = datetime(2026, 10, 5, tzinfo=UTC)
DAYS = 21
SPIKE_START = T0 + timedelta(days=20, hours=14)  # 5 hours of a surge of complaints
SPIKE_HOURS = 5
HOSTILE = '<script>alert("x")</script> my bill doubled \u202eevil\u202c and nobody answers'
RECIPIENTS = ["oncall@pebble.example", "pr@pebble.example"]

BRANDS = pebble_brands(accounts=["@PebbleMobile"], alerts={"recipients": RECIPIENTS})


def _posts() -> pd.DataFrame:
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    for h in range(DAYS * 24):
        hour = T0 + timedelta(hours=h)
        busy = 8 <= hour.hour <= 22
        in_spike = SPIKE_START <= hour < SPIKE_START + timedelta(hours=SPIKE_HOURS)
        posts = rng.randint(15, 25) if busy else rng.randint(3, 8)
        complaints = 35 if in_spike else rng.randint(1, 3) if busy else rng.randint(0, 1)
        for i in range(posts + (complaints if in_spike else 0)):
            complaint = i < complaints
            rows.append({
                "source": "demo", "post_id": f"{h}-{i}", "brand": "pebble",
                "created_at": timeutil.naive_utc(hour + timedelta(minutes=i % 60)),
                "brand_day": (hour - timedelta(hours=4)).date(),
                "author_id": f"a{i}", "author_handle": f"user{i}",
                "author_followers": 100 + i, "text": "my bill is wrong again" if complaint
                else "nice phone", "lang": "en", "url": None, "conversation_id": None,
                "in_reply_to_post_id": None, "in_reply_to_author_id": None, "repost_of": None,
                "is_brand_reply": False, "kind": "original", "duplicate_of": None,
                "text_fingerprint": f"{h}-{i}", "compound": -0.5 if complaint else 0.5,
                "pos": 0.0, "neu": 1.0, "neg": 0.0,
                "sentiment": "negative" if complaint else "positive",
                "is_complaint": complaint, "complaint_score": 0.9 if complaint else 0.1,
                "complaint_category": "billing" if complaint else None,
                "model_version": "test", "copy_candidate": True,
            })  # fmt: skip
    planted = dict(rows[-1])
    planted.update(
        post_id="planted", text=HOSTILE, author_handle="<b>loud</b>", author_followers=10**7,
        is_complaint=True, complaint_category="billing", sentiment="negative",
        created_at=timeutil.naive_utc(SPIKE_START + timedelta(minutes=30)),
        url="javascript:alert(1)",
    )  # fmt: skip
    rows.append(planted)
    return pd.DataFrame(rows, columns=list(loads.POST_COLUMNS))


@pytest.fixture
def loaded(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    brands = write_brands(tmp_path / "brands.yaml", BRANDS)
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(brands))
    s = Settings.from_env()
    end = T0 + timedelta(days=DAYS)
    record = loads.LoadRecord("demo", "pebble", T0, end, "/l", 0, 0, 0, 0, "test")
    empty_q = pd.DataFrame(columns=["record_no", "post_id", "reason", "raw"])
    with connection.open_for_write(s.warehouse, s.sql) as con:
        loads.replace_interval(con, record, _posts(), empty_q)
        hours = [T0 + timedelta(hours=h) for h in range(DAYS * 24)]
        marts.refresh_hourly(con, s.sql, "pebble", hours)
    return s


WINDOW = (T0, T0 + timedelta(days=DAYS))


def _delivered(inbox: Any) -> list[tuple[str, str]]:
    """(metric, recipient) of every accepted email."""
    return [
        (r.message["X-Brandpulse-Spike"].split(":")[1], rcpt)
        for r in inbox.messages
        for rcpt in r.recipients
    ]


def _ledger(s: Settings, metric: str = "complaints") -> list[tuple[Any, ...]]:
    con = connection.connect(s.warehouse, read_only=True)
    try:
        return con.execute(
            "select recipient, kind, status, attempts, channel, message_id from alerts"
            " where (metric = ? or ? = 'all') and status <> 'included'"
            " order by recipient, kind, metric",
            [metric, metric],
        ).fetchall()
    finally:
        con.close()


def test_a_surge_of_complaints_is_stored_as_one_spike(loaded: Settings) -> None:
    alerting.evaluate(loaded, None, window=WINDOW, alerts=False)
    con = connection.connect(loaded.warehouse, read_only=True)
    spikes = con.execute(
        "select metric, started_at, observed, expected, severity, hours from spikes"
        " where metric = 'complaints'"
    ).fetchall()
    con.close()
    assert len(spikes) == 1
    _, started, observed, expected, _, hours = spikes[0]
    start = timeutil.naive_utc(SPIKE_START)
    assert start <= started <= start + timedelta(hours=1)
    assert observed >= 35 and expected < 10 and hours >= 1
    assert _ledger(loaded) == []  # alerts=False sends nothing


def test_one_email_per_recipient_with_numbers_charts_and_escaped_posts(
    loaded: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as (inbox, port):
        smtp = use_smtp(monkeypatch, port)
        summary = alerting.evaluate(loaded, smtp, window=WINDOW)
        # Complaints and the share of negative posts spiked together: one incident, one
        # email per recipient.
        assert summary.sent == 2 and summary.failed == 0
        # A rerun of the interval, and the scheduled evaluation, send nothing more.
        alerting.evaluate(loaded, smtp, window=WINDOW)
        alerting.evaluate(loaded, smtp)
    assert sorted(_delivered(inbox)) == [("complaints", r) for r in RECIPIENTS]
    msg = inbox.to(RECIPIENTS[0])[0]
    subject = msg["Subject"]
    assert "Pebble Mobile" in subject and "complaint spike" in subject
    assert "36 complaints" in subject  # 35 and the planted one, in the first hour
    assert msg["From"] == "brandpulse@alerts.example"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "expected" in text and "Share of negative posts" in text
    # plain words: no column names, spike ids, paths or commands reach the reader
    for internal in ("negative_share", "pebble:complaints", "brandpulse report", "outbox"):
        assert internal not in text and internal not in html
    assert "Latest daily report" not in text  # no report_base_url configured
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<b>loud</b>" not in html and "&lt;b&gt;loud&lt;/b&gt;" in html
    assert "\u202e" not in html and "\u202e" not in text
    assert "javascript:" not in html  # only https links are linked
    assert 'src="cid:chart-complaints"' in html and 'src="cid:chart-negative-share"' in html
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert {i["Content-ID"] for i in images} >= {"<chart-complaints>", "<chart-negative-share>"}
    assert all(i.get_content()[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    ledger = _ledger(loaded, "all")
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in ledger] == [
        (RECIPIENTS[0], "opened", "sent", 1, "smtp"),
        (RECIPIENTS[1], "opened", "sent", 1, "smtp"),
    ]


def test_a_refused_delivery_fails_the_run_and_the_retry_sends_only_it(
    loaded: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as (inbox, port):
        smtp = use_smtp(monkeypatch, port)
        inbox.fail_next = 1
        with pytest.raises(DeliveryError, match="1 alert deliveries failed"):
            alerting.evaluate(loaded, smtp, window=WINDOW)
        statuses = [r[2] for r in _ledger(loaded, "all")]
        assert sorted(statuses) == ["failed", "sent"]
        alerting.evaluate(loaded, smtp, window=WINDOW)  # the retry
    assert sorted(_delivered(inbox)) == [("complaints", r) for r in RECIPIENTS]
    assert [(r[0], r[2], r[3]) for r in _ledger(loaded)] == [
        (RECIPIENTS[0], "sent", 2),
        (RECIPIENTS[1], "sent", 1),
    ]


def test_a_crash_between_send_and_record_resends_with_the_same_message_id(
    loaded: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_record = ledger._Delivery.record

    def crash(self: Any, con: Any, status: str, channel: str, error: str | None) -> None:
        if status == "sent":
            raise SystemExit("killed after the SMTP server accepted the email")
        real_record(self, con, status, channel, error)

    with smtp_server() as (inbox, port):
        smtp = use_smtp(monkeypatch, port)
        monkeypatch.setattr(ledger._Delivery, "record", crash)
        with pytest.raises(SystemExit):
            alerting.evaluate(loaded, smtp, window=WINDOW)
        assert [(r[0], r[2]) for r in _ledger(loaded)] == [(RECIPIENTS[0], "sending")]
        monkeypatch.setattr(ledger._Delivery, "record", real_record)
        with caplog.at_level(logging.WARNING, logger="pipeline.notify.alerts.ledger"):
            alerting.evaluate(loaded, smtp, window=WINDOW)
        alerting.evaluate(loaded, smtp, window=WINDOW)
    first = inbox.to(RECIPIENTS[0])
    assert len(first) == 2 and first[0]["Message-ID"] == first[1]["Message-ID"]
    assert sorted(_delivered(inbox)) == sorted(
        [("complaints", RECIPIENTS[0])] + [("complaints", r) for r in RECIPIENTS]
    )
    assert "did not finish" in caplog.text and RECIPIENTS[0] in caplog.text
    assert [(r[0], r[2], r[3]) for r in _ledger(loaded)] == [
        (RECIPIENTS[0], "sent", 2),
        (RECIPIENTS[1], "sent", 1),
    ]


def test_without_smtp_the_alerts_go_to_the_outbox_once(loaded: Settings) -> None:
    alerting.evaluate(loaded, None, window=WINDOW)
    alerting.evaluate(loaded, None, window=WINDOW)
    con = connection.connect(loaded.warehouse, read_only=True)
    sent = con.execute("select count(*) from alerts where status = 'sent'").fetchone()
    # A spike that had ended when first seen: its opening alert says so, and its recovery
    # note is recorded as included in it rather than sent separately.
    folded = con.execute(
        "select count(*) from alerts a join spikes s using (spike_id)"
        " where a.kind = 'recovered' and (a.status <> 'included' or s.ended_at is null)"
    ).fetchone()
    covered = con.execute("select distinct spike_ids from alerts").fetchall()
    con.close()
    files = sorted(p.name for p in loaded.outbox.glob("*.eml"))
    assert sent is not None and len(files) == sent[0] >= 2
    assert all("_opened_" in f for f in files) and folded == (0,)
    assert len(covered) == 1 and "negative_share" in covered[0][0]  # one incident
    assert {r[4] for r in _ledger(loaded, "all")} == {"outbox"}
