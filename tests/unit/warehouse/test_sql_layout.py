"""The SQL lives in sql/, by layer, and says its grain: no Python module under pipeline/
holds a SQL statement longer than a line, and every model file states its grain."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pipeline.settings import PROJECT_ROOT

PIPELINE = PROJECT_ROOT / "pipeline"
MODELS = PROJECT_ROOT / "sql" / "models"

#: A string that starts like a SQL statement (lowercase, as all our SQL) and reads like one.
_STARTS_AS_SQL = re.compile(
    r"^\s*(--\s|(select|insert|update|delete|with|create|drop|alter|from|where)\b)"
)
_SQL_WORD = re.compile(r"\b(from|into|set|table|view|values|where|as)\b")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _strings(tree: ast.AST) -> list[tuple[int, int, str]]:
    """(first line, last line, text) of every string literal but docstrings; an f-string's
    text is its literal parts (the values put in are parameters or fixed identifiers)."""
    docs = _docstrings(tree)
    inside_fstrings = {
        id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docs or id(node) in inside_fstrings:
                continue
            text = node.value
        else:
            continue
        found.append((node.lineno, node.end_lineno or node.lineno, str(text)))
    return found


def _long_sql(source: str) -> list[tuple[int, str]]:
    """(line, text) of the SQL strings in ``source`` longer than a line. A statement short
    enough to read at a glance may wrap once at its where clause (two source lines, one line
    of SQL); anything longer is a file under sql/, read with sqlfiles.read_sql."""
    return [
        (first, text)
        for first, last, text in _strings(ast.parse(source))
        if _STARTS_AS_SQL.match(text)
        and _SQL_WORD.search(text)
        and ("\n" in text.strip() or last - first > 1)
    ]


def test_no_python_module_holds_sql_longer_than_a_line() -> None:
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {text[:60]!r}"
        for path in sorted(PIPELINE.rglob("*.py"))
        for line, text in _long_sql(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_scan_finds_sql_in_strings() -> None:
    source = (
        'A = """\nselect brand\nfrom brand_daily\n"""\n'
        'B = (\n    "select brand"\n    " from brand_daily"\n    " where day = ?"\n)\n'
        'C = f"select * from {table} where brand = ?"\n'
        'D = ("select brand from brand_daily"\n     " where day = ?")\n'
        'F = """-- a comment\nselect 1 as one\n"""\n'
        'E = "Delete every post by the author, then select from the list"\n'
        'def f() -> None:\n    """select this from that\n    where it is documented"""\n'
    )
    texts = [t for _, _, t in _strings(ast.parse(source))]
    assert texts[2:] == [
        "select * from {} where brand = ?",
        "select brand from brand_daily where day = ?",
        "-- a comment\nselect 1 as one\n",
        "Delete every post by the author, then select from the list",
    ]
    assert _long_sql(source) == [
        (1, "\nselect brand\nfrom brand_daily\n"),
        (6, "select brand from brand_daily where day = ?"),
        (13, "-- a comment\nselect 1 as one\n"),
    ]


def _header(path: Path) -> list[str]:
    """The comment lines a SQL file starts with."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = []
    for line in lines:
        if not line.startswith("--"):
            break
        header.append(line)
    return header


def test_every_model_file_states_its_grain() -> None:
    files = sorted(MODELS.rglob("*.sql"))
    assert {p.parent.name for p in files} == {"staging", "intermediate", "marts"}
    for path in files:
        grains = [line for line in _header(path) if line.startswith("-- grain: one row per ")]
        assert len(grains) == 1, f"{path}: its header must state its grain once"


def test_model_files_are_lowercase_sql_one_model_each() -> None:
    for path in sorted(MODELS.rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
        assert not re.search(r"\b(SELECT|FROM|WHERE|WITH|CREATE|GROUP BY|JOIN)\b", body), path
        assert re.findall(r"^-- model: (\w+)$", text, re.MULTILINE) == [path.stem], path
