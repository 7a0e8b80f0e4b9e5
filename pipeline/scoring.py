"""Sentiment and complaint scoring.

vaderSentiment is wrapped once, behind :func:`score_text`, and its analyzer is built once per
process (building it reads the 7,500-word lexicon from disk). The complaint detector combines
VADER's negativity with the complaint cues in ``models/complaint_cues.yaml``; the primary
category comes from ``models/categories.yaml``. The version of every asset is part of
:data:`Scorer.model_version`, which is stored with each scored post.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import yaml
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipeline.errors import ConfigError
from pipeline.settings import Settings

log = logging.getLogger(__name__)

# Thresholds from vaderSentiment's README ("About the Scoring"): compound >= 0.05 is
# positive, compound <= -0.05 is negative, anything between is neutral.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

#: Characters before a cue searched for a negator ("no extra charges", "not one thing
#: missing or damaged"): a negator and up to three words.
_NEGATION_LOOKBEHIND = 40

#: Category given to a complaint whose text matches no category keyword.
OTHER_CATEGORY = "other"


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


def label_for(compound: float) -> Sentiment:
    """VADER's README thresholds applied to a compound score."""
    if compound >= POSITIVE_THRESHOLD:
        return Sentiment.POSITIVE
    if compound <= NEGATIVE_THRESHOLD:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


@dataclass(frozen=True, slots=True)
class Score:
    """The scores of one text."""

    compound: float
    pos: float
    neu: float
    neg: float
    sentiment: Sentiment
    is_complaint: bool
    complaint_score: float
    complaint_category: str | None


@dataclass(frozen=True)
class _CueFamily:
    name: str
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Category:
    name: str
    pattern: re.Pattern[str]


def _alternation(patterns: list[str], where: str) -> re.Pattern[str]:
    try:
        return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)", re.I)
    except re.error as exc:
        raise ConfigError(f"{where}: invalid pattern: {exc}") from None


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


class Scorer:
    """Scores texts: VADER sentiment, complaint flag and score, complaint category.

    Build one per process with :func:`default_scorer`; it is immutable after construction
    and safe to share between threads.
    """

    def __init__(self, models_dir: Path) -> None:
        self._analyzer = SentimentIntensityAnalyzer()
        cues = _read_yaml(models_dir / "complaint_cues.yaml")
        cats = _read_yaml(models_dir / "categories.yaml")
        spam = _read_yaml(models_dir / "spam_cues.yaml")
        self.threshold = float(cues["threshold"])
        negators = "|".join(str(n) for n in cues.get("negators", []))
        # A negator followed by at most three words, right before a cue, cancels it.
        self._negated_before = (
            re.compile(rf"(?:^|\W)(?:{negators})(?:\W+\w+){{0,3}}\W*$", re.I) if negators else None
        )
        self.negativity_weight = float(cues["negativity_weight"])
        self.families = tuple(
            _CueFamily(
                name,
                float(spec["weight"]),
                _alternation(list(spec["patterns"]), f"complaint_cues.yaml: family '{name}'"),
            )
            for name, spec in cues["families"].items()
        )
        self.categories = tuple(
            _Category(name, _alternation(list(spec["keywords"]), f"categories.yaml: '{name}'"))
            for name, spec in cats["categories"].items()
        )
        self.spam_min_hits = int(spam["min_hits"])
        self.spam_patterns = tuple(_alternation([p], "spam_cues.yaml") for p in spam["patterns"])
        self.model_version = (
            f"vader-{package_version('vaderSentiment')}"
            f"+cues-{cues['version']}+categories-{cats['version']}+spam-{spam['version']}"
        )

    def _cue_matches(self, pattern: re.Pattern[str], text: str) -> bool:
        """True when ``pattern`` matches somewhere not right after a negator."""
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - _NEGATION_LOOKBEHIND) : match.start()]
            if self._negated_before is None or not self._negated_before.search(before):
                return True
        return False

    def complaint_score(self, text: str, compound: float) -> float:
        """Noisy-OR of VADER's negativity and every complaint cue family that matches."""
        keep = 1.0 - self.negativity_weight * max(0.0, -compound)
        for family in self.families:
            if self._cue_matches(family.pattern, text):
                keep *= 1.0 - family.weight
        return round(1.0 - keep, 4)

    def category(self, text: str) -> str:
        """The category with the most keyword hits; ties go to the earlier one."""
        best, best_hits = OTHER_CATEGORY, 0
        for cat in self.categories:
            hits = sum(1 for _ in cat.pattern.finditer(text))
            if hits > best_hits:
                best, best_hits = cat.name, hits
        return best

    def is_spam(self, text: str) -> bool:
        """True when at least ``min_hits`` distinct spam cues match."""
        hits = 0
        for pattern in self.spam_patterns:
            if pattern.search(text):
                hits += 1
                if hits >= self.spam_min_hits:
                    return True
        return False

    def score(self, text: str) -> Score:
        polarity = self._analyzer.polarity_scores(text)
        compound = float(polarity["compound"])
        complaint_score = self.complaint_score(text, compound)
        is_complaint = complaint_score >= self.threshold
        return Score(
            compound=compound,
            pos=float(polarity["pos"]),
            neu=float(polarity["neu"]),
            neg=float(polarity["neg"]),
            sentiment=label_for(compound),
            is_complaint=is_complaint,
            complaint_score=complaint_score,
            complaint_category=self.category(text) if is_complaint else None,
        )


@functools.cache
def _scorer_for(models_dir: Path) -> Scorer:
    scorer = Scorer(models_dir)
    log.info("scorer built: %s", scorer.model_version)
    return scorer


def default_scorer() -> Scorer:
    """The process-wide scorer for the configured models folder (built on first use)."""
    return _scorer_for(Settings.from_env().models)


def score_text(text: str) -> Score:
    """Score one text with the process-wide scorer."""
    return default_scorer().score(text)
