"""Post sources, each behind the :class:`~pipeline.ingest.sources.base.Source` protocol.

Implementations are imported only when a brand uses them, so a deployment that watches
one network does not load the others' client libraries.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.ingest.sources.base import Source
from pipeline.posts.model import Post, RawRecord
from pipeline.secrets import SecretLookup

if TYPE_CHECKING:  # numpy and pandas: imported by whoever reads in bulk, not here
    from pipeline.posts.columns import RecordColumns

#: Source name (as in the brands file) -> "module:factory". A factory takes the secret
#: lookup (see :mod:`pipeline.secrets`) and returns a :class:`Source`.
SOURCES = {
    "demo": "pipeline.ingest.sources.demo.source:create",
    "file": "pipeline.ingest.sources.files:create",
    "x": "pipeline.ingest.sources.x:create",
    "bluesky": "pipeline.ingest.sources.bluesky:create",
    "mastodon": "pipeline.ingest.sources.mastodon:create",
}
#: Sources whose ``check_options`` lives apart from the source itself, so that checking the
#: brands file does not load what the source needs to run (the demo's phrase data).
OPTIONS_MODULES = {"demo": "pipeline.ingest.sources.demo.options"}
#: Sources that read a batch's landed lines in bulk (``module:function``, see
#: :func:`get_column_reader`); the others' records are parsed one at a time.
COLUMN_READERS = {
    "demo": "pipeline.ingest.sources.demo.columns:read_columns",
    "x": "pipeline.ingest.sources.x_columns:read_columns",
    "bluesky": "pipeline.ingest.sources.bluesky_columns:read_columns",
    "mastodon": "pipeline.ingest.sources.mastodon_columns:read_columns",
    "file": "pipeline.ingest.sources.files_columns:read_columns",
}


def check_options(brand: BrandConfig) -> None:
    """Validate the options of every source ``brand`` enables (each module's own rules)."""
    for src in brand.sources:
        target = SOURCES.get(src.name)
        if target is None:
            raise ConfigError(f"brand '{brand.id}', field 'sources.{src.name}': unknown source")
        module = importlib.import_module(OPTIONS_MODULES.get(src.name, target.split(":")[0]))
        module.check_options(brand, src.options)


Parser = Callable[[RawRecord, BrandConfig], Post]
ColumnReader = Callable[[Sequence[str | bytes], BrandConfig], "RecordColumns"]


def get_parser(name: str) -> Parser:
    """What turns source ``name``'s landed records into posts; needs no credentials.

    A source module may export a module-level ``to_post``; otherwise the source is built
    without secrets (sources resolve credentials only when they fetch).
    """
    target = SOURCES.get(name)
    if target is None:
        raise ConfigError(f"unknown source {name!r} (known: {', '.join(sorted(SOURCES))})")
    parser: Parser | None = getattr(importlib.import_module(target.split(":")[0]), "to_post", None)
    return parser if parser is not None else get_source(name).to_post


def get_column_reader(name: str) -> ColumnReader | None:
    """What reads source ``name``'s landed lines (text or bytes) in bulk into a
    :class:`~pipeline.posts.columns.RecordColumns` (the records its ``to_post`` accepts as
    they are), or None when the source has no bulk reader."""
    target = COLUMN_READERS.get(name)
    if target is None:
        return None
    module_name, function = target.split(":")
    reader: ColumnReader = getattr(importlib.import_module(module_name), function)
    return reader


def get_source(name: str, secrets: SecretLookup | None = None) -> Source:
    """The source implementation called ``name`` in the brands file."""
    target = SOURCES.get(name)
    if target is None:
        raise ConfigError(f"unknown source {name!r} (known: {', '.join(sorted(SOURCES))})")
    module_name, factory = target.split(":")
    source: Source = getattr(importlib.import_module(module_name), factory)(secrets)
    return source
