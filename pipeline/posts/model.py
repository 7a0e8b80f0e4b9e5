"""The one canonical shape of a post, whatever network it came from.

Sources hand over raw records as the provider sent them; :mod:`pipeline.posts.normalize` turns
each into a :class:`Post` (or quarantines it with a reason). Everything downstream sees only
this shape. ``created_at`` is always timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

#: One record exactly as a source's provider sent it (JSON-serialisable), before it is a post.
RawRecord = dict[str, Any]


class PostKind(StrEnum):
    """What a post is, for counting: only originals count as customer voice.

    - ``original``: a post written by a member of the public;
    - ``repost``: a retweet / boost / repost of another post (same words, more reach);
    - ``copy``: the same words posted again by another account (copypasta, bots);
    - ``spam``: promotional noise that merely mentions the brand;
    - ``brand_reply``: written by one of the brand's own accounts.
    """

    ORIGINAL = "original"
    REPOST = "repost"
    COPY = "copy"
    SPAM = "spam"
    BRAND_REPLY = "brand_reply"


@dataclass(frozen=True, slots=True)
class Post:
    """A post about a brand, normalized."""

    source: str
    post_id: str
    brand: str
    created_at: datetime
    author_id: str
    author_handle: str
    author_followers: int
    text: str
    lang: str | None
    url: str | None
    conversation_id: str | None
    in_reply_to_post_id: str | None
    in_reply_to_author_id: str | None
    repost_of: str | None
    is_brand_reply: bool
