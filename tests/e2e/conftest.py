"""End-to-end fixtures: a real Airflow (SQLite metadata DB) prepared once per session."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import airflow_runner
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.warehouse import connection

TABLES = ("posts", "quarantine", "load_runs", "brand_hourly", "brand_daily")


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runtime folder whose Airflow database is migrated and whose pool exists."""
    home = tmp_path_factory.mktemp("airflow-e2e") / "var"
    settings = Settings.from_env({"BRANDPULSE_HOME": str(home)})
    saved = {
        k: os.environ.pop(k) for k in list(os.environ) if k.startswith(("AIRFLOW", "BRANDPULSE_"))
    }
    try:
        airflow_runner.prepare(settings)
    finally:
        os.environ.update(saved)
    return home


@pytest.fixture
def e2e_settings(airflow_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings on the prepared Airflow, with a fresh warehouse and landing zone per test."""
    for name in ("warehouse", "landing"):
        target = airflow_home / name
        if target.exists():
            import shutil

            shutil.rmtree(target)
    monkeypatch.setenv("BRANDPULSE_HOME", str(airflow_home))
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(PROJECT_ROOT / "brands.yaml"))
    yield Settings.from_env()


def snapshot(settings: Settings) -> dict[str, tuple[int, str]]:
    """Row count and a content hash of every warehouse table."""
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        out = {}
        for table in TABLES:
            rows = con.execute(f"select * from {table} order by all").fetchall()  # noqa: S608
            digest = hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()
            out[table] = (len(rows), digest)
        return out
    finally:
        con.close()
