"""The spike detector: causal and streaming, one ``timestamp,value`` series at a time.

One method, one set of defaults for every series (``docs/spikes.md`` has the why, where each
default comes from and the cross-validated figures):

1. **Buckets** (:mod:`pipeline.detect.series`): rows are grouped into buckets of the series'
   dominant interval, learned causally from the first ``INTERVAL_SAMPLE`` rows; a bucket's
   value is the mean of its rows so far; each row is judged at once against the committed
   history; late rows (older than the open bucket) are never used or flagged; gaps are
   absent buckets. One result per input row.
2. **Range checks** (a learned envelope): the bucket value, the mean of the last
   ``short`` buckets and the difference from one ``season`` earlier, each against the
   [1-q, q] quantile envelope of its own last ``history`` values, in envelope widths over a
   threshold. ``statistic`` = the largest ratio over the channels of ``direction``.
3. **Anomaly likelihood** (Numenta's post-processing, as in NAB's ``numenta`` detector and
   nupic's ``anomaly_likelihood.py``): a per-row raw surprise ``raw = clip(statistic / 2,
   0, 1)`` is averaged over the last ``lik_window`` rows; that short mean is compared with
   the mean and standard deviation of the last ``lik_history`` short means (Gaussian tail,
   with NAB's lower bounds on both); ``lik_z`` standard deviations = likelihood
   ``1 - Q(lik_z)``.
4. **Count model** (:mod:`pipeline.detect.counts`: a seasonal baseline on the
   variance-stabilised scale of counts): fed the
   first row of every bucket while the series is *count-like* (every value so far a
   non-negative integer, a causal property of the data seen so far); dropped for good at the
   first negative or fractional value. Upward only.
5. **Seasonal residual** (real-valued series): a robust seasonal forecast of each bucket, the
   median of the same bucket on the last ``residual_days`` days; the mean residual over the last
   ``residual_window`` against the [1-q, q] envelope of its own past absolute values, in envelope
   widths over ``residual_threshold``. It sees level shifts and broken patterns that stay inside
   the range of values seen before.
6. **Decision rule**: a count-like series alarms when the count model opens an event or the
   likelihood reaches ``lik_z``; any other series alarms when the larger of ``statistic`` and
   ``residual`` reaches 1. An alarm
   opens an event (``is_spike``) unless an event opened within ``rest`` (a time span,
   counted in whole buckets: ``ceil(rest / interval)``) before it (one
   shared suppression for every channel).

Everything is learned from the series' own past; nothing is fitted per file.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal

from pipeline.detect.counts import PointResult, StreamDetector
from pipeline.detect.options import SpikeConfig as CountConfig
from pipeline.detect.series import INTERVAL_SAMPLE, infer_interval
from pipeline.timeutil import naive_utc

Direction = Literal["up", "down", "both"]
DIRECTIONS: Final[tuple[Direction, ...]] = ("up", "down", "both")

#: Width used when the envelope has collapsed (a constant history): any change is then
#: novel; the width is a relative 1e-3 of the level, or an absolute 1e-9 at level 0, so the
#: ratios stay finite (numerical guard, not tuned).
DEGENERATE_RELATIVE_WIDTH: Final = 1e-3
DEGENERATE_ABSOLUTE_WIDTH: Final = 1e-9
#: anomaly_score = statistic / ANOMALY_SCORE_SPAN, clipped to [0, 1]: 0.5 at the threshold
#: and 1 at twice it (the convention of the product's current detector).
ANOMALY_SCORE_SPAN: Final = 2.0

#: NAB's anomaly likelihood lower bounds (nupic ``anomaly_likelihood.py``,
#: ``estimateNormal(performLowerBoundCheck=True)``): the mean of the averaged raw scores is
#: taken as at least 0.03 and their variance as at least 0.0003 (sd 0.0173), so a history
#: of near-zero surprise does not turn the first small blip into a certainty.
LIKELIHOOD_MIN_MEAN: Final = 0.03
LIKELIHOOD_MIN_SD: Final = math.sqrt(0.0003)
#: Committed buckets of mean residuals needed before the seasonal residual speaks (our choice:
#: enough for the envelope's 0.5 / 99.5 % quantiles to mean something).
RESIDUAL_WARMUP: Final = 100


@dataclass(frozen=True)
class DetectorConfig:
    """Settings; one set of defaults for every series. Origins in ``docs/spikes.md``."""

    #: Buckets of history whose quantiles form the envelope (explored on the pooled NAB
    #: corpus before the cross-validation: 600 ... 8000 compared, longer was better).
    history: int = 8000
    #: Envelope quantile (leave-one-category-out CV: chosen in 6 of 7 folds).
    quantile: float = 0.995
    #: Point channel threshold in envelope widths (leave-one-category-out CV, 5 of 7 folds).
    threshold: float = 0.2
    #: Buckets in the short mean (half an hour of 5-minute data, our choice).
    short: int = 6
    #: Short-mean channel threshold (explored on the pooled NAB corpus).
    short_threshold: float = 0.05
    #: Seasonal channel threshold (leave-one-category-out CV, 6 of 7 folds).
    seasonal_threshold: float = 1.0
    #: Season of the seasonal channel: one day.
    season: timedelta = timedelta(days=1)
    #: Time after a spike during which no new spike opens, shared by every channel, in
    #: whole buckets (``ceil(rest / interval)``: 144 buckets of 5-minute data, 12 of hourly
    #: data). Leave-one-category-out CV over 8 h / 12 h / 24 h (every fold chose 12 h).
    rest: timedelta = timedelta(hours=12)
    #: Committed buckets needed before any range verdict (our choice).
    warmup: int = 20
    #: Rows in the short mean of the raw surprise (Numenta: ``averagingWindow = 10``).
    lik_window: int = 10
    #: Short means in the long-term distribution (Numenta: ``historicWindowSize = 8640``).
    lik_history: int = 8640
    #: Short means needed before the likelihood speaks (Numenta waits
    #: ``learningPeriod + estimationSamples`` = 288 + 100 records; 300 is our round number).
    lik_min_history: int = 300
    #: Standard deviations of the short mean above the long-term mean that alarm. Numenta's
    #: NAB threshold 1 - 1e-5 is 4.265; leave-one-category-out CV over 3.0 / 4.265 kept 4.265.
    lik_z: float = 4.265
    #: Run the count model (:mod:`pipeline.detect.counts`) on count-like series.
    count_model: bool = True
    #: Days of same-bucket values whose median forecasts a bucket (a week: every weekday once).
    residual_days: int = 7
    #: Span of the mean residual (leave-one-category-out CV over 30 min / 2 h: every fold
    #: chose 2 h), in whole buckets (``ceil(residual_window / interval)``).
    residual_window: timedelta = timedelta(hours=2)
    #: Seasonal residual threshold in envelope widths of its own past values (CV over 0.2 /
    #: 0.3 / 0.5 / 1.0 / off: 0.3 in 6 of 7 folds). ``math.inf`` turns the check off.
    residual_threshold: float = 0.3
    #: Which side is anomalous. NAB is scored with "both"; the product alerts on "up".
    #: The count model is upward-only: with "down" only the likelihood speaks on counts.
    direction: Direction = "both"

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.history < 2:
            problems.append(f"history must be >= 2, got {self.history}")
        if not 0.5 < self.quantile <= 1.0:
            problems.append(f"quantile must be in (0.5, 1], got {self.quantile}")
        for name in (
            "threshold",
            "short_threshold",
            "seasonal_threshold",
            "lik_z",
            "residual_threshold",
        ):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and v > 0 and not math.isnan(v)):
                problems.append(f"{name} must be > 0, got {v!r}")
        for name in ("short", "lik_window", "lik_history", "lik_min_history", "residual_days"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.season <= timedelta(0):
            problems.append(f"season must be positive, got {self.season}")
        if self.residual_window <= timedelta(0):
            problems.append(f"residual_window must be positive, got {self.residual_window}")
        if self.rest < timedelta(0):
            problems.append(f"rest must be >= 0, got {self.rest}")
        if self.warmup < 2:
            problems.append(f"warmup must be >= 2, got {self.warmup}")
        if self.direction not in DIRECTIONS:
            problems.append(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if problems:
            raise ValueError("; ".join(problems))


@dataclass(frozen=True)
class Channels:
    """Raw exceedances of one row (envelope widths; negative: inside the envelope)."""

    point_up: float
    point_down: float
    short_up: float
    short_down: float
    seasonal_up: float
    seasonal_down: float

    def statistic(self, cfg: DetectorConfig) -> float:
        """Largest exceedance / threshold over the channels of ``cfg.direction``."""
        ups = (
            self.point_up / cfg.threshold,
            self.short_up / cfg.short_threshold,
            self.seasonal_up / cfg.seasonal_threshold,
        )
        downs = (
            self.point_down / cfg.threshold,
            self.short_down / cfg.short_threshold,
            self.seasonal_down / cfg.seasonal_threshold,
        )
        if cfg.direction == "up":
            return max(ups)
        if cfg.direction == "down":
            return max(downs)
        return max(*ups, *downs)


#: The channels of a row that cannot be judged yet (warm-up, missing value, late row).
QUIET: Final = Channels(-math.inf, -math.inf, -math.inf, -math.inf, -math.inf, -math.inf)


@dataclass(frozen=True)
class SpikeResult:
    """The verdict on one input row, knowing only it and the rows before it."""

    timestamp: datetime
    value: float | None
    #: Bucket index of the row (None: not used: warm-up buffer, missing value, late row).
    bucket: int | None
    #: Largest range-channel exceedance over its threshold (>= 1: out of range); 0 when
    #: not judged.
    statistic: float
    #: In [0, 1], 0.5 at an alarm bar: half the largest of the range statistic (real-valued
    #: series), or of the likelihood z over ``lik_z`` and the count model's z over its
    #: threshold (count-like series), clipped.
    anomaly_score: float
    #: This row opens a new event (an alarm and no event within ``rest`` before).
    is_spike: bool
    #: Expected value: the count model's (count-like series, once it has a baseline), else
    #: the median of the history.
    expected: float | None
    #: Standard deviations of the short mean of the raw surprise above its long-term mean.
    likelihood_z: float = 0.0
    #: Seasonal residual over its threshold (>= 1: an alarm on a real-valued series); 0 when
    #: not judged or still warming up.
    residual: float = 0.0
    #: The count model opened an event at this row (its own verdict, before suppression).
    count_alarm: bool = False
    #: The series has been count-like so far (non-negative integers).
    count_like: bool = False
    channels: Channels = field(default=QUIET, repr=False)
    #: The count model's own verdict on this row's bucket (its first row only; None on
    #: later rows of a bucket, on real-valued series and while warming up): its expected
    #: value, score, severity and the event it belongs to, for the brand metrics.
    count: PointResult | None = field(default=None, repr=False)


# --------------------------------------------------------------------------------------
# The model (bucket level)
# --------------------------------------------------------------------------------------


class _Envelope:
    """Quantiles of the last ``size`` numbers: a sorted list beside a FIFO."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.fifo: deque[float] = deque()
        self.sorted: list[float] = []

    def __len__(self) -> int:
        return len(self.fifo)

    def add(self, x: float) -> None:
        self.fifo.append(x)
        bisect.insort(self.sorted, x)
        if len(self.fifo) > self.size:
            old = self.fifo.popleft()
            del self.sorted[bisect.bisect_left(self.sorted, old)]

    def bounds(self, q: float) -> tuple[float, float, float]:
        """(lower, upper, width): the (1-q) and q quantiles (nearest rank) and the width,
        never 0 (see ``DEGENERATE_*``)."""
        s = self.sorted
        m = len(s) - 1
        hi = s[int(q * m + 0.5)]
        lo = s[int((1.0 - q) * m + 0.5)]
        width = hi - lo
        if width <= 0:
            width = max(abs(s[m // 2]) * DEGENERATE_RELATIVE_WIDTH, DEGENERATE_ABSOLUTE_WIDTH)
        return lo, hi, width

    def median(self) -> float:
        return self.sorted[(len(self.sorted) - 1) // 2]


class _Model:
    """Committed bucket history and the channels of a tentative bucket value."""

    def __init__(self, cfg: DetectorConfig, interval: timedelta) -> None:
        self.cfg = cfg
        self.values = _Envelope(cfg.history)
        self.diffs = _Envelope(cfg.history)
        self.lag = max(1, round(cfg.season / interval))
        #: bucket index -> value, for the committed buckets of the last ``residual_days`` seasons
        self.by_bucket: dict[int, float] = {}
        self.keep = self.lag * cfg.residual_days
        self.order: deque[int] = deque()
        self.recent: deque[float] = deque(maxlen=max(cfg.short - 1, 1))
        #: residuals of the last committed buckets (all but the newest of a mean residual)
        span = max(1, math.ceil(cfg.residual_window / interval))
        self.residuals: deque[float] = deque(maxlen=span - 1)
        #: absolute mean residuals of the committed buckets
        self.mean_residuals = _Envelope(cfg.history)

    def forecast(self, b: int) -> float | None:
        """The median of bucket ``b``'s value on the last ``residual_days`` seasons (those
        present); None when none is (the first season, or after a gap as long)."""
        same = [
            v
            for k in range(1, self.cfg.residual_days + 1)
            if (v := self.by_bucket.get(b - k * self.lag)) is not None
        ]
        return statistics.median(same) if same else None

    def _mean_residual(self, b: int, x: float) -> float | None:
        pred = self.forecast(b)
        if pred is None:
            return None
        return (math.fsum(self.residuals) + x - pred) / (len(self.residuals) + 1)

    def commit(self, b: int, x: float) -> None:
        pred = self.forecast(b)
        if pred is not None:
            r = x - pred
            n = len(self.residuals) + 1
            self.mean_residuals.add(abs((math.fsum(self.residuals) + r) / n))
            self.residuals.append(r)
        self.values.add(x)
        prev = self.by_bucket.get(b - self.lag)
        if prev is not None:
            self.diffs.add(x - prev)
        self.by_bucket[b] = x
        self.order.append(b)
        while self.order and self.order[0] <= b - self.keep:
            self.by_bucket.pop(self.order.popleft(), None)
        if self.cfg.short > 1:
            self.recent.append(x)

    def residual(self, b: int, x: float) -> float:
        """The seasonal residual of a tentative bucket value over its threshold (side by
        ``direction``); -inf while warming up."""
        cfg = self.cfg
        if len(self.mean_residuals) < RESIDUAL_WARMUP:
            return -math.inf
        m = self._mean_residual(b, x)
        if m is None:
            return -math.inf
        _, hi, w = self.mean_residuals.bounds(cfg.quantile)
        up, down = (m - hi) / w, (-m - hi) / w
        side = up if cfg.direction == "up" else down if cfg.direction == "down" else max(up, down)
        return side / cfg.residual_threshold

    def expected(self) -> float | None:
        return self.values.median() if len(self.values) else None

    def channels(self, b: int, x: float) -> Channels:
        cfg = self.cfg
        if len(self.values) < cfg.warmup:
            return QUIET
        lo, hi, w = self.values.bounds(cfg.quantile)
        pu, pd = (x - hi) / w, (lo - x) / w
        su = sd = -math.inf
        if cfg.short == 1:
            su, sd = pu, pd
        elif len(self.recent) == cfg.short - 1:
            mean = (math.fsum(self.recent) + x) / cfg.short
            su, sd = (mean - hi) / w, (lo - mean) / w
        du = dd = -math.inf
        prev = self.by_bucket.get(b - self.lag)
        if prev is not None and len(self.diffs) >= cfg.warmup:
            dlo, dhi, dw = self.diffs.bounds(cfg.quantile)
            d = x - prev
            du, dd = (d - dhi) / dw, (dlo - d) / dw
        return Channels(pu, pd, su, sd, du, dd)


# --------------------------------------------------------------------------------------
# The streaming detector (row level)
# --------------------------------------------------------------------------------------


class _Likelihood:
    """Numenta's anomaly likelihood on a raw surprise in [0, 1], as a z: the mean of the last
    ``window`` raw scores against the mean and standard deviation of the last ``history``
    such means (the current one excluded), with NAB's lower bounds."""

    def __init__(self, window: int, history: int) -> None:
        self.raw: deque[float] = deque(maxlen=window)
        self.raw_sum = 0.0
        self.means: deque[float] = deque()
        self.history = history
        self.s1 = 0.0
        self.s2 = 0.0

    def push(self, raw: float) -> tuple[float, int]:
        """(z of this row's short mean, number of past short means it was compared with)."""
        if len(self.raw) == self.raw.maxlen:
            self.raw_sum -= self.raw[0]
        self.raw.append(raw)
        self.raw_sum += raw
        a = self.raw_sum / len(self.raw)
        n = len(self.means)
        z = 0.0
        if n:
            mu = self.s1 / n
            var = self.s2 / n - mu * mu
            sd = math.sqrt(max(var, LIKELIHOOD_MIN_SD**2))
            z = (a - max(mu, LIKELIHOOD_MIN_MEAN)) / sd
        self.means.append(a)
        self.s1 += a
        self.s2 += a * a
        if len(self.means) > self.history:
            old = self.means.popleft()
            self.s1 -= old
            self.s2 -= old * old
        return z, n


def rest_buckets(rest: timedelta, interval: timedelta) -> int:
    """The rest period in whole buckets (rounded up)."""
    return math.ceil(rest / interval)


def is_count(value: float) -> bool:
    """A non-negative integer (a count)."""
    return value >= 0 and value == math.floor(value)


class SpikeDetector:
    """Streaming detector: feed rows in arrival order with :meth:`update`.

    ``interval``: the series' spacing if known; else it is learned from the first
    ``INTERVAL_SAMPLE`` rows, which are buffered (their verdict is "not judged") and then
    replayed into the models. Timestamps may be naive or aware (aware ones are compared in
    UTC); rows may repeat, come out of order or leave gaps.
    """

    def __init__(
        self,
        config: DetectorConfig | None = None,
        interval: timedelta | None = None,
        counts: CountConfig | None = None,
    ):
        self.config = config or DetectorConfig()
        #: The count model's settings (a brand's ``overrides.spikes``; the defaults if None).
        self.counts_config = counts or CountConfig()
        if interval is not None and interval <= timedelta(0):
            raise ValueError(f"interval must be positive, got {interval}")
        self.interval = interval
        self._buffer: list[tuple[datetime, float]] = []
        self._model: _Model | None = None
        self._origin: datetime | None = None
        self._open: int | None = None
        self._open_sum = 0.0
        self._open_count = 0
        self._last_spike: int | None = None
        self._rest = 0
        self._lik = _Likelihood(self.config.lik_window, self.config.lik_history)
        self.count_like = True
        self._counts: StreamDetector | None = None
        self._count_expected: float | None = None
        self._count_excess = 0.0

    # -- public ------------------------------------------------------------------------

    def update(self, ts: datetime, value: float | None) -> SpikeResult:
        """The verdict on one row, using only it and the rows given before it."""
        ts = naive_utc(ts)
        if value is None or not math.isfinite(value):
            return self._quiet(ts, None if value is None else value)
        if self._model is None:
            if self.interval is None:
                self._buffer.append((ts, value))
                if len(self._buffer) >= INTERVAL_SAMPLE:
                    self._start(infer_interval(t for t, _ in self._buffer))
                return self._quiet(ts, value)
            self._start(self.interval)
        return self._row(ts, value)

    def finish(self) -> None:
        """Start the model on a short stream (fewer rows than ``INTERVAL_SAMPLE``) so that
        :attr:`interval` is known; verdicts already returned do not change."""
        if self._model is None and self._buffer:
            self._start(self.interval or infer_interval(t for t, _ in self._buffer))

    # -- internals ---------------------------------------------------------------------

    def _start(self, interval: timedelta) -> None:
        self.interval = interval
        self._rest = rest_buckets(self.config.rest, interval)
        self._model = _Model(self.config, interval)
        if self.config.count_model and self.config.direction != "down":
            self._counts = StreamDetector(interval, self.counts_config)
        buffered, self._buffer = self._buffer, []
        if buffered:
            self._origin = min(t for t, _ in buffered)
        for t, v in buffered:  # replay: these rows were answered "not judged" already,
            self._row(t, v, judge=False)  # so they only feed the models

    def _quiet(self, ts: datetime, value: float | None, push: bool = True) -> SpikeResult:
        """A row that is not judged (buffered, missing, late); it still counts as a row of
        zero surprise in the likelihood's averages, as every row does, once (``push`` is
        False when a buffered row is replayed into the models)."""
        z = self._lik.push(0.0)[0] if push else 0.0
        return SpikeResult(ts, value, None, 0.0, 0.0, False, None, z, 0.0, False, self.count_like)

    def _row(self, ts: datetime, value: float, judge: bool = True) -> SpikeResult:
        model = self._model
        if model is None or self.interval is None:
            raise RuntimeError("the model starts before the first row is judged")
        cfg = self.config
        if self._origin is None:
            self._origin = ts
        b = (ts - self._origin) // self.interval
        if self._open is not None and b < self._open:
            return self._quiet(ts, value, push=judge)  # late row: bucket committed
        if self.count_like and not is_count(value):
            self.count_like = False
            self._counts = None  # for good: the series is not a count
        new_bucket = self._open is None or b > self._open
        if self._open is not None and b > self._open:
            model.commit(self._open, self._open_sum / self._open_count)
            self._open_sum, self._open_count = 0.0, 0
        self._open = b
        self._open_sum += value
        self._open_count += 1
        x = self._open_sum / self._open_count
        count_alarm = False
        count: PointResult | None = None
        if self._counts is not None and new_bucket:
            # the count model sees one point per bucket: its first row, at the bucket start
            count = self._counts.update(self._origin + b * self.interval, value)
            count_alarm = count.is_spike and cfg.direction != "down"
            self._count_expected = count.expected
            self._count_excess = count.score / self._counts.config.threshold
        if not judge:
            return self._quiet(ts, value, push=False)
        ch = model.channels(b, x)
        stat = ch.statistic(cfg)
        if not math.isfinite(stat):
            stat = 0.0
        z, n = self._lik.push(min(1.0, max(0.0, stat / ANOMALY_SCORE_SPAN)))
        lik_on = n >= cfg.lik_min_history
        resid = 0.0
        if self.count_like:
            alarm = count_alarm or (lik_on and z >= cfg.lik_z)
            level = max(
                z / cfg.lik_z if lik_on else 0.0,
                self._count_excess if self._counts is not None else 0.0,
            )
            expected = (
                self._count_expected if self._count_expected is not None else model.expected()
            )
        else:
            resid = model.residual(b, x)
            if not math.isfinite(resid):
                resid = 0.0
            alarm = max(stat, resid) >= 1.0
            level = max(stat, resid)
            expected = model.expected()
        spike = alarm and (self._last_spike is None or b - self._last_spike > self._rest)
        if spike:
            self._last_spike = b
        score = min(1.0, max(0.0, level / ANOMALY_SCORE_SPAN))
        return SpikeResult(
            ts,
            value,
            b,
            stat,
            score,
            spike,
            expected,
            z,
            resid,
            count_alarm,
            self.count_like,
            ch,
            count,
        )


def detect_rows(
    rows: Iterable[tuple[datetime, float | None]],
    config: DetectorConfig | None = None,
    interval: timedelta | None = None,
) -> list[SpikeResult]:
    """A fresh detector over ``rows`` in the given order: one result per row, each causal."""
    detector = SpikeDetector(config, interval)
    out = [detector.update(t, v) for t, v in rows]
    detector.finish()
    return out
