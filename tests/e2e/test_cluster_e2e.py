"""Cluster mode end to end (docs/deployment.md): PostgreSQL metadata database, Redis broker,
an S3 server (moto) for the landing files and scored batches, Airflow's scheduler, DAG
processor and API server, and two Celery workers with separate working folders, all started
by scripts/cluster/cluster.sh on loopback ports. worker1 serves queues default and
warehouse (it holds the DuckDB file), worker2 only default.

One cluster for the module. The first test runs a backfill of the demo (two brands, two
days, a task per day) and compares worker1's warehouse table by table with the one
`airflow dags test` writes on the embedded single-machine set-up (SQLite, local folder);
the fault tests rerun one brand of it, a worker killed or the broker restarted on the way,
and the warehouse must still be that one.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from pipeline.cli import airflow_runner
from pipeline.cli.cluster import WAREHOUSE_WORKER, Cluster, ClusterAirflow, TaskTry
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps.orchestration import BACKFILL_DAG
from tests.dbdump import Dump, dump
from tests.fakes.s3 import moto_server_command

pytestmark = pytest.mark.airflow

#: Two demo brands, two local days, one task per day: 4 land, 4 score and 4 load tasks.
CONF = {
    "start": "2026-10-21",
    "end": "2026-10-23",
    "chunks_per_task": 1,
    "alerts": False,
}
#: The fault tests rerun one brand of it: the rerun replaces exactly that brand's intervals,
#: so the whole warehouse must still equal the single-machine one.
FAULT_CONF = {**CONF, "brands": ["pebble"]}
#: The task that scores (any worker) and the queue of the tasks that open the warehouse.
SCORE_TASK = "score"
WAREHOUSE_QUEUE = "warehouse"
#: Seconds a backfill of CONF may take on this cluster (it takes about a minute here).
RUN_TIMEOUT = 420.0
#: A dead worker's task is failed and retried after this many seconds without heartbeat.
HEARTBEAT_TIMEOUT = 20

#: Everything up to a landed file's place in the landing zone (a folder or a bucket).
LANDING_ROOT = re.compile(r"^.*/landing/")

T = TypeVar("T")


def _services_missing() -> str | None:
    """Why the services cannot be set up here, or None when they can."""
    have_pg = any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or shutil.which("initdb")
    if have_pg and shutil.which("redis-server"):
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "PostgreSQL or Redis is missing and cannot be installed (apt-get as root)"
    return None


def _without_own_env() -> dict[str, str]:
    return {
        k: os.environ.pop(k) for k in list(os.environ) if k.startswith(("AIRFLOW", "BRANDPULSE_"))
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Dump:
    """The warehouse of the same backfill on the single-machine set-up."""
    settings = Settings.from_env(
        {
            "BRANDPULSE_HOME": str(tmp_path_factory.mktemp("single") / "var"),
            "BRANDPULSE_BRANDS": str(PROJECT_ROOT / "brands.yaml"),
        }
    )
    saved = _without_own_env()
    try:
        airflow_runner.prepare(settings)
        airflow_runner.dags_test(BACKFILL_DAG, settings, conf=CONF)
    finally:
        os.environ.update(saved)
    return _portable(dump(settings.warehouse))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, ClusterAirflow]]:
    reason = _services_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    env = {
        "BRANDPULSE_BRANDS": str(PROJECT_ROOT / "brands.yaml"),
        "BRANDPULSE_WORKER_CONCURRENCY": "1",  # two workers, two cores: a task each
        "BRANDPULSE_TASK_RETRY_DELAY_SECONDS": "1",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    }
    env["BRANDPULSE_MOTO_SERVER"] = str(moto_server_command())  # the tests' S3 server
    cluster = Cluster(tmp_path_factory.mktemp("cluster"), env)
    try:
        yield cluster, cluster.up()
    finally:
        cluster.down(purge=True)


def _wait_for(what: str, probe: Callable[[], T | None], timeout: float) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _processes_of(nodes: Cluster, name: str) -> list[int]:
    """The live processes cluster.sh started for ``name`` (tagged in their environment)."""
    tag = f"BRANDPULSE_CLUSTER_PROCESS={nodes.folder}:{name}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if tag in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _run(airflow: ClusterAirflow, run_id: str) -> list[TaskTry]:
    airflow.trigger(BACKFILL_DAG, run_id, conf=CONF)
    assert airflow.wait_for_run(BACKFILL_DAG, run_id, RUN_TIMEOUT) == "success"
    return airflow.task_tries(BACKFILL_DAG, run_id)


def _portable(tables: Dump) -> Dump:
    """``tables`` with each landed file's location relative to its landing root: the
    ledger names the file it loaded, a local path here and an ``s3://`` URL there."""
    return {
        name: sorted(
            tuple(LANDING_ROOT.sub("landing/", v) if isinstance(v, str) else v for v in row)
            for row in rows
        )
        for name, rows in tables.items()
    }


def _warehouse(cluster: Cluster) -> Dump:
    return _portable(dump(cluster.settings(WAREHOUSE_WORKER).warehouse))


def test_a_backfill_spreads_over_both_workers_and_writes_what_one_machine_writes(
    cluster: tuple[Cluster, ClusterAirflow], reference: Dump
) -> None:
    nodes, airflow = cluster
    tries = _run(airflow, "spread")
    assert {t.state for t in tries} == {"success"}, tries
    # Both workers ran tasks; only worker1 ran the ones that open the warehouse.
    assert {t.hostname for t in tries} == {"worker1", "worker2"}, tries
    on_warehouse = [t for t in tries if t.queue == WAREHOUSE_QUEUE]
    assert {t.task_id for t in on_warehouse} >= {"load", "aggregate"}
    assert {t.hostname for t in on_warehouse} == {WAREHOUSE_WORKER}
    # No shared local disk: worker2's folder holds no warehouse and no landing files.
    worker2 = nodes.settings("worker2")
    assert not worker2.warehouse.exists()
    assert not worker2.landing.exists() or not any(worker2.landing.rglob("*.*"))
    assert _warehouse(nodes) == reference


def test_a_worker_killed_mid_score_has_its_task_retried_on_the_other(
    cluster: tuple[Cluster, ClusterAirflow], reference: Dump
) -> None:
    nodes, airflow = cluster
    run_id = "killed"
    # worker2 alone takes the first tasks, so that it is the one scoring when it dies.
    nodes.stop("worker1")
    try:
        airflow.trigger(BACKFILL_DAG, run_id, conf=FAULT_CONF)
        victim = _wait_for(
            "a score task running on worker2",
            lambda: next(
                (
                    t
                    for t in airflow.task_tries(BACKFILL_DAG, run_id)
                    if t.task_id == SCORE_TASK and t.state == "running"
                ),
                None,
            ),
            timeout=RUN_TIMEOUT,
        )
        assert victim.hostname == "worker2"
        nodes.kill("worker2")
        assert not _processes_of(nodes, "worker2")  # the task's process died with it
    finally:
        nodes.worker(WAREHOUSE_WORKER, f"default,{WAREHOUSE_QUEUE}")
    assert airflow.wait_for_run(BACKFILL_DAG, run_id, RUN_TIMEOUT) == "success"
    nodes.worker("worker2", "default")
    tries = airflow.task_tries(BACKFILL_DAG, run_id)
    same = [t for t in tries if (t.task_id, t.map_index) == (victim.task_id, victim.map_index)]
    # The killed try failed (no heartbeat), the next one ran on worker1 and succeeded.
    assert [(t.try_number, t.hostname, t.state) for t in same] == [
        (victim.try_number, "worker2", "failed"),
        (victim.try_number + 1, "worker1", "success"),
    ], same
    assert _warehouse(nodes) == reference


def test_a_broker_restart_mid_run_loses_nothing(
    cluster: tuple[Cluster, ClusterAirflow], reference: Dump
) -> None:
    nodes, airflow = cluster
    run_id = "broker_restart"
    airflow.trigger(BACKFILL_DAG, run_id, conf=FAULT_CONF)
    _wait_for(
        "the first landed chunk",
        lambda: [
            t
            for t in airflow.task_tries(BACKFILL_DAG, run_id)
            if t.task_id == "land" and t.state == "success"
        ],
        timeout=RUN_TIMEOUT,
    )
    nodes.stop("redis")
    nodes.script("services")  # starts Redis again on its port, from its append-only file
    assert airflow.wait_for_run(BACKFILL_DAG, run_id, RUN_TIMEOUT) == "success"
    tries = airflow.task_tries(BACKFILL_DAG, run_id)
    assert {t.state for t in tries} == {"success"}, tries
    assert _warehouse(nodes) == reference
