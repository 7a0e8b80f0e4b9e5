"""`brandpulse score` on any input, property-based: random bytes, JSON lines and CSV-ish
files, hostile text and numbers. Whatever the file, the command either scores every record
(the output holds as many records as an independent reading of the input finds, each strict
JSON or CSV with valid scores) or stops with one line naming the file and the first record
it could not read (its line or row, as an independent check finds it) and writes nothing.
Never a traceback.

The independent reading (the oracle below) uses the standard library's strict parsers and
knows the command's documented order of checks: each line as it is read, then the columns,
then each record's text.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.cli.main import main
from pipeline.scoring.score_file import SCORE_COLUMNS

SENTIMENTS = {"positive", "neutral", "negative"}
_SURROGATE = re.compile("[\ud800-\udfff]")

# --------------------------------------------------------------------------------------
# The oracle: what the command must do with a file
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """``rows`` records scored, or an error: ``where`` ("line 3", "row 2" ...) and a
    ``reason`` fragment. ``utf8_error``: ``(byte offset, line)`` of the first byte that is
    not UTF-8; the text is decoded ahead of the records read, so that error may come before
    a bad record found earlier in the file: either is right then."""

    rows: int | None = None
    where: str | None = None
    reason: str = ""
    utf8_error: tuple[int, int] | None = None


def _refuse(name: str) -> object:
    raise ValueError(name)


def _has_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def _has_infinity(value: object) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_infinity(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_infinity(v) for v in value)
    return False


def _utf8_error(data: bytes, *, bom: bool) -> tuple[int, int] | None:
    try:
        data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if bom and data.startswith(b"\xef\xbb\xbf") else 0)
        return start, data[:start].count(b"\n") + 1
    return None


def expect_jsonl(data: bytes) -> Expected:
    bad = _utf8_error(data, bom=False)
    text = data.decode("utf-8", "replace") if bad else data.decode("utf-8")
    records: list[dict[str, Any]] = []
    for line_no, line in enumerate(io.StringIO(text, newline="\n"), start=1):
        if bad and line_no >= bad[1]:
            return Expected(utf8_error=bad)
        if not line.strip():
            continue
        where = f"line {line_no}"
        try:
            value = json.loads(line, parse_constant=_refuse)
        except (ValueError, RecursionError):
            return Expected(where=where, reason="JSON", utf8_error=bad)
        if _has_infinity(value):
            return Expected(where=where, reason="beyond a 64-bit float", utf8_error=bad)
        if not isinstance(value, dict):
            return Expected(where=where, reason="expected a JSON object per line", utf8_error=bad)
        if _has_surrogate(value):
            return Expected(where=where, reason="lone surrogate", utf8_error=bad)
        records.append(value)
    if bad:
        return Expected(utf8_error=bad)
    return _expect_records(records)


def _expect_records(records: list[dict[str, Any]]) -> Expected:
    if not records:
        return Expected(rows=0)
    columns = {k for r in records for k in r}
    if "text" not in columns:
        return Expected(reason="no column 'text'")
    if columns & set(SCORE_COLUMNS):
        return Expected(reason="already has column(s)")
    for i, record in enumerate(records, start=1):
        text = record.get("text")
        if isinstance(text, bool) or not isinstance(text, str | int | float | type(None)):
            return Expected(where=f"row {i}", reason="the text column holds")
    return Expected(rows=len(records))


def expect_csv(data: bytes) -> Expected:
    bad = _utf8_error(data, bom=True)
    if bad:
        before = _expect_csv_text(data[: bad[0]].decode("utf-8-sig"))
        # A bad header or row before the bad byte may be found first; the checks of the
        # columns come after the whole file is read.
        if before.where is None and before.reason != "repeats column(s)":
            return Expected(utf8_error=bad)
        return Expected(where=before.where, reason=before.reason, utf8_error=bad)
    return _expect_csv_text(data.decode("utf-8-sig"))


def _expect_csv_text(text: str) -> Expected:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return Expected(reason="the file is empty")
        if len(set(header)) != len(header):
            return Expected(reason="repeats column(s)")
        rows = 0
        for fields in reader:
            if len(fields) > len(header):
                return Expected(where=f"line {reader.line_num}", reason="fields, but the header")
            rows += 1
    except csv.Error:
        return Expected(where=f"line {reader.line_num}", reason="not valid CSV")
    if rows == 0:
        return Expected(rows=0)
    if "text" not in header:
        return Expected(reason="no column 'text'")
    if set(header) & set(SCORE_COLUMNS):
        return Expected(reason="already has column(s)")
    return Expected(rows=rows)


# --------------------------------------------------------------------------------------
# Running the command and checking what it did
# --------------------------------------------------------------------------------------


def _strict(line: str) -> Any:
    return json.loads(line, parse_constant=_refuse)


def _check_scores(record: dict[str, Any]) -> None:
    assert record["sentiment"] in SENTIMENTS
    for column in ("compound", "sentiment_compound", "complaint_score"):
        value = float(record[column])
        assert math.isfinite(value)
    assert -1.0 <= float(record["compound"]) <= 1.0
    assert 0.0 <= float(record["complaint_score"]) <= 1.0
    assert str(record["is_complaint"]) in {"True", "False", "true", "false"}


def _output_records(out: Path) -> list[dict[str, Any]]:
    text = out.read_text(encoding="utf-8")
    if out.suffix == ".jsonl":
        lines = text.splitlines()  # also splits at U+2028 / NEL: none may be left raw
        assert text == "" or text.endswith("\n")
        records = [_strict(line) for line in lines]
        assert all(isinstance(r, dict) for r in records)
        return records
    return list(csv.DictReader(io.StringIO(text, newline="")))


def check_score(data: bytes, suffix: str, out_suffix: str, expected: Expected) -> None:
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / f"in{suffix}"
        src.write_bytes(data)
        out = Path(folder) / f"out{out_suffix}"
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["score", "--input", str(src), "--output", str(out)])
        message = err.getvalue()
        assert "Traceback" not in message
        if expected.rows is not None:
            assert code == 0, message
            assert f"scored {expected.rows} rows" in message
            records = _output_records(out)
            assert len(records) == expected.rows  # every record in, every record out
            for record in records:
                _check_scores(record)
            return
        assert code == 2, (message, expected)
        assert message.startswith(f"brandpulse: error: {src}") and message.count("\n") == 1
        assert sorted(p.name for p in Path(folder).iterdir()) == [src.name]  # nothing written
        if expected.utf8_error is not None and (not expected.reason or "not UTF-8" in message):
            offset, line = expected.utf8_error
            assert "not UTF-8 text (" in message, (message, expected)
            assert f"at byte {offset}, line {line})" in message, (message, expected)
            return
        assert expected.reason in message, (message, expected)
        if expected.where is not None:
            assert f"{expected.where}" in message, (message, expected)


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\x00",
    "my bill doubled\x00again",
    "\x1b[31mred\x1b[0m \x07\x7f\x85",
    "\u202eworks\u202c \u2028\u2029 line seps",
    "\ufeff bom inside",
    "<script>alert(1)</script> my order never arrived",
    "👍" * 300,
    "👨\u200d👩\u200d👧" * 50,
    "x" * 20_000,
    "still no signal @PebbleCares!!!",
    "\r\n\r",
]
texts = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=80))
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
text_values = st.one_of(
    texts, st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.none(),
    st.booleans(), st.lists(st.integers(), max_size=2), st.just({"a": 1}),
)  # fmt: skip
keys = st.one_of(st.sampled_from(["text", "id", "author", "compound"]), st.text(max_size=8))


@st.composite
def good_lines(draw: st.DrawFn) -> str:
    record = draw(st.dictionaries(keys, json_values, max_size=4))
    if draw(st.booleans()):
        record["text"] = draw(text_values)
    return json.dumps(record, ensure_ascii=draw(st.booleans()))


BAD_LINES = [
    "not json",
    "{",
    '{"text": NaN}',
    '{"text": "x", "n": Infinity}',
    '{"text": "x", "n": -Infinity}',
    '{"text": "x", "n": 1e400}',
    '{"text": "x", "n": -1e999}',
    '{"text": "\\ud800"}',
    '{"text": "ok", "\\udfff": 1}',
    '{"text": "\\ud83d\\ude00 a pair is fine"}',
    '{"text": "x", "big": ' + "9" * 5000 + "}",
    "[1, 2]",
    '"just a string"',
    "null",
    "42",
    '{"text": "x", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"text": "x", "deep": ' + "[" * 30 + "]" * 30 + "}",
    "",
    "   ",
    '{"text": "a"} {"text": "b"}',
]


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    lines = draw(
        st.lists(st.one_of(good_lines(), good_lines(), st.sampled_from(BAD_LINES)), max_size=8)
    )
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    data = newline.join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data += newline.encode()
    if draw(st.integers(0, 4)) == 0:  # some bytes that are not UTF-8, somewhere
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80"]))
            + data[at:]
        )
    return data


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(keys, min_size=1, max_size=4))
    rows = draw(st.lists(st.lists(texts, max_size=6), max_size=6))
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    text = buf.getvalue()
    if draw(st.booleans()):
        junk = draw(st.sampled_from(['"unclosed,quote\n', "a,b,c,d,e,f,g\n", "\n", ",,\n"]))
        text += junk
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]
    return data


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(data=jsonl_files(), out_suffix=st.sampled_from([".jsonl", ".csv"]))
@example(data=b'{"text": "\\ud800"}\n', out_suffix=".jsonl")
@example(data=b'{"text": "x", "n": NaN}\n', out_suffix=".jsonl")
@example(data=('{"d": ' + "[" * 100_000 + "]" * 100_000 + "}\n").encode(), out_suffix=".csv")
@example(data=b'{"text": "ok"}\n\n{"text": "caf\xe9"}\n', out_suffix=".jsonl")
@example(data=b'{"text": "\xe2\x80\xa8 and \xc2\x85"}\n', out_suffix=".jsonl")
@example(data=b'{"text": "a",\r"n": 1}\n', out_suffix=".jsonl")  # \r: JSON whitespace
@example(data=b"not json\r" + b"a" * 8182 + b"\xff\n", out_suffix=".jsonl")
def test_any_jsonl_is_scored_whole_or_refused_at_its_first_bad_record(
    data: bytes, out_suffix: str
) -> None:
    check_score(data, ".jsonl", out_suffix, expect_jsonl(data))


@PROPERTY
@given(data=csv_files(), out_suffix=st.sampled_from([".jsonl", ".csv"]))
@example(data=b"text\nhi\n\xff\n", out_suffix=".jsonl")
@example(data=b'text,id\n"a\nb",1\n', out_suffix=".jsonl")
def test_any_csv_is_scored_whole_or_refused_at_its_first_bad_row(
    data: bytes, out_suffix: str
) -> None:
    check_score(data, ".csv", out_suffix, expect_csv(data))


@PROPERTY
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".jsonl", ".csv"]))
def test_random_bytes_never_crash_the_command(data: bytes, suffix: str) -> None:
    expected = expect_jsonl(data) if suffix == ".jsonl" else expect_csv(data)
    check_score(data, suffix, ".jsonl", expected)
