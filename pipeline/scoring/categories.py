"""Complaint categories: the taxonomy (the defaults and a brand's own) and which one a text is.

The default taxonomy is ``categories.yaml`` in the models folder; a brand's overrides add
categories, replace a default's keywords, or drop a default (``null``). A complaint gets the
category with the most keyword hits, ties to the earlier one (the brand's own first), and
:data:`OTHER_CATEGORY` when no keyword matches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from pipeline.scoring.cues import CueIndex

#: Category given to a complaint whose text matches no category keyword.
OTHER_CATEGORY = "other"


class Categories:
    """A taxonomy of complaint categories, each a list of keyword patterns, compiled once."""

    def __init__(
        self,
        defaults: Mapping[str, Any],
        overrides: Mapping[str, Any],
        compiled: ModuleType | None = None,
    ) -> None:
        """``defaults``: ``categories.yaml``'s categories; ``overrides``: the brand's own;
        ``compiled``: the compiled scoring core, to match with (see pipeline.scoring.core)."""
        # The brand's own (new or replacing a default) first, then the defaults.
        categories: dict[str, list[str] | None] = {}
        for name, cat in overrides.items():
            categories[str(name)] = None if cat is None else list(cat["keywords"])
        for name, cat in defaults.items():
            categories.setdefault(str(name), list(cat["keywords"]))
        #: The category names, in the order ties are broken.
        self.names = tuple(name for name, keywords in categories.items() if keywords)
        self._index = CueIndex(
            {name: keywords for name, keywords in categories.items() if keywords}, "categories:"
        )
        self._counts: Callable[[str], list[int]] = (
            compiled.TokenMatcher(self._index).counts if compiled is not None else self._py_counts
        )

    def _py_counts(self, lowered: str) -> list[int]:
        """Keyword hits per category (the pure-Python reference)."""
        hits = [0] * len(self.names)
        for gi, _ in self._index.matches(lowered):
            hits[gi] += 1
        return hits

    def best(self, lowered: str) -> str:
        """The category of a lowercased text: the most keyword hits, ties to the earlier."""
        hits = self._counts(lowered)
        best = max(range(len(hits)), key=lambda i: (hits[i], -i), default=None)
        return OTHER_CATEGORY if best is None or not hits[best] else self.names[best]
