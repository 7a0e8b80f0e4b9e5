"""The load step: a landed batch normalized, classified, scored, gated and written.

:func:`load` replaces one batch's interval in the warehouse (posts, quarantine, load
ledger); :func:`load_batches` does it for many batches with the cores working together.
Both score and write in one process (the CLI, the local demo). The DAGs split the two so
that scoring runs on any worker and writing on the one that holds the warehouse:
:func:`score_to_storage` writes a scored batch to the storage
(:mod:`pipeline.steps.scored`) and :func:`write_scored` replaces its interval from there,
exactly as :func:`load` would have.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from pipeline import timeutil
from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.ingest import landing, storage
from pipeline.ingest.sources.registry import get_column_reader, get_parser
from pipeline.posts import columns, plausible, quality
from pipeline.posts.expectations import SuiteReport
from pipeline.posts.model import PostKind
from pipeline.posts.pseudonyms import PrivacyConfig, pseudonymize_posts, pseudonymizer
from pipeline.scoring import learned, routing
from pipeline.scoring import workers as scoring_workers
from pipeline.scoring.scorer import Scorer, scorer_for
from pipeline.secrets import SecretLookup
from pipeline.settings import Settings
from pipeline.steps import batch_frames
from pipeline.steps import scored as scored_files
from pipeline.steps.brands import brands_for
from pipeline.steps.planning import FOLDER_SOURCES
from pipeline.warehouse import connection, loads
from pipeline.warehouse.quality import store_report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    """What one load did, for logs, summaries and tests."""

    source: str
    brand: str
    start: datetime
    end: datetime
    fetched: int
    loaded: int
    duplicates: int
    quarantined: int
    kinds: dict[str, int] = field(default_factory=dict)
    complaints: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "brand": self.brand,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "fetched": self.fetched,
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "kinds": dict(self.kinds),
            "complaints": self.complaints,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoadResult:
        """The inverse of :meth:`to_dict`."""
        start, end = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
        counts = {k: int(data[k]) for k in ("fetched", "loaded", "duplicates", "quarantined")}
        kinds = {str(k): int(v) for k, v in data["kinds"].items()}
        return cls(str(data["source"]), str(data["brand"]), start, end, **counts, kinds=kinds,
                   complaints=int(data["complaints"]))  # fmt: skip


@dataclass(frozen=True)
class ScoredBatch:
    """A landed batch normalized, classified and scored: what the posts gate judges.

    Plain data, so that a worker process can make it (:func:`load_batches`).
    """

    batch: landing.Batch
    posts: pd.DataFrame  # the warehouse's post columns
    quarantine: pd.DataFrame  # record_no, post_id, reason, raw, created_at (naive UTC or NaT)
    record_nos: list[int]  # the landed record of each row of ``posts``
    fetched: int
    duplicates: int
    model_version: str
    #: created_at (naive UTC) of each record repeating a post id of the batch
    duplicate_times: tuple[datetime, ...] = ()

    def for_gate(
        self, batch_id: str | None = None, records: Sequence[object] | None = None
    ) -> quality.PostBatch:
        """The gate's view of this batch; the landed records are read again only if a
        post fails and ``records`` were not given."""
        batch = self.batch
        return quality.PostBatch(
            posts=self.posts,
            quarantine=self.quarantine,
            record_nos=self.record_nos,
            records=(lambda: records) if records is not None else _reader(batch),
            source=batch.source,
            brand=batch.brand,
            batch_id=batch_id or loads.interval_batch_id(batch.start, batch.end),
            start=batch.start,
            end=batch.end,
            brands=[batch.brand],
        )


def _reader(batch: landing.Batch) -> Callable[[], list[object]]:
    return lambda: list(landing.read_batch(batch))


def time_bounds(
    batch: landing.Batch, brand: BrandConfig, as_of: datetime | None = None
) -> plausible.TimeBounds:
    """The plausible ``created_at`` of a batch's posts (:mod:`pipeline.posts.plausible`).

    An interval load's run ends at its fetch window's end. A file import's "run" is the
    import: ``as_of``, the time the import started (the caller's; the clock when not
    given: a file's rows cannot be dated otherwise).
    """
    if batch.source in FOLDER_SOURCES:
        return plausible.import_bounds(brand, as_of or datetime.now(UTC))
    return plausible.interval_bounds(brand, batch.end)


def score_batch(
    batch: landing.Batch,
    brand: BrandConfig,
    scorer: Scorer,
    records: Sequence[object] | None = None,
    *,
    as_of: datetime | None = None,
) -> ScoredBatch:
    """Normalize, classify and score a landed batch (``records``: the batch as read, if
    the caller has read it already). A post whose time is not plausible
    (:func:`time_bounds`; ``as_of`` for a file import) is quarantined with the reason.

    Columnar (:mod:`pipeline.posts.columns`): the landed lines are read in bulk by the
    source's column reader when it has one, and every record that reader does not accept
    as it is goes through the source's ``to_post``, one at a time.
    """
    to_post = get_parser(batch.source)
    if records is None:
        lines: Sequence[str | bytes] = landing.read_landed_lines(batch)
        reader = get_column_reader(batch.source)
        fast = reader(lines, brand) if reader is not None else None
        count, record = len(lines), lambda i: landing.parse_line(lines[i])
    else:
        fast, count, record = None, len(records), records.__getitem__
    posts = columns.normalize_columns(
        source=batch.source,
        brand=brand,
        count=count,
        record=record,
        to_post=to_post,
        start=batch.start,
        end=batch.end,
        bounds=time_bounds(batch, brand, as_of),
        fast=fast,
    )
    # The brand's own replies and reposts: left alone by the learned complaint stage.
    skip = [
        reply or bool(repost)
        for reply, repost in zip(posts.is_brand_reply, posts.repost_of, strict=True)
    ]
    routed, spam = score_texts(scorer, brand, posts.text, posts.lang, skip)
    classes = columns.classify_columns(posts, spam)
    return ScoredBatch(
        batch=batch,
        posts=batch_frames.posts_frame(posts, classes, routed, brand.tz),
        quarantine=batch_frames.quarantine_frame(posts.rejected),
        record_nos=posts.record_nos,
        fetched=posts.fetched,
        duplicates=posts.duplicates,
        model_version=scorer.model_version,
        duplicate_times=tuple(timeutil.naive_utc(t) for t in posts.duplicate_times),
    )


def score_texts(
    scorer: Scorer,
    brand: BrandConfig,
    texts: Sequence[str],
    declared: Sequence[str | None],
    skip: Sequence[bool],
) -> tuple[list[routing.Routed], list[bool]]:
    """The scoring of a batch: each text in its language or left unscored
    (:mod:`pipeline.scoring.routing`; ``declared``: the source's language tags), then the
    learned complaint stage on the scored ones where the brand has it on (``skip``: posts
    it leaves alone; :mod:`pipeline.scoring.learned`), and whether each text is spam."""
    routed = routing.route(brand, texts, declared, scorer, skip)
    return routed, [scorer.is_spam(t) for t in texts]


def _gated(
    scored: ScoredBatch,
    gate: quality.PostGate,
    brand: BrandConfig,
    secrets: SecretLookup | None,
) -> tuple[pd.DataFrame, pd.DataFrame, LoadResult]:
    """The rows to write and the load's result, once the posts gate has judged."""
    posts_frame, quarantine = gate.posts, gate.quarantine
    if len(posts_frame) and PrivacyConfig.for_brand(brand).pseudonymize_authors:
        posts_frame = pseudonymize_posts(posts_frame, pseudonymizer(secrets))
    kinds = Counter(str(k) for k in posts_frame["kind"])
    batch = scored.batch
    result = LoadResult(
        source=batch.source,
        brand=batch.brand,
        start=batch.start,
        end=batch.end,
        fetched=scored.fetched,
        loaded=len(posts_frame),
        duplicates=scored.duplicates,
        quarantined=len(quarantine),
        kinds={k.value: kinds.get(k.value, 0) for k in PostKind},
        complaints=int(
            (
                posts_frame["is_complaint"].eq(True)
                & (posts_frame["kind"] == PostKind.ORIGINAL.value)
            ).sum()
        ),
    )
    return posts_frame, quarantine, result


def score_posts(
    batch: landing.Batch,
    brand: BrandConfig,
    scorer: Scorer,
    *,
    on_quality: Callable[[SuiteReport], None] | None = None,
    secrets: SecretLookup | None = None,
    batch_id: str | None = None,
    as_of: datetime | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, LoadResult]:
    """Normalize, classify and score a landed batch: (posts rows, quarantine rows, result).

    The scored posts then pass the posts quality suite (:func:`pipeline.posts.quality.gate_posts`):
    rows failing it join the quarantine with a ``quality: ...`` reason. ``on_quality``
    receives the suite's report (to store it), when there were posts to check; ``batch_id``
    names the batch there and in quarantine (default: the interval's). For a brand
    with ``overrides.privacy.pseudonymize_authors`` the authors are then pseudonymized with
    the key ``secrets`` (or the environment) gives (:mod:`pipeline.posts.pseudonyms`).
    """
    scored = score_batch(batch, brand, scorer, as_of=as_of)  # read in bulk
    [gate] = quality.gate_post_batches([scored.for_gate(batch_id)])
    if gate.report is not None and on_quality is not None:
        on_quality(gate.report)
    return _gated(scored, gate, brand, secrets)


def _write_load(
    con: duckdb.DuckDBPyConnection,
    scored: ScoredBatch,
    *,
    posts: pd.DataFrame,
    quarantine: pd.DataFrame,
    result: LoadResult,
    report: SuiteReport | None,
) -> None:
    """Replace the batch's interval with its rows, store its quality report, log."""
    _write_rows(
        con, scored.batch, scored.model_version, scored.duplicate_times,
        posts=posts, quarantine=quarantine, result=result, report=report,
    )  # fmt: skip


def _write_rows(
    con: duckdb.DuckDBPyConnection,
    batch: landing.Batch,
    model_version: str,
    duplicate_times: Sequence[datetime],
    *,
    posts: pd.DataFrame,
    quarantine: pd.DataFrame,
    result: LoadResult,
    report: SuiteReport | None,
) -> None:
    loads.replace_interval(
        con,
        loads.LoadRecord(
            source=batch.source,
            brand=batch.brand,
            start=batch.start,
            end=batch.end,
            landing_path=batch.location,
            fetched=result.fetched,
            loaded=result.loaded,
            duplicates=result.duplicates,
            quarantined=result.quarantined,
            model_version=model_version,
            duplicate_times=tuple(duplicate_times),
        ),
        posts,
        quarantine,
    )
    if report is not None:
        store_report(con, report)
    log.info(
        "loaded source=%s brand=%s interval=[%s, %s): fetched=%d loaded=%d duplicates=%d "
        "quarantined=%d complaints=%d kinds=%s",
        result.source, result.brand, result.start.isoformat(), result.end.isoformat(),
        result.fetched, result.loaded, result.duplicates, result.quarantined,
        result.complaints, result.kinds,
    )  # fmt: skip
    if result.quarantined:
        log.warning(
            "%d record(s) quarantined for source=%s brand=%s; see the quarantine table",
            result.quarantined, result.source, result.brand,
        )  # fmt: skip


def load(
    batch: landing.Batch, settings: Settings | None = None, secrets: SecretLookup | None = None
) -> LoadResult:
    """Score a landed batch and replace its interval in the warehouse.

    Not published to analysts by itself: the aggregate step that always follows publishes
    the posts together with their aggregates.
    """
    settings = settings or Settings.from_env()
    brand = brands_for(settings).get(batch.brand)
    # Score before opening the warehouse: the write lock is held only while writing.
    scored = score_batch(batch, brand, scorer_for(brand))
    [gate] = quality.gate_post_batches([scored.for_gate()])
    posts, quarantine, result = _gated(scored, gate, brand, secrets)
    with connection.open_for_write(settings.warehouse, settings.sql, publish=False) as con:
        _write_load(
            con, scored, posts=posts, quarantine=quarantine, result=result, report=gate.report
        )
    return result


def score_to_storage(
    batch: landing.Batch, settings: Settings | None = None, secrets: SecretLookup | None = None
) -> str:
    """:func:`score_batches_to_storage` for one batch: its scored batch's location."""
    [location] = score_batches_to_storage([batch], settings, secrets)
    return location


def write_scored(location: str, settings: Settings | None = None) -> LoadResult:
    """:func:`write_scored_batches` for one scored batch."""
    [result] = write_scored_batches([location], settings)
    return result


def score_batches_to_storage(
    batches: Sequence[landing.Batch],
    settings: Settings | None = None,
    secrets: SecretLookup | None = None,
) -> list[str]:
    """Score landed batches and store each one scored, for :func:`write_scored`: the
    CPU-heavy half of :func:`load`, on any host that sees the storage. Returns the scored
    batches' locations (``<storage>/scored/...parquet``, :mod:`pipeline.steps.scored`), in
    the order of the batches. Batches are judged by the posts gate in groups of about
    :data:`GATE_GROUP_ROWS` posts, as :func:`load_batches` does. The warehouse is not
    opened; rerunning writes the same locations again.
    """
    settings = settings or Settings.from_env()
    brands = brands_for(settings)
    root = storage.scored_root(settings)
    written: list[str] = []
    group: list[ScoredBatch] = []

    def flush() -> None:
        gates = quality.gate_post_batches([s.for_gate() for s in group])
        for one, gate in zip(group, gates, strict=True):
            b = one.batch
            posts, quarantine, result = _gated(one, gate, brands.get(b.brand), secrets)
            about = scored_files.meta(
                b, result.to_dict(), one.model_version, one.duplicate_times, gate.report
            )
            target = scored_files.location(root, b.source, b.brand, b.start, b.end)
            written.append(scored_files.write(target, posts, quarantine, about))
            log.info(
                "scored source=%s brand=%s interval=[%s, %s): loaded=%d quarantined=%d -> %s",
                b.source, b.brand, b.start.isoformat(), b.end.isoformat(), result.loaded,
                result.quarantined, target,
            )  # fmt: skip
        group.clear()

    for batch in batches:
        brand = brands.get(batch.brand)
        group.append(score_batch(batch, brand, scorer_for(brand)))
        if sum(len(s.posts) for s in group) >= GATE_GROUP_ROWS:  # bounded memory
            flush()
    if group:
        flush()
    return written


def write_scored_batches(
    locations: Sequence[str], settings: Settings | None = None
) -> list[LoadResult]:
    """Replace each scored batch's interval in the warehouse, as :func:`load` does: the
    writing half, on the one host that holds the warehouse. Several batches are written in
    one transaction. A missing or incomplete scored batch is a
    :class:`~pipeline.errors.ScoredBatchError` before anything is written; rerunning gives
    the same warehouse. Not published to analysts (the aggregate step does that).
    """
    settings = settings or Settings.from_env()
    batches = [scored_files.read(name) for name in locations]
    results = []
    with (
        connection.open_for_write(settings.warehouse, settings.sql, publish=False) as con,
        connection.transaction(con),
    ):
        for one in batches:
            result = LoadResult.from_dict(one.meta["result"])
            _write_rows(
                con, one.batch, one.model_version, one.duplicate_times, posts=one.posts,
                quarantine=one.quarantine, result=result, report=one.report,
            )  # fmt: skip
            results.append(result)
    return results


#: Records :func:`load_batches` scores in its own process before it starts workers.
POOL_AFTER_RECORDS = 20_000
#: CPU time a record takes to score without the learned complaint stage (us), and each text
#: the stage embeds (us, in batches of 16); the share of records the stage embeds (13,244 of
#: 51,521: cue score in its band, not the brand's replies or reposts). Measured in the
#: 50,000-post bench, docs/benchmark.md "The learned complaint stage on and off": measure
#: again and update these when the scorer or the encoder changes cost.
PLAIN_RECORD_US = 160.0
EMBED_TEXT_US = 2_900.0
EMBEDDED_SHARE = 13_244 / 51_521
#: What a record of a brand with the learned complaint stage on counts towards
#: :data:`POOL_AFTER_RECORDS`: its cost over a plain record's (about 5.7), so the workers
#: start after as much work, not as many records. Derived, not configured: it only moves
#: when worker processes start (never a result), and the bench is where it is measured.
LEARNED_RECORD_WEIGHT = (PLAIN_RECORD_US + EMBEDDED_SHARE * EMBED_TEXT_US) / PLAIN_RECORD_US


#: Rows the posts gate validates at once in :func:`load_batches` (its cost is mostly fixed
#: per validation; a group's frames stay in memory until they are written).
GATE_GROUP_ROWS = 40_000


#: Batches :func:`load_batches` has at most in flight per worker process (sent, or scored
#: and not yet taken back): enough that the workers keep going while this process validates
#: and writes a group (a second or so); with the group, what this process holds at once.
IN_FLIGHT_PER_WORKER = 4


def default_workers() -> int:
    """Processes :func:`load_batches` scores in: ``BRANDPULSE_WORKERS``, else one per core."""
    value = os.environ.get("BRANDPULSE_WORKERS", "").strip()
    if value:
        try:
            workers = int(value)
        except ValueError:
            raise ConfigError(f"BRANDPULSE_WORKERS must be a whole number, got {value!r}") from None
        if workers < 1:
            raise ConfigError(f"BRANDPULSE_WORKERS must be at least 1, got {workers}")
        return workers
    return os.cpu_count() or 1


def _score_in_worker(batch: landing.Batch, brand: BrandConfig) -> ScoredBatch:
    """:func:`score_batch` in a worker process (the brand's scorer is built once there)."""
    return score_batch(batch, brand, scorer_for(brand))


def load_batches(
    batches: Iterable[landing.Batch],
    settings: Settings | None = None,
    *,
    workers: int | None = None,
    secrets: SecretLookup | None = None,
    group_rows: int = GATE_GROUP_ROWS,
    pool_after: int = POOL_AFTER_RECORDS,
    on_load: Callable[[LoadResult], None] | None = None,
) -> list[LoadResult]:
    """:func:`load` for many landed batches (a backfill), with the cores working together.

    Once ``pool_after`` records have been scored here (starting worker processes costs
    about two seconds, more than a small run takes; a record of a brand with the learned
    complaint stage on counts :data:`LEARNED_RECORD_WEIGHT` times), batches are scored in
    ``workers`` processes (default :func:`default_workers`; 1 never starts any) while this process
    takes the next batch from ``batches`` (which may land it) and writes finished ones.
    The posts gate judges groups of about ``group_rows`` posts in one validation
    (:func:`pipeline.posts.quality.gate_post_batches`); then every batch of the group replaces
    its interval, in one transaction per group, the warehouse open for writing only then.
    Results come in the order of ``batches``; ``on_load`` is called for each batch once
    its group is committed. A failure stops at the group that failed: the groups committed
    before it stay (a rerun replaces them, as :func:`load` does), nothing of the failed
    one does.
    """
    settings = settings or Settings.from_env()
    brands = brands_for(settings)
    workers = default_workers() if workers is None else workers
    results: list[LoadResult] = []
    group: list[ScoredBatch] = []
    with ExitStack() as stack:
        warm_up: threading.Thread | None = None

        def flush() -> None:
            if warm_up is not None:
                warm_up.join()
            gates = quality.gate_post_batches([s.for_gate() for s in group])
            written = []
            # The write lock only while writing, so that other writers (Airflow's tasks)
            # get their turn during a long run. One commit for the group (a commit costs
            # about as much as inserting 3,000 posts); each load stays whole in it.
            with (
                connection.open_for_write(settings.warehouse, settings.sql, publish=False) as con,
                connection.transaction(con),
            ):
                for scored, gate in zip(group, gates, strict=True):
                    brand = brands.get(scored.batch.brand)
                    posts, quarantine, result = _gated(scored, gate, brand, secrets)
                    _write_load(
                        con, scored, posts=posts, quarantine=quarantine, result=result,
                        report=gate.report,
                    )  # fmt: skip
                    written.append(result)
            for result in written:
                results.append(result)
                if on_load is not None:
                    on_load(result)
            group.clear()

        def take(scored: ScoredBatch) -> None:
            group.append(scored)
            if sum(len(s.posts) for s in group) >= group_rows:
                flush()

        pool: scoring_workers.BrandPool | None = None
        pending: deque[Future[ScoredBatch]] = deque()
        scored_here = 0.0  # records, a learned one weighted (LEARNED_RECORD_WEIGHT)
        for batch in batches:
            brand = brands.get(batch.brand)
            if pool is None and workers > 1 and scored_here >= pool_after:
                # Fresh processes that end with this one (a killed run leaves none behind);
                # on a failure, batches not yet started are dropped, not scored in vain.
                pool = stack.enter_context(scoring_workers.BrandPool(workers))
                log.info(
                    "%d records' worth scored here; scoring the next batches in %d worker"
                    " processes",
                    scored_here, workers,
                )  # fmt: skip
                # Import GX (seconds, once per process) while the workers start, not later
                # while they wait for this process.
                warm_up = threading.Thread(target=quality.prepare, name="gx-warm-up")
                warm_up.start()
                scoring_workers.release_scoring()
            if pool is None:
                take(score_batch(batch, brand, scorer_for(brand)))
                weight = LEARNED_RECORD_WEIGHT if learned.enabled_for(brand) else 1.0
                scored_here += batch.records * weight
                continue
            pending.append(pool.submit(brand.id, _score_in_worker, batch, brand))
            while len(pending) > IN_FLIGHT_PER_WORKER * workers or (pending and pending[0].done()):
                take(pending.popleft().result())
        while pending:
            take(pending.popleft().result())
        if group:
            flush()
    return results
