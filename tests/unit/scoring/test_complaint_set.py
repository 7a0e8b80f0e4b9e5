"""The project's labelled complaint set and the learned head fitted on it.

The set (``models/complaints/posts.csv``) must keep the shape its datasheet promises and
the issue asks for, and the shipped head must be the one fitted on the file as it is: a
row appended without refitting (``scripts/train_learned_head.py``) fails here, not in
production.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
from collections import Counter
from types import ModuleType

import numpy as np
import pytest

from pipeline.scoring.learned import HEAD_FILE
from pipeline.settings import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"
POSTS = MODELS / "complaints" / "posts.csv"
COLUMNS = ["id", "lang", "industry", "brand", "text", "is_complaint", "category", "sentiment"]
CATEGORIES = {
    "safety", "outage", "delivery", "billing", "customer_service", "product_quality",
    "pricing", "staff", "other",
}  # fmt: skip
TRAITS = {
    "short", "long", "slang", "typo", "sarcasm", "question", "praise_with_negative_words",
    "no_complaint_words", "polite", "angry", "emoji", "hashtag", "code_switch",
    "negative_not_about_brand", "reply", "churn", "escalation",
}  # fmt: skip


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with POSTS.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _train_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "train_learned_head", PROJECT_ROOT / "scripts" / "train_learned_head.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_set_has_what_the_issue_asks(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 2000
    assert len({r["industry"] for r in rows}) >= 15
    langs = Counter(r["lang"] for r in rows)
    assert set(langs) == {"en", "es"} and langs["es"] >= 300
    share = sum(r["is_complaint"] == "1" for r in rows) / len(rows)
    assert 0.25 <= share <= 0.5  # both classes well represented


def test_every_row_follows_the_labelling_guide(rows: list[dict[str, str]]) -> None:
    industries = set(_train_script().INDUSTRIES)
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) == len(rows)
    for r in rows:
        assert all(r[c] for c in COLUMNS if c != "category"), r["id"]
        assert re.fullmatch(r"[A-Z]-\d+", r["id"]), r["id"]
        assert r["lang"] in {"en", "es"} and r["industry"] in industries, r["id"]
        assert r["brand"].startswith("@") and len(r["text"]) <= 280, r["id"]
        assert r["is_complaint"] in {"0", "1"}, r["id"]
        # a category names a complaint's primary category, and only a complaint's
        assert (r["category"] in CATEGORIES) == (r["is_complaint"] == "1"), r["id"]
        assert r["category"] == "" or r["is_complaint"] == "1", r["id"]
        assert r["sentiment"] in {"negative", "neutral", "positive"}, r["id"]
        assert not r["traits"] or set(r["traits"].split(";")) <= TRAITS, r["id"]


def test_the_shipped_head_was_fitted_on_this_file(rows: list[dict[str, str]]) -> None:
    head = json.loads((MODELS / HEAD_FILE).read_text(encoding="utf-8"))
    training = head["training"]
    assert training["sha256"] == hashlib.sha256(POSTS.read_bytes()).hexdigest(), (
        "posts.csv changed since the head was fitted: run scripts/train_learned_head.py"
    )
    assert training["posts"] == len(rows)
    assert training["complaints"] == sum(r["is_complaint"] == "1" for r in rows)
    script = _train_script()
    assert head["version"] == script.HEAD_VERSION
    assert training["positive_weight"] == script.POSITIVE_WEIGHT
    assert training["lambda"] == script.LAMBDA


def test_weighting_complaints_is_counting_each_non_complaint_more() -> None:
    """The head's fit with complaints weighted 0.5 is the plain fit on the same data with
    every non-complaint twice: the weight moves the base rate and nothing else."""
    fit = _train_script().fit
    rng = np.random.default_rng(7)
    x = rng.normal(size=(60, 5))
    y = (x[:, 0] + rng.normal(scale=0.8, size=60) > 0.3).astype(np.float64)
    w, b = fit(x, y, 1e-3, 0.5)
    twice = np.vstack([x, x[y == 0]])
    w2, b2 = fit(twice, np.concatenate([y, y[y == 0]]), 1e-3, 1.0)
    np.testing.assert_allclose(w, w2, atol=1e-8)
    assert b == pytest.approx(b2, abs=1e-8)
    _, plain_b = fit(x, y, 1e-3, 1.0)
    assert b < plain_b  # fewer complaints expected: a lower intercept
