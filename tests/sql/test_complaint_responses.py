"""SQL tier: complaint_responses (sql/models/marts/complaint_responses.sql) in a temporary
DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from pipeline import timeutil
from pipeline.settings import PROJECT_ROOT
from pipeline.warehouse import connection, loads, marts
from pipeline.warehouse.responses import refresh_complaint_responses

SQL = PROJECT_ROOT / "sql"
T0 = datetime(2026, 10, 20, 12, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connection.open_for_write(tmp_path / "w.duckdb", SQL) as c:
        yield c


def post(post_id: str, at: datetime, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source": "demo", "post_id": post_id, "brand": "pebble",
        "created_at": timeutil.naive_utc(at), "brand_day": at.date(),
        "author_id": "u1", "author_handle": "ann", "author_followers": 100, "text": "t",
        "lang": "en", "url": f"https://social.example/ann/status/{post_id}",
        "conversation_id": post_id, "in_reply_to_post_id": None,
        "in_reply_to_author_id": None, "repost_of": None, "is_brand_reply": False,
        "kind": "original", "duplicate_of": None, "text_fingerprint": post_id,
        "compound": -0.5, "pos": 0.0, "neu": 0.5, "neg": 0.5, "sentiment": "negative",
        "is_complaint": True, "complaint_score": 0.8, "complaint_category": "billing",
        "model_version": "test", "copy_candidate": True,
    }  # fmt: skip
    row.update(kw)
    return row


def reply(post_id: str, at: datetime, to: str, to_author: str = "u1", **kw: Any) -> dict[str, Any]:
    base = {
        "author_id": "care", "author_handle": "PebbleCares", "author_followers": 5000,
        "conversation_id": kw.pop("conversation_id", to), "in_reply_to_post_id": to,
        "in_reply_to_author_id": to_author, "is_brand_reply": True, "kind": "brand_reply",
        "is_complaint": False, "complaint_category": None, "complaint_score": 0.0,
    }  # fmt: skip
    base.update(kw)
    return post(post_id, at, **base)


def insert(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    frame = pd.DataFrame(rows, columns=list(loads.POST_COLUMNS))
    con.register("incoming", frame)
    con.execute("insert into posts by name select * from incoming")
    con.unregister("incoming")


def responses(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Any, ...]]:
    rows = con.execute(
        "select post_id, answered, first_reply_post_id, response_seconds, first_reply_handle"
        " from complaint_responses order by post_id"
    ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_first_brand_reply_direct_or_in_thread_and_unanswered(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert(
        con,
        [
            post("c1", T0),
            reply("r1b", T0 + timedelta(hours=3), "c1"),
            reply("r1a", T0 + timedelta(minutes=90), "c1"),  # the first of two replies
            # c2: the brand answers the complainer's follow-up in the thread, not c2 itself.
            post("c2", T0, author_id="u2", author_handle="bo"),
            post("f2", T0 + timedelta(minutes=5), author_id="u2", conversation_id="c2",
                 in_reply_to_post_id="c2", in_reply_to_author_id="u2", is_complaint=False),
            reply("r2", T0 + timedelta(hours=1), "f2", to_author="u2", conversation_id="c2"),
            post("c3", T0),  # unanswered
            # c4: only replies that do not count: by a customer, in another source, and one
            # dated before the complaint (clock skew between providers).
            post("c4", T0, author_id="u4"),
            post("x4", T0 + timedelta(hours=1), author_id="u9", in_reply_to_post_id="c4",
                 in_reply_to_author_id="u4", conversation_id="c4", is_complaint=False),
            reply("r4", T0 + timedelta(hours=1), "c4", to_author="u4", source="x"),
            reply("r4early", T0 - timedelta(minutes=1), "c4", to_author="u4"),
            # Not complaints: a non-complaint, a repost and a copy of one.
            post("n1", T0, is_complaint=False, complaint_category=None),
            post("rp", T0, kind="repost"),
            post("cp", T0, kind="copy", duplicate_of="c1"),
        ],
    )  # fmt: skip
    written = refresh_complaint_responses(con, SQL, "pebble", T0 - DAY, T0 + DAY)
    assert written == 4
    assert responses(con) == {
        "c1": (True, "r1a", 90 * 60, "PebbleCares"),
        "c2": (True, "r2", 3600, "PebbleCares"),
        "c3": (False, None, None, None),
        "c4": (False, None, None, None),
    }
    row = con.execute(
        "select source, brand, created_at, brand_day, author_handle, author_followers,"
        " complaint_category, url, first_reply_at from complaint_responses where post_id = 'c1'"
    ).fetchone()
    assert row == (
        "demo", "pebble", timeutil.naive_utc(T0), T0.date(), "ann", 100, "billing",
        "https://social.example/ann/status/c1", timeutil.naive_utc(T0 + timedelta(minutes=90)),
    )  # fmt: skip


def test_refresh_replaces_only_its_range_and_is_idempotent(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert(con, [post("old", T0 - 2 * DAY), post("c1", T0), post("new", T0 + 2 * DAY)])
    refresh_complaint_responses(con, SQL, "pebble", T0 - 3 * DAY, T0 + 3 * DAY)
    first = con.execute("select * from complaint_responses order by all").fetchall()
    # A reply arrives later; refreshing only c1's day finds it and leaves the others alone.
    insert(con, [reply("r", T0 + timedelta(hours=30), "c1")])
    con.execute("update complaint_responses set author_handle = 'stale' where post_id = 'old'")
    assert refresh_complaint_responses(con, SQL, "pebble", T0 - timedelta(hours=1), T0 + DAY) == 1
    after = responses(con)
    assert after["c1"] == (True, "r", 30 * 3600, "PebbleCares")
    assert after["new"] == (False, None, None, None)
    handles = dict(con.execute("select post_id, author_handle from complaint_responses").fetchall())
    assert handles["old"] == "stale"  # outside the refreshed range
    # Twice the same refresh: identical rows.
    refresh_complaint_responses(con, SQL, "pebble", T0 - 3 * DAY, T0 + 3 * DAY)
    once = con.execute("select * from complaint_responses order by all").fetchall()
    refresh_complaint_responses(con, SQL, "pebble", T0 - 3 * DAY, T0 + 3 * DAY)
    assert con.execute("select * from complaint_responses order by all").fetchall() == once
    assert len(once) == len(first) == 3


def test_a_complaint_no_longer_in_posts_loses_its_row_and_brands_stay_apart(
    con: duckdb.DuckDBPyConnection,
) -> None:
    insert(con, [post("c1", T0), post("c1", T0, brand="fernleaf"), post("c2", T0)])
    refresh_complaint_responses(con, SQL, "pebble", T0 - DAY, T0 + DAY)
    con.execute("update posts set is_complaint = false where post_id = 'c2'")
    refresh_complaint_responses(con, SQL, "pebble", T0 - DAY, T0 + DAY)
    assert con.execute("select brand, post_id from complaint_responses").fetchall() == [
        ("pebble", "c1")
    ]


def test_hostile_ids_travel_as_parameters(con: duckdb.DuckDBPyConnection) -> None:
    evil = "x'); drop table posts; --"
    insert(con, [post(evil, T0), reply("r", T0 + timedelta(minutes=1), evil)])
    refresh_complaint_responses(con, SQL, "pebble", T0 - DAY, T0 + DAY)
    assert responses(con) == {evil: (True, "r", 60, "PebbleCares")}


def test_rows_per_day_match_brand_daily_complaints(con: duckdb.DuckDBPyConnection) -> None:
    insert(
        con,
        [post(f"c{i}", T0 + timedelta(hours=5 * i)) for i in range(12)]
        + [post("n", T0, is_complaint=False), post("s", T0, kind="spam")],
    )
    days = sorted({T0.date() + timedelta(days=i) for i in range(3)})
    marts.refresh_daily(con, SQL, "pebble", timezone="UTC", days=days)
    refresh_complaint_responses(con, SQL, "pebble", T0 - DAY, T0 + 3 * DAY)
    per_day = con.execute(
        "select d.day, d.complaints, count(r.post_id) from brand_daily as d"
        " left join complaint_responses as r on r.brand = d.brand and r.brand_day = d.day"
        " group by all order by d.day"
    ).fetchall()
    assert all(complaints == rows for _, complaints, rows in per_day), per_day
    assert sum(rows for *_, rows in per_day) == 12


def test_an_empty_interval_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="empty interval"):
        refresh_complaint_responses(con, SQL, "pebble", T0, T0)
