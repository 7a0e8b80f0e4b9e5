"""Where brandpulse keeps things: storage locations are configuration, not constants.

Everything the pipeline writes at run time lives under one folder, ``BRANDPULSE_HOME``
(default: ``var/`` in the project checkout, which git ignores). Each location can be moved
on its own with an environment variable, so a deployment can put the warehouse, the landing
zone or the outbox on other disks without touching code:

=========================  =========================================  ========================
variable                   what                                       default
=========================  =========================================  ========================
``BRANDPULSE_HOME``        runtime folder                             ``<project>/var``
``BRANDPULSE_BRANDS``      the brands file                            ``<project>/brands.yaml``
``BRANDPULSE_WAREHOUSE``   the DuckDB warehouse file (DAGs write it)  ``<home>/warehouse/…``
``BRANDPULSE_ANALYST_DB``  its published read-only snapshot           ``<home>/warehouse/…``
``BRANDPULSE_STORAGE``     landed and scored batches every host sees  unset: local folders
                           (path, ``file://…`` or ``s3://bucket/…``)
``BRANDPULSE_LANDING``     raw posts as fetched (storage unset)       ``<home>/landing``
``BRANDPULSE_OUTBOX``      emails written as .eml when no SMTP is set ``<home>/outbox``
``BRANDPULSE_REPORTS``     archived HTML reports                      ``<home>/reports``
``BRANDPULSE_MODELS``      scoring assets (lexicons, cues, taxonomy)  ``<project>/models``
``BRANDPULSE_SQL``         the SQL: migrations, models, queries       ``<project>/sql``
=========================  =========================================  ========================

With ``BRANDPULSE_STORAGE`` set, landed batches live under ``<storage>/landing`` and scored
batches under ``<storage>/scored`` (:mod:`pipeline.ingest.storage`); unset, under
``BRANDPULSE_LANDING`` and ``<home>/scored``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


#: Schemes ``BRANDPULSE_STORAGE`` may have besides a path and ``file://``.
STORAGE_SCHEMES = ("s3",)


def check_storage_url(url: str) -> str:
    """A storage URL as the pipeline uses it: a local one as an absolute path, an S3 one
    without a trailing slash; another scheme, or S3 without a bucket, is a ConfigError."""
    url = url.strip()
    if url.startswith("file://"):
        url = urlsplit(url).path
    if "://" not in url:
        return str(Path(url).expanduser().resolve())
    scheme = url.split("://", 1)[0]
    if scheme not in STORAGE_SCHEMES:
        raise ConfigError(
            f"BRANDPULSE_STORAGE: unsupported scheme {scheme!r} in {url!r}; "
            "use a path, file:///abs/path or s3://bucket/prefix"
        )
    if not urlsplit(url).netloc:
        raise ConfigError(f"BRANDPULSE_STORAGE: no bucket in {url!r} (s3://bucket/prefix)")
    return url.rstrip("/")


def _storage(env: Mapping[str, str]) -> str | None:
    value = env.get("BRANDPULSE_STORAGE", "").strip()
    return check_storage_url(value) if value else None


@dataclass(frozen=True)
class Settings:
    """Resolved storage locations for one process."""

    home: Path
    brands_file: Path
    warehouse: Path
    #: The analyst snapshot of ``warehouse`` (see :mod:`pipeline.warehouse.snapshot`).
    analyst_db: Path
    landing: Path
    outbox: Path
    reports: Path
    models: Path
    sql: Path
    #: ``BRANDPULSE_STORAGE``: a local path (absolute) or an ``s3://`` URL; None: local folders.
    storage: str | None = None

    @property
    def airflow_home(self) -> Path:
        """Airflow's own state (SQLite metadata database, logs) for this project."""
        return self.home / "airflow"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the locations from ``env`` (default: ``os.environ``)."""
        env = os.environ if env is None else env
        home = _path(env, "BRANDPULSE_HOME", PROJECT_ROOT / "var")
        return cls(
            home=home,
            brands_file=_path(env, "BRANDPULSE_BRANDS", PROJECT_ROOT / "brands.yaml"),
            warehouse=_path(env, "BRANDPULSE_WAREHOUSE", home / "warehouse" / "brandpulse.duckdb"),
            analyst_db=_path(env, "BRANDPULSE_ANALYST_DB", home / "warehouse" / "analyst.duckdb"),
            landing=_path(env, "BRANDPULSE_LANDING", home / "landing"),
            outbox=_path(env, "BRANDPULSE_OUTBOX", home / "outbox"),
            reports=_path(env, "BRANDPULSE_REPORTS", home / "reports"),
            models=_path(env, "BRANDPULSE_MODELS", PROJECT_ROOT / "models"),
            sql=_path(env, "BRANDPULSE_SQL", PROJECT_ROOT / "sql"),
            storage=_storage(env),
        )

    def airflow_environ(self) -> dict[str, str]:
        """Environment variables that point Airflow at this project.

        ``airflow.cfg`` in the project holds the static settings; the paths Airflow needs
        as absolute paths (its home, SQLite database, logs and DAG folder) come from here,
        because a hand-written cfg does not expand placeholders.
        """
        airflow_home = self.airflow_home
        return {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW_CONFIG": str(PROJECT_ROOT / "airflow.cfg"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(airflow_home / "plugins"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
            "AIRFLOW__LOGGING__DAG_PROCESSOR_CHILD_PROCESS_LOG_DIRECTORY": str(
                airflow_home / "logs" / "dag_processor"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
                airflow_home / "simple_auth_manager_passwords.json"
            ),
            "BRANDPULSE_HOME": str(self.home),
            "BRANDPULSE_BRANDS": str(self.brands_file),
            "BRANDPULSE_WAREHOUSE": str(self.warehouse),
            "BRANDPULSE_ANALYST_DB": str(self.analyst_db),
            "BRANDPULSE_LANDING": str(self.landing),
            "BRANDPULSE_OUTBOX": str(self.outbox),
            "BRANDPULSE_REPORTS": str(self.reports),
            "BRANDPULSE_MODELS": str(self.models),
            "BRANDPULSE_SQL": str(self.sql),
            **({"BRANDPULSE_STORAGE": self.storage} if self.storage else {}),
        }
