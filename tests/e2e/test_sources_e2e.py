"""A real network source end to end: the hourly DAG, through real Airflow, fetching from a
fake X API on loopback with the real tweepy client, the token in an Airflow Connection
stored in Airflow's metadata database (the load task parses what landed without it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline import airflow_runner, warehouse
from pipeline.errors import BrandpulseError
from pipeline.settings import Settings

from ..fakes.server import Fault, serve
from ..fakes.x_api import FakeX, x_unavailable
from .conftest import snapshot

pytestmark = pytest.mark.airflow

TOKEN = "AAAAAAAAAAAAAAAAAAAAAe2e%2Fbearer%3DKestrelSecret77"
START = datetime(2026, 10, 5, 8, tzinfo=UTC)
HOUR_END = START + timedelta(hours=2)

BRANDS = """
brands:
  - id: kestrel
    name: Kestrel Mobile
    timezone: UTC
    accounts: ["@KestrelMobile", "@KestrelCares"]
    terms: ["Kestrel Mobile", "@KestrelMobile", "#KestrelMobile"]
    exclude: ["kestrel mobile home"]
    languages: [en, es]
    sources:
      x: {page_size: 10}
"""


@pytest.fixture
def fake_x(
    e2e_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeX]:
    brands = tmp_path / "brands.yaml"
    brands.write_text(BRANDS, encoding="utf-8")
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(brands))
    fake = FakeX(TOKEN, start=START, hours=6, count=250)
    with serve(fake) as url:
        monkeypatch.setenv("BRANDPULSE_X_API_BASE", url)
        set_connection(Settings.from_env(), TOKEN)
        try:
            yield fake
        finally:
            airflow_runner.airflow(
                ["connections", "delete", "x_api"], Settings.from_env(), capture=True
            )


def set_connection(settings: Settings, token: str) -> None:
    """Store the x_api Connection in Airflow's metadata database, as an operator would."""
    airflow_runner.airflow(["connections", "delete", "x_api"], settings, check=False, capture=True)
    airflow_runner.airflow(
        ["connections", "add", "x_api", "--conn-type", "http", "--conn-password", token],
        settings,
        capture=True,
    )


def stored_ids(settings: Settings) -> list[str]:
    con = warehouse.connect(settings.warehouse, read_only=True)
    try:
        return [
            r[0] for r in con.execute("select post_id from posts where source = 'x'").fetchall()
        ]
    finally:
        con.close()


def test_hourly_run_lands_every_served_post_once_through_a_429_and_a_503(
    e2e_settings: Settings, fake_x: FakeX
) -> None:
    fake_x.faults += [Fault.rate_limited(reset_in_s=1), x_unavailable()]
    airflow_runner.dags_test("brandpulse_ingest", Settings.from_env(), logical_date=HOUR_END)
    expected = fake_x.expected_ids(HOUR_END - timedelta(hours=1), HOUR_END)
    ids = stored_ids(e2e_settings)
    assert len(expected) > 10  # several pages
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))
    assert len(fake_x.pages) == len(set(fake_x.pages))  # no page fetched twice
    statuses = [r.path for r in fake_x.requests]
    assert len(statuses) == len(fake_x.pages) + 2  # plus the 429 and the 503
    before = snapshot(Settings.from_env())
    airflow_runner.dags_test("brandpulse_ingest", Settings.from_env(), logical_date=HOUR_END)
    assert snapshot(Settings.from_env()) == before  # rerunning the interval adds nothing


def test_a_wrong_token_fails_at_once_and_never_shows_the_secret(
    e2e_settings: Settings, fake_x: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "AAAAAAAAAAAAAAAAAAAAAwrong%2Ftoken%3DNotTheRightOne"
    set_connection(Settings.from_env(), wrong)
    with pytest.raises(BrandpulseError, match="did not succeed") as err:
        airflow_runner.dags_test("brandpulse_ingest", Settings.from_env(), logical_date=HOUR_END)
    log = (e2e_settings.airflow_home / "logs" / "dags_test_brandpulse_ingest.log").read_text()
    assert "x_api" in log and "BRANDPULSE_X_BEARER_TOKEN" in log and "not retryable" in log
    assert wrong not in log and wrong not in str(err.value)
