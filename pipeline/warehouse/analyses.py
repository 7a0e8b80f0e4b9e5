"""Example analyst queries: the short ones shown by ``brandpulse demo`` and
``brandpulse query --help`` (:data:`EXAMPLE_QUERIES`), and the ten analyst questions of the
warehouse guide (:data:`ANALYST_QUESTIONS`, one file each in ``sql/analyses/``, embedded in
docs/warehouse.md by :func:`guide_markdown` and run against a demo warehouse by
tests/sql/test_guide.py).

The questions read the contract tables and the analyst layer's views only, and never the
clock: "this week" and "yesterday" are relative to the latest day loaded for each brand, so
every query answers the same on the same snapshot, including a backfilled past.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from pipeline.errors import WarehouseError
from pipeline.settings import Settings
from pipeline.warehouse.sqlfiles import read_sql

EXAMPLE_QUERIES = (
    "select brand, day, posts, negative_share, complaints from brand_daily order by 1, 2",
    "select brand, hour, posts, complaints, complaint_share from brand_hourly "
    "order by complaints desc limit 10",
)


class Example(NamedTuple):
    """One analyst question and the SQL that answers it (DuckDB, lowercase, read-only)."""

    question: str
    sql: str


#: The folder of the SQL folder holding one file per question.
ANALYSES_DIR = "analyses"
_TITLE = "-- title:"


def read_questions(sql_dir: Path) -> tuple[Example, ...]:
    """The analyst questions of ``sql_dir/analyses``, in the order of their file names.

    Each file is one question: a first line ``-- title: <the guide's heading>``, then the
    question in comment lines, then the query. The example's SQL is everything after the
    title line (the guide shows the question with the query).
    """
    folder = sql_dir / ANALYSES_DIR
    examples = []
    for path in sorted(folder.glob("*.sql")):
        text = read_sql(sql_dir, f"{ANALYSES_DIR}/{path.stem}")
        title, _, sql = text.partition("\n")
        if not title.startswith(_TITLE) or not sql.startswith("--"):
            raise WarehouseError(
                f"{path} must start with a '{_TITLE}' line, then the question as comment lines"
            )
        examples.append(Example(title.removeprefix(_TITLE).strip(), sql.strip()))
    if not examples:
        raise WarehouseError(f"no analyst questions found in {folder} (set BRANDPULSE_SQL)")
    return tuple(examples)


#: The warehouse guide's ten analyst questions (docs/warehouse.md, "Ten analyst questions").
ANALYST_QUESTIONS: tuple[Example, ...] = read_questions(Settings.from_env().sql)


def guide_markdown() -> str:
    """The "Ten analyst questions" part of docs/warehouse.md: a numbered heading and a SQL
    block per question (tests/sql/test_guide.py checks the guide holds exactly this)."""
    parts = []
    for number, example in enumerate(ANALYST_QUESTIONS, start=1):
        parts.append(f"### {number}. {example.question}\n\n```sql\n{example.sql}\n```\n")
    return "\n".join(parts)
