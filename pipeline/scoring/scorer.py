"""Sentiment and complaint scoring.

vaderSentiment is wrapped once, behind :class:`Scorer`, and its analyzer is built once per
process (building it reads the 7,500-word lexicon from disk); :func:`scorer_for` builds one
more per brand with lexicon or category overrides. Every asset is data in the models folder:

``vader_fixes.yaml``
    label thresholds and the fixes for known VADER misreads ("not horrible", "no issues",
    emoji written with variation selectors).
``complaint_cues.yaml``
    the complaint detector: cue families in log-odds, combined with VADER's negativity and
    whether the post is aimed at an account.
``categories.yaml``
    the default complaint taxonomy.
``spam_cues.yaml``
    promotional noise.

``Score.compound`` / ``pos`` / ``neu`` / ``neg`` are VADER's exact output on the original
text (with the scorer's lexicon: for :func:`default_scorer`, bit-identical to the package);
``Score.sentiment_compound`` is the compound after the misread fixes, and ``Score.sentiment``
is read from it. The version of every asset (and, for a brand scorer, a short hash of the
brand's overrides) is part of :data:`Scorer.model_version`, stored with each scored post.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import re
import string
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
)

from pipeline.errors import ConfigError

try:  # the regular-expression parser, to index cue patterns by the words they start with
    from re._parser import parse as _sre_parse  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - Python 3.10
    from sre_parse import parse as _sre_parse
from pipeline.settings import Settings

if TYPE_CHECKING:
    from pipeline.config.model import BrandConfig

log = logging.getLogger(__name__)

# Thresholds from vaderSentiment's README ("About the Scoring"): compound >= 0.05 is
# positive, compound <= -0.05 is negative, anything between is neutral. The scorer uses the
# thresholds in models/vader_fixes.yaml instead (see there for where they come from).
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

#: Characters before a cue searched for a negator ("no extra charges", "not one thing
#: missing or damaged"): a negator and up to three words.
_NEGATION_LOOKBEHIND = 40

#: Category given to a complaint whose text matches no category keyword.
OTHER_CATEGORY = "other"

_MENTION = re.compile(r"(?<![\w@])@\w+")


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


def label_for(
    compound: float, positive: float = POSITIVE_THRESHOLD, negative: float = NEGATIVE_THRESHOLD
) -> Sentiment:
    """The label of a compound score (VADER's README thresholds unless others are given)."""
    if compound >= positive:
        return Sentiment.POSITIVE
    if compound <= negative:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


@dataclass(frozen=True, slots=True)
class Score:
    """The scores of one text.

    ``compound``, ``pos``, ``neu`` and ``neg`` are VADER's own output on the original text;
    ``sentiment_compound`` is the compound after the misread fixes (equal to ``compound``
    for most texts) and ``sentiment`` is its label.
    """

    compound: float
    pos: float
    neu: float
    neg: float
    sentiment: Sentiment
    is_complaint: bool
    complaint_score: float
    complaint_category: str | None
    sentiment_compound: float


def _alternation(patterns: Iterable[str], where: str, flags: int = re.I) -> re.Pattern[str]:
    try:
        return re.compile(
            r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)", flags
        )
    except re.error as exc:
        raise ConfigError(f"{where}: invalid pattern: {exc}") from None


# -- fast matching ------------------------------------------------------------------------
#
# Python's re tries every alternative of a pattern at every position of the text, so a few
# hundred cue patterns per text would cost several times VADER itself. Instead, without
# changing what matches:
#
# * texts are lowercased once and patterns compiled without re.IGNORECASE;
# * every pattern that starts with a word ("refund\w*", "(?:no ?one|nobody) answers") is
#   indexed by the first characters of the words it can start with, and tried (anchored)
#   only at the words of a text that begin that way;
# * the few patterns that can start otherwise (emoji, "??", "#\w*fail", "\d+ hours") are
#   searched as before, one alternation per family.

#: First-word characters a pattern is indexed by (shorter first words: all of them).
_KEY_LEN = 4
#: More literal beginnings than this and a pattern is searched instead of indexed.
_MAX_PREFIXES = 1024
_WORD = re.compile(r"\w+")
#: Words whose candidate patterns are remembered (then the memo starts again).
_MEMO_SIZE = 200_000
_WORD_PREFIX = re.compile(r"\w*")


def _lower_pattern(pattern: str) -> str:
    """Lowercase a pattern's literal characters (escapes such as \\W keep their case)."""
    out, escaped = [], False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = ch == "\\" and not escaped
    return "".join(out)


_DIGITS = frozenset("0123456789")


def _prefixes(items: list[tuple[Any, Any]], i: int = 0) -> tuple[set[str], set[str]]:
    """The literal beginnings of the matches of ``items[i:]``, a parsed pattern: (those a
    match goes on from with something not literal, whole matches)."""
    partial: set[str] = set()
    opens = {""}
    while i < len(items):
        if len(opens) + len(partial) > _MAX_PREFIXES:
            return {""}, set()
        if len(opens) > _MAX_PREFIXES // 8:  # long enough: stop extending
            return partial | opens, set()
        op, av = items[i]
        name = getattr(op, "name", "")
        i += 1
        if name == "LITERAL":
            opens = {o + chr(av) for o in opens}
        elif name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue  # zero-width
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = av
            sub_partial, sub_whole = _prefixes(list(sub.data))
            if low == 0 and high == 1 and not sub_partial:  # "s?", "(?:still )?"
                opens = {o + e for o in opens for e in sub_whole | {""}}
                continue
            partial |= {o + e for o in opens for e in sub_partial | sub_whole}
            if low:
                return partial, set()
            rest_partial, rest_whole = _prefixes(items, i)  # zero times: what follows
            partial |= {o + e for o in opens for e in rest_partial}
            return partial, {o + e for o in opens for e in rest_whole}
        elif name == "IN":
            chars: set[str] = set()
            for kind, value in av:
                kind_name = getattr(kind, "name", "")
                if kind_name == "LITERAL":
                    chars.add(chr(value))
                elif kind_name == "CATEGORY" and getattr(value, "name", "") == "CATEGORY_DIGIT":
                    chars |= _DIGITS
                else:
                    return partial | opens, set()
            opens = {o + c for o in opens for c in chars}
        elif name in ("SUBPATTERN", "BRANCH"):
            alternatives = [av[-1]] if name == "SUBPATTERN" else list(av[1])
            new_opens: set[str] = set()
            for alternative in alternatives:
                alt_partial, alt_whole = _prefixes(list(alternative.data))
                partial |= {o + e for o in opens for e in alt_partial}
                new_opens |= {o + e for o in opens for e in alt_whole}
            opens = new_opens
        else:
            return partial | opens, set()
    return partial, opens


def _word_key(prefix: str, ends: bool) -> tuple[str, bool] | None:
    """Index key of a literal beginning of a match (``ends``: the whole match): (its first
    word or that word's first characters, whether a word must equal it), or None when it
    does not start with a word."""
    word = _WORD_PREFIX.match(prefix)
    first = word.group() if word is not None else ""
    if not first:
        return None
    if len(first) >= _KEY_LEN:
        return first[:_KEY_LEN], False
    # a short word: exact when something literal (or the end) follows it
    return first, ends or len(prefix) > len(first)


def _first_word_keys(pattern: str) -> set[tuple[str, bool]] | None:
    """Index keys of a (lowercased) pattern (see :func:`_word_key`), or None when a match
    may start without a word."""
    partial, whole = _prefixes(list(_sre_parse(pattern).data))
    keys = set()
    for prefix, ends in [*((p, False) for p in partial), *((p, True) for p in whole)]:
        key = _word_key(prefix, ends)
        if key is None:
            return None
        keys.add(key)
    return keys


class _Gate:
    """Whether a text contains one of some literal strings (as a regular expression
    alternation of them would find, but without trying every one at every position)."""

    def __init__(self, starts: Iterable[str]) -> None:
        # Drop starts that a shorter start already covers ("#" covers "#a").
        found = set(starts)
        found = {p for p in found if not any(q != p and p.startswith(q) for q in found)}
        self.ascii = tuple(sorted(p for p in found if p.isascii()))
        self.chars = frozenset(p for p in found if not p.isascii() and len(p) == 1)
        self.other = tuple(sorted(p for p in found if not p.isascii() and len(p) > 1))

    def __call__(self, text: str) -> bool:
        for start in self.ascii:
            if start in text:
                return True
        if text.isascii():
            return False
        return not self.chars.isdisjoint(text) or any(p in text for p in self.other)


#: What to try at a word: all its patterns as one (None: none), and each with its group.
_Candidates = tuple[re.Pattern[str] | None, tuple[tuple[int, re.Pattern[str]], ...]]


class _CueIndex:
    """Cue patterns of many groups (families), indexed by the words they start with."""

    def __init__(self, groups: Mapping[str, Iterable[str]], where: str) -> None:
        self.names = tuple(groups)
        # key -> group -> the group's patterns starting that way, tried as one alternation
        tables: tuple[dict[str, dict[int, list[str]]], ...] = ({}, {})
        always: dict[int, list[str]] = {}
        for gi, (name, patterns) in enumerate(groups.items()):
            for raw in patterns:
                pattern = _lower_pattern(str(raw))
                _alternation([pattern], f"{where} '{name}'", 0)  # every pattern must compile
                keys = _first_word_keys(pattern)
                if keys is None:
                    always.setdefault(gi, []).append(pattern)
                    continue
                for key, exact in keys:
                    tables[exact].setdefault(key, {}).setdefault(gi, []).append(pattern)
        self.by_key, self.exact = (
            {
                key: [
                    (gi, _alternation(ps, f"{where} '{self.names[gi]}'", 0))
                    for gi, ps in by_group.items()
                ]
                for key, by_group in table.items()
            }
            for table in tables
        )
        self._memo: dict[str, _Candidates] = {}
        self._combined: dict[tuple[tuple[int, str], ...], re.Pattern[str]] = {}
        self.always = {
            gi: _alternation(patterns, f"{where} '{self.names[gi]}'", 0)
            for gi, patterns in always.items()
        }
        # Per group, the characters its always-searched patterns can start with: a text
        # with none of them is not searched (None when some pattern may start with anything).
        self.always_gates: dict[int, _Gate | None] = {}
        for gi, patterns in always.items():
            starts: set[str] = set()
            for pattern in patterns:
                partial, whole = _prefixes(list(_sre_parse(pattern).data))
                starts |= {p[:2] for p in partial | whole}
            self.always_gates[gi] = None if "" in starts else _Gate(starts)

    def _candidates(self, token: str) -> _Candidates:
        """The patterns to try at a word, and all of them as one pattern (to rule them all
        out with one call), remembered per word (words repeat a lot)."""
        found = tuple(
            candidate
            for n in range(1, min(len(token), _KEY_LEN) + 1)
            for candidate in self.by_key.get(token[:n], ())
        )
        if len(token) < _KEY_LEN:
            found += tuple(self.exact.get(token, ()))
        combined = None
        if found:
            key = tuple((gi, p.pattern) for gi, p in found)
            combined = self._combined.get(key)
            if combined is None:
                combined = re.compile("|".join(p.pattern for _, p in found))
                self._combined[key] = combined
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        self._memo[token] = candidates = (combined, found)
        return candidates

    def matches(self, lowered: str) -> Iterator[tuple[int, re.Match[str]]]:
        """(group, match) for every indexed pattern matching at a word, then the others."""
        memo = self._memo
        for word in _WORD.finditer(lowered):
            token = word.group()
            candidates = memo.get(token)
            if candidates is None:
                candidates = self._candidates(token)
            combined = candidates[0]
            if combined is None or combined.match(lowered, word.start()) is None:
                continue  # none of them matches here: one call rules them all out
            for gi, pattern in candidates[1]:
                found = pattern.match(lowered, word.start())
                if found is not None:
                    yield gi, found
        for gi, pattern in self.always.items():
            gate = self.always_gates[gi]
            if gate is None or gate(lowered):
                for found in pattern.finditer(lowered):
                    yield gi, found


#: Literal beginnings of a pattern checked as substrings by :class:`_StartIndex` (at most
#: this many, of at most this many characters).
_MAX_STARTS, _START_LEN = 24, 12
#: Characters that IGNORECASE matches to an ASCII letter but ``str.lower`` does not lower to
#: it (or lowers to more than one character): a text with one is matched without the
#: lowercase prefilter of :class:`_StartIndex`. (All such code points; a unit test checks.)
_FOLD_ODD = frozenset("\u0130\u0131\u017f\u212a")


class _StartIndex:
    """Which of some patterns can match a text at all, from the literal characters every
    match must start with: a necessary condition, computed in a few microseconds.

    A match of a (word-bounded, lowercased) pattern that starts with a word starts at a
    word of the lowercased text that begins with (or, when something literal follows, is)
    its first word; one that starts otherwise ("#ad", "$", an emoji) needs its first
    character in the text; a pattern with too many beginnings is always a candidate.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        self.always: set[int] = set()
        #: first word (or its first _KEY_LEN characters) a word must begin with / be
        self.prefix: dict[str, set[int]] = {}
        self.exact: dict[str, set[int]] = {}
        self.by_char: dict[str, set[int]] = {}
        #: per pattern, texts one of which every match begins with (None: not known)
        self.starts: list[tuple[str, ...] | None] = []
        for i, pattern in enumerate(patterns):
            partial, whole = _prefixes(list(_sre_parse(pattern).data))
            starts = {p[:_START_LEN] for p in partial | whole}
            starts = {p for p in starts if not any(q != p and p.startswith(q) for q in starts)}
            self.starts.append(
                None if "" in starts or len(starts) > _MAX_STARTS else tuple(sorted(starts))
            )
            for start, ends in [*((p, False) for p in partial), *((p, True) for p in whole)]:
                key = _word_key(start, ends)
                if not start:
                    self.always.add(i)
                elif key is None:
                    self.by_char.setdefault(start[0], set()).add(i)
                else:
                    (self.exact if key[1] else self.prefix).setdefault(key[0], set()).add(i)
        #: words seen, those of them that some pattern may start at, and those patterns:
        #: one tuple, replaced whole when it grows too big (so threads never see a word
        #: as seen without its patterns)
        self._words: tuple[set[str], set[str], dict[str, frozenset[int]]] = (set(), set(), {})

    def _learn(
        self, token: str, seen: set[str], hit: set[str], hits: dict[str, frozenset[int]]
    ) -> None:
        found = set(self.exact.get(token, ()))
        for n in range(1, min(len(token), _KEY_LEN) + 1):
            found |= self.prefix.get(token[:n], set())
        if found:
            hits[token] = frozenset(found)
            hit.add(token)
        seen.add(token)

    def candidates(self, lowered: str) -> set[int]:
        """The patterns that may match ``lowered`` (a superset of those that do)."""
        words = set(_WORD.findall(lowered))
        seen, hit, hits = self._words
        new = words - seen
        if new:
            if len(seen) >= _MEMO_SIZE:
                seen, hit, hits = self._words = (set(), set(), {})
                new = words
            for token in new:
                self._learn(token, seen, hit, hits)
        found = set(self.always)
        for token in words & hit:
            found |= hits[token]
        for ch, ids in self.by_char.items():
            if ch in lowered:
                found |= ids
        starts = self.starts
        return {
            i
            for i in found
            if (texts := starts[i]) is None or any(text in lowered for text in texts)
        }


@dataclass(frozen=True)
class _CueFamily:
    name: str
    weight: float


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"scoring asset not found: {path} (set BRANDPULSE_MODELS)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, Mapping) or "version" not in data:
        raise ConfigError(f"{path.name}: expected a mapping with a 'version'")
    return data


# -- VADER 3.3.2's word rules, on words lowercased once ----------------------------------
#
# Each is the package's function of the same name (vaderSentiment.vaderSentiment), with
# ``lower`` the text's words already lowercased instead of lowercasing them on every call.


def _negated_word(word: str) -> bool:
    """``negated([word])``: a word of VADER's negation list, or one containing "n't"."""
    return word in _NEGATE or "n't" in word


def _scalar_inc_dec(
    word: str, lower: str, valence: float, is_cap_diff: bool, start_i: int
) -> float:
    """``scalar_inc_dec``, with the package's damping by distance (0.95, 0.9)."""
    scalar = 0.0
    if lower in BOOSTER_DICT:
        scalar = BOOSTER_DICT[lower]
        if valence < 0:
            scalar *= -1
        if word.isupper() and is_cap_diff:
            if valence > 0:
                scalar += C_INCR
            else:
                scalar -= C_INCR
        if start_i == 1 and scalar != 0:
            scalar = scalar * 0.95
        if start_i == 2 and scalar != 0:
            scalar = scalar * 0.9
    return scalar


def _negation_check(valence: float, lower: list[str], start_i: int, i: int) -> float:
    if start_i == 0:
        if _negated_word(lower[i - 1]):
            valence = valence * N_SCALAR
    elif start_i == 1:
        if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            pass  # "without doubt" is not a negation
        elif _negated_word(lower[i - 2]):
            valence = valence * N_SCALAR
    elif start_i == 2:
        # The package's precedence: (never and (so or this)) or (so or this).
        if (lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this")) or (
            lower[i - 1] == "so" or lower[i - 1] == "this"
        ):
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            pass
        elif _negated_word(lower[i - 3]):
            valence = valence * N_SCALAR
    return valence


def _special_idioms_check(valence: float, lower: list[str], i: int) -> float:
    onezero = f"{lower[i - 1]} {lower[i]}"
    twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
    twoone = f"{lower[i - 2]} {lower[i - 1]}"
    threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
    threetwo = f"{lower[i - 3]} {lower[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in SPECIAL_CASES:
            valence = SPECIAL_CASES[seq]
            break
    if len(lower) - 1 > i:
        zeroone = f"{lower[i]} {lower[i + 1]}"
        if zeroone in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroone]
    if len(lower) - 1 > i + 1:
        zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in SPECIAL_CASES:
            valence = SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in BOOSTER_DICT:
            valence = valence + BOOSTER_DICT[n_gram]
    return valence


def _least_check(valence: float, lexicon: Mapping[str, float], lower: list[str], i: int) -> float:
    if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        if lower[i - 2] != "at" and lower[i - 2] != "very":
            valence = valence * N_SCALAR
    elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        valence = valence * N_SCALAR
    return valence


#: The vaderSentiment release whose ``polarity_scores`` :class:`_Analyzer` follows.
_VADER_FAST_PATH = "3.3.2"
_NEGATE = frozenset(NEGATE)
_PUNCTUATION = string.punctuation


@dataclass(frozen=True, slots=True)
class _Fixes:
    """The word-level misread fixes (see ``vader_fixes.yaml``)."""

    #: A negated negative word ("not horrible") keeps this share of its flipped valence.
    negated_negative_scale: float
    #: "no" before one of these words ("no issues") gets ``no_problem_valence``.
    no_problem_words: frozenset[str]
    no_problem_valence: float


class _Analyzer(SentimentIntensityAnalyzer):  # type: ignore[misc]
    """VADER 3.3.2's ``polarity_scores``, rewritten to do the same arithmetic faster.

    The package lowercases every word of a text again for each word it scores (its negation
    and idiom checks rebuild the lowercased list), and copies a text character by character
    to replace emoji. Here each word is lowercased once and texts without emoji are not
    copied; every rule, its order and every floating-point operation are the package's
    (``scores`` follows ``SentimentIntensityAnalyzer.polarity_scores`` line for line), so
    the scores are bit-identical: a unit test compares them with the package on hand-written
    texts. On any other release of the package, the package's own method runs.

    ``scores`` also returns the compound after the misread fixes (:class:`_Fixes`), computed
    in the same pass: a fix changes one word's valence after VADER has scored it.
    """

    def __init__(self, fixes: _Fixes | None = None) -> None:
        super().__init__()
        self._emoji = frozenset(k for k in self.emojis if len(k) == 1)
        self._fast = package_version("vaderSentiment") == _VADER_FAST_PATH
        self.fixes = fixes

    def polarity_scores(self, text: str) -> dict[str, float]:
        return self.scores(text, fix=False)[0]

    def _without_emoji(self, text: str) -> str:
        """The package's emoji step: each emoji character replaced by its description."""
        if self._emoji.isdisjoint(text):
            return text
        emojis = self.emojis
        out: list[str] = []
        prev_space = True
        for ch in text:
            description = emojis.get(ch) if ch in emojis else None
            if description is not None:
                if not prev_space:
                    out.append(" ")
                out.append(description)
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out)

    def scores(self, text: str, fix: bool = True) -> tuple[dict[str, float], float]:
        """VADER's scores of ``text`` and its compound after the fixes (when ``fix``)."""
        if not self._fast:
            polarity = dict(super().polarity_scores(text))
            return polarity, polarity["compound"]
        text = self._without_emoji(text).strip()
        words = []
        for token in text.split():  # SentiText._strip_punc_if_word
            stripped = token.strip(_PUNCTUATION)
            words.append(token if len(stripped) <= 2 else stripped)
        lower = [w.lower() for w in words]
        n = len(words)
        allcaps = 0  # allcap_differential
        for word in words:
            if word.isupper():
                allcaps += 1
        is_cap_diff = 0 < n - allcaps < n
        lexicon = self.lexicon
        fixes = self.fixes if fix else None
        sentiments: list[float] = []
        changed: list[tuple[int, float]] = []  # (word, valence after a fix)
        for i, item in enumerate(lower):
            if item in BOOSTER_DICT or (i < n - 1 and item == "kind" and lower[i + 1] == "of"):
                sentiments.append(0)
                continue
            valence: float = 0  # sentiment_valence
            if item in lexicon:
                valence = lexicon[item]
                idiom = False
                if item == "no" and i != n - 1 and lower[i + 1] in lexicon:
                    valence = 0.0
                if (
                    (i > 0 and lower[i - 1] == "no")
                    or (i > 1 and lower[i - 2] == "no")
                    or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor"))
                ):
                    valence = lexicon[item] * N_SCALAR
                if is_cap_diff and words[i].isupper():
                    if valence > 0:
                        valence += C_INCR
                    else:
                        valence -= C_INCR
                for start_i in range(0, 3):
                    if i > start_i and lower[i - (start_i + 1)] not in lexicon:
                        valence = valence + _scalar_inc_dec(
                            words[i - (start_i + 1)], lower[i - (start_i + 1)], valence,
                            is_cap_diff, start_i,
                        )  # fmt: skip
                        valence = _negation_check(valence, lower, start_i, i)
                        if start_i == 2:
                            before, valence = valence, _special_idioms_check(valence, lower, i)
                            idiom = valence != before
                valence = _least_check(valence, lexicon, lower, i)
                # A negative word VADER made positive, not by an idiom ("bad ass"): negated.
                if fixes is not None and valence > 0 and lexicon[item] < 0 and not idiom:
                    changed.append((i, valence * fixes.negated_negative_scale))
            if (
                fixes is not None
                and item == "no"
                and i + 1 < n
                and lower[i + 1] in fixes.no_problem_words
            ):
                changed.append((i, fixes.no_problem_valence))
            sentiments.append(valence)
        fixed = None
        if changed:
            fixed = sentiments.copy()
            for i, value in changed:
                fixed[i] = value
        has_but = "but" in lower
        polarity = self.score_valence(
            self._but_check(words, sentiments) if has_but else sentiments, text
        )
        if fixed is None:
            return polarity, polarity["compound"]
        fixed_polarity = self.score_valence(
            self._but_check(words, fixed) if has_but else fixed, text
        )
        return polarity, fixed_polarity["compound"]


def _fingerprint(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=list)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:8]


def brand_scoring_spec(brand: BrandConfig) -> dict[str, Any]:
    """What of a brand changes its scores: its scoring overrides and its own handles."""
    overrides = brand.overrides or {}
    return {
        "lexicon": dict(overrides.get("lexicon") or {}),
        "categories": dict(overrides.get("categories") or {}),
        "complaint_threshold": overrides.get("complaint_threshold"),
        "handles": sorted(brand.account_handles),
    }


class Scorer:
    """Scores texts: VADER sentiment, complaint flag and score, complaint category.

    Build one per process with :func:`default_scorer` (or per brand with :func:`scorer_for`);
    it is immutable after construction and safe to share between threads.
    """

    def __init__(self, models_dir: Path, brand: BrandConfig | None = None) -> None:
        spec = brand_scoring_spec(brand) if brand is not None else None
        fixes = _read_yaml(models_dir / "vader_fixes.yaml")
        cues = _read_yaml(models_dir / "complaint_cues.yaml")
        cats = _read_yaml(models_dir / "categories.yaml")
        spam = _read_yaml(models_dir / "spam_cues.yaml")

        # Sentiment: VADER itself (a separate instance with its own lexicon dict when the
        # brand overrides words; the installed package and other scorers are never touched).
        self.positive_threshold = float(fixes["positive_threshold"])
        self.negative_threshold = float(fixes["negative_threshold"])
        self._analyzer = _Analyzer(
            _Fixes(
                float(fixes["negated_negative_scale"]),
                frozenset(str(w).lower() for w in fixes["no_problem_words"]),
                float(fixes["no_problem_valence"]),
            )
        )
        if spec and spec["lexicon"]:
            self._analyzer.lexicon = {
                **self._analyzer.lexicon,
                **{str(w).lower(): float(v) for w, v in spec["lexicon"].items()},
            }
        modifiers = str(fixes["emoji_modifiers"])
        joiners = str(fixes["emoji_joiners"])
        self._emoji_modifiers = re.compile(f"[{modifiers}]")
        self._emoji_joiners = re.compile(f"[{joiners}]")
        # A text with an emoji modifier is scored a second time, without the modifiers.
        self._has_modifier = re.compile(f"[{modifiers}{joiners}]")

        # Complaints.
        self.threshold = float(cues["threshold"])
        if spec and spec["complaint_threshold"] is not None:
            self.threshold = float(spec["complaint_threshold"])
        self.bias = float(cues["bias"])
        self.negativity_weight = float(cues["negativity_weight"])
        self.positivity_weight = float(cues["positivity_weight"])
        negators = "|".join(str(n) for n in cues.get("negators", []))
        # A negator followed by at most three words, right before a cue, cancels it.
        self._negated_before = (
            re.compile(rf"(?:^|\W)(?:{_lower_pattern(negators)})(?:\W+\w+){{0,3}}\W*$")
            if negators
            else None
        )
        self.families = tuple(
            _CueFamily(name, float(spec_["weight"])) for name, spec_ in cues["families"].items()
        )
        # Families whose cues a negator before them cancels.
        self._negatable = tuple(
            float(spec_["weight"]) > 0 and bool(spec_.get("negatable", True))
            for spec_ in cues["families"].values()
        )
        self._cue_index = _CueIndex(
            {name: list(spec_["patterns"]) for name, spec_ in cues["families"].items()},
            "complaint_cues.yaml: family",
        )
        addressed = cues["addressed"]
        self.any_mention_weight = float(addressed["any_mention"])
        self.care_account_weight = float(addressed["care_account"])
        care = str(addressed["care_handle_pattern"])
        handles = spec["handles"] if spec else []
        if handles:
            care += "|@(?:" + "|".join(re.escape(h) for h in handles) + ")"
        self._care_account = re.compile(rf"(?:{care})", re.I)

        # Categories: the brand's own (new or replacing a default) first, then the defaults.
        categories: dict[str, list[str] | None] = {}
        for name, cat in (spec["categories"] if spec else {}).items():
            categories[str(name)] = None if cat is None else list(cat["keywords"])
        for name, cat in cats["categories"].items():
            categories.setdefault(str(name), list(cat["keywords"]))
        self.categories = tuple(name for name, keywords in categories.items() if keywords)
        self._category_index = _CueIndex(
            {name: keywords for name, keywords in categories.items() if keywords}, "categories:"
        )

        self.spam_min_hits = int(spam["min_hits"])
        self.spam_patterns = tuple(_alternation([p], "spam_cues.yaml") for p in spam["patterns"])
        # Which cues can match at all, from the words and characters they start with: most
        # posts have fewer than min_hits candidates and stop there.
        self._spam_starts = _StartIndex(_lower_pattern(str(p)) for p in spam["patterns"])
        self.model_version = (
            f"vader-{package_version('vaderSentiment')}+fixes-{fixes['version']}"
            f"+cues-{cues['version']}+categories-{cats['version']}+spam-{spam['version']}"
        )
        if brand is not None:
            self.model_version += f"+brand-{brand.id}-{_fingerprint(spec)}"

    # -- sentiment -------------------------------------------------------------------------

    def normalize_emoji(self, text: str) -> str:
        """Drop emoji modifiers (variation selectors, skin tones) and split ZWJ sequences."""
        return self._emoji_joiners.sub(" ", self._emoji_modifiers.sub("", text))

    def sentiment_scores(self, text: str) -> tuple[dict[str, float], float]:
        """VADER's own scores of ``text``, and the compound after the misread fixes.

        One pass of VADER computes both, except for a text with an emoji modifier: the fixed
        compound is then VADER's (with the word fixes) on the text without the modifiers.
        """
        if text.isascii() or self._has_modifier.search(text) is None:
            return self._analyzer.scores(text)
        polarity = self._analyzer.polarity_scores(text)
        return polarity, self._analyzer.scores(self.normalize_emoji(text))[1]

    def label(self, sentiment_compound: float) -> Sentiment:
        return label_for(sentiment_compound, self.positive_threshold, self.negative_threshold)

    # -- complaints ------------------------------------------------------------------------

    def _negated(self, lowered: str, start: int) -> bool:
        """True when a negator comes right before ``start`` ("no extra charges")."""
        if self._negated_before is None:
            return False
        return (
            self._negated_before.search(lowered[max(0, start - _NEGATION_LOOKBEHIND) : start])
            is not None
        )

    def _families(self, lowered: str) -> set[int]:
        """Indexes of the cue families that match: a cue of a family with positive weight
        counts only when no negator comes right before it. (The loop of
        :meth:`_CueIndex.matches`, inlined: it runs for every post.)"""
        index = self._cue_index
        memo, candidates_of, negated = index._memo, index._candidates, self._negated
        negatable = self._negatable
        found: set[int] = set()
        for word in _WORD.finditer(lowered):
            token = word.group()
            candidates = memo.get(token)
            if candidates is None:
                candidates = candidates_of(token)
            combined = candidates[0]
            if combined is not None and combined.match(lowered, word.start()) is not None:
                start = word.start()
                for gi, pattern in candidates[1]:
                    if (
                        gi not in found
                        and pattern.match(lowered, start) is not None
                        and not (negatable[gi] and negated(lowered, start))
                    ):
                        found.add(gi)
        if index.always:
            gates = index.always_gates
            for gi, pattern in index.always.items():
                gate = gates[gi]
                if gi not in found and (gate is None or gate(lowered)):
                    for match in pattern.finditer(lowered):
                        if not (negatable[gi] and negated(lowered, match.start())):
                            found.add(gi)
                            break
        return found

    def _addressed(self, text: str) -> str | None:
        """ "care_account" when the text mentions a care account (or one of the brand's own),
        "mention" when it mentions another account, else None."""
        if "@" not in text:
            return None
        mentions = _MENTION.findall(text)
        if not mentions:
            return None
        care = self._care_account.fullmatch
        return "care_account" if any(care(m) for m in mentions) else "mention"

    def cues(self, text: str) -> list[str]:
        """The names of the cue families that match ``text`` (for explanations and tests)."""
        found = [self.families[i].name for i in sorted(self._families(text.lower()))]
        addressed = self._addressed(text)
        if addressed:
            found.append(addressed)
        return found

    def complaint_score(
        self, text: str, compound: float, families: set[int] | None = None
    ) -> float:
        """The complaint probability: logistic of the summed evidence (see the cues file).

        ``families``: the matching cue families, when already known.
        """
        z = (
            self.bias
            + self.negativity_weight * max(0.0, -compound)
            + self.positivity_weight * max(0.0, compound)
        )
        for i in self._families(text.lower()) if families is None else families:
            z += self.families[i].weight
        addressed = self._addressed(text)
        if addressed == "care_account":
            z += self.any_mention_weight + self.care_account_weight
        elif addressed == "mention":
            z += self.any_mention_weight
        return round(1.0 / (1.0 + math.exp(-z)), 4)

    def category(self, text: str, lowered: str | None = None) -> str:
        """The category with the most keyword hits; ties go to the earlier one."""
        hits = [0] * len(self.categories)
        for gi, _ in self._category_index.matches(text.lower() if lowered is None else lowered):
            hits[gi] += 1
        best = max(range(len(hits)), key=lambda i: (hits[i], -i), default=None)
        return OTHER_CATEGORY if best is None or not hits[best] else self.categories[best]

    def is_spam(self, text: str) -> bool:
        """True when at least ``min_hits`` distinct spam cues match."""
        patterns = self.spam_patterns
        if text.isascii() or _FOLD_ODD.isdisjoint(text):
            candidates = self._spam_starts.candidates(text.lower())
            if len(candidates) < self.spam_min_hits:
                return False
            patterns = tuple(patterns[i] for i in sorted(candidates))
        hits = 0
        for pattern in patterns:
            if pattern.search(text):
                hits += 1
                if hits >= self.spam_min_hits:
                    return True
        return False

    def score(self, text: str) -> Score:
        polarity, fixed = self.sentiment_scores(text)
        compound = polarity["compound"]
        lowered = text.lower()
        families = self._families(lowered)
        complaint_score = self.complaint_score(text, fixed, families)
        is_complaint = complaint_score >= self.threshold
        return Score(
            compound=compound,
            pos=float(polarity["pos"]),
            neu=float(polarity["neu"]),
            neg=float(polarity["neg"]),
            sentiment=self.label(fixed),
            is_complaint=is_complaint,
            complaint_score=complaint_score,
            complaint_category=self.category(text, lowered) if is_complaint else None,
            sentiment_compound=fixed,
        )


@functools.cache
def _scorer_for(models_dir: Path) -> Scorer:
    scorer = Scorer(models_dir)
    log.info("scorer built: %s", scorer.model_version)
    return scorer


def default_scorer() -> Scorer:
    """The process-wide scorer for the configured models folder (built on first use)."""
    return _scorer_for(Settings.from_env().models)


_brand_scorers: dict[tuple[Path, str, str], Scorer] = {}
_brand_lock = threading.Lock()


def scorer_for(brand: BrandConfig) -> Scorer:
    """The scorer for one brand: its lexicon and category overrides, threshold and handles.

    Cached per (models folder, brand id, overrides and handles), so a changed brands file
    builds a new one. A brand without overrides still gets its own scorer: its handles are
    how it knows a post is aimed at the brand.
    """
    models = Settings.from_env().models
    key = (models, brand.id, _fingerprint(brand_scoring_spec(brand)))
    with _brand_lock:
        scorer = _brand_scorers.get(key)
        if scorer is None:
            scorer = Scorer(models, brand)
            _brand_scorers[key] = scorer
            log.info("scorer built for brand %s: %s", brand.id, scorer.model_version)
    return scorer


def score_text(text: str) -> Score:
    """Score one text with the process-wide scorer."""
    return default_scorer().score(text)
