"""The language rule (declared, confirmed, detected) and routing by a brand's languages,
on hand-written posts; lingua runs for real (offline, no model download)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.scoring import routing
from pipeline.scoring.languages import How, LanguageRule, declared_code, words_of
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.brands import load_brands
from tests.conftest import pebble_brands, write_brands

MODELS = PROJECT_ROOT / "models"


@pytest.fixture(scope="module")
def rule() -> LanguageRule:
    return LanguageRule(MODELS)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("en", "en"), ("es-MX", "es"), ("pt_BR", "pt"), ("spa", "es"), ("ENG", "en"),
        ("und", None), ("zxx", None), ("", None), (None, None), ("English", None),
        ("ja", "ja"),
    ],
)  # fmt: skip
def test_declared_codes_are_reduced_to_their_primary_language(
    raw: str | None, code: str | None
) -> None:
    assert declared_code(raw) == code


def test_words_leave_out_handles_tags_links_and_numbers() -> None:
    text = "@PebbleCares no signal since 7am!! https://x.co/a #fail don’t www.p.com (@x)"
    assert words_of(text) == ["no", "signal", "since", "am", "don't"]


def test_a_declared_language_the_function_words_confirm_skips_the_detector(
    rule: LanguageRule,
) -> None:
    reading = rule.read("@PebbleCares me cobraron dos veces este mes y nadie responde", "es")
    assert (reading.lang, reading.how) == ("es", How.CONFIRMED)


def test_a_declared_language_the_text_plainly_contradicts_is_overruled(rule: LanguageRule) -> None:
    french = "@PebbleCares toujours pas de réseau depuis lundi, c'est vraiment nul"
    assert rule.read(french, "en").lang == "fr"
    spanish = "@PebbleCares sigo sin señal desde el lunes y nadie me da una solución"
    reading = rule.read(spanish, "en")
    assert (reading.lang, reading.how) == ("es", How.DETECTED)


def test_short_texts_keep_the_declared_language_or_have_none(rule: LanguageRule) -> None:
    assert rule.read("@pebble down again", "es").lang == "es"  # too short to argue with
    reading = rule.read("@pebble ok 10/10 🔥", None)
    assert (reading.lang, reading.how) == (None, How.NONE)


def test_undeclared_texts_are_named_by_function_words_or_detected(rule: LanguageRule) -> None:
    words = rule.read("why is my bill twice what it was and nobody will tell me", None)
    assert (words.lang, words.how) == ("en", How.WORDS)
    detected = rule.read("Lieferung kam zerbrochen an, Kundendienst antwortet nicht", None)
    assert (detected.lang, detected.how) == ("de", How.DETECTED)


def test_a_declared_language_outside_the_detector_is_taken_as_it_is(rule: LanguageRule) -> None:
    assert rule.read("ペブルの電波が一日中ない", "ja").lang == "ja"


def test_a_broken_languages_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "languages.yaml").write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"languages.yaml: expected a mapping"):
        LanguageRule(tmp_path)
    with pytest.raises(ConfigError, match=r"scoring asset not found: .*languages.yaml"):
        LanguageRule(tmp_path / "missing")


def _brand(tmp_path: Path, languages: list[str]) -> BrandConfig:
    path = write_brands(tmp_path / "brands.yaml", pebble_brands(languages=languages))
    return load_brands(path).get("pebble")


def test_routing_scores_each_language_with_its_own_scorer_or_leaves_it_unscored(
    tmp_path: Path,
) -> None:
    brand = _brand(tmp_path, ["en", "es"])
    texts = [
        "@PebbleCares charged twice this month, nobody answers",
        "@PebbleCares me cobraron dos veces este mes y nadie responde",
        "@PebbleCares toujours pas de réseau depuis lundi, c'est vraiment nul",
        "🔥🔥",
    ]
    english, spanish, french, emoji = routing.route(brand, texts, ["en", "es", "fr", None])
    assert english.score is not None and english.score.is_complaint
    assert "lexicon-es" not in english.model_version
    assert spanish.score is not None and spanish.score.is_complaint
    assert spanish.model_version.startswith("vader-3.3.2+lexicon-es-")
    assert (french.score, french.text_lang) == (None, "fr")
    assert french.unscored_reason == "language 'fr' is not one of the brand's (en, es)"
    assert emoji.score is not None and emoji.text_lang is None  # the brand's first language


def test_a_brand_language_without_a_scorer_is_unscored_with_that_reason(tmp_path: Path) -> None:
    brand = _brand(tmp_path, ["fr", "en"])
    [french] = routing.route(brand, ["toujours pas de réseau depuis lundi, c'est nul"], ["fr"])
    assert french.score is None
    assert french.unscored_reason == "language 'fr' has no scorer (en, es)"


def test_english_posts_route_to_the_very_scores_of_the_english_scorer(tmp_path: Path) -> None:
    from pipeline.scoring.scorer import scorer_for

    brand = _brand(tmp_path, ["en", "es"])
    texts = ["not horrible at all 👍🏽", "WORST. SERVICE. EVER!!! @PebbleCares", "kind of ok, but"]
    routed = routing.route(brand, texts, ["en"] * len(texts))
    assert [r.score for r in routed] == [scorer_for(brand).score(t) for t in texts]
