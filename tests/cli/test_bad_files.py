"""Bad files given to the command line: `brandpulse score` on input a user (or an attacker)
can produce, and `brandpulse query`'s JSON formats. Every failure is one line on stderr,
exit code 2, no traceback and no output file left behind; every success writes strict
JSON that any parser reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT, Settings
from tests.cli.test_cli import run_cli


def strict_loads(line: str) -> object:
    """``json.loads`` that refuses NaN and Infinity (which Python's parser accepts)."""

    def refuse(name: str) -> object:
        raise ValueError(f"not JSON: {name}")

    return json.loads(line, parse_constant=refuse)


def score(
    capsys: pytest.CaptureFixture[str], src: Path, out: Path, *args: str
) -> tuple[int, str, str]:
    return run_cli(capsys, "score", "--input", str(src), "--output", str(out), *args)


def assert_one_line_error(code: int, err: str, *parts: str) -> None:
    assert code == 2, err
    assert err.startswith("brandpulse: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for part in parts:
        assert part in err, (part, err)


DEEP = '{"text": "x", "d": ' + "[" * 100_000 + "]" * 100_000 + "}\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "ok"}\n{"text": "\\ud800 hi"}\n', "line 2: a lone surrogate '\\ud800'"),
        ('{"text": "ok", "\\udfff": 1}\n', "line 1: a lone surrogate '\\udfff'"),
        (DEEP, "line 1: JSON nested too deeply to read"),
        ('{"text": "ok", "n": NaN}\n', "line 1: not valid JSON (NaN is not a JSON value)"),
        ('{"text": "ok", "n": -Infinity}\n', "-Infinity is not a JSON value"),
        ('{"text": "ok", "n": 1e400}\n', "the number 1e400 is beyond a 64-bit float"),
        ('{"text": "ok", "n": ' + "9" * 5000 + "}\n", "line 1: not valid JSON ("),
        ('{"text": "ok"}\n[1, 2]\n', "line 2: expected a JSON object per line"),
        ('{"text": true}\n', "row 1: the text column holds bool"),
    ],
)
def test_bad_jsonl_records_are_named_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = score(capsys, src, out)
    assert_one_line_error(code, err, str(src), message)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.jsonl"]  # no partial file either


@pytest.mark.parametrize("name", ["in.csv", "in.jsonl"])
def test_non_utf8_input_names_the_byte_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    good = "text\n" if name.endswith(".csv") else ""
    row = "my bill doubled\n" if name.endswith(".csv") else '{"text": "my bill doubled"}\n'
    # Far past the first read buffer, so the offset is the file's, not the buffer's.
    body = (good + row * 5_000).encode("utf-8")
    src = tmp_path / name
    src.write_bytes(body + b'{"text": "caf\xe9"}\n')
    code, _, err = score(capsys, src, tmp_path / "out.jsonl")
    offset = len(body) + len('{"text": "caf')
    line = body.count(b"\n") + 1
    assert_one_line_error(code, err, "not UTF-8 text", f"at byte {offset}, line {line}")


def test_a_directory_a_missing_file_and_an_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "ok.jsonl"
    src.write_text('{"text": "fine"}\n', encoding="utf-8")
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    code, _, err = score(capsys, folder, tmp_path / "out.jsonl")
    assert_one_line_error(code, err, f"input {folder} is a directory, not a file")
    code, _, err = score(capsys, tmp_path / "nope.csv", tmp_path / "out.jsonl")
    assert_one_line_error(code, err, "input file not found")

    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    code, _, err = score(capsys, src, blocker / "sub" / "out.jsonl")
    assert_one_line_error(code, err, "cannot write", f"{blocker} is a file, not a folder")
    code, _, err = score(capsys, src, folder)  # the output is an existing directory
    assert_one_line_error(code, err, f"cannot write {folder}")
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "folder.jsonl", "ok.jsonl"]


def test_a_full_disk_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    src = tmp_path / "ok.jsonl"
    src.write_text('{"text": "fine"}\n' * 20_000, encoding="utf-8")
    link = tmp_path / "out"
    link.mkdir()
    # The partial file is a symlink to /dev/full: every write fails with ENOSPC.
    (link / ".out.jsonl.partial").symlink_to("/dev/full")
    code, _, err = score(capsys, src, link / "out.jsonl")
    assert_one_line_error(code, err, "cannot write", "No space left on device")
    assert not (link / "out.jsonl").exists()


def test_values_that_are_valid_json_come_back_as_strict_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    records = [
        {
            "text": "ok \U0001f600 pair",  # written as the escaped pair \ud83d\ude00
            "n": 1.5e308,
            "m": -0.0,
            "big": 10**30,
        },
        {"text": "nested", "deep": [[[[{"a": None}]]]]},
        {"text": "\u2028\u2029 separators", "ctrl": "\x00\x1b\x85"},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for out in (tmp_path / "out.jsonl", tmp_path / "out.csv"):
        code, _, err = score(capsys, src, out)
        assert code == 0, err
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    got = [strict_loads(line) for line in lines]
    assert [{k: g[k] for k in r} for g, r in zip(got, records, strict=True)] == records  # type: ignore[index]


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    """Through the console script's entry point in a fresh process, as a user runs it."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "\\ud800"}\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "score", "--input", str(src), "--output",
         str(tmp_path / "out.jsonl")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("brandpulse: error: ") and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------------------
# query --format json / jsonl
# --------------------------------------------------------------------------------------

ROWS_SQL = (
    "select * from (values (1, 'a', 'nan'::double), (2, 'b\"\\n', 2.5), (3, null, 'inf'::double))"
    " as t(n, s, x) order by n"
)


def test_query_json_is_one_array_and_jsonl_one_object_per_line(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "run", "--start", "2026-10-21T00:00", "--end", "2026-10-21T01:00",
        "--brand", "fernleaf", "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    expected = [
        {"n": 1, "s": "a", "x": None},
        {"n": 2, "s": 'b"\\n', "x": 2.5},
        {"n": 3, "s": None, "x": None},
    ]
    code, out, _ = run_cli(capsys, "query", "--format", "json", ROWS_SQL)
    assert code == 0
    assert strict_loads(out) == expected  # the whole output is one JSON document
    code, out, _ = run_cli(capsys, "query", "--format", "jsonl", ROWS_SQL)
    assert code == 0
    assert [strict_loads(line) for line in out.splitlines()] == expected
    assert out.endswith("}\n") and out.count("\n") == 3

    code, out, _ = run_cli(capsys, "query", "--format", "json", "select 1 as n where false")
    assert (code, strict_loads(out)) == (0, [])
    code, out, _ = run_cli(capsys, "query", "--format", "jsonl", "select 1 as n where false")
    assert (code, out) == (0, "")


def test_query_help_documents_the_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_cli(capsys, "query", "--help")
    out = " ".join(capsys.readouterr().out.split())
    assert "{table,csv,json,jsonl}" in out
    assert "one JSON array" in out and "one JSON object per line" in out


def test_a_reader_that_stops_early_ends_the_query_quietly(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """`brandpulse query ... | head -1`: no BrokenPipeError traceback; exit 141 (SIGPIPE's)
    when the write fails, 0 when the system let it finish."""
    code, _, err = run_cli(
        capsys, "run", "--start", "2026-10-21T00:00", "--end", "2026-10-21T01:00",
        "--brand", "fernleaf", "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli.main", "query", "--format", "jsonl",
         "select range as n, repeat('x', 100) as pad from range(200000)"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 141), stderr
    assert strict_loads(first.decode()) == {"n": 0, "pad": "x" * 100}
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
