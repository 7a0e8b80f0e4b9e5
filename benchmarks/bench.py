"""``brandpulse bench``: how fast the pipeline is, next to VADER alone and a naive peer.

One run generates a corpus of demo posts, then measures, each stage in a fresh process (so
peak memory is per stage and no stage inherits another's warm caches):

(a) **reference**: vaderSentiment's ``polarity_scores`` in a single-process loop over the
    texts of every landed record (the analyzer is built before the clock starts);
(b) **naive peer**: what public Airflow sentiment projects do, on the first
    ``naive_posts`` records: parse the records into a pandas DataFrame, ``apply`` VADER per
    row, then INSERT row by row through SQLAlchemy into a DuckDB file (the warehouse's
    engine, through duckdb-engine), a commit every 1,000 rows as Airflow's
    ``DbApiHook.insert_rows`` does by default; the same peer writing to SQLite is timed
    too, for comparison;
(c) **brandpulse**: the real pipeline in a fresh runtime folder: landing
    (:func:`pipeline.ingest.fetching.land_paged`, the code ``fetch.land`` runs) feeding
    :func:`pipeline.steps.loading.load_batches`, as ``runner.run`` does (validation, normalize and
    dedupe, scoring with the complaint detector in one worker process per core, the
    quality gate, the warehouse), then :func:`pipeline.steps.aggregation.aggregate_chunks`
    (copies, hourly and daily aggregates, complaint responses) and
    :func:`pipeline.detect.store.detect_brand` per brand (spikes). It runs on the full
    corpus and on a variant without duplicates.

(s) **scoring ceiling**: the brands' scorers alone (:meth:`~pipeline.scoring.scorer.Scorer.score`
    and :meth:`~pipeline.scoring.scorer.Scorer.is_spam`, the scoring stage (c) does per post) over
    every record's text, in one process per core started together, texts in memory: no
    landing, no I/O, no warehouse. No pipeline that scores with these scorers on this
    machine can be faster than (s); c/s says how close (c) comes. It runs the scoring core
    the pipeline runs (the compiled one when built, see pipeline/scoring/core.py).
(k) **scoring cores**: the same work per text (``score`` and ``is_spam``) in one process,
    with the pure-Python core and then the compiled core on the same texts (the first
    ``cores_posts`` records' texts): CPU per record of each and their ratio, and (off the
    clock) how many texts the two cores score differently (it must be none).

Then it checks that the VADER scores stored in the warehouse are bit-identical to (a)'s,
for every post, and (unless switched off) times what analysts do: a query over one year of
hourly aggregates for 50 brands, and a text filter over millions of scored posts. With
``airflow=True`` it also times a backfill of the demo through real Airflow and the
scheduling overhead per task. Everything lives in a temporary folder removed at the end.

The corpus
----------
:class:`~pipeline.ingest.sources.demo.source.DemoSource` posts for
``ceil(posts / POSTS_PER_BRAND)``
synthetic brands (alternately the ``telecom`` profile, with its 2026-10-22 outage, and
``grocery``) over the 28 demo days, landed as one batch per brand and UTC day, as a
backfill in day chunks lands them. Duplicates in it:

* what the demo source makes, as real streams have them: reposts ("RT @x: ..."; about 10 %
  of records), copies (the same words by another account, mostly bots; about 2 %), spam
  (about 3 %, itself often copied) and the brands' own replies;
* exact duplicate records: every :data:`EXACT_DUPLICATE_EVERY`-th record of a batch is
  landed twice, as a provider's pages overlap when new posts arrive during a fetch (1 %).

The *unique* variant drops the reposts, the copies, every record whose text (case folded)
a brand already had, and the exact duplicates: no two records of a brand share a text, so
nothing in the pipeline can profit from repeated texts.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import inspect
import io
import itertools
import json
import logging
import math
import os
import platform
import pstats
import queue
import resource
import shutil
import sqlite3
import statistics
import struct
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import yaml

from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.base import Page
from pipeline.ingest.sources.demo.profiles import DEMO_DAYS, DEMO_START
from pipeline.ingest.sources.demo.source import DemoSource
from pipeline.posts.model import RawRecord
from pipeline.scoring.workers import pool as worker_pool
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.timeutil import parse_moment

log = logging.getLogger(__name__)

#: Posts generated per synthetic brand: 100,000 over 28 days is about 3,600 a day, a busy
#: consumer brand (the demo source accepts up to 100,000 a day).
POSTS_PER_BRAND = 100_000
#: Days of the corpus: the demo window (2026-10-05 .. 2026-11-01), one batch per brand-day.
BENCH_DAYS = DEMO_DAYS
BENCH_START = DEMO_START
#: Every n-th record of a batch is landed twice (a page overlap): 1 % exact duplicates.
EXACT_DUPLICATE_EVERY = 100
#: Records the naive peer runs on (it needs up to a millisecond a post: a larger subset
#: only costs minutes); its rate is posts per second, so the subset scales.
NAIVE_POSTS = 20_000
#: Texts stage (k) scores with each scoring core, in one process: the pure-Python core
#: needs about 60 us a text here, so 100,000 take about 6 s (and as much again for the
#: comparison of the outputs, off the clock).
CORES_POSTS = 100_000
#: Records stage (p) runs step by step in one process (the corpus's first batches in (c)'s
#: order): enough for steady per-record figures, and the same work at every --posts.
STEPS_POSTS = 200_000
#: Stage (p)'s steps, in the order the table prints them: (process, step, what).
STEP_ROWS: tuple[tuple[str, str, str], ...] = (
    ("writer", "page", "the source's page: JSON decode of the corpus file (a provider's response)"),
    ("writer", "land", "land_paged without the page: one JSON line per record, fsync"),
    ("worker", "normalize", "score_batch but scoring: read, normalize, dedupe, classify, frames"),
    ("worker", "scoring", "loading.score_texts but the learned stage: Scorer.score, is_spam"),
    ("worker", "learned", "the learned complaint stage, when on: embed the band's texts, head"),
    ("worker", "pickle", "the ScoredBatch pickled (worker) ..."),
    ("writer", "unpickle", "... and unpickled (writer)"),
    ("writer", "gate", "posts quality gate (Great Expectations), a group of ~40,000 posts"),
    ("writer", "write", "replace the intervals, insert, quality results, one commit per group"),
    ("writer", "aggregate", "aggregate_chunks: copies, hourly, daily, responses, snapshot"),
    ("writer", "spikes", "detect_brand per brand"),
)  # fmt: skip
#: The peer commits every 1,000 rows: the default of Airflow's ``DbApiHook.insert_rows``
#: (one INSERT per row, ``commit_every=1000``). A commit per row would be slower (on SQLite
#: an fsync each: about 1 ms here, ~1,100 rows/s) and is not what we compare with.
NAIVE_COMMIT_EVERY = 1_000
#: The analyst data: one year of hourly aggregates for 50 brands (as the issue asks) ...
ANALYST_BRANDS = 50
ANALYST_DAYS = 365
#: ... a weekly query over its last quarter, run this many times (the median counts) ...
ANALYST_QUERY_RUNS = 25
ANALYST_QUARTER_DAYS = 91
#: ... and a text filter over this many scored posts, run this many times.
TEXT_FILTER_POSTS = 10_000_000
TEXT_FILTER_RUNS = 3
TEXT_FILTER_TERM = "%refund%"
#: Worker processes generating the corpus (not timed; this machine has two cores).
GENERATE_WORKERS = 2
#: The columns of ``posts`` that hold VADER's own output (``Score.compound``, ``pos``,
#: ``neu``, ``neg``: bit-identical to the package, see pipeline.scoring.scorer).
VADER_COLUMNS = ("compound", "pos", "neu", "neg")
#: Mismatches kept as examples in the identity check's result.
MAX_EXAMPLES = 5
#: How often the memory sampler looks at the process tree (seconds).
RSS_SAMPLE_S = 0.05

_ANALYST_START = datetime(2025, 11, 1)  # naive UTC, as the warehouse stores time
_TIMEZONES = ("America/New_York", "Europe/London", "Asia/Tokyo", "America/Los_Angeles")
_PROFILES = ("telecom", "grocery")
_MB = 1024 * 1024


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusStats:
    """What was generated: records per corpus and what kinds of repeats they hold."""

    brands: int
    days: int
    posts_per_brand_day: float
    records: int
    exact_duplicates: int
    reposts: int
    copies: int
    spam: int
    brand_replies: int
    unique_records: int
    generate_s: float

    @property
    def duplicate_share(self) -> float:
        """Share of records that repeat another: reposts, copies, exact duplicates."""
        repeats = self.reposts + self.copies + self.exact_duplicates
        return repeats / self.records if self.records else 0.0


@dataclass(frozen=True)
class StageStats:
    """One stage as run in its own process: wall time and peak resident memory."""

    name: str
    seconds: float
    peak_rss_mb: float


class _Rates:
    """Rates of a timed run over ``records`` (for the stage results below)."""

    records: int
    seconds: float
    #: CPU seconds spent over those seconds.
    cpu_s: float

    @property
    def posts_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_post(self) -> float:
        return self.cpu_s / self.records * 1e6 if self.records else 0.0


@dataclass(frozen=True)
class PipelineRun(_Rates):
    """Stage (c) on one corpus."""

    corpus: str
    records: int
    posts: int
    seconds: float
    steps: Mapping[str, float]
    peak_rss_mb: float
    #: CPU seconds of the stage's process and its workers over those steps.
    cpu_s: float = 0.0

    @property
    def cores(self) -> float:
        """Cores busy on average: CPU seconds / wall seconds."""
        return self.cpu_s / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class ScoringCeiling(_Rates):
    """Stage (s): the scorers alone, one process per core, over every record's text."""

    processes: int
    records: int
    #: From the common start to the last process's end.
    seconds: float
    #: CPU seconds of all the processes while scoring.
    cpu_s: float


@dataclass(frozen=True)
class CoreComparison:
    """Stage (k): the scoring stage's work per text, one process, each scoring core."""

    records: int
    #: CPU seconds of the pure-Python core over the texts.
    python_cpu_s: float
    #: The same for the compiled core (None: the extension is not built here).
    compiled_cpu_s: float | None
    #: Texts whose outputs (every field of the score, spam or not) differ between the cores.
    differing: int

    @property
    def python_us_per_post(self) -> float:
        return self.python_cpu_s / self.records * 1e6 if self.records else 0.0

    @property
    def compiled_us_per_post(self) -> float | None:
        if self.compiled_cpu_s is None or not self.records:
            return None
        return self.compiled_cpu_s / self.records * 1e6

    @property
    def speedup(self) -> float | None:
        """Pure-Python CPU / compiled CPU."""
        if not self.compiled_cpu_s:
            return None
        return self.python_cpu_s / self.compiled_cpu_s


@dataclass(frozen=True)
class StepCosts:
    """Stage (p): stage (c)'s work step by step in one process, CPU per record of each."""

    records: int
    #: CPU seconds of each step (:data:`STEP_ROWS`) over the records.
    cpu_s: Mapping[str, float]

    def us_per_record(self, step: str) -> float:
        return self.cpu_s.get(step, 0.0) / self.records * 1e6 if self.records else 0.0

    @property
    def total_us(self) -> float:
        return sum(self.us_per_record(step) for _, step, _ in STEP_ROWS)

    def table(self) -> list[str]:
        """The lines ``format`` prints: one per step, then the totals by process."""
        lines = [f"(p) CPU a record by step, 1 process, first {self.records:,} records:"]
        for process, step, what in STEP_ROWS:
            lines.append(f"    {process:<6} {step:<10} {self.us_per_record(step):6.1f} us  {what}")
        for process in ("worker", "writer"):
            total = sum(self.us_per_record(st) for p, st, _ in STEP_ROWS if p == process)
            lines.append(f"    {process:<6} {'total':<10} {total:6.1f} us")
        lines.append(f"    {'all':<6} {'total':<10} {self.total_us:6.1f} us")
        return lines


@dataclass(frozen=True)
class VaderCheck:
    """Stored VADER scores against the package's, post by post, bit for bit."""

    posts: int
    compared: int
    mismatched: int
    missing_reference: int
    text_differs: int
    examples: tuple[str, ...] = ()
    #: Posts not scored by English VADER, skipped: left unscored (another language) or
    #: scored in another language's lexicon (their model version names it).
    unscored: int = 0
    other_language: int = 0

    @property
    def identical(self) -> bool:
        return (
            self.posts > 0
            and self.compared + self.unscored + self.other_language == self.posts
            and self.mismatched == 0
            and self.missing_reference == 0
            and self.text_differs == 0
        )


@dataclass(frozen=True)
class AnalystResult:
    hourly_brands: int
    hourly_rows: int
    hourly_query_median_ms: float
    hourly_query_first_ms: float
    hourly_query_runs: int
    text_filter_posts: int
    text_filter_build_s: float
    text_filter_median_s: float
    text_filter_matches: int
    text_filter_runs: int


@dataclass(frozen=True)
class AirflowResult:
    prepare_s: float
    backfill_s: float
    backfill_tasks: int
    backfill_task_work_s: float
    backfill_overhead_per_task_s: float
    backfill_median_gap_s: float
    interval_s: float
    interval_tasks: int
    interval_task_work_s: float


@dataclass(frozen=True)
class SchedulerResult:
    """The demo backfill and one hourly interval under a real scheduler."""

    start_s: float  # `airflow db migrate` until the scheduler and DAG processor are healthy
    backfill_s: float  # the backfill run, from queued to its end
    backfill_tasks: int
    backfill_task_work_s: float  # sum of the task instances' durations
    backfill_task_median_s: float  # median duration of a task instance (a process each)
    slots: int  # task instances one run may have running at once
    interval_s: float
    interval_tasks: int
    interval_task_work_s: float


@dataclass(frozen=True)
class BenchResult:
    """Everything one ``brandpulse bench`` run measured."""

    requested_posts: int
    corpus: CorpusStats
    reference_posts: int
    reference_s: float
    naive_posts: int
    naive_s: float
    pipeline: PipelineRun
    pipeline_unique: PipelineRun | None
    vader: VaderCheck
    stages: tuple[StageStats, ...]
    machine: Mapping[str, str]
    analyst: AnalystResult | None = None
    airflow: AirflowResult | None = None
    profile: Mapping[str, float] = field(default_factory=dict)
    #: The same peer writing to SQLite instead of DuckDB: (posts, seconds).
    naive_sqlite: tuple[int, float] | None = None
    scheduler: SchedulerResult | None = None
    ceiling: ScoringCeiling | None = None
    cores: CoreComparison | None = None
    steps: StepCosts | None = None
    #: Whether stage (c) ran the learned complaint stage; the run with it switched the other
    #: way (``--learned both``), when there was one.
    learned: bool | None = None
    pipeline_other_learned: PipelineRun | None = None

    @property
    def learned_stage_cpu_us(self) -> float | None:
        """CPU a record of stage (c) with the learned complaint stage on minus off (``--learned
        both``), else None."""
        o = self.pipeline_other_learned
        if o is None or self.learned is None:
            return None
        on, off = (self.pipeline, o) if self.learned else (o, self.pipeline)
        return on.cpu_us_per_post - off.cpu_us_per_post

    @property
    def reference_vader_posts_per_s(self) -> float:
        return self.reference_posts / self.reference_s if self.reference_s else 0.0

    @property
    def naive_peer_posts_per_s(self) -> float:
        return self.naive_posts / self.naive_s if self.naive_s else 0.0

    @property
    def naive_peer_sqlite_posts_per_s(self) -> float | None:
        if self.naive_sqlite is None or not self.naive_sqlite[1]:
            return None
        return self.naive_sqlite[0] / self.naive_sqlite[1]

    @property
    def brandpulse_posts_per_s(self) -> float:
        return self.pipeline.posts_per_s

    @property
    def peak_rss_mb(self) -> float:
        """Peak resident memory of the pipeline stage (c) (the largest of its runs)."""
        runs = [self.pipeline, *([self.pipeline_unique] if self.pipeline_unique else [])]
        return max(r.peak_rss_mb for r in runs)

    @property
    def scoring_ceiling_posts_per_s(self) -> float | None:
        return self.ceiling.posts_per_s if self.ceiling is not None else None

    def _ceiling_ratio(self) -> float | None:
        """s/a: how much faster than the reference the scorers alone can go here."""
        a = self.reference_vader_posts_per_s
        return self.ceiling.posts_per_s / a if self.ceiling is not None and a else None

    def _ratio(self, other: float) -> float:
        return self.brandpulse_posts_per_s / other if other else 0.0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "reference_vader_posts_per_s": round(self.reference_vader_posts_per_s, 1),
            "naive_peer_posts_per_s": round(self.naive_peer_posts_per_s, 1),
            "brandpulse_posts_per_s": round(self.brandpulse_posts_per_s, 1),
            "brandpulse_unique_posts_per_s": (
                round(self.pipeline_unique.posts_per_s, 1) if self.pipeline_unique else None
            ),
            "ratio_brandpulse_to_reference": round(
                self._ratio(self.reference_vader_posts_per_s), 3
            ),
            "ratio_brandpulse_to_naive": round(self._ratio(self.naive_peer_posts_per_s), 2),
            "naive_peer_sqlite_posts_per_s": _rounded(self.naive_peer_sqlite_posts_per_s, 1),
            "scoring_ceiling_posts_per_s": _rounded(self.scoring_ceiling_posts_per_s, 1),
            "ratio_ceiling_to_reference": _rounded(self._ceiling_ratio(), 3),
            "ratio_brandpulse_to_ceiling": _rounded(
                self._ratio(self.ceiling.posts_per_s) if self.ceiling else None, 3
            ),
            "scoring_us_per_post_python": (
                round(self.cores.python_us_per_post, 2) if self.cores else None
            ),
            "scoring_us_per_post_compiled": (
                _rounded(self.cores.compiled_us_per_post, 2) if self.cores else None
            ),
            "ratio_scoring_python_to_compiled": (
                _rounded(self.cores.speedup, 2) if self.cores else None
            ),
            "scoring_cores_differing": self.cores.differing if self.cores else None,
            "steps_us_per_record": (
                {st: round(self.steps.us_per_record(st), 2) for _, st, _ in STEP_ROWS}
                if self.steps
                else None
            ),
            "steps_records": self.steps.records if self.steps else None,
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "vader_identical": self.vader.identical,
            "requested_posts": self.requested_posts,
            "corpus": {**asdict(self.corpus), "duplicate_share": self.corpus.duplicate_share},
            "reference": {"posts": self.reference_posts, "seconds": self.reference_s},
            "naive_peer": {"posts": self.naive_posts, "seconds": self.naive_s},
            "naive_peer_sqlite": (
                {"posts": self.naive_sqlite[0], "seconds": self.naive_sqlite[1]}
                if self.naive_sqlite
                else None
            ),
            "scoring_ceiling": asdict(self.ceiling) if self.ceiling else None,
            "scoring_cores": asdict(self.cores) if self.cores else None,
            "brandpulse": _run_json(self.pipeline),
            "brandpulse_unique": _run_json(self.pipeline_unique) if self.pipeline_unique else None,
            "learned_stage": self.learned,
            "learned_stage_cpu_us_per_record": _rounded(self.learned_stage_cpu_us, 1),
            "brandpulse_other_learned": (
                _run_json(self.pipeline_other_learned) if self.pipeline_other_learned else None
            ),
            "vader_check": {**asdict(self.vader), "identical": self.vader.identical},
            "stages": [asdict(s) for s in self.stages],
            "analyst": asdict(self.analyst) if self.analyst else None,
            "airflow": asdict(self.airflow) if self.airflow else None,
            "scheduler": asdict(self.scheduler) if self.scheduler else None,
            "profile": dict(self.profile),
            "machine": dict(self.machine),
        }
        return out

    def format(self) -> str:
        c = self.corpus
        a, b = self.reference_vader_posts_per_s, self.naive_peer_posts_per_s
        lines = [
            f"brandpulse bench: {c.records:,} records ({c.brands} brands x {c.days} days; "
            f"{c.duplicate_share:.1%} repeats: {c.reposts:,} reposts, {c.copies:,} copies, "
            f"{c.exact_duplicates:,} exact duplicates; {c.spam:,} spam)",
            f"machine: {self.machine.get('cpu', '?')}, {self.machine.get('nproc', '?')} cores, "
            f"{self.machine.get('date', '')}",
            "",
            f"(a) reference VADER, 1 process   {a:>10,.0f} posts/s  "
            f"({self.reference_posts:,} texts in {self.reference_s:.1f} s)",
            f"(b) naive peer (pandas + INSERT) {b:>10,.0f} posts/s  "
            f"({self.naive_posts:,} records in {self.naive_s:.1f} s, into DuckDB)",
            f"(c) brandpulse end to end        {self.brandpulse_posts_per_s:>10,.0f} posts/s  "
            f"({self.pipeline.records:,} records in {self.pipeline.seconds:.1f} s)",
        ]
        if self.naive_sqlite is not None:
            lines.insert(
                -1,
                f"    the same peer into SQLite   {self.naive_peer_sqlite_posts_per_s or 0:>10,.0f}"
                f" posts/s  ({self.naive_sqlite[0]:,} records in {self.naive_sqlite[1]:.1f} s)",
            )
        if self.learned is not None:
            lines[-1] += f", learned complaint stage {'on' if self.learned else 'off'}"
        if self.pipeline_other_learned is not None:
            o = self.pipeline_other_learned
            lines.append(
                f"(c) learned stage {'off' if self.learned else 'on ':<3}           "
                f"{o.posts_per_s:>10,.0f} posts/s  ({o.records:,} records in {o.seconds:.1f} s)"
            )
            on, off = (self.pipeline, o) if self.learned else (o, self.pipeline)
            lines.append(
                f"(c) the learned stage's cost: {self.learned_stage_cpu_us or 0:+,.0f} us of CPU "
                f"a record ({on.cpu_us_per_post:,.0f} on, {off.cpu_us_per_post:,.0f} off); "
                f"{on.posts_per_s:,.0f} posts/s on, {off.posts_per_s:,.0f} off"
            )
        if self.pipeline_unique is not None:
            u = self.pipeline_unique
            lines.append(
                f"(c) on the corpus without dups   {u.posts_per_s:>10,.0f} posts/s  "
                f"({u.records:,} records in {u.seconds:.1f} s)"
            )
        ratios = f"c/a = {self._ratio(a):.2f}   c/b = {self._ratio(b):.1f}   "
        if self.ceiling is not None:
            s = self.ceiling
            label = f"(s) scoring ceiling, {s.processes} processes"
            lines.append(
                f"{label:<33}{s.posts_per_s:>10,.0f} posts/s  "
                f"(the scorers alone on {s.records:,} texts in {s.seconds:.1f} s: "
                f"{s.cpu_us_per_post:.0f} us of CPU a text)"
            )
            ratios += f"c/s = {self._ratio(s.posts_per_s):.2f}   "
            ratios += f"s/a = {self._ceiling_ratio() or 0:.2f}   "
        if self.cores is not None:
            k = self.cores
            compiled = (
                f"compiled {k.compiled_us_per_post:.1f} us ({k.speedup or 0:.2f}x less CPU)"
                if k.compiled_us_per_post is not None
                else "compiled: not built"
            )
            lines.append(
                f"(k) scoring stage, 1 process, CPU a record on {k.records:,} texts: "
                f"pure Python {k.python_us_per_post:.1f} us, {compiled}; "
                f"{k.differing} texts scored differently"
            )
        if self.steps is not None:
            lines += self.steps.table()
        lines += [
            ratios + f"peak RSS of (c) = {self.peak_rss_mb:,.0f} MB",
            "(c) steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.pipeline.steps.items()),
            f"(c) CPU: {self.pipeline.cpu_s:.0f} s, {self.pipeline.cpu_us_per_post:.0f} us a "
            f"record, {self.pipeline.cores:.2f} cores busy on average "
            f"(the reference: {1e6 / a if a else 0:.0f} us a record on one core)",
            f"VADER scores bit-identical to the package: "
            f"{'yes' if self.vader.identical else 'NO'} ({self.vader.compared:,} of "
            f"{self.vader.posts:,} posts compared, {self.vader.mismatched} differ, "
            f"{self.vader.missing_reference} without reference, "
            f"{self.vader.text_differs} with another text; skipped: {self.vader.unscored} "
            f"unscored, {self.vader.other_language} scored in another language)",
        ]
        lines += [f"  e.g. {e}" for e in self.vader.examples]
        if self.analyst is not None:
            x = self.analyst
            lines += [
                f"analyst: weekly complaint rate, last quarter, {x.hourly_brands} brands x 1 year "
                f"of hours ({x.hourly_rows:,} rows): median {x.hourly_query_median_ms:.1f} ms "
                f"over {x.hourly_query_runs} runs (first {x.hourly_query_first_ms:.1f} ms)",
                f"analyst: text ilike '{TEXT_FILTER_TERM}' over {x.text_filter_posts:,} scored "
                f"posts: median {x.text_filter_median_s:.2f} s ({x.text_filter_matches:,} "
                f"matches; table built in {x.text_filter_build_s:.0f} s)",
            ]
        if self.airflow is not None:
            f = self.airflow
            lines += [
                f"airflow: backfill of the {DEMO_DAYS} demo days {f.backfill_s:.0f} s "
                f"({f.backfill_tasks} tasks, {f.backfill_task_work_s:.0f} s of task work; "
                f"overhead {f.backfill_overhead_per_task_s:.2f} s per task, median gap "
                f"between tasks {f.backfill_median_gap_s:.2f} s; prepare {f.prepare_s:.0f} s)",
                f"airflow: one hourly interval {f.interval_s:.1f} s ({f.interval_tasks} tasks, "
                f"{f.interval_task_work_s:.1f} s of task work)",
            ]
        if self.scheduler is not None:
            r = self.scheduler
            lines += [
                f"scheduler: backfill of the {DEMO_DAYS} demo days {r.backfill_s:.0f} s "
                f"({r.backfill_tasks} task processes, {r.backfill_task_work_s:.0f} s of task "
                f"work, median {r.backfill_task_median_s:.1f} s a task; "
                f"{r.backfill_task_work_s / r.backfill_s if r.backfill_s else 0:.2f} of "
                f"{r.slots} slots busy on average; start-up {r.start_s:.0f} s)",
                f"scheduler: one hourly interval {r.interval_s:.1f} s ({r.interval_tasks} "
                f"tasks, {r.interval_task_work_s:.1f} s of task work)",
            ]
        lines.append(
            "stages (own process each): "
            + ", ".join(
                f"{s.name} {s.seconds:.0f} s / {s.peak_rss_mb:,.0f} MB" for s in self.stages
            )
        )
        if self.profile:
            lines.append(
                "profile (cumulative s): "
                + ", ".join(f"{k} {v:.1f}" for k, v in self.profile.items())
            )
        return "\n".join(lines)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _run_json(run: PipelineRun) -> dict[str, Any]:
    return {
        "corpus": run.corpus,
        "records": run.records,
        "posts": run.posts,
        "seconds": run.seconds,
        "posts_per_s": run.posts_per_s,
        "steps": dict(run.steps),
        "peak_rss_mb": run.peak_rss_mb,
        "cpu_s": run.cpu_s,
        "cores": round(run.cores, 2),
        "cpu_us_per_post": round(run.cpu_us_per_post, 1),
    }


# --------------------------------------------------------------------------------------
# Stages in their own processes, with their peak memory
# --------------------------------------------------------------------------------------


def _proc_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            out += [int(c) for c in text]
    except OSError:
        pass
    return out


class _TreeSampler:
    """Samples the resident memory of this process and all its descendants (Linux /proc),
    so that concurrent worker processes are counted together."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(RSS_SAMPLE_S):
            self.sample()

    def sample(self) -> None:
        total, todo = 0, [os.getpid()]
        while todo:
            pid = todo.pop()
            total += _proc_rss_kb(pid)
            todo += _children(pid)
        self.peak_kb = max(self.peak_kb, total)

    def __enter__(self) -> _TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _stage_entry(name: str, kwargs: dict[str, Any]) -> tuple[dict[str, Any], float, float]:
    """Run one stage (in a fresh process): its output, wall seconds and peak RSS (MB).

    The peak is the larger of ``ru_maxrss`` of this process plus that of its largest
    finished child, and the sampled peak of the whole process tree."""
    with _TreeSampler() as sampler:
        started = time.perf_counter()
        out = _STAGES[name.split("-", maxsplit=1)[0]](**kwargs)
        seconds = time.perf_counter() - started
        sampler.sample()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_kb = max(own + children, sampler.peak_kb)
    return out, seconds, peak_kb / 1024


def run_stage(name: str, kwargs: dict[str, Any], stages: list[StageStats]) -> dict[str, Any]:
    """Run a stage in a fresh ``spawn`` process; append its wall time and peak memory to
    ``stages``; return its output."""
    with worker_pool(1) as pool:  # ends with the bench (a killed bench leaves none)
        out, seconds, peak_mb = pool.submit(_stage_entry, name, kwargs).result()
    log.info("bench: stage %s took %.1f s, peak RSS %.0f MB", name, seconds, peak_mb)
    stages.append(StageStats(name, round(seconds, 3), round(peak_mb, 1)))
    return out


# --------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------


def brands_yaml(brands: int, posts_per_day: float) -> str:
    """A brands file of ``brands`` synthetic demo brands, ``posts_per_day`` each."""
    entries = []
    for i in range(brands):
        bid = f"bench{i + 1:02d}"
        entries.append(
            {
                "id": bid,
                "name": f"Bench Brand {i + 1}",
                "timezone": _TIMEZONES[i % len(_TIMEZONES)],
                "accounts": [f"@Bench{i + 1:02d}", f"@Bench{i + 1:02d}Care"],
                "terms": [bid],
                "languages": ["en"],
                "sources": {
                    "demo": {
                        "profile": _PROFILES[i % len(_PROFILES)],
                        "posts_per_day": round(posts_per_day, 1),
                    }
                },
                "report": {"recipients": [f"care@{bid}.example"], "local_time": "08:00"},
                "alerts": {"recipients": [f"oncall@{bid}.example"]},
            }
        )
    return yaml.safe_dump({"version": 1, "brands": entries}, sort_keys=False)


def _dump(record: RawRecord) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def generate_brand(brands_file: str, brand_id: str, days: int, corpus: str) -> dict[str, int]:
    """Write one brand's demo posts as one JSONL file per UTC day, in two corpora:
    ``full/`` (with exact duplicate records) and ``unique/`` (see the module docstring)."""
    from pipeline.steps.brands import load_brands

    brand = load_brands(Path(brands_file)).get(brand_id)
    src_config = brand.source("demo")
    options = dict(src_config.options) if src_config else {}
    source = DemoSource()
    counts: Counter[str] = Counter()
    seen_texts: set[str] = set()
    full_dir = Path(corpus) / "full" / brand_id
    unique_dir = Path(corpus) / "unique" / brand_id
    full_dir.mkdir(parents=True, exist_ok=True)
    unique_dir.mkdir(parents=True, exist_ok=True)
    week = 7
    for first in range(0, days, week):
        lo = BENCH_START + timedelta(days=first)
        hi = BENCH_START + timedelta(days=min(first + week, days))
        by_day: dict[str, list[RawRecord]] = {}
        for record in source.fetch(brand, lo, hi, options):
            by_day.setdefault(str(record["created_at"])[:10], []).append(record)
        for day, records in sorted(by_day.items()):
            with (
                (full_dir / f"{day}.jsonl").open("w", encoding="utf-8") as full,
                (unique_dir / f"{day}.jsonl").open("w", encoding="utf-8") as unique,
            ):
                for i, record in enumerate(records):
                    line = _dump(record)
                    full.write(line)
                    counts["records"] += 1
                    intent = str(record.get("demo_truth", {}).get("intent", ""))
                    counts[intent] += 1
                    if i % EXACT_DUPLICATE_EVERY == EXACT_DUPLICATE_EVERY - 1:
                        full.write(line)
                        counts["records"] += 1
                        counts["exact_duplicates"] += 1
                    folded = str(record["text"]).casefold()
                    if record.get("repost_of") or intent == "copy" or folded in seen_texts:
                        continue
                    seen_texts.add(folded)
                    unique.write(line)
                    counts["unique_records"] += 1
    return dict(counts)


def make_corpus(workdir: Path, posts: int, days: int = BENCH_DAYS) -> tuple[CorpusStats, Path]:
    """Generate the corpus for ``posts`` records under ``workdir``; return it and the
    brands file."""
    brands = max(1, math.ceil(posts / POSTS_PER_BRAND))
    per_day = posts / (brands * days)
    brands_file = workdir / "brands.yaml"
    brands_file.write_text(brands_yaml(brands, per_day), encoding="utf-8")
    corpus = workdir / "corpus"
    started = time.perf_counter()
    ids = [f"bench{i + 1:02d}" for i in range(brands)]
    total: Counter[str] = Counter()
    workers = min(GENERATE_WORKERS, brands)
    with worker_pool(workers) as pool:
        futures = [pool.submit(generate_brand, str(brands_file), b, days, str(corpus)) for b in ids]
        for future in futures:
            total.update(future.result())
    stats = CorpusStats(
        brands=brands,
        days=days,
        posts_per_brand_day=round(per_day, 1),
        records=total["records"],
        exact_duplicates=total["exact_duplicates"],
        reposts=total["repost"],
        copies=total["copy"],
        spam=total["spam"],
        brand_replies=total["brand_reply"],
        unique_records=total["unique_records"],
        generate_s=round(time.perf_counter() - started, 2),
    )
    log.info("bench: generated %s", stats)
    return stats, brands_file


def _corpus_files(corpus: Path) -> list[tuple[str, str, Path]]:
    """(day, brand, file) of a corpus, oldest day first."""
    files = [(p.stem, p.parent.name, p) for p in corpus.glob("*/*.jsonl")]
    return sorted(files)


def _read_records(path: Path, first: int = 0, every: int = 1) -> list[RawRecord]:
    """The records of a corpus file; with ``first`` and ``every``, only every ``every``-th
    record from the ``first``-th (the others are not decoded)."""
    with path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    return [json.loads(line) for line in lines[first::every]]


# --------------------------------------------------------------------------------------
# (a) the reference
# --------------------------------------------------------------------------------------


def stage_reference(corpus: str, reference_db: str) -> dict[str, Any]:
    """VADER in a loop over every record's text; keeps the scores for the identity check.

    Texts get the pipeline's :func:`~pipeline.posts.normalize.storage_text` (before the clock
    starts) so that the reference scores exactly the text the warehouse stores."""
    import duckdb
    import pandas as pd
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from pipeline.posts.normalize import storage_text
    from pipeline.warehouse.loads import insert_frame

    analyzer = SentimentIntensityAnalyzer()
    con = duckdb.connect(reference_db)
    con.execute(
        "create table reference (brand varchar, post_id varchar, text varchar,"
        " compound double, pos double, neu double, neg double)"
    )
    seconds, texts_scored = 0.0, 0
    for _day, brand, path in _corpus_files(Path(corpus)):
        records = _read_records(path)
        texts = [storage_text(str(r["text"])) for r in records]
        started = time.perf_counter()
        scores = [analyzer.polarity_scores(t) for t in texts]
        seconds += time.perf_counter() - started
        texts_scored += len(texts)
        rows: dict[str, list[Any]] = {k: [] for k in ("post_id", "text", *VADER_COLUMNS)}
        seen: set[str] = set()
        for record, text, score in zip(records, texts, scores, strict=True):
            post_id = str(record["id"])
            if post_id in seen:
                continue
            seen.add(post_id)
            rows["post_id"].append(post_id)
            rows["text"].append(text)
            for name in VADER_COLUMNS:
                rows[name].append(float(score[name]))
        frame = pd.DataFrame(rows).assign(brand=brand)
        insert_frame(con, "reference", frame)
    con.close()
    return {"posts": texts_scored, "seconds": seconds}


# --------------------------------------------------------------------------------------
# (b) the naive peer
# --------------------------------------------------------------------------------------


def stage_naive(corpus: str, posts: int, url: str) -> dict[str, Any]:
    """The common design of public Airflow sentiment projects, timed from the raw JSON
    records to the committed rows: DataFrame, ``apply`` of VADER per row, a label by
    ``apply``, and one INSERT per row through SQLAlchemy (``url``: a DuckDB or SQLite
    file), committed every :data:`NAIVE_COMMIT_EVERY` rows."""
    import pandas as pd
    import sqlalchemy as sa
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lines: list[str] = []
    for _day, _brand, path in _corpus_files(Path(corpus)):
        with path.open(encoding="utf-8") as fh:
            lines += [line for line in fh if line.strip()]
        if len(lines) >= posts:
            break
    lines = lines[:posts]
    analyzer = SentimentIntensityAnalyzer()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "create table tweets (id text, created_at text, author text, text text,"
                " compound double, pos double, neu double, neg double, sentiment text)"
            )
        )
    insert = sa.text(
        "insert into tweets values"
        " (:id, :created_at, :author, :text, :compound, :pos, :neu, :neg, :sentiment)"
    )

    def label(compound: float) -> str:
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

    started = time.perf_counter()
    records = [json.loads(line) for line in lines]
    df = pd.DataFrame(
        {
            "id": [r["id"] for r in records],
            "created_at": [r["created_at"] for r in records],
            "author": [r["author"]["handle"] for r in records],
            "text": [r["text"] for r in records],
        }
    )
    df["scores"] = df["text"].apply(analyzer.polarity_scores)
    for name in VADER_COLUMNS:
        df[name] = df["scores"].apply(lambda s, n=name: s[n])
    df["sentiment"] = df["compound"].apply(label)
    with engine.connect() as conn:
        for i, (_, row) in enumerate(df.iterrows()):
            conn.execute(
                insert,
                {
                    "id": row["id"],
                    "created_at": row["created_at"],
                    "author": row["author"],
                    "text": row["text"],
                    "compound": row["compound"],
                    "pos": row["pos"],
                    "neu": row["neu"],
                    "neg": row["neg"],
                    "sentiment": row["sentiment"],
                },
            )
            if (i + 1) % NAIVE_COMMIT_EVERY == 0:
                conn.commit()
        conn.commit()
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"posts": len(df), "seconds": seconds}


# --------------------------------------------------------------------------------------
# (c) brandpulse
# --------------------------------------------------------------------------------------


class ReplaySource(DemoSource):
    """The demo source's records, read back from the corpus instead of generated (the
    generator is not part of the pipeline's cost). One page per batch, like the demo."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def fetch_page(
        self,
        brand: BrandConfig,
        start: datetime,
        end: datetime,
        options: Mapping[str, Any],
        cursor: str | None,
    ) -> Page:
        return Page(records=_read_records(self.path), next_cursor=None)


def _use_home(home: Path, brands_file: Path) -> Settings:
    """Point this (stage) process at a fresh runtime folder and a brands file; the models
    and SQL folders stay as configured."""
    for name in [n for n in os.environ if n.startswith("BRANDPULSE_")]:
        if name not in ("BRANDPULSE_MODELS", "BRANDPULSE_SQL"):
            del os.environ[name]
    os.environ["BRANDPULSE_HOME"] = str(home)
    os.environ["BRANDPULSE_BRANDS"] = str(brands_file)
    return Settings.from_env()


def stage_pipeline(
    corpus: str, brands_file: str, home: str, workers: int | None = None
) -> dict[str, Any]:
    """The real pipeline over every batch of ``corpus``, oldest day first, in a fresh
    runtime folder ``home`` (scoring in ``workers`` processes, default one per core);
    returns seconds per step."""
    from pipeline.detect import store
    from pipeline.ingest import landing
    from pipeline.ingest.fetching import land_paged
    from pipeline.steps import aggregation, loading, planning
    from pipeline.steps.alerting import brand_settings
    from pipeline.steps.brands import load_brands
    from pipeline.warehouse import connection

    settings = _use_home(Path(home), Path(brands_file))
    brands = load_brands(settings.brands_file)
    steps = dict.fromkeys(("land", "load", "aggregate", "spikes"), 0.0)
    records = 0
    items: list[planning.Chunk] = []

    def landed() -> Iterator[landing.Batch]:
        nonlocal records
        for day, brand_id, path in _corpus_files(Path(corpus)):
            brand = brands.get(brand_id)
            start = datetime.fromisoformat(day).replace(tzinfo=UTC)
            end = start + timedelta(days=1)
            t0 = time.perf_counter()
            batch, _ = land_paged(
                settings.landing, ReplaySource(path), brand, start=start, end=end, options={}
            )
            steps["land"] += time.perf_counter() - t0
            records += batch.records
            items.append(planning.Chunk(brand_id, "demo", start, end))
            yield batch

    cpu_before = _cpu_s()
    t0 = time.perf_counter()
    loading.load_batches(landed(), settings, workers=workers)
    # Landing runs in this process while the workers score: "load" is the rest.
    steps["load"] = time.perf_counter() - t0 - steps["land"]
    t0 = time.perf_counter()
    aggregation.aggregate_chunks(items, settings)
    t1 = time.perf_counter()
    lo, hi = min(c.start for c in items), max(c.end for c in items)
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        for brand in brands.select(tuple(sorted({c.brand for c in items}))):
            recovery = brand_settings(brand)[1].recovery_hours
            store.detect_brand(con, settings.sql, brand, lo, hi, recovery_hours=recovery)
    t2 = time.perf_counter()
    steps["aggregate"], steps["spikes"] = t1 - t0, t2 - t1
    cpu = _cpu_s() - cpu_before
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        row = con.execute("select count(*) from posts").fetchone()
    finally:
        con.close()
    return {
        "records": records,
        "posts": int(row[0]) if row else 0,
        "seconds": sum(steps.values()),
        "steps": steps,
        "cpu_s": cpu,
    }


def stage_steps(corpus: str, brands_file: str, home: str, posts: int) -> dict[str, Any]:
    """Stage (p): what stage (c) does, step by step in this one process, over the first
    ``posts`` records in (c)'s order, with the CPU time (this process's) of each step
    (:data:`STEP_ROWS`). The scoring is timed where ``score_batch`` calls it
    (``loading.score_texts``, wrapped here), so nothing runs twice."""
    import pickle

    from pipeline.detect import store
    from pipeline.ingest.fetching import land_paged
    from pipeline.posts import quality
    from pipeline.scoring.learned import LearnedStage
    from pipeline.scoring.scorer import scorer_for
    from pipeline.steps import aggregation, loading, planning
    from pipeline.steps.alerting import brand_settings
    from pipeline.steps.brands import load_brands
    from pipeline.warehouse import connection

    settings = _use_home(Path(home), Path(brands_file))
    brands = load_brands(settings.brands_file)
    cpu = dict.fromkeys((step for _, step, _ in STEP_ROWS), 0.0)
    clock = time.process_time
    score_texts, judge = loading.score_texts, LearnedStage.judge

    def timed_scoring(*args: Any, **kwargs: Any) -> Any:
        t0 = clock()
        try:
            return score_texts(*args, **kwargs)
        finally:
            cpu["scoring"] += clock() - t0

    def timed_judge(*args: Any, **kwargs: Any) -> Any:  # inside score_texts
        t0 = clock()
        try:
            return judge(*args, **kwargs)
        finally:
            cpu["learned"] += clock() - t0

    def write(group: list[Any]) -> None:
        t0 = clock()
        gates = quality.gate_post_batches([s.for_gate() for s in group])
        t1 = clock()
        with (
            connection.open_for_write(settings.warehouse, settings.sql, publish=False) as con,
            connection.transaction(con),
        ):
            for scored, gate in zip(group, gates, strict=True):
                brand = brands.get(scored.batch.brand)
                rows, quarantine, result = loading._gated(scored, gate, brand, None)
                loading._write_load(
                    con, scored, posts=rows, quarantine=quarantine, result=result,
                    report=gate.report,
                )  # fmt: skip
        cpu["gate"] += t1 - t0
        cpu["write"] += clock() - t1

    quality.prepare()  # imports GX: (c) does it while its workers start, off this table
    loading.score_texts = timed_scoring
    LearnedStage.judge = timed_judge  # type: ignore[method-assign]
    records = 0
    items: list[planning.Chunk] = []
    group: list[Any] = []
    try:
        for day, brand_id, path in _corpus_files(Path(corpus)):
            if records >= posts:
                break
            brand = brands.get(brand_id)
            start = datetime.fromisoformat(day).replace(tzinfo=UTC)
            end = start + timedelta(days=1)
            t0 = clock()
            _read_records(path)
            t1 = clock()
            batch, _ = land_paged(
                settings.landing, ReplaySource(path), brand, start=start, end=end, options={}
            )
            t2 = clock()
            cpu["page"] += t1 - t0
            cpu["land"] += max(0.0, (t2 - t1) - (t1 - t0))
            scorer = scorer_for(brand)
            before = cpu["scoring"]
            t0 = clock()
            scored = loading.score_batch(batch, brand, scorer)
            t1 = clock()
            blob = pickle.dumps(scored, protocol=pickle.HIGHEST_PROTOCOL)
            t2 = clock()
            scored = pickle.loads(blob)  # noqa: S301 (our own bytes, as the pool's)
            t3 = clock()
            cpu["normalize"] += (t1 - t0) - (cpu["scoring"] - before)
            cpu["pickle"] += t2 - t1
            cpu["unpickle"] += t3 - t2
            records += batch.records
            items.append(planning.Chunk(brand_id, "demo", start, end))
            group.append(scored)
            if sum(len(s.posts) for s in group) >= loading.GATE_GROUP_ROWS:
                write(group)
                group = []
        if group:
            write(group)
    finally:
        loading.score_texts = score_texts
        LearnedStage.judge = judge  # type: ignore[method-assign]
    cpu["scoring"] -= cpu["learned"]
    t0 = clock()
    aggregation.aggregate_chunks(items, settings)
    t1 = clock()
    lo, hi = min(c.start for c in items), max(c.end for c in items)
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        for brand in brands.select(tuple(sorted({c.brand for c in items}))):
            recovery = brand_settings(brand)[1].recovery_hours
            store.detect_brand(con, settings.sql, brand, lo, hi, recovery_hours=recovery)
    cpu["aggregate"], cpu["spikes"] = t1 - t0, clock() - t1
    return {"records": records, "cpu_s": cpu}


# --------------------------------------------------------------------------------------
# (s) the scoring ceiling
# --------------------------------------------------------------------------------------


def _score_share(
    corpus: str,
    brands_file: str,
    *,
    share: int,
    shares: int,
    start: Any,
    results: Any,
) -> None:
    """One process of stage (s): score every ``shares``-th record's text of each file,
    from the ``share``-th, with its brand's scorer, once all processes are ready
    (``start``, a barrier); put (records, seconds, CPU seconds) on ``results``."""
    from pipeline.posts.normalize import storage_text
    from pipeline.scoring.scorer import scorer_for
    from pipeline.steps.brands import load_brands

    brands = load_brands(Path(brands_file))
    work = []
    for _day, brand_id, path in _corpus_files(Path(corpus)):
        texts = [storage_text(str(r["text"])) for r in _read_records(path, share, shares)]
        work.append((scorer_for(brands.get(brand_id)), texts))
    start.wait()
    cpu, started = time.process_time(), time.perf_counter()
    records = 0
    for scorer, texts in work:
        for text in texts:
            scorer.score(text)
            scorer.is_spam(text)
        records += len(texts)
    results.put((records, time.perf_counter() - started, time.process_time() - cpu))


def stage_ceiling(corpus: str, brands_file: str, processes: int) -> dict[str, Any]:
    """Stage (s): the brands' scorers alone, in ``processes`` processes that start
    scoring together, over every record's text of ``corpus`` (the texts read and cleaned
    before the clock starts). The time is that of the slowest process."""
    context = get_context("spawn")
    start, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(
            target=_score_share,
            args=(corpus, brands_file),
            kwargs={"share": i, "shares": processes, "start": start, "results": results},
        )
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    out: list[tuple[int, float, float]] = []
    try:
        while len(out) < processes:
            try:
                out.append(results.get(timeout=1))
            except queue.Empty:
                failed = [w.exitcode for w in workers if w.exitcode]
                if failed:
                    raise RuntimeError(
                        f"bench: a scoring-ceiling process failed (exit codes {failed})"
                    ) from None
    finally:
        start.abort()  # a process that died before the barrier must not hold the others
        for worker in workers:
            worker.join()
    return {
        "processes": processes,
        "records": sum(r[0] for r in out),
        "seconds": max(r[1] for r in out),
        "cpu_s": sum(r[2] for r in out),
    }


def stage_cores(corpus: str, brands_file: str, posts: int) -> dict[str, Any]:
    """Stage (k): ``score`` and ``is_spam`` of the first ``posts`` records' texts of
    ``corpus``, with each brand's scorer on the pure-Python core, then on the compiled core
    (when built), in this one process; the outputs of the two are compared text by text."""
    from pipeline.errors import ConfigError
    from pipeline.posts.normalize import storage_text
    from pipeline.scoring.cues import forget_learned
    from pipeline.scoring.scorer import Scorer
    from pipeline.settings import Settings
    from pipeline.steps.brands import load_brands

    brands = load_brands(Path(brands_file))
    models = Settings.from_env().models
    work: list[tuple[str, list[str]]] = []
    left = posts
    for _day, brand_id, path in _corpus_files(Path(corpus)):
        if left <= 0:
            break
        texts = [storage_text(str(r["text"])) for r in _read_records(path)][:left]
        work.append((brand_id, texts))
        left -= len(texts)
    records = sum(len(texts) for _, texts in work)

    def scorers(core: str) -> dict[str, Any]:
        forget_learned()  # each core starts cold, as a fresh worker process does
        return {b: Scorer(models, brands.get(b), core=core) for b in {b for b, _ in work}}

    def timed(core: str) -> float:
        by_brand = scorers(core)  # built before the clock starts
        cpu = time.process_time()
        for brand_id, texts in work:
            scorer = by_brand[brand_id]
            for text in texts:
                scorer.score(text)
                scorer.is_spam(text)
        return time.process_time() - cpu

    python_cpu = timed("python")
    try:
        compiled_cpu = timed("compiled")
    except ConfigError:  # not built here: the pure-Python figure alone
        return {
            "records": records,
            "python_cpu_s": python_cpu,
            "compiled_cpu_s": None,
            "differing": 0,
        }
    # Then, off the clock, the two cores' outputs text by text (not kept: holding every
    # score would make the timed loops pay for the garbage collector's passes over them).
    python, compiled = scorers("python"), scorers("compiled")
    differing = 0
    for brand_id, texts in work:
        a, b = python[brand_id], compiled[brand_id]
        for text in texts:
            if a.score(text) != b.score(text) or a.is_spam(text) != b.is_spam(text):
                differing += 1
    return {
        "records": records,
        "python_cpu_s": python_cpu,
        "compiled_cpu_s": compiled_cpu,
        "differing": differing,
    }


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


#: Functions whose cumulative time the profile reports: (label, module, qualified name).
#: Each is looked up when the profile is read (:func:`_profile_key`), so a function that moved
#: or was renamed fails loudly instead of reporting 0 s.
_PROFILED: tuple[tuple[str, str, str], ...] = (
    ("land_paged", "pipeline.ingest.fetching", "land_paged"),
    ("load_batches", "pipeline.steps.loading", "load_batches"),
    ("score_batch", "pipeline.steps.loading", "score_batch"),
    ("gate_post_batches", "pipeline.posts.quality", "gate_post_batches"),
    ("normalize_batch", "pipeline.posts.normalize", "normalize_batch"),
    ("read_batch", "pipeline.ingest.landing", "read_batch"),
    ("Scorer.score", "pipeline.scoring.scorer", "Scorer.score"),
    ("vader scores", "pipeline.scoring.vader", "Analyzer.scores"),  # what Scorer.score calls
    ("Scorer.is_spam", "pipeline.scoring.scorer", "Scorer.is_spam"),
    ("classify", "pipeline.posts.normalize", "classify"),
    ("replace_interval", "pipeline.warehouse.loads", "replace_interval"),
    ("aggregate_chunks", "pipeline.steps.aggregation", "aggregate_chunks"),
    ("detect_brand", "pipeline.detect.store", "detect_brand"),
)


def _profile_key(module: str, qualname: str) -> tuple[str, int, str]:
    """The key cProfile files the function under: (file, first line, name) of its code,
    taken from the function object itself (decorators unwrapped)."""
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    code = inspect.unwrap(obj).__code__
    return code.co_filename, code.co_firstlineno, code.co_name


def stage_profile(corpus: str, brands_file: str, home: str, report: str) -> dict[str, Any]:
    """Stage (c) under cProfile: the report file and the cumulative seconds of the steps.

    Scoring runs in this process (one worker), so that the profile sees all of it."""
    profiler = cProfile.Profile()
    out = profiler.runcall(stage_pipeline, corpus, brands_file, home, workers=1)
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    buffer.write(f"stage (c) under cProfile: {out['records']} records, steps {out['steps']}\n")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(35)
    Path(report).write_text(buffer.getvalue(), encoding="utf-8")
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    cumulative: dict[str, float] = {}
    for label, module, qualname in _PROFILED:
        entry = table.get(_profile_key(module, qualname))
        cumulative[label] = round(entry[3], 2) if entry else 0.0  # 0.0: never called
    return {"profile": cumulative, "records": out["records"]}


# --------------------------------------------------------------------------------------
# The identity check
# --------------------------------------------------------------------------------------


def check_vader(warehouse_path: Path, reference_db: Path) -> VaderCheck:
    """Compare the VADER columns of every stored post with the package's scores of the same
    text, bit for bit (``struct``-packed doubles, not ``=``). DuckDB stores -0.0 as 0.0, in
    the warehouse and in the reference alike, so the sign of a zero is the one thing this
    cannot see."""
    import duckdb

    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        con.execute(f"attach '{reference_db}' as ref (read_only)")
        cols = ", ".join(f"p.{c}" for c in VADER_COLUMNS)
        ref_cols = ", ".join(f"r.{c}" for c in VADER_COLUMNS)
        cursor = con.execute(
            f"select p.brand, p.post_id, r.post_id is null, p.text is distinct from r.text,"  # noqa: S608
            f" {cols}, {ref_cols}, p.unscored_reason is not null,"
            " p.model_version like '%+lexicon-%'"
            " from posts as p left join ref.reference as r"
            " on r.brand = p.brand and r.post_id = p.post_id"
        )
        posts = compared = mismatched = missing = text_differs = unscored = other = 0
        examples: list[str] = []
        n = len(VADER_COLUMNS)
        while rows := cursor.fetchmany(100_000):
            for row in rows:
                posts += 1
                if row[4 + 2 * n]:
                    unscored += 1
                    continue
                if row[5 + 2 * n]:
                    other += 1
                    continue
                if row[2]:
                    missing += 1
                    continue
                if row[3]:
                    text_differs += 1
                    continue
                compared += 1
                stored, reference = row[4 : 4 + n], row[4 + n : 4 + 2 * n]
                if struct.pack(f"<{n}d", *stored) != struct.pack(f"<{n}d", *reference):
                    mismatched += 1
                    if len(examples) < MAX_EXAMPLES:
                        examples.append(
                            f"{row[0]}/{row[1]}: stored {tuple(stored)} != vader {tuple(reference)}"
                        )
    finally:
        con.close()
    return VaderCheck(
        posts, compared, mismatched, missing, text_differs, tuple(examples), unscored, other
    )


def stage_check(warehouse: str, reference_db: str) -> dict[str, Any]:
    return asdict(check_vader(Path(warehouse), Path(reference_db)))


# --------------------------------------------------------------------------------------
# Analysts
# --------------------------------------------------------------------------------------

_HOURLY_SQL = """
insert into brand_hourly by name
with g as (
    select
        'brand' || lpad(b::varchar, 2, '0') as brand,
        ?::timestamp + to_hours(h) as hour,
        (5 + hash(b, h) % 120)::bigint as posts,
        (hash(b, h, 1) % 45)::bigint as neg_pct,
        (hash(b, h, 2) % 60)::bigint as pos_pct,
        (hash(b, h, 3) % 80)::bigint as complaint_pct,
        (200 + hash(b, h, 4) % 5000)::bigint as followers
    from range(?) as t(b), range(?) as s(h)
), c as (
    select *, posts * neg_pct // 100 as negative from g
), d as (
    select *, (posts - negative) * pos_pct // 100 as positive,
        negative * complaint_pct // 100 as complaints
    from c
)
select
    brand, hour, posts, positive, posts - positive - negative as neutral, negative, complaints,
    (positive - negative) / posts * 0.6 as mean_compound,
    negative / posts as negative_share,
    complaints / posts as complaint_share,
    posts * followers as reach,
    negative * followers as negative_reach,
    complaints * followers as complaint_reach,
    negative / posts as negative_reach_share,
    posts // 10 as reposts, posts // 50 as copies, posts // 25 as spam,
    complaints // 2 as brand_replies
from d
"""

#: The analyst's question: weekly complaint rate per brand over the last quarter.
ANALYST_QUERY = """
select
    brand,
    date_trunc('week', hour) as week,
    sum(complaints) as complaints,
    sum(posts) as posts,
    sum(complaints) / nullif(sum(posts), 0) as complaint_rate
from brand_hourly
where hour >= ? and hour < ?
group by brand, week
order by brand, week
"""

TEXT_FILTER_QUERY = "select count(*) from posts where text ilike ?"


def stage_analyst(
    database: str,
    source_warehouse: str,
    text_posts: int,
    query_runs: int = ANALYST_QUERY_RUNS,
    filter_runs: int = TEXT_FILTER_RUNS,
) -> dict[str, Any]:
    """Build the analyst data in a fresh migrated warehouse file and time the two queries."""
    from pipeline.warehouse import connection

    settings = Settings.from_env()
    path = Path(database)
    hours = ANALYST_DAYS * 24
    with connection.open_for_write(path, settings.sql) as con:
        con.execute(_HOURLY_SQL, [_ANALYST_START, ANALYST_BRANDS, hours])
        started = time.perf_counter()
        con.execute(f"attach '{source_warehouse}' as src (read_only)")
        row = con.execute("select count(*) from src.posts").fetchone()
        source_posts = int(row[0]) if row else 0
        copies = max(1, math.ceil(text_posts / max(1, source_posts)))
        con.execute(
            "insert into posts by name"
            " select p.* replace (p.post_id || '.' || r.i::varchar as post_id)"
            " from src.posts as p, range(?) as r(i) limit ?",
            [copies, text_posts],
        )
        con.execute("detach src")
        build_s = time.perf_counter() - started
        row = con.execute("select count(*) from brand_hourly").fetchone()
        hourly_rows = int(row[0]) if row else 0
        row = con.execute("select count(*) from posts").fetchone()
        stored_posts = int(row[0]) if row else 0
    end = _ANALYST_START + timedelta(hours=hours)
    quarter = [end - timedelta(days=ANALYST_QUARTER_DAYS), end]
    con = connection.connect(path, read_only=True)
    try:
        times = []
        for _ in range(query_runs):
            t0 = time.perf_counter()
            con.execute(ANALYST_QUERY, quarter).fetchall()
            times.append(time.perf_counter() - t0)
        filter_times, matches = [], 0
        for _ in range(filter_runs):
            t0 = time.perf_counter()
            row = con.execute(TEXT_FILTER_QUERY, [TEXT_FILTER_TERM]).fetchone()
            filter_times.append(time.perf_counter() - t0)
            matches = int(row[0]) if row else 0
    finally:
        con.close()
    return {
        "hourly_brands": ANALYST_BRANDS,
        "hourly_rows": hourly_rows,
        "hourly_query_median_ms": statistics.median(times) * 1000,
        "hourly_query_first_ms": times[0] * 1000,
        "hourly_query_runs": len(times),
        "text_filter_posts": stored_posts,
        "text_filter_build_s": build_s,
        "text_filter_median_s": statistics.median(filter_times),
        "text_filter_matches": matches,
        "text_filter_runs": len(filter_times),
    }


# --------------------------------------------------------------------------------------
# Airflow
# --------------------------------------------------------------------------------------


def _backfill_conf(days: int) -> dict[str, str]:
    """The backfill DAG's params for the first ``days`` demo days."""
    end = DEMO_START + timedelta(days=days)
    return {"start": DEMO_START.date().isoformat(), "end": end.date().isoformat()}


def stage_airflow(home: str, days: int = DEMO_DAYS) -> dict[str, Any]:
    """Time ``airflow dags test brandpulse_backfill`` over the demo days (``days`` of them;
    the demo brands, a fresh runtime folder), then one interval of the hourly DAG, from the
    task instances."""
    from pipeline.cli import airflow_runner
    from pipeline.steps.orchestration import BACKFILL_DAG, INGEST_DAG

    settings = _use_home(Path(home), PROJECT_ROOT / "brands.yaml")
    t0 = time.perf_counter()
    airflow_runner.prepare(settings)
    t1 = time.perf_counter()
    airflow_runner.dags_test(BACKFILL_DAG, settings, conf=_backfill_conf(days))
    t2 = time.perf_counter()
    db = settings.airflow_home / "airflow.db"
    _, _, backfill = _run_task_instances(db, BACKFILL_DAG)
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(backfill)]
    interval_date = datetime(2026, 10, 22, 18, tzinfo=UTC)
    airflow_runner.dags_test(INGEST_DAG, settings, logical_date=interval_date)
    t3 = time.perf_counter()
    _, _, interval = _run_task_instances(db, INGEST_DAG)
    work = sum(d for _, _, d in backfill)
    return {
        "prepare_s": t1 - t0,
        "backfill_s": t2 - t1,
        "backfill_tasks": len(backfill),
        "backfill_task_work_s": work,
        "backfill_overhead_per_task_s": (t2 - t1 - work) / len(backfill) if backfill else 0.0,
        "backfill_median_gap_s": statistics.median(gaps) if gaps else 0.0,
        "interval_s": t3 - t2,
        "interval_tasks": len(interval),
        "interval_task_work_s": sum(d for _, _, d in interval),
    }


def _run_task_instances(
    airflow_db: Path, dag_id: str, run_id: str | None = None
) -> tuple[float, float, list[tuple[float, float, float]]]:
    """The run's (queued, end) and its task instances' (start, end, duration) by start, as
    epoch seconds; ``run_id`` None: the DAG's latest run (none: zeros and no tasks)."""

    def moment(value: object) -> float | None:
        return None if value is None else parse_moment(str(value)).timestamp()

    con = sqlite3.connect(airflow_db)
    try:
        run = con.execute(
            "select run_id, queued_at, end_date from dag_run where dag_id = ?"
            " and (run_id = ? or ? is null) order by id desc limit 1",
            [dag_id, run_id, run_id],
        ).fetchone()
        if run is None:
            return 0.0, 0.0, []
        rows = con.execute(
            "select start_date, end_date, duration from task_instance"
            " where dag_id = ? and run_id = ? and start_date is not null"
            " and end_date is not null order by start_date",
            [dag_id, run[0]],
        ).fetchall()
    finally:
        con.close()
    queued, end = run[1], run[2]
    tasks = []
    for start, stop, duration in rows:
        s, e = moment(start) or 0.0, moment(stop) or 0.0
        tasks.append((s, e, float(duration) if duration is not None else e - s))
    return moment(queued) or 0.0, moment(end) or 0.0, tasks


def stage_scheduler(home: str, days: int = DEMO_DAYS) -> dict[str, Any]:
    """The demo backfill (``days`` of it) and one hourly interval under a real scheduler:
    ``airflow standalone`` in a fresh runtime folder (the demo brands), each task instance
    in its own process, as production runs them; figures from Airflow's own records."""
    from pipeline.cli import airflow_runner
    from pipeline.steps.orchestration import BACKFILL_DAG, INGEST_DAG

    settings = _use_home(Path(home), PROJECT_ROOT / "brands.yaml")
    conf = _backfill_conf(days)
    t0 = time.perf_counter()
    with airflow_runner.standalone(settings) as airflow:
        started = time.perf_counter() - t0
        db = airflow.database
        airflow.run(BACKFILL_DAG, "bench_backfill", conf=conf, timeout=1800)
        interval_date = datetime(2026, 10, 22, 19, tzinfo=UTC)
        airflow.run(INGEST_DAG, "bench_interval", logical_date=interval_date, timeout=600)
        slots = int(
            airflow.airflow(["config", "get-value", "core", "max_active_tasks_per_dag"])
            .stdout.strip()
            .splitlines()[-1]
        )
    queued, end, backfill = _run_task_instances(db, BACKFILL_DAG, "bench_backfill")
    i_queued, i_end, interval = _run_task_instances(db, INGEST_DAG, "bench_interval")
    i_start = min((t[0] for t in interval), default=i_queued)
    return {
        "start_s": started,
        "backfill_s": end - queued,
        "backfill_tasks": len(backfill),
        "backfill_task_work_s": sum(t[2] for t in backfill),
        "backfill_task_median_s": statistics.median([t[2] for t in backfill] or [0.0]),
        "slots": slots,
        # From its first task's start: the run may have waited for the hourly run the
        # scheduler creates when the DAG is unpaused (one run at a time).
        "interval_s": i_end - i_start,
        "interval_tasks": len(interval),
        "interval_task_work_s": sum(t[2] for t in interval),
    }


_STAGES: dict[str, Callable[..., dict[str, Any]]] = {
    "reference": stage_reference,
    "naive": stage_naive,
    "pipeline": stage_pipeline,
    "steps": stage_steps,
    "ceiling": stage_ceiling,
    "cores": stage_cores,
    "profile": stage_profile,
    "check": stage_check,
    "analyst": stage_analyst,
    "airflow": stage_airflow,
    "scheduler": stage_scheduler,
}


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Where the figures come from: date, cores, CPU model, Python."""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count() or "?"),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Other work on the machine skews every figure: the 1-minute load average at the end.
        "loadavg_1m": f"{os.getloadavg()[0]:.2f}",
        "commit": _commit(),
    }


def _commit() -> str:
    """The checked-out commit, with ``+dirty`` when the working tree has changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return head + ("+dirty" if dirty else "")


@contextmanager
def _workdir(parent: Path | None, keep: bool) -> Iterator[Path]:
    """A fresh folder for one run, removed afterwards unless ``keep``."""
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="brandpulse-bench-", dir=parent))
    try:
        yield path
    finally:
        if keep:
            log.info("bench: kept the work folder %s", path)
        else:
            shutil.rmtree(path, ignore_errors=True)


def run_bench(
    posts: int = 1_000_000,
    *,
    json_path: Path | None = None,
    workdir: Path | None = None,
    analyst: bool = True,
    airflow: bool = False,
    scheduler: bool = False,
    unique: bool = True,
    naive_posts: int = NAIVE_POSTS,
    text_filter_posts: int = TEXT_FILTER_POSTS,
    profile_path: Path | None = None,
    keep: bool = False,
    days: int = BENCH_DAYS,
    cores_posts: int = CORES_POSTS,
    steps_posts: int = STEPS_POSTS,
    learned: str = "off",
) -> BenchResult:
    """Run the benchmark (see the module docstring) and return what it measured.

    ``workdir`` is where the run's temporary folder goes (default: the system's temporary
    folder); the folder is removed at the end unless ``keep``. With ``json_path``, the
    result is also written there as JSON; with ``profile_path``, stage (c) runs once more
    under cProfile and the profile is written there. ``days`` (default: the 28 demo days)
    shortens the corpus for tests; ``cores_posts`` is how many texts stage (k) scores and
    ``steps_posts`` how many records stage (p) runs step by step (0: no stage (p)).
    ``learned``: stage (c) with the learned complaint stage "on", "off", or "both" (on, then
    once more off on the same corpus).
    """
    if learned not in LEARNED_CHOICES:
        raise ValueError(f"learned must be one of {', '.join(LEARNED_CHOICES)}, got {learned!r}")
    if posts < 1 or days < 1:
        raise ValueError(f"posts and days must be positive, got {posts} and {days}")
    stages: list[StageStats] = []
    with _workdir(workdir, keep) as work:
        corpus, brands_file = make_corpus(work, posts, days)
        full, uniq = work / "corpus" / "full", work / "corpus" / "unique"
        reference_db = work / "reference.duckdb"
        ref = run_stage(
            "reference", {"corpus": str(full), "reference_db": str(reference_db)}, stages
        )
        naive = run_stage(
            "naive",
            {
                "corpus": str(full),
                "posts": naive_posts,
                "url": f"duckdb:///{work / 'naive.duckdb'}",
            },
            stages,
        )
        naive_sqlite = run_stage(
            "naive-sqlite",
            {
                "corpus": str(full),
                "posts": naive_posts,
                "url": f"sqlite:///{work / 'naive.sqlite'}",
            },
            stages,
        )
        ceiling = run_stage(
            "ceiling",
            {
                "corpus": str(full),
                "brands_file": str(brands_file),
                "processes": os.cpu_count() or 1,
            },
            stages,
        )
        cores = run_stage(
            "cores",
            {"corpus": str(full), "brands_file": str(brands_file), "posts": cores_posts},
            stages,
        )
        home_full = work / "home-full"
        on = learned != "off"
        main_brands = _with_learned(brands_file, on)
        main = _pipeline_run("full", full, main_brands, home_full, stages)
        other = (
            _pipeline_run(
                "full-learned-off",
                full,
                _with_learned(brands_file, False),
                work / "home-learned-off",
                stages,
            )
            if learned == "both"
            else None
        )
        unique_run = (
            _pipeline_run("unique", uniq, main_brands, work / "home-unique", stages)
            if unique
            else None
        )
        steps = None
        if steps_posts > 0:
            out = run_stage(
                "steps",
                {
                    "corpus": str(full),
                    "brands_file": str(main_brands),  # the learned stage as (c) runs it
                    "home": str(work / "home-steps"),
                    "posts": steps_posts,
                },
                stages,
            )
            steps = StepCosts(records=int(out["records"]), cpu_s=dict(out["cpu_s"]))
        warehouse_path = Settings.from_env({"BRANDPULSE_HOME": str(home_full)}).warehouse
        check = run_stage(
            "check", {"warehouse": str(warehouse_path), "reference_db": str(reference_db)}, stages
        )
        analyst_result = None
        if analyst:
            out = run_stage(
                "analyst",
                {
                    "database": str(work / "analyst.duckdb"),
                    "source_warehouse": str(warehouse_path),
                    "text_posts": text_filter_posts,
                },
                stages,
            )
            analyst_result = AnalystResult(**out)
        scheduler_result = None
        if scheduler:
            out = run_stage("scheduler", {"home": str(work / "home-scheduler")}, stages)
            scheduler_result = SchedulerResult(**out)
        airflow_result = None
        if airflow:
            out = run_stage("airflow", {"home": str(work / "home-airflow")}, stages)
            airflow_result = AirflowResult(**out)
        profile: dict[str, float] = {}
        if profile_path is not None:
            out = run_stage(
                "profile",
                {
                    "corpus": str(full),
                    "brands_file": str(brands_file),
                    "home": str(work / "home-profile"),
                    "report": str(profile_path),
                },
                stages,
            )
            profile = dict(out["profile"])
    result = BenchResult(
        requested_posts=posts,
        corpus=corpus,
        reference_posts=int(ref["posts"]),
        reference_s=float(ref["seconds"]),
        naive_posts=int(naive["posts"]),
        naive_s=float(naive["seconds"]),
        naive_sqlite=(int(naive_sqlite["posts"]), float(naive_sqlite["seconds"])),
        pipeline=main,
        pipeline_unique=unique_run,
        vader=VaderCheck(**check),
        stages=tuple(stages),
        machine=machine(),
        analyst=analyst_result,
        airflow=airflow_result,
        scheduler=scheduler_result,
        profile=profile,
        ceiling=ScoringCeiling(**ceiling),
        cores=CoreComparison(**cores),
        steps=steps,
        learned=on,
        pipeline_other_learned=other,
    )
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    return result


#: ``--learned``: stage (c) with the learned complaint stage on, off, or both (two runs).
LEARNED_CHOICES = ("both", "on", "off")


def _with_learned(brands_file: Path, on: bool) -> Path:
    """A copy of the bench's brands file with ``overrides.learned_complaints`` set."""
    data = yaml.safe_load(brands_file.read_text(encoding="utf-8"))
    for entry in data["brands"]:
        entry.setdefault("overrides", {})["learned_complaints"] = on
    path = brands_file.with_name(f"brands-learned-{'on' if on else 'off'}.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _pipeline_run(
    name: str, corpus: Path, brands_file: Path, home: Path, stages: list[StageStats]
) -> PipelineRun:
    out = run_stage(
        f"pipeline-{name}",
        {"corpus": str(corpus), "brands_file": str(brands_file), "home": str(home)},
        stages,
    )
    return PipelineRun(
        corpus=name,
        records=int(out["records"]),
        posts=int(out["posts"]),
        seconds=float(out["seconds"]),
        steps={k: round(float(v), 3) for k, v in out["steps"].items()},
        peak_rss_mb=stages[-1].peak_rss_mb,
        cpu_s=round(float(out["cpu_s"]), 2),
    )


# --------------------------------------------------------------------------------------
# Command line (wired as ``brandpulse bench`` in pipeline/cli/main.py)
# --------------------------------------------------------------------------------------


def _count(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``brandpulse bench``."""
    parser.add_argument(
        "--posts", type=_count, default=1_000_000, help="records to generate (default 1,000,000)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument(
        "--workdir",
        type=Path,
        metavar="DIR",
        help="where the run's temporary folder goes (default: the system's temp folder)",
    )
    parser.add_argument(
        "--no-analyst", action="store_true", help="skip the analyst query and text-filter timings"
    )
    parser.add_argument(
        "--no-unique", action="store_true", help="skip stage (c) on the corpus without duplicates"
    )
    parser.add_argument(
        "--airflow",
        action="store_true",
        help="also time a backfill of the 28 demo days through Airflow (several minutes)",
    )
    parser.add_argument(
        "--scheduler",
        action="store_true",
        help="also time the demo backfill and an hourly interval under a real scheduler "
        "(`airflow standalone`, each task its own process; several minutes)",
    )
    parser.add_argument(
        "--naive-posts",
        type=_count,
        default=NAIVE_POSTS,
        help=f"records the naive peer runs on (default {NAIVE_POSTS:,})",
    )
    parser.add_argument(
        "--text-filter-posts",
        type=_count,
        default=TEXT_FILTER_POSTS,
        help=f"scored posts the analyst text filter runs over (default {TEXT_FILTER_POSTS:,})",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="run stage (c) again under cProfile, report here",
    )
    parser.add_argument(
        "--cores-posts",
        type=_count,
        default=CORES_POSTS,
        help=f"texts the scoring-core comparison (k) scores with each core "
        f"(default {CORES_POSTS:,})",
    )
    parser.add_argument(
        "--steps-posts",
        type=_whole,
        default=STEPS_POSTS,
        help=f"records stage (p) runs step by step in one process, for the CPU a record of "
        f"each step (default {STEPS_POSTS:,}; 0 skips it)",
    )
    parser.add_argument(
        "--learned",
        choices=LEARNED_CHOICES,
        default="off",
        help="stage (c) with the learned complaint stage on, off, or both: on, then once "
        "more off on the same corpus, and the stage's cost (CPU a record, on minus off); "
        "stage (p) runs it as (c) does, as its own step (default off, as brands run by "
        "default)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text!r}")
    return value


def run_from_args(args: argparse.Namespace) -> BenchResult:
    """Run the benchmark with the options of :func:`add_arguments`."""
    return run_bench(
        args.posts,
        json_path=args.json,
        workdir=args.workdir,
        analyst=not args.no_analyst,
        airflow=args.airflow,
        scheduler=args.scheduler,
        unique=not args.no_unique,
        naive_posts=args.naive_posts,
        text_filter_posts=args.text_filter_posts,
        profile_path=args.profile,
        keep=args.keep,
        cores_posts=args.cores_posts,
        steps_posts=args.steps_posts,
        learned=args.learned,
    )
