"""A task that fails under real Airflow tells the operators: the task-level failure notifier
of every brandpulse DAG, through email (the outbox) and a real webhook on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from pipeline.cli import airflow_runner
from pipeline.errors import BrandpulseError
from pipeline.settings import Settings
from tests.conftest import pebble_brands, write_brands
from tests.fakes.chat import WEBHOOK_PATH, FakeWebhook, webhook_connection
from tests.fakes.server import serve

pytestmark = pytest.mark.airflow


def test_a_failed_task_notifies_the_operators_once(
    e2e_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file source's folder does not exist: import_files fails at once (a ConfigError is
    # not retried), and the notifier runs in the task's process.
    body = pebble_brands(sources={"file": {"folder": "no-such-folder"}})
    body += "operators:\n  recipients: [ops@brandpulse.example, {webhook: ops_hook}]\n"
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(write_brands(tmp_path / "brands.yaml", body)))
    settings = Settings.from_env()
    for old in settings.outbox.glob("*.eml"):
        old.unlink()
    api = FakeWebhook(secret="ops-secret-123")
    with serve(api) as base:
        monkeypatch.setenv(
            "AIRFLOW_CONN_OPS_HOOK",
            webhook_connection(base + WEBHOOK_PATH, hmac_secret="ops-secret-123"),
        )
        with pytest.raises(BrandpulseError, match="did not succeed"):
            airflow_runner.dags_test("brandpulse_file_import", settings)
    [doc] = api.received
    assert doc["event"] == "failure"
    # the brand's mapped task: map index 0 (one task per brand with a file source)
    assert doc["title"] == "[brandpulse] FAILED: brandpulse_file_import.import_files [0]"
    assert "no-such-folder" in doc["headline"] and "is not a folder" in doc["headline"]
    [eml] = settings.outbox.glob("failure_*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "ops@brandpulse.example" and "FAILED" in msg["Subject"]
