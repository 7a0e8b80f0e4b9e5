"""The Mastodon source over real HTTP against a fake instance, through ``land_paged``."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config.model import BrandConfig, SourceConfig
from pipeline.errors import ConfigError, RateLimitedError, SourceAuthError, TransientSourceError
from pipeline.ingest.fetching import FetchPolicy, FetchStats, land_paged
from pipeline.ingest.landing import batch_path, read_batch
from pipeline.ingest.sources.mastodon import (
    ARRIVAL_MARGIN,
    MastodonSource,
    _simple_parts,
    create,
    html_to_text,
    parsed_parts,
    snowflake,
)
from pipeline.posts.normalize import normalize_batch
from tests.fakes.mastodon_api import (
    BRAND_ACCOUNTS,
    BRAND_EXCLUDE,
    BRAND_NAME,
    BRAND_TERMS,
    HASHTAGS,
    TOKEN,
    WINDOW_END,
    WINDOW_START,
    FakeMastodon,
    render,
)
from tests.fakes.server import Fault, Sleeps, serve

ENV_VAR = "BRANDPULSE_MASTODON_TOKEN"
BRAND = BrandConfig(
    id="larkspur",
    name=BRAND_NAME,
    timezone="Europe/London",
    accounts=BRAND_ACCOUNTS,
    terms=BRAND_TERMS,
    exclude=BRAND_EXCLUDE,
    languages=("en",),
    sources=(SourceConfig("mastodon", {}),),
    report_recipients=(),
    report_local_time="08:00",
    alert_recipients=(),
)


@pytest.fixture
def fake() -> Iterator[tuple[FakeMastodon, str]]:
    api = FakeMastodon()
    with serve(api) as url:
        yield api, url


@pytest.fixture
def fake_auth() -> Iterator[tuple[FakeMastodon, str]]:
    api = FakeMastodon(token=TOKEN)
    with serve(api) as url:
        yield api, url


def _land(
    tmp_path: Path,
    source: MastodonSource,
    options: dict[str, Any],
    *,
    policy: FetchPolicy | None = None,
) -> tuple[list[dict[str, Any]], FetchStats]:
    batch, stats = land_paged(
        tmp_path / "landing",
        source,
        BRAND,
        start=WINDOW_START,
        end=WINDOW_END,
        options=options,
        policy=policy or FetchPolicy(sleep=Sleeps()),
    )
    return [r for r in read_batch(batch) if isinstance(r, dict)], stats


def _ids(records: list[dict[str, Any]]) -> Counter[str]:
    return Counter(str(r["id"]) for r in records)


# --------------------------------------------------------------------------------------
# What is asked
# --------------------------------------------------------------------------------------


def test_each_hashtag_timeline_is_paged_by_id_bounds_around_the_window(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    _records, stats = _land(tmp_path, MastodonSource(), {"instance": url, "page_size": 15})
    asked = api.timeline_requests()
    upper = snowflake(WINDOW_END + ARRIVAL_MARGIN)
    lower = snowflake(WINDOW_START - ARRIVAL_MARGIN)
    assert asked[0].path == "/api/v1/timelines/tag/larkspurmobile"  # from the '#' terms
    # Not from "now": from the id of the window's end (plus the margin) down to its start's.
    assert asked[0].query == {"limit": ["15"], "max_id": [upper], "since_id": [lower]}
    # Each next page starts below the last status of the one before (the Link's max_id).
    assert asked[1].query["max_id"] == [api.served_pages_ids[0][-1]]
    assert all(r.query["since_id"] == [lower] for r in asked)
    tags = [r.path.rsplit("/", 1)[1] for r in asked]
    assert tags == sorted(tags, key=HASHTAGS.index)  # one tag after the other
    assert set(tags) == set(HASHTAGS)
    assert stats.pages == len(asked)
    assert all(r.headers["user-agent"].startswith("brandpulse/") for r in asked)
    assert not any("authorization" in r.headers for r in asked)
    # Only statuses that arrived within the bounds were served; each tag's walk ended on
    # its first empty page.
    served = [int(i) for page in api.served_pages_ids for i in page]
    assert all(int(lower) < i < int(upper) for i in served)
    assert any(api.status(str(i)).created_at < WINDOW_START for i in served)
    for tag in HASHTAGS:
        pages = [
            ids
            for (t, _), ids in zip(api.served_pages, api.served_pages_ids, strict=True)
            if t == tag
        ]
        assert pages[-1] == [] and all(pages[:-1])


def test_a_late_backlog_of_old_statuses_does_not_end_the_walk(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    # A remote server back from an outage delivers a queue of statuses written before the
    # window, half an hour into it: whole pages of old statuses with in-window ids, and
    # statuses written in the window that arrived before them sort behind them.
    backlog = api.add_backlog(
        WINDOW_START - timedelta(hours=3), WINDOW_START + timedelta(minutes=30), 25
    )
    page_size = 10
    records, _ = _land(tmp_path, MastodonSource(), {"instance": url, "page_size": page_size})
    expected = Counter(api.expected(WINDOW_START, WINDOW_END, HASHTAGS))
    assert _ids(records) == expected
    assert not set(_ids(records)) & {s.id for s in backlog}
    # The bug's conditions held: a served page held only old statuses, and statuses of the
    # window lie behind it (smaller ids: they arrived before the backlog).
    old_pages = [
        ids
        for ids in api.served_pages_ids
        if ids and all(api.status(i).created_at < WINDOW_START for i in ids)
    ]
    assert any(set(ids) <= {s.id for s in backlog} for ids in old_pages)
    behind = [i for i in expected if int(i) < min(int(s.id) for s in backlog)]
    assert len(behind) > page_size


def test_a_status_arriving_within_the_margin_after_the_end_lands(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    late = api.add_backlog(WINDOW_END - timedelta(minutes=5), WINDOW_END + ARRIVAL_MARGIN / 2, 2)
    too_late = api.add_backlog(
        WINDOW_END - timedelta(minutes=5), WINDOW_END + ARRIVAL_MARGIN * 1.5, 1
    )
    records, _ = _land(tmp_path, MastodonSource(), {"instance": url, "hashtags": HASHTAGS[0]})
    landed = _ids(records)
    assert all(landed[s.id] == 1 for s in late)
    assert too_late[0].id not in landed  # arrived after the margin: not asked for


def test_hashtags_option_overrides_the_terms(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    records, _ = _land(tmp_path, MastodonSource(), {"instance": url, "hashtags": ["#Larkspur"]})
    assert {r.path for r in api.timeline_requests()} == {"/api/v1/timelines/tag/Larkspur"}
    assert _ids(records) == Counter(api.expected(WINDOW_START, WINDOW_END, ("larkspur",)))


# --------------------------------------------------------------------------------------
# What is landed, whatever goes wrong
# --------------------------------------------------------------------------------------


def test_every_status_in_the_window_lands_once_per_hashtag(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    records, stats = _land(tmp_path, MastodonSource(), {"instance": url, "page_size": 10})
    expected = Counter(api.expected(WINDOW_START, WINDOW_END, HASHTAGS))
    assert len(expected) > 40
    assert _ids(records) == expected
    kinds = {api.status(i).kind for i in expected}
    assert {"late", "boost", "reply", "brand_reply", "both"} <= kinds
    created = [api.status(i).created_at for i in _ids(records)]
    assert WINDOW_START in created and WINDOW_END not in created
    assert stats.retries == stats.rate_limit_waits == 0


def test_a_short_rate_limit_and_5xx_mid_run_cost_nothing(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    api.fail_on(2, Fault.rate_limited(reset_in_s=2))
    api.fail_on(4, Fault.status(503, {"error": "Service Unavailable"}))
    sleeps = Sleeps()
    records, stats = _land(
        tmp_path,
        MastodonSource(),
        {"instance": url, "page_size": 20},
        policy=FetchPolicy(sleep=sleeps),
    )
    assert _ids(records) == Counter(api.expected(WINDOW_START, WINDOW_END, HASHTAGS))
    assert stats.rate_limit_waits == 1 and stats.retries == 1
    assert len(sleeps) == 2 and all(s <= 5 for s in sleeps)


def test_a_far_rate_limit_ends_the_attempt_and_the_next_resumes(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    api.fail_on(4, Fault.rate_limited(reset_in_s=3600))
    options = {"instance": url, "page_size": 20}
    with pytest.raises(RateLimitedError) as caught:
        _land(tmp_path, MastodonSource(), options)
    assert caught.value.reset_at is not None
    assert caught.value.reset_at > datetime.now(UTC) + timedelta(minutes=50)
    assert len(api.served_pages) == 3

    records, stats = _land(tmp_path, MastodonSource(), options)
    assert stats.resumed_from_page == 3
    assert len(api.served_pages) == len(set(api.served_pages))  # no page asked for twice
    assert _ids(records) == Counter(api.expected(WINDOW_START, WINDOW_END, HASHTAGS))


def test_a_slow_answer_and_a_malformed_body_are_retried(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    api.fail_on(1, Fault.slow(1.0))
    api.fail_on(3, Fault.malformed())
    started = time.monotonic()
    records, stats = _land(tmp_path, MastodonSource(timeout_s=0.3), {"instance": url})
    assert time.monotonic() - started < 5
    assert stats.retries == 2
    assert _ids(records) == Counter(api.expected(WINDOW_START, WINDOW_END, HASHTAGS))


def test_a_persistent_5xx_gives_up_with_a_transient_error(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    for n in (1, 2, 3):
        api.fail_on(n, Fault.status(503))
    with pytest.raises(TransientSourceError, match=r"HTTP 503"):
        _land(
            tmp_path,
            MastodonSource(),
            {"instance": url},
            policy=FetchPolicy(max_attempts=3, sleep=Sleeps()),
        )
    assert len(api.timeline_requests()) == 3
    path = batch_path(tmp_path / "landing", "mastodon", BRAND.id, WINDOW_START, WINDOW_END)
    assert not path.exists()


def test_a_wrong_instance_path_is_a_config_error(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    with pytest.raises(ConfigError, match=r"HTTP 404 \(Record not found\).*instance"):
        _land(tmp_path, MastodonSource(), {"instance": url + "/not-mastodon"})
    assert len(api.requests) == 1


def test_an_instance_wanting_a_signed_in_user_says_how(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    body = {"error": "This method requires an authenticated user"}
    api.fail_on(1, Fault.status(422, body))
    with pytest.raises(ConfigError, match=r"HTTP 422 \(This method requires .*auth: true"):
        _land(tmp_path, MastodonSource(), {"instance": url})
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({}, "instance"),
        ({"instance": "mastodon.social"}, "instance"),
        ({"instance": "https://m.example", "hashtags": []}, "hashtags"),
        ({"instance": "https://m.example", "hashtags": ["two words"]}, "hashtags"),
        ({"instance": "https://m.example", "page_size": 41}, "page_size"),
        ({"instance": "https://m.example", "auth": 1}, "auth"),
        ({"instance": "https://m.example", "q": "x"}, "q"),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError, match=rf"sources\.mastodon\.{field}"):
        MastodonSource().fetch_page(BRAND, WINDOW_START, WINDOW_END, options, None)


def test_hashtags_are_required_without_hash_terms() -> None:
    brand = replace(BRAND, terms=("Larkspur Mobile",))
    with pytest.raises(ConfigError, match=r"sources\.mastodon\.hashtags.*is required"):
        MastodonSource().fetch_page(
            brand, WINDOW_START, WINDOW_END, {"instance": "https://m.x"}, None
        )


# --------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------


def test_the_token_from_the_environment_is_sent(
    tmp_path: Path, fake_auth: tuple[FakeMastodon, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, url = fake_auth
    monkeypatch.setenv(ENV_VAR, TOKEN)
    records, _ = _land(tmp_path, create(), {"instance": url, "auth": True})
    assert _ids(records) == Counter(api.expected(WINDOW_START, WINDOW_END, HASHTAGS))
    assert {r.headers["authorization"] for r in api.requests} == {f"Bearer {TOKEN}"}


def test_a_missing_token_says_where_to_set_it(
    tmp_path: Path, fake_auth: tuple[FakeMastodon, str]
) -> None:
    api, url = fake_auth
    with pytest.raises(SourceAuthError) as caught:
        _land(tmp_path, create(), {"instance": url, "auth": True})
    assert "mastodon_api" in str(caught.value) and ENV_VAR in str(caught.value)
    assert api.requests == []


def test_a_wrong_token_is_refused_without_showing_it(
    tmp_path: Path,
    fake_auth: tuple[FakeMastodon, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api, url = fake_auth
    wrong = "mstdn-wrong-token-0000"
    monkeypatch.setenv(ENV_VAR, wrong)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceAuthError) as caught:
        _land(tmp_path, create(), {"instance": url, "auth": True})
    message = str(caught.value)
    assert "HTTP 401 (The access token is invalid)" in message
    assert "mastodon_api" in message and ENV_VAR in message
    assert wrong not in message and wrong not in caplog.text
    assert len(api.requests) == 1  # not retried


def test_an_anonymous_client_refused_is_told_to_use_a_token(
    tmp_path: Path, fake_auth: tuple[FakeMastodon, str]
) -> None:
    _, url = fake_auth
    with pytest.raises(SourceAuthError, match=r"HTTP 401.*auth: true"):
        _land(tmp_path, MastodonSource(), {"instance": url})


# --------------------------------------------------------------------------------------
# Records to posts
# --------------------------------------------------------------------------------------


def test_landed_statuses_become_posts_with_the_right_fields(
    tmp_path: Path, fake: tuple[FakeMastodon, str]
) -> None:
    api, url = fake
    source = MastodonSource()
    records, _ = _land(tmp_path, source, {"instance": url})
    normalized = normalize_batch(source.to_post, BRAND, records, WINDOW_START, WINDOW_END)
    assert normalized.rejected == []
    for post in normalized.posts:
        made = api.status(post.post_id)
        account = made.entity["account"]
        assert post.created_at == made.created_at
        assert post.author_id == account["id"] and post.author_handle == account["acct"]
        assert post.author_followers == account["followers_count"]
        assert post.text == made.plain
        assert post.is_brand_reply == (made.kind == "brand_reply")
        if made.kind == "boost":
            assert post.repost_of == made.entity["reblog"]["id"]
            assert post.url == made.entity["reblog"]["url"]
        else:
            assert post.repost_of is None
        if made.kind in {"reply", "brand_reply"}:
            assert post.in_reply_to_post_id == made.entity["in_reply_to_id"]
            assert post.in_reply_to_author_id == made.entity["in_reply_to_account_id"]
            assert post.conversation_id == made.entity["in_reply_to_id"]
        else:
            assert post.in_reply_to_post_id is None
            assert post.conversation_id == post.post_id


def test_html_content_becomes_plain_text() -> None:
    html = (
        "<p>Bill went up by £4 &amp; nobody told me, that&#39;s not &quot;OK&quot; &lt;3 "
        '<a href="https://m.example/tags/larkspurmobile" class="mention hashtag" rel="tag">'
        "#<span>larkspurmobile</span></a><br />see "
        '<a href="https://coverage.larkspur.example/map?area=leeds&amp;zoom=12" '
        'rel="nofollow noopener" target="_blank"><span class="invisible">https://</span>'
        '<span class="ellipsis">coverage.larkspur.example/map</span>'
        '<span class="invisible">?area=leeds&amp;zoom=12</span></a></p>'
        '<p><span class="h-card" translate="no"><a href="https://m.example/@LarkspurHelp" '
        'class="u-url mention">@<span>LarkspurHelp</span></a></span> please fix &#x1F64F;</p>'
    )
    assert html_to_text(html) == (
        'Bill went up by £4 & nobody told me, that\'s not "OK" <3 #larkspurmobile\n'
        "see https://coverage.larkspur.example/map?area=leeds&zoom=12\n\n"
        "@LarkspurHelp please fix 🙏"
    )
    assert html_to_text("") == ""
    assert html_to_text("plain & simple") == "plain & simple"
    text = "Day 3 without data.\n\nStill waiting #larkspurmobile"
    assert html_to_text(render(text)) == text


#: Pieces of status HTML: what Mastodon writes, and what the parser reads otherwise.
HTML_PIECES = [
    "<p>", "</p>", "<br>", "<br/>", "<br />", "<BR\t/>", '<P class="x">', "<p >", "<p/>",
    '<a href="https://x.example/?a=1&amp;b=2" rel=\'nofollow\' target="_blank">', "</a>",
    '<span class="invisible">', "<span translate>", "</span>", "</span >", "</br>", "</p\n>",
    "<script>", "</script>", "<style>", "<!-- c -->", "<!doctype html>", "<img src='x'>",
    '<a href="a>b">', "<a\vhref='x'>", '<p\u00a0class="x">', "<\u017fpan>", "<pa>", "<",
    ">", "&", "&amp;", "&amp", "&#39;", "&#x1F64F;", "&#xd800;", "&bogus;", "&lt;p&gt;",
    "\n", " ", "\t", "\r", "a", "#tag", "@name", "\u00a0", "\x00",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(HTML_PIECES), st.text(max_size=8)), max_size=30))
def test_the_quick_html_reading_is_the_parsers(pieces: list[str]) -> None:
    """HTML made of Mastodon's tags is read without the parser, to the same text; any other
    is read by the parser."""
    html = "".join(pieces)
    quick = _simple_parts(html)
    if quick is not None:
        assert "".join(quick) == "".join(parsed_parts(html))


def test_mastodons_own_html_is_read_without_the_parser() -> None:
    html = (
        '<p><span class="h-card" translate="no"><a href="https://m.example/@Help" '
        'class="u-url mention">@<span>Help</span></a></span> fix &#x1F64F;<br />now</p>'
    )
    assert _simple_parts(html) is not None
    assert html_to_text(html) == "@Help fix 🙏\nnow"


def _status(**changes: Any) -> dict[str, Any]:
    status: dict[str, Any] = {
        "id": "113345678901234567",
        "created_at": "2026-10-22T13:14:15.678Z",
        "in_reply_to_id": "113345600000000000",
        "in_reply_to_account_id": "109000000000000042",
        "language": "en",
        "url": "https://larkspur.social/@LarkspurHelp/113345678901234567",
        "content": "<p>sorry! we&#39;re on it</p>",
        "reblog": None,
        "account": {
            "id": "109000000000000001",
            "username": "LarkspurHelp",
            "acct": "LarkspurHelp@larkspur.example",
            "followers_count": 2100,
        },
    }
    status.update(changes)
    return status


def test_to_post_maps_a_brand_reply_from_another_instance() -> None:
    post = MastodonSource().to_post(_status(), BRAND)
    assert post.source == "mastodon" and post.brand == "larkspur"
    assert post.post_id == "113345678901234567"
    assert post.created_at == datetime(2026, 10, 22, 13, 14, 15, 678000, tzinfo=UTC)
    assert post.author_id == "109000000000000001"
    assert post.author_handle == "LarkspurHelp@larkspur.example"
    assert post.author_followers == 2100
    assert post.text == "sorry! we're on it"
    assert post.lang == "en"
    assert post.url == "https://larkspur.social/@LarkspurHelp/113345678901234567"
    assert post.conversation_id == post.in_reply_to_post_id == "113345600000000000"
    assert post.in_reply_to_author_id == "109000000000000042"
    assert post.repost_of is None
    assert post.is_brand_reply


def test_to_post_of_a_boost_takes_the_boosted_words() -> None:
    boosted = _status(
        id="113000000000000001",
        language="es",
        in_reply_to_id=None,
        content="<p>sin cobertura otra vez</p>",
    )
    raw = _status(
        reblog=boosted,
        content="",
        language=None,
        url=None,
        in_reply_to_id=None,
        in_reply_to_account_id=None,
        account={"id": "7", "username": "ana", "acct": "ana", "followers_count": 3},
    )
    post = MastodonSource().to_post(raw, BRAND)
    assert post.repost_of == "113000000000000001"
    assert post.text == "sin cobertura otra vez"
    assert post.lang == "es"
    assert post.url == boosted["url"]
    assert post.conversation_id == post.post_id
    assert post.author_handle == "ana" and not post.is_brand_reply


def test_brand_accounts_match_with_or_without_the_instance() -> None:
    source = MastodonSource()
    for acct, expected in [
        ("LarkspurMobile", True),
        ("larkspurhelp@mastodon.example", True),
        ("LarkspurFan", False),
        ("fan@larkspurmobile.example", False),
    ]:
        raw = _status(account={"id": "1", "acct": acct, "followers_count": 1})
        assert source.to_post(raw, BRAND).is_brand_reply is expected, acct
    brand = replace(BRAND, accounts=("@LarkspurHelp@larkspur.example",))
    raw = _status(account={"id": "1", "acct": "LarkspurHelp@larkspur.example"})
    post = source.to_post(raw, brand)
    assert post.is_brand_reply and post.author_followers == 0  # no count: 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": None}, r"^id: missing"),
        ({"id": 5}, r"^id: must be a non-empty string"),
        ({"created_at": "2026-10-22 13:14"}, r"^created_at: missing or not"),
        ({"created_at": None}, r"^created_at: missing or not"),
        ({"account": None}, r"^account: expected a mapping"),
        ({"account": {"id": "1", "followers_count": 2}}, r"^account\.acct: missing"),
        ({"account": {"id": "1", "acct": "a", "followers_count": -1}}, r"^account\.followers"),
        ({"content": None}, r"^content: must be an HTML string"),
        ({"reblog": "113"}, r"^reblog: expected a mapping or null"),
        ({"reblog": {"id": "1"}}, r"^reblog\.content: must be an HTML string"),
        ({"in_reply_to_id": 113}, r"^in_reply_to_id: must be a string or null"),
    ],
)
def test_to_post_says_what_is_malformed(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MastodonSource().to_post(_status(**changes), BRAND)
