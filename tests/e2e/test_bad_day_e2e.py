"""A bad day, through real Airflow: a binary file and a post dated 2099 in Pebble's drop folder,
a brand whose export lacks a mapped column, and the SMTP server down while the outage is
judged, then back. The real incident still alerts exactly once per recipient and kind, Pebble's
data lands, and its posts, marts and spikes equal a clean run's table by table."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import airflow_runner
from pipeline.errors import BrandpulseError
from pipeline.settings import Settings
from pipeline.warehouse import connection
from tests.dbdump import dump
from tests.fakes.smtp import free_port, smtp_connection, smtp_server

pytestmark = pytest.mark.airflow

RECIPIENTS = ["oncall@pebble.example", "pr@pebble.example"]
CONF = {
    "start": "2026-10-08T00:00:00Z", "end": "2026-10-22T22:00:00Z", "local_days": False,
    "brands": ["pebble"], "sources": ["demo"],
}  # fmt: skip
#: The tables a user reads Pebble's data from; each must equal the clean run's.
COMPARED = ("posts", "brand_hourly", "brand_daily", "spikes", "spike_hours")

PEBBLE = {
    "id": "pebble",
    "name": "Pebble Mobile",
    "timezone": "America/New_York",
    "accounts": ["@PebbleMobile", "@PebbleCares"],
    "terms": ["pebble mobile"],
    "sources": {
        "demo": {"profile": "telecom", "posts_per_day": 900},
        "file": {"folder": "drops/pebble"},
    },
    "alerts": {"recipients": RECIPIENTS},
    "overrides": {"history": {"start": "2026-01-01"}},
}
ACME = {
    "id": "acme",
    "name": "Acme",
    "timezone": "UTC",
    "accounts": ["@AcmeHelp"],
    "terms": ["acme"],
    "sources": {"file": {"folder": "drops/acme", "columns": {"text": "message"}}},
}
HEADER = ["post_id", "created_at", "text", "author_handle", "author_followers"]
GOOD_ROW = ["planted-1", "2026-10-22T20:30:00Z", "still no signal, @PebbleMobile", "loud", 5000]


def _brands(tmp_path: Path, *brands: dict[str, Any]) -> Path:
    import yaml

    path = tmp_path / "brands.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "brands": list(brands)}), encoding="utf-8")
    return path


def _write_csv(path: Path, *rows: list[object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _fresh(settings: Settings) -> None:
    """An empty warehouse, landing zone, outbox and drop folders (one Airflow for both runs)."""
    for name in ("warehouse", "landing", "outbox", "drops", "reports"):
        shutil.rmtree(settings.home / name, ignore_errors=True)


def _run(settings: Settings, monkeypatch: pytest.MonkeyPatch, *, bad: bool) -> dict[str, Any]:
    """One run of the day: files imported, then the backfill that judges and alerts."""
    _fresh(settings)
    pebble = settings.home / "drops" / "pebble"
    if bad:
        _write_csv(pebble / "late.csv", GOOD_ROW, ["far-1", "2099-06-01T00:00:00Z", "hi", "x", 1])
        (pebble / "garbage.csv").write_bytes(b"\x00\x01\xfe\xff" * 64)
        # Acme's export has no "message" column: its file is quarantined, its task fails.
        _write_csv(
            settings.home / "drops" / "acme" / "export.csv", ["a1", "2026-10-20", "x", "y", 1]
        )
    else:
        _write_csv(pebble / "late.csv", GOOD_ROW)
    with smtp_server() as (inbox, port):
        if bad:
            with pytest.raises(BrandpulseError, match="did not succeed"):
                airflow_runner.dags_test("brandpulse_file_import", settings)
            # The outage is judged while the mail server is down: every retry fails, and then
            # the run fails loudly...
            monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection(free_port()))
            with pytest.raises(BrandpulseError, match="did not succeed"):
                airflow_runner.dags_test("brandpulse_backfill", settings, conf=CONF)
            assert inbox.messages == []
        else:
            airflow_runner.dags_test("brandpulse_file_import", settings)
        # ... and once it is back, the next run sends what is due, once.
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection(port))
        airflow_runner.dags_test("brandpulse_backfill", settings, conf=CONF)
        if bad:  # a rerun sends nothing more
            before = len(inbox.messages)
            airflow_runner.dags_test("brandpulse_backfill", settings, conf=CONF)
            assert len(inbox.messages) == before
        messages = list(inbox.messages)
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        quarantine = con.execute("select post_id, reason from quarantine order by all").fetchall()
        alerts = con.execute("select recipient, kind, status from alerts order by all").fetchall()
        attempts = con.execute("select max(attempts) from alerts").fetchone()
    finally:
        con.close()
    return {
        "messages": messages,
        "tables": dump(settings.warehouse),
        "quarantine": quarantine,
        "alerts": alerts,
        "attempts": attempts[0] if attempts else None,
    }


def test_a_bad_day_alerts_once_and_leaves_the_warehouse_a_clean_run_would(
    e2e_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Airflow's retries as configured (3), one second apart instead of minutes: the mail
    # server stays down through all four attempts of the alert task.
    monkeypatch.setenv("BRANDPULSE_TASK_RETRY_DELAY_SECONDS", "1")
    (tmp_path / "clean").mkdir()
    clean_brands = _brands(tmp_path / "clean", PEBBLE)
    bad_brands = _brands(tmp_path, PEBBLE, ACME)

    monkeypatch.setenv("BRANDPULSE_BRANDS", str(clean_brands))
    clean = _run(Settings.from_env(), monkeypatch, bad=False)
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(bad_brands))
    settings = Settings.from_env()
    bad = _run(settings, monkeypatch, bad=True)

    # The real incident alerted each recipient exactly once per kind, as in the clean run.
    def sent(run: dict[str, Any]) -> list[tuple[str, str, str]]:
        return sorted(
            (m.recipients[0], m.message["X-Brandpulse-Kind"], m.message["Subject"])
            for m in run["messages"]
        )

    assert sent(bad) == sent(clean)
    assert {r for r, _, _ in sent(bad)} == set(RECIPIENTS)
    assert any("2026" in subject or "Oct" in subject for _, _, subject in sent(bad))
    assert not any("2099" in subject for _, _, subject in sent(bad))
    assert len(sent(bad)) == len({(r, k) for r, k, _ in sent(bad)})

    # Pebble's posts, marts and spikes equal the clean run's; nothing of 2099 got in.
    for table in COMPARED:
        assert bad["tables"][table] == clean["tables"][table], table
    hours = [row[1] for row in bad["tables"]["brand_hourly"]]  # (brand, hour, ...)
    assert hours and max(hours).year == 2026

    # What went wrong is on record, each with its reason; the alerts ledger ends all sent,
    # with the same deliveries as the clean run's.
    reasons = bad["quarantine"]
    assert any(i == "far-1" and "2099-06-01" in r for i, r in reasons)  # with its id
    assert len(reasons) == 3, reasons  # and the garbage file and acme's export, a row each
    assert any("message" in r for _, r in reasons), reasons  # acme's missing column named
    assert clean["quarantine"] == []
    assert bad["alerts"] == clean["alerts"]
    assert {status for _, _, status in bad["alerts"]} <= {"sent", "included"}
    assert bad["attempts"] >= 5 and clean["attempts"] == 1  # 4 failed tries, then sent
