"""Fetching a source into the landing zone, page by page, so that faults cost nothing.

:func:`land_paged` asks a source for one page at a time and appends each page to a partial
landing file, then records a checkpoint (the next cursor, the file's length, the counts);
the last page needs none, as the partial file becomes the batch right after it.
When the fetch fails part-way (the process is killed, the provider keeps failing, a rate
limit is far away), the next attempt for the same (source, brand, interval) resumes from the
checkpoint: pages already landed are not fetched again and no page is skipped. Only when the
last page has landed does the partial file become the batch, atomically.

Per page:

- :class:`~pipeline.errors.TransientSourceError` (5xx, timeout, reset, bad body) is retried
  with exponential backoff, up to :attr:`FetchPolicy.max_attempts`; then it propagates and
  the task fails loudly (Airflow retries it later; the retry resumes).
- :class:`~pipeline.errors.RateLimitedError` waits for the reset when it is at most
  :attr:`FetchPolicy.max_rate_limit_wait_s` away, otherwise it propagates so that the
  scheduler retries the task after the reset.

A completed interval is fetched afresh by the next call for it, except by a call with the
same ``attempt`` as the one that landed it: a task that lands several intervals one after the
other (the backfill's groups) and fails part-way is retried with the same attempt, and its
retry fetches only the intervals that had not landed yet. Without that, a group that needs
more requests than one rate-limit window would spend every retry's window on the intervals
already landed, and never finish.

Waiting reads the clock; the data never does: what is fetched depends on the interval only.

With a landing zone in object storage (``BRANDPULSE_STORAGE=s3://…``) the partial file and its
checkpoint stay on the fetching host (:func:`scratch_folder`), and the complete batch is
uploaded in one piece, then its receipt: a retry on the same host resumes, a retry on
another host fetches the interval afresh, and no host ever sees half a batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.config.model import BrandConfig
from pipeline.errors import RateLimitedError, SourceError, TransientSourceError
from pipeline.ingest import storage
from pipeline.ingest.landing import Batch, batch_location
from pipeline.ingest.sources.base import Page, Source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchPolicy:
    """How hard to try. The defaults suit an hourly task with Airflow retries behind it."""

    #: Attempts per page for transient errors (the first try included).
    max_attempts: int = 5
    #: Backoff before attempt n+1 is ``base * 2**(n-1)`` seconds (plus up to 25% jitter),
    #: capped at ``backoff_max_s``: 1, 2, 4, 8 s by default, about 15 s in all.
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    #: A rate-limit reset at most this far away is waited for in-process; a later one ends
    #: the attempt. X's windows are 15 minutes, so a minute covers "almost reset".
    max_rate_limit_wait_s: float = 60.0
    #: Rate-limit waits per page before giving up the attempt anyway.
    max_rate_limit_waits: int = 3
    #: Pages per interval before the fetch is taken to be looping on a cursor: 10,000 pages
    #: of 100 is a million posts in one hour, far beyond any brand we know of.
    max_pages: int = 10_000
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.time, repr=False)


@dataclass(frozen=True)
class FetchStats:
    """What one landing did, for the task log and ``load_runs``."""

    pages: int
    records: int
    resumed_from_page: int
    retries: int
    rate_limit_waits: int
    #: The batch had been landed by an earlier try of the same attempt: nothing fetched.
    reused: bool = False


def _checkpoint_path(path: Path) -> Path:
    return path.with_name(path.name + ".checkpoint.json")


def _receipt_location(location: str) -> str:
    return location + ".landed.json"


def scratch_folder(location: str) -> Path:
    """Where a batch bound for remote storage is fetched on this host: the same folder for
    every try of it here (a retry on this host resumes), under the system's temp folder."""
    digest = hashlib.sha256(location.encode("utf-8")).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / "brandpulse-landing" / digest


def _partial_path(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def _request_key(
    source: Source, brand: BrandConfig, start: datetime, end: datetime, options: Mapping[str, Any]
) -> str:
    """What a checkpoint's cursor is valid for: the search (brand terms, options), the window."""
    what = {
        "source": source.name,
        "brand": [brand.id, list(brand.terms), list(brand.exclude), list(brand.languages)],
        "options": {k: v for k, v in sorted(options.items()) if k != "enabled"},
        "window": [start.isoformat(), end.isoformat()],
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        return _parse_state(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _parse_state(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        state = json.loads(text)
    except json.JSONDecodeError:
        return None
    return state if isinstance(state, dict) else None


def _landed_by(location: str, attempt: str, key: str) -> FetchStats | None:
    """What landed ``location``, when ``attempt`` did with the search ``key`` and the file
    is still as it left it; else None."""
    state = _parse_state(storage.read_text(_receipt_location(location)))
    size = storage.size(location)
    if size is None:
        return None
    if state is None or (state.get("attempt"), state.get("key")) != (attempt, key):
        return None
    pages, records = state.get("pages"), state.get("records")
    if state.get("bytes") != size or not isinstance(pages, int) or not isinstance(records, int):
        return None
    return FetchStats(
        pages=pages,
        records=records,
        resumed_from_page=0,
        retries=0,
        rate_limit_waits=0,
        reused=True,
    )


def _write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fetch_one(
    source: Source,
    brand: BrandConfig,
    *,
    start: datetime,
    end: datetime,
    options: Mapping[str, Any],
    cursor: str | None,
    policy: FetchPolicy,
    counters: dict[str, int],
) -> Page:
    """One page, with backoff on transient errors and short waits on rate limits."""
    attempt = waits = 0
    while True:
        try:
            return source.fetch_page(brand, start, end, options, cursor)
        except RateLimitedError as exc:
            wait = (exc.reset_at.timestamp() - policy.clock()) if exc.reset_at else None
            if (
                wait is None
                or wait > policy.max_rate_limit_wait_s
                or waits >= policy.max_rate_limit_waits
            ):
                log.warning(
                    "%s: rate limited, reset %s; ending this attempt (it resumes here)",
                    source.name, exc.reset_at.isoformat() if exc.reset_at else "unknown",
                )  # fmt: skip
                raise
            waits += 1
            counters["rate_limit_waits"] += 1
            log.info(
                "%s: rate limited; waiting %.1f s for the reset", source.name, max(wait, 0) + 1
            )
            policy.sleep(max(wait, 0.0) + 1.0)
        except TransientSourceError as exc:
            attempt += 1
            if attempt >= policy.max_attempts:
                log.error("%s: giving up after %d attempts: %s", source.name, attempt, exc)
                raise
            delay = min(policy.backoff_base_s * 2 ** (attempt - 1), policy.backoff_max_s)
            delay *= 1 + 0.25 * random.random()  # noqa: S311 - jitter, not security
            counters["retries"] += 1
            log.warning(
                "%s: %s; attempt %d of %d failed, retrying in %.1f s",
                source.name, exc, attempt, policy.max_attempts, delay,
            )  # fmt: skip
            policy.sleep(delay)


#: Landed lines: compact JSON, the text as it is (no \uXXXX escapes).
_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def land_paged(
    landing: Path | str,
    source: Source,
    brand: BrandConfig,
    *,
    start: datetime,
    end: datetime,
    options: Mapping[str, Any],
    policy: FetchPolicy | None = None,
    attempt: str | None = None,
) -> tuple[Batch, FetchStats]:
    """Fetch ``[start, end)`` page by page into the landing zone, resuming a failed fetch.

    ``attempt`` names the caller's attempt (for a task: its run, its id, its map index and
    the first try of its current sequence of retries, see
    :func:`pipeline.steps.orchestration.land_attempt`). The landed batch records it; a later call
    with the same attempt and the same search finds the batch as it landed it and fetches
    nothing. Every other call fetches the interval afresh. ``landing`` is a local folder or
    a storage URL (see the module's docstring).
    """
    policy = policy or FetchPolicy()
    location = batch_location(landing, source.name, brand.id, start, end)
    local = storage.is_local(location)
    path = (
        Path(location.removeprefix("file://"))
        if local
        else scratch_folder(location) / storage.name(location)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial, checkpoint = _partial_path(path), _checkpoint_path(path)
    key = _request_key(source, brand, start, end, options)
    receipt = _receipt_location(location)
    if attempt is not None:
        landed = _landed_by(location, attempt, key)
        if landed is not None:
            log.info(
                "%s/%s: [%s, %s) landed by an earlier try of this attempt (%d records); "
                "not fetched again",
                source.name, brand.id, start.isoformat(), end.isoformat(), landed.records,
            )  # fmt: skip
            batch = Batch(source.name, brand.id, start, end, location, landed.records)
            return batch, landed
    storage.delete(receipt)  # whatever happens now, the file is not that landing's

    cursor: str | None = None
    offset = records = pages = 0
    state = _read_state(checkpoint) if partial.exists() else None
    if state is not None and state.get("key") != key:
        log.warning(
            "%s/%s: the brand's search or options changed since the interrupted fetch; "
            "starting the interval over",
            source.name, brand.id,
        )  # fmt: skip
        state = None
    if state is None:
        # Starting over: a checkpoint left by an older attempt (another search, or a crash
        # after the rename) must not meet this attempt's partial file, which a one-page
        # fetch lands without writing a checkpoint of its own.
        checkpoint.unlink(missing_ok=True)
    else:
        cursor, offset = state["cursor"], int(state["offset"])
        records, pages = int(state["records"]), int(state["pages"])
        log.info(
            "%s/%s: resuming an interrupted fetch after page %d (%d records landed)",
            source.name, brand.id, pages, records,
        )  # fmt: skip
    resumed_from = pages
    counters = {"retries": 0, "rate_limit_waits": 0}

    with partial.open("ab" if offset else "wb") as fh:
        fh.truncate(offset)  # drop a page that was half-written when the last attempt died
        fh.seek(offset)
        done = resumed_from > 0 and cursor is None
        while not done:
            if pages >= policy.max_pages:
                raise SourceError(
                    f"{source.name}/{brand.id}: more than {policy.max_pages} pages for one "
                    "interval; the provider's cursor may be cycling (shorten the interval)"
                )
            page = _fetch_one(
                source,
                brand,
                start=start,
                end=end,
                options=options,
                cursor=cursor,
                policy=policy,
                counters=counters,
            )
            if page.records:
                # One line per record, the page in one write. surrogatepass: a provider's
                # lone surrogate ("\ud800") is landed as sent; normalize then replaces or
                # quarantines it with a reason.
                lines = "\n".join(map(_RECORD_ENCODER.encode, page.records)) + "\n"
                fh.write(lines.encode("utf-8", "surrogatepass"))
            fh.flush()
            os.fsync(fh.fileno())
            offset, records, pages = fh.tell(), records + len(page.records), pages + 1
            cursor = page.next_cursor
            if cursor is not None:
                # No checkpoint after the last page: the partial file becomes the batch
                # next; a crash before that resumes from the previous page's checkpoint
                # (truncating the last page) or, for a single page, starts over. One write
                # and fsync fewer per batch (the demo's and the bench's batches are one page).
                _write_json_atomic(
                    checkpoint,
                    {
                        "key": key,
                        "cursor": cursor,
                        "offset": offset,
                        "records": records,
                        "pages": pages,
                    },
                )
            log.info(
                "%s/%s: page %d landed (%d records%s)",
                source.name, brand.id, pages, len(page.records),
                f", {dict(page.info)}" if page.info else "",
            )  # fmt: skip
            done = cursor is None
    os.replace(partial, path)
    landed_bytes = path.stat().st_size
    if not local:  # one upload: the batch appears whole or not at all
        storage.put_file(path, location)
        path.unlink()
    checkpoint.unlink(missing_ok=True)
    if attempt is not None:
        receipt_state = {
            "attempt": attempt,
            "key": key,
            "records": records,
            "pages": pages,
            "bytes": landed_bytes,
        }
        storage.write_bytes(receipt, json.dumps(receipt_state).encode("utf-8"))
    stats = FetchStats(
        pages=pages,
        records=records,
        resumed_from_page=resumed_from,
        retries=counters["retries"],
        rate_limit_waits=counters["rate_limit_waits"],
    )
    return Batch(source.name, brand.id, start, end, location, records), stats
