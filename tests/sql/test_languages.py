"""Posts in other languages, on real DuckDB files: each post is scored in its own language or
stored unscored (null scores, the reason), counted as ``unscored`` in brand_hourly and
brand_daily and in no other measure, and the posts gate holds null scores to unscored posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from pipeline import timeutil
from pipeline.notify.report.sending import render_report
from pipeline.posts import quality
from tests.helpers import demo_record, load_hour, pebble_settings, rows

#: The hour every test here loads, and the brand's history start before it.
START = datetime(2026, 10, 20, 13, tzinfo=UTC)
HISTORY = {"history": {"start": "2026-10-01"}}

ENGLISH = "@PebbleCares charged twice this month and nobody answers my emails, again"
SPANISH = "@PebbleCares me cobraron dos veces este mes y nadie me responde, otra vez"
SPANISH_2 = "@PebbleCares sigo sin señal desde el lunes y nadie me da una solución"
FRENCH = "@PebbleCares on m'a facturé deux fois ce mois-ci et personne ne répond, encore"
FRENCH_2 = "@PebbleCares toujours pas de réseau depuis lundi, c'est vraiment nul"


def _record(post_id: str, minute: int, text: str, lang: str | None) -> dict:
    record = demo_record(post_id, START + timedelta(minutes=minute), text)
    if lang is None:
        del record["lang"]
    else:
        record["lang"] = lang
    return record


def test_posts_are_scored_in_their_language_or_stored_unscored_and_counted(
    tmp_path: Path,
) -> None:
    settings = pebble_settings(tmp_path, languages=["en", "es"], overrides=HISTORY)
    result = load_hour(
        settings,
        "pebble",
        START,
        [
            _record("1", 1, ENGLISH, "en"),
            _record("2", 2, SPANISH, "es"),
            _record("3", 3, SPANISH_2, None),  # no language given: detected
            _record("4", 4, FRENCH, "fr"),  # no French scorer
            _record("5", 5, FRENCH_2, "en"),  # declared English, plainly French: detected
        ],
    )
    assert result.loaded == 5 and result.quarantined == 0
    stored = {
        r[0]: r[1:]
        for r in rows(
            settings,
            "select post_id, text_lang, unscored_reason, compound, is_complaint, model_version "
            "from posts order by post_id",
        )
    }
    assert stored["1"][0] == "en" and stored["1"][1] is None and stored["1"][3] is True
    assert "lexicon-es" not in stored["1"][4]
    for spanish in ("2", "3"):
        lang, reason, compound, is_complaint, version = stored[spanish]
        assert (lang, reason, is_complaint) == ("es", None, True)
        assert compound is not None and "+lexicon-es-" in version
    for french in ("4", "5"):
        lang, reason, compound, is_complaint, version = stored[french]
        assert lang == "fr" and compound is None and is_complaint is None
        assert reason == "language 'fr' is not one of the brand's (en, es)"
        assert version.startswith("unscored+languages-")
    [hour] = rows(
        settings,
        "select posts, positive + neutral + negative, complaints, unscored from brand_hourly "
        "where brand = 'pebble' and hour = ?",
        [timeutil.naive_utc(START)],
    )
    assert hour == (3, 3, 3, 2)
    [day] = rows(
        settings,
        "select posts, complaints, unscored from brand_daily where day = '2026-10-20'",
    )
    assert day == (3, 3, 2)
    [(categorised,)] = rows(
        settings, "select sum(complaints) from brand_daily_categories where day = '2026-10-20'"
    )
    assert categorised == 3
    report = render_report(settings, "pebble", date(2026, 10, 20), refresh=False)
    assert report.data.headline.unscored == 2
    assert "2 posts in other languages were not scored." in report.text
    assert "2 posts in other languages were not scored." in report.html


def test_an_english_only_brand_leaves_spanish_posts_unscored(tmp_path: Path) -> None:
    settings = pebble_settings(tmp_path, overrides=HISTORY)
    load_hour(
        settings, "pebble", START, [_record("1", 1, SPANISH, "es"), _record("2", 2, "🔥🔥", None)]
    )
    stored = dict(rows(settings, "select post_id, unscored_reason from posts"))
    assert stored["1"] == "language 'es' is not one of the brand's (en)"
    assert stored["2"] is None  # no language to tell: read in the brand's first language
    assert rows(settings, "select posts, unscored from brand_daily where day = '2026-10-20'") == [
        (1, 1)
    ]


def _frame(unscored: list[str | None], compound: list[float | None]) -> pd.DataFrame:
    n = len(unscored)
    at = datetime(2026, 10, 20, 13, 5)
    return pd.DataFrame(
        {
            "source": ["demo"] * n,
            "brand": ["pebble"] * n,
            "post_id": [str(i) for i in range(n)],
            "created_at": [at] * n,
            "text": ["t"] * n,
            "lang": ["es"] * n,
            "author_followers": [1] * n,
            "compound": compound,
            "sentiment": [None if c is None else "neutral" for c in compound],
            "is_complaint": [None if c is None else False for c in compound],
            "complaint_score": [None if c is None else 0.1 for c in compound],
            "unscored_reason": unscored,
        }
    )


def test_the_posts_gate_accepts_null_scores_for_unscored_posts_only() -> None:
    reason = "language 'fr' has no scorer (en, es)"
    frame = _frame([None, reason, None, reason], [0.5, None, None, 0.2])
    [gate] = quality.gate_post_batches(
        [
            quality.PostBatch(
                posts=frame,
                quarantine=pd.DataFrame(
                    columns=["record_no", "post_id", "reason", "raw", "created_at"]
                ),
                record_nos=[0, 1, 2, 3],
                records=lambda: [{"n": i} for i in range(4)],
                source="demo",
                brand="pebble",
                batch_id="b",
                start=datetime(2026, 10, 20, 13, tzinfo=UTC),
                end=datetime(2026, 10, 20, 14, tzinfo=UTC),
                brands=["pebble"],
            )
        ]
    )
    assert list(gate.posts["post_id"]) == ["0", "1"]
    reasons = dict(zip(gate.quarantine["post_id"], gate.quarantine["reason"], strict=True))
    assert "expect_column_values_to_not_be_null(compound)" in reasons["2"]
    assert "expect_column_values_to_be_null(compound)" in reasons["3"]
