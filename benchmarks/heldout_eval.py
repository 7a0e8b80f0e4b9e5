"""The scorer on the held-out labelled set: written blind, never fitted or tuned on.

``models/complaints/heldout.csv`` (605 posts, English and Spanish, 25 industries; see
``models/complaints/DATASHEET.md``, "The held-out set") was written without reading the
complaint cues, the category rules or the learned head, and nothing is fitted or chosen on
it: the learned head's trainer reads ``posts.csv`` only. It is scored once per release; a
change chosen after reading its figures makes it a seen set, and a new one must be written.

Per language, each post read by that language's scorer (as the warehouse load reads it):
complaint precision, recall, F1 and macro-F1 (the mean of both classes' F1) for the cues
alone and for the cues with the learned complaint stage (the texts scored as one batch, as
the load does), and, over the labelled complaints, the share whose category is the labelled
primary one and the share filed as "other" (the learned stage does not change a category).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from benchmarks.metrics import f1, macro_f1
from pipeline.errors import InputError
from pipeline.scoring.categories import OTHER_CATEGORY
from pipeline.scoring.scorer import Scorer

#: The held-out set, under the models folder.
HELDOUT_SET = "complaints/heldout.csv"
#: The heading of its block in ``brandpulse eval``'s report.
TITLE = "held-out set (never fitted or tuned on)"
#: The columns the evaluation reads.
COLUMNS = ("id", "lang", "text", "is_complaint", "category")


@dataclass(frozen=True)
class Detection:
    """Complaint detection on one language's posts."""

    precision: float
    recall: float
    complaint_f1: float
    macro_f1: float


@dataclass(frozen=True)
class Figures:
    """One language's posts of the held-out set."""

    posts: int
    complaints: int
    cues: Detection
    #: With the learned complaint stage; None when the scorer does not run it.
    learned: Detection | None
    #: Share of the labelled complaints whose category is the labelled primary one.
    category_accuracy: float
    #: Share of the labelled complaints the scorer files as "other".
    other_share: float


def detection(truth: list[bool], predicted: list[bool]) -> Detection:
    """Precision, recall and F1 of the complaint class, and macro-F1 over both classes."""
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    fp = sum(p and not t for t, p in zip(truth, predicted, strict=True))
    fn = sum(t and not p for t, p in zip(truth, predicted, strict=True))
    return Detection(*f1(tp, fp, fn), macro_f1(tp, fp, fn, len(truth)))


def read_rows(path: Path) -> dict[str, list[dict[str, str]]]:
    """The set's rows by language, in file order; a file without the columns is an error."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
            rows: dict[str, list[dict[str, str]]] = {}
            for row in reader:
                if any(row.get(c) is None for c in COLUMNS):
                    raise InputError(
                        f"{path}, line {reader.line_num}: fewer fields than the header"
                    )
                rows.setdefault(row["lang"], []).append(row)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return rows


def figures(scorer: Scorer, rows: list[dict[str, str]]) -> Figures:
    """``scorer``'s figures on labelled ``rows``: the cues alone, then the learned stage
    over the batch (when ``scorer`` runs it), and the categories of the labelled complaints."""
    texts = [row["text"] for row in rows]
    truth = [row["is_complaint"] == "1" for row in rows]
    cue_scores = [scorer.score(text) for text in texts]
    cues = detection(truth, [s.is_complaint for s in cue_scores])
    learned = None
    if scorer.learned is not None:
        refined = scorer.refine(texts, cue_scores)
        learned = detection(truth, [s.is_complaint for s in refined])
    labelled = [row for row in rows if row["is_complaint"] == "1"]
    got = [scorer.category(row["text"]) for row in labelled]
    n = len(labelled)
    return Figures(
        posts=len(rows),
        complaints=n,
        cues=cues,
        learned=learned,
        category_accuracy=(
            sum(g == row["category"] for g, row in zip(got, labelled, strict=True)) / n
            if n
            else 0.0
        ),
        other_share=sum(g == OTHER_CATEGORY for g in got) / n if n else 0.0,
    )


def evaluate(models_dir: Path, learned_stage: bool = True) -> dict[str, Figures]:
    """language -> figures, each language's posts by its own scorer (with the learned stage
    when ``learned_stage``); a language without a scorer is an error naming it."""
    path = models_dir / HELDOUT_SET
    out: dict[str, Figures] = {}
    for lang, rows in sorted(read_rows(path).items()):
        if lang != "en" and not (models_dir / lang).is_dir():
            raise InputError(f"{path}: no scorer for language {lang!r} (models/{lang}/)")
        out[lang] = figures(Scorer(models_dir, language=lang, learned_stage=learned_stage), rows)
    return out


def lines(result: dict[str, Figures]) -> list[str]:
    """The figures as the report's lines."""

    def row(label: str, d: Detection) -> str:
        return (
            f"  {label:<25} precision = {d.precision:.3f}   recall = {d.recall:.3f}"
            f"   complaint F1 = {d.complaint_f1:.3f}   macro-F1 = {d.macro_f1:.3f}"
        )

    out = [f"{TITLE} ({HELDOUT_SET}; scored once per release, see its datasheet)"]
    for lang, f in result.items():
        out.append(row(f"{lang}, cues alone", f.cues) + f"   ({f.posts} posts)")
        if f.learned is not None:
            out.append(row(f"{lang}, cues + learned stage", f.learned))
        out.append(
            f"  {'':<25} category accuracy = {f.category_accuracy:.3f}   filed as other = "
            f"{f.other_share:.0%}   ({f.complaints} complaints)"
        )
    return out
