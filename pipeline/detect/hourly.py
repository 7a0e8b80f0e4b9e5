"""Spike detection on a brand's hourly metrics: the findings alerts are made of.

:func:`detect_hourly` / :func:`detect_latest` run the detector
(:class:`~pipeline.detect.engine.SpikeDetector`, upward, with the brand's count settings) on
a brand's hourly series for ``complaints`` and ``volume``: a finding is an hour its count
model flags, or one its anomaly likelihood flags that the count model does not. A binomial
detector (:class:`_ShareDetector`) judges ``negative_share``. Both return
:class:`SpikeFinding` records with expected value, severity and the start of the episode.
Pure functions, no I/O (design and defaults in ``docs/spikes.md``);
:mod:`pipeline.detect.store` feeds them the stored hours.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from pipeline.detect.counts import mad_sd
from pipeline.detect.engine import DetectorConfig, SpikeDetector, SpikeResult
from pipeline.detect.options import METRICS, Severity, SpikeConfig
from pipeline.timeutil import HOUR


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
        #: The share range of the last hour judged (expected -/+ threshold spreads), or None.
        self.band: tuple[float, float] | None = None

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
        self.band = None
        if p0 is not None and hp.posts >= max(c.min_posts, 1):
            n = hp.posts
            obs = math.asin(math.sqrt((hp.negative + 0.375) / (n + 0.75)))
            exp = math.asin(math.sqrt(p0))
            r = 2.0 * math.sqrt(n + 0.5) * (obs - exp)
            sd = max(1.0, mad_sd(self.residuals)) if len(self.residuals) >= 24 else 1.0
            half = c.threshold * sd / (2.0 * math.sqrt(n + 0.5))
            self.band = (
                math.sin(max(exp - half, 0.0)) ** 2,
                math.sin(min(exp + half, math.pi / 2)) ** 2,
            )
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
    count: dict[str, SpikeDetector] = field(default_factory=dict)
    share: _ShareDetector | None = None
    #: Per count metric, the first hour of an event the engine's likelihood opened (one the
    #: count model did not see), while it lasts.
    surprise_start: dict[str, datetime | None] = field(default_factory=dict)


#: The engine's settings for a brand's hourly counts: rises only (a drop in complaints is
#: good news; a drop in volume is a data-health matter, not an alert).
HOURLY_ENGINE = DetectorConfig(direction="up")
#: A likelihood-opened event goes on while the likelihood stays above this share of its
#: bar (the count model's ``hold_fraction``, for the same reason: one incident, one event).
SURPRISE_HOLD = 0.75


def _like(moment: datetime, like: datetime) -> datetime:
    """``moment`` (naive UTC, as the engine works) in the time zone of the hours given."""
    if like.tzinfo is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC).astimezone(like.tzinfo)


def _surprise_finding(
    run: _BrandRun, metric: str, hp: HourPoint, res: SpikeResult, brand: str
) -> SpikeFinding | None:
    """A finding from the engine's anomaly likelihood on an hour the count model does not
    flag; it opens an event when the engine calls the hour a spike."""
    cfg = HOURLY_ENGINE
    hot = res.likelihood_z >= cfg.lik_z * SURPRISE_HOLD
    started = run.surprise_start.get(metric)
    if res.is_spike and not res.count_alarm:
        started = hp.hour
    elif not hot:
        started = None
    run.surprise_start[metric] = started
    observed = float(hp.complaints if metric == "complaints" else hp.posts)
    # the same floor as the count model's: a handful of posts is never worth a page
    if started is None or res.likelihood_z < cfg.lik_z or observed < run.config.min_count:
        return None
    return SpikeFinding(
        brand=brand,
        metric=metric,
        hour_start=hp.hour,
        hour_end=hp.hour + HOUR,
        observed=observed,
        expected=round(res.expected or 0.0, 3),
        score=round(res.likelihood_z, 2),
        severity="critical" if res.likelihood_z >= 2 * cfg.lik_z else "warning",
        started_at=started,
        is_new=started == hp.hour,
    )


@dataclass(frozen=True)
class HourBaseline:
    """What the detector expected of one metric in one hour, and the range it would not
    flag on its own (for charts): counts per hour, or a share 0..1 for negative_share."""

    metric: str
    hour: datetime
    expected: float
    low: float
    high: float


@dataclass(frozen=True)
class HourlyVerdicts:
    """What judging a brand's hours gives: spike findings and data-health warnings, and
    per judged hour and metric the detector's baseline."""

    findings: list[SpikeFinding]
    silent: list[SilentSpell]
    baselines: list[HourBaseline] = field(default_factory=list)


def judge_hours(
    series: Any,
    config: SpikeConfig | None = None,
    brand: str = "",
    start: datetime | None = None,
) -> HourlyVerdicts:
    """:func:`detect_hourly`'s findings and :func:`silent_spells`' warnings in one pass over
    the hours (the volume's engine serves both)."""
    cfg = config or SpikeConfig()
    points = _hour_points(series)
    run = _BrandRun(cfg)
    for m in ("complaints", "volume"):
        if m in cfg.metrics or m == "volume":
            run.count[m] = SpikeDetector(HOURLY_ENGINE, HOUR, counts=cfg)
    if "negative_share" in cfg.metrics:
        run.share = _ShareDetector(cfg)
    silence = _Silence(brand, start)
    findings: list[SpikeFinding] = []
    baselines: list[HourBaseline] = []
    for hp in points:
        report = start is None or hp.hour >= start
        hour_findings: list[SpikeFinding] = []
        for metric, det in run.count.items():
            value = hp.complaints if metric == "complaints" else hp.posts
            engine_res = det.update(hp.hour, float(value))
            res = engine_res.count
            if report and res is not None and res.expected is not None and res.band:
                baselines.append(HourBaseline(metric, hp.hour, res.expected, *res.band))
            if metric == "volume":
                silence.push(hp, None if res is None else res.expected)
                if metric not in cfg.metrics:
                    continue
            if res is not None and res.severity is not None and res.event_start is not None:
                if report:
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
                            started_at=_like(res.event_start, hp.hour),
                            is_new=res.is_spike,
                        )
                    )
                continue
            surprise = _surprise_finding(run, metric, hp, engine_res, brand)
            if report and surprise is not None:
                hour_findings.append(surprise)
        if run.share is not None:
            score, p0, is_new = run.share.update(hp)
            ev = run.share.event_start
            if report and p0 is not None and run.share.band is not None:
                baselines.append(HourBaseline("negative_share", hp.hour, p0, *run.share.band))
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
    return HourlyVerdicts(findings, silence.finish(), baselines)


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
    return judge_hours(series, config, brand, start).findings


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


@dataclass(frozen=True)
class SilentSpell:
    """Hours in a row in which a brand's post volume fell to near zero against what it
    usually is: a data-health warning, not an alert (a source outage looks exactly like
    this; so does a brand nobody talks about for a while)."""

    brand: str
    start: datetime
    end: datetime  # exclusive: the hour after the last silent one
    posts: int  # posts in the spell
    expected: float  # posts the count model expected over the spell

    def describe(self) -> str:
        hours = round((self.end - self.start) / HOUR)
        return (
            f"{self.brand}: {self.posts} posts in the {hours} hours from "
            f"{self.start:%Y-%m-%d %H:%M} UTC, against about {self.expected:.0f} expected: "
            "is a source down? (check the ingest runs and the brand's sources)"
        )


#: An hour is silent when it has at most this share of the posts expected for it ...
SILENT_FRACTION: Final = 0.1
#: ... and at least this many were expected (a small brand's quiet night is no outage).
SILENT_MIN_EXPECTED: Final = 10.0
#: Silent hours in a row that make a warning: "for hours", not one odd hour.
SILENT_HOURS: Final = 3


def silent_spells(
    series: Any,
    config: SpikeConfig | None = None,
    brand: str = "",
    start: datetime | None = None,
) -> list[SilentSpell]:
    """Spells of at least :data:`SILENT_HOURS` silent hours (see :data:`SILENT_FRACTION`)
    in a brand's hourly series, each judged on the hours before it (the count model's
    expected volume); spells that end at or after ``start`` (all when None)."""
    return judge_hours(series, config, brand, start).silent


class _Silence:
    """Silent hours in a row (see :data:`SILENT_FRACTION`), turned into spells."""

    def __init__(self, brand: str, start: datetime | None) -> None:
        self.brand = brand
        self.start = start
        self.run: list[tuple[HourPoint, float]] = []
        self.spells: list[SilentSpell] = []

    def push(self, hp: HourPoint, expected: float | None) -> None:
        """One hour's volume and the volume the count model expected for it."""
        if self.run and hp.hour - self.run[-1][0].hour > HOUR:
            self._close()  # a missing hour ends a spell: nothing was stored to judge
        if (
            expected is not None
            and expected >= SILENT_MIN_EXPECTED
            and hp.posts <= SILENT_FRACTION * expected
        ):
            self.run.append((hp, expected))
        else:
            self._close()

    def finish(self) -> list[SilentSpell]:
        self._close()
        return self.spells

    def _close(self) -> None:
        run = self.run
        if len(run) >= SILENT_HOURS:
            end = run[-1][0].hour + HOUR
            if self.start is None or end > self.start:
                self.spells.append(
                    SilentSpell(
                        brand=self.brand,
                        start=run[0][0].hour,
                        end=end,
                        posts=sum(p.posts for p, _ in run),
                        expected=round(sum(e for _, e in run), 1),
                    )
                )
        self.run = []
