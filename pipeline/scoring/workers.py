"""Scoring worker processes that end with the process that started them.

A run scores in a pool of worker processes (about 110 MB each, the scorer built in every
one). When the run itself is killed (``kill -9``, the OOM killer, Airflow ending a task
that overran), nothing tells the workers: they would sit on their memory, waiting on a
queue nobody writes. :func:`bind_to_parent`, the pool's initializer, ties each worker to
its parent in two ways:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker the moment the
  parent thread that started it ends (the pool is created, used and shut down by one
  thread in :func:`pipeline.steps.loading.load_batches`, so that thread outlives it);
- everywhere, a daemon thread that checks every :data:`WATCH_INTERVAL_S` whether the
  parent is still the one it was, and ends the worker when not (an orphan is adopted by
  another process, so its parent id changes).

Use :func:`pool` (or pass ``initializer=bind_to_parent, initargs=(os.getpid(),)``).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

#: ``PR_SET_PDEATHSIG`` from ``<linux/prctl.h>``.
PR_SET_PDEATHSIG = 1
#: How often the portable watch looks at the parent: a killed run's workers are gone
#: within about this long even where ``prctl`` is not available.
WATCH_INTERVAL_S = 0.5
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
