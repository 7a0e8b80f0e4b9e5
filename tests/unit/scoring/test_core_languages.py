"""The compiled core's language words and function-word counts against the pure-Python
reference (languages.words_of and its Counter), and the language rule on either core:
the same words, the same counts, the same readings."""

from __future__ import annotations

from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.scoring.languages import LanguageRule, _function_word_hits, words_of
from pipeline.settings import PROJECT_ROOT
from tests.unit.scoring.test_core_identity import adversarial_texts, demo_texts
from tests.unit.scoring.test_shared_matching import MULTILINGUAL

MODELS = PROJECT_ROOT / "models"

#: What the words regex reacts to: handles, tags, links, apostrophes (straight and curly),
#: digits of all kinds, underscores, letters that lowercase to two code points, spaces.
EDGES = [
    "@", "#", "http://", "https://", "http:/", "https:", "HTTP://X", "www.", "WWW.X", "ww.",
    "www", "'", "\u2019", "''", "a'", "'a", "a'b", "a\u2019b'c", "a''b", "1", "²", "½", "١",
    "_", "a_b", "İ", "ß", "ǅ", "\u212a", "x\u0301", "日本", " ", "\t", "\n", "\u00a0",
    "\u2003", "\u3000", "\x1c", ".", "-", "don't", "j'ai", "rock'n'roll", "@a'b c", "#x\ty",
]  # fmt: skip


def _core() -> ModuleType:
    from pipeline.scoring import _core

    return _core


def test_language_words_are_the_references_words() -> None:
    core = _core()
    texts = [*demo_texts()[::4], *adversarial_texts(2500, seed=9), *MULTILINGUAL, *EDGES]
    texts += [a + b + c for a in EDGES for b in EDGES[::3] for c in EDGES[::7]]
    for text in texts:
        assert core.language_words(text) == words_of(text), repr(text)
    # Every character alone, between letters and after an apostrophe.
    for code in range(0x3100):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        for text in (ch, f"a{ch}b", f"a'{ch}b", f"x {ch}y"):
            assert core.language_words(text) == words_of(text), repr(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(EDGES) | st.text(max_size=4), max_size=12))
def test_language_words_on_generated_texts(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _core().language_words(text) == words_of(text)


def test_function_word_hits_count_as_the_counter() -> None:
    rule = LanguageRule(MODELS, core="python")
    marks = rule.function_words
    for text in [*demo_texts()[::5], *MULTILINGUAL, *adversarial_texts(500, seed=3)]:
        words = words_of(text)
        assert _core().function_word_hits(words, marks) == _function_word_hits(words, marks)


def test_the_rule_reads_the_same_language_on_either_core() -> None:
    python, compiled = LanguageRule(MODELS, core="python"), LanguageRule(MODELS, core="compiled")
    assert (python.core, compiled.core) == ("python", "compiled")
    texts = [*demo_texts()[::6], *MULTILINGUAL, *adversarial_texts(400, seed=4)]
    for text in texts:
        for declared in ("en", "es", None, "pt-BR", "und", "ja"):
            assert python.read(text, declared) == compiled.read(text, declared), (text, declared)
