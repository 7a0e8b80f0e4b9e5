"""The X source's landed lines read in bulk: :meth:`XSource.to_post
<pipeline.ingest.sources.x.XSource.to_post>` in columns.

A landed X record is ``{"tweet": {...}, "author": {...} | null}``. The lines are decoded
by msgspec against that shape (:mod:`pipeline.ingest.sources.bulk`); :func:`read_columns`
keeps a record only when ``to_post`` would accept every one of its fields and give what it
computes here (the handle, the url, the reply and repost ids); anything else is left to
``to_post`` itself, which says why.
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

#: X's language code for "undetermined" (stored as no language, as ``to_post`` does).
_UNDETERMINED = "und"


class _Metrics(msgspec.Struct):
    followers_count: int = 0


class _Author(msgspec.Struct):
    id: str
    username: str
    public_metrics: _Metrics | None = None


class _Reference(msgspec.Struct):
    type: str
    id: str


class _Tweet(msgspec.Struct):
    id: str
    author_id: str
    text: str
    created_at: str
    lang: str | None = None
    conversation_id: str | None = None
    in_reply_to_user_id: str | None = None
    referenced_tweets: list[_Reference] | None = None


class _Record(msgspec.Struct):
    """A landed X record's fields as ``to_post`` reads them (others are ignored, as there)."""

    tweet: _Tweet
    author: _Author | None = None


_DECODER = msgspec.json.Decoder(_Record)


def _references(refs: list[_Reference] | None) -> tuple[str | None, str | None] | None:
    """(replied-to id, retweeted id), the first of each type; None when a reference lacks
    its type or id (``to_post`` rejects the record)."""
    if refs is None:
        return None, None
    found: dict[str, str] = {}
    for ref in refs:
        if not (ref.type and ref.id):
            return None
        found.setdefault(ref.type, ref.id)
    return found.get("replied_to"), found.get("retweeted")


def read_columns(lines: Sequence[str | bytes], brand: BrandConfig) -> RecordColumns:
    """The records of ``lines`` (landed lines: text, or bytes as landed) that ``to_post``
    accepts as they are, in columns."""
    rows: list[int] = []
    tweets: list[_Tweet] = []
    times: list[datetime] = []
    handles: list[str] = []
    followers: list[int] = []
    urls: list[str] = []
    refs: list[tuple[str | None, str | None]] = []
    known: list[bool] = []
    decoded: list[_Record | None] = decode_lines(_DECODER, lines)
    for row, rec in enumerate(decoded):
        if rec is None:
            continue
        tweet, author = rec.tweet, rec.author
        if not (tweet.id.isdigit() and tweet.author_id and tweet.text):
            continue
        handle, count = tweet.author_id, 0
        if author is not None:
            if not (author.id and author.id == tweet.author_id and author.username):
                continue
            handle = author.username
            count = author.public_metrics.followers_count if author.public_metrics else 0
            if not 0 <= count <= MAX_FOLLOWERS:
                continue
        ref = _references(tweet.referenced_tweets)
        moment = utc(tweet.created_at)
        if ref is None or moment is None:
            continue
        rows.append(row)
        tweets.append(tweet)
        times.append(moment)
        handles.append(handle)
        followers.append(count)
        urls.append(f"https://x.com/{handle if author is not None else 'i'}/status/{tweet.id}")
        refs.append(ref)
        known.append(author is not None)
    accounts = brand.account_handles
    return RecordColumns(
        rows=np.array(rows, dtype=np.int64),
        post_id=[t.id for t in tweets],
        created_us=np.array([epoch_us(t) for t in times], dtype=np.int64),
        author_id=[t.author_id for t in tweets],
        author_handle=handles,
        author_followers=followers,
        text=[t.text for t in tweets],
        lang=[None if t.lang == _UNDETERMINED else (t.lang or None) for t in tweets],
        url=list(urls),
        conversation_id=[t.conversation_id or None for t in tweets],
        in_reply_to_post_id=[r[0] for r in refs],
        in_reply_to_author_id=[t.in_reply_to_user_id or None for t in tweets],
        repost_of=[r[1] for r in refs],
        is_brand_reply=[
            k and h.casefold() in accounts for k, h in zip(known, handles, strict=True)
        ],
    )
