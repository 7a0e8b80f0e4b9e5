"""VADER, wrapped: the package's sentiment rules run faster, with the misread fixes.

:class:`Analyzer` is vaderSentiment 3.3.2's ``SentimentIntensityAnalyzer`` with
``polarity_scores`` rewritten to do the same arithmetic on words lowercased once (scores
bit-identical to the package's), and computing in the same pass the compound after the
word-level misread fixes of ``vader_fixes.yaml`` (:class:`Fixes`). Building one reads the
7,500-word lexicon from disk: :mod:`pipeline.scoring.scorer` builds one per scorer, and
scorers once per process. The rules' word lists are a :class:`Rules` (English: the
package's own, :data:`ENGLISH`); another language brings its own with its lexicon
(:mod:`pipeline.scoring.lexicon`), and the same loop scores it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version as package_version

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
)

# -- VADER 3.3.2's word rules, on words lowercased once ----------------------------------
#
# Each is the package's function of the same name (vaderSentiment.vaderSentiment), with
# ``lower`` the text's words already lowercased instead of lowercasing them on every call.


def _negated_word(word: str, negations: frozenset[str]) -> bool:
    """``negated([word])``: a word of VADER's negation list, or one containing "n't"."""
    return word in negations or "n't" in word


def _scalar_inc_dec(
    word: str,
    lower: str,
    valence: float,
    is_cap_diff: bool,
    start_i: int,
    *,
    boosters: Mapping[str, float],
) -> float:
    """``scalar_inc_dec``, with the package's damping by distance (0.95, 0.9)."""
    scalar = 0.0
    if lower in boosters:
        scalar = boosters[lower]
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


def _negation_check(
    valence: float, lower: list[str], start_i: int, i: int, negations: frozenset[str]
) -> float:
    if start_i == 0:
        if _negated_word(lower[i - 1], negations):
            valence = valence * N_SCALAR
    elif start_i == 1:
        if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            pass  # "without doubt" is not a negation
        elif _negated_word(lower[i - 2], negations):
            valence = valence * N_SCALAR
    elif start_i == 2:
        # The package's precedence: (never and (so or this)) or (so or this).
        if (lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this")) or (
            lower[i - 1] == "so" or lower[i - 1] == "this"
        ):
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            pass
        elif _negated_word(lower[i - 3], negations):
            valence = valence * N_SCALAR
    return valence


def _special_idioms_check(
    valence: float,
    lower: list[str],
    i: int,
    special_cases: Mapping[str, float],
    boosters: Mapping[str, float],
) -> float:
    onezero = f"{lower[i - 1]} {lower[i]}"
    twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
    twoone = f"{lower[i - 2]} {lower[i - 1]}"
    threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
    threetwo = f"{lower[i - 3]} {lower[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in special_cases:
            valence = special_cases[seq]
            break
    if len(lower) - 1 > i:
        zeroone = f"{lower[i]} {lower[i + 1]}"
        if zeroone in special_cases:
            valence = special_cases[zeroone]
    if len(lower) - 1 > i + 1:
        zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in special_cases:
            valence = special_cases[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in boosters:
            valence = valence + boosters[n_gram]
    return valence


def _least_check(valence: float, lexicon: Mapping[str, float], lower: list[str], i: int) -> float:
    if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        if lower[i - 2] != "at" and lower[i - 2] != "very":
            valence = valence * N_SCALAR
    elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        valence = valence * N_SCALAR
    return valence


#: The vaderSentiment release whose ``polarity_scores`` :class:`Analyzer` follows.
_VADER_FAST_PATH = "3.3.2"
_NEGATE = frozenset(NEGATE)
_PUNCTUATION = string.punctuation


@dataclass(frozen=True, slots=True)
class Rules:
    """A language's word lists for VADER's rules (English: the package's own, :data:`ENGLISH`).

    ``no_word`` is the word VADER's "no" rules look for (a "no" before a lexicon word, "no"
    itself in the lexicon); None switches them off, for a language whose "no" is a plain
    negator (then it belongs in ``negations``). ``but_word`` is the contrastive conjunction
    whose clause weighs more ("but"; "pero").
    """

    boosters: Mapping[str, float]
    negations: frozenset[str]
    special_cases: Mapping[str, float]
    no_word: str | None = "no"
    but_word: str = "but"


#: VADER 3.3.2's English rules.
ENGLISH = Rules(BOOSTER_DICT, _NEGATE, SPECIAL_CASES)


def _contrast_check(lower: list[str], sentiments: list[float], word: str) -> list[float]:
    """The package's ``_but_check`` for another conjunction (its quirk kept: each value is
    found again with ``list.index``, so the first equal value is the one scaled)."""
    if word in lower:
        bi = lower.index(word)
        for sentiment in sentiments:
            si = sentiments.index(sentiment)
            if si < bi:
                sentiments.pop(si)
                sentiments.insert(si, sentiment * 0.5)
            elif si > bi:
                sentiments.pop(si)
                sentiments.insert(si, sentiment * 1.5)
    return sentiments


@dataclass(frozen=True, slots=True)
class Fixes:
    """The word-level misread fixes (see ``vader_fixes.yaml``)."""

    #: A negated negative word ("not horrible") keeps this share of its flipped valence.
    negated_negative_scale: float
    #: "no" before one of these words ("no issues") gets ``no_problem_valence``.
    no_problem_words: frozenset[str]
    no_problem_valence: float


class Analyzer(SentimentIntensityAnalyzer):  # type: ignore[misc]
    """VADER 3.3.2's ``polarity_scores``, rewritten to do the same arithmetic faster.

    The package lowercases every word of a text again for each word it scores (its negation
    and idiom checks rebuild the lowercased list), and copies a text character by character
    to replace emoji. Here each word is lowercased once and texts without emoji are not
    copied; every rule, its order and every floating-point operation are the package's
    (``scores`` follows ``SentimentIntensityAnalyzer.polarity_scores`` line for line), so
    the scores are bit-identical: a unit test compares them with the package on hand-written
    texts. On any other release of the package, the package's own method runs.

    ``scores`` also returns the compound after the misread fixes (:class:`Fixes`), computed
    in the same pass: a fix changes one word's valence after VADER has scored it.
    """

    def __init__(
        self,
        fixes: Fixes | None = None,
        rules: Rules = ENGLISH,
        lexicon: Mapping[str, float] | None = None,
        emojis: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        if lexicon is not None:  # another language's lexicon instead of VADER's English one
            self.lexicon = dict(lexicon)
        if emojis is not None:
            self.emojis = dict(emojis)
        self._emoji = frozenset(k for k in self.emojis if len(k) == 1)
        self.rules = rules
        # Another language runs this loop on any vaderSentiment release (its rules are ours).
        self._fast = package_version("vaderSentiment") == _VADER_FAST_PATH or rules is not ENGLISH
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
        rules = self.rules
        boosters, negations, no_word = rules.boosters, rules.negations, rules.no_word
        fixes = self.fixes if fix else None
        sentiments: list[float] = []
        changed: list[tuple[int, float]] = []  # (word, valence after a fix)
        for i, item in enumerate(lower):
            if item in boosters or (i < n - 1 and item == "kind" and lower[i + 1] == "of"):
                sentiments.append(0)
                continue
            valence: float = 0  # sentiment_valence
            if item in lexicon:
                valence = lexicon[item]
                idiom = False
                if item == no_word and i != n - 1 and lower[i + 1] in lexicon:
                    valence = 0.0
                if no_word is not None and (
                    (i > 0 and lower[i - 1] == no_word)
                    or (i > 1 and lower[i - 2] == no_word)
                    or (i > 2 and lower[i - 3] == no_word and lower[i - 1] in ("or", "nor"))
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
                            is_cap_diff, start_i, boosters=boosters,
                        )  # fmt: skip
                        valence = _negation_check(valence, lower, start_i, i, negations)
                        if start_i == 2:
                            before = valence
                            valence = _special_idioms_check(
                                valence, lower, i, rules.special_cases, boosters
                            )
                            idiom = valence != before
                valence = _least_check(valence, lexicon, lower, i)
                # A negative word VADER made positive, not by an idiom ("bad ass"): negated.
                if fixes is not None and valence > 0 and lexicon[item] < 0 and not idiom:
                    changed.append((i, valence * fixes.negated_negative_scale))
            if (
                fixes is not None
                and item == no_word
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
        if rules.but_word == "but":
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
        but = rules.but_word
        polarity = self.score_valence(_contrast_check(lower, sentiments, but), text)
        if fixed is None:
            return polarity, polarity["compound"]
        return polarity, self.score_valence(_contrast_check(lower, fixed, but), text)["compound"]
