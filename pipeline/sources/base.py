"""The source interface: every network sits behind this small protocol.

A source fetches the raw records for one brand and one interval ``[start, end)`` exactly as
its provider sends them (a dict per post, JSON-serialisable), and knows how to turn one raw
record into a :class:`~pipeline.posts.Post`. Landing stores the raw records untouched, so a
load can be replayed without asking the network again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from pipeline.config import BrandConfig
from pipeline.posts import Post

RawRecord = dict[str, Any]


class Source(Protocol):
    """A network (or file drop) that posts about a brand come from."""

    #: The short name used in config, landing paths and the ``posts.source`` column.
    name: str

    def fetch(
        self, brand: BrandConfig, start: datetime, end: datetime, options: Mapping[str, Any]
    ) -> Iterator[RawRecord]:
        """Yield the raw records about ``brand`` created in ``[start, end)`` (UTC)."""
        ...

    def to_post(self, raw: RawRecord, brand: BrandConfig) -> Post:
        """Turn one raw record into a post; raise ``ValueError`` saying why it cannot."""
        ...
