"""The file-import ledger (``file_imports``, ``file_import_posts``) and the writes of a file's
batches into ``posts`` and ``quarantine``.

A file is imported once per (brand, content checksum, mapping fingerprint): changing
``sources.file.columns`` or ``time_format`` makes every file new again. The ledger keeps one
row per file content, its latest import's. Its posts are upserted
by (source, brand, post_id), batch by batch; ``file_import_posts`` remembers which post ids a
file brought, so importing it again (``--reimport``, or under another mapping) first removes
the posts only it brought and nothing counts twice. Post text travels in a registered
DataFrame only, never inside SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.timeutil import naive_utc
from pipeline.warehouse.connection import transaction
from pipeline.warehouse.loads import POST_COLUMNS, insert_frame, note_moved_posts
from pipeline.warehouse.sqlfiles import read_sql

#: Appended to a file's checksum in ``file_import_posts`` for the ids of its earlier import
#: while it is imported again.
PREVIOUS_MARK = "~previous"

#: ``file_imports.mapping`` of the files imported before the ledger knew mappings (migration
#: 012): they count as imported under any mapping; ``--reimport`` imports them again.
LEGACY_MAPPING = ""


@dataclass(frozen=True)
class FileImportRecord:
    """The ledger row of one imported file."""

    brand: str
    sha256: str
    mapping: str
    file_name: str
    landing_path: str
    rows_read: int
    loaded: int
    updated: int
    duplicates: int
    quarantined: int
    first_post_at: datetime | None
    last_post_at: datetime | None
    model_version: str
    error: str | None


@dataclass(frozen=True)
class Written:
    """What writing one batch did: posts new to the warehouse, posts replaced, and the
    time span of the replaced posts' earlier versions (their hours need refreshing too)."""

    new: int
    updated: int
    earliest_replaced: datetime | None
    latest_replaced: datetime | None


def ledger_mappings(con: duckdb.DuckDBPyConnection, brand: str, sha256: str) -> set[str]:
    """The mapping fingerprints a file (by content) was imported under."""
    found = con.execute(
        "select mapping from file_imports where brand = ? and sha256 = ?", [brand, sha256]
    ).fetchall()
    return {str(r[0]) for r in found}


def is_imported(con: duckdb.DuckDBPyConnection, brand: str, sha256: str, mapping: str) -> bool:
    """Imported before under ``mapping`` (or before the ledger knew mappings)."""
    return bool(ledger_mappings(con, brand, sha256) & {mapping, LEGACY_MAPPING})


def as_datetime(value: object) -> datetime | None:
    """A timestamp as DuckDB or pandas gives it, as a plain naive datetime (None for null)."""
    if value is None or value is pd.NaT or not isinstance(value, datetime):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _span(row: Sequence[object] | None) -> tuple[datetime | None, datetime | None]:
    if row is None:
        return None, None
    return as_datetime(row[0]), as_datetime(row[1])


def begin_file(con: duckdb.DuckDBPyConnection, brand: str, sha256: str) -> None:
    """Start importing a file (again): its earlier quarantine rows and quality results go,
    and the post ids it brought before are set aside (:func:`finish_file` removes those
    posts it does not bring again)."""
    key = {"brand": brand, "sha": sha256}
    with transaction(con):
        con.execute(
            "insert or ignore into file_import_posts select brand, $previous, post_id"
            " from file_import_posts where brand = $brand and sha256 = $sha",
            {**key, "previous": sha256 + PREVIOUS_MARK},
        )
        con.execute("delete from file_import_posts where brand = $brand and sha256 = $sha", key)
        con.execute(
            "delete from quarantine where source = 'file' and brand = $brand and batch_id = $sha",
            key,
        )
        con.execute(
            "delete from quality_results where source = 'file' and brand = $brand"
            " and starts_with(batch_id, $sha || '/')",
            key,
        )


def finish_file(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, brand: str, sha256: str
) -> tuple[datetime | None, datetime | None]:
    """Remove the posts an earlier import of this file brought that this one did not (and
    no other file did). Returns their time span (naive UTC): the hours to refresh."""
    key = {"brand": brand, "previous": sha256 + PREVIOUS_MARK}
    with transaction(con):
        stale = con.execute(read_sql(sql_dir, "queries/warehouse/file_stale_posts"), key).fetch_df()
        span = (
            _span((stale["created_at"].min(), stale["created_at"].max()))
            if len(stale)
            else (None, None)
        )
        if len(stale):
            con.register("file_stale_ids", stale.loc[:, ["post_id"]])
            try:
                con.execute(
                    "delete from posts where source = 'file' and brand = ?"
                    " and post_id in (select post_id from file_stale_ids)",
                    [brand],
                )
            finally:
                con.unregister("file_stale_ids")
        con.execute(
            "delete from file_import_posts where brand = $brand and sha256 = $previous", key
        )
    return span


def write_batch(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    brand: str,
    sha256: str,
    *,
    posts: pd.DataFrame,
    quarantine: pd.DataFrame,
    unrecorded: bool,
) -> Written:
    """Upsert one batch of a file's posts and add its quarantine rows (one transaction).

    ``posts`` has :data:`POST_COLUMNS` and unique post ids; ``quarantine`` has record_no
    (the row's number in the file), post_id, reason and raw. ``unrecorded``: the file has no
    ledger row yet, so the posts an unfinished earlier attempt at it stored count as new.
    """
    with transaction(con):
        new, updated, lo, hi = len(posts), 0, None, None
        if len(posts):
            # A post that moved to another time stops counting at its former hour.
            note_moved_posts(con, "file", brand, posts)
            ids = posts.loc[:, ["post_id"]]
            con.register("file_batch_ids", ids)
            try:
                row = con.execute(
                    "select min(created_at), max(created_at) from posts where source = 'file'"
                    " and brand = ? and post_id in (select post_id from file_batch_ids)",
                    [brand],
                ).fetchone()
                lo, hi = _span(row)
                counted = con.execute(
                    read_sql(sql_dir, "queries/warehouse/file_updated_posts"),
                    {
                        "brand": brand,
                        "sha": sha256,
                        "previous": sha256 + PREVIOUS_MARK,
                        "unrecorded": unrecorded,
                    },
                ).fetchone()
                updated = int(counted[0]) if counted else 0
                con.execute(
                    "delete from posts where source = 'file' and brand = ?"
                    " and post_id in (select post_id from file_batch_ids)",
                    [brand],
                )
                con.execute(
                    "insert or ignore into file_import_posts"
                    " select ?, ?, post_id from file_batch_ids",
                    [brand, sha256],
                )
            finally:
                con.unregister("file_batch_ids")
            new = len(posts) - updated
        insert_frame(con, "posts", posts.loc[:, list(POST_COLUMNS)])
        insert_frame(
            con,
            "quarantine",
            quarantine.loc[:, ["record_no", "post_id", "reason", "raw"]].assign(
                source="file", brand=brand, batch_id=sha256, interval_start=None, interval_end=None
            ),
        )
    return Written(new=new, updated=updated, earliest_replaced=lo, latest_replaced=hi)


def record_import(con: duckdb.DuckDBPyConnection, record: FileImportRecord) -> None:
    """Mark a file as imported under its mapping: only once its posts and aggregates are in
    place, so a crash before this leaves the file to be imported again, never half-counted."""
    row = pd.DataFrame(
        [
            {
                **record.__dict__,
                "first_post_at": naive_utc(record.first_post_at) if record.first_post_at else None,
                "last_post_at": naive_utc(record.last_post_at) if record.last_post_at else None,
            }
        ]
    ).astype({"first_post_at": "datetime64[us]", "last_post_at": "datetime64[us]"})
    with transaction(con):
        # One row per file content: the latest import's (its posts and quarantine rows are
        # the ones stored), so sums over the ledger count every file once.
        con.execute(
            "delete from file_imports where brand = ? and sha256 = ?", [record.brand, record.sha256]
        )
        insert_frame(con, "file_imports", row)
