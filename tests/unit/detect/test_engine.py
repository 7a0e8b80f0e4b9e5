"""The spike detector on synthetic series, one per anomaly kind and per irregularity of real
exports, and its causality: every series is generated here (no shared data)."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pipeline.detect.engine import (
    DetectorConfig,
    SpikeDetector,
    SpikeResult,
    _Likelihood,
    detect_rows,
)
from pipeline.detect.series import INTERVAL_SAMPLE, infer_interval, read_series, snap_interval
from pipeline.errors import InputError


def detect_csv(path: Path) -> list[SpikeResult]:
    return detect_rows(read_series(path))


T0 = datetime(2024, 1, 1)
FIVE_MIN = timedelta(minutes=5)

Rows = list[tuple[datetime, float | None]]


def daily_series(
    days: float,
    step: timedelta = FIVE_MIN,
    base: float = 100.0,
    amp: float = 30.0,
    noise: float = 5.0,
    seed: int = 1,
) -> Rows:
    """A daily cycle plus Gaussian noise."""
    rng = random.Random(seed)
    n = int(days * timedelta(days=1) / step)
    out: Rows = []
    for i in range(n):
        t = T0 + i * step
        phase = 2 * math.pi * (t - T0).total_seconds() / 86400
        out.append((t, base + amp * math.sin(phase) + rng.gauss(0, noise)))
    return out


def spikes_at(results: list[SpikeResult]) -> list[int]:
    return [i for i, r in enumerate(results) if r.is_spike]


def first_spike_after(results: list[SpikeResult], i: int) -> int | None:
    return next((j for j in spikes_at(results) if j >= i), None)


def quiet_between(results: list[SpikeResult], a: int, b: int) -> bool:
    return not any(r.is_spike for r in results[a:b])


def modify(rows: Rows, start: int, stop: int, f: object) -> Rows:
    assert callable(f)
    return [
        (t, f(v) if start <= i < stop and v is not None else v) for i, (t, v) in enumerate(rows)
    ]


# ------------------------------------------------------------------ anomaly kinds


def test_spike_is_flagged_once_at_once() -> None:
    rows = daily_series(10)
    at = 8 * 288
    rows = modify(rows, at, at + 1, lambda v: v + 150)
    res = detect_rows(rows)
    assert first_spike_after(res, at - 288) == at
    assert quiet_between(res, at + 1, at + 100)


def test_level_shift_up() -> None:
    rows = modify(daily_series(10), 8 * 288, 10 * 288, lambda v: v + 60)
    res = detect_rows(rows)
    hit = first_spike_after(res, 7 * 288)
    assert hit is not None and 8 * 288 <= hit <= 8 * 288 + 12


def test_level_shift_down() -> None:
    rows = modify(daily_series(10), 8 * 288, 10 * 288, lambda v: v - 60)
    res = detect_rows(rows)
    hit = first_spike_after(res, 7 * 288)
    assert hit is not None and 8 * 288 <= hit <= 8 * 288 + 12


def test_drop_to_silence() -> None:
    rng = random.Random(3)
    rows: Rows = [(T0 + i * FIVE_MIN, float(max(0, round(rng.gauss(40, 6))))) for i in range(3000)]
    rows = modify(rows, 2500, 3000, lambda v: 0.0)
    res = detect_rows(rows)
    hit = first_spike_after(res, 2000)
    assert hit is not None and 2500 <= hit <= 2506


def test_variance_change() -> None:
    rng = random.Random(5)
    rows: Rows = [(T0 + i * FIVE_MIN, 50 + rng.gauss(0, 1 if i < 2500 else 6)) for i in range(3000)]
    res = detect_rows(rows)
    hit = first_spike_after(res, 2000)
    assert hit is not None and 2500 <= hit <= 2530


def test_broken_daily_pattern_is_found_by_the_seasonal_channel() -> None:
    rows = daily_series(10, noise=1.0)
    day = 288
    # day 8: the morning peak is missing (values stay at the daily mean, well inside range)
    rows = modify(rows, 8 * day + 30, 8 * day + 110, lambda v: 100.0)
    res = detect_rows(rows)
    hit = first_spike_after(res, 7 * day)
    assert hit is not None and 8 * day + 30 <= hit <= 8 * day + 60


#: The seasonal residual alone: range checks that can never fire.
RESIDUAL_ONLY = DetectorConfig(threshold=1e9, short_threshold=1e9, seasonal_threshold=1e9)


def test_seasonal_residual_is_quiet_on_an_ordinary_daily_series() -> None:
    for seed in (1, 2, 3):
        res = detect_rows(daily_series(14, noise=2.0, seed=seed), RESIDUAL_ONLY)
        assert spikes_at(res) == []
        assert max(r.residual for r in res) < 1.0


@pytest.mark.parametrize("shift", [25.0, -25.0])
def test_seasonal_residual_finds_a_level_shift_inside_the_range(shift: float) -> None:
    # days 0-7 ordinary; from day 8 the level moves by less than the daily swing (values stay
    # inside the range seen before), so only a forecast of the same hour can tell
    rows = modify(daily_series(12, noise=2.0), 8 * 288, 12 * 288, lambda v: v + shift)
    assert all(40 < v < 160 for _, v in rows if v is not None)
    res = detect_rows(rows, RESIDUAL_ONLY)
    assert spikes_at(res)[:1] != [] and quiet_between(res, 0, 8 * 288)
    hit = first_spike_after(res, 8 * 288)
    assert hit is not None and hit <= 8 * 288 + 24  # within two hours (the residual window)
    assert res[hit].residual >= 1.0 and res[hit].statistic < 1.0


def test_seasonal_residual_finds_a_missing_daily_peak() -> None:
    rows = modify(daily_series(12, noise=1.0), 9 * 288 + 30, 9 * 288 + 110, lambda v: 100.0)
    res = detect_rows(rows, RESIDUAL_ONLY)
    hit = first_spike_after(res, 0)
    assert hit is not None and 9 * 288 + 30 <= hit <= 9 * 288 + 60


def test_seasonal_residual_follows_direction() -> None:
    down = modify(daily_series(12, noise=2.0), 8 * 288, 12 * 288, lambda v: v - 25)
    up_only = DetectorConfig(
        threshold=1e9, short_threshold=1e9, seasonal_threshold=1e9, direction="up"
    )
    assert spikes_at(detect_rows(down, up_only)) == []
    down_only = DetectorConfig(
        threshold=1e9, short_threshold=1e9, seasonal_threshold=1e9, direction="down"
    )
    assert first_spike_after(detect_rows(down, down_only), 8 * 288) is not None


def test_seasonal_residual_can_be_switched_off_and_skips_count_series() -> None:
    rows = modify(daily_series(12, noise=2.0), 8 * 288, 12 * 288, lambda v: v + 25)
    off = DetectorConfig(
        threshold=1e9, short_threshold=1e9, seasonal_threshold=1e9, residual_threshold=math.inf
    )
    assert spikes_at(detect_rows(rows, off)) == []
    counts = [(t, float(round(v))) for t, v in rows if v is not None]
    res = detect_rows(counts, RESIDUAL_ONLY)
    assert all(r.count_like and r.residual == 0.0 for r in res)


def test_direction_up_ignores_drops_and_down_ignores_rises() -> None:
    down = modify(daily_series(10), 8 * 288, 10 * 288, lambda v: v - 60)
    up = modify(daily_series(10), 8 * 288, 10 * 288, lambda v: v + 60)
    assert first_spike_after(detect_rows(down, DetectorConfig(direction="up")), 8 * 288) is None
    assert first_spike_after(detect_rows(up, DetectorConfig(direction="down")), 8 * 288) is None
    assert first_spike_after(detect_rows(up, DetectorConfig(direction="up")), 8 * 288) is not None


def test_rest_period_suppresses_refiring() -> None:
    rows = daily_series(10)
    for at in (8 * 288, 8 * 288 + 50, 8 * 288 + 200):
        rows = modify(rows, at, at + 1, lambda v: v + 150)
    res = detect_rows(rows)
    hits = [i for i in spikes_at(res) if i >= 8 * 288]
    assert hits[:2] == [8 * 288, 8 * 288 + 200]  # the second is inside the rest period


def test_result_fields() -> None:
    rows = modify(daily_series(6), 5 * 288, 5 * 288 + 1, lambda v: v + 150)
    res = detect_rows(rows)
    r = res[5 * 288]
    assert r.is_spike and r.anomaly_score >= 0.5 and 0 <= r.anomaly_score <= 1
    assert r.expected is not None and 60 < r.expected < 140
    assert all(0.0 <= x.anomaly_score <= 1.0 for x in res)
    assert all(not x.is_spike for x in res[:INTERVAL_SAMPLE])


# ------------------------------------------------------------------ causality


def irregular_series(seed: int = 7) -> Rows:
    rng = random.Random(seed)
    rows = daily_series(6, seed=seed)
    rows = modify(rows, 1200, 1201, lambda v: v + 200)
    rows = modify(rows, 1500, 1700, lambda v: v - 70)
    out: Rows = []
    for i, (at, v) in enumerate(rows):
        if 900 <= i < 960:
            continue  # gap
        t = at + timedelta(seconds=rng.randint(-40, 40))  # jitter
        out.append((t, v))
        if i % 97 == 0:
            out.append((t, v + 1 if v is not None else None))  # repeated timestamp
        if i % 211 == 0:
            out.append((t - timedelta(minutes=30), v))  # late, out of order
        if i % 333 == 0:
            out.append((t, None))  # missing value
    return out


@pytest.mark.parametrize("seed", [7, 8])
def test_appending_rows_never_changes_earlier_flags(seed: int) -> None:
    rows = irregular_series(seed)
    full = detect_rows(rows)
    assert len(full) == len(rows)
    assert any(r.is_spike for r in full)
    for cut in (10, INTERVAL_SAMPLE - 1, INTERVAL_SAMPLE, 500, 1234, 1600, len(rows) - 1):
        prefix = detect_rows(rows[:cut])
        assert [r.is_spike for r in prefix] == [r.is_spike for r in full[:cut]]
        assert [r.anomaly_score for r in prefix] == [r.anomaly_score for r in full[:cut]]


def test_streaming_update_equals_batch() -> None:
    rows = irregular_series()
    det = SpikeDetector()
    stream = [det.update(t, v) for t, v in rows]
    assert [r.is_spike for r in stream] == [r.is_spike for r in detect_rows(rows)]


def test_changing_a_later_row_does_not_change_earlier_verdicts() -> None:
    rows = irregular_series()
    changed = rows[:1000] + [(t, (v or 0) * 10 + 999) for t, v in rows[1000:]]
    a, b = detect_rows(rows), detect_rows(changed)
    assert [r.is_spike for r in a[:1000]] == [r.is_spike for r in b[:1000]]


# ------------------------------------------------------------------ irregularities


def test_gaps() -> None:
    rows = daily_series(10)
    rows = rows[:1500] + rows[1800:]  # a one-day hole
    at = next(i for i, (t, _) in enumerate(rows) if t >= T0 + timedelta(days=8))
    rows = modify(rows, at, at + 1, lambda v: v + 150)
    res = detect_rows(rows)
    assert len(res) == len(rows)
    assert first_spike_after(res, at - 200) == at


def test_irregular_spacing_is_bucketed_to_the_dominant_interval() -> None:
    rng = random.Random(11)
    rows: Rows = []
    t = T0
    for i in range(3000):
        t += timedelta(minutes=rng.choice([10, 10, 10, 9, 11, 20, 30]))
        rows.append((t, 20 + rng.gauss(0, 1) + (25 if 2800 <= i < 2810 else 0)))
    det = SpikeDetector()
    res = [det.update(a, b) for a, b in rows]
    assert det.interval == timedelta(minutes=10)
    hit = first_spike_after(res, 2500)
    assert hit is not None and 2800 <= hit <= 2801


def test_repeated_timestamps_share_a_bucket() -> None:
    base = daily_series(6)
    rows: Rows = []
    for t, v in base:
        rows += [(t, v), (t, v)]  # every row twice
    at = 2 * 5 * 288
    rows[at] = (rows[at][0], (rows[at][1] or 0) + 300)
    res = detect_rows(rows)
    assert len(res) == len(rows)
    assert first_spike_after(res, at - 400) == at
    assert quiet_between(res, at + 1, at + 50)  # the duplicate in the same bucket: no 2nd


def test_out_of_order_rows_are_not_judged() -> None:
    rows = daily_series(6)
    late = (rows[1000][0], 1e6)
    rows = [*rows[:1100], late, *rows[1100:]]
    res = detect_rows(rows)
    assert not res[1100].is_spike and res[1100].bucket is None
    assert len(res) == len(rows)


def test_unsorted_start_is_handled() -> None:
    rows = daily_series(6)
    head = rows[:INTERVAL_SAMPLE]
    rows = list(reversed(head)) + rows[INTERVAL_SAMPLE:]
    det = SpikeDetector()
    res = [det.update(t, v) for t, v in rows]
    assert det.interval == FIVE_MIN and len(res) == len(rows)


@pytest.mark.parametrize("offset,scale", [(-500.0, 1.0), (0.0, 0.001), (-3.0, 0.01)])
def test_negative_and_fractional_values(offset: float, scale: float) -> None:
    rows: Rows = [(t, offset + scale * (v or 0)) for t, v in daily_series(10)]
    at = 8 * 288
    rows = modify(rows, at, at + 1, lambda v: v + 150 * scale)
    res = detect_rows(rows)
    assert first_spike_after(res, at - 288) == at


def test_constant_series_never_flags_then_a_change_does() -> None:
    rows: Rows = [(T0 + i * FIVE_MIN, 7.0) for i in range(2000)]
    assert not any(r.is_spike for r in detect_rows(rows))
    rows += [(T0 + (2000 + i) * FIVE_MIN, 7.5) for i in range(20)]
    res = detect_rows(rows)
    assert spikes_at(res) == [2000]
    zero: Rows = [(T0 + i * FIVE_MIN, 0.0) for i in range(500)]
    assert not any(r.is_spike for r in detect_rows(zero))


@pytest.mark.parametrize(
    "step", [timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(days=1)]
)
def test_intervals_from_five_minutes_to_daily(step: timedelta) -> None:
    n = 400
    rng = random.Random(2)
    rows: Rows = [(T0 + i * step, 100 + rng.gauss(0, 3)) for i in range(n)]
    rows = modify(rows, 350, 351, lambda v: v + 60)
    det = SpikeDetector()
    res = [det.update(t, v) for t, v in rows]
    assert det.interval == step
    assert first_spike_after(res, 300) == 350


def test_short_series_and_missing_values() -> None:
    rows: Rows = [(T0 + i * FIVE_MIN, None if i % 2 else 1.0) for i in range(10)]
    res = detect_rows(rows)
    assert len(res) == 10 and not any(r.is_spike for r in res)


# ------------------------------------------------------------------ helpers and files


def test_interval_inference() -> None:
    ts = [T0 + timedelta(seconds=s) for s in (0, 299, 600, 900, 1201, 1500, 1500, 3000)]
    assert infer_interval(ts) == timedelta(minutes=5)
    assert snap_interval(3590) == timedelta(hours=1)
    assert snap_interval(1000) == timedelta(seconds=1000)
    assert infer_interval([T0]) == timedelta(hours=1)


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        DetectorConfig(quantile=0.3)
    with pytest.raises(ValueError):
        DetectorConfig(direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SpikeDetector(interval=timedelta(0))
    with pytest.raises(ValueError, match="residual_days"):
        DetectorConfig(residual_days=0)
    with pytest.raises(ValueError, match="residual_window"):
        DetectorConfig(residual_window=timedelta(0))
    with pytest.raises(ValueError, match="residual_threshold"):
        DetectorConfig(residual_threshold=0.0)


def test_csv_round_trip(tmp_path: Path) -> None:
    rows = modify(daily_series(6), 5 * 288, 5 * 288 + 1, lambda v: v + 150)
    path = tmp_path / "s.csv"
    lines = ["timestamp,value"] + [f"{t.isoformat()}Z,{v:.3f}" for t, v in rows]
    lines.insert(100, f"{rows[98][0].isoformat()},")  # an empty value: missing
    path.write_text("\n".join(lines) + "\n")
    res = detect_csv(path)
    assert len(res) == len(rows) + 1
    assert res[99].value is None and not res[99].is_spike
    assert first_spike_after(res, 4 * 288) == 5 * 288 + 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "time,val\n2024-01-01,1\n",
        "timestamp,value\nyesterday,1\n",
        "timestamp,value\n2024-01-01 00:00:00,abc\n",
        "timestamp,value\n",
    ],
)
def test_not_a_time_series_is_an_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError):
        detect_csv(path)


# ------------------------------------------------------------------ counts, likelihood


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method for small rates, a rounded normal for large ones."""
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def count_series(days: float, seed: int = 3, mean: float = 20.0) -> Rows:
    """Tweet-like counts per 5 minutes: Poisson around a daily cycle."""
    rng = random.Random(seed)
    n = int(days * 288)
    out: Rows = []
    for i in range(n):
        t = T0 + i * FIVE_MIN
        phase = 2 * math.pi * i / 288
        out.append((t, float(poisson(rng, mean * (1 + 0.6 * math.sin(phase))))))
    return out


def test_count_burst_is_flagged_early_and_ordinary_days_are_quiet() -> None:
    rows = count_series(20)
    at = 17 * 288 + 100
    rows = modify(rows, at, at + 12, lambda v: v * 4 + 40)
    res = detect_rows(rows)
    assert all(r.count_like for r in res[INTERVAL_SAMPLE:])
    hit = first_spike_after(res, at - 50)
    assert hit is not None and at <= hit <= at + 3
    # ordinary Poisson days after the warm-up: at most one alarm in two weeks
    assert len([i for i in spikes_at(res) if 2 * 288 <= i < at]) <= 1


def test_count_series_becomes_real_valued_for_good() -> None:
    rows = count_series(3)
    rows[400] = (rows[400][0], 2.5)
    res = detect_rows(rows)
    assert res[399].count_like and not res[400].count_like
    assert not any(r.count_like for r in res[400:])


def test_counts_direction_up_ignores_a_drop_to_zero() -> None:
    rows = count_series(20)
    at = 17 * 288
    rows = modify(rows, at, at + 288, lambda v: 0.0)
    up = detect_rows(rows, DetectorConfig(direction="up"))
    assert quiet_between(up, at, at + 288)
    both = detect_rows(rows, DetectorConfig(direction="both"))
    hit = first_spike_after(both, at)
    assert hit is not None and hit <= at + 24


def test_counts_direction_up_flags_a_rise() -> None:
    rows = count_series(20)
    at = 17 * 288
    rows = modify(rows, at, at + 6, lambda v: v * 5 + 50)
    res = detect_rows(rows, DetectorConfig(direction="up"))
    hit = first_spike_after(res, at - 10)
    assert hit is not None and at <= hit <= at + 3


def test_irregular_count_series_one_result_per_row_and_causal() -> None:
    rng = random.Random(5)
    rows: Rows = []
    for t, v in count_series(12):
        r = rng.random()
        if r < 0.05:
            continue  # gap
        jitter = timedelta(seconds=rng.randint(-20, 20))
        rows.append((t + jitter, v))
        if r > 0.97:
            rows.append((t + jitter, v))  # repeated timestamp
    rows[1000], rows[1001] = rows[1001], rows[1000]  # out of order
    rows[2000] = (rows[2000][0], None)  # missing value
    full = detect_rows(rows)
    assert len(full) == len(rows)
    assert all(0.0 <= r.anomaly_score <= 1.0 for r in full)
    cut = 2500
    prefix = detect_rows(rows[:cut])
    assert [(r.is_spike, r.anomaly_score) for r in prefix] == [
        (r.is_spike, r.anomaly_score) for r in full[:cut]
    ]
    changed = rows[:cut] + [(t, v * 10 if v is not None else v) for t, v in rows[cut:]]
    other = detect_rows(changed)
    assert [r.is_spike for r in other[:cut]] == [r.is_spike for r in full[:cut]]


def test_streaming_equals_batch_on_counts() -> None:
    rows = count_series(6)
    det = SpikeDetector()
    streamed = [det.update(t, v) for t, v in rows]
    assert [r.is_spike for r in streamed] == [r.is_spike for r in detect_rows(rows)]


def test_likelihood_z_is_the_short_mean_against_the_past_means() -> None:
    lik = _Likelihood(window=3, history=5)
    raws = [0.1, 0.2, 0.0, 0.5, 0.9, 0.1, 0.3, 0.7]
    means: list[float] = []
    for i, x in enumerate(raws):
        z, n = lik.push(x)
        w = raws[max(0, i - 2) : i + 1]
        a = sum(w) / len(w)
        past = means[-5:]
        assert n == len(past)
        if past:
            mu = sum(past) / len(past)
            var = sum(m * m for m in past) / len(past) - mu * mu
            expect = (a - max(mu, 0.03)) / math.sqrt(max(var, 0.0003))
            assert z == pytest.approx(expect, rel=1e-9, abs=1e-9)
        means.append(a)


def test_count_model_can_be_switched_off() -> None:
    rows = count_series(4)
    res = detect_rows(rows, DetectorConfig(count_model=False))
    assert not any(r.count_alarm for r in res)


def test_rest_is_a_time_span_whatever_the_interval() -> None:
    hourly = daily_series(40, step=timedelta(hours=1))
    at = 35 * 24
    for k in (0, 6, 13):
        hourly = modify(hourly, at + k, at + k + 1, lambda v: v + 300)
    res = detect_rows(hourly)
    hits = [i for i in spikes_at(res) if i >= at]
    assert hits[:2] == [at, at + 13]  # 6 h later is inside the 12 h rest, 13 h is not
