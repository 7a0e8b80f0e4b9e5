"""Complaint categories: the taxonomy (the defaults and a brand's own) and which one a text is.

The default taxonomy is ``categories.yaml`` in the models folder; a brand's overrides add
categories, replace a default's keywords, or drop a default (``null``). Each category has
``keywords``, the words of the problem itself ("charged twice", "rude", "stone cold"), and
optionally ``context``, the words of where it happened ("order", "app", "flight"), which
weigh ``context_weight`` of a keyword (the file's); a category's ``weight`` (default 1)
scales both, so a hazard outweighs the product it happened to. A complaint gets the
category with the highest weighted count of hits, ties to the earlier one, and
:data:`OTHER_CATEGORY` when nothing matches. So "my order arrived stone cold" is a
product-quality complaint, not a delivery one. A brand's new categories (names the
defaults do not have) come first: when one of them matches, the complaint is filed under
it; a brand's replacement of a default keeps the default's place and weight.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from pipeline.scoring.cues import shared_cue_index, shared_matcher

#: Category given to a complaint whose text matches no category keyword.
OTHER_CATEGORY = "other"
#: The weight of a context word when the taxonomy does not say (one keyword's worth: the
#: rule before context words were told apart).
DEFAULT_CONTEXT_WEIGHT = 1.0


class Categories:
    """A taxonomy of complaint categories, each with keyword and context patterns, compiled once."""

    def __init__(
        self,
        defaults: Mapping[str, Any],
        overrides: Mapping[str, Any],
        compiled: ModuleType | None = None,
        context_weight: float = DEFAULT_CONTEXT_WEIGHT,
    ) -> None:
        """``defaults``: ``categories.yaml``'s categories; ``overrides``: the brand's own;
        ``compiled``: the compiled scoring core, to match with (see pipeline.scoring.core);
        ``context_weight``: what a context word weighs against a keyword."""
        # The brand's new categories first, then the defaults in their own order, each as
        # the brand replaced it (so the order of the brand's overrides does not matter).
        categories: dict[str, Mapping[str, Any] | None] = {
            str(name): cat for name, cat in overrides.items() if name not in defaults
        }
        for name, cat in defaults.items():
            categories[str(name)] = overrides.get(name, cat)
        kept = {name: cat for name, cat in categories.items() if cat and cat.get("keywords")}
        #: The category names, in the order ties are broken.
        self.names = tuple(kept)
        #: How many of the first names are the brand's new categories (tried first).
        self._own = sum(1 for name in overrides if name in kept and name not in defaults)
        groups: dict[str, list[str]] = {}
        #: Per pattern group: (the category's index, the weight of a hit).
        self._weights: list[tuple[int, float]] = []
        for i, (name, cat) in enumerate(kept.items()):
            default = defaults.get(name) or {}
            weight = float(cat.get("weight", default.get("weight", 1.0)))
            groups[name] = list(cat["keywords"])
            self._weights.append((i, weight))
            if cat.get("context"):
                groups[f"{name}:context"] = list(cat["context"])
                self._weights.append((i, weight * float(context_weight)))
        self._index = shared_cue_index(groups, "categories:")
        self._counts: Callable[[str], list[int]] = (
            shared_matcher(compiled, "TokenMatcher", self._index).counts
            if compiled is not None
            else self._py_counts
        )

    def _py_counts(self, lowered: str) -> list[int]:
        """Hits per pattern group (the pure-Python reference)."""
        hits = [0] * len(self._weights)
        for gi, _ in self._index.matches(lowered):
            hits[gi] += 1
        return hits

    def weighted(self, lowered: str) -> list[float]:
        """Each category's weighted hits in a lowercased text."""
        totals = [0.0] * len(self.names)
        for (i, weight), hits in zip(self._weights, self._counts(lowered), strict=True):
            totals[i] += weight * hits
        return totals

    def best(self, lowered: str) -> str:
        """The category of a lowercased text: the most weighted hits, ties to the earlier."""
        totals = self.weighted(lowered)
        tried = range(self._own) if any(totals[: self._own]) else range(len(totals))
        best = max(tried, key=lambda i: (totals[i], -i), default=None)
        return OTHER_CATEGORY if best is None or not totals[best] else self.names[best]
