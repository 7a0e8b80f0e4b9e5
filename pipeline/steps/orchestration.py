"""Plain-data settings the DAGs share (this module imports no Airflow and nothing heavy).

DAG files are parsed often, so they import only ``airflow.sdk`` and this module at parse
time; everything else is imported inside task bodies.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pipeline.errors import ConfigError, InputError
from pipeline.timeutil import check_interval

#: The Airflow pool every task that writes the warehouse runs in. One slot: DuckDB allows
#: one writing process per file, so warehouse writers queue instead of colliding.
WAREHOUSE_POOL = "brandpulse_warehouse"
WAREHOUSE_POOL_SLOTS = 1
#: The Celery queue of every task that opens the warehouse (writes it, reads it, publishes
#: the analyst snapshot): in a cluster, one worker serves it (``airflow celery worker
#: --queues warehouse``) on the host that holds the DuckDB file. Every other task (fetching,
#: scoring) runs on the default queue, on any worker. LocalExecutor ignores queues.
WAREHOUSE_QUEUE = "warehouse"

BACKFILL_DAG = "brandpulse_backfill"
INGEST_DAG = "brandpulse_ingest"
DAILY_DAG = "brandpulse_daily"
FILE_IMPORT_DAG = "brandpulse_file_import"
ALERTS_DAG = "brandpulse_alerts"
#: How often the alerts DAG evaluates the latest closed hours, besides running right after
#: every update of brand_hourly (cron, UTC).
ALERTS_SCHEDULE = "*/15 * * * *"

#: Asset name -> URI: the warehouse tables the DAGs produce.
ASSET_URIS = {
    "brandpulse_posts": "brandpulse://warehouse/posts",
    "brandpulse_brand_hourly": "brandpulse://warehouse/brand_hourly",
    "brandpulse_brand_daily": "brandpulse://warehouse/brand_daily",
    "brandpulse_spikes": "brandpulse://warehouse/spikes",
}

#: The first interval the schedules know about: the first day of the demo data.
START_DATE = datetime(2026, 10, 5, tzinfo=UTC)

#: Environment variables that change every task's retries (read when the DAGs are parsed):
#: how many, and the first delay in seconds (doubling up to 15 minutes).
RETRIES_ENV = "BRANDPULSE_TASK_RETRIES"
RETRY_DELAY_ENV = "BRANDPULSE_TASK_RETRY_DELAY_SECONDS"


def _env_int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: not a whole number: {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name}: must be from {lo} to {hi}, got {value}")
    return value


def default_args(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every task's owner and retries. Retries absorb a source's transient failures, a
    warehouse held by another process and a mail server that is briefly down; the backoff
    keeps a flapping API from being hammered. 3 retries from 60 s unless the environment
    says otherwise (:data:`RETRIES_ENV`, :data:`RETRY_DELAY_ENV`)."""
    env = os.environ if env is None else env
    return {
        "owner": "brandpulse",
        "retries": _env_int(env, RETRIES_ENV, 3, 0, 10),
        "retry_delay": timedelta(seconds=_env_int(env, RETRY_DELAY_ENV, 60, 1, 3600)),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
    }


DEFAULT_ARGS: dict[str, Any] = default_args()

#: Errors a retry cannot fix (a wrong brands file, an impossible interval): the DAGs fail
#: these at once instead of retrying them (Airflow retry policy, dotted paths).
PERMANENT_ERRORS = [
    "pipeline.errors.ConfigError",
    "pipeline.errors.InputError",
    "pipeline.errors.SourceAuthError",
    # A load's scored batch is missing or incomplete: only its score task can make it again.
    "pipeline.errors.ScoredBatchError",
]

#: A rate-limited fetch ends its attempt when the reset is far away; retry after X's
#: 15-minute rate-limit window (the longest of our providers'), resuming where it stopped.
RATE_LIMITED_ERRORS = ["pipeline.errors.RateLimitedError"]
RATE_LIMIT_RETRY_DELAY = timedelta(minutes=15)


def run_interval(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """A DAG run's data interval as aware UTC datetimes; a clear error when there is none."""
    if start is None or end is None:
        raise InputError(
            f"this task needs a data interval, got [{start}, {end}): run it from a scheduled "
            "DAG run or `airflow dags test DAG_ID LOGICAL_DATE`"
        )
    return check_interval(start, end)


class TaskTry(Protocol):
    """What :func:`land_attempt` reads of a running task instance (Airflow's ``ti``)."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    max_tries: int


def land_attempt(ti: TaskTry, retries: int) -> str:
    """The name of a task instance's current sequence of tries, for
    :func:`pipeline.ingest.fetching.land_paged`'s ``attempt``: the same for all its automatic
    retries, and a new one once it is cleared (a clear asks for a fresh fetch).

    Airflow numbers tries on: a clear sets ``max_tries`` to the last try plus the task's
    ``retries``, so the sequence's first try is ``max_tries - retries + 1`` (as Airflow's
    own task runner computes it for reschedules).
    """
    first_try = ti.max_tries - retries + 1
    return f"{ti.dag_id}/{ti.run_id}/{ti.task_id}/{ti.map_index}/from-try-{first_try}"
