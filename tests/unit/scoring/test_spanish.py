"""The Spanish scorer on hand-written posts: its lexicon (slang, emoji, negation, boosters,
"pero"), complaint cues and categories; and the lexicon file's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.scoring.lexicon import read_lexicon
from pipeline.scoring.scorer import Scorer
from pipeline.settings import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"


@pytest.fixture(scope="module")
def es() -> Scorer:
    return Scorer(MODELS, language="es")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("@Pebble está brutal el nuevo plan 🔥", "positive"),
        ("la app de @Pebble es una joya, súper rápida", "positive"),
        ("el servicio es pésimo", "negative"),
        ("esto es una estafa, qué vergüenza", "negative"),
        ("@Pebble a qué hora abren el domingo", "neutral"),
        ("no es bueno", "negative"),
        ("buenisimo el soporte, resolvieron todo en 5 min", "positive"),
    ],
)
def test_spanish_sentiment_on_hand_written_posts(es: Scorer, text: str, label: str) -> None:
    assert es.score(text).sentiment.value == label


def test_negation_boosters_and_pero_follow_vaders_rules(es: Scorer) -> None:
    good = es.score("es bueno").compound
    assert es.score("es muy bueno").compound > good  # a booster
    assert es.score("no es bueno").compound < 0 < good  # a negator flips
    assert es.score("nunca es bueno").compound < 0
    # the clause after "pero" weighs more
    assert (
        es.score("es bueno pero la app es horrible").compound
        < es.score("la app es horrible pero es bueno").compound
    )
    assert es.score("no está mal").sentiment_compound > 0  # a negated negative, mildly


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("@PebbleAyuda me cobraron dos veces este mes", "billing"),
        ("@Pebble sin señal desde las 8, ya van 3 horas", "outage"),
        ("@Pebble mi pedido no llegó y el seguimiento sigue en 'etiqueta creada' desde el lunes",
         "delivery"),
        ("@Pebble el cargador se calentó y salió humo, casi se quema la casa", "safety"),
        ("@Pebble el chofer me gritó y me tiró la bolsa, un maleducado", "staff"),
    ],
)  # fmt: skip
def test_spanish_complaints_and_their_categories(es: Scorer, text: str, category: str) -> None:
    score = es.score(text)
    assert score.is_complaint, (text, score)
    assert score.complaint_category == category


@pytest.mark.parametrize(
    "text",
    [
        "Me cobraron dos veces",
        "@Pebble nadie me responde, ya es la tercera vez que escribo",
        "genial @Pebble, otra vez sin internet 🙃",
    ],
)
def test_problem_reports_and_sarcasm_are_complaints(es: Scorer, text: str) -> None:
    assert es.score(text).is_complaint, text


@pytest.mark.parametrize(
    "text",
    [
        "@Pebble está brutal el nuevo plan 🔥",
        "mil gracias @PebbleAyuda por resolverlo tan rápido!",
        "@Pebble tienen planes para tablets?",
        "no tuve ningún problema con la portabilidad, todo perfecto",
    ],
)
def test_praise_and_plain_questions_are_not_complaints(es: Scorer, text: str) -> None:
    assert not es.score(text).is_complaint, text


def test_the_spanish_scorer_runs_on_the_pure_python_core_and_names_its_assets(
    es: Scorer,
) -> None:
    assert es.core == "python" and es.language == "es"
    assert es.model_version.startswith("vader-3.3.2+lexicon-es-")
    assert "+cues-es-" in es.model_version and "+categories-es-" in es.model_version


def test_lexicon_entries_and_errors(tmp_path: Path) -> None:
    words = read_lexicon(MODELS / "lexicons" / "es.txt")
    assert len(words) >= 3000
    assert words["brutal"] > 0 and words["pésimo"] < 0 and words["pesimo"] == words["pésimo"]
    bad = tmp_path / "xx.txt"
    bad.write_text("# comment\nbueno\t1.9\nmalo -2.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"xx.txt, line 3: expected a token, a tab"):
        read_lexicon(bad)
    bad.write_text("enorme\t7\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1: valence 7.0 is outside -4..4"):
        read_lexicon(bad)
    with pytest.raises(ConfigError, match=r"scoring asset not found"):
        read_lexicon(tmp_path / "none.txt")
