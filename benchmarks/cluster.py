"""``brandpulse bench --cluster``: throughput of the demo backfill in cluster mode with one and
with two Celery workers (docs/deployment.md, docs/benchmark.md).

It starts a cluster (scripts/cluster/cluster.sh: PostgreSQL, Redis, moto S3, Airflow) in a
temporary folder with worker1 only (queues default and warehouse), runs the backfill of the
first ``days`` demo days of both brands with a task per day, then starts worker2 (queue
default) and runs the same backfill again from the same clean state: an empty bucket
(moto's reset) and no warehouse file. Each worker runs one task at a time, so the second
run has twice the task slots for land and score; load and the aggregates stay on worker1.

The time of a run is its DAG run's start to end in Airflow's metadata database (the
scheduler's own clock, without the time to trigger it); the posts are those in the
warehouse after it. Needs PostgreSQL and Redis (installed by the script as root) and
``make s3-server``; outside the default ``brandpulse bench`` for that reason.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

import duckdb

from pipeline.cli.cluster import WAREHOUSE_WORKER, Cluster, ClusterAirflow
from pipeline.ingest.sources.demo.profiles import DEMO_START
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.orchestration import BACKFILL_DAG

#: Demo days per run: 4 days x 2 brands = 8 land, 8 score and 8 load tasks.
CLUSTER_DAYS = 4
#: Seconds one backfill run may take before the benchmark gives up.
RUN_TIMEOUT = 1800.0


@dataclass(frozen=True)
class ClusterRun:
    workers: int
    posts: int
    tasks: int
    seconds: float

    @property
    def posts_per_s(self) -> float:
        return self.posts / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class ClusterBenchResult:
    days: int
    runs: tuple[ClusterRun, ...]

    def format(self) -> str:
        lines = [
            f"cluster backfill: {self.days} demo days, 2 brands, a task per day;"
            " one task at a time per worker",
            f"{'workers':>8} {'posts':>9} {'tasks':>6} {'seconds':>8} {'posts/s':>9}",
        ]
        for run in self.runs:
            lines.append(
                f"{run.workers:>8} {run.posts:>9,} {run.tasks:>6} {run.seconds:>8.1f}"
                f" {run.posts_per_s:>9,.0f}"
            )
        if len(self.runs) == 2 and self.runs[0].posts_per_s:
            speedup = self.runs[1].posts_per_s / self.runs[0].posts_per_s
            lines.append(f"speed-up with two workers: {speedup:.2f}x")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {
            "days": self.days,
            "runs": [{**asdict(r), "posts_per_s": r.posts_per_s} for r in self.runs],
        }


def _reset_storage(nodes: Cluster) -> None:
    """An empty bucket (moto keeps everything in memory; its reset endpoint empties it) and
    no warehouse file, so that each run starts from the same state."""
    env = nodes.environ()
    endpoint = env["AWS_ENDPOINT_URL"]
    bucket = env["BRANDPULSE_STORAGE"].removeprefix("s3://").split("/", 1)[0]
    for method, url in (("POST", f"{endpoint}/moto-api/reset"), ("PUT", f"{endpoint}/{bucket}")):
        request = urllib.request.Request(url, method=method)  # noqa: S310 - loopback http
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
    warehouse = nodes.settings(WAREHOUSE_WORKER).warehouse.parent
    shutil.rmtree(warehouse, ignore_errors=True)


def _measure(nodes: Cluster, airflow: ClusterAirflow, workers: int, days: int) -> ClusterRun:
    run_id = f"bench_{workers}_workers_{int(time.time())}"
    end = DEMO_START + timedelta(days=days)
    conf = {
        "start": DEMO_START.date().isoformat(),
        "end": end.date().isoformat(),
        "chunks_per_task": 1,
        "alerts": False,
    }
    airflow.run(BACKFILL_DAG, run_id, timeout=RUN_TIMEOUT, conf=conf)
    ((seconds,),) = airflow._query(
        "select extract(epoch from end_date - start_date) from dag_run"
        " where dag_id = ? and run_id = ?",
        [BACKFILL_DAG, run_id],
    )
    tasks = len(airflow.task_tries(BACKFILL_DAG, run_id))
    con = duckdb.connect(str(nodes.settings(WAREHOUSE_WORKER).warehouse), read_only=True)
    try:
        row = con.execute("select count(*) from posts").fetchone()
    finally:
        con.close()
    return ClusterRun(workers, int(row[0]) if row else 0, tasks, float(str(seconds)))


def run_cluster_bench(
    days: int = CLUSTER_DAYS, workdir: Path | None = None, keep: bool = False
) -> ClusterBenchResult:
    """Start a cluster, run the backfill with one worker, then with two; stop it."""
    folder = Path(tempfile.mkdtemp(prefix="brandpulse-cluster-bench-", dir=workdir))
    nodes = Cluster(
        folder,
        {
            "BRANDPULSE_BRANDS": str(PROJECT_ROOT / "brands.yaml"),
            "BRANDPULSE_CLUSTER_WORKERS": "1",
            "BRANDPULSE_WORKER_CONCURRENCY": "1",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        },
    )
    try:
        airflow = nodes.up()
        runs = [_measure(nodes, airflow, 1, days)]
        _reset_storage(nodes)
        nodes.worker("worker2", "default", 1)
        runs.append(_measure(nodes, airflow, 2, days))
        return ClusterBenchResult(days, tuple(runs))
    finally:
        nodes.down(purge=not keep)
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def run_from_args(args: argparse.Namespace) -> ClusterBenchResult:
    workdir = Path(args.workdir) if getattr(args, "workdir", None) else None
    return run_cluster_bench(int(args.cluster_days), workdir, bool(getattr(args, "keep", False)))
