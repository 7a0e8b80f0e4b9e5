"""The documentation names files that exist: every relative link and every repository path
written in backticks in README.md and docs/*.md (a moved module must not leave a stale
pointer behind)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
_PATH = re.compile(r"`((?:pipeline|sql|tests|benchmarks|dags|models|scripts)/[\w/.\-]+)`")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_path_a_document_names_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = []
    for link in _LINK.findall(text):
        if "://" in link or link.startswith("mailto:"):
            continue
        if not (doc.parent / link).exists():
            missing.append(link)
    for path in _PATH.findall(text):
        if "*" not in path and "<" not in path and not (ROOT / path.rstrip("/")).exists():
            missing.append(path)
    assert not missing, f"{doc.name} names files that do not exist: {sorted(set(missing))}"
