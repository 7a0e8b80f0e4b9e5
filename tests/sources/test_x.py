"""The X source: real tweepy + requests against a fake X API v2 on 127.0.0.1.

Fetches run through :func:`pipeline.ingest.fetching.land_paged` with a recording ``sleep``, so
backoff and rate-limit waits are checked without waiting.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.model import BrandConfig, SourceConfig
from pipeline.errors import ConfigError, RateLimitedError, SourceAuthError, TransientSourceError
from pipeline.ingest.fetching import FetchPolicy, FetchStats, land_paged
from pipeline.ingest.landing import Batch, read_batch
from pipeline.ingest.sources.x import MAX_QUERY_CHARS, XSource, build_query, create
from tests.fakes.server import Fault, serve
from tests.fakes.x_api import (
    BRAND_ACCOUNTS,
    BRAND_EXCLUDE,
    BRAND_LANGUAGES,
    BRAND_TERMS,
    SEARCH_PATH,
    FakeX,
    passthrough,
    problem,
    x_unavailable,
)

TOKEN = "AAAAAAAAAAAAAAAAAAAAAtest%2Fbearer%3DKestrelSecret42"
START = datetime(2026, 10, 5, 8, tzinfo=UTC)
END = START + timedelta(hours=6)
PAGE_SIZE = 25
OPTIONS: Mapping[str, Any] = {"page_size": PAGE_SIZE}


def make_brand(**changes: Any) -> BrandConfig:
    fields: dict[str, Any] = {
        "id": "kestrel",
        "name": "Kestrel Mobile",
        "timezone": "Europe/London",
        "accounts": tuple(f"@{a}" for a in BRAND_ACCOUNTS),
        "terms": BRAND_TERMS,
        "exclude": BRAND_EXCLUDE,
        "languages": BRAND_LANGUAGES,
        "sources": (SourceConfig("x", dict(OPTIONS)),),
        "report_recipients": (),
        "report_local_time": "08:00",
        "alert_recipients": (),
    }
    fields.update(changes)
    return BrandConfig(**fields)


BRAND = make_brand()
EXPECTED_QUERY = (
    '("Kestrel Mobile" OR @KestrelMobile OR #KestrelMobile) -"kestrel mobile home" '
    "-is:retweet (lang:en OR lang:es)"
)


@pytest.fixture
def fake() -> FakeX:
    return FakeX(TOKEN, start=START, hours=6, count=250)


@pytest.fixture
def api_url(fake: FakeX) -> Iterator[str]:
    with serve(fake) as url:
        yield url


@pytest.fixture
def source(api_url: str) -> XSource:
    return XSource(TOKEN, api_base=api_url, timeout_s=2.0)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def policy(sleeps: list[float]) -> FetchPolicy:
    return FetchPolicy(max_attempts=4, sleep=sleeps.append)


def land(
    tmp_path: Path, source: XSource, policy: FetchPolicy, options: Mapping[str, Any] = OPTIONS
) -> tuple[Batch, FetchStats]:
    return land_paged(
        tmp_path / "landing", source, BRAND, start=START, end=END, options=options, policy=policy
    )


def landed_ids(batch: Batch) -> list[str]:
    return [record["tweet"]["id"] for record in read_batch(batch)]


def page_count(n: int) -> int:
    return -(-n // PAGE_SIZE)


# --------------------------------------------------------------------------------------
# The query
# --------------------------------------------------------------------------------------


def test_query_ors_terms_excludes_phrases_and_retweets_and_groups_languages() -> None:
    assert build_query(BRAND, OPTIONS) == EXPECTED_QUERY


def test_query_variants() -> None:
    one_lang = make_brand(languages=("en",), exclude=())
    assert build_query(one_lang, {}) == (
        '("Kestrel Mobile" OR @KestrelMobile OR #KestrelMobile) -is:retweet lang:en'
    )
    with_reposts = build_query(BRAND, {"include_reposts": True})
    assert "is:retweet" not in with_reposts
    odd = make_brand(terms=("kestrel", "t-mobile", "OR", "KESTREL", "  two   spaces "), exclude=())
    assert build_query(odd, {}).startswith('(kestrel OR "t-mobile" OR "OR" OR "two spaces") ')


def test_query_over_512_characters_is_a_config_error_naming_brand_and_field() -> None:
    long = make_brand(terms=tuple(f"kestrel product {i}" for i in range(40)))
    with pytest.raises(ConfigError, match=rf"'kestrel'.*'sources\.x'.*{MAX_QUERY_CHARS}"):
        build_query(long, {})


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"page_size": 5}, "sources.x.page_size"),
        ({"page_size": 101}, "sources.x.page_size"),
        ({"page_size": True}, "sources.x.page_size"),
        ({"include_reposts": "yes"}, "sources.x.include_reposts"),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError, match=rf"'kestrel', field '{field}'"):
        build_query(BRAND, options)


def test_a_double_quote_in_a_term_is_refused() -> None:
    with pytest.raises(ConfigError, match="field 'terms'"):
        build_query(make_brand(terms=('say "kestrel"',)), {})


# --------------------------------------------------------------------------------------
# Fetching through land_paged
# --------------------------------------------------------------------------------------


def test_fetch_sends_query_window_and_paging_and_lands_what_was_served(
    tmp_path: Path, fake: FakeX, source: XSource, policy: FetchPolicy
) -> None:
    batch, stats = land(tmp_path, source, policy)

    expected = fake.expected_ids(START, END)
    assert len(expected) > 4 * PAGE_SIZE  # several pages
    ids = landed_ids(batch)
    assert Counter(ids) == Counter(fake.served_ids)
    assert set(ids) == expected and len(ids) == len(expected)
    assert stats.pages == page_count(len(expected)) == len(fake.requests)
    assert (stats.retries, stats.rate_limit_waits, stats.resumed_from_page) == (0, 0, 0)

    assert {(r.method, r.path) for r in fake.requests} == {("GET", SEARCH_PATH)}
    first = {k: v[-1] for k, v in fake.requests[0].query.items()}
    assert first["query"] == EXPECTED_QUERY
    assert (first["start_time"], first["end_time"]) == (
        "2026-10-05T08:00:00Z",
        "2026-10-05T14:00:00Z",
    )
    assert first["max_results"] == str(PAGE_SIZE)
    assert "next_token" not in first
    assert first["expansions"] == "author_id,referenced_tweets.id,referenced_tweets.id.author_id"
    assert set(first["user.fields"].split(",")) == {"username", "public_metrics"}
    assert {"created_at", "lang", "referenced_tweets", "in_reply_to_user_id"} <= set(
        first["tweet.fields"].split(",")
    )
    assert fake.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    # each later request carries the next_token of the page before it, newest first
    tokens = [r.query.get("next_token", [None])[0] for r in fake.requests]
    assert tokens[0] is None and all(tokens[1:]) and len(set(tokens)) == len(tokens)
    created = [r["tweet"]["created_at"] for r in read_batch(batch)]
    assert created == sorted(created, reverse=True)
    assert all(START <= datetime.fromisoformat(c) < END for c in created)


def test_include_reposts_lands_the_retweets_too(
    tmp_path: Path, fake: FakeX, source: XSource, policy: FetchPolicy
) -> None:
    batch, _ = land(tmp_path, source, policy, {**OPTIONS, "include_reposts": True})
    expected = fake.expected_ids(START, END, include_reposts=True)
    assert expected > fake.expected_ids(START, END)
    assert sorted(landed_ids(batch)) == sorted(expected)


def test_short_rate_limit_is_waited_and_503_retried_without_loss_or_duplicates(
    tmp_path: Path, fake: FakeX, source: XSource, policy: FetchPolicy, sleeps: list[float]
) -> None:
    fake.faults += [passthrough(), Fault.rate_limited(reset_in_s=2), passthrough(), x_unavailable()]

    batch, stats = land(tmp_path, source, policy)

    ids = landed_ids(batch)
    assert Counter(ids) == Counter(fake.served_ids)
    assert set(ids) == fake.expected_ids(START, END) and len(ids) == len(set(ids))
    assert (stats.rate_limit_waits, stats.retries) == (1, 1)
    assert len(sleeps) == 2 and 1.0 < sleeps[0] <= 5.0  # the reset wait, then the backoff
    assert len(fake.pages) == len(set(fake.pages)) == stats.pages


def test_far_rate_limit_ends_the_attempt_and_the_next_one_resumes(
    tmp_path: Path, fake: FakeX, source: XSource, policy: FetchPolicy
) -> None:
    fake.faults += [passthrough(), passthrough(), Fault.rate_limited(reset_in_s=900)]

    with pytest.raises(RateLimitedError) as caught:
        land(tmp_path, source, policy)
    assert caught.value.reset_at is not None
    assert 850 < caught.value.reset_at.timestamp() - time.time() < 950
    assert len(fake.pages) == 2

    batch, stats = land(tmp_path, source, policy)

    assert stats.resumed_from_page == 2
    assert len(fake.pages) == len(set(fake.pages)), "a landed page was fetched again"
    assert fake.pages.count(None) == 1, "the second attempt started over"
    ids = landed_ids(batch)
    assert Counter(ids) == Counter(fake.served_ids)
    assert sorted(ids) == sorted(fake.expected_ids(START, END))
    assert batch.records == len(ids)


def test_slow_and_malformed_answers_are_retried(
    tmp_path: Path, fake: FakeX, api_url: str, policy: FetchPolicy, sleeps: list[float]
) -> None:
    source = XSource(TOKEN, api_base=api_url, timeout_s=0.3)
    fake.faults += [passthrough(), Fault.slow(1.0), Fault.malformed()]

    started = time.monotonic()
    batch, stats = land(tmp_path, source, policy)

    assert time.monotonic() - started < 5
    assert stats.retries == 2 and len(sleeps) == 2
    assert sorted(landed_ids(batch)) == sorted(fake.expected_ids(START, END))


def test_persistent_503_gives_up_after_max_attempts(
    tmp_path: Path, fake: FakeX, source: XSource, sleeps: list[float]
) -> None:
    fake.faults += [x_unavailable() for _ in range(10)]
    policy = FetchPolicy(max_attempts=3, sleep=sleeps.append)

    with pytest.raises(TransientSourceError, match="503"):
        land(tmp_path, source, policy)
    assert len(fake.requests) == 3 and len(sleeps) == 2


def test_connection_refused_is_transient(tmp_path: Path, sleeps: list[float]) -> None:
    with serve(FakeX(TOKEN, start=START)) as url:
        pass  # the server is gone: its port now refuses connections
    source = XSource(TOKEN, api_base=url, timeout_s=0.5)
    with pytest.raises(TransientSourceError, match="ConnectionError"):
        land(tmp_path, source, FetchPolicy(max_attempts=2, sleep=sleeps.append))


def test_a_rejected_query_is_a_config_error(
    tmp_path: Path, fake: FakeX, source: XSource, policy: FetchPolicy
) -> None:
    fake.faults.append(
        Fault.status(400, {"errors": [{"message": "bad operator"}], "title": "Invalid Request"})
    )
    with pytest.raises(ConfigError, match=r"'kestrel'.*sources\.x.*bad operator"):
        land(tmp_path, source, policy)
    assert len(fake.requests) == 1


def test_every_answer_carries_rate_limit_headers(fake: FakeX, source: XSource) -> None:
    page = source.fetch_page(BRAND, START, END, OPTIONS, None)
    assert page.info["rate_limit_remaining"] == 449
    assert page.info["result_count"] == len(page.records) == PAGE_SIZE


# --------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------


def test_missing_token_names_the_connection_and_the_variable() -> None:
    with pytest.raises(SourceAuthError) as caught:
        create()
    assert "x_api" in str(caught.value)
    assert "BRANDPULSE_X_BEARER_TOKEN" in str(caught.value)


def test_token_from_the_environment_or_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    assert create(lambda conn_id: TOKEN if conn_id == "x_api" else None).name == "x"
    monkeypatch.setenv("BRANDPULSE_X_BEARER_TOKEN", TOKEN)
    source = create()
    assert TOKEN not in repr(source)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_token_is_an_auth_error_that_never_shows_the_token(
    status: int,
    tmp_path: Path,
    fake: FakeX,
    api_url: str,
    policy: FetchPolicy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "AAAAAAAAAAAAAAAAAAAAAwrong%2Ftoken%3DNotTheRightOne"
    if status == 401:
        source = XSource(wrong, api_base=api_url)
    else:
        source = XSource(TOKEN, api_base=api_url)
        fake.faults.append(
            Fault.status(403, problem(403, "Forbidden", "client-not-enrolled for recent search"))
        )

    with pytest.raises(SourceAuthError) as caught:
        land(tmp_path, source, policy)

    message = str(caught.value)
    assert "x_api" in message and "BRANDPULSE_X_BEARER_TOKEN" in message
    assert str(status) in message
    assert len(fake.requests) == 1  # not retried
    assert "Bearer" in caplog.text  # tweepy logged its request headers ...
    for secret in (wrong, TOKEN):  # ... but not the token
        assert secret not in message
        assert secret not in caplog.text
        assert secret not in "".join(r.getMessage() for r in caplog.records)


def test_successful_fetch_logs_no_token(
    fake: FakeX, source: XSource, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    source.fetch_page(BRAND, START, END, OPTIONS, None)
    assert "Making API request" in caplog.text
    assert TOKEN not in caplog.text


# --------------------------------------------------------------------------------------
# to_post
# --------------------------------------------------------------------------------------


def _fetch_all(source: XSource, options: Mapping[str, Any]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = source.fetch_page(BRAND, START, END, options, cursor)
        records += page.records
        if page.next_cursor is None:
            return records
        cursor = page.next_cursor


def test_to_post_maps_every_landed_record(fake: FakeX, source: XSource) -> None:
    records = _fetch_all(source, {"page_size": 100, "include_reposts": True})
    posts = [source.to_post(json.loads(json.dumps(r)), BRAND) for r in records]
    assert {p.post_id for p in posts} == fake.expected_ids(START, END, include_reposts=True)

    by_kind: dict[str, list[Any]] = {}
    for post in posts:
        by_kind.setdefault(fake.tweets[post.post_id].kind, []).append(post)
    for post in posts:
        tweet = fake.tweets[post.post_id].obj
        user = fake.users[tweet["author_id"]]
        assert (post.source, post.brand) == ("x", "kestrel")
        assert post.created_at.tzinfo == UTC
        assert post.created_at == datetime.fromisoformat(tweet["created_at"])
        assert post.author_handle == user["username"]
        assert post.author_followers == user["public_metrics"]["followers_count"]
        assert post.url == f"https://x.com/{user['username']}/status/{post.post_id}"
        assert post.text == tweet["text"] and post.lang == tweet["lang"]
    reply = by_kind["reply"][0]
    parent = fake.tweets[reply.in_reply_to_post_id or ""].obj
    assert reply.in_reply_to_author_id == parent["author_id"]
    assert reply.conversation_id == parent["conversation_id"]
    assert not reply.is_brand_reply and reply.repost_of is None
    retweet = by_kind["retweet"][0]
    assert retweet.repost_of is not None and retweet.in_reply_to_post_id is None
    assert all(p.is_brand_reply for p in by_kind["brand_reply"])
    assert all(p.author_handle == "KestrelCares" for p in by_kind["brand_reply"])
    assert not any(p.is_brand_reply for k, ps in by_kind.items() if k != "brand_reply" for p in ps)
    quote = by_kind["quote"][0]
    assert quote.repost_of is None and quote.in_reply_to_post_id is None


def _record(**tweet_changes: Any) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "id": "1844000000000000001",
        "text": "@KestrelMobile still no signal",
        "edit_history_tweet_ids": ["1844000000000000001"],
        "created_at": "2026-10-05T09:30:00.000Z",
        "lang": "en",
        "author_id": "42",
        "conversation_id": "1844000000000000000",
        "in_reply_to_user_id": "9000000001",
        "referenced_tweets": [{"type": "replied_to", "id": "1844000000000000000"}],
    }
    tweet.update(tweet_changes)
    author = {"id": "42", "name": "Jo", "username": "jo_42", "public_metrics": {}}
    return {"tweet": tweet, "author": author}


def test_to_post_handles_missing_author_metrics_and_undetermined_language() -> None:
    source = XSource(TOKEN)
    post = source.to_post(_record(), BRAND)
    assert post.author_followers == 0 and post.author_handle == "jo_42"
    assert post.in_reply_to_post_id == "1844000000000000000"
    assert post.in_reply_to_author_id == "9000000001"
    assert post.created_at == datetime(2026, 10, 5, 9, 30, tzinfo=UTC)

    no_author = {"tweet": _record(lang="und")["tweet"], "author": None}
    post = source.to_post(no_author, BRAND)
    assert (post.author_handle, post.author_followers, post.lang) == ("42", 0, None)
    assert post.url == "https://x.com/i/status/1844000000000000001"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("not a record", "record"),
        ({"author": None}, "tweet"),
        (_record(id=None), "tweet.id"),
        (_record(id="12ab"), "tweet.id"),
        (_record(author_id=None), "tweet.author_id"),
        (_record(text=""), "tweet.text"),
        (_record(created_at="yesterday"), "tweet.created_at"),
        (_record(created_at="2026-10-05T09:30:00"), "tweet.created_at"),
        (_record(lang=7), "tweet.lang"),
        (_record(referenced_tweets={"type": "replied_to"}), "tweet.referenced_tweets"),
        (_record(referenced_tweets=[{"type": "replied_to"}]), "tweet.referenced_tweets[0].id"),
        ({**_record(), "author": "jo"}, "author"),
        ({**_record(), "author": {"id": "43", "username": "x"}}, "author.id"),
        ({**_record(), "author": {"id": "42"}}, "author.username"),
        (
            {
                **_record(),
                "author": {"id": "42", "username": "jo", "public_metrics": {"followers_count": -1}},
            },
            "author.public_metrics.followers_count",
        ),
    ],
)
def test_to_post_rejects_malformed_records(raw: Any, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(field)}: "):
        XSource(TOKEN).to_post(raw, BRAND)
