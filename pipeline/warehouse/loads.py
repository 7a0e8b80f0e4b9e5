"""Loads into ``posts``, ``quarantine`` and ``load_runs``: they replace, never append (file
imports: :mod:`pipeline.warehouse.file_ledger`).

Every load runs in one transaction that first deletes exactly the rows of its interval (or
of its file), so a rerun replaces what the previous run wrote and never adds a second copy.
An interval load writes its ledger (``load_runs``) and its ``quarantine`` rows per hour of
its fetch window (:func:`pieces`): a rerun of any interval, an hour inside a loaded day or a
range across two, replaces exactly the hours it covers, and the tables come out as a clean
run's. A post re-delivered with another ``created_at`` replaces the stored one; its former
time goes to ``moved_posts`` for the aggregate step to refresh.
Post text only ever travels as a query parameter or inside a registered DataFrame, never
inside a SQL string.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from pipeline.timeutil import HOUR, naive_utc
from pipeline.warehouse.connection import transaction

log = logging.getLogger(__name__)

#: Columns of ``posts`` (sql/migrations/001_posts.sql, 004_posts_per_brand.sql, 017_languages.sql,
#: 019_learned_complaint_score.sql).
POST_COLUMNS = (
    "source", "post_id", "brand", "created_at", "brand_day", "author_id", "author_handle",
    "author_followers", "text", "lang", "url", "conversation_id", "in_reply_to_post_id",
    "in_reply_to_author_id", "repost_of", "is_brand_reply", "kind", "duplicate_of",
    "text_fingerprint", "compound", "pos", "neu", "neg", "sentiment", "is_complaint",
    "complaint_score", "complaint_category", "model_version", "copy_candidate",
    "sentiment_compound", "text_lang", "unscored_reason", "learned_complaint_score",
)  # fmt: skip

#: Columns of a load's quarantine frame: the table's record columns plus the record's
#: created_at (naive UTC, NaT when it could not be read), which says the hour it belongs to.
QUARANTINE_COLUMNS = ("record_no", "post_id", "reason", "raw", "created_at")


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
    #: created_at (naive UTC) of each record that repeated a post id of the batch
    duplicate_times: Sequence[datetime] = ()


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


def insert_values(
    con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence[object]]
) -> None:
    """Insert a few rows (a ledger's, a report's) in one statement, the values as parameters.

    One statement, not ``executemany``: DuckDB makes each of its rows an append of its own,
    and the commit of a load's two dozen ledger rows then cost more than its posts (the
    table name is ours, never user input).
    """
    if not rows:
        return
    width = len(rows[0])
    one = "(" + ", ".join("?" * width) + ")"
    con.execute(
        f"insert into {table} values " + ", ".join([one] * len(rows)),  # noqa: S608
        [value for row in rows for value in row],
    )


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
        quarantine.loc[:, ["record_no", "post_id", "reason", "raw"]].assign(
            source=source, brand=brand, batch_id=batch_id, interval_start=start, interval_end=end
        ),
    )


#: The size of the pieces an interval load's ledger and quarantine are kept in.
PIECE = HOUR


def pieces(
    start: datetime, end: datetime, size: timedelta = PIECE
) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut into pieces of ``size`` counted from ``start`` (the last may be
    shorter). Every load of a source shares the offset of ``start`` within the hour (its
    ``lag_minutes``), so a day's pieces are exactly the pieces of its hours."""
    out, cursor = [], start
    while cursor < end:
        out.append((cursor, min(cursor + size, end)))
        cursor += size
    return out


def _piece_index(times: pd.Series, starts: Sequence[datetime], end: datetime) -> np.ndarray:
    """For each naive UTC time, the index of the piece it falls in; a time that is missing
    or outside the load's interval (a record rejected for it) counts in the first piece."""
    values = pd.to_datetime(times).astype("datetime64[us]")
    stamps = np.array([naive_utc(s) for s in starts], dtype="datetime64[us]")
    index = np.searchsorted(stamps, values.to_numpy(), side="right") - 1
    outside = values.isna().to_numpy() | (values >= naive_utc(end)).to_numpy() | (index < 0)
    return np.where(outside, 0, index)


def note_moved_posts(
    con: duckdb.DuckDBPyConnection, source: str, brand: str, incoming: pd.DataFrame
) -> bool:
    """Before ``incoming`` (post_id, created_at) replace the stored posts of the same ids,
    note in ``moved_posts`` the stored times the posts move away from (one insert of them
    all). Whether any post of those ids is stored."""
    con.register("incoming_ids", incoming.loc[:, ["post_id"]])
    try:
        stored = con.execute(
            "select post_id, created_at from posts where source = ? and brand = ?"
            " and post_id in (select post_id from incoming_ids)",
            [source, brand],
        ).df()
    finally:
        con.unregister("incoming_ids")
    if stored.empty:
        return False
    # The incoming time of each id (the last, were an id repeated) against the stored one.
    new_time = pd.Series(
        pd.to_datetime(incoming["created_at"]).to_numpy(), index=incoming["post_id"]
    )
    new_time = new_time[~new_time.index.duplicated(keep="last")]
    now_at = stored["post_id"].map(new_time)
    moved = stored.loc[stored["created_at"].ne(now_at), ["created_at"]].drop_duplicates()
    if len(moved):
        con.register("moved_times", moved)
        try:
            con.execute(
                "insert or ignore into moved_posts select ?, created_at from moved_times", [brand]
            )
        finally:
            con.unregister("moved_times")
    return True


def _replace_ids(
    con: duckdb.DuckDBPyConnection, source: str, brand: str, posts: pd.DataFrame
) -> None:
    """Delete the stored posts that ``posts`` replace (same ids), noting moved times. The
    delete (a second read of the brand's stored ids) only runs when the first found any:
    a load of new posts reads them once."""
    if not note_moved_posts(con, source, brand, posts):
        return
    con.register("incoming_ids", posts.loc[:, ["post_id"]])
    try:
        con.execute(
            "delete from posts where source = ? and brand = ?"
            " and post_id in (select post_id from incoming_ids)",
            [source, brand],
        )
    finally:
        con.unregister("incoming_ids")


def replace_interval(
    con: duckdb.DuckDBPyConnection,
    record: LoadRecord,
    posts: pd.DataFrame,
    quarantine: pd.DataFrame,
) -> None:
    """Replace one (source, brand, interval) in ``posts``, ``quarantine`` and ``load_runs``.

    The interval's posts are replaced, and so is a stored post of the same id at another
    time (a later delivery wins; its former time goes to ``moved_posts``). The ledger and
    quarantine are written per piece of the interval (:func:`pieces`): one ``load_runs`` row
    per piece with the records whose ``created_at`` falls in it (a record without a readable
    time, or outside the interval, counts in the first), and its quarantine rows under the
    piece's batch id, numbered in landed order within the piece. Rows of earlier loads
    inside the interval are superseded. ``posts`` has the columns :data:`POST_COLUMNS`;
    ``quarantine`` has :data:`QUARANTINE_COLUMNS`. All of it happens in one transaction.
    """
    start, end = naive_utc(record.start), naive_utc(record.end)
    key = [record.source, record.brand, start, end]
    parts = pieces(record.start, record.end)
    starts = [lo for lo, _ in parts]
    with transaction(con):
        if len(posts):
            _replace_ids(con, record.source, record.brand, posts)
        con.execute(
            "delete from posts where source = ? and brand = ?"
            " and created_at >= ? and created_at < ?",
            key,
        )
        straddling = con.execute(
            "select count(*) from load_runs where source = ? and brand = ? and interval_start < ?"
            " and interval_end > ? and (interval_start < ? or interval_end > ?)",
            [record.source, record.brand, end, start, start, end],
        ).fetchone()
        if straddling and straddling[0]:
            log.warning(
                "%s/%s: [%s, %s) cuts across %d earlier ledger row(s) (another hour offset, or "
                "rows from before migration 013): their counts stay; count posts in posts",
                record.source, record.brand, start, end, straddling[0],
            )  # fmt: skip
        # Earlier loads of this interval, or of intervals (and hours) inside it, are superseded.
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
        q_times = (
            quarantine["created_at"]
            if "created_at" in quarantine.columns
            else pd.Series([pd.NaT] * len(quarantine), dtype="datetime64[us]")
        )
        q_piece = _piece_index(q_times, starts, record.end)
        numbered = quarantine.assign(piece=q_piece).sort_values(
            ["piece", "record_no"], kind="stable"
        )
        numbered["record_no"] = numbered.groupby("piece").cumcount()
        p_counts = np.bincount(
            _piece_index(posts["created_at"], starts, record.end), minlength=len(parts)
        )
        d_counts = np.bincount(
            _piece_index(
                pd.Series(list(record.duplicate_times), dtype="datetime64[us]"), starts, record.end
            ),
            minlength=len(parts),
        )
        if int(d_counts.sum()) != record.duplicates:  # a caller that did not say when
            d_counts = np.zeros(len(parts), dtype=int)
            d_counts[0] = record.duplicates
        q_counts = np.bincount(q_piece, minlength=len(parts))
        # The quarantine rows of every piece in one insert (the pieces' earlier rows went above).
        piece_rows = numbered["piece"].to_numpy()
        insert_frame(
            con,
            "quarantine",
            numbered.loc[:, ["record_no", "post_id", "reason", "raw"]].assign(
                source=record.source,
                brand=record.brand,
                batch_id=[interval_batch_id(*parts[i]) for i in piece_rows],
                interval_start=[naive_utc(parts[i][0]) for i in piece_rows],
                interval_end=[naive_utc(parts[i][1]) for i in piece_rows],
            ),
        )
        ledger = []
        for i, (lo, hi) in enumerate(parts):
            loaded, dups, quarantined = int(p_counts[i]), int(d_counts[i]), int(q_counts[i])
            ledger.append(
                (
                    record.source, record.brand, naive_utc(lo), naive_utc(hi),
                    record.landing_path, loaded + dups + quarantined, loaded, dups,
                    quarantined, record.model_version,
                )
            )  # fmt: skip
        insert_values(con, "load_runs", ledger)
