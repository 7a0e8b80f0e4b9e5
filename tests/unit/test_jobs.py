"""Pipeline steps together: the warehouse is the same whatever order loads run in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline import jobs
from pipeline.errors import InputError
from pipeline.settings import PROJECT_ROOT, Settings

from ..e2e.conftest import snapshot

START, END = datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC)


def settings_in(home: Path) -> Settings:
    return Settings.from_env(
        {"BRANDPULSE_HOME": str(home), "BRANDPULSE_BRANDS": str(PROJECT_ROOT / "brands.yaml")}
    )


def run_in_order(settings: Settings, items: list[jobs.Chunk]) -> None:
    for item in items:
        jobs.load(jobs.land(item.source, item.brand, item.start, item.end, settings), settings)
        jobs.aggregate(item.start, item.end, [item.brand], settings)


def test_loads_in_any_order_give_the_same_warehouse(tmp_path: Path) -> None:
    forward, backward = settings_in(tmp_path / "f"), settings_in(tmp_path / "b")
    items = jobs.plan(START, END, ["fernleaf"], chunk=jobs.DAY, settings=forward)
    assert len(items) == 3
    run_in_order(forward, items)
    run_in_order(backward, list(reversed(items)))
    got_f, got_b = snapshot(forward), snapshot(backward)
    for table in ("posts", "brand_hourly", "brand_daily"):
        assert got_f[table] == got_b[table], table


def test_chunks_must_be_positive() -> None:
    with pytest.raises(InputError, match="chunk size"):
        jobs.chunks(START, END, jobs.DAY * 0)
