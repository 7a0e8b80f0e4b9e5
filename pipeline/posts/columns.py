"""Normalize, dedupe and classify a landed batch in columns: the bulk form of
:func:`~pipeline.posts.normalize.normalize_batch` and :func:`~pipeline.posts.normalize.classify`,
with the same posts, reasons, record numbers and counts.

A source may read a batch's landed lines in bulk (its ``read_columns``, see
:mod:`pipeline.ingest.sources.registry`) into a :class:`RecordColumns`: the records every
field of which its ``to_post`` would accept, as columns, never a dict or a
:class:`~pipeline.posts.model.Post` per record. :func:`normalize_columns` checks those in
bulk; every record that a bulk check does not pass outright (a malformed record, a time
out of bounds, an empty text, ...) goes through the per-record path
(:func:`~pipeline.posts.normalize.normalize_record`), so its reason is word for word the
one that path gives. A source without a bulk reader has all its records on that path; the
dedupe, the classification and the frame are columnar either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import compress
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pipeline.config.model import BrandConfig
from pipeline.posts.model import Post, PostKind, RawRecord
from pipeline.posts.normalize import (
    _REPOST_PREFIX,
    _URL,
    COPY_WINDOW,
    MAX_TEXT_CHARS,
    MIN_COPY_CHARS,
    Rejected,
    _fingerprint,
    normalize_record,
    storage_text,
)
from pipeline.posts.plausible import TimeBounds

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_COPY_WINDOW_US = COPY_WINDOW // _US

Int64s = npt.NDArray[np.int64]

#: ASCII letters and digits kept, every other byte a space: what ``[\W_]+`` splits on,
#: for ASCII text.
_ALNUM = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))


def fingerprint(text: str) -> tuple[str, int]:
    """:func:`pipeline.posts.normalize.fingerprint` and its word-character count, as
    ``normalize._fingerprint`` gives them, with ASCII text folded and split by byte tables
    instead of the Unicode regular expressions (about twice as fast)."""
    if not text.isascii():
        return _fingerprint(text)
    core = text.lower()  # casefold is lower for ASCII
    if core.startswith("rt @"):
        core = _REPOST_PREFIX.sub("", core)
    if "://" in core:
        core = _URL.sub(" ", core)
    words = b" ".join(core.encode("ascii").translate(_ALNUM).split())
    return hashlib.blake2b(words, digest_size=8).hexdigest(), len(words) - words.count(b" ")


def epoch_us(moment: datetime) -> int:
    """An aware moment as whole microseconds since the epoch (UTC)."""
    return (moment - _EPOCH) // _US


def from_epoch_us(value: int) -> datetime:
    """The aware UTC moment of :func:`epoch_us`."""
    return _EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True, kw_only=True)
class FieldColumns:
    """A post's fields (:class:`~pipeline.posts.model.Post`'s but ``created_at`` and the
    brand), one list per field, for a batch of records or posts: the one definition
    :class:`RecordColumns` and :class:`PostColumns` share.

    Strings are as the source's ``to_post`` gives them (optional ones None when absent or
    empty); ``created_us`` is ``created_at`` in microseconds since the epoch, UTC.
    """

    post_id: list[str]
    created_us: Int64s
    author_id: list[str]
    author_handle: list[str]
    author_followers: list[int]
    text: list[str]
    lang: list[str | None]
    url: list[str | None]
    conversation_id: list[str | None]
    in_reply_to_post_id: list[str | None]
    in_reply_to_author_id: list[str | None]
    repost_of: list[str | None]
    is_brand_reply: list[bool]

    def __len__(self) -> int:
        return len(self.post_id)


@dataclass(frozen=True, kw_only=True)
class RecordColumns(FieldColumns):
    """The records of a batch a source's bulk reader accepted, with their fields.

    ``rows`` are their record numbers (ascending); every other record of the batch is
    normalized one at a time. ``text`` is as sent (not yet cleaned).
    """

    rows: Int64s


#: The string fields of a post, in :class:`RecordColumns` and the posts frame alike.
STRING_FIELDS = (
    "post_id", "author_id", "author_handle", "lang", "url", "conversation_id",
    "in_reply_to_post_id", "in_reply_to_author_id", "repost_of",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class PostColumns(FieldColumns):
    """A normalized batch in columns: what :class:`~pipeline.posts.normalize.NormalizedBatch`
    holds, with the posts' fields as columns (``text`` cleaned: ``storage_text``)."""

    source: str
    brand: str
    record_nos: list[int]  # the landed record of each post
    rejected: list[Rejected]
    duplicates: int
    fetched: int
    duplicate_times: tuple[datetime, ...]  # aware UTC, in record order


def normalize_columns(
    *,
    source: str,
    brand: BrandConfig,
    count: int,
    record: Callable[[int], object],
    to_post: Callable[[RawRecord, BrandConfig], Post],
    start: datetime,
    end: datetime,
    bounds: TimeBounds | None = None,
    fast: RecordColumns | None = None,
) -> PostColumns:
    """:func:`~pipeline.posts.normalize.normalize_batch` of a batch of ``count`` records, in
    columns: the same posts (in record order, the first of each post id), rejections,
    duplicates and times.

    ``fast`` holds the records a bulk reader accepted; ``record(i)`` gives record ``i`` as
    landed (parsed JSON, or the line's text) for every other one, which
    :func:`~pipeline.posts.normalize.normalize_record` judges with ``to_post``.
    """
    plausible = bounds.reason if bounds is not None else None
    slow: list[int]
    fields: dict[str, list[Any]] = {}
    if fast is not None and len(fast.rows):
        cleaned = [storage_text(t) for t in fast.text]
        lo, hi = epoch_us(start), epoch_us(end)
        if bounds is not None:
            lo, hi = max(lo, epoch_us(bounds.earliest)), min(hi, epoch_us(bounds.latest))
        lengths = np.fromiter(map(len, cleaned), dtype=np.int64, count=len(cleaned))
        ok = (fast.created_us >= lo) & (fast.created_us < hi)
        ok &= (lengths > 0) & (lengths <= MAX_TEXT_CHARS)
        keep = ok.tolist()
        rows = fast.rows[ok]
        for name in (*STRING_FIELDS, "author_followers", "is_brand_reply"):
            fields[name] = list(compress(getattr(fast, name), keep))
        fields["text"] = list(compress(cleaned, keep))
        created = fast.created_us[ok]
        taken = np.zeros(count, dtype=bool)
        taken[rows] = True
        slow = np.flatnonzero(~taken).tolist()
    else:
        rows = np.zeros(0, dtype=np.int64)
        created = np.zeros(0, dtype=np.int64)
        slow = list(range(count))
        for name in (*STRING_FIELDS, "author_followers", "is_brand_reply", "text"):
            fields[name] = []
    rejected: list[Rejected] = []
    slow_rows: list[int] = []
    slow_posts: list[Post] = []
    for record_no in slow:
        outcome = normalize_record(
            to_post, brand, record(record_no), record_no, window=(start, end), plausible=plausible
        )
        if isinstance(outcome, Rejected):
            rejected.append(outcome)
        else:
            slow_rows.append(record_no)
            slow_posts.append(outcome)
    if slow_posts:
        rows = np.concatenate([rows, np.array(slow_rows, dtype=np.int64)])
        created = np.concatenate(
            [created, np.array([epoch_us(p.created_at) for p in slow_posts], dtype=np.int64)]
        )
        for name, values in fields.items():
            values.extend(getattr(p, name) for p in slow_posts)
        order = np.argsort(rows, kind="stable")
        rows, created = rows[order], created[order]
        picks = order.tolist()
        fields = {name: [values[i] for i in picks] for name, values in fields.items()}
    # The first valid record of each post id is the post; later ones are duplicates.
    repeated = pd.Series(fields["post_id"], dtype=object).duplicated().to_numpy()
    duplicate_times = tuple(from_epoch_us(int(t)) for t in created[repeated])
    if repeated.any():
        first = (~repeated).tolist()
        rows, created = rows[~repeated], created[~repeated]
        fields = {name: list(compress(values, first)) for name, values in fields.items()}
    return PostColumns(
        source=source,
        brand=brand.id,
        record_nos=rows.tolist(),
        created_us=created,
        rejected=rejected,
        duplicates=len(duplicate_times),
        fetched=count,
        duplicate_times=duplicate_times,
        **fields,
    )


@dataclass(frozen=True)
class Classes:
    """:func:`~pipeline.posts.normalize.classify` in columns, one entry per post."""

    kind: list[str]
    fingerprint: list[str]
    duplicate_of: list[str | None]
    copy_candidate: list[bool]


def classify_columns(posts: PostColumns, is_spam: Sequence[bool]) -> Classes:
    """What each post is (brand reply, repost, spam, original or copy), as
    :func:`~pipeline.posts.normalize.classify` decides it with no earlier fingerprints."""
    size = len(posts)
    prints = [fingerprint(t) for t in posts.text]
    fingerprints = [p[0] for p in prints]
    eligible = [p[1] >= MIN_COPY_CHARS for p in prints]
    kind: list[str] = [PostKind.ORIGINAL.value] * size
    duplicate_of: list[str | None] = [None] * size
    match = _REPOST_PREFIX.match
    for i in range(size):
        if posts.is_brand_reply[i]:
            kind[i] = PostKind.BRAND_REPLY.value
        elif posts.repost_of[i] or match(posts.text[i]):
            kind[i] = PostKind.REPOST.value
        elif is_spam[i]:
            kind[i] = PostKind.SPAM.value
    # Originals and copies: in time order (post id breaking ties), a post whose words an
    # original had within the copy window before is a copy of it; otherwise it is one.
    open_ = [i for i in range(size) if kind[i] == PostKind.ORIGINAL.value]
    if open_:
        created = posts.created_us
        ids = posts.post_id
        open_.sort(key=lambda i: (int(created[i]), ids[i]))
        first_seen: dict[str, tuple[int, str]] = {}
        for i in open_:
            fp = fingerprints[i]
            prior = first_seen.get(fp)
            if prior is not None and eligible[i] and created[i] - prior[0] <= _COPY_WINDOW_US:
                kind[i], duplicate_of[i] = PostKind.COPY.value, prior[1]
            else:
                first_seen[fp] = (int(created[i]), ids[i])
    copyable = (PostKind.ORIGINAL.value, PostKind.COPY.value)
    candidate = [eligible[i] and kind[i] in copyable for i in range(size)]
    return Classes(kind, fingerprints, duplicate_of, candidate)
