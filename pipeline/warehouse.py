"""The DuckDB warehouse: connections, migrations, interval-replacing loads, aggregates.

Writes go through the native duckdb API (not SQLAlchemy), every load in one transaction
that first deletes exactly the rows of its interval, so a rerun replaces what the previous
run wrote and never adds a second copy. Post text only ever travels as a query parameter
or inside a registered DataFrame, never inside a SQL string.

DuckDB allows one writing process per file; a process that finds the file locked waits
(with backoff) up to ``lock_timeout`` seconds and then raises
:class:`~pipeline.errors.WarehouseLockedError` naming the file.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.errors import WarehouseError, WarehouseLockedError

log = logging.getLogger(__name__)

#: How long a writer waits for another process to release the warehouse file. An hourly
#: load takes seconds; two minutes rides out a concurrent load or a short analyst query.
DEFAULT_LOCK_TIMEOUT_S = 120.0

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

#: Column order of ``posts`` (as created by sql/migrations/001_posts.sql).
POST_COLUMNS = (
    "source", "post_id", "brand", "created_at", "brand_day", "author_id", "author_handle",
    "author_followers", "text", "lang", "url", "conversation_id", "in_reply_to_post_id",
    "in_reply_to_author_id", "repost_of", "is_brand_reply", "kind", "duplicate_of",
    "text_fingerprint", "compound", "pos", "neu", "neg", "sentiment", "is_complaint",
    "complaint_score", "complaint_category", "model_version",
)  # fmt: skip


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text


def connect(
    path: Path, *, read_only: bool = False, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting while another process holds it."""
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


@contextmanager
def open_for_write(
    path: Path, sql_dir: Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection, closed on exit."""
    con = connect(path, lock_timeout=lock_timeout)
    try:
        migrate(con, sql_dir)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Commit on success, roll back on any error."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


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


def replace_interval(
    con: duckdb.DuckDBPyConnection,
    record: LoadRecord,
    posts: pd.DataFrame,
    quarantine: pd.DataFrame,
) -> None:
    """Replace one (source, brand, interval) in ``posts``, ``quarantine`` and ``load_runs``.

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
        con.execute(
            "delete from quarantine where source = ? and brand = ?"
            " and interval_start = ? and interval_end = ?",
            key,
        )
        con.execute(
            "delete from load_runs where source = ? and brand = ?"
            " and interval_start = ? and interval_end = ?",
            key,
        )
        if len(posts):
            con.register("incoming_posts", posts.loc[:, list(POST_COLUMNS)])
            try:
                con.execute("insert into posts by name select * from incoming_posts")
            finally:
                con.unregister("incoming_posts")
        if len(quarantine):
            q = quarantine.assign(
                source=record.source,
                brand=record.brand,
                interval_start=start,
                interval_end=end,
            )
            con.register("incoming_quarantine", q)
            try:
                con.execute("insert into quarantine by name select * from incoming_quarantine")
            finally:
                con.unregister("incoming_quarantine")
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


def recent_fingerprints(
    con: duckdb.DuckDBPyConnection, brand: str, since: datetime, until: datetime
) -> dict[str, tuple[datetime, str]]:
    """Earliest original post per fingerprint for ``brand`` in ``[since, until)``."""
    rows = con.execute(
        "select text_fingerprint, min(created_at), arg_min(post_id, (created_at, post_id))"
        " from posts where brand = ? and kind = 'original'"
        " and created_at >= ? and created_at < ? group by text_fingerprint",
        [brand, naive_utc(since), naive_utc(until)],
    ).fetchall()
    return {str(fp): (ts.replace(tzinfo=UTC), str(pid)) for fp, ts, pid in rows}


def _transform(sql_dir: Path, name: str) -> str:
    path = sql_dir / "transforms" / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WarehouseError(f"transform not found: {path} (set BRANDPULSE_SQL)") from None


def refresh_hourly(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, brand: str, start: datetime, end: datetime
) -> int:
    """Recompute ``brand_hourly`` for ``brand`` over the hours in ``[start, end)``."""
    params = {"brand": brand, "start": naive_utc(start), "end": naive_utc(end)}
    with transaction(con):
        con.execute(
            "delete from brand_hourly where brand = $brand and hour >= $start and hour < $end",
            params,
        )
        con.execute(
            f"insert into brand_hourly by name {_transform(sql_dir, 'brand_hourly')}", params
        )
    return int((end - start).total_seconds() // 3600)


def refresh_daily(  # noqa: PLR0917 - mirrors the transform's parameters
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    brand: str,
    timezone: str,
    first_day: date,
    last_day: date,
) -> int:
    """Recompute ``brand_daily`` for ``brand`` over its local days first_day..last_day."""
    params = {"brand": brand, "timezone": timezone, "first_day": first_day, "last_day": last_day}
    with transaction(con):
        con.execute(
            "delete from brand_daily where brand = $brand"
            " and day >= $first_day and day <= $last_day",
            {k: params[k] for k in ("brand", "first_day", "last_day")},
        )
        con.execute(f"insert into brand_daily by name {_transform(sql_dir, 'brand_daily')}", params)
    return (last_day - first_day).days + 1


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None
) -> tuple[list[str], list[tuple[object, ...]]]:
    """Run a query; return column names and rows."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    return names, cursor.fetchall()
