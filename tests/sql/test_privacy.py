"""Privacy: forgetting an author everywhere, retention of raw text, pseudonyms."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import ConfigError, SourceAuthError
from pipeline.posts import pseudonyms
from pipeline.settings import Settings
from pipeline.steps import planning, runner
from pipeline.warehouse import connection, retention
from tests.conftest import pebble_brands, write_brands

START, END = datetime(2026, 10, 22, 12, tzinfo=UTC), datetime(2026, 10, 22, 20, tzinfo=UTC)
BRANDS = pebble_brands(overrides={"privacy": {"retention_days": 30}})


@pytest.fixture
def loaded(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(write_brands(tmp_path / "b.yaml", BRANDS)))
    s = Settings.from_env()
    runner.run(planning.plan(START, END, settings=s, chunk=END - START), settings=s)
    return s


def _one(s: Settings, sql: str, params: list[object] | None = None) -> tuple[object, ...]:
    con = connection.connect(s.warehouse, read_only=True)
    try:
        row = con.execute(sql, params or []).fetchone()
        assert row is not None
        return tuple(row)
    finally:
        con.close()


def test_forget_removes_an_author_from_every_table_and_the_landing_zone(
    loaded: Settings,
) -> None:
    handle, n = _one(
        loaded,
        "select author_handle, count(*) from posts where kind = 'original' and is_complaint"
        " group by 1 order by 2 desc, 1 limit 1",
    )
    posts_before = _one(loaded, "select count(*) from posts")[0]
    hourly_before = _one(loaded, "select sum(posts) from brand_hourly")[0]
    result = retention.forget_author(loaded, f"@{str(handle).upper()}")  # any case, with @
    assert result.removed["posts"] >= int(str(n)) >= 1
    assert result.removed["complaint_responses"] >= 1 and result.landing_records >= 1
    assert _one(loaded, "select count(*) from posts where author_handle = ?", [handle]) == (0,)
    assert (
        _one(loaded, "select count(*) from posts")[0]
        == int(str(posts_before)) - result.removed["posts"]
    )
    gone = _one(
        loaded,
        "select count(*) from complaint_responses where author_handle = ?",
        [handle],
    )
    assert gone == (0,)
    # The aggregates no longer count the author's posts.
    assert int(str(_one(loaded, "select sum(posts) from brand_hourly")[0])) < int(
        str(hourly_before)
    )
    # Logged, with a hash and never the handle.
    log = _one(loaded, "select action, subject, details from privacy_log")
    assert log[0] == "forget" and log[1] == retention.subject_hash(str(handle))
    assert str(handle) not in json.dumps(log)
    # The landing zone no longer has them: reloading every batch does not bring them back.
    for path in sorted(loaded.landing.glob("source=demo/brand=pebble/**/*.jsonl")):
        assert f'"{handle}"' not in path.read_text(encoding="utf-8")
    runner.run(planning.plan(START, END, settings=loaded, chunk=END - START), settings=loaded)
    # The demo source regenerates the interval on a rerun (a real source would too), so
    # what matters is that forget removed what was stored; see docs/privacy.md.


def test_forget_folds_case_as_the_landing_zone_does_and_finds_any_record_shape(
    loaded: Settings,
) -> None:
    # "Straße" casefolds to "strasse" (SQL's lower() keeps the ß), and a quarantined
    # record may carry the handle under another key than author_handle (here Bluesky's).
    con = connection.connect(loaded.warehouse)
    try:
        [(post_id,)] = con.execute(
            "update posts set author_handle = 'Straße_Fan' where post_id ="
            " (select min(post_id) from posts where kind = 'original') returning post_id"
        ).fetchall()
        con.execute(
            "insert into quarantine (source, brand, batch_id, record_no, post_id, reason, raw)"
            " values ('demo', 'pebble', 'b', 0, 'q1', 'text: empty', ?)",
            [json.dumps({"author": {"handle": "STRASSE_FAN"}, "text": ""})],
        )
    finally:
        con.close()
    result = retention.forget_author(loaded, "@strasse_fan")
    assert result.removed["posts"] == 1 and result.removed["quarantine"] == 1
    assert _one(loaded, "select count(*) from posts where post_id = ?", [post_id]) == (0,)
    assert _one(loaded, "select count(*) from quarantine where post_id = 'q1'") == (0,)


def test_forget_keeps_a_record_nested_deeper_than_python_reads(loaded: Settings) -> None:
    # A landed line and a quarantined record nested past the recursion limit cannot name
    # anyone: forget keeps them (as it keeps any line that is not JSON) and does not crash.
    deep = "[" * 100_000 + "]" * 100_000
    landed = sorted(loaded.landing.glob("source=demo/brand=pebble/**/*.jsonl"))[0]
    landed.write_text(landed.read_text(encoding="utf-8") + deep + "\n", encoding="utf-8")
    con = connection.connect(loaded.warehouse)
    try:
        con.execute(
            "insert into quarantine (source, brand, batch_id, record_no, post_id, reason, raw)"
            " values ('demo', 'pebble', 'b', 0, 'deep', 'record: not a JSON object', ?)",
            [deep],
        )
    finally:
        con.close()
    retention.forget_author(loaded, "@nobody_at_all")
    assert landed.read_text(encoding="utf-8").endswith(deep + "\n")
    assert _one(loaded, "select count(*) from quarantine where post_id = 'deep'") == (1,)


def test_retention_empties_old_text_and_keeps_the_aggregates(loaded: Settings) -> None:
    daily_before = _one(loaded, "select sum(posts), sum(complaints) from brand_daily")
    batches = sorted(loaded.landing.glob("source=demo/brand=pebble/**/*.jsonl"))
    # What a retried backfill land leaves next to a batch (pipeline.ingest.fetching): deleted with
    # it, but not counted as a landing file.
    batches[0].with_name(batches[0].name + ".landed.json").write_text("{}", encoding="utf-8")
    results = retention.apply_retention(loaded, today=date(2026, 12, 1))
    assert [r.brand for r in results] == ["pebble"] and results[0].posts > 0
    assert results[0].landing_files == len(batches) > 0
    assert _one(loaded, "select count(*) from posts where text <> ''") == (0,)
    assert _one(loaded, "select sum(posts), sum(complaints) from brand_daily") == daily_before
    assert not list(loaded.landing.glob("source=demo/brand=pebble/date=*"))
    # Within the retention period nothing changes.
    assert retention.apply_retention(loaded, today=date(2026, 11, 1))[0].posts == 0


def test_pseudonyms_are_keyed_stable_and_keep_replies_matching() -> None:
    pseudo = pseudonyms.Pseudonymizer("k" * 32)
    other = pseudonyms.Pseudonymizer("j" * 32)
    assert pseudo.handle("@Priya") == pseudo.handle("priya") != other.handle("priya")
    frame = pd.DataFrame(
        {
            "author_id": ["u1", "brand"], "author_handle": ["priya", "PebbleCares"],
            "url": ["https://x/priya/1", "https://x/pebblecares/2"],
            "in_reply_to_author_id": [None, "u1"], "is_brand_reply": [False, True],
        }
    )  # fmt: skip
    out = pseudonyms.pseudonymize_posts(frame, pseudo)
    assert out["author_handle"].tolist() == [pseudo.handle("priya"), "PebbleCares"]
    assert out.loc[1, "in_reply_to_author_id"] == out.loc[0, "author_id"] != "u1"
    assert pd.isna(out.loc[0, "url"]) and out.loc[1, "url"] == "https://x/pebblecares/2"


def test_a_missing_or_short_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SourceAuthError, match="BRANDPULSE_PSEUDONYM_KEY"):
        pseudonyms.pseudonymizer()
    monkeypatch.setenv("BRANDPULSE_PSEUDONYM_KEY", "short")
    with pytest.raises(ConfigError, match="at least 16"):
        pseudonyms.pseudonymizer()


def test_forget_and_retention_delete_scored_batches_too(loaded: Settings) -> None:
    """Scored batches (the score task's files) hold post text: forgetting an author deletes
    the brand's (a rerun of their write task cannot bring the author back; it fails until
    the score task has run again), retention deletes the old ones."""
    from pipeline.errors import ScoredBatchError
    from pipeline.ingest import storage
    from pipeline.ingest.landing import Batch
    from pipeline.steps import loading

    def score_all() -> list[str]:
        batches = [
            Batch("demo", "pebble", START, END, str(path), 0)
            for path in sorted(loaded.landing.glob("source=demo/brand=pebble/**/*.jsonl"))
        ]
        return loading.score_batches_to_storage(batches, loaded)

    scored = score_all()
    assert scored and all(storage.exists(s) for s in scored)
    retention.forget_author(loaded, "@nobody_at_all")
    assert not any(storage.exists(s) for s in scored)
    with pytest.raises(ScoredBatchError, match="no scored batch"):
        loading.write_scored(scored[0], loaded)
    assert score_all() == scored
    retention.apply_retention(loaded, today=date(2026, 11, 1))  # within the period: kept
    assert all(storage.exists(s) for s in scored)
    retention.apply_retention(loaded, today=date(2026, 12, 1))
    assert not any(storage.exists(s) for s in scored)
