"""End to end through real Airflow: `airflow dags test` runs of the project's DAGs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline import timeutil
from pipeline.cli import airflow_runner
from pipeline.errors import BrandpulseError
from pipeline.ingest.sources.demo.source import DemoSource
from pipeline.settings import Settings
from pipeline.steps.brands import load_brands
from pipeline.warehouse import connection

from .conftest import snapshot

pytestmark = pytest.mark.airflow

HOUR_END = datetime(2026, 10, 22, 18, tzinfo=UTC)  # inside the demo outage


def demo_count(settings: Settings, brand_id: str, start: datetime, end: datetime) -> int:
    brand = load_brands(settings.brands_file).get(brand_id)
    options = brand.source("demo").options  # type: ignore[union-attr]
    return sum(1 for _ in DemoSource().fetch(brand, start, end, options))


def test_hourly_ingest_loads_exactly_the_served_posts_and_reruns_identically(
    e2e_settings: Settings,
) -> None:
    airflow_runner.dags_test("brandpulse_ingest", e2e_settings, logical_date=HOUR_END)
    start = HOUR_END - timedelta(hours=1)
    con = connection.connect(e2e_settings.warehouse, read_only=True)
    try:
        for brand in ("pebble", "fernleaf"):
            stored = con.execute(
                "select count(*) from posts where brand = ? and created_at >= ? and created_at < ?",
                [brand, timeutil.naive_utc(start), timeutil.naive_utc(HOUR_END)],
            ).fetchone()
            assert stored == (demo_count(e2e_settings, brand, start, HOUR_END),)
        hourly = con.execute(
            "select brand, hour, posts, complaints from brand_hourly order by brand"
        ).fetchall()
        assert [(b, h) for b, h, *_ in hourly] == [
            ("fernleaf", timeutil.naive_utc(start)),
            ("pebble", timeutil.naive_utc(start)),
        ]
        assert con.execute("select count(*) from brand_daily").fetchone()[0] >= 2  # type: ignore[index]
    finally:
        con.close()
    before = snapshot(e2e_settings)
    airflow_runner.dags_test("brandpulse_ingest", e2e_settings, logical_date=HOUR_END)
    assert snapshot(e2e_settings) == before


def test_backfill_dag_loads_whole_local_days_and_a_rerun_in_other_groups_changes_nothing(
    e2e_settings: Settings,
) -> None:
    conf = {"start": "2026-10-21", "end": "2026-10-23", "brands": ["pebble"]}
    airflow_runner.dags_test("brandpulse_backfill", e2e_settings, conf=conf)
    first = snapshot(e2e_settings)
    con = connection.connect(e2e_settings.warehouse, read_only=True)
    try:
        days = con.execute(
            "select day, posts, complaints from brand_daily where brand = 'pebble' order by day"
        ).fetchall()
        total = con.execute("select count(*) from posts").fetchone()
    finally:
        con.close()
    assert [str(d) for d, *_ in days] == ["2026-10-21", "2026-10-22"]
    # Local days in New York (UTC-4 in October): 04:00 UTC to 04:00 UTC.
    lo, hi = datetime(2026, 10, 21, 4, tzinfo=UTC), datetime(2026, 10, 23, 4, tzinfo=UTC)
    assert total == (demo_count(e2e_settings, "pebble", lo, hi),)
    outage_day, normal_day = days[1], days[0]
    assert outage_day[2] > 2 * normal_day[2], days  # the incident is visible
    # The ledger keeps a row per hour of each load: two local days, 48 hours.
    assert first["load_runs"][0] == 48 and first["quarantine"][0] == 0
    # The rerun with a task per day instead of both days in one: the same warehouse.
    airflow_runner.dags_test(
        "brandpulse_backfill", e2e_settings, conf={**conf, "chunks_per_task": 1}
    )
    assert snapshot(e2e_settings) == first


def test_daily_dag_settles_the_days_it_covers(e2e_settings: Settings) -> None:
    airflow_runner.dags_test(
        "brandpulse_backfill",
        e2e_settings,
        conf={"start": "2026-10-21", "end": "2026-10-22", "brands": ["fernleaf"]},
    )
    con = connection.connect(e2e_settings.warehouse)
    stored = con.execute("select day, posts from brand_daily order by day").fetchall()
    con.execute("update brand_daily set posts = -1")  # stale rows to be settled
    con.close()
    airflow_runner.dags_test(
        "brandpulse_daily", e2e_settings, logical_date=datetime(2026, 10, 22, 0, 15, tzinfo=UTC)
    )
    con = connection.connect(e2e_settings.warehouse, read_only=True)
    try:
        days = con.execute("select day, posts from brand_daily order by day").fetchall()
    finally:
        con.close()
    assert days == stored  # re-derived from posts, and no row for a day never loaded
    assert [str(d) for d, _ in days] == ["2026-10-21"]


def test_a_bad_interval_fails_the_run_at_once_without_retries(e2e_settings: Settings) -> None:
    with pytest.raises(BrandpulseError, match="did not succeed") as err:
        airflow_runner.dags_test(
            "brandpulse_backfill", e2e_settings, conf={"start": "2026-10-06", "end": "2026-10-05"}
        )
    log = (e2e_settings.airflow_home / "logs" / "dags_test_brandpulse_backfill.log").read_text()
    assert "empty interval" in log and "not retryable" in log
    assert "did not succeed" in str(err.value)
