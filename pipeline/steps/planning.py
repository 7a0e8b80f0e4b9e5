"""Planning work over an interval: which (brand, source) pairs, cut into which chunks.

A backfill or a demo run is a list of :class:`Chunk` (one source, one brand, one interval),
oldest first; :func:`group_chunks` hands a scheduler task several consecutive chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError, InputError
from pipeline.settings import Settings
from pipeline.steps.brands import brands_for
from pipeline.timeutil import DAY, check_interval

#: Sources read from a folder as files appear, not fetched per interval.
FOLDER_SOURCES = frozenset({"file"})


def local_days(brand: BrandConfig, start: datetime, end: datetime) -> tuple[date, date]:
    """First and last calendar day, in the brand's time zone, that ``[start, end)`` touches."""
    tz = brand.tz
    return start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()


def targets(
    settings: Settings,
    brand_ids: Sequence[str] | None = None,
    source_names: Sequence[str] | None = None,
) -> list[tuple[str, str]]:
    """The (brand, source) pairs to fetch by interval: every enabled source of the chosen
    brands, except file drops (imported by :mod:`pipeline.ingest.file_drops`, not by interval)."""
    pairs = []
    for brand in brands_for(settings).select(tuple(brand_ids or ())):
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
    brands = brands_for(settings)
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
