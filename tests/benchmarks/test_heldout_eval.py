"""The held-out set's block of `brandpulse eval`, on small hand-written sets.

The real scorers run (cues, categories, the learned stage's encoder and head from the
project's models folder); only the labelled file is a hand-written one under ``tmp_path``,
in a models folder that links the project's assets.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from benchmarks import heldout_eval
from benchmarks.evaluation import evaluate, report
from pipeline.errors import InputError
from pipeline.scoring.scorer import Scorer, default_scorer
from pipeline.settings import PROJECT_ROOT
from tests.benchmarks.test_evaluation import make_data

COLUMNS = ["id", "lang", "industry", "brand", "text", "is_complaint", "category", "sentiment"]
#: A complaint whose words the cues know, a plain problem report the cues miss and the
#: learned stage adds (the same text test_evaluation.py uses), and two non-complaints.
ENGLISH = [
    ("1", "@Acme you charged me twice for one order and I still have no refund", "billing"),
    ("1", "@Acme my bill says 80 this month and it was 45 last month?", "billing"),
    ("0", "@Acme what time do you open on sunday?", ""),
    ("0", "@Acme thank you, the new app is lovely", ""),
]  # fmt: skip
SPANISH = [
    ("1", "@Acme me cobraron dos veces el mismo pedido y nadie me devuelve el dinero", "billing"),
    ("0", "@Acme a qué hora abren el domingo?", ""),
]  # fmt: skip


def models_with(tmp_path: Path, rows: dict[str, list[tuple[str, str, str]]]) -> Path:
    """A models folder linking the project's assets, with ``rows`` as its held-out set."""
    models = tmp_path / "models"
    (models / "complaints").mkdir(parents=True)
    for entry in (PROJECT_ROOT / "models").iterdir():
        if entry.name != "complaints":
            (models / entry.name).symlink_to(entry)
    head = PROJECT_ROOT / "models" / "complaints" / "learned_head.json"
    (models / "complaints" / "learned_head.json").symlink_to(head)
    with (models / heldout_eval.HELDOUT_SET).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        n = 0
        for lang, items in rows.items():
            for label, text, category in items:
                n += 1
                writer.writerow(
                    [f"H-{n:04d}", lang, "retail", "@Acme", text, label, category, "neutral"]
                )
    return models


def test_detection_counts_both_classes() -> None:
    d = heldout_eval.detection([True, True, False, False, False], [True, False, True, False, False])
    assert (d.precision, d.recall, d.complaint_f1) == (0.5, 0.5, 0.5)
    # not-complaint class: tp 2, fp 1, fn 1 -> F1 2/3; macro = (0.5 + 2/3) / 2
    assert d.macro_f1 == pytest.approx((0.5 + 2 / 3) / 2)


def test_figures_give_the_cues_alone_and_with_the_learned_stage(tmp_path: Path) -> None:
    rows = heldout_eval.read_rows(models_with(tmp_path, {"en": ENGLISH}) / heldout_eval.HELDOUT_SET)
    learned = Scorer(PROJECT_ROOT / "models", learned_stage=True)
    f = heldout_eval.figures(learned, rows["en"])
    assert (f.posts, f.complaints) == (4, 2)
    assert (f.cues.precision, f.cues.recall) == (1.0, 0.5)  # the plain report is missed
    assert f.learned is not None
    assert (f.learned.precision, f.learned.recall) == (1.0, 1.0)  # and added by the stage
    assert f.learned.macro_f1 == pytest.approx(1.0)
    assert f.category_accuracy == 1.0 and f.other_share == 0.0
    cues_only = heldout_eval.figures(default_scorer(), rows["en"])
    assert cues_only.learned is None and cues_only.cues == f.cues


def test_each_language_is_read_by_its_own_scorer(tmp_path: Path) -> None:
    models = models_with(tmp_path, {"en": ENGLISH, "es": SPANISH})
    result = heldout_eval.evaluate(models, learned_stage=False)
    assert list(result) == ["en", "es"]
    assert (result["es"].posts, result["es"].complaints) == (2, 1)
    assert result["es"].cues.recall == 1.0  # "me cobraron dos veces": the Spanish cues
    assert result["es"].learned is None
    english = heldout_eval.figures(default_scorer(), heldout_eval.read_rows(
        models / heldout_eval.HELDOUT_SET)["es"])  # fmt: skip
    assert english.cues.recall == 0.0  # what reading Spanish as English would have given


def test_the_report_prints_a_block_per_language(tmp_path: Path) -> None:
    result = heldout_eval.evaluate(models_with(tmp_path, {"en": ENGLISH, "es": SPANISH}))
    text = "\n".join(heldout_eval.lines(result))
    assert text.startswith(heldout_eval.TITLE)
    for lang in ("en", "es"):
        assert f"{lang}, cues alone" in text and f"{lang}, cues + learned stage" in text
    assert text.count("category accuracy = ") == 2 and "filed as other = 0%" in text
    without = "\n".join(heldout_eval.lines(heldout_eval.evaluate(
        models_with(tmp_path / "off", {"en": ENGLISH}), learned_stage=False)))  # fmt: skip
    assert "cues alone" in without and "learned stage" not in without


def test_brandpulse_eval_prints_the_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRANDPULSE_MODELS", str(models_with(tmp_path, {"en": ENGLISH})))
    result = evaluate(default_scorer(), make_data(tmp_path / "data"), throughput_repeats=0)
    assert result.heldout is not None and result.heldout["en"].posts == 4
    assert heldout_eval.TITLE in report(result)


def test_a_bad_file_is_a_clear_error(tmp_path: Path) -> None:
    models = models_with(tmp_path, {"fr": [("0", "@Acme bonjour, vous ouvrez dimanche ?", "")]})
    with pytest.raises(InputError, match="no scorer for language 'fr'"):
        heldout_eval.evaluate(models)
    path = tmp_path / "bad.csv"
    path.write_text("id,lang,text\nH-0001,en,@Acme hi\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing column\(s\) is_complaint, category"):
        heldout_eval.read_rows(path)
    short = tmp_path / "short.csv"
    short.write_text(",".join(COLUMNS) + "\nH-0001,en,telecom,@Acme\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"short\.csv, line 2: fewer fields than the header"):
        heldout_eval.read_rows(short)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        (",".join(COLUMNS) + "\nH-1,es,telecom,@Acme,caf\xe9,0,,neutral\n").encode("latin-1")
    )
    with pytest.raises(InputError, match="not UTF-8 text"):
        heldout_eval.read_rows(latin)
