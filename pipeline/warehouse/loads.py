"""Loads into ``posts``, ``quarantine``, ``load_runs`` and ``file_imports``: they replace,
never append.

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


@dataclass(frozen=True)
class FileImportRecord:
    """The ledger row of one imported file."""

    brand: str
    sha256: str
    file_name: str
    landing_path: str
    rows_read: int
    loaded: int
    duplicates: int
    quarantined: int
    first_post_at: datetime | None
    last_post_at: datetime | None
    model_version: str


def is_file_imported(con: duckdb.DuckDBPyConnection, brand: str, sha256: str) -> bool:
    row = con.execute(
        "select count(*) from file_imports where brand = ? and sha256 = ?", [brand, sha256]
    ).fetchone()
    return bool(row and row[0])


def replace_file(
    con: duckdb.DuckDBPyConnection,
    record: FileImportRecord,
    posts: pd.DataFrame,
    quarantine: pd.DataFrame,
) -> None:
    """Upsert one imported file's posts and replace its quarantine rows (one transaction).

    Posts are keyed by (source, post_id): a post that an earlier export already brought is
    replaced, never duplicated. :func:`record_file_import` then marks the file as imported.
    """
    with transaction(con):
        if len(posts):
            con.register("file_post_ids", posts.loc[:, ["post_id"]])
            try:
                con.execute(
                    "delete from posts where source = 'file' and brand = ?"
                    " and post_id in (select post_id from file_post_ids)",
                    [record.brand],
                )
            finally:
                con.unregister("file_post_ids")
        insert_frame(con, "posts", posts.loc[:, list(POST_COLUMNS)])
        _replace_quarantine(
            con,
            source="file",
            brand=record.brand,
            batch_id=record.sha256,
            interval=None,
            quarantine=quarantine,
        )


def record_file_import(con: duckdb.DuckDBPyConnection, record: FileImportRecord) -> None:
    """Mark a file as imported: only once its posts and aggregates are in place, so a crash
    before this leaves the file to be imported again (idempotently), never half-counted."""
    with transaction(con):
        con.execute(
            "delete from file_imports where brand = ? and sha256 = ?", [record.brand, record.sha256]
        )
        con.execute(
            "insert into file_imports values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record.brand,
                record.sha256,
                record.file_name,
                record.landing_path,
                record.rows_read,
                record.loaded,
                record.duplicates,
                record.quarantined,
                naive_utc(record.first_post_at) if record.first_post_at else None,
                naive_utc(record.last_post_at) if record.last_post_at else None,
                record.model_version,
            ],
        )
