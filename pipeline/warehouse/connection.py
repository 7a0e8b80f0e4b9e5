"""The DuckDB warehouse file: connections, migrations, one writer at a time, transactions.

DuckDB allows one writing process per file; a process that finds the file locked waits
(with backoff) up to ``lock_timeout`` seconds and then raises
:class:`~pipeline.errors.WarehouseLockedError` naming the file. Analysts read a published
snapshot instead (:mod:`pipeline.warehouse.snapshot`), which every successful writer brings
up to date as it finishes, so their sessions never hold the working file.
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
from pathlib import Path

import duckdb

from pipeline.errors import WarehouseError, WarehouseLockedError
from pipeline.settings import Settings
from pipeline.warehouse import snapshot, sqlfiles

log = logging.getLogger(__name__)


#: How long a writer waits for another process to release the warehouse file. An hourly
#: load takes seconds; two minutes rides out a concurrent load or a short analyst query.
DEFAULT_LOCK_TIMEOUT_S = 120.0


_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


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
    append-only, a change needs a new numbered file. Then the views of ``sql_dir/models``
    whose file changed since they were created are created anew
    (:func:`pipeline.warehouse.sqlfiles.apply_views`), every time, in dependency order.
    """
    con.execute(
        "create table if not exists schema_migrations"
        " (version integer primary key, name varchar not null, checksum varchar not null)"
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
    sqlfiles.apply_views(con, sql_dir)
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


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None
) -> tuple[list[str], list[tuple[object, ...]]]:
    """Run a query; return column names and rows."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    return names, cursor.fetchall()
