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
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError, InputError
from pipeline.ingest.sources import fields
from pipeline.ingest.sources.base import Page
from pipeline.ingest.sources.demo.profiles import PROFILES, Incident
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

#: posts_per_day accepted for the demo: enough for any dashboard, small enough for memory.
MAX_POSTS_PER_DAY: Final = 100_000
#: Used when a brand's demo options give no posts_per_day.
DEFAULT_POSTS_PER_DAY: Final = 500

_KNOWN_OPTIONS: Final = ("enabled", "incidents", "lag_minutes", "posts_per_day", "profile")
#: Most hours a configured incident may last.
MAX_INCIDENT_HOURS: Final = 48


def _incidents(
    profile: str, raw: Any, fail: Callable[[str, str], ConfigError]
) -> tuple[Incident, ...]:
    """Extra incidents from ``sources.demo.incidents`` (drills: rehearse the alerting).

    Each item: ``start`` (local ``YYYY-MM-DDTHH:MM``, whole hours), ``hours`` (1-48),
    optional ``multiplier`` (complaints vs a normal hour, default 9) and ``category``
    (default: the profile's outage category).
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail("incidents", "must be a list of {start, hours, multiplier, category}")
    out = []
    for i, item in enumerate(raw):
        where = f"incidents[{i}]"
        if not isinstance(item, Mapping) or set(item) - {
            "start",
            "hours",
            "multiplier",
            "category",
        }:
            raise fail(where, "must be a mapping with start, hours, multiplier, category")
        try:
            start = datetime.strptime(str(item.get("start")), "%Y-%m-%dT%H:%M")
        except ValueError:
            raise fail(f"{where}.start", "must be a local time YYYY-MM-DDTHH:MM") from None
        if start.minute:
            raise fail(f"{where}.start", "must be a whole hour")
        hours = item.get("hours")
        if (
            isinstance(hours, bool)
            or not isinstance(hours, int)
            or not 1 <= hours <= MAX_INCIDENT_HOURS
        ):
            raise fail(f"{where}.hours", f"must be a whole number from 1 to {MAX_INCIDENT_HOURS}")
        mult = item.get("multiplier", 9.0)
        if isinstance(mult, bool) or not isinstance(mult, int | float) or not 1 < mult <= 100:
            raise fail(f"{where}.multiplier", "must be a number above 1, up to 100")
        known = [c for c, _ in PROFILES[profile].categories]
        category = item.get("category", "outage" if "outage" in known else known[0])
        if category not in known:
            raise fail(f"{where}.category", f"unknown category (known: {', '.join(known)})")
        end = start + timedelta(hours=hours)
        out.append(
            Incident(
                day=start.date(), start=start.time(), end=end.time(), multiplier=float(mult),
                categories=((str(category), 1.0),), tail_hours=1, label="configured incident",
                days=(end.date() - start.date()).days,
            )
        )  # fmt: skip
    return tuple(out)


def _options(
    brand: BrandConfig, options: Mapping[str, Any]
) -> tuple[str, float, tuple[Incident, ...]]:
    """Validate a brand's ``sources.demo`` options: ``(profile, posts per day, incidents)``."""

    fail = fields.option_error(brand, DemoSource.name)
    fields.reject_unknown(options, _KNOWN_OPTIONS, fail)
    profile = options.get("profile")
    if profile is None:
        raise fail("profile", f"is required (one of: {', '.join(sorted(PROFILES))})")
    if profile not in PROFILES:
        raise fail(
            "profile", f"unknown demo profile {profile!r} (known: {', '.join(sorted(PROFILES))})"
        )
    per_day = options.get("posts_per_day", DEFAULT_POSTS_PER_DAY)
    if (
        isinstance(per_day, bool)
        or not isinstance(per_day, int | float)
        or not math.isfinite(per_day)
        or not 0 < per_day <= MAX_POSTS_PER_DAY
    ):
        raise fail(
            "posts_per_day", f"must be a positive number up to {MAX_POSTS_PER_DAY}, got {per_day!r}"
        )
    return (
        str(profile),
        float(per_day),
        _incidents(str(profile), options.get("incidents"), fail),
    )


def _epoch(value: datetime, name: str) -> float:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name}: must be a timezone-aware datetime, got {value!r}")
    return value.timestamp()


def check_options(brand: BrandConfig, options: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming brand and field when the demo options are wrong."""
    _options(brand, options)


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
        profile, per_day, incidents = _options(brand, options)
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
