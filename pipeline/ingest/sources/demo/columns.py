"""The demo source's landed lines read in bulk: :meth:`DemoSource.to_post
<pipeline.ingest.sources.demo.source.DemoSource.to_post>` in columns.

The lines are decoded by msgspec against the demo record's shape
(:mod:`pipeline.ingest.sources.bulk`); :func:`read_columns` keeps a record only when
``to_post`` would accept every one of its fields, so anything else (a line that is not
such an object, a wrong type, an empty id, a time without a zone, ...) is left to
``to_post`` itself, which says why (:func:`pipeline.posts.columns.normalize_columns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec
import numpy as np

from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.bulk import decode_lines, utc
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


def read_columns(lines: Sequence[str | bytes], brand: BrandConfig) -> RecordColumns:
    """The records of ``lines`` (landed lines: text, or bytes as landed) that ``to_post``
    accepts as they are, in columns."""
    decoded = decode_lines(_DECODER, lines)
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
        moment = utc(rec.created_at)
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
