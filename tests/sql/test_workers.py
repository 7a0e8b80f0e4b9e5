"""Scoring workers end with their parent: a run killed with SIGKILL while its worker
processes score leaves none of them behind (pipeline/scoring/workers.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from pipeline.scoring import workers
from pipeline.settings import Settings

#: How long orphaned workers may take to go: the death signal is immediate, the portable
#: watch polls every WATCH_INTERVAL_S.
GRACE_S = 5.0


def _workers_of(proc: psutil.Process) -> list[psutil.Process]:
    """The pool's worker processes under ``proc`` (spawned ``multiprocessing`` children that
    are not its resource tracker)."""
    found = []
    for child in proc.children(recursive=True):
        try:
            cmdline = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "multiprocessing" in cmdline and "resource_tracker" not in cmdline:
            found.append(child)
    return found


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.NoSuchProcess:
            continue
    return alive


def test_killing_a_run_mid_scoring_leaves_no_worker_behind(settings: Settings) -> None:
    env = {**os.environ, "BRANDPULSE_WORKERS": "2"}
    # 28 demo days: the pool starts after the first 20,000 records, scoring goes on long after.
    cmd = [
        sys.executable, "-m", "pipeline.cli.main", "run", "--start", "2026-10-05",
        "--end", "2026-11-02", "--no-progress",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parent = psutil.Process(proc.pid)
    found: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 240
        while len(found) < 2:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the run never started its workers"
            found = _workers_of(parent)
            time.sleep(0.2)
        time.sleep(2.0)  # the workers are scoring now
        assert len(_alive(found)) == 2
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + GRACE_S
        while _alive(found) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = _alive(found)
    finally:
        proc.kill()
        proc.wait()
        for p in _alive(found):  # never leave them running, also when the test fails
            p.kill()
    assert proc.returncode == -signal.SIGKILL
    assert not survivors, f"workers still running after their parent died: {survivors}"


def _parent_of_me(_: int = 0) -> int:
    return os.getppid()


def test_the_pool_binds_each_worker_and_works_as_a_pool() -> None:
    with workers.pool(2) as pool:
        assert set(pool.map(_parent_of_me, range(4))) == {os.getpid()}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_without_the_death_signal_the_watch_still_ends_an_orphan() -> None:
    """The portable fallback alone: a worker whose parent is gone ends within the watch's
    interval (here the death signal is not armed: only the thread watches)."""
    script = """
import os, sys, time
from pipeline.scoring import workers
workers._set_death_signal = lambda: False
middle = os.getpid()
pid = os.fork()
if pid == 0:  # the 'worker': bound to the middle process, which then dies
    workers.bind_to_parent(middle)
    time.sleep(60)
    os._exit(0)
print(pid, flush=True)
time.sleep(0.5)
os._exit(0)
"""
    middle = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=True
    )
    worker = psutil.Process(int(middle.stdout.split()[0]))
    deadline = time.monotonic() + GRACE_S
    while _alive([worker]) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = _alive([worker])
    for p in alive:
        p.kill()
    assert not alive


def test_the_brand_pool_keeps_a_brand_on_one_worker_and_moves_it_when_that_one_lags() -> None:
    # Routing only: no batch is submitted, so no process starts.
    with workers.BrandPool(2) as pool:
        _keeps_and_moves(pool)


def _keeps_and_moves(pool: workers.BrandPool) -> None:
    slack = workers.AFFINITY_SLACK
    assert pool.route("a") == (0, ())  # a new brand: the least busy worker
    assert pool.route("b") == (1, ())
    # "a" stays on worker 0 while that one has at most `slack` batches more in flight than
    # the least busy one (counted before the batch).
    for _ in range(slack + 1):
        assert pool.route("a") == (0, ())
    assert pool._busy == [2 + slack, 1]
    # Past that, "a" moves to the least busy worker, and stays there.
    assert pool.route("a") == (1, ())
    for _ in range(2 + slack):
        pool._done(0)
    # Worker 0 is told to drop the scorer of "a" with its next batch, once.
    assert pool.route("c") == (0, ("a",))
    assert pool.route("c") == (0, ())
    assert pool.route("a") == (1, ())
    assert pool._busy == [2, 3]


def test_one_brand_alone_keeps_every_worker_busy() -> None:
    with workers.BrandPool(2) as pool:
        homes = [pool.route("a")[0] for _ in range(2 * (workers.AFFINITY_SLACK + 2))]
        assert set(homes) == {0, 1}
        assert not any(gone for gone in (pool.route("a")[1] for _ in range(4)))
