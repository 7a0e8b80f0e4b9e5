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

import msgspec

from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.bulk import decode_lines, record_columns, utc
from pipeline.ingest.sources.fields import TakenRow
from pipeline.posts.columns import RecordColumns
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
    handles = brand.account_handles
    taken: list[TakenRow] = []
    decoded: list[_Record | None] = decode_lines(_DECODER, lines)
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
        taken.append(  # Taken's fields, in order
            (
                row,
                moment,
                rec.id,
                author.id,
                author.handle,
                author.followers,
                rec.text,
                rec.lang or None,
                rec.url or None,
                rec.conversation_id or None,
                reply.post_id if reply else None,
                reply.author_id if reply else None,
                rec.repost_of or None,
                author.handle.casefold() in handles,
            )
        )
    return record_columns(taken)
