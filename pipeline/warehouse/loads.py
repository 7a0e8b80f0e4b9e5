"""Loads into ``posts``, ``quarantine`` and ``load_runs``: they replace, never append (file
imports: :mod:`pipeline.warehouse.file_ledger`).

Every load runs in one transaction that first deletes exactly the rows of its interval (or
of its file), so a rerun replaces what the previous run wrote and never adds a second copy.
Post text only ever travels as a query parameter or inside a registered DataFrame, never
inside a SQL string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from pipeline.timeutil import naive_utc
from pipeline.warehouse.connection import transaction

#: Columns of ``posts`` (sql/migrations/001_posts.sql, 004_posts_per_brand.sql).
POST_COLUMNS = (
    "source", "post_id", "brand", "created_at", "brand_day", "author_id", "author_handle",
    "author_followers", "text", "lang", "url", "conversation_id", "in_reply_to_post_id",
    "in_reply_to_author_id", "repost_of", "is_brand_reply", "kind", "duplicate_of",
    "text_fingerprint", "compound", "pos", "neu", "neg", "sentiment", "is_complaint",
    "complaint_score", "complaint_category", "model_version", "copy_candidate",
    "sentiment_compound",
)  # fmt: skip


@dataclass(frozen=True)
class LoadRecord:
    """The ledger row of one (source, brand, interval) load."""

    source: str
    brand: str
    start: datetime
    end: datetime
    landing_path: str
    fetched: int
    loaded: int
    duplicates: int
    quarantined: int
    model_version: str


_BATCH_STAMP = "%Y%m%dT%H%M%SZ"


def interval_batch_id(start: datetime, end: datetime) -> str:
    """The quarantine key of an interval load: ``<start>_<end>`` in UTC."""
    return f"{start.astimezone(UTC):{_BATCH_STAMP}}_{end.astimezone(UTC):{_BATCH_STAMP}}"


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Insert a DataFrame's rows by column name (the table name is ours, never user input)."""
    if not len(frame):
        return
    view = f"incoming_{table}"
    con.register(view, frame)
    try:
        con.execute(f"insert into {table} by name select * from {view}")  # noqa: S608
    finally:
        con.unregister(view)


def _replace_quarantine(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    brand: str,
    batch_id: str,
    interval: tuple[datetime, datetime] | None,
    quarantine: pd.DataFrame,
) -> None:
    con.execute(
        "delete from quarantine where source = ? and brand = ? and batch_id = ?",
        [source, brand, batch_id],
    )
    start, end = (naive_utc(interval[0]), naive_utc(interval[1])) if interval else (None, None)
    insert_frame(
        con,
        "quarantine",
        quarantine.assign(
            source=source, brand=brand, batch_id=batch_id, interval_start=start, interval_end=end
        ),
    )


def replace_interval(
    con: duckdb.DuckDBPyConnection,
    record: LoadRecord,
    posts: pd.DataFrame,
    quarantine: pd.DataFrame,
) -> None:
    """Replace one (source, brand, interval) in ``posts``, ``quarantine`` and ``load_runs``.

    The load supersedes earlier loads of the same interval or of intervals inside it (their
    ledger and quarantine rows go). A load that only partly overlaps an earlier one (an hour
    rerun inside a day-sized backfill, a source's ``lag_minutes``) replaces the posts of
    the overlap, while the earlier ledger row keeps its counts: count posts in ``posts``.
    ``posts`` has the columns :data:`POST_COLUMNS`; ``quarantine`` has record_no, post_id,
    reason and raw. All of it happens in one transaction.
    """
    start, end = naive_utc(record.start), naive_utc(record.end)
    key = [record.source, record.brand, start, end]
    with transaction(con):
        con.execute(
            "delete from posts where source = ? and brand = ?"
            " and created_at >= ? and created_at < ?",
            key,
        )
        # Earlier loads of this interval, or of intervals inside it, are superseded.
        con.execute(
            "delete from load_runs where source = ? and brand = ?"
            " and interval_start >= ? and interval_end <= ?",
            key,
        )
        con.execute(
            "delete from quarantine where source = ? and brand = ?"
            " and interval_start >= ? and interval_end <= ?",
            key,
        )
        insert_frame(con, "posts", posts.loc[:, list(POST_COLUMNS)])
        _replace_quarantine(
            con,
            source=record.source,
            brand=record.brand,
            batch_id=interval_batch_id(record.start, record.end),
            interval=(record.start, record.end),
            quarantine=quarantine,
        )
        con.execute(
            "insert into load_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                *key,
                record.landing_path,
                record.fetched,
                record.loaded,
                record.duplicates,
                record.quarantined,
                record.model_version,
            ],
        )
