"""SQL tier, faults: a writer killed mid-load, a task failing three times, a locked file.

Each test compares whole warehouses, table by table: the working file the DAGs write and
the analyst snapshot published from it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.errors import WarehouseError, WarehouseLockedError
from pipeline.ingest import landing
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import aggregation, fetch, loading
from pipeline.warehouse import connection, loads, marts, responses, snapshot
from tests.dbdump import Dump, dump

SQL = PROJECT_ROOT / "sql"
DAY1 = (datetime(2026, 10, 21, 4, tzinfo=UTC), datetime(2026, 10, 22, 4, tzinfo=UTC))
DAY2 = (DAY1[1], DAY1[1] + timedelta(days=1))  # the outage day in New York


def state(settings: Settings) -> tuple[Dump, Dump]:
    return dump(settings.warehouse), dump(settings.analyst_db)


def land(settings: Settings, day: tuple[datetime, datetime]) -> landing.Batch:
    return fetch.land("demo", "pebble", *day, settings)


def aggregate(settings: Settings, day: tuple[datetime, datetime]) -> None:
    aggregation.aggregate(*day, ["pebble"], settings)


def reset(settings: Settings) -> None:
    for path in (settings.warehouse, settings.analyst_db):
        path.unlink(missing_ok=True)
        snapshot.wal_path(path).unlink(missing_ok=True)


def clean_run(settings: Settings) -> tuple[Dump, Dump]:
    """Day 1 then day 2, loaded and aggregated once each, from an empty warehouse."""
    reset(settings)
    for day in (DAY1, DAY2):
        loading.load(land(settings, day), settings)
        aggregate(settings, day)
    return state(settings)


# A load in another process that stops inside its transaction, after the interval's
# posts were deleted and the new ones inserted, and waits there to be killed.
KILLED_LOAD = """
import json, sys, time
from pathlib import Path
from pipeline.steps import aggregation, fetch, loading
from pipeline.ingest import landing
from pipeline.warehouse import connection, loads

marker, batch = Path(sys.argv[1]), landing.Batch.from_dict(json.loads(sys.argv[2]))
insert = loads.insert_frame

def insert_then_hang(con, table, frame):
    insert(con, table, frame)
    if table == "posts":
        marker.touch()
        time.sleep(600)

loads.insert_frame = insert_then_hang
loading.load(batch)
"""


def kill_when(script: str, marker: Path, *args: str) -> None:
    """Run ``script`` in a child process and SIGKILL it as soon as ``marker`` appears."""
    proc = subprocess.Popen([sys.executable, "-c", script, str(marker), *args])
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, f"the child ended ({proc.returncode}) before the marker"
            assert time.monotonic() < deadline, "the child never reached the marker"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("killed", ["a new day", "a rerun of a loaded day"])
def test_kill_9_in_the_middle_of_a_load_keeps_the_previous_state_and_the_rerun_completes(
    settings: Settings, tmp_path: Path, killed: str
) -> None:
    clean = clean_run(settings)
    if killed == "a new day":
        reset(settings)
        loading.load(land(settings, DAY1), settings)
        aggregate(settings, DAY1)
    # else: both days are loaded, and day 2 is loaded again (its rows deleted first).
    before = state(settings)
    analyst_inode = settings.analyst_db.stat().st_ino
    batch = land(settings, DAY2)

    kill_when(KILLED_LOAD, tmp_path / "in-transaction", json.dumps(batch.to_dict()))

    assert state(settings) == before  # opens, and nothing of the killed load is in it
    assert settings.analyst_db.stat().st_ino == analyst_inode
    loading.load(batch, settings)  # the rerun
    aggregate(settings, DAY2)
    assert state(settings) == clean


# A writer in another process that commits, then is killed while copying its snapshot.
KILLED_PUBLISH = """
import sys
from pathlib import Path
from pipeline.warehouse import snapshot
from pipeline.warehouse import connection, loads
from pipeline.settings import PROJECT_ROOT, Settings

marker = Path(sys.argv[1])
settings = Settings.from_env()

def half_copy_then_hang(source, target):
    target.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    marker.touch()
    import time
    time.sleep(600)

snapshot._copy_bytes = half_copy_then_hang
with connection.open_for_write(settings.warehouse, PROJECT_ROOT / "sql") as con:
    con.execute("delete from posts where brand_day = date '2026-10-21'")
"""


def test_kill_9_while_publishing_leaves_the_old_snapshot_and_the_next_writer_publishes(
    settings: Settings, tmp_path: Path
) -> None:
    loading.load(land(settings, DAY1), settings)
    aggregate(settings, DAY1)
    published = dump(settings.analyst_db)

    kill_when(KILLED_PUBLISH, tmp_path / "copying")

    assert dump(settings.analyst_db) == published  # untouched, and still opens
    leftovers = list(settings.analyst_db.parent.glob(".*.tmp"))
    assert leftovers  # the half copy, never seen by readers
    working = dump(settings.warehouse)
    assert working != published and not working["posts"]  # the killed writer had committed
    with connection.open_for_write(settings.warehouse, SQL):
        pass  # the next writer: changes nothing, but finds the snapshot stale
    assert dump(settings.analyst_db) == working
    assert not list(settings.analyst_db.parent.glob(".*.tmp"))


class Injected(Exception):
    """A failure planted by a test."""


@contextmanager
def failing(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, error: Exception | None = None
) -> Iterator[None]:
    """``owner.name`` does its work, then raises ``error`` (default :class:`Injected`)."""
    real: Callable[..., Any] = getattr(owner, name)

    def broken(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise error or Injected(f"{name} failed")

    with monkeypatch.context() as patch:
        patch.setattr(owner, name, broken)
        yield


def test_a_task_failing_three_times_then_succeeding_equals_one_clean_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = clean_run(settings)
    reset(settings)
    loading.load(land(settings, DAY1), settings)
    aggregate(settings, DAY1)
    batch = land(settings, DAY2)

    # The load task: three attempts fail at different points, the fourth succeeds.
    before_load = dump(settings.analyst_db)
    load_faults = [
        (loads, "insert_frame"),  # after the delete, inside the transaction
        (loads, "_piece_index"),  # posts inserted, no ledger or quarantine row yet
        (loads, "replace_interval"),  # committed, then the task fails
    ]
    for owner, name in load_faults:
        with failing(monkeypatch, owner, name), pytest.raises(Injected):
            loading.load(batch, settings)
        assert dump(settings.analyst_db) == before_load, name  # nothing of it published
    loading.load(batch, settings)

    # The aggregate task: the same, at three of its steps.
    before_aggregate = dump(settings.analyst_db)
    disk_full = OSError(28, "No space left on device")
    aggregate_faults: list[tuple[Any, str, Exception | None, type[Exception]]] = [
        (marts, "refresh_daily", None, Injected),  # copies and hours committed, days not
        (responses, "refresh_complaint_responses", None, Injected),
        (snapshot, "_copy_bytes", disk_full, WarehouseError),  # committed; publishing fails
    ]
    for owner, name, error, expected in aggregate_faults:
        with failing(monkeypatch, owner, name, error), pytest.raises(expected):
            aggregate(settings, DAY2)
        assert dump(settings.analyst_db) == before_aggregate, name
    aggregate(settings, DAY2)

    got = state(settings)
    for which, mine, theirs in zip(("working file", "analyst snapshot"), got, clean, strict=True):
        assert mine.keys() == theirs.keys(), which
        for table in mine:
            assert mine[table] == theirs[table], f"{which}: {table}"


def hold(path: Path, *, read_only: bool, release_after: float = 600) -> subprocess.Popen[str]:
    """Another process that holds ``path`` open (as an analyst session or a writer would)."""
    script = (
        "import duckdb, sys, time\n"
        f"c = duckdb.connect({str(path)!r}, read_only={read_only})\n"
        "print('holding', flush=True)\n"
        f"time.sleep({release_after})\n"
        "c.close()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    return proc


@pytest.mark.parametrize("read_only", [False, True], ids=["writer", "read-only session"])
def test_a_locked_warehouse_waits_then_fails_clearly_and_the_file_is_intact(
    settings: Settings, read_only: bool
) -> None:
    batch = land(settings, DAY1)
    loading.load(batch, settings)
    aggregate(settings, DAY1)
    before = state(settings)
    holder = hold(settings.warehouse, read_only=read_only)
    try:
        started = time.monotonic()
        with (
            pytest.raises(WarehouseLockedError) as err,
            connection.open_for_write(settings.warehouse, SQL, lock_timeout=1.0),
        ):
            pass
        assert time.monotonic() - started >= 1.0  # it waited before giving up
        message = str(err.value)
        assert str(settings.warehouse) in message and "held by another process" in message
        assert "close that session or retry later" in message
    finally:
        holder.kill()
        holder.wait()
    assert state(settings) == before
    # The retry (Airflow's, after a delay) goes through.
    loading.load(batch, settings)
    assert state(settings) == before


def test_a_writer_waits_out_a_short_lock_and_then_writes(settings: Settings) -> None:
    loading.load(land(settings, DAY1), settings)
    holder = hold(settings.warehouse, read_only=False, release_after=1.5)
    try:
        started = time.monotonic()
        with connection.open_for_write(settings.warehouse, SQL, lock_timeout=60) as con:
            waited = time.monotonic() - started
            con.execute("delete from quarantine")
            con.execute("delete from posts where kind = 'spam'")
    finally:
        holder.wait(timeout=60)
    assert waited >= 1.0
    assert dump(settings.analyst_db) == dump(settings.warehouse)
    con = duckdb.connect(str(settings.analyst_db), read_only=True)
    try:
        assert con.execute("select count(*) from posts where kind = 'spam'").fetchone() == (0,)
    finally:
        con.close()


def test_the_lock_error_is_retried_by_airflow() -> None:
    from pipeline.steps.orchestration import PERMANENT_ERRORS

    for cls in WarehouseLockedError.__mro__:
        assert f"{cls.__module__}.{cls.__name__}" not in PERMANENT_ERRORS


def test_a_missing_scored_batch_fails_at_once_and_storage_errors_are_retried() -> None:
    """A retry of a load cannot make its scored batch (its score task does); a storage
    that failed to answer may answer the retry."""
    from pipeline.errors import ScoredBatchError, StorageError
    from pipeline.steps.orchestration import PERMANENT_ERRORS

    assert "pipeline.errors.ScoredBatchError" in PERMANENT_ERRORS
    assert issubclass(ScoredBatchError, StorageError)
    for cls in StorageError.__mro__:
        assert f"{cls.__module__}.{cls.__name__}" not in PERMANENT_ERRORS
