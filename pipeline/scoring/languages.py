"""Which language a post is in: the source's declared language, checked, or detected offline.

:class:`LanguageRule` settles one language per post by the rule in ``models/languages.yaml``
(docs/scoring.md "Languages"): a declared language is kept when the text is too short to
tell or when the text's function words confirm it; otherwise the detector decides, `lingua
<https://github.com/pemistahl/lingua-py>`_ (Apache-2.0, offline, no model download)
restricted to a handful of languages. Built once per process and models folder
(:func:`language_rule`); lingua's models load on the first text it has to judge. The
compiled scoring core (:mod:`pipeline.scoring.core`), when built, cuts the words and counts
the function words; :func:`words_of` is the reference it must equal.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import ConfigError
from pipeline.scoring.core import choose
from pipeline.scoring.scorer import read_asset

if TYPE_CHECKING:
    from lingua import LanguageDetector

#: ISO 639-3 and 639-2/B codes of the languages lingua can be asked about here, to 639-1.
_ISO_639_3 = {
    "eng": "en", "spa": "es", "por": "pt", "fra": "fr", "fre": "fr", "deu": "de",
    "ger": "de", "ita": "it", "nld": "nl", "dut": "nl", "cat": "ca", "glg": "gl",
}  # fmt: skip
#: Codes that say "no language": undetermined, no linguistic content, multiple, uncoded.
_NO_LANGUAGE = frozenset({"und", "zxx", "mul", "mis", "qme", "qht"})
_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
#: Detector readings remembered (by the words and the declared code) before the memo starts
#: again: the detector is deterministic, and re-posted, copied and templated texts repeat
#: (on the bench corpus 42 % of its calls; docs/benchmark.md). Bounded: at most this many
#: readings, each of words no longer than _DETECTED_MEMO_CHARS (longer ones, reviews or
#: articles, are not remembered), so at most about 20 MB.
_DETECTED_MEMO_SIZE = 20_000
_DETECTED_MEMO_CHARS = 1_000
#: A word (letters, with one inner apostrophe: "don't", "j'ai"; digits are not words), or
#: what is not the text's own words: a handle, a tag, a link (matched, and left out).
_WORDS = re.compile(r"(?:[@#]|https?://|www\.)\S*|([^\W\d_]+(?:['\u2019][^\W\d_]+)?)")


def words_of(text: str) -> list[str]:
    """The text's own words, lowercased: not handles, tags or links."""
    return [w for w in _WORDS.findall(text.lower().replace("\u2019", "'")) if w]


def _function_word_hits(words: list[str], marks: dict[str, str]) -> dict[str, int]:
    """How many of ``words`` are function words of each language (``marks``: word ->
    language)."""
    return Counter(filter(None, map(marks.get, words)))


class How(StrEnum):
    """How a post's language was settled."""

    DECLARED = "declared"  # the source's, taken as it is (short text, or not checkable)
    CONFIRMED = "confirmed"  # the source's, confirmed by the text's function words
    WORDS = "words"  # none declared: named by function words of one language only
    DETECTED = "detected"  # the detector's
    NONE = "none"  # no language could be told


@dataclass(frozen=True, slots=True)
class Reading:
    """The language a post is read in (None: none could be told) and how it was settled."""

    lang: str | None
    how: How


@functools.lru_cache(maxsize=1024)  # a source sends a handful of distinct tags
def declared_code(raw: str | None) -> str | None:
    """A source's language tag as an ISO 639-1 primary code, or None ("und", not a code)."""
    if not raw:
        return None
    match = _CODE.match(raw.strip())
    if match is None:
        return None
    code = match.group(1).lower()
    if code in _NO_LANGUAGE:
        return None
    return _ISO_639_3.get(code, code)


class LanguageRule:
    """The rule of ``models/languages.yaml``; see the module docstring and docs/scoring.md."""

    def __init__(self, models_dir: Path, core: str | None = None) -> None:
        """``core``: the scoring core that cuts the words and counts the function words
        (:func:`pipeline.scoring.core.choose`; both give the same readings)."""
        path = models_dir / "languages.yaml"
        data = read_asset(path)
        self.version = str(data["version"])
        self.scorers: tuple[str, ...] = tuple(str(x) for x in data["scorers"])
        self.detect: tuple[str, ...] = tuple(str(x) for x in data["detect"])
        self.short_text_letters = int(data["short_text_letters"])
        self.min_confidence = float(data["min_confidence"])
        self.override_confidence = float(data["override_confidence"])
        self.naming_function_words = int(data["naming_function_words"])
        words: dict[str, set[str]] = {}
        for lang, listed in dict(data["function_words"]).items():
            for word in listed:
                words.setdefault(str(word).lower(), set()).add(str(lang))
        #: word -> the one language it marks (words of two languages are left out).
        self.function_words = {w: next(iter(ls)) for w, ls in words.items() if len(ls) == 1}
        compiled = choose(core).module
        #: "compiled" or "python": the core that cuts the words and counts function words.
        self.core = "compiled" if compiled is not None else "python"
        self._words: Callable[[str], list[str]] = (
            compiled.language_words if compiled is not None else words_of
        )
        self._hits: Callable[[list[str], dict[str, str]], dict[str, int]] = (
            compiled.function_word_hits if compiled is not None else _function_word_hits
        )
        self._detector: LanguageDetector | None = None
        self._lock = threading.Lock()
        self._memo: dict[tuple[str, str | None], Reading] = {}

    def detector(self) -> LanguageDetector:
        """lingua over the ``detect`` languages (built on first use: its import and models)."""
        with self._lock:
            if self._detector is None:
                from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                try:
                    languages = [
                        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                        for code in self.detect
                    ]
                except (AttributeError, ValueError):
                    raise ConfigError(
                        f"languages.yaml: detect: {list(self.detect)} has a code lingua "
                        "does not know"
                    ) from None
                self._detector = LanguageDetectorBuilder.from_languages(*languages).build()
            return self._detector

    def release(self) -> None:
        """Drop lingua's models (they load again on the next text the detector judges)."""
        with self._lock:
            if self._detector is not None:
                self._detector.unload_language_models()  # type: ignore[no-untyped-call]
                self._detector = None

    def read(self, text: str, declared: str | None) -> Reading:
        """The language ``text`` is read in, given the source's ``declared`` tag."""
        code = declared_code(declared)
        if code is not None and code not in self.detect:
            return Reading(code, How.DECLARED)
        words = self._words(text)
        if len("".join(words)) < self.short_text_letters:
            return Reading(code, How.DECLARED) if code else Reading(None, How.NONE)
        hits = self._hits(words, self.function_words)
        if code is not None:
            own = hits.pop(code, 0)
            if own > max(hits.values(), default=0):
                return Reading(code, How.CONFIRMED)
        elif len(hits) == 1:
            [(lang, count)] = hits.items()
            if count >= self.naming_function_words:
                return Reading(lang, How.WORDS)
        return self._detected(" ".join(words), code)

    def _detected(self, words: str, code: str | None) -> Reading:
        """The detector's reading of ``words`` (remembered: the same words, the same reading)."""
        if len(words) > _DETECTED_MEMO_CHARS:
            return self._detect(words, code)
        key = (words, code)
        found = self._memo.get(key)
        if found is None:
            found = self._detect(words, code)
            if len(self._memo) >= _DETECTED_MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _detect(self, words: str, code: str | None) -> Reading:
        values: list[Any] = self.detector().compute_language_confidence_values(words)
        if not values:
            return Reading(code, How.DECLARED) if code else Reading(None, How.NONE)
        top = values[0]
        lang = str(top.language.iso_code_639_1.name).lower()
        confidence = float(top.value)
        if code is None:
            return (
                Reading(lang, How.DETECTED)
                if confidence >= self.min_confidence
                else Reading(None, How.NONE)
            )
        if lang != code and confidence >= self.override_confidence:
            return Reading(lang, How.DETECTED)
        return Reading(code, How.DECLARED if lang != code else How.CONFIRMED)


_rules: dict[Path, LanguageRule] = {}
_rules_lock = threading.Lock()


def language_rule(models_dir: Path) -> LanguageRule:
    """The process's :class:`LanguageRule` for a models folder (built on first use)."""
    with _rules_lock:
        rule = _rules.get(models_dir)
        if rule is None:
            rule = _rules[models_dir] = LanguageRule(models_dir)
        return rule


def release_detectors() -> None:
    """Drop lingua's models in this process (about 165 MB over the six ``detect`` languages,
    measured: docs/benchmark.md "Peak memory at 1M"), for a process that has stopped reading
    languages; they load again, in about 2 s, if it reads one more."""
    with _rules_lock:
        for rule in _rules.values():
            rule.release()
