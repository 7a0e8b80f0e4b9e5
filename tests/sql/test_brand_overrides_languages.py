"""A brand's overrides in Spanish, end to end on a real DuckDB file: the warehouse stores its
Spanish posts scored with its shared and Spanish overrides, and ``brandpulse score --brand``
writes the very same scores for the same posts."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline import timeutil
from tests.cli.test_cli import run_cli
from tests.conftest import pebble_brands, write_brands
from tests.sql.test_bounds import demo_record, land_records, load_and_aggregate, rows, settings_in

D1 = datetime(2026, 10, 20, tzinfo=UTC)
OVERRIDES = {
    "history": {"start": "2026-10-01"},
    "lexicon": {"zorkify": -3},
    "categories": {"roaming": {"keywords": ["roaming", "abroad"]}, "safety": None},
    "languages": {"es": {"categories": {"roaming": {"keywords": ["roaming", "extranjero"]}}}},
}
POSTS = [
    ("1", "es", "@PebbleCares me cobraron el roaming en el extranjero y nadie me responde"),
    ("2", "es", "@PebbleCares el cargador echó humo y chispas, casi se quema, nadie responde"),
    ("3", "es", "@PebbleCares el zorkify nuevo no funciona y nadie me responde desde el lunes"),
    ("4", "en", "@PebbleCares charged for roaming abroad again and nobody answers my emails"),
]  # fmt: skip


def test_score_as_a_brand_reproduces_the_warehouse_for_spanish_posts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    brands = write_brands(
        tmp_path / "brands.yaml", pebble_brands(languages=["en", "es"], overrides=OVERRIDES)
    )
    settings = settings_in(tmp_path / "var", brands)
    start = D1 + 13 * timeutil.HOUR
    records = []
    for i, (post_id, lang, text) in enumerate(POSTS):
        record = demo_record(post_id, start + timedelta(minutes=i + 1), text)
        record["lang"] = lang
        records.append(record)
    batch = land_records(settings, "pebble", start, start + timeutil.HOUR, records)
    assert load_and_aggregate(settings, batch).loaded == len(POSTS)
    stored = rows(
        settings,
        "select post_id, text_lang, compound, sentiment_compound, is_complaint, complaint_score,"
        " complaint_category, model_version from posts order by post_id",
    )
    # The brand's categories and lexicon reach its Spanish posts.
    assert [r[1] for r in stored] == ["es", "es", "es", "en"]
    assert all(r[4] for r in stored)
    assert (stored[0][6], stored[3][6]) == ("roaming", "roaming")
    assert stored[1][6] not in ("safety", None)  # removed in every language
    assert stored[2][2] < 0  # "zorkify", from the shared lexicon

    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "lang", "text"])
        writer.writerows(POSTS)
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(brands))
    code, _, err = run_cli(
        capsys, "score", "--input", str(src), "--output", str(out), "--brand", "pebble"
    )
    assert code == 0, err
    with out.open(encoding="utf-8", newline="") as fh:
        scored = list(csv.DictReader(fh))
    for row, (_, lang, compound, fixed, is_complaint, score, category, _) in zip(
        scored, stored, strict=True
    ):
        assert row["text_lang"] == lang
        assert (float(row["compound"]), float(row["sentiment_compound"])) == (compound, fixed)
        assert row["is_complaint"] == str(is_complaint)
        assert float(row["complaint_score"]) == score
        assert row["complaint_category"] == category
