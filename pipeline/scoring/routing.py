"""Each post scored in its own language, or left unscored: never read as English by mistake.

:func:`route` reads each post's language (:mod:`pipeline.scoring.languages`) and scores it
with the brand's scorer for that language when the language is one of the brand's
``languages`` and has a scorer (``models/languages.yaml``: ``scorers``); any other post
gets no score (its sentiment and complaint fields stay null in the warehouse) and the
reason, and is counted as ``unscored`` in ``brand_hourly`` / ``brand_daily``. A post with
no language to tell is read in the brand's first language. The warehouse load
(:func:`pipeline.steps.loading.score_batch`) and ``brandpulse score`` (with and without
``--brand``) all score here, and the learned complaint stage runs only here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.config.model import DEFAULT_LANGUAGES
from pipeline.scoring.languages import language_rule
from pipeline.scoring.scorer import Score, Scorer, default_scorer, scorer_for
from pipeline.settings import Settings

if TYPE_CHECKING:
    from pipeline.config.model import BrandConfig


@dataclass(frozen=True, slots=True)
class Routed:
    """One post's outcome: its score (None when unscored) and the language it was read in."""

    score: Score | None
    #: The language the post was read in (None: none could be told; scored in the brand's
    #: first language).
    text_lang: str | None
    model_version: str
    #: Why the post was not scored; None when it was.
    unscored_reason: str | None = None


def route(
    brand: BrandConfig | None,
    texts: Sequence[str],
    declared: Sequence[str | None],
    english: Scorer | None = None,
    skip: Sequence[bool] | None = None,
) -> list[Routed]:
    """Score each text in its language for ``brand`` (``declared``: the source's tags).

    ``english``: the scorer for English posts (default: the brand's, :func:`scorer_for`).
    Where a language's scorer runs the learned complaint stage, its posts then go through
    it as one batch (:meth:`Scorer.refine`; ``skip``: posts it leaves alone, such as the
    brand's own replies).

    ``brand`` None (``brandpulse score`` without ``--brand``): the default brand settings
    (:data:`DEFAULT_LANGUAGES`, the default scorer), with no language read from the text
    (``declared`` ignored: nothing says which languages the file holds), so every text is
    scored in English as it is, through the same path.
    """
    models = Settings.from_env().models
    rule = language_rule(models)
    languages = (tuple(brand.languages) if brand is not None else ()) or DEFAULT_LANGUAGES
    scorers: dict[str, Scorer] = {}
    out: list[Routed] = []
    at: dict[str, list[int]] = {}  # the posts each language's scorer scored
    for text, tag in zip(texts, declared, strict=True):
        read = rule.read(text, tag).lang if brand is not None else None
        lang = read or languages[0]
        if lang not in languages:
            reason = f"language {lang!r} is not one of the brand's ({', '.join(languages)})"
            out.append(Routed(None, lang, f"unscored+languages-{rule.version}", reason))
            continue
        if lang not in rule.scorers:
            reason = f"language {lang!r} has no scorer ({', '.join(rule.scorers)})"
            out.append(Routed(None, lang, f"unscored+languages-{rule.version}", reason))
            continue
        scorer = scorers.get(lang)
        if scorer is None:
            if lang == "en" and english is not None:
                scorer = english
            else:
                scorer = default_scorer() if brand is None else scorer_for(brand, lang)
            scorers[lang] = scorer
        at.setdefault(lang, []).append(len(out))
        out.append(Routed(scorer.score(text), read, scorer.model_version))
    return _refined(out, scorers, at, texts, skip)


def _refined(
    out: list[Routed],
    scorers: dict[str, Scorer],
    at: dict[str, list[int]],
    texts: Sequence[str],
    skip: Sequence[bool] | None,
) -> list[Routed]:
    """``out`` after the learned complaint stage: each scorer's posts (``at``) as one batch,
    where that scorer runs it."""
    for lang, rows in at.items():
        scorer = scorers[lang]
        if scorer.learned is None:
            continue
        refined = scorer.refine(
            [texts[i] for i in rows],
            [_scored(out[i]) for i in rows],
            None if skip is None else [skip[i] for i in rows],
        )
        for i, score in zip(rows, refined, strict=True):
            out[i] = dataclasses.replace(out[i], score=score)
    return out


def _scored(routed: Routed) -> Score:
    if routed.score is None:
        raise AssertionError("only scored posts go through the learned stage")
    return routed.score
