"""The learned complaint stage in the load: stored next to the cue score, per brand switch."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline.cli.main import main
from pipeline.scoring.learned import stage_for
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import fetch, loading
from tests.conftest import pebble_brands, write_brands

# Six hours of the demo's Pebble outage day: complaints, questions, praise, replies, reposts.
START, END = datetime(2026, 10, 22, 16, tzinfo=UTC), datetime(2026, 10, 22, 22, tzinfo=UTC)
QUERY = (
    "select post_id, is_brand_reply, repost_of, is_complaint, complaint_score, "
    "learned_complaint_score, complaint_category, model_version from posts order by post_id"
)


def _load(tmp_path: Path, name: str, learned: bool) -> list[tuple[object, ...]]:
    brands = write_brands(
        tmp_path / f"{name}.yaml", pebble_brands(overrides={"learned_complaints": learned})
    )
    settings = Settings.from_env(
        {"BRANDPULSE_HOME": str(tmp_path / name), "BRANDPULSE_BRANDS": str(brands)}
    )
    loading.load(fetch.land("demo", "pebble", START, END, settings), settings)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(QUERY).fetchall()


def test_the_learned_score_is_stored_where_the_stage_ran_and_only_adds(tmp_path: Path) -> None:
    on, off = _load(tmp_path, "on", True), _load(tmp_path, "off", False)
    assert len(on) == len(off) > 200
    head = stage_for(PROJECT_ROOT / "models").head
    ran = added = 0
    for a, b in zip(on, off, strict=True):
        post_id, reply, repost, complaint, cue, learned, category, version = a
        assert post_id == b[0] and cue == b[4]  # the same posts, the same cue scores
        assert b[5] is None and "+learned-" not in str(b[7])  # off: never run
        assert "+learned-" in str(version)
        if learned is None:
            assert (complaint, category) == (b[3], b[6])
            continue
        ran += 1
        assert not reply and repost is None  # never on the brand's replies or reposts
        assert head.low <= float(cue) < 0.5  # only in the band
        assert complaint == (float(learned) >= head.bar)
        if complaint:
            added += 1
            assert category is not None  # the cues' category
    assert ran > 50 and added > 0
    assert sum(bool(r[3]) for r in on) == sum(bool(r[3]) for r in off) + added


def test_score_as_the_brand_reproduces_what_the_load_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``brandpulse score --brand`` goes through the load's code (routing.route): the same
    cue and learned scores, verdicts and categories, post by post, as the warehouse."""
    brands = write_brands(
        tmp_path / "b.yaml", pebble_brands(overrides={"learned_complaints": True})
    )
    home = tmp_path / "home"
    env = {"BRANDPULSE_HOME": str(home), "BRANDPULSE_BRANDS": str(brands)}
    settings = Settings.from_env(env)
    loading.load(fetch.land("demo", "pebble", START, END, settings), settings)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        stored = con.execute(
            "select post_id, text, lang, is_complaint, complaint_score, "
            "learned_complaint_score, complaint_category from posts "
            "where not is_brand_reply and repost_of is null order by post_id"
        ).fetchall()
    src, out = tmp_path / "posts.jsonl", tmp_path / "scored.jsonl"
    src.write_text(
        "".join(json.dumps({"id": r[0], "text": r[1], "lang": r[2]}) + "\n" for r in stored),
        encoding="utf-8",
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(["score", "--input", str(src), "--output", str(out), "--brand", "pebble"])
    assert code == 0, capsys.readouterr().err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [s[0] for s in stored] and len(rows) > 150
    ran = 0
    for row, (_, _, _, complaint, cue, learned, category) in zip(rows, stored, strict=True):
        assert (row["is_complaint"], row["complaint_score"]) == (complaint, cue)
        assert (row["learned_complaint_score"], row["complaint_category"]) == (learned, category)
        ran += learned is not None
    assert ran > 50
