"""DAG integrity: every DAG imports, parsing touches nothing outside, the structure is right.

Parsing runs in a fresh interpreter (so modules imported by other tests cannot hide a
heavy import) with Connection, Variable, database and network access patched to fail
loudly, as Airflow's own tests do for its example DAGs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.settings import PROJECT_ROOT, Settings

PARSE_PROBE = r"""
import json, socket, sys
calls = []

def forbid(what):
    def blocked(*args, **kwargs):
        calls.append(what)
        raise RuntimeError(f"{what} at DAG parse time")
    return blocked

socket.socket.connect = forbid("network connect")
import duckdb
duckdb.connect = forbid("duckdb.connect")
sys.modules.pop("duckdb")
import airflow.sdk as sdk
from airflow.sdk.bases.hook import BaseHook
from airflow.sdk.definitions.connection import Connection
from airflow.sdk.definitions.variable import Variable
BaseHook.get_connection = classmethod(forbid("BaseHook.get_connection"))
Connection.get = classmethod(forbid("Connection.get"))
Variable.get = classmethod(forbid("Variable.get"))
before = set(sys.modules)
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag
# As Airflow parses a bundle: its folder on sys.path, so DAG files share a support module.
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]))
heavy = ["pandas", "duckdb", "vaderSentiment", "great_expectations", "tweepy",
         "pipeline.steps.loading", "pipeline.scoring.scorer", "pipeline.warehouse.connection"]
dags = {}
for dag_id in bag.dag_ids:
    dag = bag.dags[dag_id]
    dags[dag_id] = {
        "timetable": type(dag.timetable).__name__,
        "doc": bool(dag.doc_md and len(dag.doc_md) > 200),
        "tasks": {t.task_id: {"downstream": sorted(t.downstream_task_ids), "pool": t.pool,
                              "queue": t.queue, "retries": t.retries,
                              "doc": bool(t.doc or t.doc_md)}
                  for t in dag.tasks},
        "max_active_runs": dag.max_active_runs,
        "catchup": dag.catchup,
        "params": {k: dag.params[k] for k in dag.params},
    }
print(json.dumps({"errors": {k: v[-500:] for k, v in bag.import_errors.items()}, "calls": calls,
                  "heavy": [m for m in heavy if m in sys.modules], "dags": dags}))
"""


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("parse")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRANDPULSE_"))}
    env.update(Settings.from_env({"BRANDPULSE_HOME": str(home)}).airflow_environ())
    proc = subprocess.run(
        [sys.executable, "-c", PARSE_PROBE, str(PROJECT_ROOT / "dags")],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_every_dag_imports_without_errors(parsed: dict[str, Any]) -> None:
    assert parsed["errors"] == {}
    assert set(parsed["dags"]) == {
        "brandpulse_ingest", "brandpulse_daily", "brandpulse_backfill", "brandpulse_file_import",
        "brandpulse_alerts", "brandpulse_report",
    }  # fmt: skip


def test_parsing_looks_up_no_connection_variable_database_or_network(
    parsed: dict[str, Any],
) -> None:
    assert parsed["calls"] == []


def test_parsing_imports_no_heavy_library(parsed: dict[str, Any]) -> None:
    assert parsed["heavy"] == []


def test_ingest_structure(parsed: dict[str, Any]) -> None:
    dag = parsed["dags"]["brandpulse_ingest"]
    assert dag["timetable"] == "CronDataIntervalTimetable"
    assert dag["max_active_runs"] == 1 and dag["catchup"] is False and dag["doc"]
    tasks = dag["tasks"]
    assert {k: v["downstream"] for k, v in tasks.items()} == {
        "plan": ["land"], "land": ["score"], "score": ["load"],
        "load": ["aggregate", "check_loads"], "aggregate": [], "check_loads": [],
    }  # fmt: skip
    assert tasks["load"]["pool"] == tasks["aggregate"]["pool"] == "brandpulse_warehouse"
    assert all(t["retries"] >= 1 and t["doc"] for t in tasks.values())


def test_backfill_and_daily_structure(parsed: dict[str, Any]) -> None:
    backfill = parsed["dags"]["brandpulse_backfill"]
    assert backfill["timetable"] == "NullTimetable"
    assert list(backfill["tasks"]) == [
        "plan", "land", "score", "load", "aggregate", "spikes_and_alerts", "check_loads",
    ]  # fmt: skip
    assert backfill["params"]["chunks_per_task"] == 7
    daily = parsed["dags"]["brandpulse_daily"]
    assert daily["timetable"] == "CronDataIntervalTimetable"
    assert daily["tasks"]["settle_daily"]["pool"] == "brandpulse_warehouse"


def test_alerts_runs_after_every_hourly_update_and_on_a_clock(parsed: dict[str, Any]) -> None:
    alerts = parsed["dags"]["brandpulse_alerts"]
    assert alerts["timetable"] == "AssetOrTimeSchedule"
    assert alerts["tasks"]["detect_and_alert"]["pool"] == "brandpulse_warehouse"
    assert alerts["max_active_runs"] == 1 and alerts["doc"]


def test_every_task_that_writes_the_warehouse_is_in_the_one_slot_pool(
    parsed: dict[str, Any],
) -> None:
    for dag in parsed["dags"].values():
        for task_id, task in dag["tasks"].items():
            if task_id in {
                "load", "aggregate", "settle_daily", "import_files", "spikes_and_alerts",
                "detect_and_alert", "send_reports",
            }:  # fmt: skip
                assert task["pool"] == "brandpulse_warehouse", task_id


def test_every_task_that_opens_the_warehouse_is_on_the_warehouse_queue(
    parsed: dict[str, Any],
) -> None:
    """In a cluster one worker serves the warehouse queue (it holds the DuckDB file);
    fetching and scoring run on any worker (the default queue)."""
    for dag in parsed["dags"].values():
        for task_id, task in dag["tasks"].items():
            if task["pool"] == "brandpulse_warehouse":
                assert task["queue"] == "warehouse", task_id
            else:
                assert task["queue"] == "default", task_id
    for dag_id in ("brandpulse_ingest", "brandpulse_backfill"):
        tasks = parsed["dags"][dag_id]["tasks"]
        assert tasks["land"]["queue"] == tasks["score"]["queue"] == "default"
        assert tasks["load"]["queue"] == "warehouse"


def test_dag_files_read_settings_only_inside_tasks() -> None:
    for path in Path(PROJECT_ROOT / "dags").glob("*.py"):  # brandpulse_dag_support.py too
        module_level = [
            line for line in path.read_text().splitlines()
            if line.startswith(("from pipeline", "import pipeline"))
        ]  # fmt: skip
        assert all("pipeline.steps.orchestration" in line for line in module_level), (
            path,
            module_level,
        )


LOAD_PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from pipeline.steps import loading
calls = []
def score_batches_to_storage(batches, settings=None, **kwargs):
    calls.append({"score": [b.to_dict() for b in batches]})
    return [f"s3://bucket/scored/{i}.parquet" for i, _ in enumerate(batches)]
def write_scored_batches(locations, settings=None):
    calls.append({"write": list(locations)})
    return []
loading.score_batches_to_storage = score_batches_to_storage
loading.write_scored_batches = write_scored_batches
import brandpulse_backfill
dag = brandpulse_backfill.brandpulse_backfill()
group = [{"source": "demo", "brand": "pebble", "start": f"2026-10-0{d}T04:00:00+00:00",
          "end": f"2026-10-0{d + 1}T04:00:00+00:00", "path": f"s3://bucket/landing/{d}.jsonl",
          "records": 30000} for d in (5, 6)]
scored = dag.get_task("score").python_callable(group)
result = dag.get_task("load").python_callable(scored)
print(json.dumps({"calls": calls, "group": group, "scored": scored, "result": result}))
"""


def run_probe(probe: str) -> Any:
    """Run a probe script in a fresh interpreter (the DAGs folder its argument, no Airflow
    or brandpulse settings in its environment); return the JSON of its last line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BRANDPULSE_"))}
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(PROJECT_ROOT / "dags")],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_backfill_group_is_scored_to_storage_then_written_from_there() -> None:
    """The score task scores its whole group (in its own process) and hands the write task
    only the scored batches' locations (XCom stays small)."""
    out = run_probe(LOAD_PROBE)
    score, write = out["calls"]
    assert score == {"score": out["group"]}  # the whole group, in order
    locations = ["s3://bucket/scored/0.parquet", "s3://bucket/scored/1.parquet"]
    assert write == {"write": locations}
    assert out["scored"] == {
        "brand": "pebble", "start": out["group"][0]["start"], "end": out["group"][1]["end"],
        "scored": locations,
    }  # fmt: skip
    assert out["result"] == {"loaded": 0, "quarantined": 0, "batches": []}


LAND_PROBE = r"""
import json, sys
from types import SimpleNamespace
sys.path.insert(0, sys.argv[1])
from pipeline.ingest import landing
from pipeline.steps import fetch
calls = []
def land(source, brand, start, end, settings=None, **kwargs):
    calls.append({"start": start.isoformat(), "attempt": kwargs.get("attempt")})
    return landing.Batch(source, brand, start, end, "/landing/x.jsonl", 0)
fetch.land = land
import brandpulse_backfill
task = brandpulse_backfill.brandpulse_backfill().get_task("land")
group = [{"source": "demo", "brand": "pebble", "start": f"2026-10-0{d}T04:00:00+00:00",
          "end": f"2026-10-0{d + 1}T04:00:00+00:00"} for d in (5, 6)]
attempts = []
# (map index, try number, max_tries) as Airflow hands them to the task, retries 3:
# the first try, its retry, the try after a clear at try 2 (max_tries = 2 + 3), and
# another mapped task's first try.
for map_index, try_number, max_tries in [(0, 1, 3), (0, 2, 3), (0, 3, 5), (1, 1, 3)]:
    ti = SimpleNamespace(dag_id="brandpulse_backfill", run_id="manual__1", task_id="land",
                         map_index=map_index, try_number=try_number, max_tries=max_tries)
    brandpulse_backfill.get_current_context = lambda ti=ti: {"ti": ti, "task": task}
    calls.clear()
    task.python_callable(group)
    assert [c["start"] for c in calls] == [g["start"] for g in group], calls
    attempts.append(sorted({c["attempt"] for c in calls}))
print(json.dumps({"retries": task.retries, "attempts": attempts}))
"""


def test_a_backfill_land_names_its_attempt_so_that_a_retry_reuses_landed_chunks() -> None:
    """Every chunk of a group is landed with one attempt name: the same for the task's
    automatic retries (which then skip the chunks already landed), a new one after a
    clear and for another mapped task."""
    out = run_probe(LAND_PROBE)
    assert out["retries"] == 3
    first, retry, cleared, other = (a for [a] in out["attempts"])
    assert first == retry == "brandpulse_backfill/manual__1/land/0/from-try-1"
    assert cleared == "brandpulse_backfill/manual__1/land/0/from-try-3"
    assert other == "brandpulse_backfill/manual__1/land/1/from-try-1"


def test_task_retries_come_from_the_environment_or_the_defaults() -> None:
    from datetime import timedelta

    from pipeline.errors import ConfigError
    from pipeline.steps import orchestration

    assert orchestration.default_args({}) == {
        "owner": "brandpulse", "retries": 3, "retry_delay": timedelta(seconds=60),
        "retry_exponential_backoff": True, "max_retry_delay": timedelta(minutes=15),
    }  # fmt: skip
    quick = orchestration.default_args(
        {"BRANDPULSE_TASK_RETRIES": "1", "BRANDPULSE_TASK_RETRY_DELAY_SECONDS": " 2 "}
    )
    assert (quick["retries"], quick["retry_delay"]) == (1, timedelta(seconds=2))
    with pytest.raises(ConfigError, match="BRANDPULSE_TASK_RETRIES: must be from 0 to 10"):
        orchestration.default_args({"BRANDPULSE_TASK_RETRIES": "11"})
    with pytest.raises(ConfigError, match="not a whole number: 'soon'"):
        orchestration.default_args({"BRANDPULSE_TASK_RETRY_DELAY_SECONDS": "soon"})
