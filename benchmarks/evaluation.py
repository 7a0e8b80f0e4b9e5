"""``brandpulse eval``: measure the scorer on public, third-party evaluation data.

The data is not part of this project (it is not ours to redistribute): point ``--data`` at
a folder laid out like the project's shared evaluation data::

    vader_groundtruth/tweets_GroundTruth.txt   id <TAB> mean human rating (-4..4) <TAB> text
    semeval2017_sentiment/test_text.txt        one tweet a line
    semeval2017_sentiment/test_labels.txt      0 negative, 1 neutral, 2 positive
    complaints_dev/complaints-data.csv         tweet_id, text, label (1 complaint), domain

and it prints: Pearson r between the sentiment compound (after the misread fixes) and the
human ratings (Hutto & Gilbert, ICWSM 2014; plain VADER's r alongside), macro-F1 of the
sentiment label on SemEval-2017 task 4A, and precision, recall and F1 of ``is_complaint`` on
the complaints corpus (Preotiuc-Pietro et al., ACL 2019), on the whole file and on each of
its two halves (:func:`complaints_half`). The complaint cues were developed looking only at
the "dev" half; the "held-out" half shows whether they generalize (see README "Scoring").
It also measures the scorer's throughput next to plain VADER's on the SemEval texts
(:func:`measure_throughput`), and scores the project's own labelled set (:func:`own_set`,
:mod:`benchmarks.spanish_eval`) and its held-out set, written blind and never fitted or tuned
on (:mod:`benchmarks.heldout_eval`).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import math
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from benchmarks import heldout_eval, spanish_eval
from benchmarks.metrics import f1, macro_f1
from pipeline.errors import InputError
from pipeline.scoring.categories import OTHER_CATEGORY
from pipeline.scoring.scorer import Scorer, Sentiment, default_scorer
from pipeline.settings import Settings

#: The project's own labelled set, under the models folder (models/complaints/DATASHEET.md).
OWN_SET = "complaints/posts.csv"
SEMEVAL_LABELS = {"0": Sentiment.NEGATIVE, "1": Sentiment.NEUTRAL, "2": Sentiment.POSITIVE}


@dataclass(frozen=True)
class Evaluation:
    """The scorer's figures on each data set (None where the files were not found)."""

    vader_tweets_r: float | None
    vader_tweets_n: int
    semeval_macro_f1: float | None
    semeval_accuracy: float | None
    semeval_n: int
    complaint_precision: float | None
    complaint_recall: float | None
    complaint_f1: float | None
    complaints_n: int
    model_version: str
    vader_tweets_r_plain: float | None = None
    #: (precision, recall, F1, tweets, macro-F1) per half of the complaints file: "dev",
    #: "held-out".
    complaint_halves: dict[str, tuple[float, float, float, int, float]] | None = None
    #: (plain VADER texts/s, scorer texts/s, ratio) on the SemEval texts, see
    #: :func:`measure_throughput`; None when not measured.
    throughput: tuple[float, float, float] | None = None
    #: Mean of the complaint class's F1 and the other class's, as the literature reports it.
    complaint_macro_f1: float | None = None
    #: The project's own labelled set (``models/complaints/posts.csv``), see :func:`own_set`.
    own: OwnSet | None = None
    #: (precision, recall, F1, tweets, macro-F1) of the cues alone on the complaints corpus,
    #: when the scorer runs the learned complaint stage (the main figures include it).
    complaint_cues_only: tuple[float, float, float, int, float] | None = None
    #: Its Spanish posts by the Spanish scorer (and the English one), by half
    #: (:mod:`benchmarks.spanish_eval`).
    spanish: dict[str, dict[str, spanish_eval.Figures]] | None = None
    #: The held-out labelled set (never fitted or tuned on), by language
    #: (:mod:`benchmarks.heldout_eval`).
    heldout: dict[str, heldout_eval.Figures] | None = None


@dataclass(frozen=True)
class OwnSet:
    """The scorer on the project's own labelled complaint set, by language."""

    #: language -> (precision, recall, complaint F1, macro-F1, posts)
    complaints: dict[str, tuple[float, float, float, float, int]]
    #: language -> (share of complaints whose category is the labelled one, complaints)
    category_accuracy: dict[str, tuple[float, int]]
    #: language -> share of labelled complaints the scorer files as "other"
    other_share: dict[str, float]


def complaints_half(tweet_id: str) -> str:
    """The half of the complaints file a tweet belongs to: "dev" or "held-out".

    A hash of the tweet id (not its parity: snowflake ids are mostly even), so the halves
    are fixed, near equal and independent of the label and the domain.
    """
    digest = hashlib.sha256(tweet_id.strip().encode("utf-8")).hexdigest()
    return "dev" if int(digest, 16) % 2 == 0 else "held-out"


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson's correlation coefficient of two equally long series."""
    n = len(xs)
    if n < 2 or n != len(ys):
        raise ValueError("pearson needs two series of the same length, at least 2")
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


#: Texts per timed chunk in :func:`measure_throughput`.
THROUGHPUT_CHUNK = 250


def measure_throughput(
    texts: Sequence[str], repeats: int = 5, scorer: Scorer | None = None
) -> tuple[float, float, float]:
    """Texts per second of plain VADER and of ``scorer`` (with the complaint detector), and
    their ratio (scorer / VADER), measured in this process on the same texts.

    vaderSentiment's own ``SentimentIntensityAnalyzer().polarity_scores`` is the reference.
    After one untimed pass of each over all the texts (both warm), every repeat walks the
    texts in chunks of :data:`THROUGHPUT_CHUNK`, timing VADER and the scorer on each chunk
    one after the other (which goes first alternates), so that both see the same machine
    load; times are this process's CPU time, so other processes on a shared machine do not
    count against either side. Each figure is the median over the repeats (the ratio is the
    median of the per-repeat ratios).
    """
    if not texts or repeats < 1:
        raise ValueError("measure_throughput needs texts and at least one repeat")
    vader = SentimentIntensityAnalyzer().polarity_scores
    score = (scorer or default_scorer()).score
    for text in texts:
        vader(text)
        score(text)
    clock = time.process_time
    chunks = [texts[i : i + THROUGHPUT_CHUNK] for i in range(0, len(texts), THROUGHPUT_CHUNK)]
    vader_rates, scorer_rates, ratios = [], [], []
    for repeat in range(repeats):
        gc.collect()
        spent = [0.0, 0.0]  # VADER, scorer
        for n, chunk in enumerate(chunks):
            order = ((0, vader), (1, score)) if (n + repeat) % 2 == 0 else ((1, score), (0, vader))
            for side, function in order:
                start = clock()
                for text in chunk:
                    function(text)
                spent[side] += clock() - start
        vader_s, scorer_s = (max(t, 1e-9) for t in spent)
        vader_rates.append(len(texts) / vader_s)
        scorer_rates.append(len(texts) / scorer_s)
        ratios.append(vader_s / scorer_s)
    return (
        statistics.median(vader_rates),
        statistics.median(scorer_rates),
        statistics.median(ratios),
    )


def _vader_tweets(scorer: Scorer, path: Path) -> tuple[float, float, int]:
    ratings, compounds, plain = [], [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for line_no, line in enumerate(fh, start=1):
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) < 3:
                raise InputError(f"{path}, line {line_no}: expected id, rating and text")
            ratings.append(float(parts[1]))
            score = scorer.score(parts[2])
            compounds.append(score.sentiment_compound)
            plain.append(score.compound)
    return pearson(compounds, ratings), pearson(plain, ratings), len(ratings)


def _semeval_tweets(texts: Path, labels: Path) -> tuple[list[str], list[Sentiment]]:
    gold = [SEMEVAL_LABELS[x.strip()] for x in labels.read_text("utf-8").splitlines() if x.strip()]
    lines = texts.read_text("utf-8").split("\n")
    tweets = lines[: len(gold)]
    if len(tweets) != len(gold):
        raise InputError(f"{texts}: {len(tweets)} texts for {len(gold)} labels")
    return tweets, gold


def _semeval(scorer: Scorer, tweets: list[str], gold: list[Sentiment]) -> tuple[float, float, int]:
    predicted = [scorer.score(t).sentiment for t in tweets]
    f1s = []
    for label in Sentiment:
        tp = sum(p is label and g is label for p, g in zip(predicted, gold, strict=True))
        fp = sum(p is label and g is not label for p, g in zip(predicted, gold, strict=True))
        fn = sum(p is not label and g is label for p, g in zip(predicted, gold, strict=True))
        f1s.append(f1(tp, fp, fn)[2])
    accuracy = sum(p is g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    return sum(f1s) / len(f1s), accuracy, len(gold)


_Counts = dict[str, list[int]]


def _counts(rows: Sequence[tuple[str, bool]], predicted: Sequence[bool]) -> _Counts:
    counts: _Counts = {"all": [0, 0, 0, 0], "dev": [0, 0, 0, 0], "held-out": [0, 0, 0, 0]}
    for (tweet_id, truth), guess in zip(rows, predicted, strict=True):
        for key in ("all", complaints_half(tweet_id)):
            c = counts[key]
            c[0] += truth and guess
            c[1] += guess and not truth
            c[2] += truth and not guess
            c[3] += 1
    return counts


def _complaints(
    scorer: Scorer, path: Path
) -> tuple[
    float,
    float,
    float,
    int,
    float,
    dict[str, tuple[float, float, float, int, float]],
    tuple[float, float, float, int, float] | None,
]:
    """The complaint figures (with the learned stage when the scorer runs it; the texts are
    scored as one batch, as the load does) and, when it does, the cues' alone."""
    rows: list[tuple[str, bool]] = []
    texts: list[str] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 3:
                continue
            rows.append((row[0], row[2].strip() == "1"))
            texts.append(row[1])
    cue_scores = [scorer.score(t) for t in texts]
    scores = scorer.refine(texts, cue_scores)
    figures = {
        key: (*f1(tp, fp, fn), n, macro_f1(tp, fp, fn, n))
        for key, (tp, fp, fn, n) in _counts(rows, [s.is_complaint for s in scores]).items()
    }
    cues_only = None
    if scorer.learned is not None:
        tp, fp, fn, n = _counts(rows, [s.is_complaint for s in cue_scores])["all"]
        cues_only = (*f1(tp, fp, fn), n, macro_f1(tp, fp, fn, n))
    precision, recall, score, n, macro = figures.pop("all")
    return precision, recall, score, n, macro, figures, cues_only


def own_set(scorer: Scorer, path: Path, by_language: Mapping[str, Scorer] | None = None) -> OwnSet:
    """Complaint detection and categories on the project's labelled set, per language.

    Each post is scored by its language's scorer (``by_language``, e.g. the Spanish one for
    ``es``; ``scorer`` for any other). The category is that scorer's category of every post
    labelled a complaint (whether or not the scorer flags it), against the labelled primary
    category. Every rule was written reading this set: its figures are seen-set figures (the
    held-out file, :mod:`benchmarks.heldout_eval`, gives the honest ones).
    """
    counts: dict[str, list[int]] = {}
    cats: dict[str, list[int]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            lang, text = row["lang"], row["text"]
            reader = (by_language or {}).get(lang, scorer)
            truth = row["is_complaint"] == "1"
            predicted = reader.score(text).is_complaint
            c = counts.setdefault(lang, [0, 0, 0, 0])
            c[0] += truth and predicted
            c[1] += predicted and not truth
            c[2] += truth and not predicted
            c[3] += 1
            if truth:
                got = reader.category(text)
                k = cats.setdefault(lang, [0, 0, 0])
                k[0] += got == row["category"]
                k[1] += got == OTHER_CATEGORY
                k[2] += 1
    return OwnSet(
        complaints={
            lang: (*f1(tp, fp, fn), macro_f1(tp, fp, fn, n), n)
            for lang, (tp, fp, fn, n) in sorted(counts.items())
        },
        category_accuracy={lang: (ok / n, n) for lang, (ok, _, n) in sorted(cats.items()) if n},
        other_share={lang: other / n for lang, (_, other, n) in sorted(cats.items()) if n},
    )


def evaluate(scorer: Scorer, data: Path, throughput_repeats: int = 5) -> Evaluation:
    """Run every evaluation whose files exist under ``data``, and measure the throughput on
    the SemEval texts (``throughput_repeats`` times; 0: not measured)."""
    if not data.is_dir():
        raise InputError(f"evaluation data folder not found: {data}")
    tweets = data / "vader_groundtruth" / "tweets_GroundTruth.txt"
    texts = data / "semeval2017_sentiment" / "test_text.txt"
    labels = data / "semeval2017_sentiment" / "test_labels.txt"
    complaints = data / "complaints_dev" / "complaints-data.csv"
    models = Settings.from_env().models
    own = models / OWN_SET
    heldout = models / heldout_eval.HELDOUT_SET
    r, r_plain, r_n = _vader_tweets(scorer, tweets) if tweets.exists() else (None, None, 0)
    semeval = _semeval_tweets(texts, labels) if texts.exists() and labels.exists() else None
    macro, acc, s_n = _semeval(scorer, *semeval) if semeval else (None, None, 0)
    throughput = (
        measure_throughput(semeval[0], throughput_repeats, scorer)
        if semeval and throughput_repeats > 0
        else None
    )
    p, rec, c_f1, c_n, c_macro, halves, cues_only = (
        _complaints(scorer, complaints)
        if complaints.exists()
        else (None, None, None, 0, None, None, None)
    )
    if not (r_n or s_n or c_n):
        raise InputError(f"{data}: none of the evaluation files were found (see --help)")
    return Evaluation(
        r, r_n, macro, acc, s_n, p, rec, c_f1, c_n, scorer.model_version, r_plain, halves,
        throughput, c_macro,
        own_set(scorer, own, {"es": Scorer(models, language="es")}) if own.is_file() else None,
        cues_only,
        spanish_eval.evaluate(models) if own.is_file() else None,
        heldout_eval.evaluate(models, scorer.learned is not None) if heldout.is_file() else None,
    )  # fmt: skip


def _own_lines(own: OwnSet | None) -> list[str]:
    if own is None:
        return []
    lines = [
        f"project's labelled set ({OWN_SET}; written for this project, see its datasheet;"
        " each post by its language's scorer; cues only: the learned stage's head is trained"
        " on it)"
    ]
    for lang, (p, r, score, macro, n) in own.complaints.items():
        acc, n_complaints = own.category_accuracy.get(lang, (float("nan"), 0))
        lines.append(
            f"  {lang:<25} precision = {p:.3f}   recall = {r:.3f}   complaint F1 = {score:.3f}"
            f"   macro-F1 = {macro:.3f}   ({n} posts)"
        )
        lines.append(
            f"  {'':<25} category accuracy = {acc:.3f}   filed as other = "
            f"{own.other_share.get(lang, 0.0):.0%}   ({n_complaints} complaints)"
        )
    return lines


def report(result: Evaluation) -> str:
    """The figures as a short text table."""

    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    halves = [
        f"  {name:<25} precision = {fmt(p)}   recall = {fmt(r)}   complaint F1 = {fmt(score)}"
        f"   macro-F1 = {fmt(macro)}   ({n} tweets)"
        for name, (p, r, score, n, macro) in (result.complaint_halves or {}).items()
    ]
    return "\n".join(
        [
            f"scorer: {result.model_version}",
            f"VADER tweets ground truth   Pearson r = {fmt(result.vader_tweets_r)}"
            f"   (plain VADER {fmt(result.vader_tweets_r_plain)})"
            f"   ({result.vader_tweets_n} tweets)",
            f"SemEval-2017 task 4A        macro-F1 = {fmt(result.semeval_macro_f1)}"
            f"   accuracy = {fmt(result.semeval_accuracy)}   ({result.semeval_n} tweets)",
            f"complaints corpus           precision = {fmt(result.complaint_precision)}"
            f"   recall = {fmt(result.complaint_recall)}"
            f"   complaint F1 = {fmt(result.complaint_f1)}"
            f"   macro-F1 = {fmt(result.complaint_macro_f1)}   ({result.complaints_n} tweets)",
            *halves,
            *(
                [
                    f"  {'cues alone':<25} precision = {fmt(c[0])}   recall = {fmt(c[1])}"
                    f"   complaint F1 = {fmt(c[2])}   macro-F1 = {fmt(c[4])}   ({c[3]} tweets)"
                ]
                if (c := result.complaint_cues_only)
                else []
            ),
            *_own_lines(result.own),
            *(spanish_eval.lines(result.spanish) if result.spanish else []),
            *(heldout_eval.lines(result.heldout) if result.heldout else []),
            *(
                [
                    f"throughput (SemEval texts, CPU time, median of interleaved runs)"
                    f"   plain VADER {result.throughput[0]:,.0f}/s"
                    f"   scorer {result.throughput[1]:,.0f}/s"
                    f"   ratio = {result.throughput[2]:.2f}"
                ]
                if result.throughput
                else []
            ),
            "",
        ]
    )
