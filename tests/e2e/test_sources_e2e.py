"""A real network source end to end: the hourly DAG, through real Airflow, fetching from a
fake X API on loopback with the real tweepy client, the token in an Airflow Connection
stored in Airflow's metadata database (the load task parses what landed without it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.cli import airflow_runner
from pipeline.errors import BrandpulseError
from pipeline.settings import Settings
from pipeline.warehouse import connection

from ..fakes.server import Fault, Request, Response, serve
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
    con = connection.connect(settings.warehouse, read_only=True)
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


def test_a_retried_backfill_land_fetches_only_the_chunks_it_had_not_landed(
    e2e_settings: Settings, fake_x: FakeX
) -> None:
    """A backfill group of two hourly chunks; the second chunk's first page fails until the
    fetch gives up, so the land task fails and Airflow retries it. The retry must not fetch
    the first chunk again (a rate-limited provider would spend its window on it), and every
    post of both chunks is stored once."""
    failing = datetime(2026, 10, 5, 9, tzinfo=UTC)
    failures: list[str] = []
    served: list[tuple[datetime, str | None]] = []  # (window start, next_token) answered 200
    handle = fake_x.handle

    def flaky(request: Request) -> Response:
        params = {k: v[-1] for k, v in request.query.items()}
        window = datetime.fromisoformat(params.get("start_time", "").replace("Z", "+00:00"))
        if window == failing and len(failures) < 5:  # FetchPolicy.max_attempts
            failures.append(window.isoformat())
            return Response(503, {"title": "Service Unavailable"})
        response = handle(request)
        if response.status == 200:
            served.append((window, params.get("next_token")))
        return response

    fake_x.handle = flaky  # type: ignore[method-assign]
    conf = {
        "start": START.isoformat(), "end": HOUR_END.isoformat(), "local_days": False,
        "chunk_hours": 1, "chunks_per_task": 2, "brands": ["kestrel"], "sources": ["x"],
        "alerts": False,
    }  # fmt: skip
    airflow_runner.dags_test("brandpulse_backfill", Settings.from_env(), conf=conf)
    assert len(failures) == 5  # the first try gave up on the second chunk
    assert {w for w, _ in served} == {START, failing}
    assert len(served) == len(set(served))  # no page of either chunk fetched twice
    expected = fake_x.expected_ids(START, HOUR_END)
    ids = stored_ids(e2e_settings)
    assert len(expected) > 20 and sorted(ids) == sorted(expected)
