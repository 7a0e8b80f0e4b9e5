"""The file source's pure rules: time formats, ids written as floats, followers, options."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.ingest.sources.files import (
    check_options,
    followers_of,
    mapping_fingerprint,
    normalize_id,
    parse_time,
)
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.brands import load_brands

BRAND: BrandConfig = load_brands(PROJECT_ROOT / "brands.yaml").get("pebble")
MOMENT = datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2017-10-31T22:10:47Z",
        "2017-10-31T22:10:47+00:00",
        "2017-10-31 22:10:47",  # naive = UTC
        "2017-10-31T23:10:47+01:00",
        "Tue Oct 31 22:10:47 +0000 2017",  # X's own format
        "Tue, 31 Oct 2017 22:10:47 +0000",  # RFC 2822
        "Tue, 31 Oct 2017 18:10:47 -0400",
        "1509487847",  # epoch seconds
        1509487847,
        "1509487847000",  # epoch milliseconds
        1509487847000,
        "1509487847.0",
    ],
)
def test_common_time_formats_are_recognized(value: object) -> None:
    assert parse_time(value) == MOMENT


def test_a_time_format_is_tried_before_the_common_formats() -> None:
    assert parse_time("31/10/2017 22:10", "%d/%m/%Y %H:%M") == MOMENT.replace(second=0)
    assert parse_time("10/31/2017 22:10", "%m/%d/%Y %H:%M") == MOMENT.replace(second=0)
    assert parse_time("2017-10-31T22:10:47Z", "%d/%m/%Y %H:%M") == MOMENT
    with pytest.raises(ValueError, match=r"matches neither time_format '%d/%m/%Y %H:%M' nor"):
        parse_time("31.10.2017", "%d/%m/%Y %H:%M")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("100000000000000000000", "is not a time in range"),
        ("-99999999999999999999999", "is not a time in range"),
        ("not a date", "not a time (ISO 8601, RFC 2822"),
        ("", "missing"),
        (None, "missing"),
        (True, "not a time"),
        ("NaN", "not a time"),
    ],
)
def test_times_that_cannot_be_read_say_why(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=r"^created_at: ") as err:
        parse_time(value)
    assert reason in str(err.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("617.0", "617"),
        ("6.17e2", "617"),
        ("6.17E+2", "617"),
        (617.0, "617"),
        (617, "617"),
        ("617", "617"),
        ("0617", "0617"),  # digits stay as written
        ("abc-617.0", "abc-617.0"),
        ("1.2345678901234567e18", "1234567890123456700"),
        ("", None),
        (None, None),
    ],
)
def test_ids_written_as_floats_are_whole_numbers(value: object, expected: str | None) -> None:
    assert normalize_id("post_id", value) == expected


@pytest.mark.parametrize("value", ["617.5", "6.175e2", 617.5, "1e400000", float("inf")])
def test_a_fractional_id_is_a_reason_to_quarantine(value: object) -> None:
    with pytest.raises(ValueError, match=r"^post_id: "):
        normalize_id("post_id", value)


def test_followers_are_bounded_by_the_warehouse_bigint() -> None:
    assert followers_of("120") == 120 and followers_of("1.2e3") == 1200 and followers_of("") == 0
    assert followers_of(str(2**63 - 1)) == 2**63 - 1
    for bad in (str(2**63), "1e30", "-1", "1e999999", "nan"):
        with pytest.raises(ValueError, match=r"^author_followers: (out of range|not a number)"):
            followers_of(bad)
    with pytest.raises(ValueError, match="not a number: 'many'"):
        followers_of("many")


def test_options_are_checked_naming_brand_and_field() -> None:
    base = {"folder": "imports/x"}
    check_options(BRAND, {**base, "time_format": "%d/%m/%Y", "max_quarantine_share": 0.5})
    with pytest.raises(ConfigError, match=r"'sources\.file\.time_format': must be a strptime"):
        check_options(BRAND, {**base, "time_format": "dd/mm/yyyy"})
    with pytest.raises(ConfigError, match=r"'sources\.file\.max_quarantine_share': must be a"):
        check_options(BRAND, {**base, "max_quarantine_share": 2})
    with pytest.raises(ConfigError, match=r"'sources\.file\.batch': unknown option"):
        check_options(BRAND, {**base, "batch": 1})


def test_the_mapping_fingerprint_changes_with_the_columns_and_the_time_format() -> None:
    a = mapping_fingerprint({"columns": {"text": "message"}}, "x")
    assert a == mapping_fingerprint({"columns": {"text": "message"}, "folder": "elsewhere"}, "x")
    assert a != mapping_fingerprint({"columns": {"text": "body"}}, "x")
    assert a != mapping_fingerprint({"columns": {"text": "message"}, "time_format": "%s"}, "x")
