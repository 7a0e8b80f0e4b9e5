"""The engine's count model: causal spike detection on regular series of counts.

Design, defaults and figures in ``docs/spikes.md``. :class:`StreamDetector` reads one
regular series (any interval from 5 minutes to a day) point by point and says, for each
point and using only that point and the ones before it, how anomalous it is and whether it
opens a new spike event (``is_spike``). The engine (:mod:`pipeline.detect.engine`) runs it on
count-like series, bucketed to their interval; :mod:`pipeline.detect.hourly` runs it on a
brand's hourly metrics, for alerts. :class:`~pipeline.detect.options.SpikeConfig` holds its
thresholds, for every series and brand.

The model, in short. The expected value of a point is a *seasonal baseline* (the mean,
spikes clipped, of the same hour of the same weekday over the last weeks, or of the same hour
of day over the last days while there are not yet two weeks, or of the last hours before
that) times a *level* (the recent points over their baselines, summed). Values are compared on
the variance-stabilised scale of counts, ``2*sqrt(x + 3/8)`` (Anscombe), where Poisson
noise has unit spread whatever the mean; the spread used is the larger of that Poisson
floor and a robust spread (MAD) of the recent residuals, so over-dispersed series are not
flagged for their ordinary noise and sparse ones (0-3 a point) are not flagged for Poisson
noise. The residual is tested on several scales: the point itself and the sums of the last
hour and the last six hours (a sustained rise shows in the sums before any single point is
extreme). Each scale has its own bar: ``threshold``, or more on a bursty series, namely the
value that an ordinary day's largest z on that scale exceeds once in ``false_alarm_days``
days (a Gumbel fit to the recent daily maxima). Points far above their expected value are
clipped before they enter the baseline, so a past spike does not raise it. An event opens
when some scale reaches its bar and stays open while some scale reaches ``hold_fraction``
of its bar within ``cooldown_hours``; only the opening point is a spike, unless a burst
``escalate`` times further past its bar than anything so far in the event comes (a new
event). A sustained moderate shift that the level absorbs (a whole day at 1.5x) is caught
by a one-sided CUSUM of 6-hour block residuals against the plain weekday-and-hour mean,
standardised by their long-run spread, whose bar is Siegmund's decision interval for one
false alarm in ``false_alarm_days``; it opens events but does not hold them open.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any, Final

from pipeline.detect.options import Severity, SpikeConfig
from pipeline.timeutil import DAY, HOUR

#: MAD to standard deviation for normal data.
_MAD_SD: Final = 1.4826
#: Anscombe's offset: 2*sqrt(x + 3/8) has variance ~1 for Poisson x.
_ANSCOMBE: Final = 0.375
#: Gumbel's median (-ln ln 2) and MAD, in units of its scale beta (numerical).
_GUMBEL_MEDIAN: Final = 0.3665
_GUMBEL_MAD: Final = 0.7670
#: The Gumbel scale of the daily maxima is taken as at least this fraction of their median,
#: so a few near-identical days cannot bring the bar down to an ordinary day's maximum.
_MIN_TAIL_FRACTION: Final = 0.25


# --------------------------------------------------------------------------------------
# Small numeric helpers
# --------------------------------------------------------------------------------------


def _stab(x: float) -> float:
    """Anscombe's variance-stabilising transform of a count."""
    return 2.0 * math.sqrt(max(x, 0.0) + _ANSCOMBE)


def _unstab(u: float) -> float:
    return max((u / 2.0) ** 2 - _ANSCOMBE, 0.0)


def mad_sd(values: Iterable[float]) -> float:
    vs = sorted(values)
    if not vs:
        return 0.0
    mid = median(vs)
    return _MAD_SD * median(abs(v - mid) for v in vs)


# --------------------------------------------------------------------------------------
# The generic streaming detector
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointResult:
    """What the detector says about one point, knowing only it and the points before."""

    timestamp: datetime
    value: float | None
    expected: float | None
    score: float  # the test statistic (robust z), 0 while warming up or missing
    anomaly_score: float  # score mapped to [0, 1]: 0.5 at threshold, 1 at twice it
    is_spike: bool  # this point opens a new event
    in_event: bool  # an event is open at this point (opened here or earlier)
    event_start: datetime | None
    severity: Severity | None  # of this point, when score >= threshold
    #: The range of values this point could take without reaching ``threshold`` on its own
    #: (expected -/+ threshold spreads on the stabilised scale), for charts; None without an
    #: expected value.
    band: tuple[float, float] | None = None


class _Baseline:
    """Seasonal baseline of one series: weekday-and-hour, hour-of-day, then recent."""

    def __init__(self, interval: timedelta, config: SpikeConfig) -> None:
        self.interval = interval
        per_hour = max(1, round(HOUR / interval)) if interval < HOUR else 1
        self.per_bucket = per_hour  # points of one bucket in one week / one day
        self.weekly_on = interval <= DAY
        self.daily_on = interval < DAY
        self.weekly: dict[tuple[int, int], deque[float]] = {}
        self.daily: dict[int, deque[float]] = {}
        self.weeks = config.season_weeks
        self.days = config.season_days
        recent_points = max(6, math.ceil(config.level_hours * HOUR / interval))
        self.recent: deque[float] = deque(maxlen=recent_points)

    @staticmethod
    def _wkey(ts: datetime) -> tuple[int, int]:
        return (ts.weekday(), ts.hour)

    def base(self, ts: datetime) -> tuple[float | None, str]:
        """The seasonal value expected at ``ts`` (before the level), and its kind.

        Weekly (same weekday and hour) once the bucket has two weeks, shrunk towards the
        daily profile by two pseudo-weeks of it (a weekly bucket of an hourly series holds
        only one point a week); daily (same hour of day) once it has two days; else the
        mean of the recent points.
        """
        daily: float | None = None
        if self.daily_on:
            d = self.daily.get(ts.hour)
            if d is not None and len(d) >= 2 * self.per_bucket:
                daily = sum(d) / len(d)
        if self.weekly_on:
            w = self.weekly.get(self._wkey(ts))
            if w is not None and len(w) >= 2 * self.per_bucket:
                if daily is None:
                    return sum(w) / len(w), "weekly"
                k = 2 * self.per_bucket
                return (sum(w) + k * daily) / (len(w) + k), "weekly"
        if daily is not None:
            return daily, "daily"
        if len(self.recent) >= 3:
            return sum(self.recent) / len(self.recent), "recent"
        return None, "none"

    def weekly_mean(self, ts: datetime) -> float | None:
        """The plain mean of the same weekday-and-hour (no shrinking towards the daily
        profile, which biases weekdays low and weekends high), once it has two weeks."""
        w = self.weekly.get(self._wkey(ts)) if self.weekly_on else None
        if w is None or len(w) < 2 * self.per_bucket:
            return None
        return sum(w) / len(w)

    def add(self, ts: datetime, value: float) -> None:
        if self.weekly_on:
            key = self._wkey(ts)
            if key not in self.weekly:
                self.weekly[key] = deque(maxlen=self.weeks * self.per_bucket)
            self.weekly[key].append(value)
        if self.daily_on:
            if ts.hour not in self.daily:
                self.daily[ts.hour] = deque(maxlen=self.days * self.per_bucket)
            self.daily[ts.hour].append(value)
        self.recent.append(value)


def config_scales(config: SpikeConfig) -> tuple[float, ...]:
    """The spans (hours) whose sums are tested besides the single point."""
    return config.scales_hours


def gumbel_quantile_offset(days: float) -> float:
    """How many Gumbel scales above the median of daily maxima the maximum of one day in
    ``days`` lies: ``-ln(-ln(1 - 1/days)) - (-ln ln 2)``."""
    p = 1.0 / days
    return -math.log(-math.log1p(-p)) - _GUMBEL_MEDIAN


def daily_max_bar(day_max: Sequence[float], config: SpikeConfig) -> float:
    """The statistic that opens an event on one scale, from its recent daily maxima.

    The maxima of a day's z are modelled as Gumbel (the law of the maximum of many
    light-tailed draws): location and scale from their median and MAD, the scale at least
    ``_MIN_TAIL_FRACTION`` of the median. The bar is the value an ordinary day exceeds once
    in ``false_alarm_days`` days, never below ``threshold`` (nor below ``relative`` times
    the median, when ``relative`` is set).
    """
    if not day_max:
        return config.threshold
    m = median(day_max)
    beta = max(median(abs(x - m) for x in day_max) / _GUMBEL_MAD, _MIN_TAIL_FRACTION * m)
    tail = m + gumbel_quantile_offset(config.false_alarm_days) * beta
    return max(config.threshold, config.relative * m, tail)


class _DailyMaxima:
    """The largest value seen on each of the last ``days`` days (not the day in progress)."""

    def __init__(self, days: int) -> None:
        self.past: deque[float] = deque(maxlen=days)
        self.day: date | None = None
        self.current = 0.0

    def roll(self, ts: datetime) -> None:
        """Close the day in progress when ``ts`` is on another day."""
        day = ts.date()
        if day != self.day:
            if self.day is not None:
                self.past.append(self.current)
            self.day, self.current = day, 0.0

    def see(self, value: float) -> None:
        if math.isfinite(value):
            self.current = max(self.current, value)

    def bar(self, config: SpikeConfig) -> float:
        return daily_max_bar(self.past, config)


class _Scale:
    """The sum of the last ``k`` points against the sum of their expected values."""

    def __init__(self, k: int, spread_points: int, days: int) -> None:
        self.k = k
        self.window: deque[tuple[float, float, float]] = deque(maxlen=k)
        self.residuals: deque[float] = deque(maxlen=spread_points)
        self.cache: tuple[int, float] = (-1, 0.0)
        # daily maxima of this scale's z: its own bar
        self.maxima = _DailyMaxima(days)

    def bar(self, config: SpikeConfig) -> float:
        """The z that opens an event on this scale now (see :func:`daily_max_bar`)."""
        return self.maxima.bar(config)

    def track_day(self, ts: datetime, z: float) -> None:
        self.maxima.roll(ts)
        self.maxima.see(z)

    def reset(self) -> None:
        self.window.clear()
        self.residuals.clear()
        self.cache = (-1, 0.0)

    def spread(self, n: int, counts: bool) -> float:
        # the MAD of a week of residuals moves slowly: recompute it every 12 points
        if self.cache[0] < 0 or n - self.cache[0] >= 12:
            self.cache = (n, mad_sd(self.residuals))
        return max(self.cache[1], 1.0) if counts else max(self.cache[1], 1e-9)

    def push(
        self, value: float, parts: tuple[float, float], n: int, counts: bool, transform: Any
    ) -> tuple[float, float]:
        """(z, observed total) of the span ending at this point; z = -inf until full."""
        self.window.append((value, *parts))
        if len(self.window) < self.k:
            return -math.inf, 0.0
        sx = sum(v for v, _, _ in self.window)
        se = sum(b * lv if counts else b + lv for _, b, lv in self.window)
        r = float(transform(sx) - transform(se))
        z = r / self.spread(n, counts)
        self.residuals.append(r)
        return z, sx


#: Siegmund's correction for the overshoot of a normal CUSUM over its decision interval.
_SIEGMUND_OVERSHOOT: Final = 1.166
#: Cap on the lag-1 autocorrelation of the block residuals (long-run factor at most 3).
_MAX_RHO: Final = 0.8


def siegmund_arl(k: float, h: float) -> float:
    """Siegmund's approximation of the average run length, under no change, of a
    one-sided CUSUM ``S = max(0, S + u - k)`` of independent N(0, 1) values ``u`` with
    decision interval ``h``: ``(exp(2kb) - 2kb - 1) / (2k^2)``, ``b = h + 1.166``."""
    b = h + _SIEGMUND_OVERSHOOT
    return (math.expm1(2.0 * k * b) - 2.0 * k * b) / (2.0 * k * k)


def cusum_interval(k: float, arl: float) -> float:
    """The decision interval ``h`` whose Siegmund run length is ``arl`` (bisection)."""
    lo, hi = 0.0, 1.0
    while siegmund_arl(k, hi) < arl:
        hi *= 2.0
    for _ in range(60):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if siegmund_arl(k, mid) < arl else (lo, mid)
    return hi


class _Cusum:
    """One-sided CUSUM of block residuals against the seasonal baseline (no level).

    Blocks of ``k`` consecutive points; at each block's end the residual of its sum
    (variance-stabilised for counts) against the sum of the seasonal baselines is divided by
    its long-run spread: the robust spread of past block residuals, at least 1 for counts
    (Poisson), times the AR(1) factor ``sqrt((1 + rho) / (1 - rho))`` of their lag-1
    autocorrelation (consecutive blocks of a real series are not independent, and the run
    length of a CUSUM depends on the long-run variance). The standardised residual is
    winsorised at ``clip`` (a single burst is the point scales' business) and accumulated
    with reference value ``cusum_shift / 2``. The bar is Siegmund's decision interval for
    a run length of ``false_alarm_days``, raised (as for the scales) to the value an
    ordinary day's maximum exceeds once in ``false_alarm_days`` days. After an alarm the
    sum restarts from 0.
    """

    def __init__(self, k: int, per_day: float, config: SpikeConfig) -> None:
        self.k = k
        self.config = config
        self.ref = config.cusum_shift / 2.0
        self.h = cusum_interval(self.ref, config.false_alarm_days * per_day / k)
        self.bar_config = replace(config, threshold=self.h)
        self.residuals: deque[float] = deque(
            maxlen=max(8, round(config.relative_days * per_day / k))
        )
        self.sx = 0.0
        self.sb = 0.0
        self.n = 0
        self.stat = 0.0
        #: the block end from which the current run of the sum (above 0) has been building
        self.run_start: datetime | None = None
        self.maxima = _DailyMaxima(config.relative_days)

    def reset(self) -> None:
        self.residuals.clear()
        self.sx = self.sb = 0.0
        self.n = 0
        self.stat = 0.0

    def bar(self) -> float:
        return self.maxima.bar(self.bar_config)

    def _spread(self, counts: bool) -> float:
        rs = list(self.residuals)
        sd = max(mad_sd(rs), 1.0) if counts else max(mad_sd(rs), 1e-9)
        m = sum(rs) / len(rs)
        den = sum((a - m) ** 2 for a in rs)
        num = sum((a - m) * (b - m) for a, b in itertools.pairwise(rs))
        rho = min(max(num / den, 0.0), _MAX_RHO) if den > 0 else 0.0
        return sd * math.sqrt((1.0 + rho) / (1.0 - rho))

    def push(
        self, ts: datetime, value: float, base: float | None, counts: bool, transform: Any
    ) -> float:
        """The statistic over its bar at a block's end (an alarm at >= 1), else 0.

        ``base`` is the plain weekday-and-hour mean (None before two weeks: no block);
        against the hour-of-day baseline of the first weeks, an ordinary weekly pattern
        would be a shift."""
        self.maxima.roll(ts)
        if base is None:
            self.sx = self.sb = 0.0
            self.n = 0
            return 0.0
        self.sx += value
        self.sb += base
        self.n += 1
        if self.n < self.k:
            return 0.0
        sx, sb = self.sx, self.sb
        self.sx = self.sb = 0.0
        self.n = 0
        r = float(transform(sx) - transform(sb))
        ready = len(self.residuals) >= 8
        out = 0.0
        if ready:
            u = min(r / self._spread(counts), self.config.clip)
            if self.stat <= 0.0:
                self.run_start = ts
            self.stat = max(0.0, self.stat + u - self.ref)
            self.maxima.see(self.stat)
            if not counts or sx >= self.config.min_count:
                out = self.stat / self.bar()
            if out >= 1.0:
                self.stat = 0.0
        self.residuals.append(r)
        return out


class StreamDetector:
    """Causal detector of upward spikes in one regular series of counts (or any values).

    Feed points in time order with :meth:`update`; each answer depends only on the points
    fed so far. ``value=None`` is a missing point: it is skipped (no flag, no learning).
    Non-negative values are treated as counts (Poisson floor on the spread); once a
    negative or fractional value is seen, the series is treated as real-valued (no floor).
    """

    def __init__(self, interval: timedelta, config: SpikeConfig | None = None) -> None:
        if interval <= timedelta(0):
            raise ValueError("interval must be positive")
        self.config = config or SpikeConfig()
        self.interval = interval
        c = self.config
        self.baseline = _Baseline(interval, c)
        level_points = max(3, math.ceil(c.level_hours * HOUR / interval))
        self.ratios: deque[tuple[float, float]] = deque(maxlen=level_points)
        spread_points = max(24, math.ceil(c.spread_days * DAY / interval))
        spread_points = min(spread_points, 2016)  # a week of 5-minute points: enough, fast
        # sums over longer spans: sustained rises show there before any single point is extreme
        self.scales = [_Scale(1, spread_points, c.relative_days)]
        for hours in config_scales(c):
            k = round(hours * HOUR / interval)
            if k > 1:
                self.scales.append(_Scale(k, spread_points, c.relative_days))
        self.counts = True
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.event_start: datetime | None = None
        self.last_hot: datetime | None = None
        self.event_peak = 0.0
        self._n = 0
        self.cusum: _Cusum | None = None
        self.event_by_shift = False
        if c.cusum_hours > 0:
            block = max(1, round(c.cusum_hours * HOUR / interval))
            self.cusum = _Cusum(block, DAY / interval, c)

    # -- pieces ---------------------------------------------------------------------------

    def _transform(self, x: float) -> float:
        return _stab(x) if self.counts else x

    def expected(self, ts: datetime) -> float | None:
        parts = self._parts(ts)
        return None if parts is None else self._combine(*parts)

    def _combine(self, base: float, level: float) -> float:
        return base * level if self.counts else base + level

    def _parts(self, ts: datetime) -> tuple[float, float] | None:
        """(seasonal base, level): expected = base * level (counts) or base + level."""
        base, _ = self.baseline.base(ts)
        if base is None:
            return None
        neutral = 1.0 if self.counts else 0.0
        if len(self.ratios) < 3:
            return base, neutral
        if not self.counts:
            return base, median(r for r, _ in self.ratios)
        num = sum(v for v, _ in self.ratios)
        den = sum(b for _, b in self.ratios)
        # the level follows trends and quiet spells, not the spike it is measuring
        return base, (min(max(num / den, 0.5), 2.0) if den > 0 else 1.0)

    # -- the step -------------------------------------------------------------------------

    def update(self, ts: datetime, value: float | None) -> PointResult:
        """The verdict on the point ``(ts, value)``; points must come in time order."""
        if self.last is not None and ts <= self.last:
            raise ValueError(f"{ts}: not after the previous point {self.last}")
        c = self.config
        self.last = ts
        if self.first is None:
            self.first = ts
        self._close_event_if_cold(ts)
        if value is None or not math.isfinite(value):
            return PointResult(
                ts, None, None, 0.0, 0.0, False, self.event_start is not None,
                self.event_start, None,
            )  # fmt: skip
        if self.counts and (value < 0 or value != math.floor(value)):
            self._switch_to_real_values()
        self._n += 1
        parts = self._parts(ts)
        exp = None if parts is None else self._combine(*parts)
        score = 0.0
        excess = 0.0  # the largest z / bar over the scales: an event opens at 1
        shift = 0.0  # the CUSUM over its bar (opens an event at 1, does not hold one)
        clipped = value
        band: tuple[float, float] | None = None
        if parts is not None and exp is not None:
            tx, te = self._transform(value), self._transform(exp)
            s1 = self.scales[0].spread(self._n, self.counts)
            low, high = te - c.threshold * s1, te + c.threshold * s1
            band = (_unstab(max(low, _stab(0.0))), _unstab(high)) if self.counts else (low, high)
            for sc in self.scales:
                z, total = sc.push(value, parts, self._n, self.counts, self._transform)
                bar = sc.bar(c)
                sc.track_day(ts, z)
                if total >= c.min_count or not self.counts:
                    score = max(score, z)
                    excess = max(excess, z / bar)
            if tx - te > c.clip * s1:  # a spike must not raise the baseline
                bound = te + c.clip * s1
                clipped = _unstab(bound) if self.counts else bound
            if self.cusum is not None:
                # the clipped value: a single burst is the scales' business, not a shift
                weekly = self.baseline.weekly_mean(ts)
                shift = self.cusum.push(ts, clipped, weekly, self.counts, self._transform)
        else:
            for sc in self.scales:
                sc.window.clear()
        warm = ts - self.first >= timedelta(hours=c.warmup_hours)
        is_spike = False
        if warm and exp is not None:
            if excess >= c.hold_fraction and self.event_start is not None:
                self.last_hot = ts
            # a CUSUM alarm opens an event when none is open, or when the open one was
            # opened by the CUSUM and the sum has since built up again from 0 after it
            fresh_shift = shift >= 1.0 and (
                self.event_start is None
                or (
                    self.event_by_shift
                    and self.cusum is not None
                    and self.cusum.run_start is not None
                    and self.cusum.run_start > self.event_start
                )
            )
            if fresh_shift or (
                excess >= 1.0
                and (self.event_start is None or excess >= c.escalate * self.event_peak)
            ):
                is_spike = True
                self.event_start = ts
                self.last_hot = ts
                self.event_peak = excess
                self.event_by_shift = fresh_shift and excess < 1.0
            elif self.event_start is not None:
                self.event_peak = max(self.event_peak, excess)
        self._learn(ts, clipped)
        severity: Severity | None = None
        if score >= c.critical:
            severity = "critical"
        elif score >= c.threshold:
            severity = "warning"
        return PointResult(
            timestamp=ts,
            value=value,
            expected=exp,
            score=score,
            anomaly_score=min(1.0, max(0.0, score / (2.0 * c.threshold))),
            is_spike=is_spike,
            in_event=self.event_start is not None,
            event_start=self.event_start,
            severity=severity if warm else None,
            band=band,
        )

    def _learn(self, ts: datetime, value: float) -> None:
        base, _ = self.baseline.base(ts)
        if base is not None:
            self.ratios.append((value - base, 0.0) if not self.counts else (value, base))
        self.baseline.add(ts, value)

    def _close_event_if_cold(self, ts: datetime) -> None:
        if self.event_start is None or self.last_hot is None:
            return
        if ts - self.last_hot > timedelta(hours=self.config.cooldown_hours):
            self.event_start = None
            self.last_hot = None

    def _switch_to_real_values(self) -> None:
        """From counts to real values: residual history on the count scale is dropped."""
        self.counts = False
        self.ratios.clear()
        for sc in self.scales:
            sc.reset()
        if self.cusum is not None:
            self.cusum.reset()


def detect_series(
    points: Iterable[tuple[datetime, float | None]],
    interval: timedelta,
    config: SpikeConfig | None = None,
) -> list[PointResult]:
    """:class:`StreamDetector` over a whole series (each verdict still causal)."""
    det = StreamDetector(interval, config)
    return [det.update(ts, v) for ts, v in points]
