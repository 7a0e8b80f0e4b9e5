"""The brands file as the steps read it: loaded from the configured path, validated whole."""

from __future__ import annotations

from pipeline.config.brands import BrandsFile, load_brands
from pipeline.settings import Settings


def _brands(settings: Settings) -> BrandsFile:
    return load_brands(settings.brands_file)
