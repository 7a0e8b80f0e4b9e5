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
(:func:`measure_throughput`).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipeline.errors import InputError
from pipeline.scoring.scorer import Scorer, Sentiment, default_scorer

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
    #: (precision, recall, F1, tweets) per half of the complaints file: "dev", "held-out".
    complaint_halves: dict[str, tuple[float, float, float, int]] | None = None
    #: (plain VADER texts/s, scorer texts/s, ratio) on the SemEval texts, see
    #: :func:`measure_throughput`; None when not measured.
    throughput: tuple[float, float, float] | None = None


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


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """(precision, recall, F1), 0 where undefined."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


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


def _complaints(
    scorer: Scorer, path: Path
) -> tuple[float, float, float, int, dict[str, tuple[float, float, float, int]]]:
    counts: _Counts = {"all": [0, 0, 0, 0], "dev": [0, 0, 0, 0], "held-out": [0, 0, 0, 0]}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) < 3:
                continue
            truth, predicted = row[2].strip() == "1", scorer.score(row[1]).is_complaint
            for key in ("all", complaints_half(row[0])):
                c = counts[key]
                c[0] += truth and predicted
                c[1] += predicted and not truth
                c[2] += truth and not predicted
                c[3] += 1
    figures = {key: (*f1(tp, fp, fn), n) for key, (tp, fp, fn, n) in counts.items()}
    precision, recall, score, n = figures.pop("all")
    return precision, recall, score, n, figures


def evaluate(scorer: Scorer, data: Path, throughput_repeats: int = 5) -> Evaluation:
    """Run every evaluation whose files exist under ``data``, and measure the throughput on
    the SemEval texts (``throughput_repeats`` times; 0: not measured)."""
    if not data.is_dir():
        raise InputError(f"evaluation data folder not found: {data}")
    tweets = data / "vader_groundtruth" / "tweets_GroundTruth.txt"
    texts = data / "semeval2017_sentiment" / "test_text.txt"
    labels = data / "semeval2017_sentiment" / "test_labels.txt"
    complaints = data / "complaints_dev" / "complaints-data.csv"
    r, r_plain, r_n = _vader_tweets(scorer, tweets) if tweets.exists() else (None, None, 0)
    semeval = _semeval_tweets(texts, labels) if texts.exists() and labels.exists() else None
    macro, acc, s_n = _semeval(scorer, *semeval) if semeval else (None, None, 0)
    throughput = (
        measure_throughput(semeval[0], throughput_repeats, scorer)
        if semeval and throughput_repeats > 0
        else None
    )
    p, rec, c_f1, c_n, halves = (
        _complaints(scorer, complaints) if complaints.exists() else (None, None, None, 0, None)
    )
    if not (r_n or s_n or c_n):
        raise InputError(f"{data}: none of the evaluation files were found (see --help)")
    return Evaluation(
        r, r_n, macro, acc, s_n, p, rec, c_f1, c_n, scorer.model_version, r_plain, halves,
        throughput,
    )  # fmt: skip


def report(result: Evaluation) -> str:
    """The figures as a short text table."""

    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    halves = [
        f"  {name:<25} precision = {fmt(p)}   recall = {fmt(r)}   F1 = {fmt(score)}   ({n} tweets)"
        for name, (p, r, score, n) in (result.complaint_halves or {}).items()
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
            f"   recall = {fmt(result.complaint_recall)}   F1 = {fmt(result.complaint_f1)}"
            f"   ({result.complaints_n} tweets)",
            *halves,
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
