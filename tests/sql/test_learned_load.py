"""The learned complaint stage in the load: stored next to the cue score, per brand switch."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

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
