"""Shared fixtures: every test gets its own runtime folder under tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pipeline.settings import PROJECT_ROOT, Settings

_ENV_PREFIXES = ("BRANDPULSE_", "AIRFLOW")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BRANDPULSE_* / AIRFLOW* variable from the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES):
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
