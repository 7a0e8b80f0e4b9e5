"""Under a real scheduler: `airflow standalone` (scheduler, DAG processor, API server), each
task instance in its own process through the LocalExecutor, as in production."""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from benchmarks import bench
from pipeline.cli import airflow_runner
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps.orchestration import BACKFILL_DAG

from .conftest import snapshot

pytestmark = pytest.mark.airflow

CONF = {"start": "2026-10-21", "end": "2026-10-22", "brands": ["pebble"], "alerts": False}
#: What a backfill writes that does not depend on when or how it ran (load_runs has times).
CONTENT = ("posts", "quarantine", "brand_hourly", "brand_daily")


@pytest.fixture
def clean_env() -> Iterator[None]:
    """No AIRFLOW_* or BRANDPULSE_* variables of the test session leak into the runs."""
    saved = {
        k: os.environ.pop(k) for k in list(os.environ) if k.startswith(("AIRFLOW", "BRANDPULSE_"))
    }
    try:
        yield
    finally:
        os.environ.update(saved)


def _settings(home: Path) -> Settings:
    return Settings.from_env(
        {"BRANDPULSE_HOME": str(home), "BRANDPULSE_BRANDS": str(PROJECT_ROOT / "brands.yaml")}
    )


def test_backfill_under_the_scheduler_writes_what_dags_test_writes(
    tmp_path: Path, clean_env: None
) -> None:
    scheduled = _settings(tmp_path / "scheduled")
    with airflow_runner.standalone(scheduled) as airflow:
        api = urlsplit(airflow.api_url)
        airflow.trigger(BACKFILL_DAG, "e2e_backfill", conf=CONF)
        assert airflow.wait_for_run(BACKFILL_DAG, "e2e_backfill", timeout=900) == "success"
        con = sqlite3.connect(airflow.database)
        try:
            tasks = con.execute(
                "select task_id, state, pid from task_instance where run_id = 'e2e_backfill'"
            ).fetchall()
            other_runs = con.execute(
                "select count(*) from dag_run where run_id != 'e2e_backfill'"
            ).fetchone()
        finally:
            con.close()
    # Every task instance succeeded, each in a process of its own (not one `dags test`).
    assert {t for t, _, _ in tasks} == {
        "plan", "land", "score", "load", "check_loads", "aggregate", "spikes_and_alerts",
    }  # fmt: skip
    assert {s for _, s, _ in tasks} == {"success"}
    assert len({pid for *_, pid in tasks}) == len(tasks)
    # Every DAG starts paused: nothing but the triggered run was scheduled.
    assert other_runs == (0,)
    # The whole process group is stopped: nothing listens on the API server's port (its
    # closed connections may linger in TIME_WAIT, which SO_REUSEADDR allows).
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((api.hostname or "127.0.0.1", api.port or 0))

    direct = _settings(tmp_path / "dags-test")
    airflow_runner.prepare(direct)
    airflow_runner.dags_test(BACKFILL_DAG, direct, conf=CONF)
    got, want = snapshot(scheduled), snapshot(direct)
    assert got["posts"][0] > 0
    assert {t: got[t] for t in CONTENT} == {t: want[t] for t in CONTENT}


def test_bench_times_the_backfill_under_dags_test_and_under_the_scheduler(
    tmp_path: Path,
) -> None:
    """`brandpulse bench --airflow --scheduler`'s stages, on one demo day (each stage in
    its own process, as the benchmark runs it)."""
    stages: list[bench.StageStats] = []
    direct = bench.AirflowResult(
        **bench.run_stage("airflow", {"home": str(tmp_path / "direct"), "days": 1}, stages)
    )
    scheduled = bench.SchedulerResult(
        **bench.run_stage("scheduler", {"home": str(tmp_path / "scheduled"), "days": 1}, stages)
    )
    # One day of the two demo brands: plan, land, score and load per brand, check_loads,
    # aggregate, spikes_and_alerts.
    assert direct.backfill_tasks == scheduled.backfill_tasks == 10
    assert direct.interval_tasks == scheduled.interval_tasks > 0
    for work, wall in (
        (direct.backfill_task_work_s, direct.backfill_s),
        (scheduled.backfill_task_work_s, scheduled.backfill_s),
        (scheduled.interval_task_work_s, scheduled.interval_s),
    ):
        assert work > 0 and wall > 0
    # Under the scheduler two task processes may run at once; dags test runs the tasks one
    # after another in its own process, so their work fits in its wall time.
    assert scheduled.slots == 2
    assert scheduled.backfill_task_work_s < scheduled.slots * scheduled.backfill_s
    assert direct.backfill_task_work_s < direct.backfill_s
    assert 0 < scheduled.backfill_task_median_s < scheduled.backfill_task_work_s
    assert [s.name for s in stages] == ["airflow", "scheduler"]
