"""Importing file drops: every new CSV / JSONL export in a brand's folder, exactly once.

For each brand with the ``file`` source, every ``*.csv``, ``*.jsonl`` and ``*.ndjson`` file
in its folder (names starting with ``.`` are ignored, so tools can write ``.partial`` files
and rename them) is imported once per *content*: its SHA-256 goes into the ``file_imports``
ledger once its posts are stored and its aggregates refreshed, so a file renamed, copied or
dropped again is skipped, and a failure before that (a locked warehouse, a crash) leaves the
file to be imported again next run, which upserts the same posts: nothing counts twice.
Rows are mapped to our fields (``sources.file.columns``), landed, validated, scored and
upserted by (source, brand, post_id); a row that cannot become a post goes to
``quarantine`` with its reason, keyed by the file's checksum. A file that cannot be read
at all (not UTF-8, not CSV/JSON) is recorded with one quarantine row saying why.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import timeutil
from pipeline.config.brands import BrandConfig, load_brands
from pipeline.errors import ConfigError
from pipeline.ingest import landing
from pipeline.ingest.sources.files import column_mapping, map_row
from pipeline.posts.expectations import SuiteReport
from pipeline.scoring.scorer import scorer_for
from pipeline.secrets import SecretLookup
from pipeline.settings import Settings
from pipeline.steps import aggregation, loading
from pipeline.warehouse import connection, loads
from pipeline.warehouse.quality import store_report

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".jsonl", ".ndjson")

#: Posts dated outside this range are quarantined: before the first tweet ever (2006) a
#: "post" is a data error, and so is anything from the far future.
EARLIEST_POST = datetime(2006, 3, 21, tzinfo=UTC)
LATEST_POST = datetime(2100, 1, 1, tzinfo=UTC)


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


def folder_for(brand: BrandConfig, settings: Settings) -> Path:
    src = brand.source("file")
    if src is None:
        raise ConfigError(f"brand '{brand.id}': the file source is not enabled")
    folder = src.options.get("folder")
    if not isinstance(folder, str) or not folder.strip():
        raise ConfigError(
            f"brand '{brand.id}', field 'sources.file.folder': required (a folder path)"
        )
    path = Path(folder).expanduser()
    return path if path.is_absolute() else settings.home / path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class UnreadableFile(Exception):
    """The file as a whole cannot be read as CSV / JSONL text."""


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The file's rows as dicts of the values as written (CSV: strings)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"file: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames:
            raise UnreadableFile("file: empty, no header row")
        for row in reader:
            extra = row.pop(None, None)
            if extra:
                yield {
                    "__unparseable__": (
                        f"line {reader.line_num}: {len(reader.fieldnames) + len(extra)} fields, "
                        f"but the header has {len(reader.fieldnames)} (an unquoted comma?)"
                    ),
                    **{str(k): v for k, v in row.items()},
                }
                continue
            yield {str(k): v for k, v in row.items()}
        return
    # Lines end at "\n" only: JSON strings may hold U+2028 and other line separators.
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {
                "__unparseable__": f"line {line_no}: not valid JSON ({exc.msg})",
                "__line__": line,
            }
            continue
        yield (
            value
            if isinstance(value, dict)
            else {"__unparseable__": f"line {line_no}: not an object"}
        )


def _land(settings: Settings, brand: BrandConfig, path: Path, sha: str) -> landing.Batch:
    """Write the mapped rows to the landing zone (atomically) as one batch."""
    src = brand.source("file")
    mapping = column_mapping(src.options if src else {}, brand.id)
    target = settings.landing / "source=file" / f"brand={brand.id}" / f"file={sha[:32]}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".landing-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as out:
            try:
                for row_no, row in enumerate(read_rows(path)):
                    record: dict[str, Any] = {"file": path.name, "row_no": row_no, "row": row}
                    if "__unparseable__" not in row:
                        record["mapped"] = map_row(row, mapping)
                    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                    count += 1
            except UnreadableFile as exc:
                out.write(json.dumps({"file": path.name, "row_no": 0, "error": str(exc)}) + "\n")
                count += 1
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return landing.Batch("file", brand.id, EARLIEST_POST, LATEST_POST, target, count)


def import_file(
    settings: Settings, brand: BrandConfig, path: Path, secrets: SecretLookup | None = None
) -> FileImportResult:
    """Import one file for one brand, unless its content was imported before."""
    sha = sha256_of(path)
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        if loads.is_file_imported(con, brand.id, sha):
            log.info("skipping %s: the same content was imported before", path.name)
            return FileImportResult(brand.id, path.name, sha, skipped=True)
    batch = _land(settings, brand, path, sha)
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
    for brand in load_brands(settings.brands_file).select(tuple(brand_ids or ())):
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
