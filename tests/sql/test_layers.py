"""SQL tier: the analyst layer (the staging and intermediate views and the marts of
sql/models/). Each mart equals a plain recomputation from ``posts``; every model's
declared key is unique and not null; the layers read only what their header says."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest

from pipeline import timeutil
from pipeline.settings import PROJECT_ROOT
from pipeline.warehouse import connection, loads, marts, responses

SQL = PROJECT_ROOT / "sql"
T0 = datetime(2026, 10, 20, tzinfo=UTC)
SPAN = timedelta(days=3)
ZONES = {"pebble": "America/New_York", "fernleaf": "Europe/London"}
HEADER = re.compile(
    r"^-- model: (?P<name>\w+)\n"
    r"-- layer: (?P<layer>\w+).*\n(?:--  .*\n)*"
    r"-- grain: .+\n(?:--  .*\n)*"
    r"-- key: (?P<key>[\w, ]+)\n"
    r"-- inputs: (?P<inputs>[\w, ]+)\n"
    r"-- columns: ",
    re.MULTILINE,
)
LAYERS = ("staging", "intermediate", "mart")
STORED = ("posts", "quarantine")  # the tables staging reads


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    key: tuple[str, ...]
    inputs: tuple[str, ...]
    body: str  # the SQL after the header


def _models() -> dict[str, Model]:
    sources = [SQL / "models" / layer for layer in ("staging", "intermediate", "marts")]
    sources = [path for folder in sources for path in sorted(folder.glob("*.sql"))]
    models = {}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        matches = list(HEADER.finditer(text))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            models[m["name"]] = Model(
                m["name"],
                m["layer"],
                tuple(c.strip() for c in m["key"].split(",")),
                tuple(c.strip() for c in m["inputs"].split(",")),
                text[m.end() : end],
            )
    return models


MODELS = _models()


# --------------------------------------------------------------------------------------
# A small warehouse: two brands, every kind of post, replies direct, in thread, too early
# and in another source, local days that differ from UTC days.
# --------------------------------------------------------------------------------------


def _local_day(brand: str, at: datetime) -> date:
    return at.astimezone(ZoneInfo(ZONES[brand])).date()


def _post(rng: random.Random, n: int, brand: str, at: datetime, **kw: Any) -> dict[str, Any]:
    sentiment = rng.choice(["positive", "neutral", "negative"])
    compound = round(rng.uniform(-1, 1), 4)
    row: dict[str, Any] = {
        "source": rng.choice(["demo", "x"]), "post_id": f"p{n}", "brand": brand,
        "created_at": timeutil.naive_utc(at), "brand_day": _local_day(brand, at),
        "author_id": f"a{rng.randrange(40)}", "author_handle": "", "author_followers":
        rng.choice([0, 3, 120, 5_000, 250_000]), "text": f"post {n}", "lang": "en",
        "url": f"https://x.example/{n}", "conversation_id": f"p{n}", "in_reply_to_post_id": None,
        "in_reply_to_author_id": None, "repost_of": None, "is_brand_reply": False,
        "kind": rng.choices(["original", "repost", "copy", "spam"], [8, 1, 1, 1])[0],
        "duplicate_of": None, "text_fingerprint": f"f{n}", "compound": compound, "pos": 0.0,
        "neu": 1.0, "neg": 0.0, "sentiment_compound": compound, "sentiment": sentiment,
        "is_complaint": rng.random() < 0.4,
        "complaint_score": 0.0, "complaint_category": None, "model_version": "test",
        "copy_candidate": False,
    }  # fmt: skip
    if row["is_complaint"]:
        row["complaint_score"] = 0.8
        row["complaint_category"] = rng.choice(["billing", "outage", None])
    row["author_handle"] = f"h{row['author_id']}"
    row.update(kw)
    return row


def _reply(
    rng: random.Random, n: int, to: dict[str, Any], delay: timedelta, thread: bool
) -> dict[str, Any]:
    at = to["created_at"].replace(tzinfo=UTC) + delay
    links = (
        {"in_reply_to_post_id": f"follow-up-of-{to['post_id']}",
         "in_reply_to_author_id": to["author_id"], "conversation_id": to["conversation_id"]}
        if thread
        else {"in_reply_to_post_id": to["post_id"], "in_reply_to_author_id": to["author_id"],
              "conversation_id": to["conversation_id"]}
    )  # fmt: skip
    return _post(
        rng, n, to["brand"], at, source=to["source"], kind="brand_reply", is_brand_reply=True,
        author_id=f"care-{to['brand']}", author_handle=f"{to['brand']}_care",
        is_complaint=False, complaint_category=None, **links,
    )  # fmt: skip


def _posts() -> list[dict[str, Any]]:
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    for n in range(360):
        brand = rng.choice(list(ZONES))
        at = T0 + timedelta(seconds=rng.randrange(int(SPAN.total_seconds())))
        rows.append(_post(rng, n, brand, at))
    # A post about both brands is stored once per brand.
    rows.append(_post(rng, 999, "pebble", T0 + timedelta(hours=5), source="demo"))
    rows.append(_post(rng, 999, "fernleaf", T0 + timedelta(hours=5), source="demo"))
    n = 1000
    for row in list(rows):
        if row["kind"] != "original" or not row["is_complaint"] or rng.random() < 0.3:
            continue
        for _ in range(rng.choice([1, 1, 2])):
            n += 1
            hours = rng.choice([-2, 0, 1, 5, 30])  # -2: before the complaint, not an answer
            reply = _reply(rng, n, row, timedelta(hours=hours, minutes=n % 7), rng.random() < 0.4)
            if rng.random() < 0.1:
                reply["source"] = "x" if row["source"] == "demo" else "demo"  # another source
            if reply["created_at"] < timeutil.naive_utc(T0 + SPAN + timedelta(days=2)):
                rows.append(reply)
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("layers") / "w.duckdb"
    rows = _posts()
    with connection.open_for_write(path, SQL, publish=False) as con:
        con.register("incoming", pd.DataFrame(rows, columns=list(loads.POST_COLUMNS)))
        con.execute("insert into posts by name select * from incoming")
        con.unregister("incoming")
        start, end = T0 - timedelta(days=1), T0 + SPAN + timedelta(days=2)
        hours = [start + timedelta(hours=h) for h in range(int((end - start) / timedelta(hours=1)))]
        days: dict[str, list[date]] = {}
        for brand, zone in ZONES.items():
            first, last = _local_day(brand, start), _local_day(brand, end)
            days[brand] = [first + timedelta(days=d) for d in range((last - first).days + 1)]
            marts.refresh_hourly(con, SQL, brand, hours)
            marts.refresh_daily(con, SQL, brand, timezone=zone, days=days[brand])
            responses.refresh_complaint_responses(con, SQL, brand, start, end)
        con.execute(
            "insert into quarantine values ('demo', 'pebble', 'b1', null, null, 0, null,"
            " 'text: empty', '{}'), ('demo', 'pebble', 'b1', null, null, 1, 'q',"
            " 'quality: expect_column_values_to_not_be_null(author_id)', '{}')"
        )
    con = duckdb.connect(str(path), read_only=True)
    yield con, rows, hours, days
    con.close()


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _measures(group: list[dict[str, Any]]) -> dict[str, Any]:
    """The aggregate measures of a group of posts, as docs/warehouse.md defines them."""
    orig = [p for p in group if p["kind"] == "original"]
    neg = [p for p in orig if p["sentiment"] == "negative"]
    comp = [p for p in orig if p["is_complaint"]]
    reach = sum(p["author_followers"] for p in orig)
    negative_reach = sum(p["author_followers"] for p in neg)
    kinds = [p["kind"] for p in group]
    return {
        "posts": len(orig),
        "positive": sum(p["sentiment"] == "positive" for p in orig),
        "neutral": sum(p["sentiment"] == "neutral" for p in orig),
        "negative": len(neg),
        "complaints": len(comp),
        "mean_compound": (
            sum(round(p["compound"] * 10000) for p in orig) / 10000 / len(orig) if orig else None
        ),
        "negative_share": len(neg) / len(orig) if orig else None,
        "complaint_share": len(comp) / len(orig) if orig else None,
        "reach": reach,
        "negative_reach": negative_reach,
        "complaint_reach": sum(p["author_followers"] for p in comp),
        "negative_reach_share": negative_reach / reach if reach else None,
        "reposts": kinds.count("repost"),
        "copies": kinds.count("copy"),
        "spam": kinds.count("spam"),
        "brand_replies": kinds.count("brand_reply"),
    }


def _same(got: dict[str, Any], want: dict[str, Any], where: object) -> None:
    for column, value in want.items():
        if isinstance(value, float):
            assert got[column] == pytest.approx(value, rel=1e-12), (where, column)
        else:
            assert got[column] == value, (where, column)


def test_brand_hourly_equals_a_recomputation_from_posts(built: Any) -> None:
    con, rows, hours, _ = built
    got = {(r["brand"], r["hour"]): r for r in _fetch(con, "select * from brand_hourly")}
    assert len(got) == len(ZONES) * len(hours)
    groups: dict[tuple[str, datetime], list[dict[str, Any]]] = defaultdict(list)
    for p in rows:
        groups[p["brand"], p["created_at"].replace(minute=0, second=0)].append(p)
    for brand in ZONES:
        for hour in hours:
            key = (brand, timeutil.naive_utc(hour))
            _same(got[key], {"brand": brand, **_measures(groups[key])}, key)
    assert sum(r["posts"] for r in got.values()) == sum(p["kind"] == "original" for p in rows)


def test_brand_daily_equals_a_recomputation_from_posts(built: Any) -> None:
    con, rows, _, days = built
    got = {(r["brand"], r["day"]): r for r in _fetch(con, "select * from brand_daily")}
    assert len(got) == sum(len(d) for d in days.values())
    groups: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
    for p in rows:
        groups[p["brand"], p["brand_day"]].append(p)
    for brand, brand_days in days.items():
        for day in brand_days:
            want = {"brand": brand, "timezone": ZONES[brand], **_measures(groups[brand, day])}
            _same(got[brand, day], want, (brand, day))


def test_brand_daily_categories_equals_a_recomputation_from_posts(built: Any) -> None:
    con, rows, _, _ = built
    got = {
        (r["brand"], r["day"], r["category"]): r
        for r in _fetch(con, "select * from brand_daily_categories")
    }
    want: dict[tuple[str, date, str], list[int]] = defaultdict(list)
    for p in rows:
        if p["kind"] == "original" and p["is_complaint"]:
            key = (p["brand"], p["brand_day"], p["complaint_category"] or "other")
            want[key].append(p["author_followers"])
    assert set(got) == set(want)
    for key, followers in want.items():
        day_total = sum(len(v) for k, v in want.items() if k[:2] == key[:2])
        assert (got[key]["complaints"], got[key]["complaint_reach"]) == (
            len(followers),
            sum(followers),
        )
        assert got[key]["share"] == pytest.approx(len(followers) / day_total, rel=1e-12)


def test_complaint_responses_equals_a_recomputation_from_posts(built: Any) -> None:
    con, rows, _, _ = built
    got = {
        (r["source"], r["brand"], r["post_id"]): r
        for r in _fetch(con, "select * from complaint_responses")
    }
    replies = [p for p in rows if p["is_brand_reply"]]
    want = {}
    for c in rows:
        if c["kind"] != "original" or not c["is_complaint"]:
            continue
        answers = sorted(
            (r["created_at"], r["post_id"], r["author_handle"])
            for r in replies
            if r["brand"] == c["brand"]
            and r["source"] == c["source"]
            and r["created_at"] >= c["created_at"]
            and (
                r["in_reply_to_post_id"] == c["post_id"]
                or (
                    r["conversation_id"] == c["conversation_id"]
                    and r["in_reply_to_author_id"] == c["author_id"]
                )
            )
        )
        first = answers[0] if answers else (None, None, None)
        want[c["source"], c["brand"], c["post_id"]] = {
            "created_at": c["created_at"], "brand_day": c["brand_day"],
            "author_handle": c["author_handle"], "author_followers": c["author_followers"],
            "complaint_category": c["complaint_category"], "url": c["url"],
            "first_reply_at": first[0], "first_reply_post_id": first[1],
            "first_reply_handle": first[2], "answered": bool(answers),
            "response_seconds": (
                int((first[0] - c["created_at"]).total_seconds()) if answers else None
            ),
        }  # fmt: skip
    assert set(got) == set(want)
    answered = [k for k, w in want.items() if w["answered"]]
    assert 0 < len(answered) < len(want)  # the fixture has both
    for key, row in want.items():
        _same(got[key], row, key)


def test_every_model_declares_its_grain_and_the_key_holds(built: Any) -> None:
    con = built[0]
    views = {
        r[0]
        for r in con.execute(
            "select view_name from duckdb_views() where not internal"
            " and database_name = current_database()"
        ).fetchall()
    }
    assert views == {n for n, m in MODELS.items() if m.layer != "mart"}
    assert {m.layer for m in MODELS.values()} == set(LAYERS)
    assert {"brand_hourly", "brand_daily", "brand_daily_categories", "complaint_responses"} <= {
        n for n, m in MODELS.items() if m.layer == "mart"
    }
    for model in MODELS.values():
        key = ", ".join(model.key)
        any_null = " or ".join(f"{k} is null" for k in model.key)
        total, nulls, distinct = con.execute(
            f"select count(*), count(*) filter (where {any_null}),"  # noqa: S608
            f" (select count(*) from (select distinct {key} from {model.name}))"
            f" from {model.name}"
        ).fetchone()
        assert total > 0, model.name
        assert nulls == 0, f"{model.name}: a key column is null"
        assert distinct == total, f"{model.name}: ({key}) is not unique"


def test_each_layer_reads_only_the_layer_below_as_declared() -> None:
    allowed = {
        "staging": set(STORED),
        "intermediate": {n for n, m in MODELS.items() if m.layer in ("staging", "intermediate")},
        "mart": {n for n, m in MODELS.items() if m.layer == "intermediate"},
    }
    relations = set(MODELS) | set(STORED)
    for model in MODELS.values():
        body = re.sub(r"--.*", "", model.body)
        read = set(re.findall(r"\b(?:from|join)\s+(\w+)", body)) & relations
        assert read == set(model.inputs), model.name
        assert set(model.inputs) <= allowed[model.layer], model.name


def test_the_views_are_in_the_analyst_snapshot(tmp_path: Path) -> None:
    analyst = tmp_path / "analyst.duckdb"
    with connection.open_for_write(tmp_path / "w.duckdb", SQL, analyst=analyst) as con:
        con.execute("create table touched (x integer)")  # a change, so it publishes
    con = duckdb.connect(str(analyst), read_only=True)
    try:
        for name, model in MODELS.items():
            if model.layer != "mart":
                assert con.execute(f"select count(*) from {name}").fetchone() == (0,)  # noqa: S608
    finally:
        con.close()
