from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.config.model import BrandConfig
from pipeline.ingest import landing
from pipeline.ingest.fetching import land_paged
from pipeline.ingest.sources.base import Page
from pipeline.posts.model import Post, RawRecord
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.brands import load_brands

START = datetime(2026, 10, 5, tzinfo=UTC)
END = START + timedelta(hours=1)
BRAND = load_brands(PROJECT_ROOT / "brands.yaml").get("pebble")


class ListSource:
    name = "demo"

    def __init__(self, records: list[RawRecord]) -> None:
        self.records = records

    def fetch_page(
        self,
        brand: BrandConfig,
        start: datetime,
        end: datetime,
        options: Mapping[str, Any],
        cursor: str | None,
    ) -> Page:
        return Page(self.records, None)

    def to_post(self, raw: RawRecord, brand: BrandConfig) -> Post:  # pragma: no cover
        raise NotImplementedError


def land(tmp_path: Path, records: list[RawRecord]) -> landing.Batch:
    return land_paged(tmp_path, ListSource(records), BRAND, start=START, end=END, options={})[0]


def test_landing_round_trips_and_replaces(tmp_path: Path) -> None:
    first = land(tmp_path, [{"id": "1"}, {"id": "2"}])
    assert first.records == 2
    assert (
        first.path
        == tmp_path
        / "source=demo/brand=pebble/date=2026-10-05/20261005T000000Z_20261005T010000Z.jsonl"
    )
    again = land(tmp_path, [{"id": "3", "text": "ünï ❤️"}])
    assert again.path == first.path
    assert list(landing.read_batch(again)) == [{"id": "3", "text": "ünï ❤️"}]
    assert [p.name for p in first.path.parent.iterdir()] == [first.path.name]  # no temp files left


def test_unparseable_lines_are_passed_on_for_quarantine(tmp_path: Path) -> None:
    batch = land(tmp_path, [{"id": "1"}])
    with batch.path.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "2", "text": "trunc\n')
    assert list(landing.read_batch(batch)) == [{"id": "1"}, '{"id": "2", "text": "trunc']


def test_batch_survives_xcom_serialisation(tmp_path: Path) -> None:
    batch = land(tmp_path, [])
    assert landing.Batch.from_dict(batch.to_dict()) == batch
