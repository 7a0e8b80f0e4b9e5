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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from pipeline import landing, privacy, quality, responses, warehouse
from pipeline.config import BrandConfig, BrandsFile, load_brands
from pipeline.errors import ConfigError, InputError
from pipeline.fetching import FetchPolicy, land_paged
from pipeline.normalize import COPY_WINDOW, classify, normalize_batch
from pipeline.posts import PostKind
from pipeline.scoring import Scorer, scorer_for
from pipeline.secrets import SecretLookup
from pipeline.settings import Settings
from pipeline.sources import get_parser, get_source
from pipeline.timeutil import check_interval

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
    brands, except file drops (imported by :mod:`pipeline.file_import`, not by interval)."""
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
) -> landing.Batch:
    """Fetch ``[start, end)`` of one source for one brand into the landing zone.

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
    )
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

    The scored posts then pass the posts quality suite (:func:`pipeline.quality.gate_posts`):
    rows failing it join the quarantine with a ``quality: ...`` reason. ``on_quality``
    receives the suite's report (to store it), when there were posts to check; ``batch_id``
    names the batch there and in quarantine (default: the interval's). For a brand
    with ``overrides.privacy.pseudonymize_authors`` the authors are then pseudonymized with
    the key ``secrets`` (or the environment) gives (:mod:`pipeline.privacy`).
    """
    records = list(landing.read_batch(batch))
    index = quality.RecordIndex(get_parser(batch.source), records)
    normalized = normalize_batch(index.to_post, brand, records, batch.start, batch.end)
    posts = normalized.posts
    scores = [scorer.score(p.text) for p in posts]
    classes = classify(posts, [scorer.is_spam(p.text) for p in posts])
    tz = brand.tz
    rows = {name: [] for name in warehouse.POST_COLUMNS}  # type: dict[str, list[object]]
    for post, score, cls in zip(posts, scores, classes, strict=True):
        values: dict[str, object] = {
            "source": post.source,
            "post_id": post.post_id,
            "brand": post.brand,
            "created_at": warehouse.naive_utc(post.created_at),
            "brand_day": post.created_at.astimezone(tz).date(),
            "author_id": post.author_id,
            "author_handle": post.author_handle,
            "author_followers": post.author_followers,
            "text": post.text,
            "lang": post.lang,
            "url": post.url,
            "conversation_id": post.conversation_id,
            "in_reply_to_post_id": post.in_reply_to_post_id,
            "in_reply_to_author_id": post.in_reply_to_author_id,
            "repost_of": post.repost_of,
            "is_brand_reply": post.is_brand_reply,
            "kind": cls.kind.value,
            "duplicate_of": cls.duplicate_of,
            "text_fingerprint": cls.fingerprint,
            "compound": score.compound,
            "pos": score.pos,
            "neu": score.neu,
            "neg": score.neg,
            "sentiment": score.sentiment.value,
            "is_complaint": score.is_complaint,
            "complaint_score": score.complaint_score,
            "complaint_category": score.complaint_category,
            "model_version": scorer.model_version,
            "copy_candidate": cls.copy_candidate,
            "sentiment_compound": (
                score.compound if score.sentiment_compound is None else score.sentiment_compound
            ),
        }
        for name in warehouse.POST_COLUMNS:
            rows[name].append(values[name])
    posts_frame = pd.DataFrame(rows, columns=list(warehouse.POST_COLUMNS))
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
    gate = quality.gate_posts(
        posts_frame,
        quarantine,
        record_nos=index.record_nos(normalized),
        records=records,
        source=batch.source,
        brand=batch.brand,
        batch_id=batch_id or warehouse.interval_batch_id(batch.start, batch.end),
        start=batch.start,
        end=batch.end,
        brands=[brand.id],
    )
    if gate.report is not None and on_quality is not None:
        on_quality(gate.report)
    posts_frame, quarantine = gate.posts, gate.quarantine
    if len(posts_frame) and privacy.PrivacyConfig.for_brand(brand).pseudonymize_authors:
        posts_frame = privacy.pseudonymize_posts(posts_frame, privacy.pseudonymizer(secrets))
    kinds = Counter(str(k) for k in posts_frame["kind"])
    result = LoadResult(
        source=batch.source,
        brand=batch.brand,
        start=batch.start,
        end=batch.end,
        fetched=normalized.fetched,
        loaded=len(posts_frame),
        duplicates=normalized.duplicates,
        quarantined=len(quarantine),
        kinds={k.value: kinds.get(k.value, 0) for k in PostKind},
        complaints=int(
            (posts_frame["is_complaint"] & (posts_frame["kind"] == PostKind.ORIGINAL.value)).sum()
        ),
    )
    return posts_frame, quarantine, result


def load(
    batch: landing.Batch, settings: Settings | None = None, secrets: SecretLookup | None = None
) -> LoadResult:
    """Score a landed batch and replace its interval in the warehouse.

    Not published to analysts by itself: the aggregate step that always follows publishes
    the posts together with their aggregates.
    """
    settings = settings or Settings.from_env()
    brand = _brands(settings).get(batch.brand)
    scorer = scorer_for(brand)
    # Score before opening the warehouse: the write lock is held only while writing.
    reports: list[quality.SuiteReport] = []
    posts, quarantine, result = score_posts(
        batch, brand, scorer, on_quality=reports.append, secrets=secrets
    )
    with warehouse.open_for_write(settings.warehouse, settings.sql, publish=False) as con:
        warehouse.replace_interval(
            con,
            warehouse.LoadRecord(
                source=batch.source,
                brand=batch.brand,
                start=batch.start,
                end=batch.end,
                landing_path=str(batch.path),
                fetched=result.fetched,
                loaded=result.loaded,
                duplicates=result.duplicates,
                quarantined=result.quarantined,
                model_version=scorer.model_version,
            ),
            posts,
            quarantine,
        )
        for report in reports:
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
    return result


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
    hours = days = 0
    lo, hi = start - before, end + after
    batch_id = warehouse.interval_batch_id(start, end)
    with warehouse.open_for_write(settings.warehouse, settings.sql) as con:
        for brand in brands:
            warehouse.mark_copies(
                con, settings.sql, brand.id, start=start, end=end + COPY_WINDOW, window=COPY_WINDOW
            )
            hour_list: list[datetime] = []
            if hourly:
                own = _hours(start, end) if create else []
                margin = warehouse.existing_hours(con, brand.id, floor_hour(lo), ceil_hour(hi))
                hour_list = own + margin
            day_list: list[date] = []
            if daily:
                own_days = _days(*local_days(brand, start, end)) if create else []
                margin_days = warehouse.existing_days(con, brand.id, *local_days(brand, lo, hi))
                day_list = own_days + margin_days
            # The rows as they were: put back if the refreshed ones fail their quality suites.
            before_refresh = quality.read_aggregates(con, brand.id, hour_list, day_list)
            if hourly:
                hours += warehouse.refresh_hourly(con, settings.sql, brand.id, hour_list)
            # Replies arrive after complaints: complaints of the week before get theirs.
            responses.refresh_complaint_responses(
                con, settings.sql, brand.id, start - responses.REPLY_LOOKBACK, end
            )
            if daily:
                days += warehouse.refresh_daily(
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
    return sorted(items, key=lambda c: (c.start, c.brand, c.source))


def aggregate_chunks(items: Sequence[Chunk], settings: Settings | None = None) -> AggregateResult:
    """Recompute the aggregates over what ``items`` loaded, brand by brand."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    for c in items:
        lo, hi = spans.get(c.brand, (c.start, c.end))
        spans[c.brand] = (min(lo, c.start), max(hi, c.end))
    hours = days = 0
    for brand_id, (lo, hi) in sorted(spans.items()):
        result = aggregate(lo, hi, [brand_id], settings)
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
) -> RunResult:
    """Land, load and aggregate the planned chunks without a scheduler, oldest first.

    Running oldest first lets copies be recognised against the posts before them.
    ``on_step`` is called after each load (for a progress bar).
    """
    settings = settings or Settings.from_env()
    loads = []
    for item in sorted(items, key=lambda c: (c.start, c.brand, c.source)):
        batch = land(item.source, item.brand, item.start, item.end, settings)
        loads.append(load(batch, settings))
        if on_step is not None:
            on_step(item)
    return RunResult(loads=tuple(loads), aggregate=aggregate_chunks(items, settings))
