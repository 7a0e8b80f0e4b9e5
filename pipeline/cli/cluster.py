"""Cluster mode on one machine, driven from Python (the end-to-end tests, ``brandpulse bench
--cluster``): a thin layer over ``scripts/cluster/cluster.sh``, which starts PostgreSQL,
Redis, an S3 server and Airflow's processes with Celery workers (docs/deployment.md).

Also :func:`worker_hostname`, the ``[core] hostname_callable`` of every cluster process: a
worker reports its own name as the hostname of the task instances it runs.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.cli.airflow_runner import AIRFLOW_DATABASE_VARIABLE, Standalone
from pipeline.errors import BrandpulseError
from pipeline.settings import PROJECT_ROOT, Settings

#: The script that starts and stops the cluster's processes.
SCRIPT = PROJECT_ROOT / "scripts" / "cluster" / "cluster.sh"
#: Set per process by the script: the name a worker reports (``worker1``, ``worker2``).
WORKER_HOSTNAME_VARIABLE = "BRANDPULSE_WORKER_HOSTNAME"
#: The worker that holds the DuckDB file and serves queue ``warehouse`` (and ``default``).
WAREHOUSE_WORKER = "worker1"
_OWN_PREFIXES = ("AIRFLOW", "BRANDPULSE_")


def worker_hostname() -> str:
    """This process's name in the cluster, or the machine's name outside one."""
    return os.environ.get(WORKER_HOSTNAME_VARIABLE, "").strip() or socket.getfqdn()


@dataclass(frozen=True, order=True)
class TaskTry:
    """One try of one task instance, as Airflow's metadata database has it."""

    task_id: str
    map_index: int
    try_number: int
    state: str
    hostname: str
    queue: str


def _conninfo(url: str) -> str:
    """A psycopg connection string from Airflow's SQLAlchemy URL (drops ``+driver``)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


@dataclass(frozen=True)
class ClusterAirflow(Standalone):
    """A running cluster's Airflow: :class:`Standalone`'s methods over PostgreSQL."""

    database_url: str = ""

    def _query(self, sql: str, params: Sequence[object]) -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(_conninfo(self.database_url), connect_timeout=10) as con:
            rows = con.execute(sql.replace("?", "%s"), list(params)).fetchall()
            return [tuple(row) for row in rows]

    def task_tries(self, dag_id: str, run_id: str) -> list[TaskTry]:
        """Every try of every task of a run: the earlier tries and the current one."""
        columns = (
            "task_id, map_index, try_number, coalesce(state, ''), coalesce(hostname, ''), queue"
        )
        where = "where dag_id = ? and run_id = ?"
        rows = self._query(
            f"select {columns} from task_instance {where}"  # noqa: S608
            f" union all select {columns} from task_instance_history {where}",
            [dag_id, run_id, dag_id, run_id],
        )
        return sorted(
            TaskTry(str(t), int(str(m)), int(str(n)), str(s), str(h), str(q))
            for t, m, n, s, h, q in rows
        )


class Cluster:
    """The cluster whose state lives in ``folder`` (see ``scripts/cluster/cluster.sh``)."""

    def __init__(self, folder: Path, env: Mapping[str, str] | None = None) -> None:
        self.folder = folder
        #: Extra environment for the script (ports, timeouts, BRANDPULSE_CLUSTER_WORKERS, …).
        self.env = dict(env or {})

    def script(self, *args: str) -> str:
        """Run ``cluster.sh ARGS FOLDER…``; its standard output. Raises with the error's tail."""
        command, rest = args[0], args[1:]
        # The caller's own AIRFLOW*/BRANDPULSE_* settings stay out: only self.env counts.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_PREFIXES)}
        proc = subprocess.run(
            ["bash", str(SCRIPT), command, str(self.folder), *rest],
            env={**inherited, "BRANDPULSE_PYTHON": sys.executable, **self.env},
            text=True,
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.splitlines()[-15:])
            raise BrandpulseError(f"cluster.sh {command} failed (exit {proc.returncode}):\n{tail}")
        return proc.stdout

    def up(self) -> ClusterAirflow:
        """Start everything that does not run yet; the cluster's Airflow once it is healthy."""
        self.script("up")
        return self.airflow()

    def down(self, *, purge: bool = False) -> None:
        """Stop every process; ``purge``: also remove the state (metadata database too)."""
        self.script("purge" if purge else "down")

    def worker(self, name: str, queues: str, concurrency: int | None = None) -> None:
        """Start (or keep) Celery worker ``name`` serving ``queues`` (comma-separated)."""
        self.script("worker", name, queues, str(concurrency or ""))

    def stop(self, name: str) -> None:
        """Stop process ``name`` (SIGTERM, SIGKILL after a grace period)."""
        self.script("stop", name)

    def kill(self, name: str) -> None:
        """SIGKILL process ``name`` and everything it started (a crashed host, for tests)."""
        self.script("kill", name)

    def environ(self, name: str = "control") -> dict[str, str]:
        """The environment process ``name`` runs with (the control plane by default)."""
        found = re.findall(r"^export ([A-Z0-9_]+)='(.*)'$", self.script("env", name), re.M)
        return dict(found)

    def settings(self, name: str = "control") -> Settings:
        """The storage locations process ``name`` sees (``worker1`` holds the warehouse)."""
        return Settings.from_env(self.environ(name))

    def airflow(self) -> ClusterAirflow:
        env = self.environ()
        database = env[AIRFLOW_DATABASE_VARIABLE]
        return ClusterAirflow(
            Settings.from_env(env),
            env["AIRFLOW__API__BASE_URL"],
            {**env, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database},
            self.folder / "logs",
            database_url=database,
        )
