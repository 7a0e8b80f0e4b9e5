"""A brand's lexicon, categories and products in every language it scores, with a language's
own words (``overrides.languages``) on top: hand-written posts, real scorers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.config.loading import parse_brands
from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.scoring.scorer import Scorer, scorer_for
from pipeline.settings import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"


def brand(overrides: dict[str, Any] | None = None, **fields: Any) -> BrandConfig:
    raw: dict[str, Any] = {
        "id": "skyco", "name": "Sky Co", "accounts": ["@SkyCo"], "terms": ["skyco"],
        "languages": ["en", "es"], **fields,
    }  # fmt: skip
    if overrides is not None:
        raw["overrides"] = overrides
    return parse_brands({"brands": [raw]}, Path("brands.yaml")).brands[0]


@pytest.fixture(scope="module")
def plain_es() -> Scorer:
    return Scorer(MODELS, language="es")


def test_the_shared_lexicon_applies_to_the_spanish_scorer_too(plain_es: Scorer) -> None:
    text = "el nuevo zorkify de @SkyCo"
    spanish = scorer_for(brand({"lexicon": {"zorkify": -3.5}}), "es")
    assert plain_es.score(text).compound >= 0
    assert spanish.score(text).compound < -0.5
    assert spanish.score(text).sentiment.value == "negative"


def test_a_language_s_own_lexicon_applies_to_that_language_only(plain_es: Scorer) -> None:
    # "brutal" is Spanish slang for great (positive in the Spanish lexicon); for this brand
    # it is read as bad in Spanish, and English keeps VADER's own "brutal".
    configured = brand({"languages": {"es": {"lexicon": {"brutal": -3}}}})
    assert plain_es.score("está brutal").compound > 0
    assert scorer_for(configured, "es").score("está brutal").compound < 0
    english = "the new update is brutal"
    assert scorer_for(configured, "en").score(english) == scorer_for(brand(), "en").score(english)


def test_shared_categories_add_and_remove_in_spanish_with_the_language_s_own_words() -> None:
    overrides = {
        "categories": {"flights": {"keywords": ["flights?", "gate"]}, "safety": None},
        "languages": {"es": {"categories": {"flights": {"keywords": ["vuelos?", "embarque"]}}}},
    }
    configured = brand(overrides)
    spanish, english = scorer_for(configured, "es"), scorer_for(configured, "en")
    assert spanish.categories[0] == english.categories[0] == "flights"
    assert "safety" not in spanish.categories and "safety" not in english.categories
    assert spanish.category("@SkyCo otra vez el vuelo, el embarque un caos") == "flights"
    # In Spanish the category's words are the Spanish ones; English keeps the shared ones.
    assert spanish.category("@SkyCo el gate cambió tres veces") != "flights"
    assert english.category("@SkyCo my flight moved gate three times") == "flights"
    # Removed everywhere: a Spanish hazard no longer files as safety.
    assert spanish.category("@SkyCo el cargador echó humo y chispas") != "safety"


def test_a_spanish_category_of_its_own_is_a_category_there_only() -> None:
    own = {"maletas": {"keywords": ["maletas?"]}}
    configured = brand({"languages": {"es": {"categories": own}}})
    assert scorer_for(configured, "es").category("@SkyCo perdieron mi maleta") == "maletas"
    assert "maletas" not in scorer_for(configured, "en").categories


def test_product_names_are_not_category_keywords_in_spanish(plain_es: Scorer) -> None:
    text = "@SkyCo mi Fuego Max dejó de cargar a la semana"
    configured = scorer_for(brand(products=["Fuego Max"]), "es")
    assert plain_es.category(text) == "safety"  # "fuego" is a Spanish safety keyword
    assert configured.category(text) != "safety"
    assert configured.category("@SkyCo el Fuego Max echó humo y se quemó") == "safety"


def test_english_scores_and_model_version_ignore_another_language_s_block() -> None:
    only_es = brand({"lexicon": {"zorkify": -2}, "languages": {"es": {"lexicon": {"chido": -2}}}})
    shared = brand({"lexicon": {"zorkify": -2}})
    assert scorer_for(only_es, "en").model_version == scorer_for(shared, "en").model_version
    assert scorer_for(only_es, "es").model_version != scorer_for(shared, "es").model_version


def _es(spec: Any) -> dict[str, Any]:
    return {"languages": {"es": spec}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"languages": {"fr": {"lexicon": {"nul": -2}}}},
            "field 'overrides.languages.fr': not one of the brand's languages (en, es)",
        ),
        (
            _es({"lexicon": {"dos palabras": 1}}),
            "field 'overrides.languages.es.lexicon.dos palabras': must be a single",
        ),
        (
            _es({"categories": {"Vuelos": {"keywords": ["x"]}}}),
            "field 'overrides.languages.es.categories.Vuelos'",
        ),
        (_es({"categories": {"vuelos": {"keywords": ["("]}}}), "invalid pattern"),
        (_es({"threshold": 0.4}), "field 'overrides.languages.es.threshold': unknown field"),
        ({"languages": ["es"]}, "field 'overrides.languages': must be a mapping"),
    ],
)
def test_invalid_language_overrides_name_the_field(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=r"brands\.yaml: brand 'skyco'") as err:
        brand(overrides)
    assert message in str(err.value)
