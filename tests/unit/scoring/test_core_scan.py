"""The compiled core's scan of the always-searched patterns (those that can start outside a
word: prices, amounts, "??", emoticons, hashtags): tried only where one of their starts
begins after a non-word character, it must find what ``finditer`` finds (the scan runs on
ASCII texts; other decimal digits, Arabic-Indic or full-width, send a text to
``finditer``). Compared on texts dense with what those patterns react to, against the same
matcher searching with ``finditer`` and against the pure-Python reference."""

from __future__ import annotations

import copy
import functools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.scoring.scorer import Scorer
from pipeline.settings import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"

#: Pieces the always-searched patterns of the default cues and categories start with, end
#: with or stumble on: currency and digits glued to words, amounts, per-period words,
#: punctuation runs, emoticons, emoji, hashtags.
PIECES = [
    "$", "£", "€", "$5", "£10.99", "€1,200", "$ 5", "£ 3", "5", "20", "3.50", "5 quid",
    "20 pounds", "7 dollars", "9 euros", "1 euro", "for", "to take", "to get", "a month",
    "per month", "/month", "/mo", "a year", "per year", "annual", "went from", "to", "->",
    "→", "was only", "were just", "up by", "more", "extra", "now", "today", "at checkout",
    "how is it", "%", "50%", "percent", "??", "?!", "!?", "???", "?", "!", ":(", ":-(", ":'(",
    ":", "(", "☹", "😞", "😢", "🙄", "🙃", "👎", "#fail", "#epicfail", "#help", "#helpme", "#",
    "#notgood", "#", "x", "a", "an", "at", "no", "not", "never", "yeah right", "sure",
    "_", "é", "İ", "\u212a", "日本", "x$5", "a5", "5a", "$5$5", "££", "12£", "#$5", "?:(",
    "٥", "５", "$٥", "£５", "٣ dollars", "٥٠%", "ſ", "ﬀ",
]  # fmt: skip
JOINS = ["", " ", " ", " ", "  ", "\n", ".", ",", "-", "_", "'"]


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        pieces = [rng.choice(PIECES) for _ in range(rng.choice([1, 2, 4, 8, 16, 30]))]
        text = pieces[0]
        for piece in pieces[1:]:
            text += rng.choice(JOINS) + piece
        out.append(text)
    return out


def _searching(matcher_index: object) -> object:
    """The compiled matcher of a copy of ``matcher_index`` that searches every
    always-searched pattern with ``finditer`` (no scan)."""
    from pipeline.scoring import _core

    index = copy.copy(matcher_index)
    index.always_starts = {gi: None for gi in index.always}  # type: ignore[attr-defined]
    return _core.TokenMatcher(index)


@functools.cache
def _scorers() -> tuple[Scorer, Scorer, object, object]:
    """The two cores' scorers, and the compiled scorer's category and cue matchers
    searching with ``finditer``."""
    python, compiled = Scorer(MODELS, core="python"), Scorer(MODELS, core="compiled")
    searching = _searching(compiled._categories._index), _searching(compiled._cue_index)
    return python, compiled, *searching


def test_the_scanned_patterns_are_the_ones_that_can_start_outside_a_word() -> None:
    compiled = _scorers()[1]
    for index in (compiled._cue_index, compiled._categories._index):
        assert index.always, "the default models have always-searched patterns"
        assert any(starts for starts in index.always_starts.values())


def _check(texts: list[str]) -> None:
    python, compiled, searching, families_searching = _scorers()
    negatable, negated = compiled._negatable, compiled._negated
    for text in texts:
        lowered = text.lower()
        counts = compiled._categories._counts(lowered)
        assert counts == searching.counts(lowered), text  # type: ignore[attr-defined]
        assert counts == python._categories._counts(lowered), text
        families = compiled._families(lowered)
        assert families == families_searching.families(lowered, negatable, negated), text  # type: ignore[attr-defined]
        assert families == python._families(lowered), text


def test_the_scan_finds_what_finditer_finds() -> None:
    texts = _texts(3000, seed=22)
    _check(texts)
    # The texts reach the always-searched groups, several times in a text.
    compiled = _scorers()[1]
    index = compiled._categories._index
    counts = [compiled._categories._counts(t.lower()) for t in texts]
    assert all(sum(c[gi] for c in counts) > 100 for gi in index.always)
    assert max(c[gi] for c in counts for gi in index.always) >= 3


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=14), st.sampled_from(JOINS))
def test_the_scan_on_generated_texts(pieces: list[str], join: str) -> None:
    _check([join.join(pieces)])
