"""Cluster mode's wiring without starting the services (tests/e2e/test_cluster_e2e.py runs
them): the environment scripts/cluster/cluster.sh gives each process, and the metadata
database `brandpulse airflow` points Airflow at."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import airflow_runner
from pipeline.cli.cluster import SCRIPT, Cluster, worker_hostname
from pipeline.settings import Settings


def test_brandpulse_airflow_keeps_sqlite_unless_told_another_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env({"BRANDPULSE_HOME": str(tmp_path / "var")})
    env = airflow_runner.environ(settings)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite:///")
    url = "postgresql+psycopg://u:p@127.0.0.1:5432/airflow"
    monkeypatch.setenv("BRANDPULSE_AIRFLOW_DATABASE", url)
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "s" * 64)
    (tmp_path / "var" / "airflow" / "jwt_secret").unlink()
    env = airflow_runner.environ(settings)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == url
    # A secret given by the cluster is used as is: no file of its own is made for it.
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == "s" * 64
    assert not (tmp_path / "var" / "airflow" / "jwt_secret").exists()


def test_a_worker_names_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRANDPULSE_WORKER_HOSTNAME", "worker2")
    assert worker_hostname() == "worker2"
    monkeypatch.delenv("BRANDPULSE_WORKER_HOSTNAME")
    assert worker_hostname()  # the machine's name


def test_each_process_gets_its_own_folder_and_the_shared_settings(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path / "cluster")
    one, two = cluster.environ("worker1"), cluster.environ("worker2")
    control = cluster.environ()
    # Own folders and log-server ports; the same database, broker, storage and secrets.
    assert one["BRANDPULSE_HOME"] != two["BRANDPULSE_HOME"] != control["BRANDPULSE_HOME"]
    assert one["BRANDPULSE_WORKER_HOSTNAME"] == "worker1"
    assert two["BRANDPULSE_WORKER_HOSTNAME"] == "worker2"
    assert (
        one["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"]
        != (two["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"])
    )
    shared = (
        "BRANDPULSE_AIRFLOW_DATABASE",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CELERY__RESULT_BACKEND",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "BRANDPULSE_STORAGE",
        "AWS_ENDPOINT_URL",
    )
    assert all(one[k] == two[k] == control[k] for k in shared)
    assert control["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert control["BRANDPULSE_AIRFLOW_DATABASE"].startswith("postgresql+psycopg://brandpulse:")
    assert control["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://127.0.0.1:")
    assert control["BRANDPULSE_STORAGE"].startswith("s3://")
    assert len(control["AIRFLOW__API_AUTH__JWT_SECRET"]) >= airflow_runner.SECRET_BYTES
    # Made once, private, then reused: the same ports and secrets on every call.
    env_file = tmp_path / "cluster" / "cluster.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    # Nothing is made outside the folder before PostgreSQL first starts.
    pg_data = dict(line.split("=", 1) for line in env_file.read_text().splitlines())["PG_DATA"]
    assert not Path(pg_data).exists()
    assert Cluster(tmp_path / "cluster").environ() == control
    # The settings a worker sees: the warehouse in its own folder, batches in the bucket.
    settings = cluster.settings("worker1")
    assert settings.warehouse.is_relative_to(tmp_path / "cluster" / "worker1")
    assert settings.storage == control["BRANDPULSE_STORAGE"]


def test_the_script_says_how_to_call_it(tmp_path: Path) -> None:
    proc = subprocess.run(["bash", str(SCRIPT), "up"], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("cluster: usage:")
    proc = subprocess.run(
        ["bash", str(SCRIPT), "restart", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        env={"BRANDPULSE_PYTHON": sys.executable, "PATH": "/usr/bin:/bin"},
    )
    assert (proc.returncode, proc.stderr.strip()) == (1, "cluster: unknown command restart")
