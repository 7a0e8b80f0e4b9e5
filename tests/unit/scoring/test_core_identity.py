"""The compiled scoring core against the pure-Python reference and vaderSentiment itself.

Thousands of texts: demo posts (the generator's praise, questions, complaints, spam, replies)
and generated adversarial ones (emoji and skin tones, caps, punctuation runs, negations,
"but", idioms and boosters, non-ASCII, very long, empty). VADER's four scores are compared
as exact doubles (struct-packed bytes: even 0.0 against -0.0 would differ), everything else
the scorer outputs as equal.
"""

from __future__ import annotations

import random
import re
import string
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
)

from pipeline.config.loading import parse_brands
from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.demo.source import DemoSource
from pipeline.scoring.scorer import Score, Scorer
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.brands import load_brands

MODELS = PROJECT_ROOT / "models"

#: Words and pieces the generated texts are made of: what VADER's rules, the cue families,
#: the categories and the spam cues look at, and what trips up word cutting.
PIECES = [
    *NEGATE, *BOOSTER_DICT, *SPECIAL_CASES, "but", "BUT", "But", "kind of", "kind", "of",
    "least", "at least", "very least", "no", "nor", "or", "never so", "never this",
    "without doubt", "so", "this", "not", "isn't", "don't", "no issues", "no problem",
    "not horrible", "not bad", "still waiting", "waiting for my refund", "charged twice",
    "never arrived", "is down", "not working", "no one answers", "nobody", "#fail",
    "#epicfail", "#greatservice", "#notgood", "#help", "#helpme", ":(", ":-(", ":'(", "??",
    "?!", "!?", "@acmehelp", "@SkateCo", "@someone", "@ask_us", "giveaway", "crypto",
    "link in bio", "bit.ly/x", "DM me for", "#ad", "#win", "promo code", "earn $500",
    "make $300 a day", "fire", "outage", "down", "refund", "charged", "late", "rude",
    "recall", "smoke", "love", "great", "terrible", "horrible", "ok", "meh", "lol", "haha",
    "😂", "❤️", "❤", "👍", "👍🏽", "👨‍👩‍👧", "🙄", "😡", "😞", "☹", "🔗", "👉", "✨", "🙏🏻",
    "café", "naïve", "İstanbul", "ıi", "ſtraße", "\u212aelvin", "Ångström", "日本語", "العربية",
    "ß", "ǅ", "Σίσυφος", "x\u0301", "١٢٣", "²", "½", "snake_case", "_", "__init__",
    "!!!", "!!!!!!", "?", "???", "?!?", "...", "—", "-", "'", '"', "(", ")", "*", "#", "@",
    "$", "£", "€", "100%", "24/7", "3", "42", "0", "I", "I'm", "we're", "I've", "can't",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", " ", "  ", "\t", "\n", " \u00a0", "\u2003"]
WRAPS = ["{}", "{}", "{}", "{},", "{}.", "({})", "'{}'", '"{}"', "{}!", "{}?", "*{}*", "#{}"]


def _case(rng: random.Random, word: str) -> str:
    roll = rng.random()
    if roll < 0.15:
        return word.upper()
    if roll < 0.25:
        return word.title()
    if roll < 0.3:
        return word.lower()
    return word


def adversarial_texts(count: int, seed: int = 22) -> list[str]:
    """Texts that mix everything the rules react to, deterministically."""
    rng = random.Random(seed)
    lexicon = sorted(SentimentIntensityAnalyzer().lexicon)
    texts = [
        "", " ", "\n\t ", "!", "?", "!!!!!!!!", "???", "but", "BUT BUT but", "no", "not",
        "GOOD", "good", "GOOD good", "kind of", "at least", "the bomb", "kiss of death",
        "good good but good good", "bad, bad BUT bad bad bad", "yeah right but no", "🙃",
        "👨‍👩‍👧‍👦👍🏿❤️", "İ ı ſ \u212a", "LOVE it!!!! but HATE the price???",
    ]  # fmt: skip
    long_texts = 4  # very long ones (the package's VADER is quadratic in the words)
    while len(texts) < count:
        n = rng.choice([1, 2, 3, 5, 8, 13, 21, 40])
        if long_texts and len(texts) % 500 == 0:
            n, long_texts = 1500, long_texts - 1
        words = []
        for _ in range(n):
            word = rng.choice(PIECES) if rng.random() < 0.6 else rng.choice(lexicon)
            words.append(rng.choice(WRAPS).format(_case(rng, word)))
        text = words[0]
        for word in words[1:]:
            text += rng.choice(SEPARATORS) + word
        texts.append(text)
    return texts


def demo_texts() -> list[str]:
    """The demo source's posts of both demo brands over three days (the outage's among
    them): about 4,900 realistic texts, generated (no data files)."""
    brands = load_brands(PROJECT_ROOT / "brands.yaml")
    texts: list[str] = []
    for brand in brands.brands:
        source = brand.source("demo")
        options = dict(source.options) if source else {}
        lo, hi = datetime(2026, 10, 21, tzinfo=UTC), datetime(2026, 10, 24, tzinfo=UTC)
        texts += [str(r["text"]) for r in DemoSource().fetch(brand, lo, hi, options)]
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    found = demo_texts()
    assert len(found) > 3000
    return found + adversarial_texts(4000)


def _brand() -> BrandConfig:
    raw: dict[str, Any] = {
        "id": "skateco",
        "name": "Skate Co",
        "accounts": ["@SkateCo"],
        "terms": ["skateco"],
        "products": ["Fire Stick", "Blaze"],
        "overrides": {
            "lexicon": {"sick": 2.5, "but": 1.0, "no": 0.5, "kind": -1.0, "least": 0.8},
            "categories": {
                "flights": {"keywords": ["flights?", "gate", "boarding \\w+"], "label": "Flights"},
                "safety": None,
            },
        },
    }
    return parse_brands({"brands": [raw]}, Path("brands.yaml")).brands[0]


def _vader_bytes(score: Score) -> bytes:
    return struct.pack("<4d", score.compound, score.pos, score.neu, score.neg)


def _all_bytes(score: Score) -> bytes:
    return _vader_bytes(score) + struct.pack("<2d", score.complaint_score, score.sentiment_compound)


def _mismatches(python: Scorer, compiled: Scorer, texts: list[str]) -> Iterator[str]:
    for text in texts:
        a, b = python.score(text), compiled.score(text)
        if a != b or _all_bytes(a) != _all_bytes(b):
            yield f"score {text!r}: {a} != {b}"
        if python.cues(text) != compiled.cues(text):
            yield f"cues {text!r}: {python.cues(text)} != {compiled.cues(text)}"
        if python.category(text) != compiled.category(text):
            yield f"category {text!r}: {python.category(text)} != {compiled.category(text)}"
        if python.is_spam(text) != compiled.is_spam(text):
            yield f"spam {text!r}: {python.is_spam(text)} != {compiled.is_spam(text)}"


def test_the_compiled_core_is_built_here() -> None:
    """make test builds it (make build-core); without it every test below would compare the
    pure-Python core with itself."""
    compiled = Scorer(MODELS, core="auto")
    assert compiled.core == "compiled", "run `make build-core` (needs Cython and gcc)"


def test_vader_scores_are_the_packages_as_exact_doubles(texts: list[str]) -> None:
    package = SentimentIntensityAnalyzer()
    compiled = Scorer(MODELS, core="compiled")
    differ = []
    for text in texts:
        ref = package.polarity_scores(text)
        expected = struct.pack("<4d", ref["compound"], ref["pos"], ref["neu"], ref["neg"])
        if _vader_bytes(compiled.score(text)) != expected:
            differ.append(text)
    assert not differ, f"{len(differ)} of {len(texts)} differ, e.g. {differ[:3]!r}"


def test_compiled_and_python_cores_agree_on_every_output(texts: list[str]) -> None:
    python = Scorer(MODELS, core="python")
    compiled = Scorer(MODELS, core="compiled")
    assert (python.core, compiled.core) == ("python", "compiled")
    differ = list(_mismatches(python, compiled, texts))
    assert not differ, f"{len(differ)} differences, e.g. {differ[:3]}"
    # The texts reach every part: complaints of several categories, spam, fixes, cues.
    scores = [compiled.score(t) for t in texts]
    assert len({s.complaint_category for s in scores}) > 5
    assert sum(compiled.is_spam(t) for t in texts) > 50
    assert sum(s.sentiment_compound != s.compound for s in scores) > 20
    assert len({c for t in texts for c in compiled.cues(t)}) >= len(compiled.families)


def test_the_cores_agree_for_a_brand_with_overrides(texts: list[str]) -> None:
    brand = _brand()
    python = Scorer(MODELS, brand, core="python")
    compiled = Scorer(MODELS, brand, core="compiled")
    sample = [*texts[::3], "my Fire Stick caught fire at the gate", "boarding pass lost"]
    differ = list(_mismatches(python, compiled, sample))
    assert not differ, f"{len(differ)} differences, e.g. {differ[:3]}"
    assert compiled.category("boarding pass lost, @SkateCo") == "flights"


def test_compiled_vader_without_fixes_and_with_them_is_the_analyzers(texts: list[str]) -> None:
    """The VADER core alone, both ways Scorer calls it (with and without the fixes)."""
    from pipeline.scoring import _core

    scorer = Scorer(MODELS, core="python")
    analyzer = scorer._analyzer
    core = _core.VaderCore(
        analyzer, BOOSTER_DICT, SPECIAL_CASES, NEGATE, N_SCALAR, C_INCR, string.punctuation
    )
    for text in texts[::2]:
        for fix in (True, False):
            (a, a_fixed), (b, b_fixed) = analyzer.scores(text, fix), core.scores(text, fix)
            assert list(a) == list(b)  # the same keys in the same order
            packed = struct.pack("<5d", *a.values(), a_fixed)
            assert packed == struct.pack("<5d", *b.values(), b_fixed), text


def test_word_cutting_is_res() -> None:
    from pipeline.scoring import _core

    for text in adversarial_texts(600, seed=5):
        assert _core.words(text) == re.findall(r"\w+", text)
        assert _core.words(text.lower()) == re.findall(r"\w+", text.lower())
    every_char = "".join(chr(c) for c in range(0x3000) if not 0xD800 <= c < 0xE000)
    assert _core.words(every_char) == re.findall(r"\w+", every_char)
