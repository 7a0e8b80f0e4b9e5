"""Run the Airflow command line on this project (without importing Airflow here).

Airflow runs as a subprocess with the environment from
:meth:`pipeline.settings.Settings.airflow_environ`, so the project's ``airflow.cfg``, its
SQLite metadata database under ``$BRANDPULSE_HOME/airflow`` and its ``dags/`` folder are
used whatever the current directory is.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.errors import BrandpulseError
from pipeline.settings import Settings
from pipeline.steps.orchestration import WAREHOUSE_POOL, WAREHOUSE_POOL_SLOTS

log = logging.getLogger(__name__)


def airflow_bin() -> str:
    """The ``airflow`` executable next to this Python (the project's virtualenv)."""
    candidate = Path(sys.executable).parent / "airflow"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("airflow")
    if found is None:
        raise BrandpulseError("the `airflow` command is not installed in this environment")
    return found


#: Bytes of randomness in each generated signing secret. Airflow signs its tokens with
#: HS512 unless told otherwise, and PyJWT warns on every token signed or checked with an
#: HMAC key shorter than the hash's 64-byte output (RFC 7518, section 3.2).
SECRET_BYTES = 64
#: The installation's signing secrets: file under Airflow's home -> the setting it fills.
#: ``[api_auth] jwt_secret`` signs the API's and the tasks' tokens; ``[api] secret_key`` the
#: tokens that fetch task logs from the workers (and the UI's session).
SECRET_FILES = {
    "jwt_secret": "AIRFLOW__API_AUTH__JWT_SECRET",
    "api_secret_key": "AIRFLOW__API__SECRET_KEY",
}


def installation_secret(settings: Settings, name: str) -> str:
    """This installation's secret ``name`` under Airflow's home (mode 0600), made on first
    use, and made again when it is shorter than :data:`SECRET_BYTES` (tokens signed with
    the old one stop being valid: log in again). Never in git: ``var/`` is ignored."""
    path = settings.airflow_home / name
    with suppress(FileNotFoundError):
        value = path.read_text(encoding="utf-8").strip()
        if len(value.encode("utf-8")) >= SECRET_BYTES:
            return value
        log.warning("%s: shorter than %d bytes; making a new one", path, SECRET_BYTES)
        path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it just now
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(SECRET_BYTES))  # 86 characters
    return path.read_text(encoding="utf-8").strip()


def jwt_secret(settings: Settings) -> str:
    """This installation's secret for Airflow's task and API tokens."""
    return installation_secret(settings, "jwt_secret")


#: A metadata database other than the embedded SQLite file (cluster mode, docs/deployment.md):
#: an SQLAlchemy URL such as ``postgresql+psycopg://user:password@host:5432/airflow``.
AIRFLOW_DATABASE_VARIABLE = "BRANDPULSE_AIRFLOW_DATABASE"


def environ(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(settings.airflow_environ())
    database = env.get(AIRFLOW_DATABASE_VARIABLE, "").strip()
    if database:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = database
    for name, variable in SECRET_FILES.items():
        if variable not in env:  # a cluster passes one secret to all its processes
            env[variable] = installation_secret(settings, name)
    # The scheduler and `airflow standalone` start helpers by name: keep the venv first.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def airflow(
    args: Sequence[str],
    settings: Settings,
    *,
    check: bool = True,
    capture: bool = False,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``airflow ARGS`` for this project (``extra_env``: more environment variables)."""
    cmd = [airflow_bin(), *args]
    log.info("running: airflow %s", " ".join(args))
    proc = subprocess.run(
        cmd,
        env={**environ(settings), **(extra_env or {})},
        text=True,
        capture_output=capture,
        check=False,
    )
    if check and proc.returncode != 0:
        detail = (proc.stderr or "")[-2000:] if capture else ""
        raise BrandpulseError(
            f"`airflow {' '.join(args)}` failed with exit code {proc.returncode}\n{detail}"
        )
    return proc


def prepare(settings: Settings) -> None:
    """Create or upgrade Airflow's metadata database and the warehouse pool (idempotent)."""
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    airflow(["db", "migrate"], settings, capture=True)
    airflow(
        [
            "pools",
            "set",
            WAREHOUSE_POOL,
            str(WAREHOUSE_POOL_SLOTS),
            "brandpulse: DuckDB writers, one at a time",
        ],
        settings,
        capture=True,
    )


def dags_test(
    dag_id: str,
    settings: Settings,
    *,
    logical_date: datetime | None = None,
    conf: Mapping[str, object] | None = None,
) -> None:
    """``airflow dags test`` one DAG run in-process; raise when the run does not succeed."""
    args = ["dags", "test", dag_id]
    if logical_date is not None:
        args.append(logical_date.isoformat())
    if conf:
        args += ["--conf", json.dumps(conf)]
    proc = airflow(args, settings, check=False, capture=True)
    output = (proc.stdout or "") + (proc.stderr or "")
    log_path = settings.airflow_home / "logs" / f"dags_test_{dag_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(output, encoding="utf-8")
    if proc.returncode != 0:
        tail = "\n".join(output.splitlines()[-40:])
        raise BrandpulseError(
            f"`airflow dags test {dag_id}` did not succeed (exit {proc.returncode}); "
            f"full output in {log_path}\n{tail}"
        )


#: The states in which a DAG run is over.
FINISHED_RUN_STATES = frozenset({"success", "failed"})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Standalone:
    """A running ``airflow standalone`` (see :func:`standalone`)."""

    settings: Settings
    api_url: str
    env: Mapping[str, str]
    log_path: Path

    @property
    def database(self) -> Path:
        return self.settings.airflow_home / "airflow.db"

    def airflow(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        """``airflow ARGS`` against this instance."""
        return airflow(args, self.settings, capture=True, extra_env=self.env)

    def _query(self, sql: str, params: Sequence[object]) -> list[tuple[object, ...]]:
        con = sqlite3.connect(self.database, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def wait_for_dag(self, dag_id: str, timeout: float = 180.0) -> None:
        """Wait until the DAG processor has stored ``dag_id``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._query("select 1 from dag where dag_id = ?", [dag_id]):
                return
            time.sleep(1.0)
        raise BrandpulseError(
            f"Airflow did not parse {dag_id} within {timeout:.0f} s; see {self.log_path}"
        )

    def trigger(
        self,
        dag_id: str,
        run_id: str,
        *,
        conf: Mapping[str, object] | None = None,
        logical_date: datetime | None = None,
    ) -> None:
        """Unpause ``dag_id`` and trigger one run of it named ``run_id``."""
        self.wait_for_dag(dag_id)
        self.airflow(["dags", "unpause", dag_id])
        args = ["dags", "trigger", dag_id, "--run-id", run_id]
        if conf:
            args += ["--conf", json.dumps(conf)]
        if logical_date is not None:
            args += ["--logical-date", logical_date.isoformat()]
        self.airflow(args)

    def run(
        self,
        dag_id: str,
        run_id: str,
        *,
        timeout: float,
        conf: Mapping[str, object] | None = None,
        logical_date: datetime | None = None,
    ) -> None:
        """:meth:`trigger` a run and wait for it; raise when it does not succeed."""
        self.trigger(dag_id, run_id, conf=conf, logical_date=logical_date)
        state = self.wait_for_run(dag_id, run_id, timeout)
        if state != "success":
            raise BrandpulseError(f"{dag_id} run {run_id} ended {state}; see {self.log_path}")

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        """Wait until the run is over; its final state ("success" or "failed")."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self._query(
                "select state from dag_run where dag_id = ? and run_id = ?", [dag_id, run_id]
            )
            if rows and str(rows[0][0]) in FINISHED_RUN_STATES:
                return str(rows[0][0])
            time.sleep(1.0)
        raise BrandpulseError(
            f"{dag_id} run {run_id} did not finish within {timeout:.0f} s; see {self.log_path}"
        )


def _healthy(api_url: str) -> bool:
    """True when the API server answers and reports the scheduler and DAG processor up."""
    url = f"{api_url}/api/v2/monitor/health"  # a loopback http URL built here
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310
            health = json.load(resp)
    except (OSError, ValueError):
        return False
    return all(
        (health.get(part) or {}).get("status") == "healthy"
        for part in ("metadatabase", "scheduler", "dag_processor")
    )


@contextmanager
def standalone(settings: Settings, *, timeout: float = 240.0) -> Iterator[Standalone]:
    """A real Airflow for this project: ``airflow standalone`` (scheduler, DAG processor,
    triggerer and API server, tasks in their own processes through the LocalExecutor) on
    free loopback ports, every DAG paused at creation (:meth:`Standalone.trigger` unpauses
    the one it runs), so that no scheduled run competes with what is measured or tested.

    Prepares the metadata database first, waits until the API server reports the scheduler
    and DAG processor healthy, and on exit stops the whole process group (SIGTERM, then
    SIGKILL after 30 s). Its output goes to ``logs/standalone.log`` under Airflow's home.
    """
    api_port = _free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    extra = {
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": api_url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    }
    prepare(settings)
    log_path = settings.airflow_home / "logs" / "standalone.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as out:
        proc = subprocess.Popen(
            [airflow_bin(), "standalone"],
            env={**environ(settings), **extra},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one below
        )
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(api_url):
            if proc.poll() is not None:
                raise BrandpulseError(
                    f"`airflow standalone` exited with {proc.returncode}; see {log_path}"
                )
            if time.monotonic() > deadline:
                raise BrandpulseError(
                    f"`airflow standalone` was not healthy within {timeout:.0f} s; see {log_path}"
                )
            time.sleep(1.0)
        log.info("airflow standalone is up on %s (process group %d)", api_url, proc.pid)
        yield Standalone(settings, api_url, extra, log_path)
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the process group ``proc`` leads: SIGTERM, and SIGKILL for what is left after
    30 s; return once every process of the group is gone (the scheduler's task processes
    and the API server's workers included), so its ports are free."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)
    if not _group_gone(proc.pid, timeout=30):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()  # reaped, so that only the rest of the group can keep it alive
        _group_gone(proc.pid, timeout=30)


def _group_gone(pgid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for process group ``pgid`` to be empty."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
