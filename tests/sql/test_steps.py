"""Pipeline steps together: the warehouse is the same whatever order loads run in."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipeline import timeutil
from pipeline.errors import ConfigError, InputError
from pipeline.ingest import landing
from pipeline.scoring import cues, languages, scorer
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import aggregation, fetch, loading, planning, runner
from pipeline.steps.brands import load_brands
from pipeline.warehouse import connection
from tests.e2e.conftest import snapshot

START, END = datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC)


def settings_in(home: Path) -> Settings:
    return Settings.from_env(
        {"BRANDPULSE_HOME": str(home), "BRANDPULSE_BRANDS": str(PROJECT_ROOT / "brands.yaml")}
    )


def run_in_order(settings: Settings, items: list[planning.Chunk]) -> None:
    for item in items:
        loading.load(fetch.land(item.source, item.brand, item.start, item.end, settings), settings)
        aggregation.aggregate(item.start, item.end, [item.brand], settings)


def test_loads_in_any_order_give_the_same_warehouse(tmp_path: Path) -> None:
    forward, backward = settings_in(tmp_path / "f"), settings_in(tmp_path / "b")
    items = planning.plan(START, END, ["fernleaf"], chunk=timeutil.DAY, settings=forward)
    assert len(items) == 3
    run_in_order(forward, items)
    run_in_order(backward, list(reversed(items)))
    got_f, got_b = snapshot(forward), snapshot(backward)
    for table in ("posts", "brand_hourly", "brand_daily"):
        assert got_f[table] == got_b[table], table


def test_chunks_must_be_positive() -> None:
    with pytest.raises(InputError, match="chunk size"):
        planning.chunks(START, END, timeutil.DAY * 0)


def test_group_chunks_cuts_each_brand_and_source_into_consecutive_runs() -> None:
    start = datetime(2026, 10, 5, tzinfo=UTC)
    items = [
        planning.Chunk(brand, "demo", lo, hi)
        for brand in ("pebble", "fernleaf")
        for lo, hi in planning.chunks(start, start + 10 * timeutil.DAY)
    ] + [planning.Chunk("pebble", "x", start, start + timeutil.DAY)]
    groups = planning.group_chunks(items, 4)
    # Every chunk in exactly one group; a group is one brand and source, its days in a row.
    every = [c for g in groups for c in g]
    assert len(every) == len(items) and set(every) == set(items)
    for group in groups:
        assert len({(c.brand, c.source) for c in group}) == 1 and 1 <= len(group) <= 4
        assert all(a.end == b.start for a, b in itertools.pairwise(group))
    assert [(g[0].brand, g[0].source, g[0].start.day, len(g)) for g in groups] == [
        ("fernleaf", "demo", 5, 4), ("pebble", "demo", 5, 4), ("pebble", "x", 5, 1),
        ("fernleaf", "demo", 9, 4), ("pebble", "demo", 9, 4),
        ("fernleaf", "demo", 13, 2), ("pebble", "demo", 13, 2),
    ]  # fmt: skip
    assert [len(g) for g in planning.group_chunks(items, 1)] == [1] * len(items)
    assert planning.group_chunks([], 7) == []
    with pytest.raises(InputError, match="at least 1"):
        planning.group_chunks(items, 0)


def test_local_days_follow_daylight_saving_changes() -> None:
    brands = load_brands(PROJECT_ROOT / "brands.yaml")
    london, new_york = brands.get("fernleaf"), brands.get("pebble")
    # Clocks go back on 2026-10-25 in London and on 2026-11-01 in New York: 25-hour days.
    [(lo, hi)] = planning.local_day_bounds(london, date(2026, 10, 25), date(2026, 10, 26))
    assert (lo, hi) == (datetime(2026, 10, 24, 23, tzinfo=UTC), datetime(2026, 10, 26, tzinfo=UTC))
    [(lo, hi)] = planning.local_day_bounds(new_york, date(2026, 11, 1), date(2026, 11, 2))
    assert (lo, hi) == (
        datetime(2026, 11, 1, 4, tzinfo=UTC),
        datetime(2026, 11, 2, 5, tzinfo=UTC),
    )
    assert planning.local_days(new_york, lo, hi) == (date(2026, 11, 1), date(2026, 11, 1))


def test_a_25_hour_day_aggregates_all_its_hours(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    items = planning.plan(
        datetime(2026, 10, 25, tzinfo=UTC),
        datetime(2026, 10, 26, tzinfo=UTC),
        ["fernleaf"],
        local_days=True,
        settings=settings,
    )
    runner.run(items, settings=settings)
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        daily = con.execute("select posts from brand_daily where day = '2026-10-25'").fetchone()
        hourly = con.execute(
            "select count(*), sum(posts)::bigint from brand_hourly"
            " where hour >= '2026-10-24 23:00' and hour < '2026-10-26 00:00'"
        ).fetchone()
    finally:
        con.close()
    assert hourly is not None and hourly[0] == 25
    assert daily == (hourly[1],)


def test_lag_shifts_the_fetch_window_so_windows_still_tile(tmp_path: Path) -> None:
    brands = tmp_path / "brands.yaml"
    brands.write_text(
        (PROJECT_ROOT / "brands.yaml")
        .read_text(encoding="utf-8")
        .replace("posts_per_day: 600", "posts_per_day: 600\n        lag_minutes: 15"),
        encoding="utf-8",
    )
    settings = Settings.from_env(
        {"BRANDPULSE_HOME": str(tmp_path / "var"), "BRANDPULSE_BRANDS": str(brands)}
    )
    hour = datetime(2026, 10, 21, 10, tzinfo=UTC)
    first = fetch.land("demo", "fernleaf", hour, hour + timeutil.HOUR, settings)
    second = fetch.land(
        "demo", "fernleaf", hour + timeutil.HOUR, hour + 2 * timeutil.HOUR, settings
    )
    lag = timeutil.HOUR / 4
    assert (first.start, first.end) == (hour - lag, hour + timeutil.HOUR - lag)
    assert second.start == first.end
    for batch in (first, second):
        loading.load(batch, settings)
    snap = snapshot(settings)
    loading.load(first, settings)  # reloading the earlier window changes nothing
    assert snapshot(settings) == snap


def _table(settings: Settings, sql: str) -> list[tuple[object, ...]]:
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_load_batches_in_worker_processes_writes_what_loads_one_by_one_do(
    tmp_path: Path,
) -> None:
    one, many = settings_in(tmp_path / "one"), settings_in(tmp_path / "many")
    items = planning.plan(START, END, ["pebble", "fernleaf"], chunk=timeutil.DAY, settings=one)
    assert len(items) == 6
    expected = []
    for item in items:
        expected.append(
            loading.load(fetch.land(item.source, item.brand, item.start, item.end, one), one)
        )
    batches = [fetch.land(i.source, i.brand, i.start, i.end, many) for i in items]
    written: list[loading.LoadResult] = []
    # Workers from the second batch on; gate groups of ~1,500 posts (a few batches each).
    results = loading.load_batches(
        batches, many, workers=2, pool_after=1, group_rows=1_500, on_load=written.append
    )
    assert results == written == expected
    for table, columns in (
        ("posts", "*"),
        ("quarantine", "*"),
        ("load_runs", "* exclude (landing_path)"),
        ("quality_results", "suite, source, brand, batch_id, expectation, success,"
         " element_count, unexpected_count"),
    ):  # fmt: skip
        sql = f"select {columns} from {table} order by all"  # noqa: S608
        assert _table(one, sql) == _table(many, sql), table


def test_load_batches_holds_a_bounded_number_of_batches_and_the_writer_stops_scoring(
    tmp_path: Path,
) -> None:
    """What the writing process holds while workers score: at most IN_FLIGHT_PER_WORKER
    batches per worker sent and not yet written (the landing of the next batch waits),
    and, once the workers score, neither its scorers, their shared matchers nor lingua's
    models (about 165 MB)."""
    settings = settings_in(tmp_path)
    day = (START, START + timeutil.DAY)
    items = planning.plan(*day, ["pebble", "fernleaf"], chunk=timeutil.HOUR, settings=settings)
    assert len(items) == 48
    rule = languages.language_rule(settings.models)
    rule.detector()  # as if the first batches, scored here, had needed it
    landed, written, most = 0, 0, 0

    def batches() -> Iterator[landing.Batch]:
        nonlocal landed, most
        for i in items:
            landed += 1
            most = max(most, landed - written)
            yield fetch.land(i.source, i.brand, i.start, i.end, settings)

    def on_load(_: loading.LoadResult) -> None:
        nonlocal written
        written += 1

    # Workers from the second batch on; every batch written as soon as it is taken back.
    loading.load_batches(
        batches(), settings, workers=2, pool_after=1, group_rows=1, on_load=on_load
    )
    assert written == 48
    # The batches in the pool, plus the one just landed.
    assert 1 < most <= loading.IN_FLIGHT_PER_WORKER * 2 + 1
    assert rule._detector is None
    assert not scorer._brand_scorers
    assert not cues._shared


def test_default_workers_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRANDPULSE_WORKERS", "3")
    assert loading.default_workers() == 3
    monkeypatch.setenv("BRANDPULSE_WORKERS", "many")
    with pytest.raises(ConfigError, match="BRANDPULSE_WORKERS must be a whole number"):
        loading.default_workers()
    monkeypatch.setenv("BRANDPULSE_WORKERS", "0")
    with pytest.raises(ConfigError, match="at least 1"):
        loading.default_workers()
    monkeypatch.delenv("BRANDPULSE_WORKERS")
    assert loading.default_workers() >= 1


def test_a_failing_batch_stops_the_run_after_the_groups_already_committed(
    tmp_path: Path,
) -> None:
    settings = settings_in(tmp_path)
    items = planning.plan(START, END, ["fernleaf"], chunk=timeutil.DAY, settings=settings)
    batches = [fetch.land(i.source, i.brand, i.start, i.end, settings) for i in items]
    batches[2].path.unlink()  # the third batch's landed file is gone
    written: list[loading.LoadResult] = []
    with pytest.raises(FileNotFoundError):
        loading.load_batches(
            batches, settings, workers=2, pool_after=1, group_rows=1, on_load=written.append
        )
    assert [r.start for r in written] == [i.start for i in items[:2]]
    # The ledger is kept per hour of each load: the first two days' hours, no more.
    runs = _table(
        settings,
        "select landing_path, min(interval_start) from load_runs group by 1 order by 2",
    )
    assert [r[1] for r in runs] == [timeutil.naive_utc(i.start) for i in items[:2]]
