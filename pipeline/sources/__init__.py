"""Post sources, each behind the :class:`~pipeline.sources.base.Source` protocol."""

from __future__ import annotations

from pipeline.errors import ConfigError
from pipeline.sources.base import RawRecord, Source

__all__ = ["RawRecord", "Source", "get_source"]


def get_source(name: str) -> Source:
    """The source implementation called ``name`` in the brands file."""
    if name == "demo":
        from pipeline.sources.demo import DemoSource

        return DemoSource()
    raise ConfigError(f"unknown source {name!r}")
