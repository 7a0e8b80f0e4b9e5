"""The source interface: every network sits behind this small protocol.

A source fetches the raw records for one brand and one interval ``[start, end)`` exactly as
its provider sends them (a dict per post, JSON-serialisable), one *page* at a time, and
knows how to turn one raw record into a :class:`~pipeline.posts.model.Post`. Landing
(:func:`pipeline.ingest.fetching.land_paged`) stores the raw records untouched and checkpoints the
cursor after every page, so a fetch that fails half-way resumes after the last landed page,
and a load can be replayed without asking the network again.

A source raises :class:`~pipeline.errors.TransientSourceError` for a failed request that
may succeed when repeated, :class:`~pipeline.errors.RateLimitedError` for a 429 and
:class:`~pipeline.errors.SourceAuthError` for a missing or refused credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pipeline.config.model import BrandConfig
from pipeline.posts.model import Post, RawRecord


@dataclass(frozen=True)
class Page:
    """One page of a provider's answer."""

    records: list[RawRecord]
    #: Opaque cursor of the next page; None when this was the last page.
    next_cursor: str | None
    #: Provider facts worth logging (rate-limit remaining, request id, ...).
    info: Mapping[str, Any] = field(default_factory=dict)


class Source(Protocol):
    """A network (or file drop) that posts about a brand come from."""

    #: The short name used in config, landing paths and the ``posts.source`` column.
    name: str

    def fetch_page(
        self,
        brand: BrandConfig,
        start: datetime,
        end: datetime,
        options: Mapping[str, Any],
        cursor: str | None,
    ) -> Page:
        """One page of the raw records about ``brand`` created in ``[start, end)`` (UTC).

        ``cursor`` is None for the first page, else the ``next_cursor`` of the previous one.
        """
        ...

    def to_post(self, raw: RawRecord, brand: BrandConfig) -> Post:
        """Turn one raw record into a post; raise ``ValueError`` saying why it cannot."""
        ...
