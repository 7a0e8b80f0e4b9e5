"""The landing zone: raw records exactly as a source returned them, one file per load.

A batch is keyed by (source, brand, interval); landing the same key again replaces the file
atomically (:func:`pipeline.ingest.fetching.land_paged` writes a partial file page by page and
renames it when complete), so a retried or rerun fetch never leaves half a file or two
copies. Loads read the landed file, so a load can be retried without asking the network
again. The landing zone is a local folder or a storage URL (:mod:`pipeline.ingest.storage`,
``BRANDPULSE_STORAGE``), so that the task that scores a batch may run on another host than
the one that landed it. Layout::

    <landing>/source=<source>/brand=<brand>/date=<YYYY-MM-DD>/<start>_<end>.jsonl
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.ingest import storage

_STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Batch:
    """One landed batch: what was fetched for one source, brand and interval."""

    source: str
    brand: str
    start: datetime
    end: datetime
    #: Where the batch is: a local path or a storage URL (``s3://…``).
    location: str
    records: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "location", os.fspath(self.location))

    @property
    def path(self) -> Path:
        """The batch's local path (a batch in local storage only)."""
        if not storage.is_local(self.location):
            raise ValueError(f"{self.location} is not a local path")
        return Path(self.location.removeprefix("file://"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (Airflow passes it between tasks as XCom)."""
        return {
            "source": self.source,
            "brand": self.brand,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "path": self.location,
            "records": self.records,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Batch:
        return cls(
            source=str(data["source"]),
            brand=str(data["brand"]),
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            location=str(data["path"]),
            records=int(data["records"]),
        )


def batch_path(landing: Path, source: str, brand: str, start: datetime, end: datetime) -> Path:
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    return (
        landing
        / f"source={source}"
        / f"brand={brand}"
        / f"date={start_utc:%Y-%m-%d}"
        / f"{start_utc.strftime(_STAMP)}_{end_utc.strftime(_STAMP)}.jsonl"
    )


def batch_location(
    landing: str | Path, source: str, brand: str, start: datetime, end: datetime
) -> str:
    """:func:`batch_path` in a landing zone that may be a storage URL."""
    relative = batch_path(Path(), source, brand, start, end)
    return storage.join(landing, *relative.parts)


def read_batch(batch: Batch) -> Iterator[Any]:
    """The landed records in order. A line that is not JSON is yielded as its text."""
    return map(parse_line, read_lines(batch))


def read_lines(batch: Batch) -> list[str]:
    """The landed file's non-empty lines, one per record, in order (what :func:`read_batch`
    parses): read in one go, bytes that are not UTF-8 replaced by U+FFFD, a line ending at
    a line feed, a carriage return or both (as text files are read)."""
    return _text_lines(storage.read_bytes(batch.location))


def read_landed_lines(batch: Batch) -> list[str] | list[bytes]:
    """The lines :func:`read_lines` gives, read once: as the bytes landed (decoding only
    the lines that need it is cheaper), or as text when the file holds a carriage return
    (a line breaks there too, which only the text reading knows)."""
    data = storage.read_bytes(batch.location)
    if b"\r" in data:
        return _text_lines(data)
    return [line for line in data.split(b"\n") if line]


def _text_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return [line for line in text.split("\n") if line]


def parse_line(line: str | bytes) -> Any:
    """One landed line (text, or bytes as landed: bytes that are not UTF-8 read as
    U+FFFD) as its JSON value, or the line's text when it is not JSON (or nested deeper than
    Python can read: such a line is quarantined like any other that is not an object)."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    try:
        return json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return line
