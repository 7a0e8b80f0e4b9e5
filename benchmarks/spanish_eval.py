"""The Spanish scorer on the Spanish posts of the project's labelled set, by half.

The Spanish posts of ``models/complaints/posts.csv`` (707 since part E; written for this
project, see its datasheet) are split in two halves by a hash of the post id (:func:`half`):
the Spanish lexicon and cues were tuned looking at the **dev** half only; the **test** half
is scored, never read for them, and is the figure to trust (the Spanish categories 3 were
also revised reading the tuning industries' test-half posts: docs/scoring.md).
For each half: the complaint class's precision, recall and F1, macro-F1 (the mean of both
classes' F1), sentiment agreement (the share of posts whose label is the labelled
sentiment), category accuracy (of the labelled complaints), each for the Spanish scorer
and, for comparison, for the English scorer reading the same posts (what happened before
posts were routed by language).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from benchmarks.metrics import f1, macro_f1
from pipeline.scoring.scorer import Scorer

#: The labelled set, under the models folder.
LABELLED_SET = "complaints/posts.csv"
HALVES = ("dev", "test")


def half(post_id: str) -> str:
    """The half a post belongs to: "dev" or "test" (a hash of its id: fixed, near equal)."""
    digest = hashlib.sha256(post_id.strip().encode("utf-8")).hexdigest()
    return "dev" if int(digest, 16) % 2 == 0 else "test"


@dataclass(frozen=True)
class Figures:
    """One scorer on one half."""

    precision: float
    recall: float
    complaint_f1: float
    macro_f1: float
    sentiment_agreement: float
    category_accuracy: float
    posts: int
    complaints: int


def figures(scorer: Scorer, rows: list[dict[str, str]]) -> Figures:
    """``scorer``'s figures on labelled ``rows`` (columns of the labelled set)."""
    tp = fp = fn = agree = right_category = complaints = 0
    for row in rows:
        score = scorer.score(row["text"])
        truth = row["is_complaint"] == "1"
        tp += truth and score.is_complaint
        fp += score.is_complaint and not truth
        fn += truth and not score.is_complaint
        agree += score.sentiment.value == row["sentiment"]
        if truth:
            complaints += 1
            right_category += scorer.category(row["text"]) == row["category"]
    n = len(rows)
    precision, recall, complaint = f1(tp, fp, fn)
    return Figures(
        precision,
        recall,
        complaint,
        macro_f1(tp, fp, fn, n),
        agree / n if n else 0.0,
        right_category / complaints if complaints else 0.0,
        n,
        complaints,
    )


def spanish_rows(models_dir: Path) -> dict[str, list[dict[str, str]]]:
    """The labelled set's Spanish posts, by half."""
    halves: dict[str, list[dict[str, str]]] = {name: [] for name in HALVES}
    with (models_dir / LABELLED_SET).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["lang"] == "es":
                halves[half(row["id"])].append(row)
    return halves


def evaluate(models_dir: Path) -> dict[str, dict[str, Figures]]:
    """scorer ("es": the Spanish one; "en": the English one) -> half -> figures."""
    rows = spanish_rows(models_dir)
    scorers = {"es": Scorer(models_dir, language="es"), "en": Scorer(models_dir)}
    return {name: {h: figures(scorer, rows[h]) for h in HALVES} for name, scorer in scorers.items()}


def lines(result: dict[str, dict[str, Figures]]) -> list[str]:
    """The figures as the report's lines."""
    out = [f"Spanish posts of the labelled set ({LABELLED_SET}), dev / test halves"]
    for name, label in (("es", "Spanish scorer"), ("en", "English scorer (before)")):
        for h, f in result[name].items():
            out.append(
                f"  {label + ', ' + h:<29} precision = {f.precision:.3f}   recall = "
                f"{f.recall:.3f}   complaint F1 = {f.complaint_f1:.3f}   macro-F1 = "
                f"{f.macro_f1:.3f}   sentiment agreement = {f.sentiment_agreement:.3f}   "
                f"category accuracy = {f.category_accuracy:.3f}   ({f.posts} posts, "
                f"{f.complaints} complaints)"
            )
    return out
