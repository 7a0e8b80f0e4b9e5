"""Operators hear about stale ingest once per silence (on a real warehouse, to the outbox and a
real webhook on 127.0.0.1), and about failed tasks on every channel they configured."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from pipeline.errors import ConfigError, DeliveryError
from pipeline.notify import operators
from pipeline.settings import Settings
from pipeline.warehouse import connection, loads
from tests.fakes.chat import WEBHOOK_PATH, FakeWebhook, webhook_connection
from tests.fakes.server import Fault, serve

T = datetime(2026, 10, 22, 12, tzinfo=UTC)
OPS = ["ops@brandpulse.example", {"webhook": "ops_hook"}]


def _brands(path: Path, recipients: list[Any], hours: int = 6) -> Path:
    def brand(bid: str, sources: dict[str, Any]) -> dict[str, Any]:
        return {"id": bid, "name": bid.title(), "accounts": [f"@{bid}"], "terms": [bid],
                "sources": sources}  # fmt: skip

    body = {
        "version": 1,
        "operators": {"recipients": recipients, "freshness_hours": hours},
        "brands": [
            brand("pebble", {"demo": {"profile": "telecom"}}),
            brand("fernleaf", {"demo": {"profile": "grocery"}}),
            brand("filer", {"file": {"folder": "drops"}}),
        ],
    }
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path


def _land(s: Settings, brand: str, end: datetime, source: str = "demo") -> None:
    """An empty landed interval load of ``brand`` ending at ``end`` (what freshness reads)."""
    record = loads.LoadRecord(source, brand, end - timedelta(hours=1), end, "/l", 0, 0, 0, 0, "t")
    empty = pd.DataFrame(columns=list(loads.POST_COLUMNS))
    empty_q = pd.DataFrame(columns=["record_no", "post_id", "reason", "raw"])
    with connection.open_for_write(s.warehouse, s.sql) as con:
        loads.replace_interval(con, record, empty, empty_q)


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWebhook]:
    api = FakeWebhook()
    with serve(api) as base:
        monkeypatch.setenv("AIRFLOW_CONN_OPS_HOOK", webhook_connection(base + WEBHOOK_PATH))
        yield api


@pytest.fixture
def ops(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(_brands(tmp_path / "brands.yaml", OPS)))
    return Settings.from_env()


def _alarms(s: Settings) -> list[tuple[Any, ...]]:
    con = connection.connect(s.warehouse, read_only=True)
    try:
        return con.execute(
            "select alarm_id, recipient, status, attempts, channel from operator_alarms"
            " order by all"
        ).fetchall()
    finally:
        con.close()


def test_a_brand_silent_for_the_threshold_is_alarmed_once_per_silence(
    ops: Settings, webhook: FakeWebhook
) -> None:
    _land(ops, "pebble", T)
    _land(ops, "fernleaf", T + timedelta(hours=3))
    _land(ops, "filer", T - timedelta(days=5), source="file")  # files come when they come
    assert operators.check_freshness(ops, None, T + timedelta(hours=5, minutes=59)).stale == []
    summary = operators.check_freshness(ops, None, T + timedelta(hours=6))
    assert [s.brand for s in summary.stale] == ["pebble"]
    assert {(o.recipient, o.status) for o in summary.outcomes} == {
        ("ops@brandpulse.example", "sent"), ("webhook:ops_hook", "sent"),
    }  # fmt: skip
    # Later checks in the same silence send nothing more.
    again = operators.check_freshness(ops, None, T + timedelta(hours=8))
    assert {o.status for o in again.outcomes} == {"skipped"}
    assert len(webhook.received) == 1 and webhook.received[0]["event"] == "freshness"
    [eml] = ops.outbox.glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert "STALE" in msg["Subject"] and "Pebble" in msg["Subject"]
    assert "2026-10-22 12:00 UTC" in msg.get_body(("plain",)).get_content()
    # Ingest resumes, then stops again: a new silence, a new alarm.
    _land(ops, "pebble", T + timedelta(hours=9))
    resumed = operators.check_freshness(ops, None, T + timedelta(hours=10))
    assert [s.brand for s in resumed.stale] == ["fernleaf"]  # silent since 15:00 by now
    later = operators.check_freshness(ops, None, T + timedelta(hours=15))
    assert sorted((o.alarm_id.split(":")[1], o.status) for o in later.outcomes) == [
        ("fernleaf", "skipped"), ("fernleaf", "skipped"), ("pebble", "sent"), ("pebble", "sent"),
    ]  # fmt: skip
    assert [a[0] for a in _alarms(ops)] == [
        "freshness:fernleaf:2026-10-22T15:00Z", "freshness:fernleaf:2026-10-22T15:00Z",
        "freshness:pebble:2026-10-22T12:00Z", "freshness:pebble:2026-10-22T12:00Z",
        "freshness:pebble:2026-10-22T21:00Z", "freshness:pebble:2026-10-22T21:00Z",
    ]  # fmt: skip
    assert [d["key"] for d in webhook.received] == [
        "freshness:pebble:2026-10-22T12:00Z", "freshness:fernleaf:2026-10-22T15:00Z",
        "freshness:pebble:2026-10-22T21:00Z",
    ]  # fmt: skip


def test_a_failed_alarm_is_recorded_and_retried_by_the_next_check(
    ops: Settings, webhook: FakeWebhook
) -> None:
    _land(ops, "pebble", T)
    _land(ops, "fernleaf", T + timedelta(hours=12))
    webhook.faults.append(Fault.status(500, {"error": "down"}))
    with pytest.raises(DeliveryError, match="freshness alarm"):
        operators.check_freshness(ops, None, T + timedelta(hours=7))
    assert [(a[1], a[2]) for a in _alarms(ops)] == [
        ("ops@brandpulse.example", "sent"), ("webhook:ops_hook", "failed"),
    ]  # fmt: skip
    operators.check_freshness(ops, None, T + timedelta(hours=8))
    assert [(a[1], a[2], a[3]) for a in _alarms(ops)] == [
        ("ops@brandpulse.example", "sent", 1), ("webhook:ops_hook", "sent", 2),
    ]  # fmt: skip
    assert len(list(ops.outbox.glob("*.eml"))) == 1


def test_a_failed_task_reaches_every_operator_channel(ops: Settings, webhook: FakeWebhook) -> None:
    failure = operators.TaskFailure(
        dag_id="brandpulse_ingest", task_id="land", run_id="scheduled__2026-10-22T12:00:00",
        try_number=4, error="<b>X API</b> answered 503", map_index=2,
    )  # fmt: skip
    assert operators.notify_failure(ops, None, failure) == [
        "ops@brandpulse.example", "webhook:ops_hook",
    ]  # fmt: skip
    [eml] = ops.outbox.glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "[brandpulse] FAILED: brandpulse_ingest.land [2]"
    assert "&lt;b&gt;X API&lt;/b&gt;" in msg.get_body(("html",)).get_content()
    [doc] = webhook.received
    assert doc["event"] == "failure" and ("Try", "4") in {
        (f["label"], f["value"]) for f in doc["facts"]
    }


def test_the_environment_names_operators_even_when_the_brands_file_is_broken(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook: FakeWebhook
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("brands: [", encoding="utf-8")
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(broken))
    s = Settings.from_env()
    failure = operators.TaskFailure("brandpulse_daily", "settle_daily", "r1", 1, "ConfigError")
    assert operators.notify_failure(s, None, failure) == []  # nobody known: logged
    monkeypatch.setenv(operators.OPERATORS_ENV, "webhook:ops_hook, oncall@x.example")
    config = operators.operators(s, brands=operators.read_brands(_brands(tmp_path / "ok.yaml", [])))
    assert config.recipients == ("webhook:ops_hook", "oncall@x.example")
    monkeypatch.setenv(operators.OPERATORS_ENV, "https://hooks.slack.com/services/T/B/X")
    with pytest.raises(ConfigError, match="BRANDPULSE_OPERATORS: a URL is not a recipient"):
        operators.operators(s, brands=operators.read_brands(_brands(tmp_path / "ok.yaml", [])))
