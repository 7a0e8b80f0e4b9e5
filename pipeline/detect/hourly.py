"""Spike detection on a brand's hourly metrics: the findings alerts are made of.

:func:`detect_hourly` / :func:`detect_latest` run the streaming detector
(:class:`~pipeline.detect.counts.StreamDetector`) on a brand's hourly series for
``complaints`` and ``volume``, and a binomial detector (:class:`_ShareDetector`) for
``negative_share``, and return :class:`SpikeFinding` records with expected value, severity
and the start of the episode. Pure functions, no I/O (design and defaults in
``docs/spikes.md``); :mod:`pipeline.detect.store` feeds them the stored hours.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from pipeline.detect.counts import HOUR, StreamDetector, mad_sd
from pipeline.detect.options import METRICS, Severity, SpikeConfig


@dataclass(frozen=True)
class HourPoint:
    """One brand hour, as in ``brand_hourly`` (``hour`` is the UTC start of the hour)."""

    hour: datetime
    posts: int
    negative: int
    complaints: int


@dataclass(frozen=True)
class SpikeFinding:
    """One metric of one hour that is above its expected value by ``threshold`` or more.

    ``started_at`` is the first hour of the episode this hour belongs to: equal to
    ``hour_start`` for a new episode (``is_new``), earlier for an ongoing one, so alerts can
    cool down (same ``started_at``: already alerted) and escalate (severity went up).
    """

    brand: str
    metric: str
    hour_start: datetime
    hour_end: datetime
    observed: float
    expected: float
    score: float  # robust z on the variance-stabilised scale
    severity: Severity
    started_at: datetime
    is_new: bool


class _ShareDetector:
    """negative_share: negatives among posts against the recent share (binomial, stabilised).

    The expected share is negatives over posts of the same hour of day over the last days
    (pooled, so busy hours weigh more), with spikes clipped out; an hour is tested only with
    ``min_posts`` posts. The statistic is the arcsine-stabilised residual, whose binomial
    spread is 1, over the larger of 1 and the robust spread of past residuals.
    """

    def __init__(self, config: SpikeConfig) -> None:
        self.config = config
        days = config.season_days
        self.by_hour: dict[int, deque[tuple[float, int]]] = {}
        self.recent: deque[tuple[float, int]] = deque(maxlen=24 * days)
        self.days = days
        self.residuals: deque[float] = deque(maxlen=max(24, round(24 * config.spread_days)))
        self.first: datetime | None = None
        self.event_start: datetime | None = None
        self.last_hot: datetime | None = None

    def _p0(self, hour: int) -> float | None:
        pool = self.by_hour.get(hour)
        if pool is None or len(pool) < 2:
            pool = self.recent
        n = sum(p for _, p in pool)
        if n < self.config.min_posts:
            return None
        return (sum(neg for neg, _ in pool) + 0.5) / (n + 1.0)

    def update(self, hp: HourPoint) -> tuple[float, float | None, bool]:
        """(score, expected share, opens a new event) for one hour."""
        c = self.config
        if self.first is None:
            self.first = hp.hour
        if (
            self.event_start is not None
            and self.last_hot is not None
            and hp.hour - self.last_hot > timedelta(hours=c.cooldown_hours)
        ):
            self.event_start = self.last_hot = None
        p0 = self._p0(hp.hour.hour)
        score = 0.0
        neg = float(hp.negative)
        if p0 is not None and hp.posts >= max(c.min_posts, 1):
            n = hp.posts
            obs = math.asin(math.sqrt((hp.negative + 0.375) / (n + 0.75)))
            exp = math.asin(math.sqrt(p0))
            r = 2.0 * math.sqrt(n + 0.5) * (obs - exp)
            sd = max(1.0, mad_sd(self.residuals)) if len(self.residuals) >= 24 else 1.0
            score = r / sd
            self.residuals.append(r)
            if score > c.clip:  # clip the spike out of the expected share
                bound = math.sin(exp + c.clip * sd / (2.0 * math.sqrt(n + 0.5))) ** 2
                neg = min(neg, bound * n)
        warm = hp.hour - self.first >= timedelta(hours=c.warmup_hours)
        is_new = False
        if warm and p0 is not None:
            if score >= c.threshold * c.hold_fraction and self.event_start is not None:
                self.last_hot = hp.hour
            if score >= c.threshold and self.event_start is None:
                self.event_start = self.last_hot = hp.hour
                is_new = True
        key = hp.hour.hour
        if key not in self.by_hour:
            self.by_hour[key] = deque(maxlen=self.days)
        self.by_hour[key].append((neg, hp.posts))
        self.recent.append((neg, hp.posts))
        return (score if warm else 0.0), p0, is_new


def _hour_points(series: Any) -> list[HourPoint]:
    """HourPoints from a sequence of them or a pandas frame (hour, posts, negative,
    complaints), sorted by hour."""
    if hasattr(series, "itertuples"):
        pts = [
            HourPoint(
                hour=_to_datetime(r.hour),
                posts=int(r.posts),
                negative=int(r.negative),
                complaints=int(r.complaints),
            )
            for r in series.itertuples(index=False)
        ]
    else:
        pts = list(series)
    pts.sort(key=lambda p: p.hour)
    for a, b in itertools.pairwise(pts):
        if a.hour == b.hour:
            raise ValueError(f"hour {a.hour} appears twice")
    return pts


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    to_py = getattr(value, "to_pydatetime", None)
    if to_py is not None:
        out = to_py()
        if isinstance(out, datetime):
            return out
    raise ValueError(f"hour {value!r} is not a timestamp")


@dataclass
class _BrandRun:
    config: SpikeConfig
    count: dict[str, StreamDetector] = field(default_factory=dict)
    share: _ShareDetector | None = None


def detect_hourly(
    series: Any,
    config: SpikeConfig | None = None,
    brand: str = "",
    start: datetime | None = None,
) -> list[SpikeFinding]:
    """Spike findings of a brand's hourly series, every hour judged on the hours before it.

    ``series``: :class:`HourPoint` items or a pandas frame with columns ``hour, posts,
    negative, complaints`` (one row per UTC hour; missing hours are skipped, not zero).
    Findings are returned for hours ``>= start`` (all hours when None), by hour then metric;
    hours before ``start`` are history only. The answer for an hour is the same whatever
    ``start`` is and whatever comes after it, so a backfill over a range equals repeated
    :func:`detect_latest` calls.
    """
    cfg = config or SpikeConfig()
    points = _hour_points(series)
    run = _BrandRun(cfg)
    for m in ("complaints", "volume"):
        if m in cfg.metrics:
            run.count[m] = StreamDetector(HOUR, cfg)
    if "negative_share" in cfg.metrics:
        run.share = _ShareDetector(cfg)
    findings: list[SpikeFinding] = []
    for hp in points:
        report = start is None or hp.hour >= start
        hour_findings: list[SpikeFinding] = []
        for metric, det in run.count.items():
            value = hp.complaints if metric == "complaints" else hp.posts
            res = det.update(hp.hour, float(value))
            if report and res.severity is not None and res.event_start is not None:
                hour_findings.append(
                    SpikeFinding(
                        brand=brand,
                        metric=metric,
                        hour_start=hp.hour,
                        hour_end=hp.hour + HOUR,
                        observed=float(value),
                        expected=round(res.expected or 0.0, 3),
                        score=round(res.score, 2),
                        severity=res.severity,
                        started_at=res.event_start,
                        is_new=res.is_spike,
                    )
                )
        if run.share is not None:
            score, p0, is_new = run.share.update(hp)
            ev = run.share.event_start
            if report and p0 is not None and ev is not None and score >= cfg.threshold:
                hour_findings.append(
                    SpikeFinding(
                        brand=brand,
                        metric="negative_share",
                        hour_start=hp.hour,
                        hour_end=hp.hour + HOUR,
                        observed=round(hp.negative / hp.posts, 4),
                        expected=round(p0, 4),
                        score=round(score, 2),
                        severity="critical" if score >= cfg.critical else "warning",
                        started_at=ev,
                        is_new=is_new,
                    )
                )
        hour_findings.sort(key=lambda f: METRICS.index(f.metric))
        findings.extend(hour_findings)
    return findings


def detect_latest(
    series: Any,
    config: SpikeConfig | None = None,
    brand: str = "",
    hours: int = 1,
) -> list[SpikeFinding]:
    """Findings of the last ``hours`` closed hours of ``series`` (the history before them is
    only learnt from). Give at least :data:`HISTORY_HOURS` of history for full baselines."""
    points = _hour_points(series)
    if not points or hours < 1:
        return []
    start = points[-1].hour - (hours - 1) * HOUR
    return detect_hourly(points, config, brand=brand, start=start)


#: History that :func:`detect_latest` needs for the full weekly baseline (season_weeks
#: weeks with the defaults) plus the warm-up.
HISTORY_HOURS: Final = 24 * 7 * SpikeConfig.season_weeks + 24
