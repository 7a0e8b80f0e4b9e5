"""The quality gates: posts failing the posts suite are quarantined with a reason, aggregates
failing theirs are put back and fail the task, every suite run is stored and logged."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.errors import QualityError
from pipeline.ingest import landing
from pipeline.ingest.sources.registry import get_parser
from pipeline.posts import expectations, quality
from pipeline.posts.expectations import SuiteReport
from pipeline.posts.normalize import normalize_batch
from pipeline.scoring.scorer import default_scorer
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import aggregation, fetch, loading
from pipeline.steps.brands import load_brands
from pipeline.warehouse import connection, loads
from pipeline.warehouse.quality import AggregateRows, check_aggregates

START = datetime(2026, 10, 21, 12, tzinfo=UTC)
END = START + timedelta(hours=1)


def record(i: int, **fields: Any) -> dict[str, Any]:
    """A demo-source record (the shape the demo source lands)."""
    return {
        "id": str(1000 + i),
        "created_at": (START + timedelta(minutes=i)).isoformat(),
        "author": {"id": f"a{i}", "handle": f"user{i}", "followers": 10 + i},
        "text": f"the network has been down for hours, post {i}",
        "lang": "en",
        **fields,
    }


def land(settings: Settings, records: list[object]) -> landing.Batch:
    path = landing.batch_path(settings.landing, "demo", "pebble", START, END)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return landing.Batch("demo", "pebble", START, END, path, len(records))


def rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --------------------------------------------------------------------------------------
# posts
# --------------------------------------------------------------------------------------


def test_posts_failing_the_suite_are_quarantined_with_the_expectation_and_value(
    settings: Settings,
) -> None:
    batch = land(
        settings,
        [
            record(0),
            record(1, lang="English"),  # passes normalize, fails the language pattern
            record(2),
            record(1, text="a repeat of post 1001"),  # a duplicate: counted, not quarantined
            record(3, lang="pt-BR"),  # BCP 47 subtags are fine
            record(4, lang=None),  # no language given is fine
            record(5, text=""),  # normalize's own quarantine: "text: empty"
        ],
    )
    brand = load_brands(settings.brands_file).get("pebble")
    reports: list[SuiteReport] = []
    posts, quarantine, result = loading.score_posts(
        batch, brand, default_scorer(), on_quality=reports.append
    )

    assert sorted(posts["post_id"]) == ["1000", "1002", "1003", "1004"]
    by_record = dict(zip(quarantine["record_no"], quarantine["reason"], strict=True))
    assert by_record == {
        6: "text: must be a non-empty string, got ''",
        1: "quality: expect_column_values_to_match_regex(lang): 'English'",
    }
    moved = quarantine[quarantine["record_no"] == 1].iloc[0]
    assert moved["post_id"] == "1001"
    assert json.loads(moved["raw"])["lang"] == "English"  # the record as landed
    assert (result.fetched, result.loaded, result.duplicates, result.quarantined) == (7, 4, 1, 2)
    assert result.fetched == result.loaded + result.duplicates + result.quarantined
    assert sum(result.kinds.values()) == result.loaded
    [report] = reports
    assert report.suite == "posts" and not report.success
    assert report.batch_id == loads.interval_batch_id(START, END)
    [failed] = report.failed
    assert failed.unexpected_count == 1 and failed.element_count == 5


def test_gate_posts_checks_every_row_level_expectation() -> None:
    scorer_columns = {"compound": 0.1, "complaint_score": 0.2}
    base = {
        "source": "demo",
        "brand": "pebble",
        "created_at": datetime(2026, 10, 21, 12, 30),
        "text": "fine",
        "lang": "en",
        "author_followers": 5,
        **scorer_columns,
    }
    bad = [
        {},
        {"created_at": datetime(2026, 10, 21, 13, 0)},  # the interval's end is excluded
        {"created_at": datetime(2026, 10, 21, 11, 59)},
        {"text": ""},
        {"text": "x" * 25_001},
        {"brand": "acme"},
        {"lang": "EN"},
        {"author_followers": -1},
        {"compound": 1.5},
        {"complaint_score": -0.1},
        {"created_at": None},
    ]
    frame = pd.DataFrame([{**base, "post_id": str(i), **b} for i, b in enumerate(bad)])
    quarantine = pd.DataFrame(columns=["record_no", "post_id", "reason", "raw"])
    gate = quality.gate_posts(
        frame,
        quarantine,
        record_nos=[10 + i for i in range(len(bad))],
        records=[{"n": i} for i in range(10 + len(bad))],
        source="demo",
        brand="pebble",
        batch_id="b",
        start=START,
        end=END,
        brands=["pebble"],
    )
    assert list(gate.posts["post_id"]) == ["0"]
    assert gate.quarantined == len(bad) - 1
    reasons = dict(zip(gate.quarantine["post_id"], gate.quarantine["reason"], strict=True))
    expected = {
        "1": "expect_column_values_to_be_between(created_at)",
        "2": "expect_column_values_to_be_between(created_at)",
        "3": "expect_column_value_lengths_to_be_between(text)",
        "4": "expect_column_value_lengths_to_be_between(text)",
        "5": "expect_column_values_to_be_in_set(brand): 'acme'",
        "6": "expect_column_values_to_match_regex(lang): 'EN'",
        "7": "expect_column_values_to_be_between(author_followers): -1",
        "8": "expect_column_values_to_be_between(compound): 1.5",
        "9": "expect_column_values_to_be_between(complaint_score): -0.1",
        "10": "expect_column_values_to_not_be_null(created_at)",
    }
    for post_id, reason in expected.items():
        assert reasons[post_id].startswith("quality: " + reason), (post_id, reasons[post_id])
    assert len(reasons["4"]) < 200  # a long value is quoted shortened
    assert list(gate.quarantine["record_no"]) == [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
    assert json.loads(gate.quarantine["raw"].iloc[0]) == {"n": 11}


def test_a_group_of_batches_is_judged_at_once_and_reported_batch_by_batch(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def frame(n: int, brand: str, day: int, **bad: Any) -> pd.DataFrame:
        at = datetime(2026, 10, day, 12)
        rows = [
            {"source": "demo", "brand": brand, "post_id": f"{day}-{i}", "created_at": at,
             "text": "fine", "lang": "en", "author_followers": 1, "compound": 0.1,
             "complaint_score": 0.2}
            for i in range(n)
        ]  # fmt: skip
        if bad:
            rows[-1].update(bad)
        return pd.DataFrame(rows)

    empty = pd.DataFrame(columns=["record_no", "post_id", "reason", "raw"])
    day = timedelta(days=1)

    def batch(posts: pd.DataFrame, brand: str, day_no: int) -> quality.PostBatch:
        start = datetime(2026, 10, day_no, tzinfo=UTC)
        read: list[int] = []

        def records() -> list[object]:
            read.append(1)
            return [{"record": i, "day": day_no} for i in range(len(posts))]

        return quality.PostBatch(
            posts=posts, quarantine=empty, record_nos=list(range(len(posts))), records=records,
            source="demo", brand=brand, batch_id=f"b{day_no}", start=start, end=start + day,
            brands=[brand],
        )  # fmt: skip

    batches = [
        batch(frame(3, "pebble", 20), "pebble", 20),
        batch(frame(0, "pebble", 21), "pebble", 21),  # nothing to judge: no report
        batch(frame(4, "fernleaf", 22, lang="English"), "fernleaf", 22),
    ]
    with caplog.at_level(logging.INFO, logger="pipeline.posts.quality"):
        first, empty_gate, last = quality.gate_post_batches(batches)

    assert first.report is not None and first.report.success and first.report.rows == 3
    assert {o.element_count for o in first.report.outcomes} == {3}
    assert len(first.posts) == 3 and first.quarantined == 0
    assert empty_gate.report is None
    assert last.report is not None and last.report.batch_id == "b22"
    [failed] = last.report.failed
    assert (failed.element_count, failed.unexpected_count, failed.rows) == (4, 1, (3,))
    assert failed.details["sample"] == ["'English'"]
    assert list(last.posts["post_id"]) == ["22-0", "22-1", "22-2"]
    [reason] = last.quarantine["reason"]
    assert reason == "quality: expect_column_values_to_match_regex(lang): 'English'"
    assert json.loads(last.quarantine["raw"].iloc[0]) == {"record": 3, "day": 22}
    lines = [r.getMessage() for r in caplog.records if r.name == "pipeline.posts.quality"]
    assert [line.split(" rows=")[0].rsplit("batch=", 1)[1] for line in lines] == ["b20", "b22"]


def test_an_empty_batch_runs_no_suite() -> None:
    frame = pd.DataFrame(columns=list(loads.POST_COLUMNS))
    quarantine = pd.DataFrame(columns=["record_no", "post_id", "reason", "raw"])
    gate = quality.gate_posts(
        frame, quarantine, record_nos=[], records=[], source="demo", brand="pebble",
        batch_id="b", start=START, end=END, brands=["pebble"],
    )  # fmt: skip
    assert gate.report is None and gate.posts is frame


def test_record_index_names_the_record_each_post_came_from(settings: Settings) -> None:
    records: list[object] = [
        record(0, created_at="2026-10-01T00:00:00Z"),  # id 1000, outside: rejected
        record(0),  # id 1000 again, valid: kept
        "not json",
        record(1),
        record(0, text="the same id a third time"),  # duplicate
        record(2),
    ]
    brand = load_brands(settings.brands_file).get("pebble")
    index = quality.RecordIndex(get_parser("demo"), records)
    normalized = normalize_batch(index.to_post, brand, records, START, END)
    assert [p.post_id for p in normalized.posts] == ["1000", "1001", "1002"]
    assert index.record_nos(normalized) == [1, 3, 5]


def test_a_load_stores_its_quality_results_and_reconciles(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    batch = land(settings, [record(0), record(1, lang="??"), record(2)])
    with caplog.at_level(logging.INFO, logger="pipeline.posts.quality"):
        result = loading.load(batch, settings)
    assert (result.loaded, result.quarantined) == (2, 1)
    [line] = [r.getMessage() for r in caplog.records if r.name == "pipeline.posts.quality"]
    assert line.startswith("quality suite=posts source=demo brand=pebble batch=20261021T120000Z")
    assert "11/12 expectations passed; failed: expect_column_values_to_match_regex(lang)" in line

    stored = rows(
        settings,
        "select expectation, success, element_count, unexpected_count, details"
        " from quality_results where suite = 'posts' order by expectation",
    )
    assert len(stored) == 12
    failed = [r for r in stored if not r[1]]
    assert [(r[0], r[2], r[3]) for r in failed] == [
        ("expect_column_values_to_match_regex(lang)", 3, 1)
    ]
    assert json.loads(failed[0][4])["sample"] == ["'??'"]
    assert rows(settings, "select fetched, loaded, duplicates, quarantined from load_runs") == [
        (3, 2, 0, 1)
    ]
    # record_no counts the quarantined records of the load's hour, in landed order.
    assert rows(settings, "select record_no, reason like 'quality: %' from quarantine") == [
        (0, True)
    ]
    # A rerun replaces the results, it does not add to them.
    loading.load(batch, settings)
    assert rows(settings, "select count(*) from quality_results") == [(12,)]


# --------------------------------------------------------------------------------------
# aggregates
# --------------------------------------------------------------------------------------


def test_aggregates_pass_their_suites_and_the_results_are_stored(settings: Settings) -> None:
    loading.load(fetch.land("demo", "pebble", START, END, settings), settings)
    aggregation.aggregate(START, END, ["pebble"], settings)
    stored = rows(
        settings,
        "select suite, source, batch_id, bool_and(success), count(*) from quality_results"
        " where suite <> 'posts' group by all order by suite",
    )
    batch_id = loads.interval_batch_id(START, END)
    assert [s[:4] for s in stored] == [
        ("brand_daily", "*", batch_id, True),
        ("brand_daily_categories", "*", batch_id, True),
        ("brand_hourly", "*", batch_id, True),
    ]


def _daily(**over: Any) -> dict[str, Any]:
    return {
        "brand": "pebble", "day": pd.Timestamp("2026-10-21"), "timezone": "UTC", "posts": 4,
        "positive": 1, "neutral": 1, "negative": 2, "complaints": 2, "mean_compound": -0.2,
        "negative_share": 0.5, "complaint_share": 0.5, "reach": 40, "negative_reach": 20,
        "complaint_reach": 20, "negative_reach_share": 0.5, "reposts": 0, "copies": 0,
        "spam": 0, "brand_replies": 0, **over,
    }  # fmt: skip


def _rows(daily: list[dict[str, Any]], categories: list[dict[str, Any]]) -> AggregateRows:
    hourly = pd.DataFrame(
        [{**_daily(), "hour": pd.Timestamp("2026-10-21T12:00")}], columns=[*_daily(), "hour"]
    ).drop(columns=["day", "timezone"])
    return AggregateRows(
        brand="pebble",
        hours=(datetime(2026, 10, 21, 12),),
        days=(date(2026, 10, 21),),
        hourly=hourly,
        daily=pd.DataFrame(daily),
        categories=pd.DataFrame(
            categories,
            columns=["brand", "day", "category", "complaints", "complaint_reach", "share"],
        ),
    )


def _category(n: int, name: str = "outage") -> dict[str, Any]:
    return {
        "brand": "pebble", "day": pd.Timestamp("2026-10-21"), "category": name,
        "complaints": n, "complaint_reach": 10 * n, "share": 1.0,
    }  # fmt: skip


def test_aggregate_suites_catch_broken_rows() -> None:
    good = _rows([_daily()], [_category(2)])
    assert all(r.success for r in check_aggregates(good, batch_id="b"))

    cases = {
        "expect_column_pair_values_to_be_equal(posts, labelled)": ([_daily(neutral=2)], 2),
        "expect_column_pair_values_a_to_be_greater_than_b(posts, complaints)": (
            [_daily(complaints=5, complaint_share=None)],
            5,
        ),
        "expect_column_values_to_be_between(negative_share)": ([_daily(negative_share=1.2)], 2),
        "expect_table_row_count_to_equal()": (
            [_daily(), _daily(day=pd.Timestamp("2026-10-22"), complaints=0, complaint_share=0.0)],
            2,
        ),
        "expect_column_pair_values_to_be_equal(complaints, category_complaints)": (
            [_daily(complaints=3, complaint_share=0.75)],
            2,
        ),
    }
    for expectation, (daily, complaints) in cases.items():
        reports = check_aggregates(_rows(daily, [_category(complaints)]), batch_id="b")
        [report] = [r for r in reports if r.suite == "brand_daily"]
        assert [o.expectation for o in report.failed] == [expectation], expectation

    reports = check_aggregates(_rows([_daily()], [_category(2), _category(2)]), batch_id="b")
    failed = {o.expectation for r in reports for o in r.failed}
    assert failed == {
        "expect_compound_columns_to_be_unique(brand, day, category)",
        "expect_column_pair_values_to_be_equal(complaints, category_complaints)",
    }


def test_a_failing_aggregate_is_put_back_and_fails_the_task(
    settings: Settings, tmp_path: Path
) -> None:
    loading.load(fetch.land("demo", "pebble", START, END, settings), settings)
    aggregation.aggregate(START, END, ["pebble"], settings)
    table = "select * from brand_hourly order by hour"
    before, before_daily = rows(settings, table), rows(settings, "select * from brand_daily")

    # A transform bug: shares above 1.
    broken_sql = tmp_path / "sql"
    shutil.copytree(PROJECT_ROOT / "sql", broken_sql)
    hourly_sql = broken_sql / "models" / "marts" / "brand_hourly.sql"
    text = hourly_sql.read_text(encoding="utf-8")
    hourly_sql.write_text(
        text.replace("as negative_share", "+ 1.5 as negative_share"), encoding="utf-8"
    )
    broken = replace(settings, sql=broken_sql)
    with pytest.raises(QualityError, match="rolled back") as err:
        aggregation.aggregate(START, END, ["pebble"], broken)
    assert "expect_column_values_to_be_between(negative_share)" in str(err.value)

    assert rows(settings, table) == before
    assert rows(settings, "select * from brand_daily") == before_daily
    assert rows(
        settings,
        "select expectation from quality_results where suite = 'brand_hourly' and not success",
    ) == [("expect_column_values_to_be_between(negative_share)",)]


def test_the_frame_great_expectations_checks_fails_the_same_rows() -> None:
    """The gate hands GX post ids as codes and texts as spaces of their length
    (``quality._for_gx``): cheaper to hash, and every expectation fails the same rows."""
    at = datetime(2026, 10, 21, 12, 30)
    frame = pd.DataFrame(
        {
            "source": ["demo"] * 7,
            "brand": ["pebble"] * 7,
            "post_id": ["1", "2", "2", None, "3", "4", "5"],
            "created_at": [at] * 7,
            "text": ["fine", "", "x" * 25_001, "ok", None, "ünïcödé ✓", "x" * 25_000],
            "lang": ["en"] * 7,
            "author_followers": [1] * 7,
            "compound": [0.1] * 7,
            "complaint_score": [0.2] * 7,
            "unscored_reason": [None] * 7,
        }
    )
    params = {
        "start": quality._epoch_us_of(START),
        "end": quality._epoch_us_of(END),
        "brands": ["pebble"],
    }
    as_is = expectations.run_suite(
        quality.POSTS, frame.assign(created_at=quality._epoch_us(frame["created_at"])), params
    )
    cheap = expectations.run_suite(quality.POSTS, quality._for_gx(frame), params)

    def failures(outcomes: tuple[expectations.Outcome, ...]) -> list[tuple[Any, ...]]:
        return [(o.expectation, o.success, o.rows, o.unexpected_count) for o in outcomes]

    assert failures(cheap) == failures(as_is)
    failed = {o.expectation: o.rows for o in cheap if not o.success}
    assert failed == {
        "expect_column_values_to_not_be_null(post_id)": (3,),
        "expect_compound_columns_to_be_unique(source, brand, post_id)": (1, 2),
        "expect_column_value_lengths_to_be_between(text)": (1, 2),
    }
