"""File drops: the CSV / JSONL exports in a brand's folder, read and landed in batches.

For each brand with the ``file`` source, every ``*.csv``, ``*.jsonl`` and ``*.ndjson`` file
in its folder (names starting with ``.`` are ignored, so tools can write ``.partial`` files
and rename them) is a drop. A drop is known by its content (SHA-256) and read as a stream:
its rows are mapped to our fields (``sources.file.columns``) and landed :data:`BATCH_ROWS`
at a time, so memory is bounded by a batch, not by the file. Importing the batches into the
warehouse, once per content and mapping, is :mod:`pipeline.steps.file_import`'s job.

What cannot be read is kept apart at the smallest unit it affects:

- a row (a CSV line with a field over the csv limit, bytes that are not UTF-8, too many
  fields; a JSONL line that is not JSON, nested too deeply or not an object) is landed as
  ``{"__unparseable__": reason}`` and quarantined with that reason, the rest of the file
  is read on;
- the whole file (empty, binary, a mapped column missing from the CSV header, a required
  one missing from all of the first JSONL records) raises
  :class:`~pipeline.errors.UnreadableFileError` before any row is landed; it is landed as
  one record with that reason and quarantined.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError, UnreadableFileError
from pipeline.ingest import landing, storage
from pipeline.ingest.sources.files import (
    REQUIRED_FIELDS,
    checked_columns,
    column_mapping,
    map_row,
    normalize_id,
)
from pipeline.settings import Settings

SUFFIXES = (".csv", ".jsonl", ".ndjson")

#: Rows landed, scored and written at a time: a few thousand keep a batch's frames and
#: the quality suite's work to tens of MB, while the fixed cost per batch (a validation,
#: a warehouse transaction) stays small next to scoring them.
BATCH_ROWS = 5_000

#: Posts dated outside this range are quarantined: before the first tweet ever (2006) a
#: "post" is a data error, and so is anything from the far future.
EARLIEST_POST = datetime(2006, 3, 21, tzinfo=UTC)


LATEST_POST = datetime(2100, 1, 1, tzinfo=UTC)

#: JSONL records read before the mapped columns are checked: a column missing from all of
#: them is a mapping error, not a sparse field.
COLUMN_CHECK_RECORDS = 100

#: Longest JSONL line read: a post with every field is a few KB; a line past this is not a
#: post and is quarantined without being held in memory.
MAX_LINE_BYTES = 4 * 1024 * 1024

#: Deepest JSON nesting read. An API's post is 5-6 levels deep; parsing (and later writing
#: and reading back) a deeper line recurses, near Python's recursion limit at ~1,000.
MAX_JSON_DEPTH = 64

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")

#: Bytes looked at to tell a text file from a binary one (a NUL byte is never in CSV/JSON).
_SNIFF_BYTES = 8192

#: Characters of an unreadable line kept in its quarantine row.
_RAW_CHARS = 2000


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


def drops_in(folder: Path) -> list[Path]:
    """The drops in a folder, by name."""
    return [
        path
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith(".")
    ]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sniff(fh: IO[bytes]) -> None:
    head = fh.read(_SNIFF_BYTES)
    fh.seek(0)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnreadableFileError("file: empty")
    if b"\x00" in head:
        raise UnreadableFileError("file: binary content, not CSV or JSON text")


def _missing(checked: Mapping[str, str], found: list[str]) -> None:
    present = set(found)
    missing = [(field, col) for field, col in checked.items() if col not in present]
    if missing:
        field, col = missing[0]
        shown = ", ".join(found[:30]) + (" …" if len(found) > 30 else "")
        raise UnreadableFileError(
            f"file: mapped column {col!r} (sources.file.columns.{field}) is not in the file; "
            f"columns found: {shown or 'none'}"
        )


def _fix_bytes(value: str) -> str:
    """A cell decoded with ``surrogateescape``, its bad bytes as U+FFFD."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _bad_byte(cells: list[str]) -> int | None:
    for cell in cells:
        if cell.isascii():
            continue
        for ch in cell:
            if "\udc80" <= ch <= "\udcff":
                return ord(ch) - 0xDC00
    return None


def _csv_rows(fh: IO[bytes], checked: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise UnreadableFileError(f"file: no CSV header row ({exc or 'empty'})") from None
    if _bad_byte(header) is not None:
        raise UnreadableFileError("file: the header row is not UTF-8 text")
    _missing(checked, header)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield {"__unparseable__": f"line {reader.line_num}: {exc}"}
            continue
        if not cells:
            continue
        byte = _bad_byte(cells)
        if byte is not None:
            yield {
                "__unparseable__": f"line {reader.line_num}: not UTF-8 text (byte 0x{byte:02x})",
                "__line__": _fix_bytes(",".join(cells))[:_RAW_CHARS],
            }
            continue
        if len(cells) > len(header):
            yield {
                "__unparseable__": (
                    f"line {reader.line_num}: {len(cells)} fields, but the header has "
                    f"{len(header)} (an unquoted comma?)"
                ),
                **dict(zip(header, cells, strict=False)),
            }
            continue
        yield dict(zip(header, cells, strict=False))


def _lines(fh: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of a binary file split at ``\\n`` only (JSON strings may hold
    U+2028); a line over :data:`MAX_LINE_BYTES` comes as ``None`` and is skipped."""
    line_no = 0
    while True:
        line = fh.readline(MAX_LINE_BYTES)
        if not line:
            return
        line_no += 1
        if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := fh.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield line_no, None
            continue
        yield line_no, line


def _depth(text: str) -> int:
    """How deep a JSON text nests (its strings left out), without parsing it."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _json_record(line_no: int, line: bytes | None) -> dict[str, Any] | None:
    if line is None:
        return {"__unparseable__": f"line {line_no}: longer than {MAX_LINE_BYTES} bytes"}
    if not line.strip():
        return None
    try:
        text = line.decode("utf-8-sig" if line_no == 1 else "utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return {
            "__unparseable__": (
                f"line {line_no}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ),
            "__line__": line.decode("utf-8", "replace")[:_RAW_CHARS],
        }
    if _depth(text) > MAX_JSON_DEPTH:
        return {
            "__unparseable__": f"line {line_no}: JSON nested deeper than {MAX_JSON_DEPTH} levels",
            "__line__": text[:_RAW_CHARS],
        }
    try:
        value = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        return {
            "__unparseable__": f"line {line_no}: not valid JSON ({exc.msg})",
            "__line__": text[:_RAW_CHARS],
        }
    except RecursionError:
        return {
            "__unparseable__": f"line {line_no}: JSON nested too deeply",
            "__line__": text[:_RAW_CHARS],
        }
    if not isinstance(value, dict):
        return {
            "__unparseable__": f"line {line_no}: not an object (a {type(value).__name__})",
            "__line__": text[:_RAW_CHARS],
        }
    return value


def _jsonl_rows(fh: IO[bytes], checked: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    lines = _lines(fh)
    ahead: list[dict[str, Any]] = []
    keys: dict[str, None] = {}
    objects = 0
    for line_no, line in lines:
        record = _json_record(line_no, line)
        if record is None:
            continue
        ahead.append(record)
        if "__unparseable__" not in record:
            keys.update(dict.fromkeys(map(str, record)))
            objects += 1
            if objects >= COLUMN_CHECK_RECORDS:
                break
    if not ahead:
        raise UnreadableFileError("file: empty (no JSON lines)")
    if objects:  # only the required columns: JSON exports leave out keys without a value
        _missing({f: c for f, c in checked.items() if f in REQUIRED_FIELDS}, list(keys))
    yield from ahead
    for line_no, line in lines:
        record = _json_record(line_no, line)
        if record is not None:
            yield record


def read_rows(path: Path, checked: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
    """The file's rows, streamed, as dicts of the values as written (CSV: strings).

    A row that cannot be read is ``{"__unparseable__": reason, ...}``. Raises
    :class:`UnreadableFileError` before the first row when the file as a whole cannot be
    read, or when a column of ``checked`` (field -> column) is not in its header (CSV)
    or in any of its first :data:`COLUMN_CHECK_RECORDS` records (JSONL).
    """
    checked = checked or {}
    with path.open("rb") as fh:
        _sniff(fh)
        if path.suffix.lower() == ".csv":
            yield from _csv_rows(fh, checked)
        else:
            yield from _jsonl_rows(fh, checked)


@dataclass(frozen=True)
class LandedPart:
    """One landed batch of a file: its records are the file's rows ``first_row`` onwards."""

    batch: landing.Batch
    part: int
    first_row: int
    error: str | None = None  # the file as a whole could not be read (one record says why)


def landing_folder(settings: Settings, brand_id: str, sha: str) -> str:
    """Where a file's parts land: a local folder or a storage URL (BRANDPULSE_STORAGE)."""
    return storage.join(
        storage.landing_root(settings), "source=file", f"brand={brand_id}", f"file={sha[:32]}"
    )


def _write_part(folder: str, brand_id: str, part: int, records: list[dict[str, Any]]) -> str:
    """One part, written whole (:func:`pipeline.ingest.storage.write_bytes`)."""
    target = storage.join(folder, f"part-{part:05d}.jsonl")
    text = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
    storage.write_bytes(target, text.encode("utf-8", "surrogatepass"))
    return target


def _landed_id(mapped: Mapping[str, Any]) -> str | None:
    try:
        return normalize_id("post_id", mapped.get("post_id"))
    except ValueError:
        return str(mapped.get("post_id"))


def land_file(
    settings: Settings,
    brand: BrandConfig,
    path: Path,
    sha: str,
    *,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[LandedPart]:
    """Land the file's mapped rows, ``batch_rows`` at a time, each part written atomically.

    A file that cannot be read as a whole lands as one record ``{"error": reason}``.
    """
    src = brand.source("file")
    options = src.options if src else {}
    mapping = column_mapping(options, brand.id)
    folder = landing_folder(settings, brand.id, sha)
    storage.delete_tree(folder)  # an earlier attempt's parts, possibly of another mapping
    records: list[dict[str, Any]] = []
    part = first_row = 0
    error: str | None = None

    def flush() -> LandedPart:
        nonlocal part, first_row
        target = _write_part(folder, brand.id, part, records)
        batch = landing.Batch("file", brand.id, EARLIEST_POST, LATEST_POST, target, len(records))
        landed = LandedPart(batch, part, first_row, error)
        part, first_row = part + 1, first_row + len(records)
        records.clear()
        return landed

    try:
        for row_no, row in enumerate(read_rows(path, checked_columns(options, brand.id))):
            record: dict[str, Any] = {"file": path.name, "row_no": row_no, "row": row}
            if "__unparseable__" not in row:
                mapped = map_row(row, mapping)
                record["post_id"] = _landed_id(mapped)
                record["mapped"] = mapped
            records.append(record)
            if len(records) >= batch_rows:
                yield flush()
    except UnreadableFileError as exc:
        error = str(exc)
        records[:] = [{"file": path.name, "row_no": 0, "error": error}]
    if records:
        yield flush()
