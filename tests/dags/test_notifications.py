"""Every task of every brandpulse DAG tells the operators when it fails for good, and the
alerts DAG checks ingest freshness; parsing still reads no Connection."""

from __future__ import annotations

from typing import Any

from tests.dags.test_dag_integrity import run_probe

CALLBACK_PROBE = r"""
import json, sys
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]))
out = {}
for dag_id in bag.dag_ids:
    dag = bag.dags[dag_id]
    out[dag_id] = {
        t.task_id: {
            "on_failure": [type(c).__name__ for c in (t.on_failure_callback or [])],
            "pool": t.pool,
        }
        for t in dag.tasks
    }
print(json.dumps({"errors": list(bag.import_errors), "dags": out}))
"""


def test_every_task_notifies_the_operators_on_failure() -> None:
    out: dict[str, Any] = run_probe(CALLBACK_PROBE)
    assert out["errors"] == [] and len(out["dags"]) >= 6
    missing = [
        f"{dag_id}.{task_id}"
        for dag_id, tasks in out["dags"].items()
        for task_id, task in tasks.items()
        if "OperatorsNotifier" not in task["on_failure"]
    ]
    assert not missing, missing
    freshness = out["dags"]["brandpulse_alerts"]["check_freshness"]
    assert freshness["pool"] == "brandpulse_warehouse"  # it writes the alarm ledger
