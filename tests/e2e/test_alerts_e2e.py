"""The demo incident through real Airflow: alert emails reach a real SMTP server on
127.0.0.1 once per incident, kind and recipient, in one thread, with numbers, charts and
escaped post text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.cli import airflow_runner
from pipeline.settings import Settings
from pipeline.steps import file_import
from pipeline.warehouse import connection
from tests.conftest import pebble_brands, write_brands
from tests.fakes.smtp import smtp_server, smtp_uri

pytestmark = pytest.mark.airflow

PLANTED = '<script>alert("pwned")</script> still no signal, @PebbleMobile is down AGAIN'
RECIPIENTS = ["oncall@pebble.example", "pr@pebble.example"]
BRANDS = pebble_brands(
    sources={"demo": {"profile": "telecom", "posts_per_day": 900}, "file": {"folder": "planted"}},
    alerts={"recipients": RECIPIENTS},
    overrides={"history": {"start": "2026-01-01"}},  # the planted post stays plausible
)


def _plant(settings: Settings) -> None:
    """One post with hostile text and a huge reach, in the middle of the outage (20:30 UTC)."""
    folder = settings.home / "planted"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "planted.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["post_id", "created_at", "text", "author_handle", "author_followers"])
        writer.writerow(["planted-1", "2026-10-22T20:30:00Z", PLANTED, "loudvoice", 5_000_000])
    results = file_import.import_files(settings)
    assert [r.loaded for r in results] == [1]


def test_the_demo_incident_alerts_each_recipient_once_with_context(
    e2e_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(write_brands(tmp_path / "brands.yaml", BRANDS)))
    settings = Settings.from_env()
    _plant(settings)
    conf = {
        "start": "2026-10-08T00:00:00Z", "end": "2026-10-22T22:00:00Z", "local_days": False,
        "brands": ["pebble"], "sources": ["demo"],
    }  # fmt: skip
    with smtp_server() as (inbox, port):
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_uri(port))
        airflow_runner.dags_test("brandpulse_backfill", settings, conf=conf)
        first = list(inbox.messages)
        # A rerun of the backfill and the scheduled evaluation send nothing more.
        airflow_runner.dags_test("brandpulse_backfill", settings, conf=conf)
        airflow_runner.dags_test("brandpulse_alerts", settings)
        assert len(inbox.messages) == len(first)

    spikes = {r.message["X-Brandpulse-Spike"] for r in first}
    assert any(s.startswith("pebble:complaints:2026-10-22") for s in spikes), spikes
    delivered = sorted((r.message["X-Brandpulse-Spike"], r.recipients[0]) for r in first)
    assert delivered == sorted((s, rcpt) for s in spikes for rcpt in RECIPIENTS)
    # one outage, one thread: the opening, and replies to it only
    for rcpt in RECIPIENTS:
        mine = [r.message for r in first if r.recipients == [rcpt]]
        assert mine[0]["X-Brandpulse-Kind"] == "opened"
        assert all(m["In-Reply-To"] == mine[0]["Message-ID"] for m in mine[1:])

    msg = next(
        r.message for r in first
        if r.recipients == [RECIPIENTS[0]] and ":complaints:" in r.message["X-Brandpulse-Spike"]
    )  # fmt: skip
    assert "Pebble Mobile complaint spike" in msg["Subject"]
    assert "WARNING" in msg["Subject"] or "CRITICAL" in msg["Subject"]
    assert "expected" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Since: Thu 22 Oct" in text and "Worst hour Thu 22 Oct" in text
    assert "loudvoice" in text  # the planted post leads the most-followed posts
    assert "<script" not in html and "&lt;script&gt;alert(&quot;pwned&quot;)" in html
    png = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert "<chart-complaints>" in {p["Content-ID"] for p in png}
    assert 'src="cid:chart-complaints"' in html

    con = connection.connect(settings.warehouse, read_only=True)
    try:
        ledger = con.execute(
            "select count(*), count(*) filter (where status = 'sent' and attempts = 1)"
            " from alerts where kind <> 'recovered' or status = 'sent'"
        ).fetchone()
    finally:
        con.close()
    assert ledger == (len(first), len(first))
