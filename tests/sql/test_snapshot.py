"""SQL tier: the analyst snapshot every writer publishes (pipeline.warehouse.snapshot)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipeline import timeutil
from pipeline.cli import main
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import planning, runner
from pipeline.warehouse import connection, snapshot
from tests.dbdump import dump

SQL = PROJECT_ROOT / "sql"
T0 = datetime(2026, 10, 21, tzinfo=UTC)


def count_loads(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return int(con.execute("select count(*) from load_runs").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


def add_load(working: Path, analyst: Path, n: int) -> None:
    """One committed write: a load_runs row for hour ``n``."""
    with connection.open_for_write(working, SQL, analyst=analyst) as con:
        con.execute(
            "insert into load_runs values ('demo', 'pebble', ?, ?, '/l', 0, 0, 0, 0, 't')",
            [
                timeutil.naive_utc(T0 + timedelta(hours=n)),
                timeutil.naive_utc(T0 + timedelta(hours=n + 1)),
            ],
        )


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    working, analyst = tmp_path / "work" / "w.duckdb", tmp_path / "analyst" / "a.duckdb"
    add_load(working, analyst, 0)
    return working, analyst


READER = """
import sys, duckdb
path = sys.argv[1]
con = duckdb.connect(path, read_only=True)
def count():
    return con.execute("select count(*) from load_runs").fetchone()[0]
print(count(), flush=True)
for line in sys.stdin:
    if line.strip() == "reconnect":
        con.close()
        con = duckdb.connect(path, read_only=True)
    print(count(), flush=True)
"""


@pytest.fixture
def reader(files: tuple[Path, Path]) -> Iterator[subprocess.Popen[str]]:
    """Another process holding a read-only session on the analyst file."""
    proc = subprocess.Popen(
        [sys.executable, "-c", READER, str(files[1])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    yield proc
    proc.kill()
    proc.wait()


def ask(proc: subprocess.Popen[str], command: str = "count") -> int:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(command + "\n")
    proc.stdin.flush()
    return int(proc.stdout.readline())


def test_a_reader_in_another_process_never_blocks_a_writer_and_sees_new_data_on_reconnect(
    files: tuple[Path, Path], reader: subprocess.Popen[str]
) -> None:
    working, analyst = files
    assert reader.stdout is not None and int(reader.stdout.readline()) == 1
    add_load(working, analyst, 1)  # would wait, then fail, if the reader held the working file
    add_load(working, analyst, 2)
    assert count_loads(analyst) == 3
    assert ask(reader) == 1  # the session keeps the snapshot it opened, whole
    assert ask(reader, "reconnect") == 3
    assert ask(reader) == 3


def test_a_reader_in_this_process_keeps_its_snapshot_until_it_reconnects(
    files: tuple[Path, Path],
) -> None:
    working, analyst = files
    old = duckdb.connect(str(analyst), read_only=True)
    try:
        add_load(working, analyst, 1)
        assert old.execute("select count(*) from load_runs").fetchone() == (1,)
    finally:
        old.close()
    assert count_loads(analyst) == 2


def test_a_failing_write_leaves_the_published_snapshot_untouched(
    files: tuple[Path, Path],
) -> None:
    working, analyst = files
    before = analyst.stat()
    with (
        pytest.raises(RuntimeError, match="boom"),
        connection.open_for_write(working, SQL, analyst=analyst) as con,
    ):
        # The first step of the write step commits, the second fails.
        con.execute("delete from load_runs")
        raise RuntimeError("boom")
    assert analyst.stat().st_ino == before.st_ino and count_loads(analyst) == 1
    assert count_loads(working) == 0
    # The snapshot is stale now: the next writer publishes, even one that changes nothing.
    with connection.open_for_write(working, SQL, analyst=analyst):
        pass
    assert count_loads(analyst) == 0 and snapshot.is_current(working, analyst)


def test_a_writer_that_changes_nothing_copies_nothing(files: tuple[Path, Path]) -> None:
    working, analyst = files
    before = analyst.stat()
    with connection.open_for_write(working, SQL, analyst=analyst) as con:
        con.execute("delete from load_runs where source = 'nothing'")
        con.execute("select count(*) from posts").fetchall()
    after = analyst.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_only_the_outermost_of_nested_writers_publishes(files: tuple[Path, Path]) -> None:
    working, analyst = files
    with connection.open_for_write(working, SQL, analyst=analyst) as outer:
        add_load(working, analyst, 1)  # nested: commits, publishes nothing
        assert count_loads(analyst) == 1
        outer.execute("delete from load_runs where interval_start = ?", [T0.replace(tzinfo=None)])
    assert count_loads(analyst) == 1 and dump(analyst) == dump(working)


def test_publish_false_defers_to_the_next_writer(files: tuple[Path, Path]) -> None:
    working, analyst = files
    with connection.open_for_write(working, SQL, analyst=analyst, publish=False) as con:
        con.execute("delete from load_runs")
    assert count_loads(analyst) == 1
    add_load(working, analyst, 5)
    assert count_loads(analyst) == 1 and dump(analyst) == dump(working)


def test_a_stale_wal_next_to_the_analyst_file_is_removed(files: tuple[Path, Path]) -> None:
    working, analyst = files
    # Someone opened the analyst file read-write and wrote: that left a WAL next to it.
    con = duckdb.connect(str(analyst))
    con.execute("set checkpoint_threshold = '1TB'")
    con.execute("delete from load_runs")
    wal = snapshot.wal_path(analyst)
    assert wal.exists()
    try:
        add_load(working, analyst, 1)
    finally:
        con.close()
    wal.unlink(missing_ok=True)  # closing that session may write it again; never replayed
    assert dump(analyst) == dump(working) and count_loads(analyst) == 2


def test_the_pipeline_publishes_a_snapshot_equal_to_the_working_file(
    settings: Settings, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    assert connection.analyst_path_for(settings.warehouse) == settings.analyst_db
    items = planning.plan(T0, T0 + timedelta(hours=6), ["pebble"], settings=settings)
    runner.run(items, settings=settings)
    published = dump(settings.analyst_db)
    assert published == dump(settings.warehouse)
    assert len(published["posts"]) > 50 and len(published["brand_hourly"]) == 6
    for table in ("posts", "brand_hourly", "brand_daily", "brand_daily_categories", "spikes",
                  "alerts", "complaint_responses", "quarantine", "load_runs"):  # fmt: skip
        assert table in published

    # `brandpulse query` reads the snapshot: a change not published yet is not seen.
    con = connection.connect(settings.warehouse)
    con.execute("delete from posts")
    con.close()
    assert main.main(["query", "--format", "csv", "select count(*) as n from posts"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == str(len(published["posts"]))
    # With no snapshot yet, it reads the working file and says so.
    settings.analyst_db.unlink()
    assert main.main(["query", "--format", "csv", "select count(*) as n from posts"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "0"
    assert "no analyst snapshot" in caplog.text


def test_reader_path_without_any_warehouse_leaves_the_error_to_connect(tmp_path: Path) -> None:
    working = tmp_path / "none.duckdb"
    assert snapshot.reader_path(working, tmp_path / "a.duckdb") == (working, None)
