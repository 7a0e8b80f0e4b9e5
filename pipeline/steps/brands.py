"""The brands file as the steps read it: its structure and every stage's options checked.

:func:`pipeline.config.loading.read_brands` checks the file's structure; each stage owns and
checks its own options (a source's options, ``overrides.spikes``, ``alerts``, ``report``,
``privacy``, ``history``). :func:`load_brands` runs all of those checks when the file is
read, so a typo fails before anything is fetched. It imports no warehouse code (a test proves it).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config.loading import read_brands
from pipeline.config.model import BrandConfig, BrandsFile
from pipeline.detect.options import SpikeConfig
from pipeline.errors import ConfigError
from pipeline.ingest.sources.registry import check_options
from pipeline.notify.alerts.options import AlertConfig
from pipeline.notify.report.options import report_options
from pipeline.posts.plausible import HistoryConfig
from pipeline.posts.pseudonyms import PrivacyConfig
from pipeline.settings import Settings


def check_brand(brand: BrandConfig, file: str) -> None:
    """Every stage's check of the options it owns; the first problem raises ConfigError."""
    try:
        check_options(brand)
    except ConfigError as exc:
        raise ConfigError(f"{file}: {exc}") from None
    where = f"{file}: brand {brand.id}: overrides"
    SpikeConfig.from_overrides(brand.overrides.get("spikes"), f"{where}.spikes")
    AlertConfig.from_overrides(brand.overrides.get("alerts"), f"{where}.alerts")
    report_options(brand, file)
    PrivacyConfig.for_brand(brand, file)
    HistoryConfig.for_brand(brand, file)


def load_brands(path: Path) -> BrandsFile:
    """Read a brands file and check it whole; raise :class:`ConfigError` on the first problem."""
    brands = read_brands(path)
    for brand in brands.brands:
        check_brand(brand, path.name)
    return brands


def brands_for(settings: Settings) -> BrandsFile:
    """The configured brands file (``BRANDPULSE_BRANDS``), checked whole."""
    return load_brands(settings.brands_file)
