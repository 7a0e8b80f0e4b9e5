"""The demo source's landed lines read in bulk: :meth:`DemoSource.to_post
<pipeline.ingest.sources.demo.source.DemoSource.to_post>` in columns.

The lines are decoded by msgspec against the demo record's shape (types checked in C, no
dict per record); :func:`read_columns` keeps a record only when ``to_post`` would accept
every one of its fields, so anything else (a line that is not such an object, a wrong type,
an empty id, a time without a zone, ...) is left to ``to_post`` itself, which says why
(:func:`pipeline.posts.columns.normalize_columns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

import msgspec
import numpy as np

from pipeline.config.model import BrandConfig
from pipeline.posts.columns import RecordColumns, epoch_us
from pipeline.posts.normalize import MAX_FOLLOWERS


class _Author(msgspec.Struct):
    id: str
    handle: str
    followers: int


class _Reply(msgspec.Struct):
    post_id: str
    author_id: str


class _Record(msgspec.Struct):
    """A demo record's fields as ``to_post`` reads them (others are ignored, as there)."""

    id: str
    created_at: str
    text: str
    author: _Author
    lang: str | None = None
    url: str | None = None
    conversation_id: str | None = None
    in_reply_to: _Reply | None = None
    repost_of: str | None = None


_DECODER = msgspec.json.Decoder(_Record)


def _decode(lines: Sequence[str | bytes]) -> list[_Record | None]:
    """Each line as a record of the demo's shape, or None where it is not one: all lines
    in one call, then line by line if one of them is not (or is blank: the bulk call skips
    blank lines)."""
    try:
        joined = (
            b"\n".join(cast("Sequence[bytes]", lines))
            if lines and isinstance(lines[0], bytes)
            else "\n".join(cast("Sequence[str]", lines))
        )
        decoded: list[_Record | None] = list(_DECODER.decode_lines(joined))
        if len(decoded) == len(lines):
            return decoded
    except (msgspec.DecodeError, UnicodeError):
        pass
    out: list[_Record | None] = []
    for line in lines:
        try:
            out.append(_DECODER.decode(line))
        except (msgspec.DecodeError, UnicodeError):
            out.append(None)
    return out


def _utc(value: str) -> datetime | None:
    """``fields.timestamp``'s answer when it has one: aware UTC, else None."""
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.utcoffset() is None:
            return None
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def read_columns(lines: Sequence[str | bytes], brand: BrandConfig) -> RecordColumns:
    """The records of ``lines`` (landed lines: text, or bytes as landed) that ``to_post``
    accepts as they are, in columns."""
    decoded = _decode(lines)
    rows: list[int] = []
    records: list[_Record] = []
    times: list[datetime] = []
    for row, rec in enumerate(decoded):
        if rec is None:
            continue
        author, reply = rec.author, rec.in_reply_to
        if not (
            rec.id.isdigit()
            and author.handle
            and author.id
            and rec.text
            and 0 <= author.followers <= MAX_FOLLOWERS
            and (reply is None or (reply.post_id and reply.author_id))
        ):
            continue
        moment = _utc(rec.created_at)
        if moment is None:
            continue
        rows.append(row)
        records.append(rec)
        times.append(moment)
    handles = brand.account_handles
    replies = [r.in_reply_to for r in records]
    return RecordColumns(
        rows=np.array(rows, dtype=np.int64),
        post_id=[r.id for r in records],
        created_us=np.array([epoch_us(t) for t in times], dtype=np.int64),
        author_id=[r.author.id for r in records],
        author_handle=[r.author.handle for r in records],
        author_followers=[r.author.followers for r in records],
        text=[r.text for r in records],
        lang=[r.lang or None for r in records],
        url=[r.url or None for r in records],
        conversation_id=[r.conversation_id or None for r in records],
        in_reply_to_post_id=[r.post_id if r else None for r in replies],
        in_reply_to_author_id=[r.author_id if r else None for r in replies],
        repost_of=[r.repost_of or None for r in records],
        is_brand_reply=[r.author.handle.casefold() in handles for r in records],
    )
