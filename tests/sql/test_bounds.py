"""Plausible times and reruns, on real DuckDB files: a post dated far off is quarantined with
its reason, a stray row stored before that rule cannot stretch the hour grid or move what the
alert check judges, a post re-delivered at another time stops counting at its old hour, and
reruns of any interval leave the warehouse exactly as a clean run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline import timeutil
from pipeline.ingest import landing
from pipeline.settings import Settings
from pipeline.steps import alerting, fetch, file_import, loading
from pipeline.warehouse import connection, loads
from tests.conftest import write_brands
from tests.dbdump import AUDIT_COLUMNS, dump
from tests.helpers import (
    demo_record,
    land_records,
    load_and_aggregate,
    load_hour,
    pebble_settings,
    rows,
    settings_in,
)
from tests.sql.test_alerts import SPIKE_START, loaded  # noqa: F401  (a fixture)

HOUR = timeutil.HOUR
DAY = timeutil.DAY
D1 = datetime(2026, 10, 20, tzinfo=UTC)


# --------------------------------------------------------------------------------------
# 1. The plausible-time rule
# --------------------------------------------------------------------------------------


def test_a_post_dated_after_the_run_or_before_the_history_is_quarantined_with_its_reason(
    tmp_path: Path,
) -> None:
    settings = pebble_settings(tmp_path, overrides={"history": {"start": "2026-10-20"}})
    start, end = D1 + 13 * HOUR, D1 + 14 * HOUR
    result = load_hour(
        settings,
        "pebble",
        start,
        [
            demo_record("1", start + timedelta(minutes=5)),
            demo_record("2", datetime(2099, 6, 1, tzinfo=UTC)),
            demo_record("3", datetime(2016, 1, 1, tzinfo=UTC)),
            demo_record("4", end + timedelta(minutes=5)),  # within the skew, outside the hour
        ],
    )
    assert (result.fetched, result.loaded, result.quarantined) == (4, 1, 3)
    assert rows(settings, "select post_id from posts") == [("1",)]
    assert rows(settings, "select post_id, reason from quarantine order by post_id") == [
        (
            "2",
            "created_at 2099-06-01T00:00:00Z is after the run's end 2026-10-20T14:00:00Z "
            "+ 15 min skew",
        ),
        (
            "3",
            "created_at 2016-01-01T00:00:00Z is before the history start "
            "2026-10-20T04:00:00Z of brand 'pebble' (overrides.history)",
        ),
        (
            "4",
            "created_at: 2026-10-20T14:05:00+00:00 is outside the load's interval "
            "[2026-10-20T13:00:00+00:00, 2026-10-20T14:00:00+00:00)",
        ),
    ]
    # Every quarantined record keeps its id (issue 19: post_id was empty).
    assert rows(settings, "select count(*) from quarantine where post_id is null") == [(0,)]
    assert rows(settings, "select count(*), min(hour), max(hour) from brand_hourly") == [
        (1, timeutil.naive_utc(start), timeutil.naive_utc(start))
    ]


def test_history_start_defaults_to_days_before_the_run(tmp_path: Path) -> None:
    settings = pebble_settings(tmp_path, overrides={"history": {"days": 30}})
    start, end = D1, D1 + HOUR
    batch = land_records(
        settings, "pebble", start, end, [demo_record("1", start - timedelta(days=31))]
    )
    loading.load(batch, settings)
    [(reason,)] = rows(settings, "select reason from quarantine")
    assert reason.endswith(
        "is before the history start 2026-09-20T00:00:00Z of brand 'pebble' (overrides.history)"
    )


FILE_BRANDS = """
brands:
  - id: acme
    name: Acme
    timezone: Europe/Berlin
    accounts: ["@AcmeHelp"]
    terms: [acme]
    sources:
      file:
        folder: imports/acme
        columns: {post_id: id, created_at: date, text: message}
"""


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    brands = write_brands(tmp_path / "brands.yaml", FILE_BRANDS)
    monkeypatch.setenv("BRANDPULSE_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(brands))
    settings = Settings.from_env()
    (settings.home / "imports" / "acme").mkdir(parents=True)
    return settings


def drop(settings: Settings, name: str, lines: list[tuple[str, datetime | str, str]]) -> None:
    body = "id,date,message\n" + "".join(
        f"{pid},{at if isinstance(at, str) else f'{at:%Y-%m-%dT%H:%M:%SZ}'},{text}\n"
        for pid, at, text in lines
    )
    (settings.home / "imports" / "acme" / name).write_text(body, encoding="utf-8")


def test_a_file_with_one_row_in_2099_stores_the_real_rows_and_a_bounded_hour_grid(
    acme: Settings,
) -> None:
    # Times near the import (the rule is relative to it), so the test never ages.
    recent = timeutil.floor_hour(datetime.now(UTC)) - 2 * DAY
    drop(
        acme,
        "export.csv",
        [
            ("1", recent, "acme order never arrived"),
            ("2", recent + 3 * HOUR, "acme app is great"),
            ("3", datetime(2099, 6, 1, tzinfo=UTC), "from the future"),
            ("4", datetime(2016, 1, 1, tzinfo=UTC), "from long ago"),
            ("5", "not a date", "no time at all"),
        ],
    )
    [result] = file_import.import_files(acme)
    assert (result.loaded, result.quarantined) == (2, 3)
    reasons = dict(rows(acme, "select post_id, reason from quarantine"))
    assert reasons["3"].startswith("created_at 2099-06-01T00:00:00Z is after the import time ")
    assert reasons["3"].endswith(" + 15 min skew")
    assert reasons["4"].startswith("created_at 2016-01-01T00:00:00Z is before the history start")
    assert reasons["5"].startswith("created_at")  # unreadable, and its id is kept too
    # Four hours of the file's own span, not 641,628 up to 2099.
    assert rows(acme, "select count(*), min(hour), max(hour) from brand_hourly") == [
        (4, timeutil.naive_utc(recent), timeutil.naive_utc(recent + 3 * HOUR))
    ]


# --------------------------------------------------------------------------------------
# 2. Stray rows stored before the rule cannot stretch anything
# --------------------------------------------------------------------------------------

STRAYS = (datetime(2099, 6, 1, tzinfo=UTC), datetime(2016, 1, 1, 9, tzinfo=UTC))


def plant_strays(settings: Settings, brand: str, hours: bool = True) -> None:
    """Posts (and their brand_hourly rows) as an import before the rule stored them."""
    con = connection.connect(settings.warehouse)
    try:
        for i, moment in enumerate(STRAYS):
            at = timeutil.naive_utc(moment)
            con.execute(
                "insert into posts by name select * replace (? as post_id, ? as created_at,"
                " cast(? as date) as brand_day) from posts where brand = ? limit 1",
                [f"stray{i}", at, at.date(), brand],
            )
            if hours:
                con.execute(
                    "insert into brand_hourly by name select * replace (? as hour)"
                    " from brand_hourly where brand = ? limit 1",
                    [timeutil.floor_hour(at), brand],
                )
    finally:
        con.close()


def test_stray_posts_stored_before_the_rule_do_not_stretch_the_hour_grid(tmp_path: Path) -> None:
    settings = settings_in(tmp_path / "var")
    first = fetch.land("demo", "fernleaf", D1, D1 + HOUR, settings)
    load_and_aggregate(settings, first)
    plant_strays(settings, "fernleaf", hours=False)
    second = fetch.land("demo", "fernleaf", D1 + HOUR, D1 + 2 * HOUR, settings)
    load_and_aggregate(settings, second)
    assert rows(settings, "select count(*), min(hour), max(hour) from brand_hourly") == [
        (2, timeutil.naive_utc(D1), timeutil.naive_utc(D1 + HOUR))
    ]


def spikes(settings: Settings) -> list[tuple[Any, ...]]:
    return rows(
        settings,
        "select metric, started_at, last_hour, ended_at, hours from spikes"
        " where started_at < '2030-01-01' order by all",
    )


def test_a_stray_hour_in_2099_moves_neither_the_judged_hours_nor_the_end_of_a_running_spike(
    loaded: Settings,  # noqa: F811
) -> None:
    # Hours stored up to three hours into the surge: the spike is running.
    now = SPIKE_START + 3 * HOUR
    con = connection.connect(loaded.warehouse)
    con.execute("delete from brand_hourly where hour >= ?", [timeutil.naive_utc(now)])
    con.close()
    alerting.evaluate(loaded, None, alerts=False, as_of=now)
    running = spikes(loaded)
    assert running and all(ended is None for *_, ended, _ in running)
    assert {m for m, *_ in running} >= {"complaints"}

    plant_strays(loaded, "pebble")
    alerting.evaluate(loaded, None, alerts=False, as_of=now)
    assert spikes(loaded) == running  # not ended by the 2099 hour, nothing judged there
    assert rows(loaded, "select count(*) from spike_hours where hour > ?", [now]) == [(0,)]


# --------------------------------------------------------------------------------------
# 3. A post re-delivered with another time stops counting at its old hour and day
# --------------------------------------------------------------------------------------


def test_a_post_redelivered_at_another_hour_leaves_its_old_hour_and_day(tmp_path: Path) -> None:
    settings = pebble_settings(tmp_path)
    old, new = D1 + 10 * HOUR, D1 + 2 * DAY + 12 * HOUR
    first = [
        demo_record("7", old + timedelta(minutes=30)),
        demo_record("8", old + timedelta(minutes=40), "pebble is fine"),
    ]
    load_hour(settings, "pebble", old, first)
    load_hour(settings, "pebble", new, [demo_record("7", new + timedelta(minutes=5))])
    hourly = dict(rows(settings, "select hour, posts from brand_hourly"))
    assert hourly == {timeutil.naive_utc(old): 1, timeutil.naive_utc(new): 1}
    daily = dict(rows(settings, "select day, posts from brand_daily"))
    assert daily == {old.date(): 1, new.date(): 1}
    assert rows(settings, "select post_id, created_at from posts order by 1") == [
        ("7", timeutil.naive_utc(new + timedelta(minutes=5))),
        ("8", timeutil.naive_utc(old + timedelta(minutes=40))),
    ]
    assert rows(settings, "select count(*) from moved_posts") == [(0,)]
    # Its complaint response moved with it (the old row would break the mart's key).
    assert rows(settings, "select post_id, created_at from complaint_responses") == [
        ("7", timeutil.naive_utc(new + timedelta(minutes=5)))
    ]


def test_a_file_redelivering_a_post_at_another_time_refreshes_both_hours(acme: Settings) -> None:
    recent = timeutil.floor_hour(datetime.now(UTC)) - 3 * DAY
    drop(acme, "a.csv", [("1", recent, "acme order never arrived"), ("2", recent, "acme ok")])
    file_import.import_files(acme)
    drop(acme, "b.csv", [("1", recent + DAY + 5 * HOUR, "acme order never arrived")])
    file_import.import_files(acme)
    hourly = dict(rows(acme, "select hour, posts from brand_hourly where posts > 0"))
    assert hourly == {timeutil.naive_utc(recent): 1, timeutil.naive_utc(recent + DAY + 5 * HOUR): 1}
    assert sum(n for _, n in rows(acme, "select day, posts from brand_daily")) == 2
    assert rows(acme, "select count(*) from moved_posts") == [(0,)]


# --------------------------------------------------------------------------------------
# 4. Reruns of any interval leave the warehouse exactly as a clean run
# --------------------------------------------------------------------------------------

#: Columns left out of the comparison: wall-clock audit times (tests.dbdump), and
#: load_runs.landing_path, which names the landed file a run read (a rerun lands its own).
SKIP = AUDIT_COLUMNS | {"landing_path"}


def land_with_bad_records(settings: Settings, start: datetime, end: datetime) -> landing.Batch:
    """The demo's records for ``[start, end)`` plus, every fifth hour, a record that cannot
    be stored and a repeated one: the same records whatever interval the run covers."""
    batch = fetch.land("demo", "fernleaf", start, end, settings)
    records = list(landing.read_batch(batch))
    extra = []
    for lo, _ in loads.pieces(start, end):
        if lo.hour % 5:
            continue
        extra.append(demo_record(f"9{lo:%m%d%H}", lo + timedelta(minutes=7), text=""))
        in_hour = [r for r in records if r["created_at"].startswith(f"{lo:%Y-%m-%dT%H}")]
        extra += in_hour[:1]
    return land_records(settings, "fernleaf", start, end, records + extra)


def run(settings: Settings, intervals: list[tuple[datetime, datetime]]) -> None:
    for start, end in intervals:
        load_and_aggregate(settings, land_with_bad_records(settings, start, end))


def test_reruns_of_hours_and_overlapping_ranges_equal_a_clean_run(tmp_path: Path) -> None:
    clean, rerun = settings_in(tmp_path / "a"), settings_in(tmp_path / "b")
    days = [(D1 + i * DAY, D1 + (i + 1) * DAY) for i in range(3)]
    run(clean, days)
    run(
        rerun,
        [
            *days,
            (D1 + DAY + 5 * HOUR, D1 + DAY + 6 * HOUR),  # an hour inside a loaded day
            (D1 + 12 * HOUR, D1 + DAY + 12 * HOUR),  # across two loaded days
            (D1 + 3 * DAY - HOUR, D1 + 3 * DAY),  # the last hour
            (D1 + 2 * DAY - 2 * HOUR, D1 + 2 * DAY + 3 * HOUR),  # across midnight
            days[1],  # a whole day again
        ],
    )
    [(quarantined, duplicates, ledger_rows)] = rows(
        clean, "select sum(quarantined), sum(duplicates), count(*) from load_runs"
    )
    assert quarantined == 15 and duplicates > 10 and ledger_rows == 72  # 3 days of hours
    assert rows(clean, "select count(*) from quarantine") == [(15,)]
    a, b = dump(clean.warehouse, SKIP), dump(rerun.warehouse, SKIP)
    # quality_results is the log of the checks each load and refresh ran, one row per batch
    # checked: a rerun's own batch adds its rows, and a refresh's counts say what was stored
    # at the time. The posts checks of every clean batch are there, the same.
    posts_checks = {r for r in a.pop("quality_results") if r[0] == "posts"}
    assert posts_checks <= set(b.pop("quality_results"))
    assert a.keys() == b.keys()
    for table in a:
        assert a[table] == b[table], table


def test_a_rerun_cutting_across_the_ledgers_hours_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = pebble_settings(tmp_path)
    start = D1 + 10 * HOUR
    load_and_aggregate(settings, land_records(settings, "pebble", start, start + 2 * HOUR, []))
    half = start + timedelta(minutes=30)
    with caplog.at_level("WARNING", logger="pipeline.warehouse.loads"):
        loading.load(land_records(settings, "pebble", half, half + HOUR, []), settings)
    assert "cuts across 2 earlier ledger row(s)" in caplog.text
