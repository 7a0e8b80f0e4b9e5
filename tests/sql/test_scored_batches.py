"""Score anywhere, write once: a scored batch in storage, written later, gives the warehouse
a direct load gives; rerunning the write changes nothing; a half or missing batch is a
clear error and writes nothing. Locally and on a real S3 server on 127.0.0.1."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline import timeutil
from pipeline.errors import ScoredBatchError
from pipeline.ingest import landing, storage
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import fetch, loading, planning, scored
from tests.dbdump import AUDIT_COLUMNS, dump
from tests.fakes.s3 import S3Server, s3_server  # noqa: F401 - the fixture

START, END = datetime(2026, 10, 21, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC)
#: Where each home landed its batches differs by design.
SKIP = AUDIT_COLUMNS | {"landing_path"}


def settings_in(home: Path, storage_url: str | None = None) -> Settings:
    env = {"BRANDPULSE_HOME": str(home), "BRANDPULSE_BRANDS": str(PROJECT_ROOT / "brands.yaml")}
    if storage_url:
        env["BRANDPULSE_STORAGE"] = storage_url
    return Settings.from_env(env)


def land_all(settings: Settings) -> list[landing.Batch]:
    items = planning.plan(START, END, ["pebble", "fernleaf"], chunk=timeutil.DAY, settings=settings)
    return [fetch.land(i.source, i.brand, i.start, i.end, settings) for i in items]


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[loading.LoadResult]]:
    """The warehouse of direct loads (score and write in one process), to compare with."""
    settings = settings_in(tmp_path_factory.mktemp("direct"))
    results = [loading.load(b, settings) for b in land_all(settings)]
    return settings.warehouse, results


def test_score_then_write_gives_the_warehouse_of_a_direct_load(
    tmp_path: Path, direct: tuple[Path, list[loading.LoadResult]]
) -> None:
    settings = settings_in(tmp_path / "split")
    batches = land_all(settings)
    locations = [loading.score_to_storage(b, settings) for b in batches]
    assert all(loc.startswith(str(settings.home / "scored")) for loc in locations)
    assert not settings.warehouse.exists()  # scoring never opens the warehouse
    results = [loading.write_scored(loc, settings) for loc in locations]
    warehouse, expected = direct
    assert results == expected
    assert dump(settings.warehouse, SKIP) == dump(warehouse, SKIP)
    before = dump(settings.warehouse)
    loading.write_scored_batches(locations, settings)  # a retry of the write task
    assert dump(settings.warehouse) == before


def test_on_s3_landing_and_scored_batches_never_touch_the_local_home(
    tmp_path: Path,
    s3_server: S3Server,  # noqa: F811
    direct: tuple[Path, list[loading.LoadResult]],
) -> None:
    # Two homes that share nothing but the bucket: one lands and scores, one writes.
    url = s3_server.url("brandpulse")
    worker = settings_in(tmp_path / "worker", url)
    writer = settings_in(tmp_path / "writer", url)
    batches = land_all(worker)
    assert all(b.location.startswith(f"{url}/landing/source=demo/") for b in batches)
    locations = loading.score_batches_to_storage(batches, worker)
    assert all(loc.startswith(f"{url}/scored/source=demo/") for loc in locations)
    assert storage.glob(f"{url}/**") == sorted([b.location for b in batches] + locations)
    assert not (worker.home / "landing").exists() and not (worker.home / "scored").exists()
    results = loading.write_scored_batches(locations, writer)
    warehouse, expected = direct
    assert results == expected
    # Gated as one group, the suite's observed values (details) are the group's.
    assert dump(writer.warehouse, SKIP | {"details"}) == dump(warehouse, SKIP | {"details"})
    # A rerun of the scoring writes the same objects again; the write is the same.
    assert loading.score_batches_to_storage(batches, worker) == locations
    before = dump(writer.warehouse)
    loading.write_scored_batches(locations, writer)
    assert dump(writer.warehouse) == before


def test_a_missing_scored_batch_is_a_clear_error_and_writes_nothing(settings: Settings) -> None:
    location = scored.location(
        str(settings.home / "scored"), "demo", "pebble", START, START + timeutil.DAY
    )
    with pytest.raises(
        ScoredBatchError, match=r"no scored batch at .*the score task of this chunk"
    ):
        loading.write_scored(location, settings)
    assert not settings.warehouse.exists()


def test_a_half_written_scored_batch_is_never_read_as_complete(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    [batch] = [fetch.land("demo", "pebble", START, START + timeutil.DAY, settings)]
    location = loading.score_to_storage(batch, settings)
    whole = Path(location).read_bytes()
    loading.write_scored(location, settings)
    before = dump(settings.warehouse)

    # A worker killed while copying the file into place: the real name keeps the old file
    # (or none), the half copy is gone.
    def killed(src: str, dst: str) -> None:
        Path(dst).write_bytes(Path(src).read_bytes()[: len(whole) // 2])
        raise KeyboardInterrupt  # as a SIGTERM'd task would stop

    monkeypatch.setattr(shutil, "copyfile", killed)
    Path(location).unlink()
    with pytest.raises(KeyboardInterrupt):
        loading.score_to_storage(batch, settings)
    assert [p.name for p in Path(location).parent.iterdir()] == []
    monkeypatch.undo()
    with pytest.raises(ScoredBatchError, match="no scored batch"):
        loading.write_scored(location, settings)

    # Half a file under the real name (a store that does not write whole): refused.
    Path(location).write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ScoredBatchError, match="not a complete scored batch"):
        loading.write_scored(location, settings)
    # A Parquet file that is not a scored batch: refused.
    Path(location).unlink()
    duckdb.sql("select 'meta' as part, 1 as x").to_parquet(location)
    with pytest.raises(ScoredBatchError, match="not a complete scored batch"):
        loading.write_scored(location, settings)
    assert dump(settings.warehouse) == before
