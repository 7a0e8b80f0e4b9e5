"""Spikes into the warehouse: a brand's stored hours judged, the flagged ones stored.

:func:`detect_brand` judges a brand's stored hours with :mod:`pipeline.detect.hourly`
(causally: each hour on the hours before it) and stores what it flags: ``spike_hours`` (every
flagged hour) and ``spikes`` (one row per episode). Re-deriving a range gives the same rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

import duckdb

from pipeline import timeutil
from pipeline.config.model import BrandConfig
from pipeline.detect import hourly, options
from pipeline.posts.plausible import HistoryConfig
from pipeline.timeutil import HOUR
from pipeline.warehouse import connection
from pipeline.warehouse.sqlfiles import read_sql

log = logging.getLogger(__name__)


#: Version of the detector defaults and of the episode rules, stored with every spike.
DETECTOR_VERSION = "spikes-2"  # 2: the peak is the worst hour (observed - expected)


@dataclass(frozen=True)
class DetectResult:
    brand: str
    hours: int  # stored hours judged
    flagged: int  # flagged metric-hours
    spike_ids: tuple[str, ...]  # episodes touching the judged hours
    #: Data-health warnings: spells of near-silent volume ending in the judged hours.
    silent: tuple[hourly.SilentSpell, ...] = ()


def spike_id(brand: str, metric: str, started_at: datetime) -> str:
    return f"{brand}:{metric}:{started_at.astimezone(UTC):%Y-%m-%dT%H:00Z}"


def _stored_hours(
    con: duckdb.DuckDBPyConnection, brand: str, start: datetime, end: datetime
) -> list[hourly.HourPoint]:
    rows = con.execute(
        "select hour, posts, negative, complaints from brand_hourly"
        " where brand = ? and hour >= ? and hour < ? order by hour",
        [brand, timeutil.naive_utc(start), timeutil.naive_utc(end)],
    ).fetchall()
    return [hourly.HourPoint(r[0].replace(tzinfo=UTC), r[1], r[2], r[3]) for r in rows]


def _rebuild_spikes(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, brand: str, recovery_hours: int
) -> None:
    """``spikes`` rows of ``brand`` from its ``spike_hours`` (small: one row per episode),
    by ``sql/queries/spikes/rebuild_spikes.sql``."""
    con.execute("delete from spikes where brand = ?", [brand])
    con.execute(
        read_sql(sql_dir, "queries/spikes/rebuild_spikes"),
        {"brand": brand, "recovery_hours": recovery_hours, "version": DETECTOR_VERSION},
    )


def detect_brand(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path,
    brand: BrandConfig,
    start: datetime,
    end: datetime,
    *,
    recovery_hours: int,
) -> DetectResult:
    """Judge ``brand``'s stored hours in ``[start, end)`` and store the flagged ones.

    The detector's thresholds are the brand's (``overrides.spikes``); an episode has ended
    after ``recovery_hours`` stored hours without a flagged one.
    """
    spike_config = options.SpikeConfig.from_overrides(
        brand.overrides.get("spikes"), f"brand {brand.id}: overrides.spikes"
    )
    # Every verdict is made on the brand's stored history from its history start
    # (overrides.history, counted back from ``end``; the detector's state depends on where
    # it starts), so judging the same window again always gives the same answer, and a
    # stray hour from long ago (stored before plausible times were checked) is never read.
    history = HistoryConfig.for_brand(brand).history_start(brand, end)
    points = _stored_hours(con, brand.id, min(history, start), end)
    verdicts = hourly.judge_hours(points, spike_config, brand=brand.id, start=start)
    findings = verdicts.findings
    judged = sum(1 for p in points if p.hour >= start)
    rows = [
        (
            spike_id(brand.id, f.metric, f.started_at),
            brand.id,
            f.metric,
            timeutil.naive_utc(f.hour_start),
            f.observed,
            f.expected,
            f.score,
            f.severity,
        )
        for f in findings
    ]
    with connection.transaction(con):
        con.execute(
            "delete from spike_hours where brand = ? and hour >= ? and hour < ?",
            [brand.id, timeutil.naive_utc(start), timeutil.naive_utc(end)],
        )
        if rows:
            con.executemany("insert into spike_hours values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        _rebuild_spikes(con, sql_dir, brand.id, recovery_hours)
    ids = tuple(sorted({r[0] for r in rows}))
    log.info(
        "%s: judged %d stored hours in [%s, %s): %d flagged metric-hours in %d spikes",
        brand.id, judged, start.isoformat(), end.isoformat(), len(rows), len(ids),
    )  # fmt: skip
    silent = tuple(verdicts.silent)
    for spell in silent:
        log.warning("data health: %s", spell.describe())
    return DetectResult(brand.id, judged, len(rows), ids, silent)


def latest_window(
    con: duckdb.DuckDBPyConnection, brand: str, lookback_hours: int, until: datetime
) -> tuple[datetime, datetime] | None:
    """The scheduled evaluation's window: the last ``lookback_hours`` stored hours that
    start before ``until`` (the check's time plus the clock skew): a stray hour stored far
    ahead (before plausible times were checked) never moves the window."""
    row = con.execute(
        "select max(hour) from brand_hourly where brand = ? and hour < ?",
        [brand, timeutil.naive_utc(until)],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    end = row[0].replace(tzinfo=UTC) + HOUR
    return end - lookback_hours * HOUR, end


@dataclass(frozen=True)
class Spike:
    spike_id: str
    brand: str
    metric: str
    started_at: datetime
    last_hour: datetime
    ended_at: datetime | None
    peak_hour: datetime
    observed: float
    expected: float
    score: float
    severity: str
    hours: int

    @classmethod
    def from_row(cls, names: Sequence[str], row: Sequence[Any]) -> Self:
        d = dict(zip(names, row, strict=True))
        for k in ("started_at", "last_hour", "ended_at", "peak_hour"):
            if d[k] is not None:
                d[k] = d[k].replace(tzinfo=UTC)
        d.pop("detector_version", None)
        return cls(**d)


#: Spikes flagged this long before an evaluated window are still looked at (their end, and
#: the recovery note, may fall in the window).
SCOPE_BEFORE = timedelta(hours=24)


def spikes_in_scope(
    con: duckdb.DuckDBPyConnection, brand: str, start: datetime, end: datetime
) -> list[Spike]:
    """Spikes flagged in ``[start - SCOPE_BEFORE, end)``."""
    cursor = con.execute(
        "select * exclude (detector_version) from spikes"
        " where brand = ? and last_hour >= ? and started_at < ? order by started_at, metric",
        [brand, timeutil.naive_utc(start - SCOPE_BEFORE), timeutil.naive_utc(end)],
    )
    names = [d[0] for d in cursor.description or []]
    return [Spike.from_row(names, r) for r in cursor.fetchall()]
