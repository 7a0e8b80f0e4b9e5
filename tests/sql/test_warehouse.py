"""SQL tier: migrations, interval-replacing loads and aggregates in a temporary DuckDB."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from pipeline import timeutil
from pipeline.errors import WarehouseError, WarehouseLockedError
from pipeline.settings import PROJECT_ROOT
from pipeline.warehouse import connection, loads, marts

SQL = PROJECT_ROOT / "sql"
T0 = datetime(2026, 10, 5, tzinfo=UTC)


@pytest.fixture
def con(tmp_path: Path) -> Any:
    with connection.open_for_write(tmp_path / "w.duckdb", SQL) as c:
        yield c


def post_row(
    post_id: str, at: datetime, *, brand: str = "pebble", source: str = "demo", **kw: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source": source, "post_id": post_id, "brand": brand,
        "created_at": timeutil.naive_utc(at), "brand_day": at.date(),
        "author_id": "a", "author_handle": "h", "author_followers": 10, "text": "t",
        "lang": "en", "url": None, "conversation_id": None, "in_reply_to_post_id": None,
        "in_reply_to_author_id": None, "repost_of": None, "is_brand_reply": False,
        "kind": "original", "duplicate_of": None, "text_fingerprint": post_id,
        "compound": 0.0, "pos": 0.0, "neu": 1.0, "neg": 0.0, "sentiment": "neutral",
        "is_complaint": False, "complaint_score": 0.0, "complaint_category": None,
        "model_version": "test", "copy_candidate": True,
    }  # fmt: skip
    row.update(kw)
    return row


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(loads.POST_COLUMNS))


def record(start: datetime, end: datetime, loaded: int) -> loads.LoadRecord:
    return loads.LoadRecord(
        "demo", "pebble", start, end, "/landing/x.jsonl", loaded, loaded, 0, 0, "test"
    )


EMPTY_Q = pd.DataFrame(columns=["record_no", "post_id", "reason", "raw"])


def test_migrations_apply_once_and_record_themselves(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    c = connection.connect(path)
    applied = connection.migrate(c, SQL)
    assert applied == sorted(p.name for p in (SQL / "migrations").glob("*.sql"))
    assert applied[:5] == [
        "001_posts.sql",
        "002_aggregates.sql",
        "003_file_imports.sql",
        "004_posts_per_brand.sql",
        "005_categories_spikes_alerts.sql",
    ]
    assert connection.migrate(c, SQL) == []
    tables = {
        r[0] for r in c.execute("select table_name from information_schema.tables").fetchall()
    }
    assert {
        "posts",
        "quarantine",
        "load_runs",
        "brand_hourly",
        "brand_daily",
        "brand_daily_categories",
        "spikes",
        "spike_hours",
        "alerts",
        "schema_migrations",
    } <= tables
    c.close()


def test_migration_003_keeps_quarantined_records_under_their_batch(tmp_path: Path) -> None:
    old_sql = tmp_path / "sql"
    shutil.copytree(SQL, old_sql)
    for later in sorted((old_sql / "migrations").glob("*.sql"))[2:]:
        later.unlink()
    path = tmp_path / "w.duckdb"
    with connection.open_for_write(path, old_sql) as c:
        c.execute(
            "insert into quarantine values ('demo', 'pebble', ?, ?, 0, null, 'text: empty', '{}')",
            [timeutil.naive_utc(T0), timeutil.naive_utc(T0 + timedelta(hours=1))],
        )
    with connection.open_for_write(path, SQL) as c:
        rows = c.execute("select batch_id, reason from quarantine").fetchall()
    assert rows == [(loads.interval_batch_id(T0, T0 + timedelta(hours=1)), "text: empty")]
    assert rows[0][0] == "20261005T000000Z_20261005T010000Z"


def test_an_edited_applied_migration_is_refused(tmp_path: Path) -> None:
    sql = tmp_path / "sql"
    shutil.copytree(SQL, sql)
    path = tmp_path / "w.duckdb"
    with connection.open_for_write(path, sql):
        pass
    migration = sql / "migrations" / "001_posts.sql"
    migration.write_text(migration.read_text() + "\n-- edited\n")
    with (
        pytest.raises(WarehouseError, match="changed after it was applied"),
        connection.open_for_write(path, sql),
    ):
        pass


def test_replace_interval_replaces_exactly_its_interval(con: Any) -> None:
    hour = timedelta(hours=1)
    before = [
        post_row("b", T0 - timedelta(minutes=1)),
        post_row("in1", T0),
        post_row("in2", T0 + timedelta(minutes=59)),
    ]
    loads.replace_interval(con, record(T0 - hour, T0, 1), frame(before[:1]), EMPTY_Q)
    loads.replace_interval(con, record(T0, T0 + hour, 2), frame(before[1:]), EMPTY_Q)
    # Rerun of [T0, T0+1h) with one post changed and one gone: the neighbour is untouched.
    loads.replace_interval(
        con, record(T0, T0 + hour, 1), frame([post_row("in1", T0, text="new")]), EMPTY_Q
    )
    rows = con.execute("select post_id, text from posts order by post_id").fetchall()
    assert rows == [("b", "t"), ("in1", "new")]
    assert con.execute("select count(*) from load_runs").fetchone() == (2,)


def test_a_post_redelivered_at_another_time_replaces_the_stored_one_and_notes_the_move(
    con: Any,
) -> None:
    h1, h2 = T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    loads.replace_interval(
        con, record(T0, h1, 2), frame([post_row("a", T0), post_row("b", T0)]), EMPTY_Q
    )
    # "a" re-delivered in the next hour (another interval), "c" new: the load finds the
    # stored "a" by its id and replaces it; "c" goes in as is.
    loads.replace_interval(
        con, record(h1, h2, 2), frame([post_row("a", h1), post_row("c", h1)]), EMPTY_Q
    )
    stored = con.execute("select post_id, created_at from posts order by post_id").fetchall()
    assert stored == [
        ("a", timeutil.naive_utc(h1)), ("b", timeutil.naive_utc(T0)), ("c", timeutil.naive_utc(h1))
    ]  # fmt: skip
    assert con.execute("select created_at from moved_posts").fetchall() == [
        (timeutil.naive_utc(T0),)
    ]
    # A rerun of the first hour with "b" moved within it: the move is noted too.
    con.execute("delete from moved_posts")
    later = T0 + timedelta(minutes=30)
    loads.replace_interval(con, record(T0, h1, 1), frame([post_row("b", later)]), EMPTY_Q)
    assert con.execute("select created_at from moved_posts").fetchall() == [
        (timeutil.naive_utc(T0),)
    ]
    assert con.execute("select count(*) from posts").fetchone() == (3,)
    # The same load again moves nothing and writes nothing twice.
    con.execute("delete from moved_posts")
    loads.replace_interval(con, record(T0, h1, 1), frame([post_row("b", later)]), EMPTY_Q)
    assert con.execute("select count(*) from moved_posts").fetchone() == (0,)
    assert con.execute("select count(*) from posts").fetchone() == (3,)


def test_note_moved_posts_writes_each_former_time_once_and_only_the_brands(con: Any) -> None:
    """Stored posts whose incoming time differs note their former time (one row per time,
    however many posts left it, a row noted before kept once); unchanged, new, another
    brand's and another source's posts of the same ids note nothing."""
    m = timedelta(minutes=1)
    stored = [post_row(p, T0) for p in ("same", "left", "also_left")]
    stored += [post_row("later", T0 + 60 * m), post_row("known", T0 + 120 * m)]
    stored += [post_row(f"bulk{i}", T0 + i * m + 7 * m) for i in range(3000)]
    stored += [post_row("left", T0 + 5 * m, brand="fernleaf")]
    stored += [post_row("left", T0 + 6 * m, source="file")]
    loads.insert_frame(con, "posts", frame(stored))
    con.execute("insert into moved_posts values ('pebble', ?)", [timeutil.naive_utc(T0 + 120 * m)])
    incoming = [post_row("same", T0), post_row("left", T0 + 9 * m)]
    incoming += [post_row("also_left", T0 + 3 * m), post_row("later", T0 + 61 * m)]
    incoming += [post_row("known", T0), post_row("new", T0 + 4 * m)]
    incoming += [post_row(f"bulk{i}", T0 + i * m + 8 * m) for i in range(3000)]

    assert loads.note_moved_posts(con, "demo", "pebble", frame(incoming)) is True

    noted = con.execute("select brand, created_at from moved_posts").fetchall()
    expected = {T0, T0 + 60 * m, T0 + 120 * m} | {T0 + i * m + 7 * m for i in range(3000)}
    assert sorted(noted) == sorted(("pebble", timeutil.naive_utc(t)) for t in expected)
    # Only new ids: nothing stored, nothing noted.
    con.execute("delete from moved_posts")
    assert loads.note_moved_posts(con, "demo", "pebble", frame([post_row("x", T0)])) is False
    assert loads.note_moved_posts(con, "demo", "pebble", frame(incoming[:1])) is True
    assert con.execute("select count(*) from moved_posts").fetchone() == (0,)


def test_a_failing_load_rolls_back_completely(con: Any) -> None:
    loads.replace_interval(
        con, record(T0, T0 + timedelta(hours=1), 1), frame([post_row("a", T0)]), EMPTY_Q
    )
    bad = frame([post_row("x", T0), post_row("x", T0)])  # duplicate key -> constraint error
    with pytest.raises(duckdb.Error):
        loads.replace_interval(con, record(T0, T0 + timedelta(hours=1), 2), bad, EMPTY_Q)
    assert con.execute("select post_id from posts").fetchall() == [("a",)]


def test_loads_sharing_one_transaction_commit_or_roll_back_together(con: Any) -> None:
    hour = timedelta(hours=1)
    with connection.transaction(con):
        loads.replace_interval(con, record(T0, T0 + hour, 1), frame([post_row("a", T0)]), EMPTY_Q)
        loads.replace_interval(
            con, record(T0 + hour, T0 + 2 * hour, 1), frame([post_row("b", T0 + hour)]), EMPTY_Q
        )
    assert con.execute("select post_id from posts order by 1").fetchall() == [("a",), ("b",)]
    bad = frame([post_row("x", T0 + 2 * hour), post_row("x", T0 + 2 * hour)])
    with pytest.raises(duckdb.Error), connection.transaction(con):
        loads.replace_interval(
            con, record(T0, T0 + hour, 1), frame([post_row("c", T0)]), EMPTY_Q
        )  # fine on its own, but its group fails
        loads.replace_interval(con, record(T0 + 2 * hour, T0 + 3 * hour, 2), bad, EMPTY_Q)
    assert con.execute("select post_id from posts order by 1").fetchall() == [("a",), ("b",)]
    assert con.execute("select count(*) from load_runs").fetchone() == (2,)
    with connection.transaction(con):  # the connection is usable again
        loads.replace_interval(con, record(T0, T0 + hour, 1), frame([post_row("c", T0)]), EMPTY_Q)
    assert con.execute("select post_id from posts order by 1").fetchall() == [("b",), ("c",)]


def test_post_text_is_stored_verbatim_never_interpolated(con: Any) -> None:
    evil = "'); drop table posts; -- <script>alert(1)</script> \u202e"
    loads.replace_interval(
        con, record(T0, T0 + timedelta(hours=1), 1), frame([post_row("e", T0, text=evil)]), EMPTY_Q
    )
    assert con.execute("select text from posts").fetchone() == (evil,)


def test_hourly_aggregates_are_dense_and_count_only_originals(con: Any) -> None:
    at = T0 + timedelta(hours=2, minutes=5)
    rows = [
        post_row(
            "1", at, sentiment="negative", compound=-0.5, is_complaint=True, author_followers=100
        ),
        post_row("2", at, sentiment="positive", compound=0.5, author_followers=10),
        post_row("3", at, kind="repost"),
        post_row("4", at, kind="brand_reply", is_brand_reply=True),
        post_row("5", at, kind="spam"),
        post_row("6", at, kind="copy", duplicate_of="1"),
    ]
    loads.replace_interval(con, record(T0, T0 + timedelta(hours=4), 6), frame(rows), EMPTY_Q)
    hours = [T0 + timedelta(hours=h) for h in range(4)]
    assert marts.refresh_hourly(con, SQL, "pebble", hours) == 4
    names, got = connection.query(con, "select * from brand_hourly order by hour")
    assert len(got) == 4
    by_hour = [dict(zip(names, r, strict=True)) for r in got]
    assert [h["posts"] for h in by_hour] == [0, 0, 2, 0]
    busy = by_hour[2]
    assert (busy["negative"], busy["positive"], busy["complaints"]) == (1, 1, 1)
    assert busy["negative_share"] == pytest.approx(0.5)
    assert busy["reach"] == 110 and busy["complaint_reach"] == 100
    assert busy["negative_reach_share"] == pytest.approx(100 / 110)
    assert (busy["reposts"], busy["brand_replies"], busy["spam"], busy["copies"]) == (1, 1, 1, 1)
    assert by_hour[0]["negative_share"] is None and by_hour[0]["mean_compound"] is None
    # Refreshing again replaces, never duplicates.
    marts.refresh_hourly(con, SQL, "pebble", hours)
    assert con.execute("select count(*) from brand_hourly").fetchone() == (4,)
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_name = 'brand_hourly'"
        ).fetchall()
    )
    assert types["posts"] == "BIGINT" and types["reach"] == "BIGINT"


def test_daily_aggregates_use_the_brand_day(con: Any) -> None:
    # 02:00 UTC on Oct 6 is still Oct 5 in New York.
    late = post_row("1", T0 + timedelta(days=1, hours=2), brand_day=date(2026, 10, 5))
    loads.replace_interval(con, record(T0, T0 + timedelta(days=2), 1), frame([late]), EMPTY_Q)
    days = [date(2026, 10, 4), date(2026, 10, 5), date(2026, 10, 6)]
    marts.refresh_daily(con, SQL, "pebble", timezone="America/New_York", days=days)
    got = con.execute("select day, posts, timezone from brand_daily order by day").fetchall()
    assert got == [
        (date(2026, 10, 4), 0, "America/New_York"),
        (date(2026, 10, 5), 1, "America/New_York"),
        (date(2026, 10, 6), 0, "America/New_York"),
    ]


def test_daily_categories_count_complaints_per_category_and_day(con: Any) -> None:
    at = T0 + timedelta(hours=15)
    rows = [
        post_row("1", at, is_complaint=True, complaint_category="billing", author_followers=5),
        post_row("2", at, is_complaint=True, complaint_category="billing", author_followers=7),
        post_row("3", at, is_complaint=True, complaint_category="outage"),
        # Not counted: not a complaint, a repost of one, and a complaint on another day.
        post_row("4", at),
        post_row("5", at, is_complaint=True, complaint_category="billing", kind="repost"),
        post_row("6", at + timedelta(days=1), brand_day=date(2026, 10, 6), is_complaint=True,
                 complaint_category="outage"),
    ]  # fmt: skip
    loads.replace_interval(con, record(T0, T0 + timedelta(days=2), 6), frame(rows), EMPTY_Q)
    day = date(2026, 10, 5)
    for _ in range(2):  # a refresh replaces its days, never duplicates
        marts.refresh_daily(con, SQL, "pebble", timezone="America/New_York", days=[day])
    got = con.execute(
        "select day, category, complaints, complaint_reach, share"
        " from brand_daily_categories order by category"
    ).fetchall()
    assert got == [
        (day, "billing", 2, 12, pytest.approx(2 / 3)),
        (day, "outage", 1, 10, pytest.approx(1 / 3)),
    ]
    total = con.execute("select complaints from brand_daily where day = ?", [day]).fetchone()
    assert total == (3,)


def test_copies_are_decided_the_same_whatever_the_load_order(con: Any) -> None:
    words = "the pebble app logged me out again and support hung up on me"
    hour = timedelta(hours=1)
    first = post_row("a", T0 + timedelta(minutes=50), text_fingerprint="fp", text=words)
    later = post_row("b", T0 + timedelta(hours=1, minutes=10), text_fingerprint="fp", text=words)
    # The later hour is loaded (and decided) first: alone, its post is an original.
    loads.replace_interval(con, record(T0 + hour, T0 + 2 * hour, 1), frame([later]), EMPTY_Q)
    marts.mark_copies(con, SQL, "pebble", start=T0 + hour, end=T0 + 26 * hour, window=24 * hour)
    assert con.execute("select kind from posts").fetchall() == [("original",)]
    # Then the earlier hour: deciding its span plus the window after it fixes the later one.
    loads.replace_interval(con, record(T0, T0 + hour, 1), frame([first]), EMPTY_Q)
    marts.mark_copies(con, SQL, "pebble", start=T0, end=T0 + 25 * hour, window=24 * hour)
    got = con.execute("select post_id, kind, duplicate_of from posts order by post_id").fetchall()
    assert got == [("a", "original", None), ("b", "copy", "a")]


def test_a_post_about_two_brands_is_stored_for_each(con: Any) -> None:
    hour = timedelta(hours=1)
    for brand in ("pebble", "fernleaf"):
        rec = loads.LoadRecord("x", brand, T0, T0 + hour, "/l", 1, 1, 0, 0, "test")
        row = post_row("same-tweet", T0, brand=brand, source="x")
        loads.replace_interval(con, rec, frame([row]), EMPTY_Q)
    assert con.execute("select brand from posts order by brand").fetchall() == [
        ("fernleaf",),
        ("pebble",),
    ]


HOLD_LOCK = (
    "import duckdb, time; c = duckdb.connect({path!r}); print('ok', flush=True); time.sleep(30)"
)


def test_a_locked_warehouse_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    connection.connect(path).close()

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK.format(path=str(path))],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(WarehouseLockedError, match="held by another process"):
            connection.connect(path, lock_timeout=0.5)
    finally:
        holder.kill()
        holder.wait()
    connection.connect(path, lock_timeout=5).close()


def test_reading_a_missing_warehouse_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="make demo"):
        connection.connect(tmp_path / "none.duckdb", read_only=True)
