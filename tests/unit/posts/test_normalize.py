from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.model import BrandConfig
from pipeline.posts.model import Post, PostKind
from pipeline.posts.normalize import (
    _NON_WORD,
    _REPOST_PREFIX,
    _URL,
    COPY_WINDOW,
    _fingerprint,
    classify,
    fingerprint,
    normalize_batch,
    storage_text,
)
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.brands import load_brands

T0 = datetime(2026, 10, 5, 12, tzinfo=UTC)


class FlatSource:
    """A minimal source whose raw records are flat dicts of Post fields."""

    name = "flat"

    def fetch(
        self, brand: BrandConfig, start: datetime, end: datetime, options: Mapping[str, Any]
    ) -> Iterator[dict[str, Any]]:
        return iter(())

    def to_post(self, raw: dict[str, Any], brand: BrandConfig) -> Post:
        return Post(
            source=self.name,
            post_id=str(raw["id"]),
            brand=brand.id,
            created_at=datetime.fromisoformat(raw["created_at"]),
            author_id=str(raw.get("author_id", "a1")),
            author_handle=str(raw.get("handle", "someone")),
            author_followers=int(raw.get("followers", 10)),
            text=raw["text"],
            lang="en",
            url=None,
            conversation_id=None,
            in_reply_to_post_id=None,
            in_reply_to_author_id=None,
            repost_of=raw.get("repost_of"),
            is_brand_reply=str(raw.get("handle", "")).casefold() in brand.account_handles,
        )


@pytest.fixture(scope="module")
def brand() -> BrandConfig:
    return load_brands(PROJECT_ROOT / "brands.yaml").get("pebble")


def rec(i: int, text: str, minutes: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(i),
        "created_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "text": text,
        **extra,
    }


def test_valid_records_become_posts_and_bad_ones_are_quarantined_with_a_reason(
    brand: BrandConfig,
) -> None:
    records: list[Any] = [
        rec(1, "fine post"),
        rec(2, "   "),  # empty after trimming
        {"id": "3", "text": "no timestamp"},
        rec(4, "too early", minutes=-90),
        rec(5, "not a number", followers="many"),
        "not even an object",
        rec(1, "same id again"),
        rec(6, "x" * 30_000),
    ]
    batch = normalize_batch(FlatSource().to_post, brand, records, T0, T0 + timedelta(hours=1))
    assert [p.post_id for p in batch.posts] == ["1"]
    assert batch.fetched == len(records)
    assert batch.duplicates == 1
    reasons = {r.record_no: r.reason for r in batch.rejected}
    assert reasons[1] == "text: empty"
    assert reasons[2] == "created_at: missing"
    assert reasons[3].startswith("created_at:") and "outside" in reasons[3]
    assert "invalid literal" in reasons[4]
    assert reasons[5] == "record: not a JSON object"
    assert reasons[7].startswith("text: 30000 characters")
    # in = stored + quarantined + duplicates: nothing silently dropped
    assert len(batch.posts) + len(batch.rejected) + batch.duplicates == batch.fetched


def test_clean_text_strips_control_characters_but_keeps_emoji_and_newlines() -> None:
    assert storage_text("  hi\x00 there\x1b[31m ❤️\nbye\u0085 ") == "hi there[31m ❤️\nbye"


def test_fingerprint_ignores_links_case_spacing_and_repost_prefix() -> None:
    a = fingerprint("Is @PebbleMobile DOWN??  https://t.example/abc")
    assert a == fingerprint("RT @someone: is @pebblemobile down? https://other.example/x")
    assert a != fingerprint("is @pebblemobile up?")


def _post(i: int, text: str, minutes: int, **kw: Any) -> Post:
    fields: dict[str, Any] = {
        "source": "flat", "post_id": str(i), "brand": "pebble",
        "created_at": T0 + timedelta(minutes=minutes), "author_id": f"a{i}",
        "author_handle": f"user{i}", "author_followers": 5, "text": text, "lang": "en",
        "url": None, "conversation_id": None, "in_reply_to_post_id": None,
        "in_reply_to_author_id": None, "repost_of": None, "is_brand_reply": False,
    }  # fmt: skip
    fields.update(kw)
    return Post(**fields)


def test_classify_recognises_replies_reposts_spam_and_copies() -> None:
    text = "my pebble bill doubled this month and nobody can tell me why"
    posts = [
        _post(3, text, 30),  # copy of 1 (given out of order on purpose)
        _post(1, text, 0),
        _post(2, "RT @user1: " + text, 5),
        _post(4, "sorry about that, DM us please", 40, is_brand_reply=True),
        _post(5, "win free crypto link in bio", 50),
        _post(6, "lol", 51),
        _post(7, "lol", 52),  # too short to be a copy
    ]
    spam = [False, False, False, False, True, False, False]
    kinds = classify(posts, spam, earlier={})
    assert [c.kind for c in kinds] == [
        PostKind.COPY, PostKind.ORIGINAL, PostKind.REPOST, PostKind.BRAND_REPLY,
        PostKind.SPAM, PostKind.ORIGINAL, PostKind.ORIGINAL,
    ]  # fmt: skip
    assert kinds[0].duplicate_of == "1"


def test_copies_are_found_against_earlier_posts_within_the_window() -> None:
    text = "is anyone else getting no signal in queens right now"
    fp = fingerprint(text)
    recent = {fp: (T0 - timedelta(hours=2), "old-1")}
    stale = {fp: (T0 - COPY_WINDOW - timedelta(minutes=1), "old-2")}
    assert classify([_post(1, text, 0)], [False], recent)[0].duplicate_of == "old-1"
    assert classify([_post(1, text, 0)], [False], stale)[0].kind is PostKind.ORIGINAL


def test_source_to_post_round_trip(tmp_path: Path, brand: BrandConfig) -> None:
    post = FlatSource().to_post(rec(9, "hello", handle="PebbleCares"), brand)
    assert post.is_brand_reply


@pytest.mark.parametrize(
    "text",
    [
        "RT @pebble: my phone has had no signal since 9am https://t.co/x",
        "Straße gesperrt, kein Netz seit heute früh!!",  # casefold turns ß into ss
        "ﬁne ﬁne ﬁne ﬁne ﬁne ﬁne ﬁne",  # a ligature casefolds into two letters
        "___ ... !!! ___",
        "no signal_at_all since noon, again",
    ],
)
def test_fingerprint_length_counts_the_word_characters_of_the_text_as_written(text: str) -> None:
    as_written = len(_NON_WORD.sub("", _URL.sub("", _REPOST_PREFIX.sub("", text))))
    digest, length = _fingerprint(text)
    assert (digest, length) == (fingerprint(text), as_written)
