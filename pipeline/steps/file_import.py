"""Importing file drops: every new CSV / JSONL export in a brand's folder, exactly once.

Each file is imported once per *content*: its SHA-256 goes into the ``file_imports``
ledger once its posts are stored and its aggregates refreshed, so a file renamed, copied or
dropped again is skipped, and a failure before that (a locked warehouse, a crash) leaves the
file to be imported again next run, which upserts the same posts: nothing counts twice.
Rows are landed (:mod:`pipeline.ingest.file_drops`), validated, scored and upserted by
(source, brand, post_id); a row that cannot become a post goes to ``quarantine`` with its
reason, keyed by the file's checksum. A file that cannot be read at all (not UTF-8, not
CSV/JSON) is recorded with one quarantine row saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pandas as pd

from pipeline import timeutil
from pipeline.config.loading import read_brands
from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.ingest.file_drops import SUFFIXES, folder_for, land_file, sha256_of
from pipeline.posts.expectations import SuiteReport
from pipeline.scoring.scorer import scorer_for
from pipeline.secrets import SecretLookup
from pipeline.settings import Settings
from pipeline.steps import aggregation, loading
from pipeline.warehouse import connection, loads
from pipeline.warehouse.quality import store_report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileImportResult:
    brand: str
    file_name: str
    sha256: str
    skipped: bool  # already imported (same content)
    rows_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0


def import_file(
    settings: Settings, brand: BrandConfig, path: Path, secrets: SecretLookup | None = None
) -> FileImportResult:
    """Import one file for one brand, unless its content was imported before."""
    sha = sha256_of(path)
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        if loads.is_file_imported(con, brand.id, sha):
            log.info("skipping %s: the same content was imported before", path.name)
            return FileImportResult(brand.id, path.name, sha, skipped=True)
    batch = land_file(settings, brand, path, sha)
    scorer = scorer_for(brand)
    reports: list[SuiteReport] = []
    posts, quarantine, result = loading.score_posts(
        batch, brand, scorer, on_quality=reports.append, secrets=secrets, batch_id=sha
    )
    stamps = [pd.Timestamp(t).to_pydatetime().replace(tzinfo=UTC) for t in posts["created_at"]]
    first, last = (min(stamps), max(stamps)) if stamps else (None, None)
    record = loads.FileImportRecord(
        brand=brand.id,
        sha256=sha,
        file_name=path.name,
        landing_path=str(batch.path),
        rows_read=result.fetched,
        loaded=result.loaded,
        duplicates=result.duplicates,
        quarantined=result.quarantined,
        first_post_at=first,
        last_post_at=last,
        model_version=scorer.model_version,
    )
    # Not published yet: the aggregate below publishes the posts together with their rows.
    with connection.open_for_write(settings.warehouse, settings.sql, publish=False) as con:
        loads.replace_file(con, record, posts, quarantine)
        for report in reports:
            store_report(con, report)
    if first is not None and last is not None:
        aggregation.aggregate(first, last + timeutil.HOUR, [brand.id], settings)
    # Only now is the file done: a failure above leaves it to be imported again next run.
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        loads.record_file_import(con, record)
    log.info(
        "imported %s for %s: rows=%d loaded=%d duplicates=%d quarantined=%d",
        path.name, brand.id, result.fetched, result.loaded, result.duplicates, result.quarantined,
    )  # fmt: skip
    return FileImportResult(
        brand.id,
        path.name,
        sha,
        skipped=False,
        rows_read=result.fetched,
        loaded=result.loaded,
        duplicates=result.duplicates,
        quarantined=result.quarantined,
    )


def import_files(
    settings: Settings | None = None,
    brand_ids: Sequence[str] | None = None,
    secrets: SecretLookup | None = None,
) -> list[FileImportResult]:
    """Import every new file of every brand with the file source (oldest name first)."""
    settings = settings or Settings.from_env()
    results = []
    for brand in read_brands(settings.brands_file).select(tuple(brand_ids or ())):
        if brand.source("file") is None:
            continue
        folder = folder_for(brand, settings)
        if not folder.is_dir():
            raise ConfigError(
                f"brand '{brand.id}', field 'sources.file.folder': {folder} is not a folder"
            )
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith("."):
                results.append(import_file(settings, brand, path, secrets))
    return results
