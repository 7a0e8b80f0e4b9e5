"""The landing zone: raw records exactly as a source returned them, one file per load.

A batch is keyed by (source, brand, interval); landing the same key again replaces the file
atomically (write to a temporary file, then rename), so a retried or rerun fetch never
leaves half a file or two copies. Loads read the landed file, so a load can be retried
without asking the network again. Layout::

    <landing>/source=<source>/brand=<brand>/date=<YYYY-MM-DD>/<start>_<end>.jsonl
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.sources.base import RawRecord

_STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Batch:
    """One landed batch: what was fetched for one source, brand and interval."""

    source: str
    brand: str
    start: datetime
    end: datetime
    path: Path
    records: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (Airflow passes it between tasks as XCom)."""
        return {
            "source": self.source,
            "brand": self.brand,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "path": str(self.path),
            "records": self.records,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Batch:
        return cls(
            source=str(data["source"]),
            brand=str(data["brand"]),
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            path=Path(data["path"]),
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


def write_batch(  # noqa: PLR0917 - the batch key is positional everywhere
    landing: Path,
    source: str,
    brand: str,
    start: datetime,
    end: datetime,
    records: Iterable[RawRecord],
) -> Batch:
    """Land ``records`` for (source, brand, interval), replacing any earlier landing."""
    path = batch_path(landing, source, brand, start, end)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".landing-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
                fh.write("\n")
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Batch(source, brand, start, end, path, count)


def read_batch(batch: Batch) -> Iterator[Any]:
    """The landed records in order. A line that is not JSON is yielded as its text."""
    with batch.path.open(encoding="utf-8", errors="replace") as fh:
        for raw_line in fh:
            line = raw_line.rstrip("\n")
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                yield line
