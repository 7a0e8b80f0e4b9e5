"""The brands file as bytes on disk: encoding, YAML syntax, the top level and its version,
each a clear error naming the file and where in it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.config.loading import BRANDS_FILE_VERSION, read_brands
from pipeline.errors import ConfigError

BRAND = """\
  - id: acme
    name: Acme
    accounts: ["@Acme"]
    terms: [acme]
"""


def _read(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "brands.yaml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        read_brands(path)
    message = str(caught.value)
    assert "\n" not in message, message
    return message


def test_a_valid_file_with_and_without_a_version_is_read(tmp_path: Path) -> None:
    for head in ("version: 1\n", ""):
        path = tmp_path / "brands.yaml"
        path.write_text(head + "brands:\n" + BRAND, encoding="utf-8")
        assert [b.id for b in read_brands(path).brands] == ["acme"]
    assert BRANDS_FILE_VERSION == 1


def test_bytes_that_are_not_utf8_are_named_by_byte_and_line(tmp_path: Path) -> None:
    head = ("version: 1\nbrands:\n" + BRAND).encode("utf-8")
    data = head + b"    products: [Caf" + b"\xe9 Noir]\n"  # Latin-1, not UTF-8
    message = _read(tmp_path, data)
    offset = len(head) + len("    products: [Caf")
    assert message == (
        f"brands.yaml, line 7: not UTF-8 text (invalid continuation byte at byte {offset}); "
        "save the file as UTF-8"
    )


@pytest.mark.parametrize(
    ("version", "line"), [("2", 2), ("0", 2), ("'1'", 2), ("1.0", 2), ("null", 2), ("[1]", 2)]
)
def test_an_unsupported_version_is_refused(tmp_path: Path, version: str, line: int) -> None:
    message = _read(tmp_path, f"# brands\nversion: {version}\nbrands:\n{BRAND}".encode())
    assert message.startswith(f"brands.yaml, line {line}: unsupported version ")
    assert "this brandpulse reads version 1" in message


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (
            "version: 1\nbrands:\n  - id: a\n   name: b\n",
            "line 4, column 4",
            "expected <block end>",
        ),
        ("brands: [\n", "line 2, column 1", "expected the node content"),
        ("brands:\n\t- id: a\n", "line 2, column 1", "'\\t' that cannot start any token"),
        ('brands: "open\n', "line 2, column 1", "found unexpected end of stream"),
        ("a: 1\na: [\n", "line 3, column 1", ""),
    ],
)
def test_a_yaml_syntax_error_names_line_and_column(
    tmp_path: Path, text: str, where: str, problem: str
) -> None:
    message = _read(tmp_path, text.encode())
    assert message.startswith(f"brands.yaml, {where}: not valid YAML ("), message
    assert problem in message


@pytest.mark.parametrize(
    ("text", "got"),
    [
        ("# a comment\n\n- id: acme\n- id: zeta\n", "a list"),
        ("# just words\njust some words\n", "a string"),
        ("42\n", "a number"),
        ("", "nothing"),
    ],
)
def test_a_top_level_that_is_not_a_mapping_is_named(tmp_path: Path, text: str, got: str) -> None:
    message = _read(tmp_path, text.encode())
    assert "the top level must be a mapping with a 'version' and a 'brands' list" in message
    assert message.endswith(f"got {got}")
    if text:
        line = next(i for i, t in enumerate(text.splitlines(), 1) if t and t[0] != "#")
        assert message.startswith(f"brands.yaml, line {line}: ")


def test_nesting_too_deep_for_the_parser_is_a_clear_error(tmp_path: Path) -> None:
    message = _read(tmp_path, b"brands: " + b"[" * 20_000 + b"]" * 20_000)
    assert message.startswith("brands.yaml")
    assert "not valid YAML" in message


def test_a_directory_is_not_a_brands_file(tmp_path: Path) -> None:
    folder = tmp_path / "brands.yaml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="is a directory, not a file"):
        read_brands(folder)


def test_the_shipped_file_says_its_version() -> None:
    from pipeline.settings import PROJECT_ROOT

    data = yaml.safe_load((PROJECT_ROOT / "brands.yaml").read_text(encoding="utf-8"))
    assert data["version"] == BRANDS_FILE_VERSION
