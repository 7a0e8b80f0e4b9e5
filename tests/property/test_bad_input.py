"""Bad input, property-based: whatever a source lands, every record is stored, counted as a
duplicate or quarantined with a reason, the counts reconcile, scores stay in range, and
nothing crashes.

Records have the demo source's shape (what :mod:`pipeline.ingest.sources.demo.source` lands)
with hostile values: invalid UTF-8, lone surrogates, empty and 1 MB text, NUL, control and
bidi characters, long emoji sequences, HTML and script, timestamps far in the future or
past, missing fields and wrong types, and lines that are not JSON objects at all."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.config.model import BrandConfig
from pipeline.ingest import landing
from pipeline.ingest.sources.registry import get_parser
from pipeline.posts.normalize import normalize_batch
from pipeline.scoring.scorer import default_scorer
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import loading
from pipeline.steps.brands import load_brands
from pipeline.warehouse import connection

START = datetime(2026, 10, 21, 12, tzinfo=UTC)
END = START + timedelta(hours=1)
BRAND: BrandConfig = load_brands(PROJECT_ROOT / "brands.yaml").get("pebble")

HOSTILE_TEXTS = [
    "",
    "   ",
    "\x00",
    "broken\x00network\x00again",
    "\x1b[31mred alert\x1b[0m \x07\x08\x7f\x85",
    "\u202eworks fine\u202c \u2066isolate\u2069 \u200f\u200e",
    "\u200b\u200b\ufeff",
    "<script>alert('x')</script> my bill doubled",
    "<img src=x onerror=\"fetch('//evil')\"> &amp; &lt;b&gt;",
    "👍" * 5_000,
    "👨\u200d👩\u200d👧\u200d👦" * 2_000,
    "🏳️\u200d🌈🇺🇸🇬🇧" * 1_000,
    "x" * 1_000_000,  # 1 MB
    "a" * 25_000,
    "\ud800 lone surrogate",
    "ok \udfff",
    "Z\u0351\u0352\u0357\u0358" * 500,  # combining marks
    "line one\nline two\r\n\u2028\u2029",
]

HOSTILE_TIMES = [
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
    "2026-10-21T12:30:00",  # no zone
    "2026-10-21T12:30:00Z",
    "2026-13-45T99:99:99Z",
    "yesterday",
    "",
]

wrong_types = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)

texts = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(max_size=300),
    st.text(st.characters(categories=["Cc", "Cf", "Cs", "So", "Zl", "Zp"]), max_size=50),
    wrong_types,
)

inside = st.datetimes(
    min_value=START.replace(tzinfo=None),
    max_value=(END - timedelta(seconds=1)).replace(tzinfo=None),
).map(lambda d: d.replace(tzinfo=UTC).isoformat())
times = st.one_of(
    inside,
    inside,  # most posts are on time
    st.sampled_from(HOSTILE_TIMES),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    wrong_types,
)

ids = st.one_of(
    st.integers(min_value=1, max_value=40).map(str),  # few ids: repeats happen
    st.sampled_from(["", "-1", "12a", "1" * 300, "\x00", "\ud800"]),
    wrong_types,
)


def mostly(valid: Any, hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually ``valid``, sometimes a hostile value: bad values deep in valid records."""
    return st.one_of(st.just(valid), st.just(valid), hostile)


authors = st.one_of(
    st.fixed_dictionaries(
        {
            "id": mostly("a1", st.one_of(wrong_types, st.text(max_size=5))),
            "handle": mostly("someone", st.one_of(st.sampled_from(HOSTILE_TEXTS[:9]), wrong_types)),
            "followers": mostly(
                120,
                st.one_of(st.integers(min_value=-(2**65), max_value=2**65), wrong_types),
            ),
        }
    ),
    wrong_types,
)

optional = st.one_of(st.none(), st.text(max_size=20), wrong_types)
langs = st.one_of(
    st.sampled_from(["en", "es", "und", "pt-BR", "English", "EN", "", "e", "12", "xx-"]),
    st.none(),
    wrong_types,
)

HOSTILE = {
    "id": ids,
    "created_at": times,
    "author": authors,
    "text": texts,
    "lang": langs,
    "url": optional,
    "in_reply_to": st.one_of(
        st.none(), st.fixed_dictionaries({"post_id": optional, "author_id": optional}), wrong_types
    ),
    "repost_of": optional,
}


@st.composite
def records(draw: st.DrawFn) -> Any:
    """A record as the demo source lands it, with a few hostile values or fields left out."""
    record: dict[str, Any] = {
        "id": str(draw(st.integers(min_value=1, max_value=40))),  # few ids: repeats happen
        "created_at": draw(inside),
        "author": draw(authors),
        "text": "the app keeps crashing since the update",
        "lang": "en",
        "url": None,
        "in_reply_to": None,
        "repost_of": None,
    }
    for name in draw(st.sets(st.sampled_from(sorted(HOSTILE)), min_size=1, max_size=3)):
        record[name] = draw(HOSTILE[name])
    missing = draw(
        st.one_of(st.just(()), st.just(()), st.lists(st.sampled_from(sorted(HOSTILE)), max_size=2))
    )
    for name in missing:
        record.pop(name, None)
    return record


#: Lines that are not a JSON object (each still one landed record).
raw_lines = st.sampled_from(
    [
        b"\xff\xfe not utf-8 \xc3\x28",
        b'{"id": "7", "text": "\xed\xa0\x80 surrogate bytes", "created_at": "2026-10-21T12:00Z"}',
        b"not json at all",
        b'{"truncated": ',
        b"[1, 2, 3]",
        b"null",
        b"42",
        b'"just a string"',
        b"\x00\x00\x00",
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's recursion limit
    ]
)

batches = st.lists(
    st.one_of(records().map(lambda r: json.dumps(r).encode("ascii")), raw_lines),
    min_size=1,
    max_size=8,
)


def line(**fields: Any) -> bytes:
    """A valid demo record with ``fields`` changed, as a landed line."""
    record = {
        "id": "1",
        "created_at": "2026-10-21T12:30:00+00:00",
        "author": {"id": "a1", "handle": "someone", "followers": 120},
        "text": "the app keeps crashing since the update",
        "lang": "en",
        **fields,
    }
    return json.dumps(record).encode("ascii")


#: Inputs that crashed a load once (kept as explicit examples).
CRASHERS = [
    [line(created_at="0001-01-01T00:00:00+14:00")],  # OverflowError converting to UTC
    [line(created_at="9999-12-31T23:59:59-14:00")],
    [line(id="\ud800", text="")],  # a lone surrogate in a quarantined record
    [b"[" * 100_000 + b"]" * 100_000, line()],  # RecursionError decoding the first line
    [
        line(text="\ud800 lone surrogate"),
        line(id="2", author={"id": "a", "handle": "x\udfff", "followers": 1}),
    ],
]


def land(folder: Path, lines: list[bytes]) -> landing.Batch:
    path = landing.batch_path(folder, "demo", BRAND.id, START, END)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return landing.Batch("demo", BRAND.id, START, END, path, len(lines))


def budget(n: int) -> settings:
    """Hypothesis settings for ``n`` generated examples: no deadline, no example database,
    large and slow batches allowed."""
    return settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One warehouse for all examples (a fresh one per example costs its migrations)."""
    folder = tmp_path_factory.mktemp("bad-input")
    return Settings.from_env(
        {"BRANDPULSE_HOME": str(folder), "BRANDPULSE_BRANDS": str(PROJECT_ROOT / "brands.yaml")}
    )


def check_scores(posts: pd.DataFrame) -> None:
    if not len(posts):
        return
    assert posts["compound"].between(-1, 1).all()
    assert posts["complaint_score"].between(0, 1).all()
    for column in ("pos", "neu", "neg"):
        assert posts[column].between(0, 1).all()
    assert posts["text"].str.len().between(1, 25_000).all()
    assert not posts["text"].str.contains("\x00", regex=False).any()


@budget(60)
@given(lines=batches)
@example(lines=CRASHERS[0])
@example(lines=CRASHERS[1])
@example(lines=CRASHERS[2])
@example(lines=CRASHERS[3])
@example(lines=CRASHERS[4])
def test_every_record_is_scored_or_quarantined_with_a_reason(lines: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        batch = land(Path(tmp), lines)
        posts, quarantine, result = loading.score_posts(batch, BRAND, default_scorer())
    assert result.fetched == len(lines)
    assert result.loaded + result.duplicates + result.quarantined == result.fetched
    assert (len(posts), len(quarantine)) == (result.loaded, result.quarantined)
    assert all(isinstance(r, str) and r for r in quarantine["reason"])
    assert quarantine["record_no"].is_unique
    assert posts["post_id"].is_unique
    check_scores(posts)


@budget(15)
@given(lines=batches)
@example(lines=CRASHERS[2])
@example(lines=CRASHERS[3])
@example(lines=CRASHERS[4])
def test_a_load_stores_or_quarantines_every_record(home: Settings, lines: list[bytes]) -> None:
    # Every example reloads the same interval of one warehouse: each load replaces the last.
    result = loading.load(land(home.landing, lines), home)
    con = connection.connect(home.warehouse, read_only=True)
    try:
        stored = con.execute("select count(*) from posts").fetchall()[0][0]
        quarantined, empty_reasons = con.execute(
            "select count(*), count(*) filter (where reason = '') from quarantine"
        ).fetchall()[0]
        ledger = con.execute(
            "select fetched, loaded, duplicates, quarantined from load_runs"
        ).fetchall()
    finally:
        con.close()
    assert stored + result.duplicates + quarantined == len(lines)
    assert empty_reasons == 0
    assert ledger == [(len(lines), stored, result.duplicates, quarantined)]


def test_normalize_quarantines_out_of_range_times_and_lone_surrogates() -> None:
    records = [
        json.loads(line(created_at="0001-01-01T00:00:00+14:00")),
        json.loads(line(id="2", author={"id": "a", "handle": "x\udfff", "followers": 1})),
        json.loads(line(id="\ud800", text="")),
        json.loads(line(id="4", text="fine \ud800 mostly")),
    ]
    batch = normalize_batch(get_parser("demo"), BRAND, records, START, END)
    reasons = {r.record_no: r.reason for r in batch.rejected}
    assert reasons == {
        0: "created_at: out of range in UTC: '0001-01-01T00:00:00+14:00'",
        1: "author_handle: not valid Unicode (a lone surrogate)",
        2: "id: must be a numeric string, got '\\ud800'",  # repr() escapes it
    }
    assert batch.rejected[2].post_id == "\ufffd"  # stored as the replacement character
    assert "\\ud800" not in batch.rejected[2].raw and "\ufffd" in batch.rejected[2].raw
    [post] = batch.posts
    assert post.text == "fine \ufffd mostly"
