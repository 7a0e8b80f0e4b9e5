"""The file source's landed rows read in bulk: :meth:`FileSource.to_post
<pipeline.ingest.sources.files.FileSource.to_post>` in columns.

A landed file row is ``{"file": ..., "row_no": n, "post_id": ..., "row": {...as in the
file...}, "mapped": {field: value}}`` (:func:`pipeline.ingest.file_drops.land_file`). The
lines are decoded by msgspec (:mod:`pipeline.ingest.sources.bulk`) into the ``mapped``
values alone: the file's own ``row`` is skipped, only whether it says ``__unparseable__``
is read. Each row's fields are computed by :func:`~pipeline.ingest.sources.files.mapped_fields`,
which ``to_post`` uses too; a row it cannot read (or a record saying ``error``, a row
that could not be parsed, a line that is not such an object) is left to ``to_post``
itself, which says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.bulk import decode_lines, record_columns
from pipeline.ingest.sources.fields import TakenRow
from pipeline.ingest.sources.files import mapped_fields, time_format
from pipeline.posts.columns import RecordColumns
from pipeline.posts.normalize import MAX_FOLLOWERS


class _Row(msgspec.Struct):
    """A file row as landed: only whether reading it failed (its other cells are skipped)."""

    unparseable: Any = msgspec.field(default=msgspec.UNSET, name="__unparseable__")


class _Landed(msgspec.Struct):
    mapped: dict[str, Any]
    row: _Row | None = None
    error: Any = msgspec.UNSET  # the file as a whole could not be read


_DECODER = msgspec.json.Decoder(_Landed)


def read_columns(lines: Sequence[str | bytes], brand: BrandConfig) -> RecordColumns:
    """The records of ``lines`` (landed lines: text, or bytes as landed) that ``to_post``
    accepts as they are, in columns."""
    src = brand.source("file")
    fmt = time_format(src.options if src else {})
    taken: list[TakenRow] = []
    decoded: list[_Landed | None] = decode_lines(_DECODER, lines)
    for row, rec in enumerate(decoded):
        if rec is None or rec.error is not msgspec.UNSET:
            continue
        if rec.row is not None and rec.row.unparseable is not msgspec.UNSET:
            continue
        try:
            fields = mapped_fields(rec.mapped, brand, fmt, row)
        except (KeyError, ValueError, TypeError, OverflowError):
            continue  # to_post says why
        if fields.author_followers <= MAX_FOLLOWERS:
            taken.append(fields)
    return record_columns(taken)
