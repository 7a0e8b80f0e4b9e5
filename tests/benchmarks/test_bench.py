"""The benchmark harness (benchmarks.bench): a tiny run end to end, and the VADER identity
check on planted mismatches. No timing assertions: only that each figure is measured."""

from __future__ import annotations

import cProfile
import json
import math
import os
import pstats
import sys
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from benchmarks import bench

JSON_KEYS = {
    "reference_vader_posts_per_s",
    "naive_peer_posts_per_s",
    "brandpulse_posts_per_s",
    "brandpulse_unique_posts_per_s",
    "learned_stage",
    "learned_stage_cpu_us_per_record",
    "brandpulse_other_learned",
    "ratio_brandpulse_to_reference",
    "ratio_brandpulse_to_naive",
    "naive_peer_sqlite_posts_per_s",
    "scoring_ceiling_posts_per_s",
    "ratio_ceiling_to_reference",
    "ratio_brandpulse_to_ceiling",
    "scoring_us_per_post_python",
    "scoring_us_per_post_compiled",
    "ratio_scoring_python_to_compiled",
    "scoring_cores_differing",
    "steps_us_per_record",
    "peak_rss_mb",
    "vader_identical",
    "corpus",
    "stages",
    "analyst",
    "machine",
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[bench.BenchResult, Path, Path]:
    root = tmp_path_factory.mktemp("bench")
    workdir, json_path = root / "work", root / "out" / "bench.json"
    result = bench.run_bench(
        600,
        json_path=json_path,
        workdir=workdir,
        days=2,
        naive_posts=200,
        text_filter_posts=3_000,
        learned="both",
    )
    return result, workdir, json_path


def test_tiny_run_measures_every_stage(tiny: tuple[bench.BenchResult, Path, Path]) -> None:
    result, _, _ = tiny
    corpus = result.corpus
    assert corpus.brands == 1 and corpus.days == 2
    assert corpus.records > 0 and corpus.reposts > 0 and corpus.exact_duplicates > 0
    assert 0 < corpus.unique_records < corpus.records
    assert result.reference_posts == corpus.records
    assert result.naive_posts == 200
    assert result.naive_sqlite is not None and result.naive_sqlite[0] == 200
    assert result.pipeline.records == corpus.records
    # Exact duplicate records are counted at load, not stored twice.
    assert result.pipeline.posts == corpus.records - corpus.exact_duplicates
    assert result.pipeline_unique is not None
    assert result.pipeline_unique.records == corpus.unique_records
    for rate in (
        result.reference_vader_posts_per_s,
        result.naive_peer_posts_per_s,
        result.naive_peer_sqlite_posts_per_s or 0.0,
        result.brandpulse_posts_per_s,
    ):
        assert rate > 0 and math.isfinite(rate)
    assert set(result.pipeline.steps) == {"land", "load", "aggregate", "spikes"}
    assert result.peak_rss_mb > 0
    names = [s.name for s in result.stages]
    assert names == [
        "reference",
        "naive",
        "naive-sqlite",
        "ceiling",
        "cores",
        "pipeline-full",
        "pipeline-full-learned-off",
        "pipeline-unique",
        "steps",
        "check",
        "analyst",
    ]
    assert all(s.peak_rss_mb > 0 for s in result.stages)
    assert result.vader.identical
    assert result.vader.compared == result.pipeline.posts
    analyst = result.analyst
    assert analyst is not None
    assert analyst.hourly_rows == bench.ANALYST_BRANDS * bench.ANALYST_DAYS * 24
    assert analyst.hourly_query_runs >= 20
    assert analyst.text_filter_posts == 3_000
    assert 0 < analyst.text_filter_matches < 3_000
    assert result.airflow is None
    ceiling = result.ceiling
    assert ceiling is not None
    assert ceiling.processes == (os.cpu_count() or 1)
    assert ceiling.records == corpus.records  # every record's text, as (a) scores
    assert ceiling.posts_per_s > 0 and ceiling.cpu_s > 0
    cores = result.cores
    assert cores is not None
    assert cores.records == corpus.records  # fewer than cores_posts in the tiny corpus
    assert cores.differing == 0
    assert cores.python_cpu_s > 0 and cores.compiled_cpu_s is not None
    assert cores.compiled_cpu_s > 0 and (cores.speedup or 0) > 0
    text = result.format()
    assert "c/a =" in text and "c/s =" in text and "bit-identical" in text
    assert "(k) scoring stage" in text and "0 texts scored differently" in text
    steps = result.steps
    assert steps is not None and steps.records == corpus.records  # under steps_posts
    assert set(steps.cpu_s) == {step for _, step, _ in bench.STEP_ROWS}
    assert all(v >= 0 for v in steps.cpu_s.values())
    for step in ("page", "normalize", "scoring", "gate", "write", "aggregate"):
        assert steps.cpu_s[step] > 0, step
    assert "(p) CPU a record by step" in text and "worker scoring" in text
    # Stage (c) with the learned complaint stage on, and once more with it off.
    assert result.learned is True
    off = result.pipeline_other_learned
    assert off is not None and off.records == corpus.records and off.posts_per_s > 0
    assert "learned complaint stage on" in text and "(c) learned stage off" in text
    # Its cost on its own: (c) on minus off, and its step in (p), which ran it as (c) did.
    cost = result.learned_stage_cpu_us
    assert cost == result.pipeline.cpu_us_per_post - off.cpu_us_per_post
    assert "(c) the learned stage's cost:" in text and f"{cost:+,.0f} us of CPU" in text
    assert steps.cpu_s["learned"] > 0 and "worker learned" in text


def test_json_has_the_documented_keys(tiny: tuple[bench.BenchResult, Path, Path]) -> None:
    result, _, json_path = tiny
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert set(data) >= JSON_KEYS
    assert data == json.loads(json.dumps(result.to_json()))
    assert data["vader_identical"] is True
    assert data["brandpulse_posts_per_s"] > 0


def test_run_removes_its_work_folder(tiny: tuple[bench.BenchResult, Path, Path]) -> None:
    _, workdir, _ = tiny
    assert workdir.is_dir()
    assert list(workdir.iterdir()) == []


def _corpus_and_posts(tmp_path: Path) -> tuple[Path, Path, list[tuple[str, str, str]]]:
    """A one-file corpus, its reference scores, and a `posts` table holding the package's
    scores of the same texts."""
    texts = ["I love this, thanks!", "Worst. Service. Ever.", "ok", "The app is not bad at all"]
    corpus = tmp_path / "corpus"
    (corpus / "acme").mkdir(parents=True)
    with (corpus / "acme" / "2026-10-05.jsonl").open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": str(i), "text": text}) + "\n")
    reference = tmp_path / "reference.duckdb"
    out = bench.stage_reference(str(corpus), str(reference))
    assert out["posts"] == len(texts)
    analyzer = SentimentIntensityAnalyzer()
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create table posts (brand varchar, post_id varchar, text varchar,"
        " compound double, pos double, neu double, neg double,"
        " model_version varchar default 'vader-3.3.2+fixes-2', unscored_reason varchar)"
    )
    for i, text in enumerate(texts):
        s = analyzer.polarity_scores(text)
        con.execute(
            "insert into posts (brand, post_id, text, compound, pos, neu, neg)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            ["acme", str(i), text, s["compound"], s["pos"], s["neu"], s["neg"]],
        )
    con.close()
    return warehouse, reference, [("acme", str(i), t) for i, t in enumerate(texts)]


def _execute(path: Path, sql: str) -> None:
    con = duckdb.connect(str(path))
    con.execute(sql)
    con.close()


def test_vader_check_passes_on_identical_scores(tmp_path: Path) -> None:
    warehouse, reference, rows = _corpus_and_posts(tmp_path)
    check = bench.check_vader(warehouse, reference)
    assert check.identical
    assert check.compared == check.posts == len(rows)


def test_vader_check_catches_the_last_bit(tmp_path: Path) -> None:
    warehouse, reference, _ = _corpus_and_posts(tmp_path)
    _execute(warehouse, "update posts set compound = nextafter(compound, 2) where post_id = '1'")
    check = bench.check_vader(warehouse, reference)
    assert not check.identical
    assert check.mismatched == 1
    assert check.examples and check.examples[0].startswith("acme/1:")


def test_vader_check_compares_every_vader_column(tmp_path: Path) -> None:
    warehouse, reference, _ = _corpus_and_posts(tmp_path)
    _execute(warehouse, "update posts set pos = neu, neu = pos where post_id = '2'")
    _execute(warehouse, "update posts set neg = neg + 1e-12 where post_id = '3'")
    check = bench.check_vader(warehouse, reference)
    assert check.mismatched == 2


def test_vader_check_counts_posts_without_reference_or_with_another_text(
    tmp_path: Path,
) -> None:
    warehouse, reference, _ = _corpus_and_posts(tmp_path)
    _execute(
        warehouse,
        "insert into posts (brand, post_id, text, compound, pos, neu, neg)"
        " values ('acme', '99', 'new', 0, 0, 1, 0)",
    )
    _execute(warehouse, "update posts set text = 'changed' where post_id = '0'")
    check = bench.check_vader(warehouse, reference)
    assert check.missing_reference == 1
    assert check.text_differs == 1
    assert not check.identical


def test_brands_file_of_synthetic_brands_is_valid(tmp_path: Path) -> None:
    from pipeline.steps.brands import load_brands

    path = tmp_path / "brands.yaml"
    path.write_text(bench.brands_yaml(3, 1234.5), encoding="utf-8")
    brands = load_brands(path)
    assert [b.id for b in brands.brands] == ["bench01", "bench02", "bench03"]
    demo = brands.get("bench02").source("demo")
    assert demo is not None and demo.options["profile"] == "grocery"


def test_posts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        bench.run_bench(0)


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_naive_peer_commits_every_row_with_the_package_scores(tmp_path: Path, engine: str) -> None:
    corpus = tmp_path / "corpus" / "acme"
    corpus.mkdir(parents=True)
    texts = [f"post {i}: I {'love' if i % 2 else 'hate'} it" for i in range(2_500)]
    with (corpus / "2026-10-05.jsonl").open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            record = {"id": str(i), "created_at": "2026-10-05T00:00:00Z", "text": text}
            fh.write(json.dumps({**record, "author": {"handle": f"u{i}"}}) + "\n")
    database = tmp_path / f"naive.{engine}"
    out = bench.stage_naive(str(tmp_path / "corpus"), 2_100, f"{engine}:///{database}")
    assert out["posts"] == 2_100 and out["seconds"] > 0
    engine_ = sa.create_engine(f"{engine}:///{database}")
    with engine_.connect() as conn:
        rows = conn.execute(sa.text("select id, text, compound from tweets order by id")).all()
    engine_.dispose()
    analyzer = SentimentIntensityAnalyzer()
    assert len(rows) == 2_100  # the last, partial thousand committed too
    assert {r[0] for r in rows} == {str(i) for i in range(2_100)}
    for _, text, compound in rows[:50]:
        assert compound == analyzer.polarity_scores(text)["compound"]


def _one_brand_corpus(tmp_path: Path, brand: str, records: int) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus" / brand
    corpus.mkdir(parents=True)
    for day in ("2026-10-05", "2026-10-06"):
        with (corpus / f"{day}.jsonl").open("w", encoding="utf-8") as fh:
            for i in range(records):
                text = f"post {i}: my bill is {'wrong, refund me' if i % 3 else 'fine'} @acme"
                fh.write(json.dumps({"id": f"{day}-{i}", "text": text}) + "\n")
    brands_file = tmp_path / "brands.yaml"
    brands_file.write_text(bench.brands_yaml(1, 10), encoding="utf-8")
    return tmp_path / "corpus", brands_file


def test_scoring_ceiling_scores_every_text_across_its_processes(tmp_path: Path) -> None:
    corpus, brands_file = _one_brand_corpus(tmp_path, "bench01", 101)
    out = bench.stage_ceiling(str(corpus), str(brands_file), 2)
    assert out["processes"] == 2
    assert out["records"] == 202  # the odd record of each file too
    assert out["seconds"] > 0 and out["cpu_s"] > 0


def test_scoring_ceiling_fails_loudly_when_a_process_fails(tmp_path: Path) -> None:
    # A brand the brands file does not have: each process fails building its scorer, and
    # the stage raises instead of waiting for their results.
    corpus, brands_file = _one_brand_corpus(tmp_path, "nobody", 5)
    with pytest.raises(RuntimeError, match="scoring-ceiling process failed"):
        bench.stage_ceiling(str(corpus), str(brands_file), 2)


def test_scoring_cores_score_the_same_texts_with_each_core(tmp_path: Path) -> None:
    corpus, brands_file = _one_brand_corpus(tmp_path, "bench01", 101)
    out = bench.stage_cores(str(corpus), str(brands_file), 150)
    assert out["records"] == 150  # the first 150 texts: one file and part of the next
    assert out["differing"] == 0
    assert out["python_cpu_s"] > 0 and out["compiled_cpu_s"] > 0


def test_scoring_cores_without_the_extension_give_the_python_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pipeline.scoring._core", None)  # as if not built
    corpus, brands_file = _one_brand_corpus(tmp_path, "bench01", 10)
    out = bench.stage_cores(str(corpus), str(brands_file), 1_000)
    assert out["records"] == 20 and out["python_cpu_s"] > 0
    assert out["compiled_cpu_s"] is None
    result = bench.CoreComparison(**out)
    assert result.speedup is None and result.compiled_us_per_post is None


def test_every_profiled_function_is_found_where_cprofile_files_it() -> None:
    """The profile's functions are looked up from the code (a moved or renamed one fails
    here), under the key cProfile gives them."""
    keys = [bench._profile_key(module, name) for _, module, name in bench._PROFILED]
    assert len(set(keys)) == len(keys)
    from pipeline.posts.normalize import classify

    profiler = cProfile.Profile()
    profiler.runcall(classify, [], [])
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    assert bench._profile_key("pipeline.posts.normalize", "classify") in stats


def test_vader_check_skips_and_counts_posts_not_scored_by_english_vader(tmp_path: Path) -> None:
    warehouse, reference, rows = _corpus_and_posts(tmp_path)
    _execute(
        warehouse,
        "update posts set compound = null, pos = null, neu = null, neg = null,"
        " unscored_reason = 'language ''fr'' has no scorer (en, es)' where post_id = '0'",
    )
    _execute(
        warehouse,
        "update posts set compound = 0.5, model_version = 'vader-3.3.2+lexicon-es-1+fixes-es-1'"
        " where post_id = '1'",
    )
    check = bench.check_vader(warehouse, reference)
    assert (check.unscored, check.other_language, check.compared) == (1, 1, len(rows) - 2)
    assert check.mismatched == 0 and check.identical
