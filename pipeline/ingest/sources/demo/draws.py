"""Random draws the demo generator makes everywhere: weighted picks, Poisson counts, cheap
``choice`` and ``randrange``. Every draw takes the generator's own :class:`random.Random`, so
the same seed gives the same posts."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from typing import Final, Generic, TypeVar

T = TypeVar("T")

_POISSON_NORMAL_ABOVE: Final = 40.0  # normal approximation beyond this mean


class Weighted(Generic[T]):
    """Weighted picks by bisection over cumulative weights (fast for long lists)."""

    __slots__ = ("_cum", "_items", "_last", "_total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        if not items or len(items) != len(weights):
            raise ValueError("need one weight per item, and at least one item")
        self._items = tuple(items)
        self._cum = list(itertools.accumulate(weights))
        self._total = self._cum[-1]
        self._last = len(self._items) - 1

    @classmethod
    def of(cls, pairs: Sequence[tuple[T, float]]) -> Weighted[T]:
        return cls([p[0] for p in pairs], [p[1] for p in pairs])

    def pick(self, rng: random.Random) -> T:
        i = bisect.bisect_right(self._cum, rng.random() * self._total)
        return self._items[min(i, self._last)]

    @property
    def items(self) -> tuple[T, ...]:
        return self._items


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; normal approximation for big means)."""
    if mean <= 0:
        return 0
    if mean > _POISSON_NORMAL_ABOVE:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """``rng.choice`` without its overhead (the author pool makes tens of thousands)."""
    return items[int(rng.random() * len(items))]


def number(rng: random.Random, low: int, high: int) -> int:
    """A number in ``[low, high)``, cheaply (``randrange`` is several times slower)."""
    return low + int(rng.random() * (high - low))
