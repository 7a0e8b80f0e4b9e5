"""Validate and normalize landed records into posts, and recognise repeats.

Nothing is dropped silently: a record either becomes a :class:`~pipeline.posts.model.Post` or a
:class:`Rejected` with a reason, and a record repeating a post id already seen in the batch
is counted as a duplicate. Among valid posts, :func:`classify` tells originals from the
brand's own replies, reposts (retweets, boosts) and copies (the same words posted again).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pipeline.config.model import BrandConfig
from pipeline.posts.model import Post, PostKind, RawRecord

#: Longest text kept as a post. X allows 25,000 characters for paying accounts, Mastodon
#: 500 by default; anything longer is not a post we can score meaningfully.
MAX_TEXT_CHARS = 25_000

#: The largest follower count stored: the warehouse's BIGINT (a larger one, which no
#: network has, is quarantined instead of wrapping around or failing the load).
MAX_FOLLOWERS = 2**63 - 1

#: A later post with the same fingerprint within this window is a copy of the earlier one.
#: A day covers copypasta waves and bot reposts while keeping recurring phrases apart.
COPY_WINDOW = timedelta(hours=24)

#: Fingerprints of shorter texts ("lol", "same") are not treated as copies: too common.
MIN_COPY_CHARS = 20

# Control characters other than tab and newline (C0, DEL, C1) and NUL have no place in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone UTF-16 surrogates: JSON can carry them ("\\ud800"), UTF-8 (and DuckDB) cannot.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_URL = re.compile(r"https?://\S+", re.I)
_REPOST_PREFIX = re.compile(r"^rt @\w+:\s*", re.I)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A landed record that could not become a post."""

    record_no: int
    post_id: str | None
    reason: str
    raw: str  # the record as JSON
    created_at: datetime | None = None  # the record's time, when it could be read (aware)


@dataclass(frozen=True)
class NormalizedBatch:
    """The outcome of normalizing one landed batch."""

    posts: list[Post]
    rejected: list[Rejected]
    duplicates: int  # records repeating a post id already in the batch
    fetched: int  # records in the batch
    #: created_at of each duplicate record (aware), so a load can say which hour it was in.
    duplicate_times: tuple[datetime, ...] = ()


def storage_text(text: str) -> str:
    """A post's text as stored: NFC-normalized, control characters dropped, trimmed. Emoji
    and newlines are kept (showing text is :func:`pipeline.notify.text.display_text`'s job).

    A lone surrogate becomes U+FFFD, as landing already does with bytes that are not UTF-8.
    """
    if text.isascii():  # no surrogates, and NFC leaves ASCII as it is
        return _CONTROL.sub("", text).strip()
    return _CONTROL.sub("", unicodedata.normalize("NFC", _replace_surrogates(text))).strip()


def _replace_surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def fingerprint(text: str) -> str:
    """A hash of a text that ignores links, case, punctuation, spacing and a repost prefix."""
    return _fingerprint(text)[0]


def _fingerprint(text: str) -> tuple[str, int]:
    """:func:`fingerprint` and the number of word characters it was made of (links and a
    repost prefix not counted)."""
    core = _REPOST_PREFIX.sub("", text.casefold())
    core = _NON_WORD.sub(" ", _URL.sub(" ", core)).strip()
    digest = hashlib.blake2b(core.encode("utf-8"), digest_size=8).hexdigest()
    if text.isascii():  # casefolding kept every character: count the core's
        return digest, len(core) - core.count(" ")
    return digest, len(_NON_WORD.sub("", _URL.sub("", _REPOST_PREFIX.sub("", text))))


def _raw_json(raw: RawRecord) -> str:
    return _replace_surrogates(json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str))


def _raw_id(raw: object) -> str | None:
    """The id a record that could not be parsed carries, if any: ``id`` (X, Mastodon, the
    demo), ``post_id``, Bluesky's ``post.uri`` or a file row's mapped ``post_id``."""
    if not isinstance(raw, Mapping):
        return None
    fields: Mapping[str, object] = raw
    for nested in ("mapped", "post"):
        inner = raw.get(nested)
        if isinstance(inner, Mapping):
            fields = inner
            break
    for key in ("id", "post_id", "uri"):
        value = fields.get(key)
        if value is not None and not isinstance(value, Mapping | list) and str(value).strip():
            return _replace_surrogates(str(value).strip())
    return None


#: Where a record that could not be parsed may still say when it was written: the sources'
#: own fields (X, Mastodon, the demo; Bluesky; a file row as mapped).
_TIME_FIELDS = (
    ("created_at",),
    ("post", "record", "createdAt"),
    ("post", "indexedAt"),
    ("mapped", "created_at"),
)


def _raw_time(raw: Mapping[str, object]) -> datetime | None:
    """The ISO 8601 time a record that could not become a post carries, if it has a
    readable one (so its quarantine row is kept with the hour it belongs to), else None."""
    for path in _TIME_FIELDS:
        value: object = raw
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(value, str) and 10 <= len(value) <= 40:
            try:
                moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            return _in_utc(moment)
    return None


def _in_utc(moment: object) -> datetime | None:
    """``moment`` in UTC when it is an aware datetime UTC can hold, else None."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before the first day UTC can hold
        return None


def normalize_batch(
    to_post: Callable[[RawRecord, BrandConfig], Post],
    brand: BrandConfig,
    records: Iterable[object],
    start: datetime,
    end: datetime,
    *,
    plausible: Callable[[datetime], str | None] | None = None,
) -> NormalizedBatch:
    """Turn landed records into posts created in ``[start, end)``, rejecting the rest.

    ``records`` are what landing read back: JSON objects, or the text of a line that was
    not JSON (a truncated write, a provider's garbage), which is quarantined.
    ``plausible`` gives the reason a post's ``created_at`` is not plausible for the brand
    and the run (:meth:`pipeline.posts.plausible.TimeBounds.reason`), or None.
    """
    posts: list[Post] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    duplicates = 0
    duplicate_times: list[datetime] = []
    fetched = 0
    for record_no, raw in enumerate(records):
        fetched += 1
        outcome = normalize_record(
            to_post, brand, raw, record_no, window=(start, end), plausible=plausible
        )
        if isinstance(outcome, Rejected):
            rejected.append(outcome)
            continue
        if outcome.post_id in seen:
            duplicates += 1
            duplicate_times.append(outcome.created_at)
            continue
        seen.add(outcome.post_id)
        posts.append(outcome)
    return NormalizedBatch(
        posts=posts,
        rejected=rejected,
        duplicates=duplicates,
        fetched=fetched,
        duplicate_times=tuple(duplicate_times),
    )


def normalize_record(
    to_post: Callable[[RawRecord, BrandConfig], Post],
    brand: BrandConfig,
    raw: object,
    record_no: int,
    *,
    window: tuple[datetime, datetime],
    plausible: Callable[[datetime], str | None] | None = None,
) -> Post | Rejected:
    """One landed record as a post (its text cleaned) or a :class:`Rejected` with the
    reason; ``window`` is the load's ``[start, end)``. See :func:`normalize_batch` (which
    also drops repeated post ids)."""
    start, end = window
    if not isinstance(raw, dict):
        return Rejected(record_no, None, "record: not a JSON object", json.dumps(raw, default=str))
    post = None
    try:
        post = to_post(raw, brand)
        text = storage_text(post.text)
        reason = (plausible(post.created_at) if plausible else None) or _check(
            post, text, start, end
        )
    except KeyError as exc:
        reason = f"{exc.args[0] if exc.args else 'field'}: missing"
    except (ValueError, TypeError) as exc:
        reason = str(exc) or type(exc).__name__
    except OverflowError as exc:  # a time that leaves datetime's range in UTC
        reason = f"record: a value out of range ({exc})"
    if post is None or reason is not None:
        reason = _replace_surrogates(reason or "record: invalid")
        post_id = _replace_surrogates(post.post_id) if post and post.post_id else None
        when = _in_utc(post.created_at) if post else _raw_time(raw)
        return Rejected(record_no, post_id or _raw_id(raw), reason, _raw_json(raw), when)
    return post if text == post.text else replace(post, text=text)


def _check(post: Post, text: str, start: datetime, end: datetime) -> str | None:
    """The reason ``post`` (whose text cleans to ``text``) cannot be stored, or None."""
    if not post.post_id:
        return "post_id: empty"
    if post.created_at.tzinfo is None:
        return "created_at: no time zone"
    if not start <= post.created_at < end:
        return (
            f"created_at: {post.created_at.isoformat()} is outside the load's interval "
            f"[{start.isoformat()}, {end.isoformat()})"
        )
    if not text:
        return "text: empty"
    if len(text) > MAX_TEXT_CHARS:
        return f"text: {len(text)} characters, more than {MAX_TEXT_CHARS}"
    if post.author_followers < 0:
        return "author_followers: negative"
    if post.author_followers > MAX_FOLLOWERS:
        return f"author_followers: {post.author_followers} is more than the warehouse holds"
    for name in _STRING_FIELDS:
        value = getattr(post, name)
        # ASCII (the usual case, and quick to tell) has no surrogates.
        if isinstance(value, str) and not value.isascii() and _SURROGATE.search(value):
            return f"{name}: not valid Unicode (a lone surrogate)"
    return None


#: The post's strings stored as they are (the text is cleaned instead).
_STRING_FIELDS = (
    "source", "post_id", "brand", "author_id", "author_handle", "lang", "url",
    "conversation_id", "in_reply_to_post_id", "in_reply_to_author_id", "repost_of",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Classified:
    """What a post is, and the original it repeats (for copies)."""

    kind: PostKind
    fingerprint: str
    duplicate_of: str | None
    #: Takes part in copy detection across loads (an original or copy, long enough).
    copy_candidate: bool


def classify(
    posts: list[Post],
    is_spam: list[bool],
    earlier: Mapping[str, tuple[datetime, str]] | None = None,
) -> list[Classified]:
    """Classify posts (any order) given spam flags and, optionally, earlier fingerprints.

    ``earlier`` maps fingerprints of earlier posts (within :data:`COPY_WINDOW` before the
    batch) to their (created_at, post_id). Loads pass none: copies across loads are decided
    in SQL once the posts are stored (``sql/queries/warehouse/mark_copies.sql``), whatever
    the order the loads ran in; this in-batch pass gives the same answer within a batch.
    """
    order = sorted(range(len(posts)), key=lambda i: (posts[i].created_at, posts[i].post_id))
    first_seen: dict[str, tuple[datetime, str]] = dict(earlier or {})
    out: list[Classified | None] = [None] * len(posts)
    for i in order:
        post = posts[i]
        fp, length = _fingerprint(post.text)
        eligible = length >= MIN_COPY_CHARS
        duplicate_of = None
        if post.is_brand_reply:
            kind = PostKind.BRAND_REPLY
        elif post.repost_of or _REPOST_PREFIX.match(post.text):
            kind = PostKind.REPOST
        elif is_spam[i]:
            kind = PostKind.SPAM
        else:
            kind = PostKind.ORIGINAL
            prior = first_seen.get(fp)
            if prior is not None and post.created_at - prior[0] <= COPY_WINDOW and eligible:
                kind, duplicate_of = PostKind.COPY, prior[1]
        if kind is PostKind.ORIGINAL:
            first_seen[fp] = (post.created_at, post.post_id)
        candidate = eligible and kind in (PostKind.ORIGINAL, PostKind.COPY)
        out[i] = Classified(kind, fp, duplicate_of, candidate)
    return [c for c in out if c is not None]
