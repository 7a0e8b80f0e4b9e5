"""The brands file's model: which brands brandpulse watches, where, and who hears about it.

Plain frozen dataclasses, built by :mod:`pipeline.config.loading`; every stage reads its own
options from them. See ``docs/configuration.md`` for every field.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.errors import ConfigError

#: Sources the pipeline knows how to read: the one list of their names (the registry has a
#: factory for each, and each source names its posts so; tests/unit/test_source_names.py).
KNOWN_SOURCES = ("demo", "file", "x", "bluesky", "mastodon")

#: Most a source's fetch window may be shifted back from the run's interval (``lag_minutes``):
#: a day covers any provider's indexing delay we know of.
MAX_LAG_MINUTES = 24 * 60


@dataclass(frozen=True)
class SourceConfig:
    """One source switched on for one brand, with its source-specific options."""

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)


#: A brand's languages when its entry names none; also what ``brandpulse score`` without
#: ``--brand`` reads every text in (pipeline.scoring.routing).
DEFAULT_LANGUAGES: tuple[str, ...] = ("en",)


@dataclass(frozen=True)
class BrandConfig:
    """One watched brand."""

    id: str
    name: str
    timezone: str
    accounts: tuple[str, ...]
    terms: tuple[str, ...]
    exclude: tuple[str, ...]
    languages: tuple[str, ...]
    sources: tuple[SourceConfig, ...]
    report_recipients: tuple[str, ...]
    report_local_time: str
    alert_recipients: tuple[str, ...]
    overrides: Mapping[str, Any] = field(default_factory=dict)
    #: The brand's own product and service names ("Fire Stick", "Spark tariff"): the
    #: complaint categories never read them as keywords (a product is not a hazard).
    products: tuple[str, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @functools.cached_property
    def account_handles(self) -> frozenset[str]:
        """The brand's own handles, casefolded and without '@', to recognise its replies.

        Computed once per brand (sources ask for every record)."""
        return frozenset(a.lstrip("@").casefold() for a in self.accounts)

    def source(self, name: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.name == name), None)


#: Hours without a landed interval load after which a brand's ingest counts as stale: the
#: scheduled alert check looks back 6 closed hours (``overrides.alerts.lookback_hours``), so
#: past that, spikes in the missing hours can no longer be alerted on time.
DEFAULT_FRESHNESS_HOURS = 6


@dataclass(frozen=True)
class Operators:
    """The top-level ``operators:`` section: who hears about failed tasks and stale ingest."""

    #: Recipient keys (pipeline.config.recipients): emails, ``slack:<conn>``, ...
    recipients: tuple[str, ...] = ()
    freshness_hours: int = DEFAULT_FRESHNESS_HOURS


@dataclass(frozen=True)
class BrandsFile:
    """The whole brands file."""

    path: Path
    brands: tuple[BrandConfig, ...]
    operators: Operators = field(default_factory=Operators)

    def get(self, brand_id: str) -> BrandConfig:
        for brand in self.brands:
            if brand.id == brand_id:
                return brand
        known = ", ".join(b.id for b in self.brands)
        raise ConfigError(f"{self.path.name}: no brand '{brand_id}' (known: {known})")

    def select(self, brand_ids: list[str] | tuple[str, ...] | None) -> tuple[BrandConfig, ...]:
        """The brands named (all of them when ``brand_ids`` is empty or None)."""
        if not brand_ids:
            return self.brands
        return tuple(self.get(b) for b in brand_ids)
