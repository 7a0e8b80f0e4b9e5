"""The source names are one list: the brands file's (``config.model.KNOWN_SOURCES``), the
registry's factories, and the name each source gives its posts and landing files."""

from __future__ import annotations

from pipeline.config.model import KNOWN_SOURCES
from pipeline.ingest.sources.registry import SOURCES, get_source


def test_every_known_source_has_a_factory_and_names_itself_the_same() -> None:
    assert set(SOURCES) == set(KNOWN_SOURCES)
    for name in KNOWN_SOURCES:
        assert get_source(name, lambda _connection: "a-test-token").name == name
