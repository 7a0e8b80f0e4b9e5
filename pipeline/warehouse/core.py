"""The DuckDB warehouse: connections, migrations, interval-replacing loads, aggregates.

Writes go through the native duckdb API (not SQLAlchemy), every load in one transaction
that first deletes exactly the rows of its interval, so a rerun replaces what the previous
run wrote and never adds a second copy. Post text only ever travels as a query parameter
or inside a registered DataFrame, never inside a SQL string.

DuckDB allows one writing process per file; a process that finds the file locked waits
(with backoff) up to ``lock_timeout`` seconds and then raises
:class:`~pipeline.errors.WarehouseLockedError` naming the file. Analysts read a published
snapshot instead (:mod:`pipeline.warehouse.snapshot`), which every successful writer brings up to
date as it finishes, so their sessions never hold the working file.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import WarehouseError, WarehouseLockedError
from pipeline.settings import Settings
from pipeline.warehouse import snapshot

log = logging.getLogger(__name__)

#: How long a writer waits for another process to release the warehouse file. An hourly
#: load takes seconds; two minutes rides out a concurrent load or a short analyst query.
DEFAULT_LOCK_TIMEOUT_S = 120.0

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

#: Columns of ``posts`` (sql/migrations/001_posts.sql, 004_posts_per_brand.sql).
POST_COLUMNS = (
    "source", "post_id", "brand", "created_at", "brand_day", "author_id", "author_handle",
    "author_followers", "text", "lang", "url", "conversation_id", "in_reply_to_post_id",
    "in_reply_to_author_id", "repost_of", "is_brand_reply", "kind", "duplicate_of",
    "text_fingerprint", "compound", "pos", "neu", "neg", "sentiment", "is_complaint",
    "complaint_score", "complaint_category", "model_version", "copy_candidate",
    "sentiment_compound",
)  # fmt: skip


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text


def connect(
    path: Path,
    *,
    read_only: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    sandbox: bool = False,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting while another process holds it.

    With ``sandbox`` (for SQL typed by a user), the connection can read the warehouse and
    nothing else: no files, no other databases, no extensions, no settings changes.
    """
    if read_only and not path.exists():
        raise WarehouseError(
            f"no warehouse at {path}: run `make demo` or `brandpulse run` first "
            "(or point BRANDPULSE_WAREHOUSE at it)"
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    delay = 0.1
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            con.execute("set TimeZone = 'UTC'")
            if sandbox:
                con.execute("set enable_external_access = false")
                con.execute("set lock_configuration = true")
            return con
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open the warehouse {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseLockedError(
                    f"the warehouse {path} is held by another process (an open DuckDB "
                    f"session or another load) and was not released within "
                    f"{lock_timeout:.0f} s; close that session or retry later. DuckDB said: {exc}"
                ) from exc
            log.info("warehouse %s is locked by another process; retrying in %.1f s", path, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()[:16]


def read_migrations(sql_dir: Path) -> list[Migration]:
    """The numbered migrations in ``sql_dir/migrations``, in order."""
    folder = sql_dir / "migrations"
    migrations = []
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise WarehouseError(f"migration file name {path.name!r} is not NNN_name.sql")
        migrations.append(Migration(int(match.group(1)), path.name, path.read_text("utf-8")))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise WarehouseError(f"two migrations share a number in {folder}")
    if not migrations:
        raise WarehouseError(f"no migrations found in {folder} (set BRANDPULSE_SQL)")
    return migrations


def migrate(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> list[str]:
    """Apply the migrations not applied yet, each in its own transaction; return their names.

    An applied migration whose file has changed since is an error: migrations are
    append-only, a change needs a new numbered file.
    """
    con.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null, checksum varchar not null)"
    )
    applied = {
        int(v): (str(n), str(c))
        for v, n, c in con.execute(
            "select version, name, checksum from schema_migrations"
        ).fetchall()
    }
    done = []
    for migration in read_migrations(sql_dir):
        if migration.version in applied:
            name, checksum = applied[migration.version]
            if checksum != migration.checksum:
                raise WarehouseError(
                    f"migration {migration.name} changed after it was applied (as {name}); "
                    "add a new numbered migration instead of editing an applied one"
                )
            continue
        con.execute("begin transaction")
        try:
            con.execute(migration.sql)
            con.execute(
                "insert into schema_migrations values (?, ?, ?)",
                [migration.version, migration.name, migration.checksum],
            )
            con.execute("commit")
        except duckdb.Error as exc:
            con.execute("rollback")
            raise WarehouseError(f"migration {migration.name} failed: {exc}") from exc
        log.info("applied migration %s", migration.name)
        done.append(migration.name)
    return done


def analyst_path_for(path: Path) -> Path | None:
    """The analyst snapshot of the working file ``path``: ``BRANDPULSE_ANALYST_DB`` when
    ``path`` is the configured warehouse (``BRANDPULSE_WAREHOUSE``), else None."""
    settings = Settings.from_env()
    return settings.analyst_db if path.resolve() == settings.warehouse.resolve() else None


#: Write connections open in this process, per working file: only the outermost publishes.
_open_writers: Counter[Path] = Counter()
_open_writers_lock = threading.Lock()


@contextmanager
def open_for_write(
    path: Path,
    sql_dir: Path,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    publish: bool = True,
    analyst: Path | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection, closed on exit.

    On a successful exit (no exception), with ``publish``, the analyst snapshot is brought
    up to date before the connection (and the lock) is released: ``analyst``, or by default
    :func:`analyst_path_for` ``path`` (see :mod:`pipeline.warehouse.snapshot`). It is a file copy
    when the write changed the file, nothing when it did not. A body that raises publishes
    nothing, so analysts never see a write step that failed half-way; nor does an
    ``open_for_write`` nested in another one on the same file (the outer one publishes).
    """
    con = connect(path, lock_timeout=lock_timeout)
    key = path.resolve()
    with _open_writers_lock:
        _open_writers[key] += 1
        outermost = _open_writers[key] == 1
    try:
        migrate(con, sql_dir)
        yield con
        target = analyst or analyst_path_for(path)
        if publish and outermost and target is not None:
            snapshot.publish(con, path, target)
    finally:
        with _open_writers_lock:
            _open_writers[key] -= 1
            if not _open_writers[key]:
                del _open_writers[key]
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Commit on success, roll back on any error.

    Inside another ``transaction`` on the same connection it joins the outer one, which
    commits or rolls back the whole (DuckDB has no savepoints): several writes that are
    each atomic can share one commit (:func:`pipeline.steps.loading.load_batches`).
    """
    key = id(con)
    if key in _open_transactions:
        yield con
        return
    con.execute("begin transaction")
    _open_transactions.add(key)
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    else:
        con.execute("commit")
    finally:
        _open_transactions.discard(key)


#: Connections (by id) inside a :func:`transaction`; each is used by one thread at a time.
_open_transactions: set[int] = set()


def naive_utc(moment: datetime) -> datetime:
    """The warehouse stores UTC as timestamps without a zone."""
    if moment.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got {moment!r}")
    return moment.astimezone(UTC).replace(tzinfo=None)


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


#: The folder of ``sql_dir`` holding the mart transforms (and copies.sql). The staging and
#: intermediate views they select from are created by sql/migrations/010_analyst_layer.sql;
#: docs/warehouse.md ("The layers") describes the layout.
TRANSFORMS_DIR = "transforms"


def transform_sql(sql_dir: Path, name: str) -> str:
    """The SQL of the transform ``sql_dir/transforms/<name>.sql``: a mart's select (over the
    intermediate views), or the copies update."""
    path = sql_dir / TRANSFORMS_DIR / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WarehouseError(f"transform not found: {path} (set BRANDPULSE_SQL)") from None


def mark_copies(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    brand: str,
    *,
    start: datetime,
    end: datetime,
    window: timedelta,
) -> None:
    """Decide anew which of ``brand``'s posts created in ``[start, end)`` are copies."""
    params = {
        "brand": brand,
        "start": naive_utc(start),
        "end": naive_utc(end),
        "window_start": naive_utc(start - window),
    }
    with transaction(con):
        con.execute(transform_sql(sql_dir, "copies"), params)


def existing_hours(
    con: duckdb.DuckDBPyConnection, brand: str, start: datetime, end: datetime
) -> list[datetime]:
    """The hours of ``brand_hourly`` already stored for ``brand`` in ``[start, end)``."""
    rows = con.execute(
        "select hour from brand_hourly where brand = ? and hour >= ? and hour < ? order by hour",
        [brand, naive_utc(start), naive_utc(end)],
    ).fetchall()
    return [r[0].replace(tzinfo=UTC) for r in rows]


def existing_days(
    con: duckdb.DuckDBPyConnection, brand: str, first: date, last: date
) -> list[date]:
    """The days of ``brand_daily`` already stored for ``brand`` in ``first .. last``."""
    rows = con.execute(
        "select day from brand_daily where brand = ? and day >= ? and day <= ? order by day",
        [brand, first, last],
    ).fetchall()
    return [r[0] for r in rows]


def refresh_hourly(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, brand: str, hours: Sequence[datetime]
) -> int:
    """Recompute ``brand_hourly`` rows of ``brand`` for exactly these UTC hour starts.

    The mart is materialized from ``int_post_measures`` (transforms/brand_hourly.sql): the
    rows of those hours are deleted and selected anew in one transaction.
    """
    if not hours:
        return 0
    stamps = sorted({naive_utc(h) for h in hours})
    params = {
        "brand": brand,
        "hours": stamps,
        "start": stamps[0],
        "end": stamps[-1] + timedelta(hours=1),
    }
    with transaction(con):
        con.execute(
            "delete from brand_hourly where brand = $brand and list_contains($hours, hour)",
            {"brand": brand, "hours": stamps},
        )
        con.execute(
            f"insert into brand_hourly by name {transform_sql(sql_dir, 'brand_hourly')}", params
        )
    return len(stamps)


def refresh_daily(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    brand: str,
    *,
    timezone: str,
    days: Sequence[date],
) -> int:
    """Recompute ``brand_daily`` and ``brand_daily_categories`` of ``brand`` for these days.

    Both marts are materialized in one transaction, ``brand_daily`` from
    ``int_post_measures`` (the same measure rules as ``brand_hourly``) and the categories
    from ``int_complaints``, so a day's category complaints always sum to its complaints.
    """
    if not days:
        return 0
    ordered = sorted(set(days))
    params = {
        "brand": brand,
        "timezone": timezone,
        "days": ordered,
        "first_day": ordered[0],
        "last_day": ordered[-1],
    }
    with transaction(con):
        con.execute(
            "delete from brand_daily where brand = $brand and list_contains($days, day)",
            {"brand": brand, "days": ordered},
        )
        con.execute(
            f"insert into brand_daily by name {transform_sql(sql_dir, 'brand_daily')}", params
        )
        con.execute(
            "delete from brand_daily_categories where brand = $brand and list_contains($days, day)",
            {"brand": brand, "days": ordered},
        )
        con.execute(
            "insert into brand_daily_categories by name "
            + transform_sql(sql_dir, "brand_daily_categories"),
            {k: v for k, v in params.items() if k != "timezone"},
        )
    return len(ordered)


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None
) -> tuple[list[str], list[tuple[object, ...]]]:
    """Run a query; return column names and rows."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    return names, cursor.fetchall()
