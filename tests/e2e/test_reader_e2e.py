"""End to end: an analyst session held open on the analyst snapshot through a DAG run.

Another process opens the analyst file read-only and queries it every half second while
`airflow dags test brandpulse_backfill` loads two more days. The DAG must succeed (the
session never locks the working file), every query of the session must succeed and see
the same, consistent state (never part of the run), and a new session sees the new data.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.cli import airflow_runner
from pipeline.settings import Settings

pytestmark = pytest.mark.airflow

FIRST = {"start": "2026-10-20", "end": "2026-10-21", "brands": ["pebble"], "alerts": False}
MORE = {"start": "2026-10-21", "end": "2026-10-23", "brands": ["pebble"], "alerts": False}

#: The state a session sees: sizes, a content checksum, and whether the aggregates agree
#: with the posts they are derived from (they would not, half-way through a run).
STATE_SQL = """
select
    (select count(*) from posts) as posts,
    (select count(*) from load_runs) as loads,
    (select coalesce(sum(hash(source, post_id, brand, kind, compound)), 0) from posts) as checksum,
    (select max(brand_day) from posts)::varchar as last_day,
    (select coalesce(sum(posts + unscored), 0) from brand_daily)
        = (select count(*) from posts where kind = 'original') as daily_matches_posts,
    (select coalesce(sum(posts + unscored), 0) from brand_hourly)
        = (select count(*) from posts where kind = 'original') as hourly_matches_posts
"""

# The analyst: one read-only session, a query every half second, a new session when the
# test asks for one (the file `reconnect` appears), until the file `stop` appears.
READER = """
import json, sys, time, duckdb
from pathlib import Path

analyst, folder, sql = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
log = (folder / "reader.jsonl").open("a")
session = 0
con = duckdb.connect(analyst, read_only=True)
while not (folder / "stop").exists():
    if session == 0 and (folder / "reconnect").exists():
        con.close()
        con = duckdb.connect(analyst, read_only=True)
        session = 1
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        row = dict(zip(names, cursor.fetchone()))
        entry = {"session": session, "at": time.time(), "state": row}
    except Exception as exc:
        entry = {"session": session, "at": time.time(), "error": repr(exc)}
    log.write(json.dumps(entry, default=str) + "\\n")
    log.flush()
    time.sleep(0.5)
con.close()
"""


def read_state(path: Path) -> dict[str, Any]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(STATE_SQL)
        names = [d[0] for d in cursor.description or []]
        row = cursor.fetchone()
        assert row is not None
        return json.loads(json.dumps(dict(zip(names, row, strict=True)), default=str))
    finally:
        con.close()


def entries(folder: Path) -> list[dict[str, Any]]:
    log = folder / "reader.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def wait_for(folder: Path, predicate: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate(entries(folder)):
        assert time.monotonic() < deadline, f"the reader never {what}"
        time.sleep(0.2)


def test_an_analyst_session_held_through_a_dag_run_sees_one_whole_state(
    e2e_settings: Settings, tmp_path: Path
) -> None:
    analyst = e2e_settings.analyst_db
    analyst.unlink(missing_ok=True)
    airflow_runner.dags_test("brandpulse_backfill", e2e_settings, conf=FIRST)
    assert analyst.exists(), "the DAG's writers publish the analyst snapshot"
    old = read_state(analyst)
    # load_runs keeps one row per hour of a load (a rerun of any interval replaces its hours)
    assert old["loads"] == 24 and old["daily_matches_posts"] and old["hourly_matches_posts"]

    folder = tmp_path / "reader"
    folder.mkdir()
    reader = subprocess.Popen([sys.executable, "-c", READER, str(analyst), str(folder), STATE_SQL])
    try:
        wait_for(folder, lambda es: len(es) >= 2, "queried")
        started = time.time()
        airflow_runner.dags_test("brandpulse_backfill", e2e_settings, conf=MORE)  # must succeed
        finished = time.time()
        during = [e for e in entries(folder) if started <= e["at"] <= finished]
        (folder / "reconnect").touch()
        wait_for(folder, lambda es: sum(e["session"] == 1 for e in es) >= 2, "reconnected")
    finally:
        (folder / "stop").touch()
        try:
            reader.wait(timeout=30)
        finally:
            reader.kill()
    assert reader.returncode == 0

    log = entries(folder)
    errors = [e for e in log if "error" in e]
    assert not errors, errors[:3]
    assert len(during) >= 10, "the session was not held open through the run"
    first_session = [e["state"] for e in log if e["session"] == 0]
    assert all(s == old for s in first_session), "the old session saw something else"

    new = read_state(analyst)
    assert [e["state"] for e in log if e["session"] == 1] == [new] * len(log[len(first_session) :])
    assert new["loads"] == 3 * 24 and new["posts"] > old["posts"]
    assert new["last_day"] > old["last_day"]
    assert new["daily_matches_posts"] and new["hourly_matches_posts"]
    assert read_state(e2e_settings.warehouse) == new  # the snapshot is the finished run
