"""Recipients in the brands file: email addresses and {slack|teams|webhook: connection_id},
each with one stable key the ledgers use; the operators section."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.config.loading import parse_brands
from pipeline.config.recipients import Recipient, recipient_keys
from pipeline.errors import ConfigError


def _file(**top: object) -> dict[str, object]:
    brand = {
        "id": "acme", "name": "Acme", "accounts": ["@acme"], "terms": ["acme"],
        "alerts": {"recipients": ["oncall@acme.example", {"slack": "care_slack"},
                                  {"teams": "pr_teams"}, {"webhook": "pager"}]},
        "report": {"recipients": ["lead@acme.example", "slack:care_slack"]},
    }  # fmt: skip
    return {"version": 1, "brands": [brand], **top}


def test_each_kind_of_recipient_has_a_stable_key() -> None:
    brands = parse_brands(_file(), Path("brands.yaml"))
    acme = brands.get("acme")
    assert acme.alert_recipients == (
        "oncall@acme.example", "slack:care_slack", "teams:pr_teams", "webhook:pager",
    )  # fmt: skip
    assert acme.report_recipients == ("lead@acme.example", "slack:care_slack")
    for key in acme.alert_recipients:
        assert Recipient.parse(key).key == key  # a key parses back to itself
    assert Recipient.parse("slack:care_slack") == Recipient("slack", "care_slack")
    assert Recipient.parse("a@b.example") == Recipient("email", "a@b.example")
    assert recipient_keys(["a@b.example", "a@b.example"]) == ("a@b.example",)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"slack": "https://hooks.slack.com/services/T/B/X"}, "the id of an Airflow Connection"),
        ("https://hooks.slack.com/services/T/B/X", "a URL is not a recipient"),
        ({"discord": "x"}, "unknown channel 'discord'"),
        ({"slack": "a", "teams": "b"}, "one key"),
        ("not-an-email", "invalid entry 'not-an-email'"),
        (42, "expected an email address"),
    ],
)
def test_a_bad_recipient_names_brand_field_and_problem(entry: object, problem: str) -> None:
    data = _file()
    data["brands"][0]["alerts"] = {"recipients": [entry]}  # type: ignore[index]
    with pytest.raises(ConfigError) as err:
        parse_brands(data, Path("brands.yaml"))
    message = str(err.value)
    assert "brand 'acme', field 'alerts.recipients'" in message and problem in message
    assert "T/B/X" not in message  # a webhook URL's token never reaches an error


def test_the_operators_section() -> None:
    assert parse_brands(_file(), Path("b.yaml")).operators.recipients == ()
    ops = parse_brands(
        _file(operators={"recipients": ["ops@x.example", {"slack": "ops"}], "freshness_hours": 3}),
        Path("b.yaml"),
    ).operators
    assert ops.recipients == ("ops@x.example", "slack:ops") and ops.freshness_hours == 3
    assert parse_brands(_file(), Path("b.yaml")).operators.freshness_hours == 6
    for bad, field in [({"freshness_hours": 0}, "operators.freshness_hours"),
                       ({"freshness_hours": True}, "operators.freshness_hours"),
                       ({"recipients": [{"pager": "x"}]}, "operators.recipients"),
                       ({"who": 1}, "operators.who"),
                       (["ops@x.example"], "operators")]:  # fmt: skip
        with pytest.raises(ConfigError, match=f"b.yaml: field '{field}'"):
            parse_brands(_file(operators=bad), Path("b.yaml"))


def test_the_shipped_brands_file_still_parses() -> None:
    root = Path(__file__).resolve().parents[3]
    data = yaml.safe_load((root / "brands.yaml").read_text(encoding="utf-8"))
    assert parse_brands(data, root / "brands.yaml").brands
