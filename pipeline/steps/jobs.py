"""The pipeline's steps as plain functions: what DAG tasks and the CLI call.

Each step owns a data interval ``[start, end)`` (aware datetimes, UTC) and is idempotent:

- :func:`land` fetches one source for one brand and lands the raw records;
- :func:`load` validates, normalizes, classifies and scores a landed batch and replaces
  the batch's interval in the warehouse (posts, quarantine, load ledger);
- :func:`aggregate` recomputes ``brand_hourly`` for the hours and ``brand_daily`` for the
  brands' local days that the interval touches;
- :func:`run` does all three over a long interval, chunk by chunk (backfills, the demo).

No step reads the clock: time comes from the interval.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from pipeline.config.brands import BrandConfig, BrandsFile, load_brands
from pipeline.errors import ConfigError, InputError
from pipeline.ingest import landing
from pipeline.ingest.fetching import FetchPolicy, land_paged
from pipeline.ingest.sources.registry import get_parser, get_source
from pipeline.posts import quality
from pipeline.posts.model import PostKind
from pipeline.posts.normalize import COPY_WINDOW, classify, normalize_batch
from pipeline.scoring.scorer import Scorer, scorer_for
from pipeline.secrets import SecretLookup
from pipeline.settings import Settings
from pipeline.timeutil import check_interval
from pipeline.warehouse import core, privacy, responses

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)

#: Sources read from a folder as files appear, not fetched per interval.
FOLDER_SOURCES = frozenset({"file"})
DAY = timedelta(days=1)


def floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def ceil_hour(moment: datetime) -> datetime:
    floored = floor_hour(moment)
    return floored if floored == moment else floored + HOUR


def local_days(brand: BrandConfig, start: datetime, end: datetime) -> tuple[date, date]:
    """First and last calendar day, in the brand's time zone, that ``[start, end)`` touches."""
    tz = brand.tz
    return start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()


def _brands(settings: Settings) -> BrandsFile:
    return load_brands(settings.brands_file)


def targets(
    settings: Settings,
    brand_ids: Sequence[str] | None = None,
    source_names: Sequence[str] | None = None,
) -> list[tuple[str, str]]:
    """The (brand, source) pairs to fetch by interval: every enabled source of the chosen
    brands, except file drops (imported by :mod:`pipeline.ingest.file_drops`, not by interval)."""
    pairs = []
    for brand in _brands(settings).select(tuple(brand_ids or ())):
        for src in brand.sources:
            if src.name in FOLDER_SOURCES:
                continue
            if not source_names or src.name in source_names:
                pairs.append((brand.id, src.name))
    if source_names:
        unknown = set(source_names) - {s for _, s in pairs}
        if unknown:
            raise ConfigError(
                f"source(s) {', '.join(sorted(unknown))} not enabled for the chosen brands "
                f"in {settings.brands_file.name}"
            )
    return pairs


def land(
    source_name: str,
    brand_id: str,
    start: datetime,
    end: datetime,
    settings: Settings | None = None,
    *,
    secrets: SecretLookup | None = None,
    policy: FetchPolicy | None = None,
    attempt: str | None = None,
) -> landing.Batch:
    """Fetch ``[start, end)`` of one source for one brand into the landing zone.

    ``attempt``: see :func:`pipeline.ingest.fetching.land_paged` (a retried task that had landed
    this interval already does not fetch it again).

    With the source option ``lag_minutes``, the window is shifted back by that much:
    ``[start - lag, end - lag)``, fetched ``lag`` after it closed, so that posts the
    provider indexes late are in it. Consecutive runs' windows still tile time exactly, so
    every post belongs to one load, whatever order loads run in.
    """
    settings = settings or Settings.from_env()
    start, end = check_interval(start, end)
    brand = _brands(settings).get(brand_id)
    src_config = brand.source(source_name)
    if src_config is None:
        raise ConfigError(
            f"{settings.brands_file.name}: brand '{brand_id}', field 'sources.{source_name}': "
            "source not enabled"
        )
    source = get_source(source_name, secrets)
    lag = timedelta(minutes=float(src_config.options.get("lag_minutes", 0)))
    fetch_start, fetch_end = start - lag, end - lag
    batch, stats = land_paged(
        settings.landing,
        source,
        brand,
        start=fetch_start,
        end=fetch_end,
        options=src_config.options,
        policy=policy,
        attempt=attempt,
    )
    if stats.reused:
        return batch
    log.info(
        "landed %d records in %d pages (resumed after page %d, %d retries, %d rate-limit "
        "waits): source=%s brand=%s interval=[%s, %s) file=%s",
        batch.records, stats.pages, stats.resumed_from_page, stats.retries,
        stats.rate_limit_waits, source_name, brand_id, fetch_start.isoformat(),
        fetch_end.isoformat(), batch.path,
    )  # fmt: skip
    return batch


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


@dataclass(frozen=True)
class ScoredBatch:
    """A landed batch normalized, classified and scored: what the posts gate judges.

    Plain data, so that a worker process can make it (:func:`load_batches`).
    """

    batch: landing.Batch
    posts: pd.DataFrame  # the warehouse's post columns
    quarantine: pd.DataFrame  # record_no, post_id, reason, raw
    record_nos: list[int]  # the landed record of each row of ``posts``
    fetched: int
    duplicates: int
    model_version: str

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
            batch_id=batch_id or core.interval_batch_id(batch.start, batch.end),
            start=batch.start,
            end=batch.end,
            brands=[batch.brand],
        )


def _reader(batch: landing.Batch) -> Callable[[], list[object]]:
    return lambda: list(landing.read_batch(batch))


def score_batch(
    batch: landing.Batch,
    brand: BrandConfig,
    scorer: Scorer,
    records: Sequence[object] | None = None,
) -> ScoredBatch:
    """Normalize, classify and score a landed batch (``records``: the batch as read, if
    the caller has read it already)."""
    if records is None:
        records = list(landing.read_batch(batch))
    index = quality.RecordIndex(get_parser(batch.source), records)
    normalized = normalize_batch(index.to_post, brand, records, batch.start, batch.end)
    posts = normalized.posts
    texts = [p.text for p in posts]
    scores = [scorer.score(t) for t in texts]
    classes = classify(posts, [scorer.is_spam(t) for t in texts])
    tz = brand.tz
    columns: dict[str, list[Any]] = {
        "source": [p.source for p in posts],
        "post_id": [p.post_id for p in posts],
        "brand": [p.brand for p in posts],
        "created_at": [core.naive_utc(p.created_at) for p in posts],
        "brand_day": [p.created_at.astimezone(tz).date() for p in posts],
        "author_id": [p.author_id for p in posts],
        "author_handle": [p.author_handle for p in posts],
        "author_followers": [p.author_followers for p in posts],
        "text": texts,
        "lang": [p.lang for p in posts],
        "url": [p.url for p in posts],
        "conversation_id": [p.conversation_id for p in posts],
        "in_reply_to_post_id": [p.in_reply_to_post_id for p in posts],
        "in_reply_to_author_id": [p.in_reply_to_author_id for p in posts],
        "repost_of": [p.repost_of for p in posts],
        "is_brand_reply": [p.is_brand_reply for p in posts],
        "kind": [c.kind.value for c in classes],
        "duplicate_of": [c.duplicate_of for c in classes],
        "text_fingerprint": [c.fingerprint for c in classes],
        "compound": [s.compound for s in scores],
        "pos": [s.pos for s in scores],
        "neu": [s.neu for s in scores],
        "neg": [s.neg for s in scores],
        "sentiment": [s.sentiment.value for s in scores],
        "is_complaint": [s.is_complaint for s in scores],
        "complaint_score": [s.complaint_score for s in scores],
        "complaint_category": [s.complaint_category for s in scores],
        "model_version": [scorer.model_version] * len(posts),
        "copy_candidate": [c.copy_candidate for c in classes],
        "sentiment_compound": [s.sentiment_compound for s in scores],
    }
    posts_frame = pd.DataFrame(columns, columns=list(core.POST_COLUMNS))
    if len(posts_frame):
        posts_frame = posts_frame.astype(
            {"created_at": "datetime64[us]", "author_followers": "int64"}
        )
    quarantine = pd.DataFrame(
        {
            "record_no": [r.record_no for r in normalized.rejected],
            "post_id": [r.post_id for r in normalized.rejected],
            "reason": [r.reason for r in normalized.rejected],
            "raw": [r.raw for r in normalized.rejected],
        },
        columns=["record_no", "post_id", "reason", "raw"],
    )
    return ScoredBatch(
        batch=batch,
        posts=posts_frame,
        quarantine=quarantine,
        record_nos=index.record_nos(normalized),
        fetched=normalized.fetched,
        duplicates=normalized.duplicates,
        model_version=scorer.model_version,
    )


def _gated(
    scored: ScoredBatch,
    gate: quality.PostGate,
    brand: BrandConfig,
    secrets: SecretLookup | None,
) -> tuple[pd.DataFrame, pd.DataFrame, LoadResult]:
    """The rows to write and the load's result, once the posts gate has judged."""
    posts_frame, quarantine = gate.posts, gate.quarantine
    if len(posts_frame) and privacy.PrivacyConfig.for_brand(brand).pseudonymize_authors:
        posts_frame = privacy.pseudonymize_posts(posts_frame, privacy.pseudonymizer(secrets))
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
            (posts_frame["is_complaint"] & (posts_frame["kind"] == PostKind.ORIGINAL.value)).sum()
        ),
    )
    return posts_frame, quarantine, result


def score_posts(
    batch: landing.Batch,
    brand: BrandConfig,
    scorer: Scorer,
    *,
    on_quality: Callable[[quality.SuiteReport], None] | None = None,
    secrets: SecretLookup | None = None,
    batch_id: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, LoadResult]:
    """Normalize, classify and score a landed batch: (posts rows, quarantine rows, result).

    The scored posts then pass the posts quality suite (:func:`pipeline.posts.quality.gate_posts`):
    rows failing it join the quarantine with a ``quality: ...`` reason. ``on_quality``
    receives the suite's report (to store it), when there were posts to check; ``batch_id``
    names the batch there and in quarantine (default: the interval's). For a brand
    with ``overrides.privacy.pseudonymize_authors`` the authors are then pseudonymized with
    the key ``secrets`` (or the environment) gives (:mod:`pipeline.warehouse.privacy`).
    """
    records = list(landing.read_batch(batch))
    scored = score_batch(batch, brand, scorer, records)
    [gate] = quality.gate_post_batches([scored.for_gate(batch_id, records)])
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
    report: quality.SuiteReport | None,
) -> None:
    """Replace the batch's interval with its rows, store its quality report, log."""
    batch = scored.batch
    core.replace_interval(
        con,
        core.LoadRecord(
            source=batch.source,
            brand=batch.brand,
            start=batch.start,
            end=batch.end,
            landing_path=str(batch.path),
            fetched=result.fetched,
            loaded=result.loaded,
            duplicates=result.duplicates,
            quarantined=result.quarantined,
            model_version=scored.model_version,
        ),
        posts,
        quarantine,
    )
    if report is not None:
        quality.store(con, report)
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
    brand = _brands(settings).get(batch.brand)
    # Score before opening the warehouse: the write lock is held only while writing.
    scored = score_batch(batch, brand, scorer_for(brand))
    [gate] = quality.gate_post_batches([scored.for_gate()])
    posts, quarantine, result = _gated(scored, gate, brand, secrets)
    with core.open_for_write(settings.warehouse, settings.sql, publish=False) as con:
        _write_load(
            con, scored, posts=posts, quarantine=quarantine, result=result, report=gate.report
        )
    return result


#: Records :func:`load_batches` scores in its own process before it starts workers.
POOL_AFTER_RECORDS = 20_000

#: Rows the posts gate validates at once in :func:`load_batches` (its cost is mostly fixed
#: per validation; a group's frames stay in memory until they are written).
GATE_GROUP_ROWS = 40_000


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
    about two seconds, more than a small run takes), batches are scored in ``workers``
    processes (default :func:`default_workers`; 1 never starts any) while this process
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
    brands = _brands(settings)
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
                core.open_for_write(settings.warehouse, settings.sql, publish=False) as con,
                core.transaction(con),
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

        pool: ProcessPoolExecutor | None = None
        pending: deque[Future[ScoredBatch]] = deque()
        scored_here = 0
        for batch in batches:
            brand = brands.get(batch.brand)
            if pool is None and workers > 1 and scored_here >= pool_after:
                context = multiprocessing.get_context("spawn")  # no inherited locks or handles
                pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=context))
                log.info(
                    "%d records scored here; scoring the next batches in %d worker processes",
                    scored_here, workers,
                )  # fmt: skip
                # On a failure, batches not yet started are dropped, not scored in vain.
                stack.callback(pool.shutdown, wait=True, cancel_futures=True)
                # Import GX (seconds, once per process) while the workers start, not later
                # while they wait for this process.
                warm_up = threading.Thread(target=quality.prepare, name="gx-warm-up")
                warm_up.start()
            if pool is None:
                take(score_batch(batch, brand, scorer_for(brand)))
                scored_here += batch.records
                continue
            pending.append(pool.submit(_score_in_worker, batch, brand))
            # Up to four batches per worker in flight: enough that the workers keep going
            # while this process validates and writes a group (a second or so), and a
            # bounded number of batches in memory.
            while len(pending) > 4 * workers or (pending and pending[0].done()):
                take(pending.popleft().result())
        while pending:
            take(pending.popleft().result())
        if group:
            flush()
    return results


@dataclass(frozen=True)
class AggregateResult:
    hours: int
    days: int
    brands: tuple[str, ...]


def _hours(start: datetime, end: datetime) -> list[datetime]:
    """The UTC hour starts that ``[start, end)`` touches."""
    hours, cursor = [], floor_hour(start)
    while cursor < end:
        hours.append(cursor)
        cursor += HOUR
    return hours


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def aggregate(
    start: datetime,
    end: datetime,
    brand_ids: Sequence[str] | None = None,
    settings: Settings | None = None,
    *,
    hourly: bool = True,
    daily: bool = True,
    before: timedelta = timedelta(0),
    after: timedelta = COPY_WINDOW,
    create: bool = True,
) -> AggregateResult:
    """Bring everything derived from ``posts`` up to date after loads of ``[start, end)``.

    1. Copies are decided anew for posts in ``[start, end + COPY_WINDOW)``: a post loaded
       now can make a later post (loaded earlier) a copy, so the result never depends on
       the order loads ran in.
    2. ``brand_hourly`` is recomputed for every UTC hour, and ``brand_daily`` for every
       local day, that ``[start, end)`` touches (rows for hours and days without posts
       included), and for the hours and days already stored in the margins ``before`` and
       ``after`` it (their copies may have changed); a margin never adds rows, so no hour
       or day that was never loaded appears as empty. With ``create=False`` (the daily
       settle) only rows already stored are refreshed, inside the interval too.
    """
    settings = settings or Settings.from_env()
    start, end = check_interval(start, end)
    brands = _brands(settings).select(tuple(brand_ids or ()))
    with core.open_for_write(settings.warehouse, settings.sql) as con:
        result = _aggregate_on(
            con, settings, brands, start, end,
            hourly=hourly, daily=daily, before=before, after=after, create=create,
        )  # fmt: skip
    return result


def _aggregate_on(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    brands: Sequence[BrandConfig],
    start: datetime,
    end: datetime,
    *,
    hourly: bool = True,
    daily: bool = True,
    before: timedelta = timedelta(0),
    after: timedelta = COPY_WINDOW,
    create: bool = True,
) -> AggregateResult:
    """:func:`aggregate` on an open connection (publishing is the caller's)."""
    hours = days = 0
    lo, hi = start - before, end + after
    batch_id = core.interval_batch_id(start, end)
    for brand in brands:
        core.mark_copies(
            con, settings.sql, brand.id, start=start, end=end + COPY_WINDOW, window=COPY_WINDOW
        )
        hour_list: list[datetime] = []
        if hourly:
            own = _hours(start, end) if create else []
            margin = core.existing_hours(con, brand.id, floor_hour(lo), ceil_hour(hi))
            hour_list = own + margin
        day_list: list[date] = []
        if daily:
            own_days = _days(*local_days(brand, start, end)) if create else []
            margin_days = core.existing_days(con, brand.id, *local_days(brand, lo, hi))
            day_list = own_days + margin_days
        # The rows as they were: put back if the refreshed ones fail their quality suites.
        before_refresh = quality.read_aggregates(con, brand.id, hour_list, day_list)
        if hourly:
            hours += core.refresh_hourly(con, settings.sql, brand.id, hour_list)
        # Replies arrive after complaints: complaints of the week before get theirs.
        responses.refresh_complaint_responses(
            con, settings.sql, brand.id, start - responses.REPLY_LOOKBACK, end
        )
        if daily:
            days += core.refresh_daily(
                con, settings.sql, brand.id, timezone=brand.timezone, days=day_list
            )
        # Still holding the write lock: nobody has read the new rows yet.
        quality.gate_aggregates(con, before_refresh, batch_id=batch_id)
    log.info(
        "aggregated %d brand-hours and %d brand-days over [%s, %s) and its margins",
        hours, days, start.isoformat(), end.isoformat(),
    )  # fmt: skip
    return AggregateResult(hours=hours, days=days, brands=tuple(b.id for b in brands))


def chunks(
    start: datetime, end: datetime, size: timedelta = DAY
) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut into consecutive pieces of at most ``size``."""
    if size <= timedelta(0):
        raise InputError(f"chunk size must be positive, got {size}")
    start, end = check_interval(start, end)
    out = []
    cursor = start
    while cursor < end:
        nxt = min(cursor + size, end)
        out.append((cursor, nxt))
        cursor = nxt
    return out


def local_day_bounds(brand: BrandConfig, first: date, end: date) -> list[tuple[datetime, datetime]]:
    """The brand's local calendar days ``first .. end`` (exclusive) as UTC intervals.

    Days are 23 or 25 hours long across daylight-saving changes; each is one interval.
    """
    tz = brand.tz
    days = []
    day = first
    while day < end:
        lo = datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)
        hi = datetime.combine(day + DAY, datetime.min.time(), tz).astimezone(UTC)
        days.append((lo, hi))
        day += DAY
    return days


@dataclass(frozen=True)
class Chunk:
    """One unit of backfill work: one source, one brand, one interval."""

    brand: str
    source: str
    start: datetime
    end: datetime

    def order(self) -> tuple[datetime, str, str]:
        """The order backfills run chunks in: oldest first, then by brand and source."""
        return (self.start, self.brand, self.source)

    def to_dict(self) -> dict[str, str]:
        return {
            "brand": self.brand,
            "source": self.source,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Chunk:
        return cls(
            data["brand"],
            data["source"],
            datetime.fromisoformat(data["start"]),
            datetime.fromisoformat(data["end"]),
        )


def plan(
    start: datetime,
    end: datetime,
    brand_ids: Sequence[str] | None = None,
    source_names: Sequence[str] | None = None,
    *,
    local_days: bool = False,
    chunk: timedelta = DAY,
    settings: Settings | None = None,
) -> list[Chunk]:
    """The chunks that cover ``[start, end)``, oldest first.

    With ``local_days``, ``start`` and ``end`` name calendar days and every brand gets
    exactly those days in its own time zone, one chunk per local day (so ``brand_daily``
    holds whole days only); otherwise ``[start, end)`` is cut into UTC chunks of ``chunk``.
    """
    settings = settings or Settings.from_env()
    start, end = check_interval(start, end)
    brands = _brands(settings)
    items = []
    for brand_id, source_name in targets(settings, brand_ids, source_names):
        if local_days:
            bounds = local_day_bounds(brands.get(brand_id), start.date(), end.date())
        else:
            bounds = chunks(start, end, chunk)
        items += [Chunk(brand_id, source_name, lo, hi) for lo, hi in bounds]
    return sorted(items, key=Chunk.order)


def group_chunks(items: Sequence[Chunk], size: int) -> list[list[Chunk]]:
    """``items`` in groups of at most ``size`` consecutive chunks of one brand and source,
    oldest group first: one backfill task's share.

    Every task of a DAG run is a process of its own under the scheduler, which spends about
    two seconds starting (the task runner, parsing the DAG, importing pandas, DuckDB and
    Great Expectations) before a day's chunk of work that often takes less. A week of chunks
    per task makes a backfill of months a few dozen processes, not one per brand-day.
    """
    if size < 1:
        raise InputError(f"chunks per task must be at least 1, got {size}")
    runs: dict[tuple[str, str], list[list[Chunk]]] = {}
    for item in sorted(items, key=Chunk.order):
        groups = runs.setdefault((item.brand, item.source), [])
        if not groups or len(groups[-1]) >= size:
            groups.append([])
        groups[-1].append(item)
    every = [group for groups in runs.values() for group in groups]
    return sorted(every, key=lambda g: g[0].order())


def aggregate_chunks(items: Sequence[Chunk], settings: Settings | None = None) -> AggregateResult:
    """Recompute the aggregates over what ``items`` loaded, brand by brand."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    for c in items:
        lo, hi = spans.get(c.brand, (c.start, c.end))
        spans[c.brand] = (min(lo, c.start), max(hi, c.end))
    settings = settings or Settings.from_env()
    brands = _brands(settings)
    hours = days = 0
    # One connection, so the analyst snapshot is published once, not once per brand.
    with core.open_for_write(settings.warehouse, settings.sql) as con:
        for brand_id, span in sorted(spans.items()):
            start, end = check_interval(*span)
            result = _aggregate_on(con, settings, [brands.get(brand_id)], start, end)
            hours, days = hours + result.hours, days + result.days
    return AggregateResult(hours=hours, days=days, brands=tuple(sorted(spans)))


@dataclass(frozen=True)
class RunResult:
    loads: tuple[LoadResult, ...]
    aggregate: AggregateResult

    @property
    def loaded(self) -> int:
        return sum(r.loaded for r in self.loads)

    @property
    def quarantined(self) -> int:
        return sum(r.quarantined for r in self.loads)


def run(
    items: Sequence[Chunk],
    *,
    settings: Settings | None = None,
    on_step: Callable[[Chunk], None] | None = None,
    workers: int | None = None,
) -> RunResult:
    """Land, load and aggregate the planned chunks without a scheduler, oldest first.

    Chunks are landed one after the other and, in a long run, scored in ``workers``
    processes (:func:`load_batches`; default one per core).
    ``on_step`` is called after each load is written (for a progress bar).
    """
    settings = settings or Settings.from_env()
    ordered = sorted(items, key=Chunk.order)
    done = iter(ordered)

    def landed() -> Iterator[landing.Batch]:
        for item in ordered:
            yield land(item.source, item.brand, item.start, item.end, settings)

    def step(_: LoadResult) -> None:
        if on_step is not None:
            on_step(next(done))

    loads = load_batches(landed(), settings, workers=workers, on_load=step)
    return RunResult(loads=tuple(loads), aggregate=aggregate_chunks(items, settings))
