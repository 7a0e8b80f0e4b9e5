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
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from pipeline.errors import BrandpulseError
from pipeline.orchestration import WAREHOUSE_POOL, WAREHOUSE_POOL_SLOTS
from pipeline.settings import Settings

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


def jwt_secret(settings: Settings) -> str:
    """This installation's secret for Airflow's task tokens, made on first use (mode 0600)."""
    path = settings.airflow_home / "jwt_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip()


def environ(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(settings.airflow_environ())
    env.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", jwt_secret(settings))
    # The scheduler and `airflow standalone` start helpers by name: keep the venv first.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def airflow(
    args: Sequence[str], settings: Settings, *, check: bool = True, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``airflow ARGS`` for this project."""
    cmd = [airflow_bin(), *args]
    log.info("running: airflow %s", " ".join(args))
    proc = subprocess.run(
        cmd,
        env=environ(settings),
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
