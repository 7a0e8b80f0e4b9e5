"""The analyst snapshot: a read-only copy of the warehouse that writers never lock.

DuckDB lets one process write a file, and while it does, no other process can read that
file; a reader in another process in turn keeps every writer out. Analysts keep sessions
open for hours, so they do not read the working file the DAGs write
(``BRANDPULSE_WAREHOUSE``) but a *published snapshot* of it (``BRANDPULSE_ANALYST_DB``).

Publishing, done by :func:`pipeline.warehouse.connection.open_for_write` when a writer finishes:

1. ``CHECKPOINT`` the working file: everything committed is now in the file itself (no
   WAL), and the writer still holds the file, so nothing changes it under us;
2. copy its bytes to a temporary file next to the analyst file, ``fsync`` it, give it the
   working file's modification time, and check that DuckDB opens it;
3. ``os.replace`` it over the analyst file (atomic on POSIX) and ``fsync`` the folder.

A reader that opened the analyst file before keeps the old file (the old inode) and sees
the old state, whole, until it reconnects; a reader that connects after sees the new one.
No reader ever sees half of a write, and no reader ever blocks a writer.

The snapshot is *stale* when the working file's size or modification time differ from
the analyst file's (a publish copies both), so a publish that a crash interrupted is
done by the next writer, and a writer that changed nothing copies nothing.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.errors import WarehouseError

log = logging.getLogger(__name__)

#: Copy buffer: 8 MiB moves a few hundred MB/s on an ordinary disk without holding much memory.
_COPY_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PublishResult:
    """What one publish did: ``copied`` is False when the snapshot was already current."""

    analyst: Path
    copied: bool
    bytes: int
    seconds: float


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns


def is_current(working: Path, analyst: Path) -> bool:
    """Whether ``analyst`` is a copy of ``working`` as it is now (same size and mtime)."""
    theirs = _signature(analyst)
    return theirs is not None and theirs == _signature(working)


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _copy_bytes(source: Path, target: Path) -> int:
    copied = 0
    with source.open("rb") as src, target.open("xb") as dst:
        while chunk := src.read(_COPY_CHUNK):
            dst.write(chunk)
            copied += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return copied


def _check_opens(path: Path) -> None:
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("select count(*) from information_schema.tables").fetchone()
    finally:
        con.close()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(
    con: duckdb.DuckDBPyConnection, working: Path, analyst: Path, *, force: bool = False
) -> PublishResult:
    """Publish ``working`` (open for writing on ``con``) as the analyst file ``analyst``.

    ``con`` must be the process's write connection to ``working``: holding it guarantees
    that no other process writes the file while it is copied. Does nothing when the
    snapshot is already current, unless ``force``.
    """
    started = time.monotonic()
    con.execute("checkpoint")
    if wal_path(working).exists() and wal_path(working).stat().st_size > 0:
        # Another connection of this process has a write transaction open: the file holds
        # the previous checkpoint only. Leave the snapshot; that writer publishes when done.
        log.warning(
            "not publishing %s: %s still has uncommitted work in this process", analyst, working
        )
        return PublishResult(analyst, False, 0, time.monotonic() - started)
    if not force and is_current(working, analyst):
        return PublishResult(analyst, False, 0, time.monotonic() - started)
    analyst.parent.mkdir(parents=True, exist_ok=True)
    # Publishers take turns (each holds the working file), so any other temporary copy
    # is what a publisher killed mid-copy left behind.
    for leftover in analyst.parent.glob(f".{analyst.name}.*.tmp"):
        leftover.unlink(missing_ok=True)
    tmp = analyst.with_name(f".{analyst.name}.{os.getpid()}.tmp")
    try:
        size = _copy_bytes(working, tmp)
        mtime = working.stat().st_mtime_ns
        os.utime(tmp, ns=(mtime, mtime))
        _check_opens(tmp)
        stale_wal = wal_path(analyst)
        if stale_wal.exists():
            # Only a read-write session on the analyst file makes one; replayed onto the new
            # snapshot it would corrupt it.
            log.warning("removing %s: the analyst file must only be opened read-only", stale_wal)
            stale_wal.unlink()
        os.replace(tmp, analyst)
        _fsync_dir(analyst.parent)
    except (OSError, duckdb.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise WarehouseError(
            f"the warehouse {working} was written, but publishing its analyst snapshot "
            f"{analyst} failed: {exc}. Analysts still see the previous snapshot; the next "
            "write (or a retry of this task) publishes it."
        ) from exc
    seconds = time.monotonic() - started
    log.info("published %s (%.1f MB) in %.2f s", analyst, size / 1e6, seconds)
    return PublishResult(analyst, True, size, seconds)


def reader_path(working: Path, analyst: Path | None) -> tuple[Path, str | None]:
    """The file a reader should open, and a note when it is the working file instead of
    the analyst snapshot (none published yet)."""
    if analyst is not None and analyst.exists():
        return analyst, None
    if not working.exists():
        return working, None  # opening it says how to create the warehouse
    return working, (
        f"no analyst snapshot at {analyst} yet: reading the working file {working} "
        "(a long-open session there blocks the loads; the next load publishes the snapshot)"
    )
