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

import msgspec

from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.bulk import decode_lines, record_columns, utc
from pipeline.ingest.sources.fields import TakenRow
from pipeline.posts.columns import RecordColumns
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
    accounts = brand.account_handles
    taken: list[TakenRow] = []
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
        taken.append(  # Taken's fields, in order
            (
                row,
                moment,
                tweet.id,
                tweet.author_id,
                handle,
                count,
                tweet.text,
                None if tweet.lang == _UNDETERMINED else (tweet.lang or None),
                f"https://x.com/{handle if author is not None else 'i'}/status/{tweet.id}",
                tweet.conversation_id or None,
                ref[0],
                tweet.in_reply_to_user_id or None,
                ref[1],
                author is not None and handle.casefold() in accounts,
            )
        )
    return record_columns(taken)
