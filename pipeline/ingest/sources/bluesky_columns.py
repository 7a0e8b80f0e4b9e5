"""The Bluesky source's landed lines read in bulk: :meth:`BlueskySource.to_post
<pipeline.ingest.sources.bluesky.BlueskySource.to_post>` in columns.

A landed Bluesky record is ``{"post": {...the PostView...}, "profile": {...} | null}``. The
lines are decoded by msgspec against that shape (:mod:`pipeline.ingest.sources.bulk`);
:func:`read_columns` keeps a record only when ``to_post`` would accept every one of its
fields and give what it computes here (the URL, the thread and reply ids, the time from
``createdAt`` else ``indexedAt``); anything else is left to ``to_post`` itself, which says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.bluesky import (
    _AT_URI,
    _POST_URI,
    INVALID_HANDLE,
    POST_URL,
    _is_brand_handle,
)
from pipeline.ingest.sources.bulk import decode_lines, record_columns, utc
from pipeline.ingest.sources.fields import TakenRow
from pipeline.posts.columns import RecordColumns
from pipeline.posts.normalize import MAX_FOLLOWERS


class _Author(msgspec.Struct):
    did: str
    handle: str


class _Ref(msgspec.Struct):
    uri: str


class _Reply(msgspec.Struct):
    root: _Ref
    parent: _Ref


class _Record(msgspec.Struct):
    text: str
    createdAt: Any = None  # the lexicon's name
    reply: _Reply | None = None
    langs: list[str] | None = None


class _Post(msgspec.Struct):
    uri: str
    author: _Author
    record: _Record
    indexedAt: Any = None


class _Profile(msgspec.Struct):
    followersCount: int = 0


class _Landed(msgspec.Struct):
    post: _Post
    profile: _Profile | None = None


_DECODER = msgspec.json.Decoder(_Landed)


def _time(value: Any) -> datetime | None:
    return utc(value) if isinstance(value, str) else None


def read_columns(lines: Sequence[str | bytes], brand: BrandConfig) -> RecordColumns:
    """The records of ``lines`` (landed lines: text, or bytes as landed) that ``to_post``
    accepts as they are, in columns."""
    taken: list[TakenRow] = []
    decoded: list[_Landed | None] = decode_lines(_DECODER, lines)
    for row, rec in enumerate(decoded):
        if rec is None:
            continue
        post = rec.post
        match = _POST_URI.match(post.uri)
        if match is None or not (post.author.did and post.author.handle):
            continue
        reply = post.record.reply
        thread: tuple[str | None, str | None, str | None] = (None, None, None)
        if reply is not None:
            authority = _AT_URI.match(reply.parent.uri)
            if not (reply.root.uri and reply.parent.uri and authority):
                continue
            thread = (reply.root.uri, reply.parent.uri, authority["authority"])
        count = rec.profile.followersCount if rec.profile is not None else 0
        moment = _time(post.record.createdAt) or _time(post.indexedAt)
        if moment is None or not 0 <= count <= MAX_FOLLOWERS:
            continue
        handle = post.author.handle
        actor = post.author.did if handle == INVALID_HANDLE else handle
        taken.append(  # Taken's fields, in order
            (
                row,
                moment,
                post.uri,
                post.author.did,
                handle,
                count,
                post.record.text,
                post.record.langs[0] if post.record.langs else None,
                POST_URL.format(actor=actor, rkey=match["rkey"]),
                thread[0] or post.uri,
                thread[1],
                thread[2],
                None,
                _is_brand_handle(handle, brand),
            )
        )
    return record_columns(taken)
