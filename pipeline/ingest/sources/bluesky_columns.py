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
import numpy as np

from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.bluesky import (
    _AT_URI,
    _POST_URI,
    INVALID_HANDLE,
    POST_URL,
    _is_brand_handle,
)
from pipeline.ingest.sources.bulk import decode_lines, utc
from pipeline.posts.columns import RecordColumns, epoch_us
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
    rows: list[int] = []
    posts: list[_Post] = []
    times: list[datetime] = []
    followers: list[int] = []
    urls: list[str | None] = []
    parents: list[tuple[str | None, str | None, str | None]] = []
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
        rows.append(row)
        posts.append(post)
        times.append(moment)
        followers.append(count)
        urls.append(POST_URL.format(actor=actor, rkey=match["rkey"]))
        parents.append(thread)
    return RecordColumns(
        rows=np.array(rows, dtype=np.int64),
        post_id=[p.uri for p in posts],
        created_us=np.array([epoch_us(t) for t in times], dtype=np.int64),
        author_id=[p.author.did for p in posts],
        author_handle=[p.author.handle for p in posts],
        author_followers=followers,
        text=[p.record.text for p in posts],
        lang=[p.record.langs[0] if p.record.langs else None for p in posts],
        url=urls,
        conversation_id=[t[0] or p.uri for t, p in zip(parents, posts, strict=True)],
        in_reply_to_post_id=[t[1] for t in parents],
        in_reply_to_author_id=[t[2] for t in parents],
        repost_of=[None] * len(posts),
        is_brand_reply=[_is_brand_handle(p.author.handle, brand) for p in posts],
    )
