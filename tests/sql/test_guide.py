"""SQL tier: the warehouse guide's ten analyst questions (sql/analyses/, read by
pipeline/warehouse/analyses.py) run against a demo warehouse, and docs/warehouse.md shows
exactly those queries."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline import timeutil
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import aggregation, alerting, fetch, loading, planning, runner
from pipeline.warehouse import connection
from pipeline.warehouse.analyses import ANALYST_QUESTIONS, EXAMPLE_QUERIES, guide_markdown

#: Seven demo days for both brands, ending after Pebble's outage (2026-10-22, New York).
START, END = datetime(2026, 10, 17, tzinfo=UTC), datetime(2026, 10, 24, tzinfo=UTC)
GUIDE = PROJECT_ROOT / "docs" / "warehouse.md"
SECTION = "## Ten analyst questions"

COLUMNS = {
    "Complaint rate by category, this week vs last": [
        "brand", "category", "complaints_this_week", "complaints_last_week",
        "per_1000_this_week", "per_1000_last_week",
    ],
    "Authors with the most reach who complained and got no reply": [
        "brand", "author_handle", "followers", "complaints", "first_complaint_at",
        "latest_complaint_url",
    ],
    "The brand's median time to first reply, per day": [
        "brand", "day", "complaints", "answered", "median_minutes", "p90_minutes",
    ],
    "Hours when the negative share spiked, and what was said": [
        "brand", "hour", "posts", "negative_share", "share_before", "flagged_metrics",
        "top_negative_posts",
    ],
    "Top complaint terms yesterday": ["brand", "term", "complaints"],
    "Share of complaints answered within the SLA, by category": [
        "brand", "category", "complaints", "within_sla", "share_within_sla",
        "median_hours_to_reply",
    ],
    "Spikes, and how many alerts went out": [
        "brand", "metric", "started_at", "ended_at", "severity", "hours", "observed", "expected",
        "alerts_sent", "alerts_failed", "recipients",
    ],
    "Repeat complainers": [
        "brand", "author_handle", "complaints", "followers", "categories", "answered",
    ],
    "Days where volume and complaints diverge": [
        "brand", "day", "posts", "volume_vs_before", "complaints", "complaints_vs_before",
        "divergence",
    ],
    "Records quarantined, by reason": [
        "brand", "source", "reason_field", "quarantined", "share_of_landed", "example_reason",
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[str], list[Any]]]:
    """Every question's (columns, rows) on a demo warehouse: seven days of both brands through
    ``runner.run``, spikes and alerts judged, and one day reloaded with two broken records."""
    home = tmp_path_factory.mktemp("guide") / "var"
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith(("BRANDPULSE_", "AIRFLOW"))]:
            mp.delenv(name)
        mp.setenv("BRANDPULSE_HOME", str(home))
        mp.setenv("BRANDPULSE_BRANDS", str(PROJECT_ROOT / "brands.yaml"))
        settings = Settings.from_env()
        runner.run(
            planning.plan(START, END, [], chunk=timeutil.DAY, settings=settings), settings=settings
        )
        # The last day of Pebble again, with a record without text and one outside the interval.
        last = END - timeutil.DAY
        batch = fetch.land("demo", "pebble", last, END, settings)
        broken = [
            {"id": "9000000000000000001", "created_at": "2026-10-23T10:00:00Z", "text": "",
             "author": {"id": "z1", "handle": "zed", "followers": 1}},
            {"id": "9000000000000000002", "created_at": "2026-10-01T10:00:00Z", "text": "late",
             "author": {"id": "z2", "handle": "zoe", "followers": 1}},
        ]  # fmt: skip
        with batch.path.open("a", encoding="utf-8") as out:
            out.writelines(json.dumps(r) + "\n" for r in broken)
        loading.load(dataclasses.replace(batch, records=batch.records + len(broken)), settings)
        aggregation.aggregate(last, END, ["pebble"], settings)
        alerting.evaluate(settings, None, window=(START, END))
        con = connection.connect(settings.warehouse, read_only=True, sandbox=True)
        try:
            out: dict[str, tuple[list[str], list[Any]]] = {}
            for example in ANALYST_QUESTIONS:
                names, rows = connection.query(con, example.sql)
                out[example.question] = (names, rows)
            return out
        finally:
            con.close()


def test_there_are_ten_questions_each_with_its_columns() -> None:
    assert len(ANALYST_QUESTIONS) == 10
    assert [e.question for e in ANALYST_QUESTIONS] == list(COLUMNS)
    assert EXAMPLE_QUERIES and all(q.startswith("select") for q in EXAMPLE_QUERIES)


@pytest.mark.parametrize("question", list(COLUMNS))
def test_every_question_answers_on_the_demo_warehouse(
    answers: dict[str, tuple[list[str], list[Any]]], question: str
) -> None:
    names, rows = answers[question]
    assert names == COLUMNS[question]
    assert rows, f"{question!r} returned no rows"


def test_the_answers_show_the_outage(answers: dict[str, tuple[list[str], list[Any]]]) -> None:
    def table(question: str) -> list[dict[str, Any]]:
        names, rows = answers[question]
        return [dict(zip(names, r, strict=True)) for r in rows]

    spikes = table("Spikes, and how many alerts went out")
    outage = [s for s in spikes if (s["brand"], s["metric"]) == ("pebble", "complaints")]
    assert outage and outage[0]["started_at"].date() == datetime(2026, 10, 22).date()
    assert outage[0]["alerts_sent"] == outage[0]["recipients"] == 2
    diverging = table("Days where volume and complaints diverge")[0]
    assert (diverging["brand"], str(diverging["day"])) == ("pebble", "2026-10-22")
    assert diverging["divergence"] > 0  # complaints grew faster than volume
    reasons = {r["reason_field"]: r for r in table("Records quarantined, by reason")}
    assert set(reasons) == {"text", "created_at"}
    assert all(r["quarantined"] == 1 and r["share_of_landed"] > 0 for r in reasons.values())
    unanswered = table("Authors with the most reach who complained and got no reply")
    followers = [r["followers"] for r in unanswered if r["brand"] == "pebble"]
    assert followers == sorted(followers, reverse=True) and len(followers) == 10


def test_the_guide_shows_exactly_these_queries() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert guide_markdown() in text, (
        "docs/warehouse.md: paste pipeline.warehouse.analyses.guide_markdown()"
    )
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end >= 0 else len(text)]
    blocks = re.findall(r"```sql\n(.*?)\n```", section, re.DOTALL)
    assert blocks == [e.sql for e in ANALYST_QUESTIONS]
    headings = re.findall(r"^### \d+\. (.+)$", section, re.MULTILINE)
    assert headings == [e.question for e in ANALYST_QUESTIONS]


def test_the_questions_read_no_clock() -> None:
    for example in ANALYST_QUESTIONS:
        assert not re.search(r"\b(now|current_date|current_timestamp|today)\b", example.sql)
        assert example.sql == example.sql.strip() and example.sql.startswith("--")
