"""File drops: the CSV / JSONL exports in a brand's folder, read and landed.

For each brand with the ``file`` source, every ``*.csv``, ``*.jsonl`` and ``*.ndjson`` file
in its folder (names starting with ``.`` are ignored, so tools can write ``.partial`` files
and rename them) is a drop. A drop is known by its content (SHA-256), its rows are mapped to
our fields (``sources.file.columns``) and landed as one batch; importing it into the
warehouse, exactly once, is :mod:`pipeline.steps.file_import`'s job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError, UnreadableFileError
from pipeline.ingest import landing
from pipeline.ingest.sources.files import column_mapping, map_row
from pipeline.settings import Settings

SUFFIXES = (".csv", ".jsonl", ".ndjson")


#: Posts dated outside this range are quarantined: before the first tweet ever (2006) a
#: "post" is a data error, and so is anything from the far future.
EARLIEST_POST = datetime(2006, 3, 21, tzinfo=UTC)


LATEST_POST = datetime(2100, 1, 1, tzinfo=UTC)


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


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The file's rows as dicts of the values as written (CSV: strings)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            f"file: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames:
            raise UnreadableFileError("file: empty, no header row")
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


def land_file(settings: Settings, brand: BrandConfig, path: Path, sha: str) -> landing.Batch:
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
            except UnreadableFileError as exc:
                out.write(json.dumps({"file": path.name, "row_no": 0, "error": str(exc)}) + "\n")
                count += 1
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return landing.Batch("file", brand.id, EARLIEST_POST, LATEST_POST, target, count)
