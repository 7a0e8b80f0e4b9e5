"""The columnar load path gives what the per-record path gave, to the value: the same posts
frame (every column, dtype and exact float), quarantine frame (reasons word for word),
record numbers, counts and duplicate times, on demo batches and on the bad-input property
suite's hostile batches. The per-record path is kept as the reference in
:mod:`tests.property.rowwise`."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pipeline.config.loading import parse_brands
from pipeline.config.model import BrandConfig
from pipeline.ingest import landing
from pipeline.ingest.file_drops import EARLIEST_POST, LATEST_POST
from pipeline.ingest.sources.bluesky_columns import read_columns as bsky_read_columns
from pipeline.ingest.sources.demo.columns import read_columns
from pipeline.ingest.sources.demo.source import DemoSource
from pipeline.ingest.sources.files_columns import read_columns as files_read_columns
from pipeline.ingest.sources.mastodon_columns import read_columns as mastodon_read_columns
from pipeline.ingest.sources.x_columns import read_columns as x_read_columns
from pipeline.posts.columns import fingerprint
from pipeline.posts.normalize import _fingerprint
from pipeline.scoring.scorer import Scorer, scorer_for
from pipeline.settings import PROJECT_ROOT
from pipeline.steps import loading
from pipeline.steps.brands import load_brands
from tests.property import test_bad_input as bad
from tests.property.rowwise import score_batch_rowwise

BRANDS = load_brands(PROJECT_ROOT / "brands.yaml")


def assert_same(new: loading.ScoredBatch, old: loading.ScoredBatch) -> None:
    pd.testing.assert_frame_equal(new.posts, old.posts, check_exact=True)
    pd.testing.assert_frame_equal(new.quarantine, old.quarantine, check_exact=True)
    assert new.record_nos == old.record_nos
    assert (new.fetched, new.duplicates) == (old.fetched, old.duplicates)
    assert new.duplicate_times == old.duplicate_times
    assert new.model_version == old.model_version


def assert_hostile_batch_same(
    batch: landing.Batch, lines: int, read_columns: Callable[..., Any]
) -> None:
    """A batch of hostile records among valid repeated ones: the columnar path equals the
    per-record one, the valid records went the bulk way (``read_columns``), the rest were
    quarantined or counted as duplicates."""
    scorer = _scorer()
    new = loading.score_batch(batch, bad.BRAND, scorer)
    assert_same(new, score_batch_rowwise(batch, bad.BRAND, scorer))
    assert len(new.quarantine) > 30 and new.duplicates > 30
    taken = read_columns(landing.read_landed_lines(batch), bad.BRAND)
    assert len(taken) > lines // 2  # the valid ones went the bulk way
    assert set(new.posts["kind"]) >= {"original", "brand_reply"}


def land_lines(
    folder: Path, brand: str, start: datetime, end: datetime, lines: list[str]
) -> landing.Batch:
    path = landing.batch_path(folder, "demo", brand, start, end)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return landing.Batch("demo", brand, start, end, path, len(lines))


def demo_lines(brand: BrandConfig, start: datetime, end: datetime) -> list[str]:
    """The demo's records of ``[start, end)`` as landed, every 50th twice (a provider's
    overlapping pages), as the benchmark lands them."""
    source = DemoSource()
    options = next(s.options for s in brand.sources if s.name == "demo")
    lines: list[str] = []
    for i, record in enumerate(source.fetch(brand, start, end, options)):
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        lines.extend([line, line] if i % 50 == 0 else [line])
    return lines


@pytest.mark.parametrize("brand_id", ["pebble", "fernleaf"])
def test_demo_days_come_out_the_same(tmp_path: Path, brand_id: str) -> None:
    brand = BRANDS.get(brand_id)
    scorer = scorer_for(brand)
    start = datetime(2026, 10, 21, tzinfo=UTC)  # Pebble's outage is on the 22nd
    for day in range(3):
        lo, hi = start + timedelta(days=day), start + timedelta(days=day + 1)
        # One day's batch, landed with the neighbouring hours (outside the interval:
        # quarantined) and with lines that are not demo records.
        lines = demo_lines(brand, lo - timedelta(hours=1), hi + timedelta(hours=1))
        lines[5:5] = ["not json", "[1, 2]", '{"id": "12", "text": "no author"}', " "]
        batch = land_lines(tmp_path / str(day), brand_id, lo, hi, lines)
        new = loading.score_batch(batch, brand, scorer)
        assert_same(new, score_batch_rowwise(batch, brand, scorer))
        assert len(new.posts) > 500 and len(new.quarantine) > 10
        assert set(new.posts["kind"]) == {"original", "repost", "copy", "spam", "brand_reply"}


def test_the_bulk_reader_takes_clean_records_and_leaves_the_rest(tmp_path: Path) -> None:
    brand = BRANDS.get("pebble")
    good = json.loads(bad.line(id="5"))
    lines = [
        json.dumps(good),
        json.dumps({**good, "id": ""}),  # to_post: "id: must be a non-empty string"
        json.dumps({**good, "created_at": "2026-10-21T12:30:00"}),  # no zone
        json.dumps({**good, "author": {**good["author"], "followers": 1.0}}),  # a float
        json.dumps({**good, "in_reply_to": {}}),  # an empty mapping: to_post reads no reply
        json.dumps({**good, "lang": ""}),  # empty: None, as to_post gives it
    ]
    columns = read_columns(lines, brand)
    assert columns.rows.tolist() == [0, 5]
    assert columns.lang == ["en", None]


@bad.budget(80)
@given(lines=bad.batches)
def test_hostile_batches_come_out_the_same(lines: list[bytes]) -> None:
    scorer = _scorer()
    with tempfile.TemporaryDirectory() as tmp:
        batch = bad.land(Path(tmp), lines)
        new = loading.score_batch(batch, bad.BRAND, scorer)
        assert_same(new, score_batch_rowwise(batch, bad.BRAND, scorer))


def test_the_crashers_come_out_the_same(tmp_path: Path) -> None:
    scorer = _scorer()
    for n, lines in enumerate([*bad.CRASHERS, [bad.line(id=str(i)) for i in range(3)] * 2]):
        batch = bad.land(tmp_path / str(n), lines)
        new = loading.score_batch(batch, bad.BRAND, scorer)
        assert_same(new, score_batch_rowwise(batch, bad.BRAND, scorer))


def test_every_hostile_value_comes_out_the_same(tmp_path: Path) -> None:
    """Each hostile value of the bad-input suite in a record of its own, in one batch,
    with valid records (and repeats of them) between."""
    lines: list[bytes] = []
    hostile = [
        *({"text": t} for t in bad.HOSTILE_TEXTS),
        *({"created_at": t} for t in bad.HOSTILE_TIMES),
        *({"id": i} for i in ["", "-1", "12a", "1" * 300, "\x00", "\ud800", "\u0663", 7, None]),
        *({"lang": v} for v in ["", "English", None, 3]),
        *({"author": {"id": "a", "handle": "h", "followers": f}} for f in [-1, 2**63, 1.0, True]),
        *({"author": {"id": "", "handle": "h", "followers": 1}}, {"author": None}),
        *({"in_reply_to": v} for v in [{}, {"post_id": "1"}, {"post_id": "", "author_id": "a"}]),
        {"in_reply_to": {"post_id": "9", "author_id": "a9", "more": [1.5, None]}},
        {"repost_of": ""},
        {"url": "https://example.com/x", "conversation_id": "c1", "extra": float("nan")},
    ]
    for n, fields in enumerate(hostile):
        lines.append(bad.line(**{"id": str(100 + n), **fields}))
        lines.append(bad.line(id=str(n % 7), text=f"valid post {n % 7} about the app"))
    scorer = _scorer()
    batch = bad.land(tmp_path, lines)
    new = loading.score_batch(batch, bad.BRAND, scorer)
    assert_same(new, score_batch_rowwise(batch, bad.BRAND, scorer))
    assert len(new.quarantine) > 20 and new.duplicates > 30
    # 2**63 followers: quarantined (it once wrapped around to a negative count, 2**64 failed
    # the load)
    assert "author_followers: 9223372036854775808 is more than the warehouse holds" in set(
        new.quarantine["reason"]
    )


def test_carriage_returns_and_bad_bytes_split_and_read_as_before(tmp_path: Path) -> None:
    """A file with carriage returns is read as text (which breaks lines there too); bytes
    that are not UTF-8 read as U+FFFD either way."""
    scorer = _scorer()
    valid = [bad.line(id=str(i), text=f"post {i} about the app") for i in range(4)]
    files = {
        "crlf": b"\r\n".join(valid) + b"\r\n",
        "cr inside": valid[0] + b"\r" + valid[1] + b"\n" + valid[2] + b"\n",
        "bad bytes": b"\n".join([*valid, b'{"id": "9", "text": "\xff\xfe"}', b"\xc3\x28"]),
    }
    for name, data in files.items():
        path = tmp_path / name / "batch.jsonl"
        path.parent.mkdir()
        path.write_bytes(data)
        batch = landing.Batch("demo", bad.BRAND.id, bad.START, bad.END, path, 0)
        new = loading.score_batch(batch, bad.BRAND, scorer)
        assert_same(new, score_batch_rowwise(batch, bad.BRAND, scorer))
        assert len(new.posts) == 4 if name != "cr inside" else len(new.posts) == 3, name


def _scorer() -> Scorer:
    return scorer_for(bad.BRAND)


@bad.budget(300)
@given(text=st.one_of(st.text(alphabet=st.characters(max_codepoint=127)), bad.texts))
def test_fingerprints_are_the_regular_expressions_answer(text: object) -> None:
    if isinstance(text, str):
        assert fingerprint(text) == _fingerprint(text)


# --------------------------------------------------------------------------------------
# X: the bulk reader (pipeline.ingest.sources.x_columns) against XSource.to_post


def x_line(tweet: dict[str, Any] | None = None, **record: Any) -> bytes:
    """A valid landed X record, its tweet's fields and the record's own replaced."""
    base: dict[str, Any] = {
        "tweet": {
            "id": "1",
            "author_id": "u1",
            "text": "the app keeps crashing since the update",
            "created_at": "2026-10-21T12:30:00.000Z",
            "lang": "en",
            "conversation_id": "1",
            **(tweet or {}),
        },
        "author": {"id": "u1", "username": "someone", "public_metrics": {"followers_count": 120}},
        **record,
    }
    return json.dumps(base, ensure_ascii=False).encode("utf-8", "surrogatepass")


def land_x(folder: Path, lines: list[bytes]) -> landing.Batch:
    path = landing.batch_path(folder, "x", bad.BRAND.id, bad.START, bad.END)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return landing.Batch("x", bad.BRAND.id, bad.START, bad.END, path, len(lines))


REPLY = [{"type": "replied_to", "id": "7"}]
X_TWEET_VALUES: dict[str, list[Any]] = {
    "id": ["", "-1", "12a", "\u0663", "\ud800", 7, None],
    "author_id": ["", None, 5, "\ud800"],
    "text": [*bad.HOSTILE_TEXTS[:8], None, 3],
    "created_at": [*bad.HOSTILE_TIMES, "2026-10-21T12:30:00Z", "2026-10-21T14:30:00+02:00"],
    "lang": ["", "und", "English", None, 3, "es"],
    "conversation_id": ["", None, 4, "c9"],
    "in_reply_to_user_id": ["", None, 4, "u9"],
    "referenced_tweets": [
        None, [], REPLY, [{"type": "retweeted", "id": "8"}],
        [*REPLY, {"type": "replied_to", "id": "9"}], [{"type": "", "id": "7"}],
        [{"type": "quoted"}], [{"id": "7"}], "7", [3], {"a": 1},
    ],
}  # fmt: skip
X_AUTHORS: list[Any] = [
    None, {}, [], "u1",
    {"id": "u1", "username": "pebblecares"},  # the brand's own account: a brand reply
    {"id": "u1", "username": "PebbleMobile", "public_metrics": None},
    {"id": "u2", "username": "someone"},  # not the tweet's author
    {"id": "", "username": "someone"}, {"id": "u1", "username": ""}, {"id": "u1"},
    *({"id": "u1", "username": "h", "public_metrics": {"followers_count": f}}
      for f in [-1, 0, 2**63 - 1, 2**63, 2**64, 1.0, True, None, "9"]),
    {"id": "u1", "username": "h", "public_metrics": {}},
    {"id": "u1", "username": "h", "public_metrics": [1]},
]  # fmt: skip


def test_x_hostile_values_come_out_the_same(tmp_path: Path) -> None:
    """Each hostile value of an X record in a record of its own, valid records and repeats
    between: the bulk reader plus ``to_post`` give what ``to_post`` alone gives."""
    lines: list[bytes] = []
    variants: list[bytes] = [
        *(
            x_line({"id": str(100 + k), name: v})  # each its own post id (none a duplicate)
            for k, (name, v) in enumerate(
                (name, v) for name, values in X_TWEET_VALUES.items() for v in values
            )
        ),
        *(x_line({"id": str(200 + i)}, author=a) for i, a in enumerate(X_AUTHORS)),
        b'{"tweet": null}', b'{"author": null}', b"[1, 2]", b"", b"not json",
    ]  # fmt: skip
    for n, variant in enumerate(variants):
        lines.append(variant)
        lines.append(x_line({"id": str(n % 7), "text": f"valid post {n % 7} about the app"}))
    assert_hostile_batch_same(land_x(tmp_path, lines), len(lines), x_read_columns)


@bad.budget(60)
@given(
    picks=st.lists(
        st.tuples(
            st.dictionaries(
                st.sampled_from(sorted(X_TWEET_VALUES)), st.integers(0, 10), max_size=3
            ),
            st.integers(-1, len(X_AUTHORS) - 1),
            st.integers(0, 20),
        ),
        max_size=25,
    )
)
def test_x_batches_come_out_the_same(picks: list[tuple[dict[str, int], int, int]]) -> None:
    lines = []
    for changes, author, post in picks:
        tweet = {
            name: X_TWEET_VALUES[name][i % len(X_TWEET_VALUES[name])] for name, i in changes.items()
        }
        tweet.setdefault("id", str(post))
        extra = {} if author < 0 else {"author": X_AUTHORS[author]}
        lines.append(x_line(tweet, **extra))
    scorer = _scorer()
    with tempfile.TemporaryDirectory() as tmp:
        batch = land_x(Path(tmp), lines)
        new = loading.score_batch(batch, bad.BRAND, scorer)
        assert_same(new, score_batch_rowwise(batch, bad.BRAND, scorer))


# --------------------------------------------------------------------------------------
# Bluesky: the bulk reader (pipeline.ingest.sources.bluesky_columns) against to_post

DID = "did:plc:abc123"


def bsky_line(
    n: int, post: dict[str, Any] | None = None, record: dict[str, Any] | None = None, **raw: Any
) -> bytes:
    """A valid landed Bluesky record (post key ``k<n>``), its fields replaced."""
    base: dict[str, Any] = {
        "post": {
            "uri": f"at://{DID}/app.bsky.feed.post/k{n}",
            "cid": "c",
            "author": {"did": DID, "handle": "someone.bsky.social"},
            "record": {
                "$type": "app.bsky.feed.post",
                "text": f"the app keeps crashing since update {n % 7}",
                "createdAt": "2026-10-21T12:30:00.000Z",
                "langs": ["en"],
                **(record or {}),
            },
            "indexedAt": "2026-10-21T12:30:01.000Z",
            **(post or {}),
        },
        "profile": {"followersCount": 12},
        **raw,
    }
    return json.dumps(base, ensure_ascii=False).encode("utf-8", "surrogatepass")


PARENT = {"uri": f"at://{DID}/app.bsky.feed.post/p1"}
BSKY_POST_VALUES: dict[str, list[Any]] = {
    "uri": ["", None, 3, "at://did:plc:x/app.bsky.feed.post/", "https://bsky.app/x", "\ud800"],
    "author": [
        None, {}, {"did": DID}, {"did": "", "handle": "h"}, {"did": DID, "handle": ""},
        {"did": DID, "handle": "handle.invalid"}, {"did": DID, "handle": "PebbleCares.bsky.social"},
        {"did": DID, "handle": "pebblemobile"}, {"did": 3, "handle": "h"},
    ],
    "record": [None, [], {}, {"text": ""}, {"text": 3}, {"text": "only text, no time"}],
    "indexedAt": [None, "", "2026-10-21T12:40:00Z", "2026-10-21T12:40:00", 5],
}  # fmt: skip
BSKY_RECORD_VALUES: dict[str, list[Any]] = {
    "text": [*bad.HOSTILE_TEXTS[:8], None, 3],
    "createdAt": [*bad.HOSTILE_TIMES, None, 7, "2026-10-21T14:30:00+02:00"],
    "langs": [None, [], [""], ["es", "en"], "en", [3], ["en", None]],
    "reply": [
        None, {}, {"root": PARENT}, {"root": PARENT, "parent": PARENT},
        {"root": {}, "parent": PARENT},
        {"root": PARENT, "parent": {"uri": "not-at"}}, {"root": {"uri": ""}, "parent": PARENT},
        {"root": PARENT, "parent": {"uri": "at://did:plc:zz/x/y"}}, "r", [PARENT],
    ],
}  # fmt: skip
BSKY_PROFILES: list[Any] = [
    None, {}, [], "p", {"followersCount": None}, {"followersCount": True},
    *({"followersCount": f} for f in [-1, 0, 2**63 - 1, 2**63, 2**64, 1.0, "9"]),
]  # fmt: skip


def land_as(folder: Path, source: str, lines: list[bytes]) -> landing.Batch:
    path = landing.batch_path(folder, source, bad.BRAND.id, bad.START, bad.END)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return landing.Batch(source, bad.BRAND.id, bad.START, bad.END, path, len(lines))


def test_bluesky_hostile_values_come_out_the_same(tmp_path: Path) -> None:
    variants: list[bytes] = [b'{"post": null}', b'{"profile": {}}', b"[1]", b"", b"{"]
    n = 100
    for name, values in BSKY_POST_VALUES.items():
        for value in values:
            variants.append(bsky_line(n, {name: value}))
            n += 1
    for name, values in BSKY_RECORD_VALUES.items():
        for value in values:
            variants.append(bsky_line(n, record={name: value}))
            n += 1
    for profile in BSKY_PROFILES:
        variants.append(bsky_line(n, profile=profile))
        n += 1
    lines: list[bytes] = []
    for i, variant in enumerate(variants):
        lines += [variant, bsky_line(i % 7)]  # valid posts, repeated
    assert_hostile_batch_same(land_as(tmp_path, "bluesky", lines), len(lines), bsky_read_columns)


# --------------------------------------------------------------------------------------
# Mastodon: the bulk reader (pipeline.ingest.sources.mastodon_columns) against to_post


def toot(n: int, reblog: Any = None, account: Any = None, **status: Any) -> bytes:
    """A valid landed Mastodon Status (id ``1000 + n``), its fields replaced."""
    base: dict[str, Any] = {
        "id": str(1000 + n),
        "created_at": "2026-10-21T12:30:00.000Z",
        "account": account
        if account is not None
        else {"id": "77", "acct": "someone@mastodon.example", "followers_count": 12},
        "content": f"<p>the app keeps crashing since update {n % 7} <a href='x'>#pebble</a></p>",
        "language": "en",
        "url": f"https://mastodon.example/@someone/{1000 + n}",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": reblog,
        **status,
    }
    return json.dumps(base, ensure_ascii=False).encode("utf-8", "surrogatepass")


BOOSTED = {"id": "55", "content": "<p>boosted &amp; shared</p>", "language": "de", "url": "u"}
TOOT_VALUES: dict[str, list[Any]] = {
    "id": ["", None, 7, "\ud800"],
    "created_at": [*bad.HOSTILE_TIMES, None, 5, "2026-10-21T14:30:00+02:00"],
    "content": [
        *bad.HOSTILE_TEXTS[:8], None, 3, "", "<p></p>", "plain words, no tags",
        "<p>a<br>b</p><p>c &lt;d&gt; &#xd800; &bogus;</p>", "<p>unclosed <a href='x",
        "<script>x</script>", "  <p> \t \n</p>  ",
    ],
    "language": ["", None, 3, "es"],
    "url": ["", None, 3],
    "in_reply_to_id": ["", None, 3, "900"],
    "in_reply_to_account_id": ["", None, 3, "901"],
    "reblog": [
        None, {}, [], "r", BOOSTED, {**BOOSTED, "id": ""}, {**BOOSTED, "content": None},
        {**BOOSTED, "language": None, "url": ""}, {**BOOSTED, "language": 3},
    ],
    "account": [
        {}, [], "a", {"id": "77"}, {"id": "", "acct": "a"}, {"id": "77", "acct": ""},
        {"id": "77", "acct": "PebbleCares"}, {"id": "77", "acct": "pebblemobile@mastodon.social"},
        *({"id": "77", "acct": "a", "followers_count": f}
          for f in [None, -1, 0, 2**63 - 1, 2**63, 2**64, 1.0, True, "9"]),
    ],
}  # fmt: skip


def test_mastodon_hostile_values_come_out_the_same(tmp_path: Path) -> None:
    variants: list[bytes] = [b'{"id": "1"}', b"[1]", b"", b"{", b"null"]
    n = 100
    for name, values in TOOT_VALUES.items():
        for value in values:
            variants.append(toot(n, **{name: value}))
            n += 1
    lines: list[bytes] = []
    for i, variant in enumerate(variants):
        lines += [variant, toot(i % 7)]  # valid posts, repeated
    batch = land_as(tmp_path, "mastodon", lines)
    assert_hostile_batch_same(batch, len(lines), mastodon_read_columns)


@bad.budget(60)
@given(
    picks=st.lists(
        st.tuples(
            st.dictionaries(st.sampled_from(sorted(TOOT_VALUES)), st.integers(0, 30), max_size=3),
            st.integers(0, 20),
            bad.texts,
        ),
        max_size=25,
    )
)
def test_mastodon_batches_come_out_the_same(picks: list[tuple[dict[str, int], int, Any]]) -> None:
    lines = []
    for changes, n, content in picks:
        status = {
            name: TOOT_VALUES[name][i % len(TOOT_VALUES[name])] for name, i in changes.items()
        }
        status.setdefault("content", content)
        lines.append(toot(n, **status))
    scorer = _scorer()
    with tempfile.TemporaryDirectory() as tmp:
        batch = land_as(Path(tmp), "mastodon", lines)
        new = loading.score_batch(batch, bad.BRAND, scorer)
        assert_same(new, score_batch_rowwise(batch, bad.BRAND, scorer))


# --------------------------------------------------------------------------------------
# Files: the bulk reader (pipeline.ingest.sources.files_columns) against FileSource.to_post

FILE_BRANDS = parse_brands(
    yaml.safe_load("""
brands:
  - {id: acme, name: Acme, timezone: UTC, accounts: ["@AcmeHelp"], terms: [acme],
     overrides: {history: {start: 2026-01-01}}, sources: {file: {folder: imports}}}
  - {id: dated, name: Dated, timezone: UTC, accounts: ["@DatedHelp"], terms: [dated],
     overrides: {history: {start: 2026-01-01}},
     sources: {file: {folder: imports, time_format: "%d/%m/%Y %H:%M"}}}
"""),
    Path("brands.yaml"),
)
IMPORTED_AT = datetime(2026, 11, 1, tzinfo=UTC)


def file_row(n: int, row: Any = None, **mapped: Any) -> bytes:
    """A landed file row (row ``n``) whose mapped values are valid, ``mapped`` replacing them."""
    values: dict[str, Any] = {
        "post_id": str(500 + n),
        "created_at": "2026-10-21T12:30:00Z",
        "text": f"the app keeps crashing since update {n % 7}",
        "author_handle": "@someone",
        "author_followers": "12",
        **mapped,
    }
    landed = {"file": "f.csv", "row_no": n, "post_id": values.get("post_id"), "mapped": values}
    landed["row"] = row if row is not None else dict(values)
    return json.dumps(landed, ensure_ascii=False).encode("utf-8", "surrogatepass")


FILE_VALUES: dict[str, list[Any]] = {
    "post_id": [None, "", " ", "617.0", "6.17e2", "617.5", 617, 6.5, True, [1], "\ud800", "x y"],
    "created_at": [
        *bad.HOSTILE_TIMES, None, True, 1792000000, 1792000000123, "1792000000", 1e300,
        "Wed Oct 21 12:30:00 +0000 2026", "Wed, 21 Oct 2026 12:30:00 +0000", "21/10/2026 12:30",
        "2026-10-21 12:30:00", [1], {"a": 1},
    ],
    "text": [*bad.HOSTILE_TEXTS[:8], None, 3, ""],
    "author_handle": [None, "", "  ", "@AcmeHelp", "datedhelp", 5, "@"],
    "author_followers": [None, "", "x", "-1", "1.5", "9" * 40, 2**63, 2**63 - 1, 3.0, True],
    "author_id": [None, "", 12.0, "a1"],
    "lang": [None, "", " es ", 3],
    "url": [None, "", "https://x.example/1"],
    "conversation_id": [None, "", "12.5", "c"],
    "in_reply_to_post_id": [None, "7", 7.0],
}  # fmt: skip


def land_file_rows(folder: Path, brand: str, lines: list[bytes]) -> landing.Batch:
    path = folder / "part-00000.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return landing.Batch("file", brand, EARLIEST_POST, LATEST_POST, path, len(lines))


def assert_file_batch_same(batch: landing.Batch) -> loading.ScoredBatch:
    brand = FILE_BRANDS.get(batch.brand)
    scorer = scorer_for(brand)
    new = loading.score_batch(batch, brand, scorer, as_of=IMPORTED_AT)
    assert_same(new, score_batch_rowwise(batch, brand, scorer, as_of=IMPORTED_AT))
    return new


@pytest.mark.parametrize("brand_id", ["acme", "dated"])
def test_file_hostile_values_come_out_the_same(tmp_path: Path, brand_id: str) -> None:
    variants: list[bytes] = [
        b'{"file": "f.csv", "row_no": 0, "error": "file: not UTF-8 text"}',
        b'{"file": "f.csv", "row_no": 1, "row": {"__unparseable__": "line 2: bad quote"}}',
        file_row(90, row={"__unparseable__": None}),  # a mapped row that says it failed
        file_row(91, row=[1]), file_row(92, error=None),
        b'{"row": {}, "mapped": null}', b'{"mapped": [1]}', b"[1]", b"", b"{",
    ]  # fmt: skip
    n = 100
    for name, values in FILE_VALUES.items():
        for value in values:
            variants.append(file_row(n, **{name: value}))
            n += 1
    lines: list[bytes] = []
    for i, variant in enumerate(variants):
        lines += [variant, file_row(i % 7)]  # valid rows, repeated
    new = assert_file_batch_same(land_file_rows(tmp_path, brand_id, lines))
    assert len(new.quarantine) > 30 and new.duplicates > 30
    taken = files_read_columns(lines, FILE_BRANDS.get(brand_id))
    assert len(taken) > len(lines) // 2  # the valid ones went the bulk way
    assert "brand_reply" in set(new.posts["kind"])


@bad.budget(60)
@given(
    picks=st.lists(
        st.tuples(
            st.dictionaries(st.sampled_from(sorted(FILE_VALUES)), st.integers(0, 30), max_size=3),
            st.integers(0, 20),
            bad.wrong_types | bad.texts,
        ),
        max_size=25,
    ),
    brand_id=st.sampled_from(["acme", "dated"]),
)
def test_file_batches_come_out_the_same(
    picks: list[tuple[dict[str, int], int, Any]], brand_id: str
) -> None:
    lines = []
    for changes, n, value in picks:
        mapped = {
            name: FILE_VALUES[name][i % len(FILE_VALUES[name])] for name, i in changes.items()
        }
        mapped.setdefault("text", value)
        lines.append(file_row(n, **mapped))
    with tempfile.TemporaryDirectory() as tmp:
        assert_file_batch_same(land_file_rows(Path(tmp), brand_id, lines))
