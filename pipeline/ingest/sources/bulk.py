"""What the sources' bulk readers share: landed lines decoded by msgspec in one call, and
``fields.timestamp``'s answer without its errors.

A bulk reader (``read_columns`` of a source, see
:data:`pipeline.ingest.sources.registry.COLUMN_READERS`) decodes a batch's lines against the
shape its ``to_post`` reads (types checked in C, no dict per record) and keeps a record only
when ``to_post`` would accept every field as it is; every other record goes through
``to_post`` itself, which says why (:func:`pipeline.posts.columns.normalize_columns`).
Each accepted record is one :class:`~pipeline.ingest.sources.fields.Taken`;
:func:`record_columns` turns them into the
batch's :class:`~pipeline.posts.columns.RecordColumns`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import msgspec
import numpy as np

from pipeline.ingest.sources.fields import Taken, TakenRow
from pipeline.posts.columns import RecordColumns, epoch_us

T = TypeVar("T")


def decode_lines(decoder: msgspec.json.Decoder[T], lines: Sequence[str | bytes]) -> list[T | None]:
    """Each line as ``decoder``'s type, or None where it is not one: all lines in one call,
    then line by line if one of them is not (or is blank: the bulk call skips blank lines)."""
    try:
        joined = (
            b"\n".join(cast("Sequence[bytes]", lines))
            if lines and isinstance(lines[0], bytes)
            else "\n".join(cast("Sequence[str]", lines))
        )
        decoded: list[T | None] = list(decoder.decode_lines(joined))
        if len(decoded) == len(lines):
            return decoded
    except (msgspec.DecodeError, UnicodeError, RecursionError):
        pass
    out: list[T | None] = []
    for line in lines:
        try:
            out.append(decoder.decode(line))
        except (msgspec.DecodeError, UnicodeError, RecursionError):
            out.append(None)
    return out


def utc(value: str) -> datetime | None:
    """``fields.timestamp``'s answer when it has one: aware UTC, else None."""
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.utcoffset() is None:
            return None
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def record_columns(taken: Sequence[TakenRow]) -> RecordColumns:
    """The records a bulk reader accepted (in record order; each :class:`Taken`'s fields,
    as a named or a plain tuple), as columns."""
    columns: list[list[Any]] = (
        [list(values) for values in zip(*taken, strict=True)]
        if taken
        else [[] for _ in Taken._fields]
    )
    fields = dict(zip(Taken._fields, columns, strict=True))
    rows, created = fields.pop("row"), fields.pop("created")
    return RecordColumns(
        rows=np.array(rows, dtype=np.int64),
        created_us=np.array([epoch_us(t) for t in created], dtype=np.int64),
        **fields,
    )
