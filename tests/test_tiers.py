"""The test tiers mean what they say: ``tests/unit`` holds pure tests (no DuckDB, no HTTP
server, no real Airflow), laid out like ``pipeline/``; DuckDB tests live in ``tests/sql``,
the sources against fake servers on 127.0.0.1 in ``tests/sources``, real Airflow in
``tests/e2e`` and ``tests/dags``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "tests" / "unit"
#: Imports a unit test may not make: they are what the other tiers are for.
IMPURE = (
    "duckdb",
    "pipeline.warehouse.connection",
    "pipeline.warehouse.loads",
    "tests.fakes",
    "http.server",
    "socketserver",
    "airflow",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_unit_tests_are_pure() -> None:
    impure = {}
    for path in sorted(UNIT.rglob("test_*.py")):
        found = sorted(
            name
            for name in _imports(path)
            if any(name == bad or name.startswith(bad + ".") for bad in IMPURE)
        )
        if found:
            impure[str(path.relative_to(ROOT))] = found
    assert not impure, impure


def test_unit_tests_mirror_the_package() -> None:
    stages = {p.name for p in (ROOT / "pipeline").iterdir() if p.is_dir() and p.name[0] != "_"}
    folders = {p.name for p in UNIT.iterdir() if p.is_dir() and p.name[0] != "_"}
    assert folders <= stages, f"tests/unit folders that are no stage: {folders - stages}"
