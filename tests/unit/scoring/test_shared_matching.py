"""The scorers of a process share what they learn per word (one cue index and compiled
matcher per set of patterns), and the language rule remembers the detector's readings:
neither may change an output. Compared here against scorers and rules that start from
nothing, on hostile and multilingual texts, with both scoring cores."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.loading import parse_brands
from pipeline.config.model import BrandConfig
from pipeline.scoring import cues
from pipeline.scoring.languages import LanguageRule, words_of
from pipeline.scoring.scorer import Scorer
from pipeline.settings import PROJECT_ROOT
from tests.unit.scoring.test_core_identity import _all_bytes, adversarial_texts

MODELS = PROJECT_ROOT / "models"

#: Posts in the detector's languages and others, short and long, with handles, tags, links
#: and words that two languages share ("no", "a", "me").
MULTILINGUAL = [
    "El pedido llegó tarde y nadie responde, quiero mi reembolso ya @ayuda",
    "No me llegó el paquete, es la tercera vez que pasa. Qué vergüenza de servicio",
    "Mi pedido nunca llegó y el soporte no contesta desde hace tres días #fail",
    "Je n'ai jamais reçu ma commande et le service client ne répond pas",
    "Ich habe meine Bestellung nie bekommen und niemand antwortet mir",
    "O meu pedido não chegou e ninguém responde, quero o reembolso",
    "Il mio ordine non è mai arrivato e nessuno risponde al telefono",
    "Mijn bestelling is nooit aangekomen en niemand reageert op mijn mails",
    "no no no no, me charged twice again?? @acmehelp",
    "the app is down again lol, ni modo, a ver mañana",
    "charged twice, still waiting for my refund, no one answers",
    "日本語のテキストです、注文が届きません",
    "a a a a a a a a a a a a me me me",
    "https://example.com/x #promo @someone www.example.org",
    "Café naïve ſtraße İstanbul \u212aelvin Ångström",
]


def _brand(
    categories: dict[str, Any] | None = None, lexicon: dict[str, float] | None = None
) -> BrandConfig:
    raw: dict[str, Any] = {"id": "skateco", "name": "Skate Co", "accounts": ["@SkateCo"]}
    raw["terms"] = ["skateco"]
    overrides: dict[str, Any] = {}
    if categories:
        overrides["categories"] = categories
    if lexicon:
        overrides["lexicon"] = lexicon
    if overrides:
        raw["overrides"] = overrides
    return parse_brands({"brands": [raw]}, Path("brands.yaml")).brands[0]


def _outputs(scorer: Scorer, texts: list[str]) -> list[tuple[Any, ...]]:
    out = []
    for text in texts:
        score = scorer.score(text)
        out.append(
            (score, _all_bytes(score), scorer.cues(text), scorer.category(text),
             scorer.is_spam(text))
        )  # fmt: skip
    return out


def test_scorers_with_the_same_patterns_share_one_index_and_matcher() -> None:
    a, b = Scorer(MODELS, core="compiled"), Scorer(MODELS, _brand(), core="compiled")
    assert a._cue_index is b._cue_index
    assert a._categories._index is b._categories._index
    assert a._spam_starts is b._spam_starts
    assert a._compiled_families is not None and b._compiled_families is not None
    assert a._compiled_families.__self__ is b._compiled_families.__self__
    # A brand with its own categories gets its own category index, the cues stay shared.
    own = Scorer(MODELS, _brand({"flights": {"keywords": ["flights?", "gate"]}}), core="compiled")
    assert own._categories._index is not a._categories._index
    assert own._cue_index is a._cue_index
    # One compiled VADER (and per-token cache) for the same lexicon, its own for a brand
    # whose lexicon differs.
    assert getattr(a._scores, "__self__", None) is not None
    assert a._scores.__self__ is b._scores.__self__ is own._scores.__self__
    sick = Scorer(MODELS, _brand(lexicon={"sick": 2.0}), core="compiled")
    assert sick._scores.__self__ is not a._scores.__self__
    assert sick.score("that trick was sick").compound > 0 > a.score("i feel sick").compound


@pytest.mark.parametrize("core", ["compiled", "python"])
def test_a_scorer_on_warm_shared_indexes_scores_as_one_built_from_nothing(
    core: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [*MULTILINGUAL, *adversarial_texts(1500, seed=7)]
    warm = Scorer(MODELS, core=core)
    _outputs(Scorer(MODELS, _brand(), core=core), texts[::-1])  # another scorer learns first
    # A scorer whose indexes are its own and new (as before they were shared), and whose
    # pattern checks are worked out again.
    monkeypatch.setattr(cues, "_shared", {})
    for cached in (cues._beginnings, cues._whole_word, cues._check):
        monkeypatch.setattr(cues, cached.__name__, functools.lru_cache(cached.__wrapped__))
    fresh = Scorer(MODELS, core=core)
    assert fresh._cue_index is not warm._cue_index
    assert _outputs(warm, texts) == _outputs(fresh, texts)
    assert cues._check.cache_info().currsize > 0 or core == "python"


def test_forget_learned_starts_the_shared_indexes_and_checks_again() -> None:
    texts = adversarial_texts(300, seed=11)
    before = Scorer(MODELS, core="compiled")
    expected = _outputs(before, texts)
    assert cues._check.cache_info().currsize > 0
    cues.forget_learned()
    assert cues._check.cache_info().currsize == 0
    after = Scorer(MODELS, core="compiled")
    assert after._cue_index is not before._cue_index
    assert _outputs(after, texts) == expected


def test_remembered_detector_readings_are_the_detectors() -> None:
    fresh, remembering = LanguageRule(MODELS), LanguageRule(MODELS)
    calls: list[tuple[str, str | None]] = []
    detect = remembering._detect

    def counted(words: str, code: str | None) -> Any:
        calls.append((words, code))
        return detect(words, code)

    remembering._detect = counted  # type: ignore[method-assign]
    cases = [(t, d) for t in MULTILINGUAL for d in ("en", "es", None, "pt-BR", "und")]
    # Straight to the detector only texts long enough for it (the rule never asks it about
    # shorter ones; on no words lingua's top language is an arbitrary one of all-zero ties).
    long = [(w, d) for t, d in cases if len(w := " ".join(words_of(t))) >= 20]
    expected = [fresh._detect(w, d) for w, d in long]
    for _ in range(3):
        assert [remembering._detected(w, d) for w, d in long] == expected
        assert [remembering.read(t, d) for t, d in cases] == [fresh.read(t, d) for t, d in cases]
    # The detector was asked once per (words, declared code), not once per reading.
    assert 0 < len(calls) == len(set(calls))
