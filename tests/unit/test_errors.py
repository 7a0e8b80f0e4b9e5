"""The exception tree drawn in ``pipeline/errors.py``'s docstring is the one in the code, and
no module of the package defines an exception class of its own."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from pipeline import errors
from pipeline.settings import PROJECT_ROOT


def _drawn() -> dict[str, int]:
    """Class name -> depth in the docstring's tree."""
    drawn = {}
    for line in (errors.__doc__ or "").splitlines():
        match = re.match(r"^ {4}((?:[│ ] {3}|[├└]── )*)(\w+Error)\b", line)
        if match:
            drawn[match.group(2)] = len(match.group(1)) // 4
    return drawn


def test_the_drawing_matches_the_classes() -> None:
    classes = {
        name: cls
        for name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.BrandpulseError)
    }
    drawn = _drawn()
    assert set(drawn) == set(classes)
    for name, cls in classes.items():
        depth = len([c for c in cls.__mro__ if issubclass(c, errors.BrandpulseError)]) - 1
        assert drawn[name] == depth, name


def test_no_exception_class_lives_outside_errors_py() -> None:
    outside = []
    for path in sorted((PROJECT_ROOT / "pipeline").rglob("*.py")):
        if path.name == "errors.py" and path.parent.name == "pipeline":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id.endswith(("Error", "Exception"))
                for b in node.bases
            ):
                outside.append(f"{Path(path).relative_to(PROJECT_ROOT)}: {node.name}")
    assert not outside, outside
