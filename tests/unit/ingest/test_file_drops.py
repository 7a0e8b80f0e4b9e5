"""Reading file drops row by row: a bad row is one unparseable row, a bad file one error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import UnreadableFileError
from pipeline.ingest import file_drops
from pipeline.ingest.file_drops import read_rows

CHECKED = {"created_at": "date", "text": "message"}


def read(tmp_path: Path, name: str, content: bytes) -> list[dict[str, object]]:
    path = tmp_path / name
    path.write_bytes(content)
    return list(read_rows(path, CHECKED))


def reasons(rows: list[dict[str, object]]) -> list[object]:
    return [r.get("__unparseable__") for r in rows]


def test_a_csv_cell_over_the_field_limit_is_one_bad_row(tmp_path: Path) -> None:
    big = "x" * 200_000
    rows = read(
        tmp_path,
        "a.csv",
        f"date,message\n2026-10-05,ok\n2026-10-05,{big}\n2026-10-05,fine\n".encode(),
    )
    assert reasons(rows) == [None, "line 3: field larger than field limit (131072)", None]
    assert [r.get("message") for r in rows] == ["ok", None, "fine"]


def test_one_bad_utf8_byte_is_one_bad_row(tmp_path: Path) -> None:
    rows = read(tmp_path, "a.csv", b"date,message\n2026-10-05,caf\xe9\n2026-10-05,good\n")
    assert reasons(rows) == ["line 2: not UTF-8 text (byte 0xe9)", None]
    assert rows[0]["__line__"] == "2026-10-05,caf\ufffd" and rows[1]["message"] == "good"
    rows = read(
        tmp_path, "a.jsonl", b'{"date": 1, "message": "caf\xe9"}\n{"date": 1, "message": "ok"}\n'
    )
    assert reasons(rows)[0].startswith("line 1: not UTF-8 text (invalid continuation byte")
    assert rows[1] == {"date": 1, "message": "ok"}


def test_deeply_nested_and_non_object_json_lines_are_bad_rows(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    rows = read(
        tmp_path,
        "a.jsonl",
        (
            f'{{"date": 1, "message": "a"}}\n{deep}\n[1, 2]\n"text"\n\n'
            '{"date": 2, "message": "b"}\n'
        ).encode(),
    )
    assert reasons(rows) == [
        None,
        "line 2: JSON nested deeper than 64 levels",
        "line 3: not an object (a list)",
        "line 4: not an object (a str)",
        None,
    ]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "file: empty"),
        ("blank.jsonl", b"\n\n  \n", "file: empty"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file: binary content"),
        ("zip.jsonl", b"PK\x03\x04\x14\x00\x00\x00", "file: binary content"),
        (
            "typo.csv",
            b"date,msg\n2026-10-05,hi\n",
            "file: mapped column 'message' (sources.file.columns.text) is not in the file; "
            "columns found: date, msg",
        ),
        (
            "typo.jsonl",
            b'{"date": 1, "msg": "hi"}\n',
            "file: mapped column 'message' (sources.file.columns.text) is not in the file; "
            "columns found: date, msg",
        ),
    ],
)
def test_a_file_that_cannot_be_read_raises_before_any_row(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    with pytest.raises(UnreadableFileError) as err:
        read(tmp_path, name, content)
    assert str(err.value).startswith(reason)


def test_numbers_in_json_keep_their_digits(tmp_path: Path) -> None:
    [row] = read(tmp_path, "a.jsonl", b'{"date": 1, "message": "m", "id": 1234567890123456789.0}\n')
    assert str(row["id"]) == "1234567890123456789.0"


def test_a_json_line_over_the_length_limit_is_skipped_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_drops, "MAX_LINE_BYTES", 64)
    long_line = '{"date": 1, "message": "' + "x" * 500 + '"}'
    rows = read(
        tmp_path,
        "a.jsonl",
        f'{{"date": 1, "message": "a"}}\n{long_line}\n{{"date": 2, "message": "b"}}\n'.encode(),
    )
    assert reasons(rows) == [None, "line 2: longer than 64 bytes", None]
    assert rows[2] == {"date": 2, "message": "b"}


def test_brackets_inside_json_strings_are_not_nesting(tmp_path: Path) -> None:
    text = "[" * 200 + '\\" {'
    [row] = read(tmp_path, "a.jsonl", json.dumps({"date": 1, "message": text}).encode() + b"\n")
    assert row["message"] == text
