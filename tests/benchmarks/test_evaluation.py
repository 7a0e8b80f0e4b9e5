"""The evaluation command on small hand-made files shaped like the public data sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.evaluation import (
    _own_lines,
    complaints_half,
    evaluate,
    f1,
    macro_f1,
    measure_throughput,
    own_set,
    pearson,
    report,
)
from pipeline.errors import InputError
from pipeline.scoring.scorer import Scorer, default_scorer
from pipeline.settings import Settings


def test_pearson_and_f1() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert f1(2, 2, 0) == pytest.approx((0.5, 1.0, 2 / 3))
    assert f1(0, 0, 3) == (0.0, 0.0, 0.0)


def make_data(root: Path) -> Path:
    (root / "vader_groundtruth").mkdir(parents=True)
    (root / "vader_groundtruth" / "tweets_GroundTruth.txt").write_text(
        "1\t3.1\tI love this, best day ever!\r\n2\t-2.9\tthis is awful and I hate it\r\n"
        "3\t0.1\tthe bus leaves at noon\r\n",
        encoding="utf-8",
    )
    (root / "semeval2017_sentiment").mkdir()
    (root / "semeval2017_sentiment" / "test_text.txt").write_text(
        "I love this!\nthis is terrible\nthe meeting is at 3\n", encoding="utf-8"
    )
    (root / "semeval2017_sentiment" / "test_labels.txt").write_text("2\n0\n1\n", encoding="utf-8")
    (root / "complaints_dev").mkdir()
    (root / "complaints_dev" / "complaints-data.csv").write_text(
        '1,"@Acme still waiting for my refund, 3 weeks now",1,retail\n'
        "2,@Acme what time do you open?,0,retail\n"
        "3,@Acme my order never arrived,1,retail\n",
        encoding="utf-8",
    )
    return root


def test_evaluate_reads_every_data_set(tmp_path: Path) -> None:
    result = evaluate(default_scorer(), make_data(tmp_path / "data"))
    assert (result.vader_tweets_n, result.semeval_n, result.complaints_n) == (3, 3, 3)
    assert result.vader_tweets_r is not None and result.vader_tweets_r > 0.9
    assert result.semeval_macro_f1 == pytest.approx(1.0)
    assert (result.complaint_precision, result.complaint_recall) == (1.0, 1.0)
    assert result.complaint_macro_f1 == pytest.approx(1.0)
    assert result.vader_tweets_r_plain is not None
    halves = result.complaint_halves or {}
    assert set(halves) <= {"dev", "held-out"}
    assert sum(h[3] for h in halves.values()) == 3
    text = report(result)
    assert "Pearson r = " in text and "macro-F1 = 1.000" in text and "F1 = 1.000" in text
    assert "plain VADER" in text
    assert result.throughput is not None and "ratio = " in text
    assert evaluate(default_scorer(), tmp_path / "data", throughput_repeats=0).throughput is None


def test_complaint_halves_are_fixed_and_near_equal() -> None:
    ids = [str(1_000_000_000_000_000 + 2 * i) for i in range(1000)]  # even, like snowflake ids
    halves = [complaints_half(i) for i in ids]
    assert halves == [complaints_half(i) for i in ids]
    assert 400 < halves.count("dev") < 600


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        evaluate(default_scorer(), tmp_path / "nowhere")
    tmp_path.joinpath("empty").mkdir()
    with pytest.raises(InputError, match="none of the evaluation files"):
        evaluate(default_scorer(), tmp_path / "empty")


def test_measure_throughput_times_vader_and_the_scorer_on_the_same_texts() -> None:
    texts = ["I love this!", "@AcmeHelp still waiting for my refund 😡", "the bus at noon"] * 200
    vader, scorer, ratio = measure_throughput(texts, repeats=3)
    assert vader > 0 and scorer > 0
    assert ratio == pytest.approx(scorer / vader, rel=0.5)  # medians of separate series
    with pytest.raises(ValueError, match="needs texts"):
        measure_throughput([], repeats=3)


def test_macro_f1_is_the_mean_of_both_classes() -> None:
    # 10 items: 3 complaints found, 1 false alarm, 2 missed, 4 true negatives
    complaint = f1(3, 1, 2)[2]
    other = f1(4, 2, 1)[2]
    assert macro_f1(3, 1, 2, 10) == pytest.approx((complaint + other) / 2)
    assert macro_f1(0, 0, 0, 5) == pytest.approx(0.5)  # no complaints, none flagged


def test_own_set_reports_complaints_and_categories_per_language(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "id,lang,industry,brand,text,is_complaint,category,sentiment,traits\n"
        "1,en,telecom,@Acme,@Acme I was charged twice this month and still no refund,1,billing,"
        "negative,\n"
        "2,en,telecom,@Acme,@Acme love the new plan!,0,,positive,\n"
        "3,es,telecom,@Acme,@Acme me encanta,0,,positive,\n",
        encoding="utf-8",
    )
    own = own_set(default_scorer(), path)
    assert set(own.complaints) == {"en", "es"}
    assert own.complaints["en"][4] == 2 and own.complaints["es"][4] == 1
    assert own.category_accuracy["en"] == (1.0, 1)
    assert "es" not in own.category_accuracy  # no labelled complaint in Spanish
    assert "category accuracy = 1.000" in "\n".join(_own_lines(own))


def test_complaints_with_the_learned_stage_also_print_the_cues_alone(tmp_path: Path) -> None:
    """With the learned stage (as `brandpulse eval` runs it), a problem report without
    complaint words (hand-written) is found by it, and the cues' own figures are printed
    next to it."""
    data = make_data(tmp_path / "data")
    (data / "complaints_dev" / "complaints-data.csv").write_text(
        "1,@Acme my bill says 80 this month and it was 45 last month?,1,retail\n"
        "2,@Acme what time do you open?,0,retail\n",
        encoding="utf-8",
    )
    scorer = Scorer(Settings.from_env().models, learned_stage=True)
    assert scorer.learned is not None
    result = evaluate(scorer, data, throughput_repeats=0)
    assert (result.complaint_precision, result.complaint_recall) == (1.0, 1.0)
    assert result.complaint_cues_only is not None
    assert result.complaint_cues_only[1] == 0.0  # the cues alone miss it
    assert "cues alone" in report(result)


def test_own_set_reads_each_language_with_its_scorer(
    tmp_path: Path,
) -> None:
    from pipeline.scoring.scorer import Scorer
    from pipeline.settings import PROJECT_ROOT

    path = tmp_path / "posts.csv"
    path.write_text(
        "id,lang,industry,brand,text,is_complaint,category,sentiment,traits\n"
        "1,en,telecom,@Acme,@Acme charged twice this month and still no refund,1,billing,"
        "negative,\n"
        "2,en,banking,@Acme,@Acme the app has been down all day,1,outage,negative,\n"
        "3,en,hotel,@Acme,@Acme the receptionist was rude to us,1,billing,negative,\n"
        "4,es,telecom,@Acme,@Acme me cobraron dos veces este mes y nadie responde,1,billing,"
        "negative,\n",
        encoding="utf-8",
    )
    spanish = Scorer(PROJECT_ROOT / "models", language="es")
    own = own_set(default_scorer(), path, {"es": spanish})
    assert own.category_accuracy["es"] == (1.0, 1)  # read by the Spanish scorer
    assert own.complaints["es"][2] == 1.0
    assert own.category_accuracy["en"] == (2 / 3, 3)  # the hotel post is labelled billing
    assert "category accuracy = 0.667" in "\n".join(_own_lines(own))
    english_only = own_set(default_scorer(), path)
    assert english_only.category_accuracy["es"][0] == 0.0  # what eval printed before
