"""``complaint_responses``: the brand's first reply to every complaint, and how long it took.

One row per complaint (an original post flagged ``is_complaint``), re-derived for the
complaints created in a range by ``sql/models/marts/complaint_responses.sql``, a mart over
the intermediate views ``int_complaints`` and ``int_brand_replies``. Replies arrive after
their complaint (the demo's care team within 36 hours, real teams sometimes days later), so
a refresh after a load must reach back: :data:`REPLY_LOOKBACK` before the loaded interval.
Rerunning a refresh over the same posts gives identical rows.

File exports name the post a reply answers but rarely its author or the conversation, which
the thread rule needs: :func:`derive_file_threads` fills both in from the stored posts after
a file import, so a brand's reply in a complaint's thread counts as its answer.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from pipeline import timeutil
from pipeline.timeutil import check_interval
from pipeline.warehouse import connection, marts, sqlfiles

log = logging.getLogger(__name__)

#: How far before a loaded interval complaints are re-examined for new replies. Seven days:
#: the daily report lists unanswered complaints of the last 7 days (report.BACKLOG_DAYS),
#: five times the default 24-hour SLA, and well past the demo's 36-hour latest reply.
REPLY_LOOKBACK = timedelta(days=7)

_MART = "complaint_responses"

#: Thread levels :func:`derive_file_threads` walks up at most: customer-care threads are
#: a few replies deep; the bound also ends a loop of posts replying to each other.
MAX_THREAD_DEPTH = 50


def derive_file_threads(con: duckdb.DuckDBPyConnection, sql_dir: Path, brand: str) -> int:
    """Fill in the replied-to author and the conversation of ``brand``'s file posts from the
    stored posts they reply to (``sql/queries/warehouse/file_*.sql``); values a file gave
    are kept. Returns the rows changed."""
    params = {"brand": brand}
    changed = 0
    with connection.transaction(con):
        for name in ("file_reply_authors", "file_conversation_roots"):
            changed += _count(
                con.execute(sqlfiles.read_sql(sql_dir, f"queries/warehouse/{name}"), params)
            )
        step = sqlfiles.read_sql(sql_dir, "queries/warehouse/file_conversation_parents")
        for _ in range(MAX_THREAD_DEPTH):
            moved = _count(con.execute(step, params))
            changed += moved
            if not moved:
                break
    return changed


def _count(cursor: duckdb.DuckDBPyConnection) -> int:
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def refresh_complaint_responses(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    brand: str,
    start: datetime,
    end: datetime,
) -> int:
    """Recompute ``complaint_responses`` for ``brand``'s complaints created in ``[start, end)``.

    Deletes the range's rows and inserts them anew from ``posts`` in one transaction, so a
    complaint reclassified or deleted since leaves no row behind. Returns the rows written.
    ``start`` and ``end`` are aware datetimes; the brand id travels as a parameter.
    """
    start, end = check_interval(start, end)
    params = {
        "brand": brand,
        "start": timeutil.naive_utc(start),
        "end": timeutil.naive_utc(end),
    }
    select = marts.mart_sql(sql_dir, _MART)
    with connection.transaction(con):
        con.execute(
            "delete from complaint_responses"
            " where brand = $brand and created_at >= $start and created_at < $end",
            params,
        )
        con.execute(f"insert into complaint_responses by name {select}", params)
        row = con.execute(
            "select count(*) from complaint_responses"
            " where brand = $brand and created_at >= $start and created_at < $end",
            params,
        ).fetchone()
    written = int(row[0]) if row else 0
    log.info(
        "complaint_responses: %d complaint(s) of brand=%s created in [%s, %s)",
        written, brand, start.isoformat(), end.isoformat(),
    )  # fmt: skip
    return written
