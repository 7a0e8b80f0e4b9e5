"""The built-in demo source: realistic posts about any brand, with zero set-up.

It plays the part of a provider API so that the whole pipeline runs without credentials or
network. Each brand picks a *profile* (``telecom`` or ``grocery``) and a volume in its
``sources.demo`` options::

    sources:
      demo: {profile: telecom, posts_per_day: 900}

Posts are the same however the interval is split, and the same on every run: they come
hour by hour from :mod:`~pipeline.ingest.sources.demo.world`, whose profiles, authors and
texts are :mod:`~pipeline.ingest.sources.demo.profiles`,
:mod:`~pipeline.ingest.sources.demo.authors` and :mod:`~pipeline.ingest.sources.demo.text`.

Every record carries ``demo_truth`` (intent, complaint category, incident flag): ground
truth for tests and evaluation. The scorer never reads it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from pipeline.config.model import BrandConfig
from pipeline.errors import InputError
from pipeline.ingest.sources import fields
from pipeline.ingest.sources.base import Page
from pipeline.ingest.sources.demo.options import demo_options
from pipeline.ingest.sources.demo.world import (
    HOUR_S,
    MAX_FOLLOW_UP_S,
    SNOWFLAKE_EPOCH_MS,
    Hour,
    Row,
    world_for,
)
from pipeline.posts.model import Post, RawRecord
from pipeline.secrets import SecretLookup

logger = logging.getLogger(__name__)

#: The random seed of the demo (its first day): the same posts on every run.
DEMO_SEED: int = 20261005


def _epoch(value: datetime, name: str) -> float:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name}: must be a timezone-aware datetime, got {value!r}")
    return value.timestamp()


def create(secrets: SecretLookup | None = None) -> DemoSource:
    """The registry's factory (:mod:`~pipeline.ingest.sources.registry`): no credentials."""
    return DemoSource()


class DemoSource:
    """Deterministic, realistic demo posts; see the module docstring."""

    name = "demo"

    def __init__(self, seed: int = DEMO_SEED) -> None:
        self.seed = seed

    def fetch(
        self, brand: BrandConfig, start: datetime, end: datetime, options: Mapping[str, Any]
    ) -> Iterator[RawRecord]:
        """The records about ``brand`` created in ``[start, end)``, by ``(created_at, id)``."""
        profile, per_day, incidents = demo_options(brand, options)
        start_ts, end_ts = _epoch(start, "start"), _epoch(end, "end")
        first_hour = int((start_ts - MAX_FOLLOW_UP_S) // HOUR_S) * HOUR_S
        if first_hour * 1000 < SNOWFLAKE_EPOCH_MS:
            raise InputError("start: the demo source makes posts from 2010-11-06 on")
        world = world_for(self.seed, brand, profile, per_day, incidents)
        rows: list[Row] = []
        for hour_ts in range(first_hour, math.ceil(end_ts), HOUR_S):
            rows.extend(r for r in Hour(world, hour_ts).generate() if start_ts <= r[0] < end_ts)
        rows.sort(key=lambda r: (r[0], r[1]))
        logger.debug("demo: %s %s..%s: %d posts", brand.id, start, end, len(rows))
        return iter([r[2] for r in rows])

    def fetch_page(
        self,
        brand: BrandConfig,
        start: datetime,
        end: datetime,
        options: Mapping[str, Any],
        cursor: str | None,
    ) -> Page:
        """The whole interval as one page: the demo has no network and no pagination."""
        return Page(records=list(self.fetch(brand, start, end, options)), next_cursor=None)

    def to_post(self, raw: RawRecord, brand: BrandConfig) -> Post:
        """A :class:`Post` from one raw record; ``ValueError("<field>: <why>")`` if malformed."""
        fields.as_mapping(raw, "record")
        post_id = fields.string(raw, "id")
        if not post_id.isdigit():
            raise ValueError(f"id: must be a numeric string, got {post_id!r}")
        author = fields.as_mapping(raw.get("author"), "author")
        handle = fields.string(author, "handle", "author.handle")
        followers = fields.non_negative_int(author.get("followers"), "author.followers")
        reply = fields.as_optional_mapping(raw.get("in_reply_to"), "in_reply_to")
        return Post(
            source=self.name,
            post_id=post_id,
            brand=brand.id,
            created_at=fields.timestamp(raw.get("created_at"), "created_at"),
            author_id=fields.string(author, "id", "author.id"),
            author_handle=handle,
            author_followers=followers,
            text=fields.string(raw, "text"),
            lang=fields.optional_string(raw, "lang"),
            url=fields.optional_string(raw, "url"),
            conversation_id=fields.optional_string(raw, "conversation_id"),
            in_reply_to_post_id=fields.string(reply, "post_id", "in_reply_to.post_id")
            if reply
            else None,
            in_reply_to_author_id=(
                fields.string(reply, "author_id", "in_reply_to.author_id") if reply else None
            ),
            repost_of=fields.optional_string(raw, "repost_of"),
            is_brand_reply=handle.casefold() in brand.account_handles,
        )
