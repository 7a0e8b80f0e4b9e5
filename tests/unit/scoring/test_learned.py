"""The learned complaint stage: the band rule, the real model, its files, the brand switch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import ConfigError
from pipeline.scoring import learned
from pipeline.scoring.learned import HEAD_FILE, LearnedStage, in_band, stage_for
from pipeline.scoring.scorer import Scorer
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.brands import load_brands
from tests.conftest import pebble_brands, write_brands

MODELS = PROJECT_ROOT / "models"

BILL = "@PebbleCares my bill says 80 this month, it was 45 last month?"
#: Hand-written posts (not from any corpus): plain problem reports with no complaint words,
#: praise, questions, and a few the cues flag already.
POSTS = [
    "@PebbleCares ordered a sim on the 2nd, tracking still says label created",
    "@PebbleCares you've lost me as a customer",
    BILL,
    "@PebbleCares third time writing about the same thing",
    "@PebbleCares the app logs me out every time I open it",
    "love the new pebble plan, thanks @PebbleCares!",
    "@PebbleCares what time does the store on main st open on sunday",
    "just switched to @PebbleMobile, so far so good",
    "@PebbleCares no signal at home since monday, still nothing",
    "@PebbleCares charged twice for one top up, want my money back now",
    "the weather is awful today but @PebbleMobile streaming saved my evening",
    "@PebbleCares is there an outage in fairhaven? phone says sos only",
    "happy birthday to my sister! 🎉",
    "@PebbleCares how do I turn on wifi calling",
    "@PebbleCares been on hold 40 minutes and the call dropped",
]


@pytest.fixture(scope="module")
def stage() -> LearnedStage:
    return stage_for(MODELS)


@pytest.fixture(scope="module")
def scorer(stage: LearnedStage) -> Scorer:
    scorer = Scorer(MODELS)
    scorer.learned = stage
    return scorer


def test_the_band_is_low_inclusive_and_the_threshold_exclusive() -> None:
    assert in_band(0.1, 0.1, 0.5)
    assert in_band(0.4999, 0.1, 0.5)
    assert not in_band(0.5, 0.1, 0.5)  # a complaint already
    assert not in_band(0.0999, 0.1, 0.5)  # the cues saw nothing of a complaint


def test_the_stage_runs_only_in_the_band_and_only_adds(scorer: Scorer, stage: LearnedStage) -> None:
    cue = [scorer.score(t) for t in POSTS]
    out = scorer.refine(POSTS, cue)
    low, bar = stage.head.low, stage.head.bar
    ran = 0
    for before, after, text in zip(cue, out, POSTS, strict=True):
        # The cue score and the sentiment are never touched.
        assert after.complaint_score == before.complaint_score
        assert after.compound == before.compound and after.sentiment == before.sentiment
        if in_band(before.complaint_score, low, scorer.threshold):
            ran += 1
            assert after.learned_complaint_score is not None
            assert after.is_complaint == (after.learned_complaint_score >= bar)
            if after.is_complaint:  # the cues still give the category
                assert after.complaint_category == scorer.category(text)
        else:
            assert after == before  # outside the band: not run, nothing changed
        assert after.is_complaint >= before.is_complaint  # never removes a complaint
    assert ran >= 5
    added = [t for b, a, t in zip(cue, out, POSTS, strict=True) if a.is_complaint > b.is_complaint]
    assert BILL in added  # a problem report with no complaint words
    # praise with a negative word about something else, a plain question: not complaints
    assert not any("weather" in t or "wifi" in t for t in added)


def test_posts_to_skip_are_left_alone(scorer: Scorer) -> None:
    cue = [scorer.score(t) for t in POSTS]
    out = scorer.refine(POSTS, cue, skip=[True] * len(POSTS))
    assert out == cue


def test_a_batch_gives_each_post_what_it_gets_alone(scorer: Scorer) -> None:
    texts = [*POSTS, *POSTS[:3]]  # repeated texts are embedded once
    batch = scorer.refine(texts, [scorer.score(t) for t in texts])
    alone = [scorer.refine([t], [scorer.score(t)])[0] for t in texts]
    assert batch == alone
    assert any(s.learned_complaint_score is not None for s in batch)


def test_learned_scores_separate_a_problem_report_from_praise(stage: LearnedStage) -> None:
    report, praise = stage.learned_scores([POSTS[0], POSTS[5]])
    assert report >= stage.head.bar > praise


def _models_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "models"
    shutil.copytree(MODELS, copy)
    return copy


def _one_line_error(models: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        LearnedStage(models)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_missing_model_file_is_named(tmp_path: Path) -> None:
    models = _models_copy(tmp_path)
    (models / "encoder" / "model.onnx").unlink()
    message = _one_line_error(models)
    assert str(models / "encoder" / "model.onnx") in message and "missing" in message


def test_a_corrupt_model_file_is_named(tmp_path: Path) -> None:
    models = _models_copy(tmp_path)
    path = models / "encoder" / "model.onnx"
    path.write_bytes(path.read_bytes()[:100_000])  # a truncated download
    message = _one_line_error(models)
    assert str(path) in message and "corrupt" in message


def test_a_model_file_onnxruntime_cannot_read_is_named(tmp_path: Path) -> None:
    """Even when the head's digest is of the bad file, onnxruntime's refusal is one line."""
    models = _models_copy(tmp_path)
    path = models / "encoder" / "model.onnx"
    path.write_bytes(b"not an onnx model\n" * 50)
    head_path = models / HEAD_FILE
    head = json.loads(head_path.read_text(encoding="utf-8"))
    del head["encoder"]["sha256"]["model.onnx"]
    head_path.write_text(json.dumps(head), encoding="utf-8")
    message = _one_line_error(models)
    assert str(path) in message and "ONNX model file is corrupt" in message


def test_a_missing_tokenizer_or_head_is_named(tmp_path: Path) -> None:
    models = _models_copy(tmp_path)
    (models / "encoder" / "tokenizer.json").unlink()
    assert str(models / "encoder" / "tokenizer.json") in _one_line_error(models)
    (models / HEAD_FILE).write_text("{not json", encoding="utf-8")
    message = _one_line_error(models)
    assert str(models / HEAD_FILE) in message and "corrupt" in message
    (models / HEAD_FILE).unlink()
    assert "missing" in _one_line_error(models)


def test_the_brand_switch(tmp_path: Path) -> None:
    path = tmp_path / "brands.yaml"
    on = load_brands(write_brands(path, pebble_brands(overrides={"learned_complaints": True})))
    off = load_brands(write_brands(path, pebble_brands(overrides={"learned_complaints": False})))
    unset = load_brands(write_brands(path, pebble_brands()))
    scorer_on = Scorer(MODELS, on.get("pebble"))
    scorer_off = Scorer(MODELS, off.get("pebble"))
    assert scorer_on.learned is not None and scorer_off.learned is None
    assert "+learned-" in scorer_on.model_version
    assert "+learned-" not in scorer_off.model_version
    assert (Scorer(MODELS, unset.get("pebble")).learned is not None) is learned.LEARNED_BY_DEFAULT
    text = BILL
    cue = scorer_off.score(text)
    assert scorer_off.refine([text], [cue]) == [cue]
    assert scorer_on.refine([text], [scorer_on.score(text)])[0].is_complaint


def test_the_switch_must_be_true_or_false(tmp_path: Path) -> None:
    path = write_brands(tmp_path / "b.yaml", pebble_brands(overrides={"learned_complaints": "yes"}))
    with pytest.raises(ConfigError, match=r"overrides\.learned_complaints.*true or false"):
        load_brands(path)


def test_a_score_without_the_stage_has_no_learned_score() -> None:
    assert Scorer(MODELS).score("@PebbleCares no signal").learned_complaint_score is None


def test_the_band_ends_at_the_lower_of_its_end_and_the_brand_threshold(
    stage: LearnedStage,
) -> None:
    texts = [BILL, BILL, BILL, BILL]
    cue = [0.45, 0.6, 0.25, 0.05]
    # A brand that raised its threshold to 0.9: posts at 0.5-0.9 stay as the cues judge them.
    assert set(stage.judge(texts, cue, threshold=0.9)) == {0, 2}
    # A brand that lowered it to 0.3: 0.45 is a complaint already.
    assert set(stage.judge(texts, cue, threshold=0.3)) == {2}
    assert set(stage.judge(texts, cue, threshold=0.5, skip=[False, False, True, False])) == {0}


def _shipped_graph_alone(texts: list[str], stage: LearnedStage) -> np.ndarray:
    """Each text through models/encoder/model.onnx as shipped, one text per call: what the
    head was trained on."""
    import onnxruntime as ort

    session = ort.InferenceSession(
        str(MODELS / "encoder" / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    rows = []
    for text in texts:
        ids = np.asarray([stage.encoder._tokenizer.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        rows.append(session.run(["sentence_embedding"], feeds)[0][0])
    return np.asarray(rows)


def test_batched_vectors_are_the_shipped_models_one_text_at_a_time(stage: LearnedStage) -> None:
    # Lengths from 3 to ~30 tokens in one call: padded batches, sorted by length.
    texts = [*POSTS, "ok", "@PebbleCares " + "no signal again, " * 8]
    alone = _shipped_graph_alone(texts, stage)
    for batch in (1, 4, 16):
        vectors = stage.encoder.encode(texts, batch=batch)
        assert np.abs(vectors - alone).max() < 1e-6, batch
    # A batch of one is the shipped graph bit for bit.
    assert np.array_equal(stage.encoder.encode(texts, batch=1), alone)


def test_a_text_gets_the_same_vector_whatever_its_batch(stage: LearnedStage) -> None:
    with_short = stage.encoder.encode([BILL, "ok", "thanks"])[0]
    with_long = stage.encoder.encode([BILL, "@PebbleCares " + "still no signal, " * 20])[0]
    assert np.abs(with_short - with_long).max() < 1e-6
    assert stage.learned_scores([BILL, "ok"])[0] == stage.learned_scores([BILL])[0]


def test_the_rewrite_refuses_what_is_not_an_onnx_model() -> None:
    from pipeline.scoring.encoder_graph import per_text_quantization

    with pytest.raises(ValueError, match="not an ONNX model"):
        per_text_quantization(b"\xff\xff\xff not protobuf")


def test_route_without_a_brand_is_the_scorer_then_the_stage(scorer: Scorer) -> None:
    from pipeline.scoring import routing

    routed = routing.route(None, POSTS, [None] * len(POSTS), scorer)
    expected = scorer.refine(POSTS, [scorer.score(t) for t in POSTS])
    assert [r.score for r in routed] == expected
    assert {r.text_lang for r in routed} == {None}
    assert any(s.learned_complaint_score is not None for s in expected)
