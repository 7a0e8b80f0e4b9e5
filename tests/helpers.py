"""Set-up the SQL tests share: a runtime folder and brands file under ``tmp_path``, demo
records landed as a batch, loaded and aggregated, file drops for the brand ``acme``, and
the warehouse read back."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from pipeline import timeutil
from pipeline.ingest import landing
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import aggregation, loading
from tests.conftest import pebble_brands, write_brands


def settings_in(home: Path, brands: Path | None = None) -> Settings:
    """Settings over the runtime folder ``home`` and ``brands`` (the project's by default)."""
    return Settings.from_env(
        {
            "BRANDPULSE_HOME": str(home),
            "BRANDPULSE_BRANDS": str(brands or PROJECT_ROOT / "brands.yaml"),
        }
    )


def pebble_settings(tmp_path: Path, **fields: object) -> Settings:
    """Settings over ``tmp_path/var`` with a brands file of the one brand ``pebble``
    (:func:`tests.conftest.pebble_brands`: ``fields`` add to or replace its entries)."""
    brands = write_brands(tmp_path / "brands.yaml", pebble_brands(**fields))
    return settings_in(tmp_path / "var", brands)


def rows(settings: Settings, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """The rows of a read-only query against the settings' warehouse."""
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def demo_record(post_id: str, at: datetime, text: str = "my pebble bill is wrong again") -> dict:
    """One record as the demo source lands it, in English."""
    return {
        "id": post_id,
        "created_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "author": {"id": f"u{post_id}", "handle": f"user{post_id}", "followers": 10},
        "text": text,
        "lang": "en",
    }


def land_records(
    settings: Settings, brand: str, start: datetime, end: datetime, records: list[dict]
) -> landing.Batch:
    """``records`` landed as the demo source's batch of ``brand`` for ``[start, end)``."""
    path = landing.batch_path(settings.landing, "demo", brand, start, end)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return landing.Batch("demo", brand, start, end, path, len(records))


def load_and_aggregate(settings: Settings, batch: landing.Batch) -> loading.LoadResult:
    """Load ``batch`` and refresh its brand's aggregates over its interval."""
    result = loading.load(batch, settings)
    aggregation.aggregate(batch.start, batch.end, [batch.brand], settings)
    return result


def load_hour(
    settings: Settings, brand: str, start: datetime, records: list[dict]
) -> loading.LoadResult:
    """``records`` landed for the hour from ``start``, loaded and aggregated."""
    batch = land_records(settings, brand, start, start + timeutil.HOUR, records)
    return load_and_aggregate(settings, batch)


#: How the exports the file-import tests drop for ``acme`` name their columns.
ACME_COLUMNS = {
    "post_id": "id", "created_at": "date", "text": "message", "author_handle": "user",
    "author_followers": "followers",
}  # fmt: skip


def acme_file_brand(history_start: date, **file_options: object) -> dict[str, Any]:
    """The brand ``acme`` (Acme, Europe/Berlin, care account @AcmeHelp) fed by file drops in
    ``imports/acme`` read with :data:`ACME_COLUMNS`. ``history_start``: its plausible
    history starts then (the tests' dated rows stay plausible whenever they run);
    ``file_options`` add to or replace the file source's options (``columns=``,
    ``time_format=``)."""
    return {
        "id": "acme", "name": "Acme", "timezone": "Europe/Berlin", "accounts": ["@AcmeHelp"],
        "terms": ["acme"], "overrides": {"history": {"start": history_start}},
        "sources": {
            "file": {"folder": "imports/acme", "columns": dict(ACME_COLUMNS), **file_options}
        },
    }  # fmt: skip


def write_file_brands(settings: Settings, *brands: dict[str, Any]) -> None:
    """The settings' brands file, of ``brands``; each brand's file drop folder made."""
    settings.brands_file.write_text(
        yaml.safe_dump({"version": 1, "brands": list(brands)}, sort_keys=False), encoding="utf-8"
    )
    for brand in brands:
        (settings.home / brand["sources"]["file"]["folder"]).mkdir(parents=True, exist_ok=True)


def file_import_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *brands: dict[str, Any]
) -> Settings:
    """Settings over ``tmp_path/var`` and ``tmp_path/brands.yaml`` of ``brands`` (also in
    the environment, for the command line), their drop folders made."""
    monkeypatch.setenv("BRANDPULSE_HOME", str(tmp_path / "var"))
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(tmp_path / "brands.yaml"))
    settings = Settings.from_env()
    write_file_brands(settings, *brands)
    return settings


def drop_file(settings: Settings, name: str, content: str | bytes, brand: str = "acme") -> Path:
    """``content`` dropped as ``name`` in ``brand``'s folder ``imports/<brand>``."""
    path = settings.home / "imports" / brand / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path
