"""The `brandpulse` command line, called as a user would (in-process through main())."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from pipeline.cli.main import build_parser, main
from pipeline.settings import Settings
from pipeline.warehouse import connection

from ..conftest import one_brand, pebble_brands, write_brands
from ..e2e.conftest import snapshot


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def use_brands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """Point the command line at a brands file of ``body`` under ``tmp_path``."""
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(write_brands(tmp_path / "brands.yaml", body)))


def acme_brands(**fields: object) -> str:
    """A brands file with the one brand ``acme`` (Acme, @Acme, the demo's telecom profile);
    ``fields`` add to its entries (``overrides=``, ``languages=``)."""
    return one_brand(
        {
            "id": "acme",
            "name": "Acme",
            "accounts": ["@Acme"],
            "terms": ["acme"],
            "sources": {"demo": {"profile": "telecom"}},
            **fields,
        }
    )


@pytest.mark.parametrize(
    "command", ["demo", "run", "score", "query", "import-files", "eval", "airflow"]
)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: brandpulse " + command in capsys.readouterr().out


def test_score_csv_keeps_every_row_and_value_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    rows = [
        {"id": "007", "body": "still waiting for my refund, 3 weeks now", "n": "1.50"},
        {"id": "2", "body": "", "n": "NA"},
        {"id": "3", "body": 'love it, "really", with\na newline ❤️', "n": ""},
        {"id": "4", "body": "<script>alert(1)</script>", "n": "x"},
    ]
    with src.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "body", "n"])
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "out.csv"
    code, _, err = run_cli(
        capsys, "score", "--input", str(src), "--output", str(out), "--text-column", "body"
    )
    assert code == 0, err
    with out.open(newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert [{k: r[k] for k in ("id", "body", "n")} for r in got] == rows
    assert list(got[0]) == [
        "id",
        "body",
        "n",
        "compound",
        "sentiment_compound",
        "sentiment",
        "is_complaint",
        "complaint_score",
        "complaint_category",
    ]  # no learned_complaint_score: the learned complaint stage is off by default
    assert got[0]["is_complaint"] == "True" and got[0]["complaint_category"] == "billing"
    assert got[1]["sentiment"] == "neutral" and got[1]["compound"] == "0.0"
    assert got[2]["sentiment"] == "positive"
    assert "scored 4 rows" in err


def test_score_csv_keeps_blank_lines_as_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("text\nfirst\n\nthird\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run_cli(capsys, "score", "--input", str(src), "--output", str(out))[0] == 0
    with out.open(newline="", encoding="utf-8") as fh:
        assert [r["text"] for r in csv.DictReader(fh)] == ["first", "", "third"]


def test_score_jsonl_to_jsonl_keeps_values_and_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    records = [
        {"text": "my order never arrived", "meta": {"tags": ["a"]}, "n": 1},
        {"other": True},  # no text: scored as empty, never dropped
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run_cli(capsys, "score", "--input", str(src), "--output", str(out))[0] == 0
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [{k: r[k] for k in rec} for r, rec in zip(got, records, strict=True)] == records
    assert got[0]["is_complaint"] is True
    assert got[1]["sentiment"] == "neutral" and got[1]["is_complaint"] is False


@pytest.mark.parametrize(
    ("content", "name", "args", "message"),
    [
        (
            "a,b\n1,2\n",
            "in.csv",
            [],
            "no column 'text' (columns: a, b); choose one with --text-column",
        ),
        ("text\nhi\n", "in.txt", [], "unknown extension"),
        ('{"text": "ok"}\nnot json\n', "in.jsonl", [], "line 2: not valid JSON"),
        ("", "in.csv", [], "the file is empty"),
        (
            "id,text\n1,my order never arrived,\n",
            "in.csv",
            [],
            "line 2: 3 fields, but the header has 2",
        ),
        ("text,text\nhi,ho\n", "in.csv", [], "repeats column(s) text"),
        ('{"text": ["a"]}\n', "in.jsonl", [], "row 1: the text column holds list"),
    ],
)
def test_score_errors_are_one_clear_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    name: str,
    args: list[str],
    message: str,
) -> None:
    src = tmp_path / name
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, err = run_cli(capsys, "score", "--input", str(src), "--output", str(out), *args)
    assert code == 2
    assert err.startswith("brandpulse: error: ") and message in err
    assert not out.exists()


def test_run_query_and_rerun(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "run",
        "--start",
        "2026-10-21",
        "--end",
        "2026-10-22",
        "--brand",
        "fernleaf",
        "--no-progress",
    ]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "loaded" in out and "1 loads" in out
    first = snapshot(settings)
    assert run_cli(capsys, *args)[0] == 0
    assert snapshot(settings) == first

    code, out, _ = run_cli(
        capsys, "query", "select brand, count(*) as n from brand_hourly group by 1"
    )
    assert code == 0
    assert out.splitlines()[0].split() == ["brand", "|", "n"]
    assert "fernleaf |" in out and "(1 row)" in out

    code, out, _ = run_cli(capsys, "query", "--format", "json", "select 1 as one, 'x' as two")
    assert json.loads(out) == [{"one": 1, "two": "x"}]

    code, _, err = run_cli(capsys, "query", "delete from posts")
    assert code == 2 and "read-only" in err.lower()
    outside = settings.home / "pwned.csv"
    for sql in (
        f"copy (select 1) to '{outside}'",
        "select * from read_csv('/etc/hostname')",
        "set enable_external_access = true",
    ):
        code, _, err = run_cli(capsys, "query", sql)
        assert code == 2 and "query failed" in err, sql
    assert not outside.exists()
    code, _, err = run_cli(capsys, "query", "select 1; select 2")
    assert code == 2 and "exactly one SQL statement (got 2)" in err
    code, _, err = run_cli(capsys, "query", "  ")
    assert code == 2 and "exactly one SQL statement (got 0)" in err
    code, out, _ = run_cli(
        capsys,
        "query",
        "--format",
        "json",
        "select interval 1 hour as i, 'nan'::double as n, 1 as a, 2 as a, "
        "timestamptz '2026-10-05 12:00:00+00' as t",
    )
    assert code == 0
    (got,) = json.loads(out)
    assert (got["i"], got["n"], got["a"], got["a_2"]) == ("1:00:00", None, 1, 2)
    assert got["t"].startswith("2026-10-05T12:00:00")
    code, _, err = run_cli(capsys, "query", "select nope from nowhere")
    assert code == 2 and "query failed" in err


def test_query_without_a_warehouse_says_what_to_do(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "query", "select 1")
    assert code == 2 and "run `make demo`" in err


def test_query_output_cannot_drive_the_terminal(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(
        capsys,
        "run",
        "--start",
        "2026-10-21T00:00",
        "--end",
        "2026-10-21T01:00",
        "--brand",
        "pebble",
        "--no-progress",
    )
    code, out, _ = run_cli(capsys, "query", "select 'a\x1b[2Jb\u202ec' as t")
    assert code == 0 and "\x1b" not in out and "\u202e" not in out


def test_local_demo_shows_28_whole_days_per_brand_and_the_incident(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "demo", "--engine", "local")
    assert code == 0, err
    day_rows = re.findall(r"^(pebble|fernleaf) +\| \d{4}-\d\d-\d\d \|", out, re.MULTILINE)
    assert sorted(Counter(day_rows).items()) == [("fernleaf", 28), ("pebble", 28)]
    # Days marked from the `spikes` table: the outage day only, with a complaints spike.
    spike_days = [line for line in out.splitlines() if "◀" in line]
    assert [line.split()[2] for line in spike_days] == ["2026-10-22"], out
    assert "complaints" in spike_days[0] and spike_days[0].startswith("pebble")
    assert "Spikes found by the detector" in out
    assert str(settings.warehouse) in out and "brandpulse query" in out


def test_forget_reports_what_it_removed(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "run", "--start", "2026-10-22T16:00Z", "--end", "2026-10-22T18:00Z",
        "--brand", "pebble", "--no-progress", "--no-alerts",
    )  # fmt: skip
    assert code == 0, err
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        handle = con.execute(
            "select author_handle from posts where kind = 'original' limit 1"
        ).fetchone()
    finally:
        con.close()
    assert handle is not None
    code, out, err = run_cli(capsys, "forget", "--author", f"@{handle[0]}")
    assert code == 0, err
    assert out.startswith("forgot author #") and "from posts" in out and handle[0] not in out


def test_score_as_a_brand_uses_its_threshold_and_lexicon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`score --brand B` scores as the warehouse stores B's posts: B's complaint threshold
    and lexicon overrides apply, the default scorer's do not."""
    use_brands(
        tmp_path,
        monkeypatch,
        acme_brands(overrides={"complaint_threshold": 0.99, "lexicon": {"zork": -3.5}}),
    )
    src = tmp_path / "in.csv"
    src.write_text(
        "text\n@Acme my order never arrived and nobody answers\nthe zork\n", encoding="utf-8"
    )
    plain, branded = tmp_path / "plain.csv", tmp_path / "acme.csv"
    assert run_cli(capsys, "score", "--input", str(src), "--output", str(plain))[0] == 0
    code, _, err = run_cli(
        capsys, "score", "--input", str(src), "--output", str(branded), "--brand", "acme"
    )
    assert code == 0, err
    with plain.open(encoding="utf-8") as a, branded.open(encoding="utf-8") as b:
        default, acme = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert default[0]["is_complaint"] == "True" and acme[0]["is_complaint"] == "False"
    assert 0.5 <= float(acme[0]["complaint_score"]) < 0.99  # a complaint, under its bar
    assert float(acme[1]["sentiment_compound"]) < float(default[1]["sentiment_compound"])
    code, _, err = run_cli(
        capsys, "score", "--input", str(src), "--output", str(branded), "--brand", "zeta"
    )
    assert code == 2 and "no brand 'zeta'" in err


def test_bench_and_eval_outside_a_checkout_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """benchmarks/ is not in the wheel: run from an installed package, the commands that
    need it end with one clear line, not an ImportError."""
    import sys

    from pipeline.cli import tooling
    from pipeline.errors import InputError

    monkeypatch.setattr(tooling, "PROJECT_ROOT", tmp_path)  # a folder without benchmarks/
    for name in [m for m in sys.modules if m == "benchmarks" or m.startswith("benchmarks.")]:
        monkeypatch.delitem(sys.modules, name)
    checkout = Path(__file__).resolve().parents[2]
    monkeypatch.setattr(sys, "path", [p for p in sys.path if Path(p or ".").resolve() != checkout])
    with pytest.raises(InputError, match="run from a checkout of brandpulse"):
        tooling._benchmark("bench")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01"], "--date '2026-13-01' is not a day: use YYYY-MM-DD"),
        (["--date", "2026-02-30"], "--date '2026-02-30' is not a day: use YYYY-MM-DD"),
        (["--date", "yesterday"], "--date 'yesterday' is not a day: use YYYY-MM-DD"),
        (["--date", "9999-12-31"], "--date '9999-12-31' is out of range"),
        (["--date", "2026-10-22", "--brand", "nope"], "no brand 'nope' (known: pebble"),
        (["--brand", "nope", "--no-send"], "no brand 'nope' (known: pebble"),
    ],
)
def test_report_with_a_bad_date_or_brand_is_one_clear_line(
    settings: Settings, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, "report", *args)
    assert code == 2 and out == ""
    assert err.startswith("brandpulse: error: ") and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not settings.warehouse.exists(), "nothing was opened or written"


def test_report_for_a_day_without_data_says_so(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "report", "--date", "2026-10-22", "--brand", "pebble")
    assert code == 0, err
    message = email.message_from_bytes(
        next(settings.outbox.glob("*.eml")).read_bytes(), policy=email.policy.default
    )
    assert "no data loaded for the day" in str(message["Subject"])
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        assert part is not None
        body = " ".join(str(part.get_content()).split())
        assert "No posts were loaded for this day" in body
        assert "No posts were loaded for the last 7 days, so unanswered complaints" in body
        assert "was answered" not in body and "None:" not in body


def test_score_with_a_broken_learned_model_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from pipeline.settings import PROJECT_ROOT

    models = tmp_path / "models"
    shutil.copytree(PROJECT_ROOT / "models", models)
    onnx = models / "encoder" / "model.onnx"
    onnx.write_bytes(onnx.read_bytes()[:1000])
    monkeypatch.setenv("BRANDPULSE_MODELS", str(models))
    use_brands(tmp_path, monkeypatch, pebble_brands(overrides={"learned_complaints": True}))
    src = tmp_path / "in.csv"
    src.write_text("text\n@PebbleCares my bill doubled this month?\n", encoding="utf-8")
    code, out, err = run_cli(
        capsys, "score", "--input", str(src), "--output", str(tmp_path / "out.csv"),
        "--brand", "pebble",
    )  # fmt: skip
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(onnx) in err and "corrupt" in err
    assert "Traceback" not in err and not (tmp_path / "out.csv").exists()


def test_score_as_a_brand_with_the_learned_stage_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    use_brands(tmp_path, monkeypatch, pebble_brands(overrides={"learned_complaints": False}))
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "@PebbleCares my bill doubled this month?"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(
        capsys, "score", "--input", str(src), "--output", str(out), "--brand", "pebble"
    )
    assert code == 0, err
    assert "learned_complaint_score" not in json.loads(out.read_text(encoding="utf-8"))


#: Rows for `score`: English, Spanish, Spanish slang without a `lang` column, French.
MIXED_LANGUAGE_ROWS = (
    {"lang": "en", "text": "@Acme charged twice this month and nobody answers"},
    {"lang": "es", "text": "@Acme me cobraron dos veces este mes y nadie responde"},
    {"text": "@Acme está brutal el nuevo plan, súper rápido 🔥"},
    {"lang": "fr", "text": "@Acme toujours pas de réseau depuis lundi, c'est nul"},
)


def test_score_without_a_brand_scores_every_row_as_it_is_in_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`score` without --brand: every row scored by the default scorer, whatever its
    language or `lang` column (none is read, none left unscored), and no routed columns."""
    from pipeline.scoring.scorer import default_scorer

    src = tmp_path / "in.jsonl"
    rows = [*MIXED_LANGUAGE_ROWS, {"lang": "en", "text": ""}]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(capsys, "score", "--input", str(src), "--output", str(out))
    assert code == 0, err
    got = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    scorer = default_scorer()
    for row, record in zip(rows, got, strict=True):
        s = scorer.score(row["text"])
        assert record == {
            **row,
            "compound": s.compound,
            "sentiment_compound": s.sentiment_compound,
            "sentiment": s.sentiment.value,
            "is_complaint": s.is_complaint,
            "complaint_score": s.complaint_score,
            "complaint_category": s.complaint_category,
        }
    assert all(r["compound"] is not None for r in got)  # French too: no row is unscored
    complaints = sum(r["is_complaint"] for r in got)
    assert complaints > 0 and f"scored 5 rows ({complaints} complaints)" in err


def test_score_as_a_brand_routes_each_row_by_its_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`score --brand B` reads each row's language as the warehouse does: English and
    Spanish rows are scored by their own scorer, a French one is left unscored with the
    reason; a `lang` column is the declared language."""
    use_brands(tmp_path, monkeypatch, acme_brands(languages=["en", "es"]))
    src = tmp_path / "in.jsonl"
    rows = list(MIXED_LANGUAGE_ROWS)
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(
        capsys, "score", "--input", str(src), "--output", str(out), "--brand", "acme"
    )
    assert code == 0, err
    en, es, slang, fr = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert (en["text_lang"], en["is_complaint"], en["unscored_reason"]) == ("en", True, None)
    assert (es["text_lang"], es["is_complaint"], es["complaint_category"]) == (
        "es", True, "billing",
    )  # fmt: skip
    assert (slang["text_lang"], slang["sentiment"], slang["is_complaint"]) == (
        "es", "positive", False,
    )  # fmt: skip
    assert fr["text_lang"] == "fr" and fr["compound"] is None and fr["is_complaint"] is None
    assert fr["unscored_reason"] == "language 'fr' is not one of the brand's (en, es)"
    assert "scored 4 rows (2 complaints)" in err
