"""The demo source's options (``sources.demo`` in the brands file), checked without the
generator: checking the brands file does not load the demo's phrase data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.ingest.sources import fields
from pipeline.ingest.sources.demo.profiles import PROFILES, Incident

#: The name of the source in the brands file.
NAME: Final = "demo"

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


def demo_options(
    brand: BrandConfig, options: Mapping[str, Any]
) -> tuple[str, float, tuple[Incident, ...]]:
    """Validate a brand's ``sources.demo`` options: ``(profile, posts per day, incidents)``."""

    fail = fields.option_error(brand, NAME)
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


def check_options(brand: BrandConfig, options: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming brand and field when the demo options are wrong."""
    demo_options(brand, options)
