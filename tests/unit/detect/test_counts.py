"""Spike detector on synthetic series: known spikes, seasonality, sparse counts, gaps."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import pytest

from pipeline.detect.counts import (
    StreamDetector,
    cusum_interval,
    daily_max_bar,
    detect_series,
    gumbel_quantile_offset,
    siegmund_arl,
)
from pipeline.detect.hourly import HourPoint, detect_hourly, detect_latest
from pipeline.detect.options import SpikeConfig
from pipeline.detect.series import infer_interval
from pipeline.errors import ConfigError

START = datetime(2026, 1, 5)  # a Monday
H = timedelta(hours=1)


def poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; the means here are small
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p < limit:
            return k
        k += 1


def seasonal_mean(ts: datetime, base: float) -> float:
    """Day rhythm (quiet nights) and a week rhythm (quiet weekends)."""
    day = 1.0 + 0.8 * math.sin((ts.hour - 9) / 24 * 2 * math.pi)
    week = 0.5 if ts.weekday() >= 5 else 1.0
    return base * day * week


def counts(
    days: int, base: float, seed: int = 1, step: timedelta = H
) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    n = int(days * timedelta(days=1) / step)
    return [
        (START + i * step, poisson(rng, seasonal_mean(START + i * step, base))) for i in range(n)
    ]


def spikes_at(results: list) -> list[datetime]:
    return [r.timestamp for r in results if r.is_spike]


def test_known_spike_flagged_once_on_a_seasonal_series() -> None:
    series = counts(28, base=20.0)
    at = START + timedelta(days=20, hours=14)
    series = [(t, v + 150 if at <= t < at + 3 * H else v) for t, v in series]
    results = detect_series(series, H)
    assert spikes_at(results) == [at]
    flagged = next(r for r in results if r.is_spike)
    assert flagged.anomaly_score >= 0.5
    assert flagged.severity == "critical"
    # the event stays one event while it lasts
    assert all(r.event_start == at for r in results if at <= r.timestamp < at + 3 * H)


def test_seasonal_rhythm_alone_is_not_a_spike() -> None:
    # weekday peaks after quiet weekends: the seasonal baseline expects them
    for seed in range(3):
        assert spikes_at(detect_series(counts(35, base=40.0, seed=seed), H)) == []


def test_sparse_counts_no_false_alarms_on_poisson_noise() -> None:
    for seed in range(5):
        series = counts(28, base=1.2, seed=seed)  # 0-3 an hour
        assert max(v for _, v in series) <= 10
        assert spikes_at(detect_series(series, H)) == []


def test_sparse_counts_real_burst_is_flagged() -> None:
    series = counts(21, base=1.0, seed=3)
    at = START + timedelta(days=15, hours=12)
    series = [(t, 25 if t == at else v) for t, v in series]
    assert spikes_at(detect_series(series, H)) == [at]


def test_five_minute_series_and_past_spike_does_not_mask_the_next() -> None:
    step = timedelta(minutes=5)
    series = counts(21, base=4.0, seed=7, step=step)
    first = START + timedelta(days=8, hours=15)
    second = START + timedelta(days=16, hours=15)
    series = [
        (t, v + 120 if first <= t < first + H or second <= t < second + H else v) for t, v in series
    ]
    found = spikes_at(detect_series(series, step))
    assert found == [first, second]


def test_missing_hours_are_skipped_not_zero() -> None:
    series = counts(21, base=20.0, seed=5)
    gap = (START + timedelta(days=10), START + timedelta(days=11, hours=6))
    with_gaps = [(t, v) for t, v in series if not gap[0] <= t < gap[1]]
    results = detect_series(with_gaps, H)
    assert spikes_at(results) == []
    # and None values are missing points: no flag, no learning
    results = detect_series([(t, None if i % 7 == 0 else v) for i, (t, v) in enumerate(series)], H)
    assert spikes_at(results) == []
    assert all(r.anomaly_score == 0 for r in results if r.value is None)


def test_warmup_no_flags_in_first_day() -> None:
    series = [(START + i * H, 100 if i == 10 else 5) for i in range(48)]
    results = detect_series(series, H)
    assert not results[10].is_spike


def test_causal_appending_future_points_never_changes_past_verdicts() -> None:
    series = counts(21, base=10.0, seed=11)
    series = [(t, v + 80 if t == START + timedelta(days=12, hours=9) else v) for t, v in series]
    full = detect_series(series, H)
    for cut in (200, 300, 400):
        assert detect_series(series[:cut], H) == full[:cut]


def test_real_valued_series_uses_the_raw_scale() -> None:
    rng = random.Random(2)
    series = [(START + i * H, 50.0 + rng.gauss(0, 0.5)) for i in range(24 * 14)]
    series[300] = (series[300][0], 60.0)
    assert spikes_at(detect_series(series, H)) == [series[300][0]]


def test_gumbel_bar_rate_and_floors() -> None:
    # one day in 56 exceeds the bar: 3.65 Gumbel scales above the median of the maxima
    assert gumbel_quantile_offset(56.0) == pytest.approx(3.650, abs=1e-3)
    assert gumbel_quantile_offset(14.0) < gumbel_quantile_offset(56.0)
    cfg = SpikeConfig()
    assert daily_max_bar([], cfg) == cfg.threshold
    # quiet days (maxima ~2): the floor threshold holds
    assert daily_max_bar([2.0, 1.8, 2.3, 2.1], cfg) == cfg.threshold
    # bursty days (maxima ~10, spread 2): the bar is well above an ordinary day
    bursty = [8.0, 10.0, 12.0, 9.0, 11.0, 10.0, 14.0]
    assert daily_max_bar(bursty, cfg) > 1.8 * 10.0
    # identical maxima do not collapse the bar to the median
    assert daily_max_bar([10.0] * 7, cfg) == pytest.approx(10.0 * (1 + 0.25 * 3.650), abs=0.01)
    # the optional relative floor
    assert daily_max_bar([10.0] * 7, SpikeConfig(relative=3.0)) == 30.0


def test_bursty_series_ordinary_bursts_are_not_spikes_but_a_huge_one_is() -> None:
    rng = random.Random(4)
    series = counts(35, base=30.0, seed=4)
    # every day one short burst of 3-6x the hour's mean: ordinary for this series
    burst_hours = {START + timedelta(days=d, hours=rng.randrange(8, 20)) for d in range(35)}
    series = [(t, v * rng.uniform(3, 6) // 1 if t in burst_hours else v) for t, v in series]
    at = START + timedelta(days=28, hours=15)
    series = [(t, 2000 if t == at else v) for t, v in series]
    late = START + timedelta(days=14)
    found = [t for t in spikes_at(detect_series(series, H)) if t >= late]
    assert at in found
    assert len(found) <= 2
    # a fixed bar at `threshold` (no Gumbel tail) would page for the ordinary bursts
    fixed = SpikeConfig(false_alarm_days=1.01)
    assert len([t for t in spikes_at(detect_series(series, H, fixed)) if t >= late]) >= 4


def test_sustained_level_shift_flagged_by_the_long_scale() -> None:
    # +35% for 8 hours on a 5-minute series (day rhythm): no point is extreme, the sums are
    step = timedelta(minutes=5)
    rng = random.Random(9)
    start = START + timedelta(days=15, hours=8)

    def mean(t: datetime) -> float:
        day = 40.0 * (1.0 + 0.8 * math.sin((t.hour - 9) / 24 * 2 * math.pi))
        return day * (1.35 if start <= t < start + 8 * H else 1.0)

    times = [START + i * step for i in range(21 * 288)]
    series = [(t, poisson(rng, mean(t))) for t in times]
    results = detect_series(series, step)
    assert spikes_at(results[: 15 * 288]) == []
    found = spikes_at(results)
    assert len(found) == 1
    assert start <= found[0] < start + 6 * H
    assert results[times.index(found[0])].value is not None
    point_z = [r.score for r in detect_series(series, step, SpikeConfig(scales_hours=()))]
    assert max(point_z[15 * 288 :]) < SpikeConfig().threshold  # no single point suffices


def test_far_larger_burst_inside_an_open_event_escalates() -> None:
    series = counts(28, base=20.0, seed=2)
    small = START + timedelta(days=20, hours=10)
    big = small + 5 * H
    bump = {small: 45, small + H: 30, small + 2 * H: 30, small + 3 * H: 30, small + 4 * H: 30}
    series = [(t, v + bump.get(t, 0) + (900 if t == big else 0)) for t, v in series]
    assert spikes_at(detect_series(series, H)) == [small, big]
    # without escalation the big burst is swallowed by the open event
    no_esc = SpikeConfig(escalate=1e9)
    assert spikes_at(detect_series(series, H, no_esc)) == [small]


def test_points_must_come_in_order() -> None:
    det = StreamDetector(H)
    det.update(START, 1)
    with pytest.raises(ValueError, match="not after"):
        det.update(START, 2)


def test_infer_interval() -> None:
    ts = [START + i * timedelta(minutes=5) for i in range(10)]
    assert infer_interval(ts) == timedelta(minutes=5)
    assert infer_interval([START]) == H


# --- configuration ----------------------------------------------------------------------


def test_cusum_decision_interval_from_siegmund() -> None:
    # k = 0.5, one false alarm in 56 days of 6-hour blocks (224 blocks): h ~ 3.6
    h = cusum_interval(0.5, 224.0)
    assert h == pytest.approx(3.6, abs=0.05)
    assert siegmund_arl(0.5, h) == pytest.approx(224.0, rel=1e-6)
    assert cusum_interval(0.5, 2240.0) > h  # rarer alarms need a higher interval


def test_moderate_day_long_shift_flagged_by_the_cusum() -> None:
    # +40% for 16 hours on an hourly series with a weekly rhythm: neither a point nor a
    # 6-hour sum reaches its bar; the accumulated block residuals do
    rng = random.Random(6)
    start = START + timedelta(days=22, hours=6)

    def mean(t: datetime) -> float:
        return seasonal_mean(t, 30.0) * (1.4 if start <= t < start + 16 * H else 1.0)

    times = [START + i * H for i in range(28 * 24)]
    series = [(t, poisson(rng, mean(t))) for t in times]
    found = spikes_at(detect_series(series, H))
    assert len(found) == 1
    assert start <= found[0] < start + 16 * H
    assert spikes_at(detect_series(series, H, SpikeConfig(cusum_hours=0.0))) == []


def test_config_defaults_and_overrides() -> None:
    assert SpikeConfig.from_overrides(None) == SpikeConfig()
    cfg = SpikeConfig.from_overrides({"threshold": 7, "metrics": ["complaints"], "min_posts": 50})
    assert cfg.threshold == 7.0
    assert cfg.metrics == ("complaints",)
    assert cfg.min_posts == 50
    assert SpikeConfig.from_overrides({"scales_hours": 3}).scales_hours == (3.0,)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"threshhold": 5}, "threshhold"),
        ({"threshold": "high"}, "threshold"),
        ({"threshold": -1}, "threshold"),
        ({"critical": 2.0}, "critical"),
        ({"min_posts": 2.5}, "min_posts"),
        ({"metrics": ["likes"]}, "metrics"),
        ({"hold_fraction": 1.5}, "hold_fraction"),
        ({"season_weeks": True}, "season_weeks"),
        ({"scales_hours": [-1]}, "scales_hours"),
        ({"false_alarm_days": 1}, "false_alarm_days"),
        ({"escalate": 0.5}, "escalate"),
        ({"cusum_hours": -1}, "cusum_hours"),
        ({"cusum_shift": 0}, "cusum_shift"),
    ],
)
def test_config_errors_name_the_field(overrides: dict, field: str) -> None:
    with pytest.raises(ConfigError, match=rf"overrides\.spikes\.{field}"):
        SpikeConfig.from_overrides(overrides)


def test_config_must_be_a_mapping() -> None:
    with pytest.raises(ConfigError, match="mapping"):
        SpikeConfig.from_overrides(["threshold"])  # type: ignore[arg-type]


# --- brand metrics ------------------------------------------------------------------------


def brand_hours(days: int = 28, seed: int = 4) -> list[HourPoint]:
    rng = random.Random(seed)
    out = []
    for i in range(days * 24):
        t = START + i * H
        posts = poisson(rng, seasonal_mean(t, 35.0))
        negative = sum(rng.random() < 0.25 for _ in range(posts))
        complaints = poisson(rng, seasonal_mean(t, 3.0))
        out.append(HourPoint(t, posts, negative, complaints))
    return out


def with_incident(points: list[HourPoint], at: datetime, hours: int) -> list[HourPoint]:
    out = []
    for p in points:
        if at <= p.hour < at + hours * H:
            extra = 35
            out.append(HourPoint(p.hour, p.posts + extra, p.negative + extra, p.complaints + extra))
        else:
            out.append(p)
    return out


def test_brand_incident_flagged_with_episode_and_quiet_elsewhere() -> None:
    at = START + timedelta(days=17, hours=17)
    findings = detect_hourly(with_incident(brand_hours(), at, 5), brand="pebble")
    assert findings, "the incident must be found"
    assert {f.metric for f in findings} == {"complaints", "negative_share", "volume"}
    assert all(at <= f.hour_start < at + timedelta(hours=12) for f in findings)
    new = [f for f in findings if f.is_new]
    assert {f.metric for f in new} == {"complaints", "negative_share", "volume"}
    complaints = [f for f in findings if f.metric == "complaints"]
    assert complaints[0].hour_start == at and complaints[0].started_at == at
    assert complaints[0].observed > complaints[0].expected
    assert all(f.started_at == at for f in complaints)
    assert "critical" in {f.severity for f in complaints}
    assert all(f.brand == "pebble" and f.hour_end == f.hour_start + H for f in findings)


def test_brand_quiet_month_has_no_findings() -> None:
    for seed in range(3):
        assert detect_hourly(brand_hours(seed=seed)) == []


def test_negative_share_needs_min_posts() -> None:
    points = brand_hours(days=14)
    at = START + timedelta(days=10, hours=3)  # a quiet night hour
    points = [
        HourPoint(p.hour, 6, 6, p.complaints) if p.hour == at else p for p in points
    ]  # 100 % negative, but only 6 posts
    cfg = SpikeConfig(metrics=("negative_share",))
    assert detect_hourly(points, cfg) == []


def test_backfill_equals_repeated_latest_hour_calls() -> None:
    at = START + timedelta(days=17, hours=17)
    points = with_incident(brand_hours(days=19), at, 5)
    start = START + timedelta(days=17)
    backfill = detect_hourly(points, start=start)
    latest: list = []
    for i, p in enumerate(points):
        if p.hour >= start:
            latest.extend(detect_latest(points[: i + 1]))
    assert backfill == latest
    assert backfill  # the incident is in the range


def test_pandas_frame_input() -> None:
    pd = pytest.importorskip("pandas")
    points = brand_hours(days=10)
    frame = pd.DataFrame(
        {
            "hour": [p.hour for p in points],
            "posts": [p.posts for p in points],
            "negative": [p.negative for p in points],
            "complaints": [p.complaints for p in points],
        }
    )
    assert detect_hourly(frame) == detect_hourly(points)


def test_an_hour_the_engine_s_likelihood_flags_is_a_finding_too() -> None:
    """The brand metrics run on the engine: an event its anomaly likelihood opens (the count
    model silent) is a finding while the likelihood stays hot, with the count floor."""
    from pipeline.detect.engine import SpikeResult
    from pipeline.detect.hourly import HOURLY_ENGINE, _BrandRun, _surprise_finding

    bar = HOURLY_ENGINE.lik_z
    run = _BrandRun(SpikeConfig())

    def hour(i: int, z: float, spike: bool = False, volume: int = 40) -> object:
        hp = HourPoint(START + i * H, volume, 0, 0)
        res = SpikeResult(hp.hour, volume, i, 0.0, 0.0, spike, 30.0, likelihood_z=z)
        return _surprise_finding(run, "volume", hp, res, "acme")

    assert hour(0, 1.0) is None  # quiet
    opened = hour(1, bar + 0.5, spike=True)
    assert opened is not None and opened.is_new and opened.severity == "warning"
    assert opened.started_at == START + H and opened.expected == 30.0
    going = hour(2, 2 * bar + 1)
    assert going is not None and not going.is_new and going.severity == "critical"
    assert going.started_at == START + H
    assert hour(3, bar * 0.9) is None  # still hot, below the bar: no finding, same event
    assert run.surprise_start["volume"] == START + H
    assert hour(4, 0.5) is None and run.surprise_start["volume"] is None  # over
    assert hour(5, bar + 1, spike=True, volume=3) is None  # under min_count


def test_volume_near_zero_for_hours_is_a_data_health_warning() -> None:
    from pipeline.detect.hourly import SILENT_HOURS, silent_spells

    points = brand_hours(days=21)
    assert silent_spells(points) == []  # an ordinary month: nights are quiet, not silent
    at = START + timedelta(days=18, hours=12)

    def outage(hours: int) -> list[HourPoint]:
        return [HourPoint(p.hour, 0, 0, 0) if at <= p.hour < at + hours * H else p for p in points]

    [spell] = silent_spells(outage(5), brand="acme")
    assert (spell.brand, spell.start, spell.end, spell.posts) == ("acme", at, at + 5 * H, 0)
    assert spell.expected > 50 and "is a source down?" in spell.describe()
    assert silent_spells(outage(SILENT_HOURS - 1)) == []  # one odd hour or two: no warning
    # judged causally, and only spells ending after ``start`` are reported
    assert silent_spells(outage(5), start=at + 6 * H) == []
    assert silent_spells(outage(5)[: 18 * 24 + 12 + 3])[0].end == at + 3 * H
    # a brand that alerts on complaints only still hears about silence; one pass gives both
    from pipeline.detect.hourly import judge_hours

    verdicts = judge_hours(outage(5), SpikeConfig(metrics=("complaints",)), brand="acme")
    assert verdicts.silent == [spell] and all(f.metric == "complaints" for f in verdicts.findings)
