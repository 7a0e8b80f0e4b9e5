"""Scoring worker processes that end with the process that started them.

A run scores in a pool of worker processes (about 280 MB each after the first batch:
pandas and DuckDB 90, lingua's models 167, the scorers and the caches they share). When
the run itself is killed (``kill -9``, the OOM killer, Airflow ending a task that
overran), nothing tells the workers: they would sit on their memory, waiting on a queue
nobody writes.
:func:`bind_to_parent`, the pool's initializer, ties each worker to its parent in two ways:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker the moment the
  parent thread that started it ends (the pool is created, used and shut down by one
  thread in :func:`pipeline.steps.loading.load_batches`, so that thread outlives it);
- everywhere, a daemon thread that checks every :data:`WATCH_INTERVAL_S` whether the
  parent is still the one it was, and ends the worker when not (an orphan is adopted by
  another process, so its parent id changes).

Use :func:`pool` (or pass ``initializer=bind_to_parent, initargs=(os.getpid(),)``).

:class:`BrandPool` is the load's pool: one such process per worker, each brand's batches
kept on one of them while it is not much busier than another, so that a worker holds the
scorers of about its share of the brands, not of every brand (a scorer grows with the posts
it scores: docs/benchmark.md "Peak memory at 1M").
"""

from __future__ import annotations

import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from pipeline.scoring import cues, languages
from pipeline.scoring.scorer import forget_scorers

T = TypeVar("T")

log = logging.getLogger(__name__)

#: ``PR_SET_PDEATHSIG`` from ``<linux/prctl.h>``.
PR_SET_PDEATHSIG = 1
#: How often the portable watch looks at the parent: a killed run's workers are gone
#: within about this long even where ``prctl`` is not available.
WATCH_INTERVAL_S = 0.5
#: How many more batches in flight a brand's worker may have than the least busy worker
#: before the brand's next batch goes to that one instead (and stays there): small, so that
#: no worker waits idle for long; not 0, so that brands do not hop at every batch. A
#: load keeps at most ``IN_FLIGHT_PER_WORKER`` batches per worker in flight
#: (pipeline.steps.loading).
AFFINITY_SLACK = 2
#: Exit status of a worker that ended because its parent was gone (128 + SIGHUP, the
#: signal a terminal's children get when it closes).
ORPHAN_EXIT = 129


def _set_death_signal() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(ORPHAN_EXIT)  # no cleanup to do: the work died with the parent
        time.sleep(WATCH_INTERVAL_S)


def bind_to_parent(parent_pid: int) -> None:
    """Pool initializer: end this worker when ``parent_pid`` (the pool's owner) ends."""
    armed = _set_death_signal()
    # The parent may have died before the signal was armed: then it is adopted already.
    if os.getppid() != parent_pid:
        os._exit(ORPHAN_EXIT)
    threading.Thread(target=_watch, args=(parent_pid,), name="parent-watch", daemon=True).start()
    log.debug("worker %d bound to parent %d (death signal: %s)", os.getpid(), parent_pid, armed)


def pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` fresh processes (``spawn``: no inherited locks or handles) that
    end with this process."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=bind_to_parent,
        initargs=(os.getpid(),),
    )


def trim_heap() -> bool:
    """Give the C heap's free memory back to the system (glibc's ``malloc_trim``), after a
    process dropped large native objects (lingua's models are freed to the heap, not to the
    system: 112 MB of 188 stayed resident until a trim, measured). False where there is no
    glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return int(libc.malloc_trim(0)) == 1
    except (OSError, AttributeError):
        return False


def release_scoring() -> None:
    """This process scores no more (its workers do): drop its scorers, the matchers they
    shared and lingua's models (about 165 MB) and give the memory back, rather than hold it
    through the run."""
    languages.release_detectors()
    forget_scorers()
    cues.forget_learned()
    gc.collect()
    trim_heap()


class BrandPool:
    """``workers`` processes (each a :func:`pool` of one) that score batches of brands.

    A brand's batches go to its worker (at first the least busy one) until that worker has
    more than :data:`AFFINITY_SLACK` batches in flight over the least busy one; the brand then
    moves there. A worker is told to drop the scorers of the brands that moved away from it
    (:func:`~pipeline.scoring.scorer.forget_scorers`) with its next batch, so it holds the
    scorers of the brands it has now, not of every brand it ever scored. One brand alone
    keeps every worker busy. Results are the futures of :meth:`submit`; used as a context
    manager, the processes end (batches not started are cancelled) on exit.
    """

    def __init__(self, workers: int) -> None:
        self._pools = [pool(1) for _ in range(workers)]
        self._busy = [0] * workers  # batches in flight per worker
        self._home: dict[str, int] = {}  # brand -> its worker
        self._held: list[set[str]] = [set() for _ in range(workers)]  # scorers built there
        self._lock = threading.Lock()

    def submit(self, brand_id: str, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        """Run ``fn(*args)`` on ``brand_id``'s worker (see the class docstring)."""
        home, gone = self.route(brand_id)
        try:
            future = self._pools[home].submit(_run, gone, fn, *args)
        except BaseException:
            self._done(home)
            raise
        future.add_done_callback(lambda _: self._done(home))
        return future

    def route(self, brand_id: str) -> tuple[int, tuple[str, ...]]:
        """The worker a batch of ``brand_id`` goes to (counted as in flight there until
        :meth:`_done`), and the brands whose scorers that worker is to drop first."""
        with self._lock:
            least = min(range(len(self._pools)), key=self._busy.__getitem__)
            home = self._home.get(brand_id)
            if home is None or self._busy[home] > self._busy[least] + AFFINITY_SLACK:
                home = self._home[brand_id] = least
            held = self._held[home]
            gone = tuple(sorted(b for b in held if self._home.get(b) != home))
            held.difference_update(gone)
            held.add(brand_id)
            self._busy[home] += 1
            return home, gone

    def _done(self, worker: int) -> None:
        with self._lock:
            self._busy[worker] -= 1

    def __enter__(self) -> BrandPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for one in self._pools:  # every worker's batches not started cancelled first ...
            one.shutdown(wait=False, cancel_futures=True)
        for one in self._pools:  # ... then the running ones awaited
            one.shutdown(wait=True)


def _run(forget: tuple[str, ...], fn: Callable[..., T], *args: Any) -> T:
    """In a worker: drop the scorers of brands moved away from it, then ``fn(*args)``."""
    if forget:
        forget_scorers(forget)
    return fn(*args)
