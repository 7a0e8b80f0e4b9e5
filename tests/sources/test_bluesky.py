"""The Bluesky source over real HTTP against a fake AppView, through ``land_paged``."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from pipeline.config.model import BrandConfig, SourceConfig
from pipeline.errors import ConfigError, RateLimitedError, SourceAuthError, TransientSourceError
from pipeline.ingest.fetching import FetchPolicy, FetchStats, land_paged
from pipeline.ingest.landing import batch_path, read_batch
from pipeline.ingest.sources.bluesky import BlueskySource, check_options, create, search_queries
from pipeline.posts.normalize import normalize_batch
from tests.fakes.bluesky_api import (
    APP_PASSWORD,
    BRAND_ACCOUNTS,
    BRAND_EXCLUDE,
    BRAND_HANDLE,
    BRAND_NAME,
    BRAND_TERMS,
    IDENTIFIER,
    PROFILES_PATH,
    SEARCH_PATH,
    SESSION_PATH,
    WINDOW_END,
    WINDOW_START,
    FakeBluesky,
)
from tests.fakes.server import FakeAPI, Fault, Response, Sleeps, serve

ENV_VAR = "BRANDPULSE_BLUESKY_APP_PASSWORD"
BRAND = BrandConfig(
    id="larkspur",
    name=BRAND_NAME,
    timezone="Europe/London",
    accounts=BRAND_ACCOUNTS,
    terms=BRAND_TERMS,
    exclude=BRAND_EXCLUDE,
    languages=("en", "es"),
    sources=(SourceConfig("bluesky", {}),),
    report_recipients=(),
    report_local_time="08:00",
    alert_recipients=(),
)


@pytest.fixture
def fake() -> Iterator[tuple[FakeBluesky, str]]:
    api = FakeBluesky()
    with serve(api) as url:
        yield api, url


@pytest.fixture
def fake_auth() -> Iterator[tuple[FakeBluesky, str]]:
    api = FakeBluesky(require_auth=True)
    with serve(api) as url:
        yield api, url


def _land(
    tmp_path: Path,
    source: BlueskySource,
    options: dict[str, Any],
    *,
    brand: BrandConfig = BRAND,
    policy: FetchPolicy | None = None,
) -> tuple[list[dict[str, Any]], FetchStats]:
    batch, stats = land_paged(
        tmp_path / "landing",
        source,
        brand,
        start=WINDOW_START,
        end=WINDOW_END,
        options=options,
        policy=policy or FetchPolicy(sleep=Sleeps()),
    )
    return [r for r in read_batch(batch) if isinstance(r, dict)], stats


def _uris(records: list[dict[str, Any]]) -> Counter[str]:
    return Counter(r["post"]["uri"] for r in records)


def _signed_in(**kwargs: Any) -> BlueskySource:
    """A source holding the fake account's app password (as if from the Connection)."""
    return BlueskySource(app_password=APP_PASSWORD, **kwargs)


def _auth_options(url: str, **extra: Any) -> dict[str, Any]:
    """Signed in as the fake account at the fake PDS, which also serves the AppView."""
    return {"auth": True, "identifier": IDENTIFIER, "pds": url, **extra}


# --------------------------------------------------------------------------------------
# What is asked
# --------------------------------------------------------------------------------------


def test_the_search_asks_for_the_interval_per_term_with_exclusions(
    tmp_path: Path, fake: tuple[FakeBluesky, str]
) -> None:
    api, url = fake
    records, stats = _land(tmp_path, _signed_in(), _auth_options(url, page_size=20))

    searches = api.requests_to(SEARCH_PATH)
    first = searches[0].query
    assert first["q"] == ['"Larkspur Mobile" -"larkspur mobile home"']
    assert first["since"] == ["2026-10-22T12:00:00.000Z"]
    assert first["until"] == ["2026-10-22T14:00:00.000Z"]
    assert first["sort"] == ["latest"]
    assert first["limit"] == ["20"]
    assert "cursor" not in first
    assert "lang" not in first  # two languages: no filter
    assert searches[1].query["cursor"] == ["20"]  # the provider's cursor, passed back
    # The second term starts afresh, with the same exclusions.
    hashtag = [r for r in searches if r.query["q"][0].startswith("#")]
    assert hashtag[0].query["q"] == ['#larkspurmobile -"larkspur mobile home"']
    assert "cursor" not in hashtag[0].query
    assert all(r.headers["user-agent"].startswith("brandpulse/") for r in api.requests)
    assert len(api.requests_to(SESSION_PATH)) == 1  # signed in once, for every page
    data = [r for r in api.requests if r.path != SESSION_PATH]
    assert all(r.headers["authorization"].startswith("Bearer eyJ") for r in data)
    assert stats.pages == len(searches)

    profile_calls = api.requests_to(PROFILES_PATH)
    assert profile_calls
    asked = [a for r in profile_calls for a in r.query["actors"]]
    assert all(len(r.query["actors"]) <= 25 for r in profile_calls)
    assert set(asked) == {r["post"]["author"]["did"] for r in records}


def test_one_language_is_asked_for(tmp_path: Path, fake: tuple[FakeBluesky, str]) -> None:
    api, url = fake
    records, _ = _land(
        tmp_path, _signed_in(), _auth_options(url), brand=replace(BRAND, languages=("es",))
    )
    assert {r.query["lang"][0] for r in api.requests_to(SEARCH_PATH)} == {"es"}
    assert records and all(r["post"]["record"]["langs"] == ["es"] for r in records)


def test_search_queries_quote_phrases_and_drop_repeats() -> None:
    brand = replace(BRAND, terms=("Larkspur Mobile", 'larkspur  "mobile"', "#larkspur"))
    assert search_queries(brand) == [
        '"Larkspur Mobile" -"larkspur mobile home"',
        '#larkspur -"larkspur mobile home"',
    ]


# --------------------------------------------------------------------------------------
# What is landed, whatever goes wrong
# --------------------------------------------------------------------------------------


def test_every_post_in_the_window_lands_once_per_term(
    tmp_path: Path, fake: tuple[FakeBluesky, str]
) -> None:
    api, url = fake
    records, stats = _land(tmp_path, _signed_in(), _auth_options(url, page_size=25))
    expected = Counter(api.expected(WINDOW_START, WINDOW_END))
    assert len(expected) > 40  # the window holds a good share of the 200 posts
    assert _uris(records) == expected
    assert stats.retries == stats.rate_limit_waits == 0
    # Nothing excluded or unrelated slipped in; the post at `start` is in, at `end` out.
    assert {api.post(u).kind for u in _uris(records)} <= {
        "phrase",
        "hashtag",
        "both",
        "reply",
        "brand_reply",
    }
    created = [api.post(u).created_at for u in _uris(records)]
    assert WINDOW_START in created and WINDOW_END not in created


def test_an_empty_page_with_a_new_cursor_does_not_end_the_term(
    tmp_path: Path, fake: tuple[FakeBluesky, str]
) -> None:
    api, url = fake
    # The whole second page of the first term was taken down after the search matched it:
    # the AppView answers it empty, with a cursor to the third.
    query = search_queries(BRAND)[0]
    hits = api.search_hits(query, WINDOW_START, WINDOW_END)
    assert len(hits) > 30
    api.hidden |= {p.uri for p in hits[10:20]}
    records, _ = _land(tmp_path, _signed_in(), _auth_options(url, page_size=10))
    assert _uris(records) == Counter(api.expected(WINDOW_START, WINDOW_END))
    assert any(p.uri in _uris(records) for p in hits[20:])  # behind the empty page
    first_term = [c for q, c in api.served_searches if q == query]
    assert first_term[:4] == [None, "10", "20", "30"]


def test_excluded_phrases_are_dropped_even_when_the_search_ignores_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api = FakeBluesky(honour_negation=False)
    caplog.set_level(logging.INFO, logger="pipeline.ingest.fetching")
    with serve(api) as url:
        records, _ = _land(tmp_path, _signed_in(), _auth_options(url))
    assert _uris(records) == Counter(api.expected(WINDOW_START, WINDOW_END))
    assert "'excluded': " in caplog.text  # counted in the page's info, not dropped silently


def test_a_short_rate_limit_and_5xx_mid_run_cost_nothing(
    tmp_path: Path, fake: tuple[FakeBluesky, str]
) -> None:
    api, url = fake
    api.fail_on(SEARCH_PATH, 2, Fault.rate_limited(reset_in_s=2))
    api.fail_on(SEARCH_PATH, 4, Fault.status(503, {"error": "InternalServerError"}))
    api.fail_on(PROFILES_PATH, 3, Fault.status(502, b"<html>Bad Gateway</html>"))
    sleeps = Sleeps()
    records, stats = _land(
        tmp_path, _signed_in(), _auth_options(url, page_size=25), policy=FetchPolicy(sleep=sleeps)
    )
    assert _uris(records) == Counter(api.expected(WINDOW_START, WINDOW_END))
    assert stats.rate_limit_waits == 1
    assert stats.retries == 2
    assert len(sleeps) == 3 and all(s <= 5 for s in sleeps)  # waited ~2 s for the reset


def test_a_far_rate_limit_ends_the_attempt_and_the_next_resumes(
    tmp_path: Path, fake: tuple[FakeBluesky, str]
) -> None:
    api, url = fake
    api.fail_on(SEARCH_PATH, 3, Fault.rate_limited(reset_in_s=3600))
    source = _signed_in()
    with pytest.raises(RateLimitedError) as caught:
        _land(tmp_path, source, _auth_options(url, page_size=25))
    assert caught.value.reset_at is not None
    assert caught.value.reset_at > datetime.now(UTC) + timedelta(minutes=50)
    served_before = len(api.served_searches)
    assert served_before == 2

    records, stats = _land(tmp_path, source, _auth_options(url, page_size=25))
    assert stats.resumed_from_page == 2
    # Landed pages were not asked for again: every (query, cursor) was served once.
    assert len(api.served_searches) == len(set(api.served_searches))
    assert _uris(records) == Counter(api.expected(WINDOW_START, WINDOW_END))


def test_a_slow_answer_and_a_malformed_body_are_retried(
    tmp_path: Path, fake: tuple[FakeBluesky, str]
) -> None:
    api, url = fake
    api.fail_on(SEARCH_PATH, 1, Fault.slow(1.0))
    api.fail_on(SEARCH_PATH, 3, Fault.malformed())
    api.fail_on(PROFILES_PATH, 2, Fault.malformed())
    started = time.monotonic()
    records, stats = _land(tmp_path, _signed_in(timeout_s=0.3), _auth_options(url))
    assert time.monotonic() - started < 5
    assert stats.retries == 3
    assert _uris(records) == Counter(api.expected(WINDOW_START, WINDOW_END))


def test_a_persistent_5xx_gives_up_with_a_transient_error(
    tmp_path: Path, fake: tuple[FakeBluesky, str]
) -> None:
    api, url = fake
    for n in (1, 2, 3):
        api.fail_on(SEARCH_PATH, n, Fault.status(503))
    with pytest.raises(TransientSourceError, match=r"HTTP 503"):
        _land(
            tmp_path,
            _signed_in(),
            _auth_options(url),
            policy=FetchPolicy(max_attempts=3, sleep=Sleeps()),
        )
    assert len(api.requests_to(SEARCH_PATH)) == 3
    assert not batch_path(
        tmp_path / "landing", "bluesky", BRAND.id, WINDOW_START, WINDOW_END
    ).exists()


def test_a_bad_request_is_a_config_error_and_not_retried(
    tmp_path: Path, fake: tuple[FakeBluesky, str]
) -> None:
    api, url = fake
    api.fail_on(
        SEARCH_PATH, 1, Fault.status(400, {"error": "InvalidRequest", "message": "bad query"})
    )
    with pytest.raises(ConfigError, match=r"HTTP 400 \(InvalidRequest: bad query\)"):
        _land(tmp_path, _signed_in(), _auth_options(url))
    assert len(api.requests_to(SEARCH_PATH)) == 1


SIGNED_IN = {"auth": True, "identifier": IDENTIFIER}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (SIGNED_IN | {"page_size": 101}, "page_size"),
        (SIGNED_IN | {"page_size": "ten"}, "page_size"),
        ({"auth": "yes", "identifier": IDENTIFIER}, "auth"),
        ({"auth": True}, "identifier"),
        (SIGNED_IN | {"identifier": " @ "}, "identifier"),
        (SIGNED_IN | {"api_base": "public.api.bsky.app"}, "api_base"),
        (SIGNED_IN | {"pds": "bsky.social"}, "pds"),
        ({"hashtags": ["x"]}, "hashtags"),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError, match=rf"sources\.bluesky\.{field}"):
        BlueskySource().fetch_page(BRAND, WINDOW_START, WINDOW_END, options, None)
    with pytest.raises(ConfigError, match=rf"sources\.bluesky\.{field}"):
        check_options(BRAND, options)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({}, "auth"),
        ({"page_size": 50}, "auth"),
        ({"auth": False, "identifier": IDENTIFIER}, "auth"),
        ({"api_base": "https://public.api.bsky.app"}, "auth"),
        ({"auth": True, "pds": "https://bsky.social"}, "identifier"),
    ],
)
def test_an_anonymous_configuration_is_refused_at_check_time(
    options: dict[str, Any], field: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        check_options(BRAND, options)
    message = str(caught.value)
    assert f"brand 'larkspur', field 'sources.bluesky.{field}'" in message
    assert "needs a signed-in account" in message and "cursor" in message
    assert "bluesky_api" in message and ENV_VAR in message and "app password" in message
    check_options(BRAND, SIGNED_IN)  # what it asks for is enough


# --------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------


def _expire_sessions_now() -> Fault:
    """Expire every access token, then answer the request normally (so: ExpiredToken)."""

    def make(api: FakeAPI) -> Response:
        assert isinstance(api, FakeBluesky)
        api.expire_sessions()
        return Response(-1, None, {}, 0.0)

    return Fault(make)


def test_signing_in_with_the_app_password_from_the_environment(
    tmp_path: Path, fake_auth: tuple[FakeBluesky, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, url = fake_auth
    monkeypatch.setenv(ENV_VAR, APP_PASSWORD)
    api.fail_on(SEARCH_PATH, 3, _expire_sessions_now())
    records, _ = _land(tmp_path, create(), _auth_options(url) | {"page_size": 25})
    assert _uris(records) == Counter(api.expected(WINDOW_START, WINDOW_END))
    logins = api.requests_to(SESSION_PATH)
    assert len(logins) == 2  # once, and once more after the token expired
    assert json.loads(logins[0].body) == {"identifier": IDENTIFIER, "password": APP_PASSWORD}
    data = [r for r in api.requests if r.path != SESSION_PATH]
    assert all(r.headers["authorization"].startswith("Bearer eyJ") for r in data)


def test_the_secret_lookup_is_used_only_when_auth_is_on(
    tmp_path: Path, fake_auth: tuple[FakeBluesky, str]
) -> None:
    _api, url = fake_auth
    asked: list[str] = []

    def lookup(connection_id: str) -> str | None:
        asked.append(connection_id)
        return APP_PASSWORD if connection_id == "bluesky_api" else None

    source = create(lookup)
    assert asked == []
    records, _ = _land(tmp_path, source, _auth_options(url))
    assert asked == ["bluesky_api"]  # once per source, not per page
    assert records


def test_a_missing_app_password_says_where_to_set_it(
    tmp_path: Path, fake_auth: tuple[FakeBluesky, str]
) -> None:
    api, url = fake_auth
    with pytest.raises(SourceAuthError) as caught:
        _land(tmp_path, create(), _auth_options(url))
    assert "bluesky_api" in str(caught.value) and ENV_VAR in str(caught.value)
    assert api.requests == []


def test_a_wrong_app_password_is_refused_without_showing_it(
    tmp_path: Path,
    fake_auth: tuple[FakeBluesky, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api, url = fake_auth
    wrong = "zzzz-9999-wrong-pass"
    monkeypatch.setenv(ENV_VAR, wrong)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceAuthError) as caught:
        _land(tmp_path, create(), _auth_options(url))
    message = str(caught.value)
    assert "HTTP 401" in message and "bluesky_api" in message and ENV_VAR in message
    assert wrong not in message and wrong not in caplog.text
    assert len(api.requests_to(SESSION_PATH)) == 1  # not retried


def test_the_fake_appview_refuses_an_anonymous_cursor_like_the_real_one(
    fake: tuple[FakeBluesky, str],
) -> None:
    _, url = fake
    query = urlencode({"q": "Larkspur", "limit": 5})
    with urlopen(f"{url}{SEARCH_PATH}?{query}", timeout=5) as answer:  # noqa: S310 - loopback
        assert json.load(answer)["cursor"] == "5"
    with pytest.raises(HTTPError) as caught:
        urlopen(f"{url}{SEARCH_PATH}?{query}&cursor=5", timeout=5)  # noqa: S310 - loopback
    assert caught.value.code == 403
    assert json.load(caught.value)["error"] == "AuthMissing"


def test_a_session_refused_by_the_appview_says_where_the_password_is(
    tmp_path: Path, fake_auth: tuple[FakeBluesky, str]
) -> None:
    api, url = fake_auth
    api.fail_on(
        SEARCH_PATH, 1, Fault.status(401, {"error": "AuthMissing", "message": "Auth Required"})
    )
    with pytest.raises(SourceAuthError, match=r"HTTP 401.*bluesky_api"):
        _land(tmp_path, _signed_in(), _auth_options(url))


# --------------------------------------------------------------------------------------
# Records to posts
# --------------------------------------------------------------------------------------


def test_landed_records_become_posts_with_the_right_fields(
    tmp_path: Path, fake: tuple[FakeBluesky, str]
) -> None:
    api, url = fake
    source = _signed_in()
    records, _ = _land(tmp_path, source, _auth_options(url))
    normalized = normalize_batch(source.to_post, BRAND, records, WINDOW_START, WINDOW_END)
    assert normalized.rejected == []
    assert normalized.duplicates == len(records) - len(_uris(records))
    kinds = Counter(api.post(p.post_id).kind for p in normalized.posts)
    assert kinds["reply"] and kinds["brand_reply"] and kinds["both"]
    for post in normalized.posts:
        made = api.post(post.post_id)
        author = made.view["author"]
        assert post.created_at == made.created_at
        assert post.author_id == author["did"] and post.author_handle == author["handle"]
        assert post.text == made.text
        expected_followers = (
            0 if author["did"] in api.gone else api.accounts[author["did"]]["followersCount"]
        )
        assert post.author_followers == expected_followers
        assert post.is_brand_reply == (made.kind == "brand_reply")
        assert (post.in_reply_to_post_id is not None) == (made.kind in {"reply", "brand_reply"})
        assert post.repost_of is None
    assert any(p.author_followers == 0 for p in normalized.posts)  # gone accounts


POST_URI = "at://did:plc:abc123/app.bsky.feed.post/3l7xq2kz5bs2a"
ROOT_URI = "at://did:plc:root777/app.bsky.feed.post/3l7xp000000aa"
PARENT_URI = "at://did:plc:parent99/app.bsky.feed.post/3l7xq000000bb"


def _raw(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": "Larkspur Mobile fixed it, thanks",
        "createdAt": "2026-10-22T13:14:15.678Z",
        "langs": ["en", "es"],
        "reply": {
            "root": {"uri": ROOT_URI, "cid": "bafyreiroot"},
            "parent": {"uri": PARENT_URI, "cid": "bafyreiparent"},
        },
    }
    post: dict[str, Any] = {
        "uri": POST_URI,
        "cid": "bafyreipost",
        "author": {"did": "did:plc:abc123", "handle": "LarkspurMobile.bsky.social"},
        "record": record,
        "indexedAt": "2026-10-22T13:14:16.000Z",
    }
    raw: dict[str, Any] = {
        "post": post,
        "profile": {"did": "did:plc:abc123", "followersCount": 5400},
    }
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = raw
        for key in parents:
            target = target[key]
        if value is ...:
            del target[leaf]
        else:
            target[leaf] = value
    return raw


def test_to_post_maps_a_brand_reply() -> None:
    post = BlueskySource().to_post(_raw(), BRAND)
    assert post.source == "bluesky" and post.brand == "larkspur"
    assert post.post_id == POST_URI
    assert post.created_at == datetime(2026, 10, 22, 13, 14, 15, 678000, tzinfo=UTC)
    assert post.author_id == "did:plc:abc123"
    assert post.author_handle == "LarkspurMobile.bsky.social"
    assert post.author_followers == 5400
    assert post.lang == "en"
    assert post.url == "https://bsky.app/profile/LarkspurMobile.bsky.social/post/3l7xq2kz5bs2a"
    assert post.conversation_id == ROOT_URI
    assert post.in_reply_to_post_id == PARENT_URI
    assert post.in_reply_to_author_id == "did:plc:parent99"
    assert post.repost_of is None
    assert post.is_brand_reply  # "larkspurmobile" without ".bsky.social" is listed


def test_to_post_of_an_original_with_an_unverified_handle_and_no_profile() -> None:
    raw = _raw(post__record__reply=..., post__record__createdAt=..., profile=None)
    raw["post"]["author"]["handle"] = "handle.invalid"
    post = BlueskySource().to_post(raw, BRAND)
    assert post.conversation_id == POST_URI
    assert post.in_reply_to_post_id is None and post.in_reply_to_author_id is None
    assert post.created_at == datetime(2026, 10, 22, 13, 14, 16, tzinfo=UTC)  # indexedAt
    assert post.author_followers == 0
    assert post.url == "https://bsky.app/profile/did:plc:abc123/post/3l7xq2kz5bs2a"
    assert not post.is_brand_reply


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"post": ...}, r"^post: missing"),
        ({"post__uri": "https://bsky.app/x"}, r"^post\.uri: not an at:// URI"),
        ({"post__author": "someone"}, r"^post\.author: expected a mapping"),
        ({"post__author__did": ...}, r"^post\.author\.did: missing"),
        ({"post__record__text": 5}, r"^post\.record\.text: must be a string"),
        ({"post__record__langs": "en"}, r"^post\.record\.langs: must be a list"),
        ({"post__record__reply__parent": {"cid": "x"}}, r"^post\.record\.reply\.parent\.uri"),
        (
            {"post__record__createdAt": "yesterday", "post__indexedAt": ...},
            r"^post\.record\.createdAt: missing or not",
        ),
        ({"profile__followersCount": -3}, r"^profile\.followersCount: must be a non-negative"),
        ({"profile": []}, r"^profile: expected a mapping or null"),
    ],
)
def test_to_post_says_what_is_malformed(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BlueskySource().to_post(_raw(**changes), BRAND)


def test_to_post_of_a_non_mapping() -> None:
    with pytest.raises(ValueError, match=r"^record: expected a mapping"):
        BlueskySource().to_post(["x"], BRAND)  # type: ignore[arg-type]


def test_brand_handles_match_with_or_without_the_bsky_social_suffix() -> None:
    source = BlueskySource()
    for handle, expected in [
        (BRAND_HANDLE, True),
        ("LARKSPURMOBILE.bsky.social", True),
        ("larkspurmobile.com", False),
        ("notlarkspurmobile.bsky.social", False),
    ]:
        raw = _raw()
        raw["post"]["author"]["handle"] = handle
        assert source.to_post(raw, BRAND).is_brand_reply is expected, handle
    brand = replace(BRAND, accounts=("@larkspurmobile.com",))
    raw = _raw()
    raw["post"]["author"]["handle"] = "LarkspurMobile.com"
    assert source.to_post(raw, brand).is_brand_reply
