"""Shared fixtures: every test gets its own runtime folder under tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pipeline.settings import PROJECT_ROOT, Settings

_ENV_PREFIXES = ("BRANDPULSE_", "AIRFLOW")
#: Variables that say where the test suite finds its own tools, not settings of brandpulse:
#: kept, or the moto server (tests/fakes/s3.py) and Chromium (tests/layout) they name would
#: be ignored and the default looked for instead.
TOOL_VARIABLES = ("BRANDPULSE_TEST_", "BRANDPULSE_CHROMIUM")


def leaks(name: str) -> bool:
    """Whether ``name`` is a brandpulse or Airflow setting a test must not inherit."""
    return name.startswith(_ENV_PREFIXES) and not name.startswith(TOOL_VARIABLES)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BRANDPULSE_* / AIRFLOW* setting from the developer's shell leaks into a test
    (the test tools' locations, :data:`TOOL_VARIABLES`, stay)."""
    for name in list(os.environ):
        if leaks(name):
            monkeypatch.delenv(name)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings whose runtime folder is a fresh temporary directory (also in os.environ)."""
    home = tmp_path / "var"
    monkeypatch.setenv("BRANDPULSE_HOME", str(home))
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(PROJECT_ROOT / "brands.yaml"))
    yield Settings.from_env()


def write_brands(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def one_brand(brand: dict[str, object]) -> str:
    """A brands file (YAML) with the one brand ``brand``."""
    return yaml.safe_dump({"version": 1, "brands": [brand]}, sort_keys=False)


def pebble_brands(**fields: object) -> str:
    """A brands file with the one brand ``pebble`` (Pebble Mobile on the demo's telecom
    profile); ``fields`` add to or replace its entries (``overrides=``, ``alerts=``...)."""
    return one_brand(
        {
            "id": "pebble",
            "name": "Pebble Mobile",
            "timezone": "America/New_York",
            "accounts": ["@PebbleMobile", "@PebbleCares"],
            "terms": ["pebble mobile"],
            "sources": {"demo": {"profile": "telecom"}},
            **fields,
        }
    )
