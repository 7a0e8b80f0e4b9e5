"""Detection figures the evaluations share (public sets, Spanish half, held-out file)."""

from __future__ import annotations


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """(precision, recall, F1), 0 where undefined."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def macro_f1(tp: int, fp: int, fn: int, n: int) -> float:
    """The mean of the two classes' F1 (complaint and not), as Preotiuc-Pietro et al. (ACL
    2019) and the later complaint papers report it; ``n`` is the number of items."""
    tn = n - tp - fp - fn
    return (f1(tp, fp, fn)[2] + f1(tn, fn, fp)[2]) / 2
