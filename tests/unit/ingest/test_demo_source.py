"""The built-in demo source: deterministic, interval-consistent, realistic enough to demo."""

from __future__ import annotations

import itertools
import json
import random
import re
import statistics
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.model import BrandConfig, SourceConfig
from pipeline.errors import ConfigError, InputError
from pipeline.ingest.sources.demo.profiles import DEMO_END, DEMO_START
from pipeline.ingest.sources.demo.source import DemoSource
from pipeline.ingest.sources.demo.world import MAX_FOLLOW_UP
from pipeline.posts.model import RawRecord
from pipeline.posts.normalize import COPY_WINDOW, fingerprint
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.brands import load_brands

BRANDS_FILE = PROJECT_ROOT / "brands.yaml"
ORIGINAL_INTENTS = ("complaint", "praise", "question", "neutral", "spam")


def _brand(
    brand_id: str,
    name: str,
    timezone: str,
    accounts: tuple[str, ...],
    languages: tuple[str, ...],
    options: Mapping[str, Any],
) -> BrandConfig:
    return BrandConfig(
        id=brand_id,
        name=name,
        timezone=timezone,
        accounts=accounts,
        terms=(name.lower(), *accounts),
        exclude=(),
        languages=languages,
        sources=(SourceConfig("demo", dict(options)),),
        report_recipients=(),
        report_local_time="08:00",
        alert_recipients=(),
    )


# The two demo brands of brands.yaml, built here so these tests do not move when it is edited.
PEBBLE = _brand(
    "pebble",
    "Pebble Mobile",
    "America/New_York",
    ("@PebbleMobile", "@PebbleCares"),
    ("en", "es"),
    {"profile": "telecom", "posts_per_day": 900},
)
FERNLEAF = _brand(
    "fernleaf",
    "Fernleaf Market",
    "Europe/London",
    ("@FernleafMarket", "@FernleafHelp"),
    ("en",),
    {"profile": "grocery", "posts_per_day": 600},
)
BRANDS = (PEBBLE, FERNLEAF)


def fetch(
    brand: BrandConfig, start: datetime, end: datetime, seed: int | None = None
) -> list[RawRecord]:
    source = DemoSource() if seed is None else DemoSource(seed)
    options = brand.source("demo")
    assert options is not None
    return list(source.fetch(brand, start, end, options.options))


def created(record: RawRecord) -> datetime:
    return datetime.fromisoformat(record["created_at"])


def is_original(record: RawRecord) -> bool:
    return record["in_reply_to"] is None and record["demo_truth"]["intent"] in ORIGINAL_INTENTS


def intent(record: RawRecord) -> str:
    return str(record["demo_truth"]["intent"])


@pytest.fixture(scope="module")
def month() -> dict[str, list[RawRecord]]:
    """The whole 28-day demo window, per brand (about a second to make)."""
    return {b.id: fetch(b, DEMO_START, DEMO_END) for b in BRANDS}


@pytest.fixture(scope="module")
def first_week(month: dict[str, list[RawRecord]]) -> dict[str, list[RawRecord]]:
    end = DEMO_START + timedelta(days=7)
    return {b: [r for r in recs if created(r) < end] for b, recs in month.items()}


# --- determinism and interval consistency ----------------------------------------------


def test_two_instances_give_the_same_records_and_another_seed_does_not() -> None:
    start, end = DEMO_START + timedelta(days=2), DEMO_START + timedelta(days=3)
    first = fetch(PEBBLE, start, end)
    assert first == fetch(PEBBLE, start, end)
    assert first != fetch(PEBBLE, start, end, seed=7)


@pytest.mark.parametrize("brand", BRANDS, ids=lambda b: b.id)
def test_splitting_at_a_day_changes_nothing(brand: BrandConfig) -> None:
    a = DEMO_START + timedelta(days=3)
    b, c = a + timedelta(days=1), a + timedelta(days=2)
    assert fetch(brand, a, c) == fetch(brand, a, b) + fetch(brand, b, c)


@pytest.mark.parametrize("brand", BRANDS, ids=lambda b: b.id)
def test_splitting_at_odd_minutes_changes_nothing(brand: BrandConfig) -> None:
    start = datetime(2026, 10, 22, 15, 0, tzinfo=UTC)  # through the pebble outage
    cuts = [start + timedelta(minutes=m) for m in (0, 7, 73, 359, 360, 611, 12 * 60)]
    pieces = [rec for a, b in itertools.pairwise(cuts) for rec in fetch(brand, a, b)]
    assert pieces == fetch(brand, cuts[0], cuts[-1])


def test_records_are_in_the_window_sorted_and_unique() -> None:
    start = datetime(2026, 10, 9, 10, 17, 30, tzinfo=UTC)
    end = datetime(2026, 10, 10, 3, 41, tzinfo=UTC)
    records = fetch(PEBBLE, start, end)
    assert records
    assert all(start <= created(r) < end for r in records)
    keys = [(created(r), int(r["id"])) for r in records]
    assert keys == sorted(keys)
    assert len({r["id"] for r in records}) == len(records)


def test_empty_interval_gives_nothing() -> None:
    assert fetch(PEBBLE, DEMO_START, DEMO_START) == []
    assert fetch(PEBBLE, DEMO_END, DEMO_START) == []


def test_any_date_works_and_a_one_hour_fetch_is_consistent() -> None:
    start = datetime(2027, 3, 3, 15, tzinfo=UTC)
    hour = fetch(PEBBLE, start, start + timedelta(hours=1))
    assert 5 < len(hour) < 200
    assert all(start <= created(r) < start + timedelta(hours=1) for r in hour)
    assert (
        hour == fetch(PEBBLE, start - timedelta(hours=1), start + timedelta(hours=1))[-len(hour) :]
    )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InputError, match="start"):
        fetch(PEBBLE, datetime(2026, 10, 5), DEMO_END)


# --- shape ---------------------------------------------------------------------------


def test_records_are_json_with_the_provider_shape(month: dict[str, list[RawRecord]]) -> None:
    records = month["pebble"] + month["fernleaf"]
    json.dumps(records)
    assert len({r["id"] for r in records}) == len(records)  # unique across brands and days
    for r in records[:2000]:
        assert r["id"].isdigit()
        assert r["created_at"].endswith("Z")
        assert r["url"].endswith(f"/{r['author']['handle']}/status/{r['id']}")
        assert set(r["author"]) == {"id", "handle", "followers"}
        assert r["lang"] in ("en", "es")
        assert "{" not in r["text"] and "}" not in r["text"]
        if r["in_reply_to"] is None:
            assert r["conversation_id"] == r["id"]


def test_brands_file_demo_brands_fetch_and_normalize() -> None:
    source = DemoSource()
    for brand in load_brands(BRANDS_FILE).brands:
        demo = brand.source("demo")
        if demo is None:
            continue
        records = list(
            source.fetch(brand, DEMO_START, DEMO_START + timedelta(hours=6), demo.options)
        )
        assert records, brand.id
        assert all(source.to_post(r, brand).brand == brand.id for r in records)


# --- volume, rhythm, mix ---------------------------------------------------------------


def test_a_week_has_about_posts_per_day_times_seven(first_week: dict[str, list[RawRecord]]) -> None:
    assert 0.85 * 7 * 900 < len(first_week["pebble"]) < 1.15 * 7 * 900
    assert 0.85 * 7 * 600 < len(first_week["fernleaf"]) < 1.15 * 7 * 600


def test_nights_are_quiet_and_weekdays_follow_the_profile(
    month: dict[str, list[RawRecord]],
) -> None:
    for brand in BRANDS:
        local = [created(r).astimezone(brand.tz) for r in month[brand.id]]
        by_hour = Counter(t.hour for t in local)
        assert sum(by_hour[h] for h in (2, 3, 4)) < 0.4 * sum(by_hour[h] for h in (12, 13, 19))
        by_day = Counter(t.weekday() for t in local)
        weekdays = statistics.mean(by_day[d] for d in range(5))
        weekend = statistics.mean(by_day[d] for d in (5, 6))
        if brand is PEBBLE:
            assert weekdays > 1.1 * weekend  # telecom: busier on weekdays
        else:
            assert weekend > 1.1 * weekdays  # grocery: the weekend shop


def test_the_mix_is_roughly_right(first_week: dict[str, list[RawRecord]]) -> None:
    for records in first_week.values():
        originals = Counter(intent(r) for r in records if is_original(r))
        total = sum(originals.values())
        share = {k: v / total for k, v in originals.items()}
        assert 0.14 < share["complaint"] < 0.25
        assert 0.15 < share["praise"] < 0.27
        assert 0.08 < share["question"] < 0.18
        assert 0.34 < share["neutral"] < 0.52
        assert 0.02 < share["spam"] < 0.07
        every = Counter(intent(r) for r in records)
        assert 0.07 < every["repost"] / len(records) < 0.13
        assert 0.01 < every["copy"] / len(records) < 0.035
        replied = {r["in_reply_to"]["post_id"] for r in records if intent(r) == "brand_reply"}
        complaints = [r for r in records if is_original(r) and intent(r) == "complaint"]
        answered = sum(r["id"] in replied for r in complaints) / len(complaints)
        assert 0.4 < answered < 0.65


def test_complaints_cover_every_category(first_week: dict[str, list[RawRecord]]) -> None:
    categories = {
        "delivery", "billing", "customer_service", "product_quality", "outage", "pricing", "staff",
    }  # fmt: skip
    for records in first_week.values():
        seen = {r["demo_truth"]["category"] for r in records if intent(r) == "complaint"}
        assert categories <= seen


# --- threads -------------------------------------------------------------------------


def test_replies_follow_their_parent_within_max_follow_up(
    month: dict[str, list[RawRecord]],
) -> None:
    settled = DEMO_START + MAX_FOLLOW_UP  # every parent of a later reply is in the window
    for brand in BRANDS:
        by_id = {r["id"]: r for r in month[brand.id]}
        replies = [r for r in month[brand.id] if r["in_reply_to"] and created(r) >= settled]
        assert replies
        for reply in replies:
            parent = by_id[reply["in_reply_to"]["post_id"]]
            root = by_id[reply["conversation_id"]]
            assert reply["in_reply_to"]["author_id"] == parent["author"]["id"]
            assert parent["conversation_id"] == reply["conversation_id"]
            assert created(parent) < created(reply) <= created(root) + MAX_FOLLOW_UP
            if intent(reply) == "brand_reply":
                assert is_original(parent)
                assert intent(parent) in ("complaint", "question", "praise")
            else:  # a customer answering the brand back
                assert intent(parent) == "brand_reply"


def test_reposts_and_copies_repeat_an_earlier_post(month: dict[str, list[RawRecord]]) -> None:
    settled = DEMO_START + MAX_FOLLOW_UP
    records = month["fernleaf"]
    by_id = {r["id"]: r for r in records}
    earlier_by_text: dict[str, list[RawRecord]] = {}
    for r in records:
        earlier_by_text.setdefault(r["text"], []).append(r)
    for r in records:
        if created(r) < settled:
            continue
        if intent(r) == "repost":
            original = by_id[r["repost_of"]]
            assert r["text"] == f"RT @{original['author']['handle']}: {original['text']}"
            assert created(original) < created(r) <= created(original) + MAX_FOLLOW_UP
        elif intent(r) == "copy":
            assert any(
                o["author"]["id"] != r["author"]["id"] and created(o) < created(r)
                for o in earlier_by_text[r["text"]]
            )


def test_brand_replies_come_from_brand_accounts(first_week: dict[str, list[RawRecord]]) -> None:
    source = DemoSource()
    for brand in BRANDS:
        handles = {a.lstrip("@") for a in brand.accounts}
        for r in first_week[brand.id]:
            post = source.to_post(r, brand)
            assert post.is_brand_reply == (intent(r) == "brand_reply")
            if post.is_brand_reply:
                assert r["author"]["handle"] in handles
                assert r["text"].startswith("@")


def test_brand_reply_delays_are_realistic(month: dict[str, list[RawRecord]]) -> None:
    by_id = {r["id"]: r for r in month["pebble"]}
    delays = [
        (created(r) - created(by_id[r["in_reply_to"]["post_id"]])).total_seconds() / 3600
        for r in month["pebble"]
        if intent(r) == "brand_reply" and r["in_reply_to"]["post_id"] in by_id
    ]
    assert 1.0 < statistics.median(delays) < 6.0
    assert any(d > 24 for d in delays)
    assert max(delays) <= MAX_FOLLOW_UP.total_seconds() / 3600


# --- the incident --------------------------------------------------------------------


def _complaints_by_local_hour(records: list[RawRecord], brand: BrandConfig) -> Counter[Any]:
    hours: Counter[Any] = Counter()
    for r in records:
        if is_original(r) and intent(r) == "complaint":
            local = created(r).astimezone(brand.tz)
            hours[(local.date().isoformat(), local.hour)] += 1
    return hours


def test_the_pebble_outage_multiplies_complaints(month: dict[str, list[RawRecord]]) -> None:
    hours = _complaints_by_local_hour(month["pebble"], PEBBLE)
    during = sum(hours[("2026-10-22", h)] for h in range(13, 18))
    week_before = sum(hours[("2026-10-15", h)] for h in range(13, 18))
    assert during > 5 * max(week_before, 1)
    incident = [r for r in month["pebble"] if r["demo_truth"]["incident"] and is_original(r)]
    assert Counter(r["demo_truth"]["category"] for r in incident).most_common(1)[0][0] == "outage"
    for r in incident:
        local = created(r).astimezone(PEBBLE.tz)
        assert local.date().isoformat() == "2026-10-22" and 13 <= local.hour < 20


def test_fernleaf_has_no_incident(month: dict[str, list[RawRecord]]) -> None:
    assert not any(r["demo_truth"]["incident"] for r in month["fernleaf"])


# --- text ----------------------------------------------------------------------------


def test_spanish_only_for_brands_listening_in_spanish(month: dict[str, list[RawRecord]]) -> None:
    pebble_langs = Counter(r["lang"] for r in month["pebble"])
    assert 0.01 < pebble_langs["es"] / len(month["pebble"]) < 0.1
    assert {r["lang"] for r in month["fernleaf"]} == {"en"}


def test_texts_are_varied_and_lively(first_week: dict[str, list[RawRecord]]) -> None:
    for records in first_week.values():
        texts = [r["text"] for r in records if is_original(r) and intent(r) != "spam"]
        assert len(set(texts)) > 0.75 * len(texts)
        joined = "\n".join(texts)
        assert "❤️" in joined or "👍🏽" in joined  # multi-codepoint emoji survive
        assert "#" in joined and "https://" in joined
        assert any(t.isupper() for t in texts)  # somebody is shouting
        assert "post 1" not in joined


#: The most of an intent's posts that may repeat the words of an earlier post (what the
#: pipeline counts as a copy): independent people almost never write the same sentence;
#: neutral posts include headlines that several news accounts share.
MAX_REPEAT_SHARE = {"complaint": 0.03, "praise": 0.03, "question": 0.03, "neutral": 0.12}


def repeat_shares(records: list[RawRecord]) -> dict[str, float]:
    """Per intent, the share of posts whose fingerprint equals that of an earlier post of
    the brand (deliberate copies and reposts aside) created at most COPY_WINDOW before."""
    last_seen: dict[str, datetime] = {}
    posts: Counter[str] = Counter()
    repeats: Counter[str] = Counter()
    for r in records:  # by (created_at, id)
        kind = intent(r)
        if kind in ("copy", "repost"):
            continue
        at, key = created(r), fingerprint(r["text"])
        previous = last_seen.get(key)
        posts[kind] += 1
        if previous is not None and at - previous <= COPY_WINDOW:
            repeats[kind] += 1
        last_seen[key] = at
    return {kind: repeats[kind] / n for kind, n in posts.items()}


def test_independent_authors_rarely_write_the_same_words(
    month: dict[str, list[RawRecord]],
) -> None:
    measured = {b.id: repeat_shares(month[b.id]) for b in BRANDS}
    for brand, shares in measured.items():
        print(brand, {k: f"{shares[k]:.1%}" for k in (*MAX_REPEAT_SHARE, "spam")})
    for brand, shares in measured.items():
        for kind, limit in MAX_REPEAT_SHARE.items():
            assert shares[kind] < limit, f"{brand}: {shares[kind]:.1%} of {kind} posts repeat"


# Signs of a template gone wrong: two spaces, a value or slot never filled, an alternative
# never picked, punctuation after a space or another mark, punctuation left at either end.
_UNREADABLE = re.compile(
    r"  |\bNone\b|[{}\[\]|]|\s[,.;:!?]|[,;:]\s*[,.;:!?]|[.!?],|^\s|\s$|^[,.;:!?]|[,;:-]$"
)


def test_texts_read_like_posts(month: dict[str, list[RawRecord]]) -> None:
    for records in month.values():
        for r in records:
            assert not _UNREADABLE.search(r["text"]), r["text"]
            assert len(r["text"]) <= 280, r["text"]  # fits an X post
        # ... and a spot check of 30 random posts of every intent
        rng = random.Random(30)
        by_intent: dict[str, list[str]] = {}
        for r in records:
            by_intent.setdefault(intent(r), []).append(r["text"])
        for kind, texts in by_intent.items():
            sample = rng.sample(texts, min(30, len(texts)))
            if kind not in ("copy", "repost", "spam"):
                assert len(set(sample)) == len(sample), kind
            for text in sample:
                words = [w for w in text.split() if any(c.isalpha() for c in w)]
                assert len(words) >= 3, text
                assert text.isupper() or any(c.islower() for c in text), text


def test_authors_are_many_and_followers_heavy_tailed(month: dict[str, list[RawRecord]]) -> None:
    followers = {r["author"]["id"]: r["author"]["followers"] for r in month["pebble"]}
    assert len(followers) > 2000
    values = sorted(followers.values())
    assert values[0] >= 5 and values[-1] <= 500_000
    assert statistics.median(values) < 1000 < 100_000 < values[-1]
    posts_per_author = Counter(r["author"]["id"] for r in month["pebble"])
    assert posts_per_author.most_common(1)[0][1] > 20  # some people post again and again


# --- to_post and options -------------------------------------------------------------


def test_to_post_builds_a_utc_post(first_week: dict[str, list[RawRecord]]) -> None:
    record = next(r for r in first_week["pebble"] if intent(r) == "brand_reply")
    post = DemoSource().to_post(record, PEBBLE)
    assert post.source == "demo" and post.brand == "pebble" and post.post_id == record["id"]
    assert post.created_at == created(record) and post.created_at.tzinfo == UTC
    assert post.in_reply_to_post_id == record["in_reply_to"]["post_id"]
    assert post.conversation_id == record["conversation_id"]
    assert post.author_followers == record["author"]["followers"]
    assert post.is_brand_reply


def _mutated(record: RawRecord, path: str, value: Any) -> RawRecord:
    copy = json.loads(json.dumps(record))
    *parents, leaf = path.split(".")
    target = copy
    for key in parents:
        target = target[key]
    if value is _DELETE:
        del target[leaf]
    else:
        target[leaf] = value
    return dict(copy)


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("id", _DELETE, "id"),
        ("id", "abc", "id"),
        ("created_at", "yesterday", "created_at"),
        ("created_at", "2026-10-05T13:04:11", "created_at"),
        ("created_at", 1791205451, "created_at"),
        ("author", "jess", "author"),
        ("author.handle", _DELETE, "author.handle"),
        ("author.id", 42, "author.id"),
        ("author.followers", "312", "author.followers"),
        ("author.followers", -1, "author.followers"),
        ("text", _DELETE, "text"),
        ("lang", 7, "lang"),
        ("in_reply_to", "123", "in_reply_to"),
        ("repost_of", 123, "repost_of"),
    ],
)
def test_to_post_names_the_bad_field(
    first_week: dict[str, list[RawRecord]], path: str, value: Any, field: str
) -> None:
    record = _mutated(first_week["pebble"][0], path, value)
    with pytest.raises(ValueError, match=rf"^{field}: "):
        DemoSource().to_post(record, PEBBLE)


def test_to_post_refuses_a_non_mapping() -> None:
    with pytest.raises(ValueError, match="record"):
        DemoSource().to_post([], PEBBLE)  # type: ignore[arg-type]


def test_unknown_profile_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"pebble.*sources\.demo\.profile.*'bakery'"):
        list(DemoSource().fetch(PEBBLE, DEMO_START, DEMO_END, {"profile": "bakery"}))


@pytest.mark.parametrize("value", [0, -5, "many", True, float("nan"), 10**9])
def test_bad_posts_per_day_is_a_config_error(value: Any) -> None:
    options = {"profile": "telecom", "posts_per_day": value}
    with pytest.raises(ConfigError, match=r"pebble.*sources\.demo\.posts_per_day"):
        DemoSource().fetch(PEBBLE, DEMO_START, DEMO_END, options)


def test_a_configured_incident_is_a_surge_of_complaints_in_its_hours() -> None:
    from pipeline.config.loading import parse_brands

    def brand_with(options: dict[str, object]) -> Any:
        data = {
            "brands": [{
                "id": "drill", "name": "Drill Co", "timezone": "Europe/London",
                "accounts": ["@Drill"], "terms": ["drill"], "sources": {"demo": options},
            }]
        }  # fmt: skip
        return parse_brands(data, Path("brands.yaml")).brands[0]

    plain = brand_with({"profile": "grocery"})
    drill = brand_with({
        "profile": "grocery",
        "incidents": [{"start": "2026-11-22T10:00", "hours": 2, "multiplier": 8}],
    })  # fmt: skip
    start = datetime(2026, 11, 22, 9, tzinfo=UTC)  # 09:00 UTC = 09:00 London in November

    def complaints(brand: Any, hours: int, offset: int) -> int:
        rows = DemoSource().fetch(
            brand, start + timedelta(hours=offset), start + timedelta(hours=offset + hours),
            brand.source("demo").options,
        )  # fmt: skip
        return sum(1 for r in rows if r["demo_truth"]["intent"] == "complaint")

    assert complaints(drill, 2, 1) > 4 * max(1, complaints(plain, 2, 1))
    assert complaints(drill, 1, 0) == complaints(plain, 1, 0)  # before it: unchanged


@pytest.mark.parametrize(
    ("incident", "field"),
    [
        ({"start": "2026-11-22 10:00", "hours": 2}, "incidents[0].start"),
        ({"start": "2026-11-22T10:30", "hours": 2}, "incidents[0].start"),
        ({"start": "2026-11-22T10:00", "hours": 0}, "incidents[0].hours"),
        ({"start": "2026-11-22T10:00", "hours": 2, "multiplier": 1}, "incidents[0].multiplier"),
        ({"start": "2026-11-22T10:00", "hours": 2, "category": "weather"}, "incidents[0].category"),
        ({"start": "2026-11-22T10:00", "hours": 2, "size": 3}, "incidents[0]"),
    ],
)
def test_configured_incidents_are_validated(incident: dict[str, object], field: str) -> None:
    from pipeline.config.loading import parse_brands

    data = {
        "brands": [{
            "id": "drill", "name": "Drill Co", "timezone": "Europe/London",
            "accounts": ["@Drill"], "terms": ["drill"],
            "sources": {"demo": {"profile": "grocery", "incidents": [incident]}},
        }]
    }  # fmt: skip
    from pipeline.ingest.sources.registry import check_options

    brand = parse_brands(data, Path("brands.yaml")).brands[0]
    with pytest.raises(ConfigError, match=re.escape(f"sources.demo.{field}'")):
        check_options(brand)
