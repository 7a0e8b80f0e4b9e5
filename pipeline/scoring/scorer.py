"""Sentiment and complaint scoring: :class:`Score`, :class:`Scorer` and the scorers of a process.

The scoring stage's public surface. A :class:`Scorer` reads the models folder and puts
together VADER (:mod:`pipeline.scoring.vader`), the complaint cue families and spam cues
(compiled by :mod:`pipeline.scoring.cues`) and the complaint categories
(:mod:`pipeline.scoring.categories`). Its analyzer is built once per process (building it
reads the 7,500-word lexicon from disk): :func:`default_scorer` is the process-wide scorer,
and :func:`scorer_for` builds one more per brand with lexicon or category overrides. Every
asset is data in the models folder:

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

import dataclasses
import functools
import hashlib
import json
import logging
import math
import re
import string
import threading
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from vaderSentiment.vaderSentiment import BOOSTER_DICT, C_INCR, N_SCALAR, NEGATE, SPECIAL_CASES

from pipeline.errors import ConfigError
from pipeline.scoring import learned, lexicon
from pipeline.scoring.categories import DEFAULT_CONTEXT_WEIGHT, Categories
from pipeline.scoring.core import choose
from pipeline.scoring.cues import (
    FOLD_ODD,
    WORD,
    CueFamily,
    alternation,
    lower_pattern,
    shared_cue_index,
    shared_item,
    shared_matcher,
    shared_start_index,
)
from pipeline.scoring.learned import LearnedStage, stage_for
from pipeline.scoring.vader import Analyzer, Fixes
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

#: The compiled core's cue-family matching: (lowered text, negatable, negated) -> families.
_FamiliesFn = Callable[[str, tuple[bool, ...], Callable[[str, int], bool]], set[int]]

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
    #: The learned complaint stage's score (:mod:`pipeline.scoring.learned`); None where it
    #: did not run (switched off, or the cue score outside its band).
    learned_complaint_score: float | None = None


def read_asset(path: Path) -> Mapping[str, Any]:
    """A versioned YAML scoring asset; a missing or broken one is a one-line ConfigError."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"scoring asset not found: {path} (set BRANDPULSE_MODELS)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, Mapping) or "version" not in data:
        raise ConfigError(f"{path.name}: expected a mapping with a 'version'")
    return data


def _fingerprint(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=list)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:8]


def brand_scoring_spec(brand: BrandConfig) -> dict[str, Any]:
    """What of a brand changes its scores: its scoring overrides and its own handles."""
    overrides = brand.overrides or {}
    spec: dict[str, Any] = {
        "lexicon": dict(overrides.get("lexicon") or {}),
        "categories": dict(overrides.get("categories") or {}),
        "complaint_threshold": overrides.get("complaint_threshold"),
        "handles": sorted(brand.account_handles),
    }
    if brand.products:  # only then: a brand without products keeps its model version
        spec["products"] = sorted({p.lower() for p in brand.products})
    if overrides.get("learned_complaints") is not None:  # likewise
        spec["learned_complaints"] = bool(overrides["learned_complaints"])
    if overrides.get("languages"):  # likewise
        spec["languages"] = {
            str(lang): dict(words) for lang, words in dict(overrides["languages"]).items()
        }
    return spec


def language_spec(spec: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A brand's scoring spec as its scorer for ``language`` reads it: the shared lexicon
    and categories, with that language's own (``overrides.languages.<lang>``) on top (a
    word's valence replaced, a category replaced by name or removed by ``null``)."""
    out = {key: value for key, value in spec.items() if key != "languages"}
    own = dict(spec.get("languages", {})).get(language, {})
    if own.get("lexicon"):
        out["lexicon"] = {**out["lexicon"], **own["lexicon"]}
    if own.get("categories"):
        out["categories"] = {**out["categories"], **own["categories"]}
    return out


def _lexicon_key(word: str, language: str) -> str:
    """A brand's lexicon word as its language's lexicon keys it (another language's lexicon
    is NFC-normalised, :func:`pipeline.scoring.lexicon.read_lexicon`)."""
    key = str(word).lower()
    return key if language == "en" else unicodedata.normalize("NFC", key)


class Scorer:
    """Scores texts: VADER sentiment, complaint flag and score, complaint category.

    Build one per process with :func:`default_scorer` (or per brand with :func:`scorer_for`);
    it is immutable after construction and safe to share between threads. ``core`` chooses
    the compiled or the pure-Python scoring core (:func:`pipeline.scoring.core.choose`;
    default: ``BRANDPULSE_SCORING_CORE``, else the compiled one when built); both give the
    same scores.
    """

    def __init__(
        self,
        models_dir: Path,
        brand: BrandConfig | None = None,
        core: str | None = None,
        language: str = "en",
        *,
        learned_stage: bool | None = None,
    ) -> None:
        """``learned_stage``: run the learned complaint stage or not (None: as the brand's
        ``overrides.learned_complaints`` says, else the default)."""
        chosen = choose(core)
        #: The language this scorer reads (English: models/*.yaml; another: models/<lang>/).
        self.language = language
        # The compiled core is English VADER's; another language runs the pure-Python loop.
        compiled = chosen.module if language == "en" else None
        # A brand's lexicon and categories apply in every language, with the language's own
        # (overrides.languages) on top.
        spec = language_spec(brand_scoring_spec(brand), language) if brand is not None else None
        assets = models_dir if language == "en" else models_dir / language
        fixes = read_asset(assets / "vader_fixes.yaml")
        cues = read_asset(assets / "complaint_cues.yaml")
        cats = read_asset(assets / "categories.yaml")
        spam = read_asset(models_dir / "spam_cues.yaml")

        # Sentiment: VADER itself (a separate instance with its own lexicon dict when the
        # brand overrides words; the installed package and other scorers are never touched).
        self.positive_threshold = float(fixes["positive_threshold"])
        self.negative_threshold = float(fixes["negative_threshold"])
        self._analyzer = Analyzer(
            Fixes(
                float(fixes["negated_negative_scale"]),
                frozenset(str(w).lower() for w in fixes["no_problem_words"]),
                float(fixes["no_problem_valence"]),
            ),
            **lexicon.vader_assets(models_dir, language, fixes),
        )
        if spec and spec["lexicon"]:
            self._analyzer.lexicon = {
                **self._analyzer.lexicon,
                **{_lexicon_key(w, language): float(v) for w, v in spec["lexicon"].items()},
            }
        if not self._analyzer._fast:
            compiled = None  # another vaderSentiment release: its own code runs
        #: "compiled" or "python": the scoring core this scorer runs.
        self.core = "compiled" if compiled is not None else "python"
        # Scorers whose VADER reads the same fixes and lexicon share one compiled VADER and
        # so its per-token cache (a cache per brand grew by about 20 MB a 100,000 posts:
        # docs/benchmark.md "Peak memory at 1M").
        self._scores: Callable[..., tuple[dict[str, float], float]] = (
            shared_item(
                ("vader", compiled.__name__, _vader_key(models_dir, fixes, self._analyzer)),
                lambda: compiled.VaderCore(
                    self._analyzer, BOOSTER_DICT, SPECIAL_CASES, NEGATE, N_SCALAR, C_INCR,
                    string.punctuation,
                ),
            ).scores
            if compiled is not None
            else self._analyzer.scores
        )  # fmt: skip
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
            re.compile(rf"(?:^|\W)(?:{lower_pattern(negators)})(?:\W+\w+){{0,3}}\W*$")
            if negators
            else None
        )
        self.families = tuple(
            CueFamily(name, float(spec_["weight"])) for name, spec_ in cues["families"].items()
        )
        # Families whose cues a negator before them cancels.
        self._negatable = tuple(
            float(spec_["weight"]) > 0 and bool(spec_.get("negatable", True))
            for spec_ in cues["families"].values()
        )
        self._cue_index = shared_cue_index(
            {name: list(spec_["patterns"]) for name, spec_ in cues["families"].items()},
            "complaint_cues.yaml: family",
        )
        self._compiled_families: _FamiliesFn | None = (
            shared_matcher(compiled, "TokenMatcher", self._cue_index).families
            if compiled is not None
            else None
        )
        addressed = cues["addressed"]
        self.any_mention_weight = float(addressed["any_mention"])
        self.care_account_weight = float(addressed["care_account"])
        care = str(addressed["care_handle_pattern"])
        handles = spec["handles"] if spec else []
        if handles:
            care += "|@(?:" + "|".join(re.escape(h) for h in handles) + ")"
        self._care_account = re.compile(rf"(?:{care})", re.I)

        # Categories: the brand's new ones first, then the defaults as the brand replaced them.
        self._categories = Categories(
            cats["categories"],
            spec["categories"] if spec else {},
            compiled,
            float(cats.get("context_weight", DEFAULT_CONTEXT_WEIGHT)),
        )
        self.categories = self._categories.names
        # The brand's product names are blanked out before the categories are matched.
        products = sorted(spec.get("products", ()), key=len, reverse=True) if spec else []
        self._products = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in products) + r")(?!\w)")
            if products
            else None
        )

        self.spam_min_hits = int(spam["min_hits"])
        self.spam_patterns = tuple(alternation([p], "spam_cues.yaml") for p in spam["patterns"])
        # Which cues can match at all, from the words and characters they start with: most
        # posts have fewer than min_hits candidates and stop there.
        self._spam_starts = shared_start_index(lower_pattern(str(p)) for p in spam["patterns"])
        self._spam_candidates: Callable[[str], set[int]] = (
            shared_matcher(compiled, "StartMatcher", self._spam_starts).candidates
            if compiled is not None
            else self._spam_starts.candidates
        )
        tag = "" if language == "en" else f"-{language}"
        self.model_version = (
            f"vader-{package_version('vaderSentiment')}{lexicon.version_part(language, fixes)}"
            f"+fixes{tag}-{fixes['version']}+cues{tag}-{cues['version']}"
            f"+categories{tag}-{cats['version']}+spam-{spam['version']}"
        )
        #: The learned complaint stage, when it runs for this brand (``overrides.
        #: learned_complaints``, default :data:`~pipeline.scoring.learned.LEARNED_BY_DEFAULT`).
        self.learned: LearnedStage | None = (
            stage_for(models_dir)
            if (learned.enabled_for(brand) if learned_stage is None else learned_stage)
            else None
        )
        if self.learned is not None:
            self.model_version += f"+learned-{self.learned.version}"
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
            return self._scores(text)
        polarity = self._scores(text, False)[0]
        return polarity, self._scores(self.normalize_emoji(text))[1]

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
        :meth:`CueIndex.matches`, inlined: it runs for every post; the compiled core has
        its own.)"""
        if self._compiled_families is not None:
            return self._compiled_families(lowered, self._negatable, self._negated)
        index = self._cue_index
        memo, candidates_of, negated = index.memo, index.candidates, self._negated
        negatable = self._negatable
        found: set[int] = set()
        for word in WORD.finditer(lowered):
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
        """The category with the most keyword hits; ties go to the earlier one. The brand's
        product names (``products`` in the brands file) are not read as keywords."""
        lowered = text.lower() if lowered is None else lowered
        if self._products is not None:
            lowered = self._products.sub(" ", lowered)
        return self._categories.best(lowered)

    def is_spam(self, text: str) -> bool:
        """True when at least ``min_hits`` distinct spam cues match."""
        patterns = self.spam_patterns
        if text.isascii() or FOLD_ODD.isdisjoint(text):
            candidates = self._spam_candidates(text.lower())
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

    def refine(
        self, texts: Sequence[str], scores: Sequence[Score], skip: Sequence[bool] | None = None
    ) -> list[Score]:
        """The scores of a batch of texts after the learned complaint stage, when it runs for
        this scorer (else ``scores`` as they are): see :mod:`pipeline.scoring.learned`.
        ``skip``: posts the stage must leave alone (the brand's own replies, reposts)."""
        if self.learned is None:
            return list(scores)
        cue = [s.complaint_score for s in scores]
        judged = self.learned.judge(texts, cue, self.threshold, skip)
        bar = self.learned.head.bar
        out = list(scores)
        for i, value in judged.items():
            # In the band the cues said "no complaint": the stage may only add one, and the
            # cues' category rule names it.
            added = value >= bar
            out[i] = dataclasses.replace(
                scores[i],
                learned_complaint_score=value,
                is_complaint=added,
                complaint_category=self.category(texts[i]) if added else None,
            )
        return out

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


_brand_scorers: dict[tuple[Path, str, str, str], Scorer] = {}
_brand_lock = threading.Lock()


def scorer_for(brand: BrandConfig, language: str = "en") -> Scorer:
    """The scorer for one brand: its lexicon and category overrides, threshold and handles.

    Cached per (models folder, brand id, overrides and handles, language), so a changed
    brands file builds a new one. A brand without overrides still gets its own scorer: its
    handles are how it knows a post is aimed at the brand. ``language``: the scorer for the
    brand's posts in that language (:mod:`pipeline.scoring.routing` picks it per post).
    """
    models = Settings.from_env().models
    key = (models, brand.id, _fingerprint(brand_scoring_spec(brand)), language)
    with _brand_lock:
        scorer = _brand_scorers.get(key)
        if scorer is None:
            scorer = Scorer(models, brand, language=language)
            _brand_scorers[key] = scorer
            log.info("scorer built for brand %s: %s", brand.id, scorer.model_version)
    return scorer


def _vader_key(models_dir: Path, fixes: Mapping[str, Any], analyzer: Analyzer) -> str:
    """What a compiled VADER is made of (the fixes and the lexicon), as a digest: scorers
    with the same one share it (:func:`pipeline.scoring.cues.shared_item`)."""
    made_of = [str(models_dir), fixes, sorted(analyzer.lexicon.items())]
    text = json.dumps(made_of, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def forget_scorers(brand_ids: Collection[str] | None = None) -> None:
    """Drop this process's scorers of ``brand_ids`` (None: every brand, and the default
    scorer); :func:`scorer_for` builds them again when asked. For a process that has
    stopped scoring them (:mod:`pipeline.scoring.workers`). What a scorer shares with the
    scorers of equal patterns and lexicon (its indexes, matchers, compiled VADER and their
    per-word caches, :func:`pipeline.scoring.cues.shared_item`) stays for the others: one
    per distinct configuration; :func:`pipeline.scoring.cues.forget_learned` drops it."""
    with _brand_lock:
        for key in [k for k in _brand_scorers if brand_ids is None or k[1] in brand_ids]:
            del _brand_scorers[key]
    if brand_ids is None:
        _scorer_for.cache_clear()


def score_text(text: str) -> Score:
    """Score one text with the process-wide scorer."""
    return default_scorer().score(text)
