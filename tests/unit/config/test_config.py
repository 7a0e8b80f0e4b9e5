from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.config.loading import parse_brands
from pipeline.errors import ConfigError
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.brands import load_brands

VALID = {
    "brands": [
        {
            "id": "acme",
            "name": "Acme",
            "timezone": "Europe/Berlin",
            "accounts": ["@Acme", "AcmeHelp"],
            "terms": ["acme"],
            "sources": {"demo": {"profile": "telecom"}},
            "report": {"recipients": ["care@acme.example"], "local_time": "07:00"},
            "alerts": {"recipients": ["oncall@acme.example"]},
        }
    ]
}


def _with(**changes: object) -> dict[str, object]:
    brand = dict(VALID["brands"][0])
    for key, value in changes.items():
        if value is None:
            brand.pop(key, None)
        else:
            brand[key] = value
    return {"brands": [brand]}


def test_the_shipped_brands_file_is_valid() -> None:
    brands = load_brands(PROJECT_ROOT / "brands.yaml")
    assert [b.id for b in brands.brands] == ["pebble", "fernleaf"]
    assert all(b.source("demo") is not None for b in brands.brands)
    assert brands.get("pebble").timezone == "America/New_York"


def test_valid_brand_parses_with_defaults() -> None:
    brand = parse_brands(VALID, Path("brands.yaml")).get("acme")
    assert brand.account_handles == frozenset({"acme", "acmehelp"})
    assert brand.languages == ("en",)
    assert brand.report_local_time == "07:00"
    assert brand.source("demo") is not None and brand.source("x") is None


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone"),
        ({"id": "Not An Id"}, "id", "lowercase"),
        ({"name": None}, "name", "is required"),
        ({"accounts": []}, "accounts", "must not be empty"),
        ({"accounts": ["bad handle!"]}, "accounts", "invalid entry"),
        ({"terms": 5}, "terms", "list of non-empty strings"),
        ({"languages": ["english"]}, "languages", "invalid entry"),
        ({"sources": {"myspace": {}}}, "sources.myspace", "unknown source"),
        ({"sources": {"demo": {"enabled": "yes"}}}, "sources.demo.enabled", "true or false"),
        ({"report": {"local_time": "25:00"}}, "report.local_time", "HH:MM"),
        ({"alerts": {"recipients": ["not-an-email"]}}, "alerts.recipients", "invalid entry"),
        ({"colour": "blue"}, "colour", "unknown field"),
    ],
)
def test_invalid_field_names_brand_and_field(
    changes: dict[str, object], field: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as err:
        parse_brands(_with(**changes), Path("brands.yaml"))
    message = str(err.value)
    assert message.startswith("brands.yaml: brand ")
    assert f"field '{field}'" in message
    assert problem in message


def test_duplicate_brand_ids_are_rejected() -> None:
    data = {"brands": VALID["brands"] * 2}
    with pytest.raises(ConfigError, match=r"brand 'acme', field 'id': defined twice"):
        parse_brands(data, Path("brands.yaml"))


def test_disabled_source_is_not_enabled() -> None:
    brand = parse_brands(_with(sources={"demo": {"enabled": False}}), Path("b.yaml")).get("acme")
    assert brand.sources == ()


def test_missing_file_and_bad_yaml_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="brands file not found"):
        load_brands(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("brands: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml, line 2, column 1: not valid YAML"):
        load_brands(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text(yaml.safe_dump({"brands": []}), encoding="utf-8")
    with pytest.raises(ConfigError, match="non-empty list"):
        load_brands(empty)


def test_unknown_brand_lists_the_known_ones() -> None:
    brands = parse_brands(VALID, Path("brands.yaml"))
    with pytest.raises(ConfigError, match=r"no brand 'zeta' \(known: acme\)"):
        brands.get("zeta")


@pytest.mark.parametrize(
    ("source", "options", "field"),
    [
        ("demo", {"profile": "airline"}, "sources.demo.profile"),
        ("demo", {"profile": "telecom", "posts_per_day": -3}, "sources.demo.posts_per_day"),
        ("x", {"page_size": 1000}, "sources.x.page_size"),
        ("x", {"include_retweets": True}, "sources.x.include_retweets"),
        ("mastodon", {"hashtags": ["acme"]}, "sources.mastodon.instance"),
        ("bluesky", {"colour": "blue"}, "sources.bluesky.colour"),
        ("file", {"columns": {"text": "body"}}, "sources.file.folder"),
        ("file", {"folder": "in", "columns": {"mood": "x"}}, "sources.file.columns.mood"),
        ("demo", {"profile": "telecom", "lag_minutes": -1}, "sources.demo.lag_minutes"),
    ],
)
def test_source_options_are_checked_when_the_file_is_loaded(
    tmp_path: Path, source: str, options: dict[str, object], field: str
) -> None:
    data = _with(sources={source: options})
    path = tmp_path / "brands.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_brands(path)
    assert str(err.value).startswith("brands.yaml: brand 'acme', field ")
    assert f"field '{field}'" in str(err.value)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"spikes": {"threshold": "high"}}, "overrides.spikes.threshold"),
        ({"spikes": {"sensitivity": 3}}, "overrides.spikes.sensitivity"),
        ({"alerts": {"min_severity": "huge"}}, "overrides.alerts.min_severity"),
        ({"report": {"sla_hours": -1}}, "overrides.report.sla_hours"),
        ({"privacy": {"retention_days": 0}}, "overrides.privacy.retention_days"),
        ({"privacy": {"pseudonymise": True}}, "overrides.privacy.pseudonymise"),
    ],
)
def test_every_override_section_is_checked_when_the_file_is_loaded(
    tmp_path: Path, overrides: dict[str, object], field: str
) -> None:
    path = tmp_path / "brands.yaml"
    path.write_text(yaml.safe_dump(_with(overrides=overrides)), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_brands(path)
    message = str(err.value)
    assert message.startswith("brands.yaml: brand ") and "acme" in message
    assert field in message, message


def test_checking_the_brands_file_imports_no_warehouse_code_or_demo_data() -> None:
    """Every stage's check runs, in a fresh interpreter, without DuckDB, pandas, Great
    Expectations or the demo source's phrase data being imported."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pipeline.steps.brands import load_brands\n"
        f"load_brands(Path({str(PROJECT_ROOT / 'brands.yaml')!r}))\n"
        "heavy = ['duckdb', 'pandas', 'great_expectations', 'pipeline.warehouse.connection',\n"
        "         'pipeline.ingest.sources.demo.phrases']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
