"""Importing file drops: every new CSV / JSONL export in a brand's folder, once per content
and column mapping.

A file is read as a stream and imported :data:`~pipeline.ingest.file_drops.BATCH_ROWS` rows at
a time: each batch is landed, validated, scored and upserted by (source, brand, post_id), so
memory is bounded by a batch. A row that cannot become a post goes to ``quarantine`` with its
reason (and its post id when it had one), keyed by the file's checksum; a file that cannot be
read at all (empty, binary, a mapped column missing) is one quarantine row saying why, and
the import goes on with the next file. One brand's failure (a missing folder, a locked
warehouse) never stops another brand's import.

The ``file_imports`` ledger gets a file's row once its posts are stored, their threads
derived and the aggregates refreshed; a failure before that leaves the file to be imported
again, which upserts the same posts: nothing counts twice. The ledger keys on the content's
checksum and the mapping's fingerprint, so a file is imported again after
``sources.file.columns`` or ``time_format`` changes; ``reimport=True`` imports it again
regardless. ``loaded`` counts posts new to the warehouse, ``updated`` the ones already stored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline import timeutil
from pipeline.config.loading import read_brands
from pipeline.config.model import BrandConfig
from pipeline.errors import BrandpulseError, ConfigError, InputError
from pipeline.ingest.file_drops import BATCH_ROWS, drops_in, folder_for, land_file, sha256_of
from pipeline.ingest.file_drops import landing_folder as _landing_folder
from pipeline.ingest.sources.files import mapping_fingerprint, max_quarantine_share
from pipeline.posts.expectations import SuiteReport
from pipeline.scoring.scorer import scorer_for
from pipeline.secrets import SecretLookup
from pipeline.settings import Settings
from pipeline.steps import aggregation, loading
from pipeline.warehouse import connection, file_ledger, responses
from pipeline.warehouse.quality import store_report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileImportResult:
    brand: str
    file_name: str
    sha256: str
    skipped: bool  # already imported (same content, same mapping)
    rows_read: int = 0
    loaded: int = 0  # posts new to the warehouse
    updated: int = 0  # posts already stored, replaced
    duplicates: int = 0
    quarantined: int = 0
    error: str | None = None  # why the file as a whole could not be read
    max_share: float = 1.0  # the source's max_quarantine_share

    @property
    def too_much_quarantined(self) -> bool:
        """More than the source's ``max_quarantine_share`` of the file's rows quarantined."""
        return bool(self.rows_read) and self.quarantined / self.rows_read > self.max_share

    def describe(self) -> str:
        if self.skipped:
            return "skipped (imported before with the same columns)"
        if self.error:
            return f"quarantined as a whole: {self.error}"
        return (
            f"{self.rows_read} rows: {self.loaded} new, {self.updated} updated, "
            f"{self.duplicates} duplicates, {self.quarantined} quarantined"
        )


@dataclass(frozen=True)
class ImportRun:
    """Every brand's results, and the brands whose import failed (with the reason)."""

    results: list[FileImportResult] = field(default_factory=list)
    failures: dict[str, BrandpulseError] = field(default_factory=dict)

    @property
    def over_share(self) -> list[FileImportResult]:
        return [r for r in self.results if r.too_much_quarantined]


def quarantine_warning(result: FileImportResult) -> str:
    return (
        f"brand '{result.brand}': {result.file_name}: {result.quarantined} of "
        f"{result.rows_read} rows quarantined, more than max_quarantine_share "
        f"{result.max_share:g}; see the quarantine table (batch_id = its sha256)"
    )


def import_file(
    settings: Settings,
    brand: BrandConfig,
    path: Path,
    secrets: SecretLookup | None = None,
    *,
    reimport: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> FileImportResult:
    """Import one file for one brand, unless imported before with the same mapping."""
    src = brand.source("file")
    options = src.options if src else {}
    mapping = mapping_fingerprint(options, brand.id)
    share = max_quarantine_share(options)
    sha = sha256_of(path)
    with connection.open_for_write(settings.warehouse, settings.sql, publish=False) as con:
        if not reimport and file_ledger.is_imported(con, brand.id, sha, mapping):
            log.info("skipping %s: imported before with the same columns", path.name)
            return FileImportResult(brand.id, path.name, sha, skipped=True, max_share=share)
        unrecorded = not file_ledger.ledger_mappings(con, brand.id, sha)
        file_ledger.begin_file(con, brand.id, sha)
    span = _Span()
    scorer = scorer_for(brand)
    as_of = datetime.now(UTC)  # the import's time: posts after it (plus the skew) are implausible
    seen: set[str] = set()
    rows = new = updated = duplicates = quarantined = 0
    error: str | None = None
    for part in land_file(settings, brand, path, sha, batch_rows=batch_rows):
        reports: list[SuiteReport] = []
        posts, quarantine, result = loading.score_posts(
            part.batch,
            brand,
            scorer,
            on_quality=reports.append,
            secrets=secrets,
            batch_id=f"{sha}/{part.part:05d}",
            as_of=as_of,
        )
        quarantine = quarantine.assign(record_no=quarantine["record_no"] + part.first_row)
        error = error or part.error
        # A post id repeated in an earlier batch of the file is a duplicate, as within one.
        repeated = posts["post_id"].isin(seen)
        posts = posts.loc[~repeated].reset_index(drop=True)
        seen.update(posts["post_id"])
        with connection.open_for_write(settings.warehouse, settings.sql, publish=False) as con:
            written = file_ledger.write_batch(
                con,
                settings.sql,
                brand.id,
                sha,
                posts=posts,
                quarantine=quarantine,
                unrecorded=unrecorded,
            )
            for report in reports:
                store_report(con, report)
        span.add(written.earliest_replaced, written.latest_replaced)
        if len(posts):
            span.add(posts["created_at"].min(), posts["created_at"].max(), posts=True)
        rows += result.fetched
        new, updated = new + written.new, updated + written.updated
        duplicates += result.duplicates + int(repeated.sum())
        quarantined += result.quarantined
    with connection.open_for_write(settings.warehouse, settings.sql, publish=False) as con:
        span.add(*file_ledger.finish_file(con, settings.sql, brand.id, sha))
        responses.derive_file_threads(con, settings.sql, brand.id)
    if span.lo is not None and span.hi is not None:
        aggregation.aggregate(span.lo, span.hi + timeutil.HOUR, [brand.id], settings)
    record = file_ledger.FileImportRecord(
        brand=brand.id,
        sha256=sha,
        mapping=mapping,
        file_name=path.name,
        landing_path=_landing_folder(settings, brand.id, sha),
        rows_read=rows,
        loaded=new,
        updated=updated,
        duplicates=duplicates,
        quarantined=quarantined,
        first_post_at=span.first_post,
        last_post_at=span.last_post,
        model_version=scorer.model_version,
        error=error,
    )
    # Only now is the file done: a failure above leaves it to be imported again next run.
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        file_ledger.record_import(con, record)
    outcome = FileImportResult(
        brand.id, path.name, sha, False, rows, new, updated, duplicates, quarantined, error, share
    )
    log.info("imported %s for %s: %s", path.name, brand.id, outcome.describe())
    if outcome.too_much_quarantined:  # the CLI warns, the DAG's task fails (import_one_brand)
        log.info("%s", quarantine_warning(outcome))
    return outcome


class _Span:
    """The time span an import touched: its posts', and replaced posts' earlier times."""

    def __init__(self) -> None:
        self.lo: datetime | None = None
        self.hi: datetime | None = None
        self.first_post: datetime | None = None
        self.last_post: datetime | None = None

    def add(self, lo: object, hi: object, *, posts: bool = False) -> None:
        first, last = file_ledger.as_datetime(lo), file_ledger.as_datetime(hi)
        if first is None or last is None:
            return
        a, b = first.replace(tzinfo=UTC), last.replace(tzinfo=UTC)
        self.lo = a if self.lo is None else min(self.lo, a)
        self.hi = b if self.hi is None else max(self.hi, b)
        if posts:
            self.first_post = a if self.first_post is None else min(self.first_post, a)
            self.last_post = b if self.last_post is None else max(self.last_post, b)


def import_brand(
    settings: Settings,
    brand: BrandConfig,
    secrets: SecretLookup | None = None,
    *,
    reimport: bool = False,
    files: Sequence[str] = (),
    batch_rows: int = BATCH_ROWS,
) -> list[FileImportResult]:
    """Import a brand's new files (oldest name first); ``files`` narrows to these names."""
    folder = folder_for(brand, settings)
    if not folder.is_dir():
        raise ConfigError(
            f"brand '{brand.id}', field 'sources.file.folder': {folder} is not a folder"
        )
    wanted = {Path(f).name for f in files}
    paths = [p for p in drops_in(folder) if not wanted or p.name in wanted]
    missing = sorted(wanted - {p.name for p in paths})
    if missing:
        raise ConfigError(
            f"brand '{brand.id}': no file {missing[0]!r} in {folder} (a .csv, .jsonl or .ndjson)"
        )
    results, unreadable = [], []
    for path in paths:
        try:
            results.append(
                import_file(
                    settings, brand, path, secrets, reimport=reimport, batch_rows=batch_rows
                )
            )
        except OSError as exc:  # not the file's content: left for the next run, not recorded
            log.error("brand '%s': %s cannot be read: %s", brand.id, path.name, exc)
            unreadable.append(f"{path.name} ({exc.strerror or exc})")
    if unreadable:
        raise InputError(
            f"brand '{brand.id}': could not read {', '.join(unreadable)}; the other files "
            "were imported, these are tried again next run"
        )
    return results


def file_brands(settings: Settings, brand_ids: Sequence[str] | None = None) -> list[str]:
    """The ids of the brands with the file source (of ``brand_ids``, default all)."""
    brands = read_brands(settings.brands_file).select(tuple(brand_ids or ()))
    return [b.id for b in brands if b.source("file") is not None]


def import_all(
    settings: Settings | None = None,
    brand_ids: Sequence[str] | None = None,
    secrets: SecretLookup | None = None,
    *,
    reimport: bool = False,
    files: Sequence[str] = (),
) -> ImportRun:
    """:func:`import_brand` for every brand with the file source; a brand that fails is
    recorded in :attr:`ImportRun.failures` and the next brand is imported all the same."""
    settings = settings or Settings.from_env()
    catalog = read_brands(settings.brands_file)
    run = ImportRun()
    for brand_id in file_brands(settings, brand_ids):
        brand = catalog.get(brand_id)
        try:
            names = list(files)
            if files and not brand_ids:  # files named without a brand: the brands holding them
                folder = folder_for(brand, settings)
                names = [f for f in files if (folder / Path(f).name).is_file()]
                if not names:
                    continue
            run.results.extend(
                import_brand(settings, brand, secrets, reimport=reimport, files=names)
            )
        except BrandpulseError as exc:
            log.error("file import of brand '%s' failed: %s", brand_id, exc)
            run.failures[brand_id] = exc
    if files and not brand_ids and not run.results and not run.failures:
        raise ConfigError(f"no brand's file folder holds {', '.join(files)}")
    return run


def import_files(
    settings: Settings | None = None,
    brand_ids: Sequence[str] | None = None,
    secrets: SecretLookup | None = None,
    *,
    reimport: bool = False,
) -> list[FileImportResult]:
    """Import every new file of every brand with the file source (oldest name first).

    Every brand is tried; then the first brand's failure, if any, is raised again."""
    settings = settings or Settings.from_env()
    run = import_all(settings, brand_ids, secrets, reimport=reimport)
    if run.failures:
        raise next(iter(run.failures.values()))
    return run.results


def import_one_brand(
    brand_id: str, settings: Settings | None = None, secrets: SecretLookup | None = None
) -> list[FileImportResult]:
    """The file import of one brand, as the DAG's mapped task runs it: raises when the
    brand fails, or (after importing every file) when a file has more than
    ``max_quarantine_share`` of its rows quarantined."""
    settings = settings or Settings.from_env()
    brand = read_brands(settings.brands_file).get(brand_id)
    results = import_brand(settings, brand, secrets)
    over = [r for r in results if r.too_much_quarantined]
    if over:
        raise InputError("; ".join(quarantine_warning(r) for r in over))
    return results
