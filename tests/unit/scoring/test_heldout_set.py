"""The held-out labelled set: its shape, and that nothing is fitted or tuned on it.

``models/complaints/heldout.csv`` was written blind to the rules and is scored once per
release (models/complaints/DATASHEET.md, "The held-out set"). These tests hold the shape
its datasheet promises and keep it out of every fitting path: the learned head's trainer
reads ``posts.csv`` and nothing else, and no code outside the evaluation names the file.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from pipeline.settings import PROJECT_ROOT
from tests.unit.scoring.test_complaint_set import CATEGORIES, TRAITS

COMPLAINTS = PROJECT_ROOT / "models" / "complaints"
HELDOUT = COMPLAINTS / "heldout.csv"
POSTS = COMPLAINTS / "posts.csv"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _read(HELDOUT)


def _train_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "train_learned_head_for_heldout_test", PROJECT_ROOT / "scripts" / "train_learned_head.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def test_the_set_has_the_balance_its_datasheet_states(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 500
    langs = Counter(r["lang"] for r in rows)
    assert set(langs) == {"en", "es"} and langs["en"] >= 350 and langs["es"] >= 100
    share = sum(r["is_complaint"] == "1" for r in rows) / len(rows)
    assert 0.35 <= share <= 0.45
    trained_on = set(_train_script().INDUSTRIES)
    industries = {r["industry"] for r in rows}
    assert trained_on <= industries  # every industry of posts.csv
    assert len(industries - trained_on) >= 3  # and industries nothing was written for
    for lang in ("en", "es"):
        cats = {r["category"] for r in rows if r["lang"] == lang and r["is_complaint"] == "1"}
        assert cats == CATEGORIES, lang


def test_every_row_follows_the_labelling_guide(rows: list[dict[str, str]]) -> None:
    with HELDOUT.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with POSTS.open(newline="", encoding="utf-8") as fh:
        assert header == next(csv.reader(fh))  # the same columns as posts.csv
    assert [r["id"] for r in rows] == [f"H-{i:04d}" for i in range(1, len(rows) + 1)]
    assert len({_norm(r["text"]) for r in rows}) == len(rows)
    for r in rows:
        assert r["brand"].startswith("@") and r["brand"].lower() in r["text"].lower(), r["id"]
        assert 1 <= len(r["text"]) <= 280, r["id"]
        assert r["is_complaint"] in {"0", "1"}, r["id"]
        assert (r["category"] in CATEGORIES) == (r["is_complaint"] == "1"), r["id"]
        assert r["category"] == "" or r["is_complaint"] == "1", r["id"]
        assert r["sentiment"] in {"negative", "neutral", "positive"}, r["id"]
        assert not r["traits"] or set(r["traits"].split(";")) <= TRAITS, r["id"]


def test_no_post_or_brand_is_shared_with_the_training_set(rows: list[dict[str, str]]) -> None:
    trained = _read(POSTS)
    assert not {_norm(r["text"]) for r in rows} & {_norm(r["text"]) for r in trained}
    assert not {r["brand"].lower() for r in rows} & {r["brand"].lower() for r in trained}


class _Read(Exception):
    """Raised by the stand-in reader once the trainer has opened its training file."""


def test_the_learned_head_trainer_reads_posts_csv_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real trainer's ``main`` runs until it reads its labelled file; the file it opens
    is posts.csv, never the held-out set (and its industries could not group the held-out
    set's new ones)."""
    script = _train_script()
    opened: list[Path] = []

    def reader(fh: object) -> list[dict[str, str]]:
        opened.append(Path(str(getattr(fh, "name", ""))))
        raise _Read

    monkeypatch.setattr(script, "csv", SimpleNamespace(DictReader=reader))
    monkeypatch.setattr(sys, "argv", ["train_learned_head.py", "--check"])
    with pytest.raises(_Read):
        script.main()
    assert opened == [POSTS]


def _naming(pattern: str) -> list[Path]:
    return [
        path.relative_to(PROJECT_ROOT)
        for folder in ("pipeline", "scripts", "dags", "benchmarks")
        for path in sorted((PROJECT_ROOT / folder).rglob("*"))
        if path.is_file()
        and path.suffix in {".py", ".pyx", ".pxi", ".sh", ".yaml", ".json"}
        and re.search(pattern, path.read_text(encoding="utf-8", errors="replace"))
    ]


def test_no_code_but_the_evaluation_reads_the_held_out_file() -> None:
    """Nothing that scores, fits or tunes (pipeline/, scripts/, dags/, the other benchmarks)
    may read the held-out set: only its evaluation (benchmarks/heldout_eval.py) names the
    file (and the eval command's --help, which says what it prints), and only the eval
    report (benchmarks/evaluation.py) imports that module."""
    assert set(_naming(r"heldout\.csv")) == {
        Path("benchmarks/heldout_eval.py"),
        Path("pipeline/cli/tooling.py"),
    }
    assert _naming(r"import\b.*\bheldout_eval\b|\bheldout_eval import") == [
        Path("benchmarks/evaluation.py")
    ]
