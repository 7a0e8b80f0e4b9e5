"""Secrets never leave the process: a canary (a unique string) planted in each source's
credentials is sent to the fake providers on 127.0.0.1, and then searched for everywhere a
secret could end up: every exception (message and whole traceback, causes included), every
log record at DEBUG (tweepy's and urllib3's own included), stdout and stderr, the landing
zone, the DuckDB warehouse (its bytes and every text column) and the analyst snapshot.

The sources run their success and failure paths: a refused credential (401, 403), a
credential that an HTTP header cannot carry (a line break, a space, a non-ASCII
character), a session token from the provider that a header cannot carry, timeouts, server
errors, rate limits, a malformed answer and a refused connection.
"""

from __future__ import annotations

import logging
import socket
import traceback
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.cli.main import main
from pipeline.config.model import BrandConfig, SourceConfig
from pipeline.errors import BrandpulseError, SourceAuthError
from pipeline.ingest.fetching import FetchPolicy, land_paged
from pipeline.ingest.sources import bluesky as bluesky_source
from pipeline.ingest.sources import mastodon as mastodon_source
from pipeline.ingest.sources import x as x_source
from pipeline.settings import Settings
from tests.conftest import write_brands
from tests.fakes import bluesky_api, mastodon_api, x_api
from tests.fakes.server import Fault, Response, Sleeps, serve

CANARY = f"canary{uuid.uuid4().hex}"
X_TOKEN = f"AAAAAAAAAAAAAAAAAAAAA{CANARY}%3Dx"
BSKY_PASSWORD = f"bsky-{CANARY}"
MASTODON_TOKEN = f"mstdn-{CANARY}"
#: Malformed credentials, each holding the canary: what a copy-paste accident looks like.
BROKEN = (
    f"{CANARY}\nX-Injected: 1",
    f"{CANARY}\r\nsecond-line",
    f"Bearer {CANARY}",
    f"{CANARY}\u00e9",
    f"{CANARY}\x00",
)

X_START = datetime(2026, 10, 5, 8, tzinfo=UTC)
X_END = X_START + timedelta(hours=6)
X_BRAND = BrandConfig(
    id="kestrel",
    name=x_api.BRAND_NAME,
    timezone="UTC",
    accounts=tuple(f"@{a}" for a in x_api.BRAND_ACCOUNTS),
    terms=x_api.BRAND_TERMS,
    exclude=x_api.BRAND_EXCLUDE,
    languages=x_api.BRAND_LANGUAGES,
    sources=(SourceConfig("x", {}),),
    report_recipients=(),
    report_local_time="08:00",
    alert_recipients=(),
)
LARKSPUR = BrandConfig(
    id="larkspur",
    name=mastodon_api.BRAND_NAME,
    timezone="UTC",
    accounts=mastodon_api.BRAND_ACCOUNTS,
    terms=mastodon_api.BRAND_TERMS,
    exclude=mastodon_api.BRAND_EXCLUDE,
    languages=("en",),
    sources=(),
    report_recipients=(),
    report_local_time="08:00",
    alert_recipients=(),
)


class Evidence:
    """Everything a failure left behind: exceptions' texts, whole tracebacks included."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.failures = 0

    def expect_failure(self, call: Callable[[], object], kind: type[BaseException]) -> None:
        with pytest.raises(kind) as caught:
            call()
        self.failures += 1
        self.texts.append(str(caught.value))
        self.texts.append("".join(traceback.format_exception(caught.value)))


@pytest.fixture
def evidence() -> Evidence:
    return Evidence()


def _policy() -> FetchPolicy:
    return FetchPolicy(max_attempts=2, sleep=Sleeps(), max_rate_limit_wait_s=0.0)


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def _assert_clean(
    tmp_path: Path,
    evidence: Evidence,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    *secrets: str,
) -> None:
    out, err = capfd.readouterr()
    places = {
        "exceptions": "\n".join(evidence.texts),
        "log text": caplog.text,
        "log messages": "\n".join(r.getMessage() for r in caplog.records),
        "stdout": out,
        "stderr": err,
    }
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            places[str(path)] = path.read_bytes().decode("utf-8", "replace")
    for secret in (CANARY, *secrets):
        leaked = [name for name, text in places.items() if secret in text]
        assert not leaked, f"{secret[:10]}… found in {leaked}"


def _sent(requests: list[Any], secret: str) -> bool:
    """Did the canary really travel (so that the searches above mean something)?"""
    return any(secret in r.headers.get("authorization", "") or secret in r.body.decode()
               for r in requests)  # fmt: skip


def test_x_never_shows_its_token(
    tmp_path: Path,
    evidence: Evidence,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = x_api.FakeX(X_TOKEN, start=X_START, hours=6, count=60)
    with serve(fake) as url:

        def land(source: x_source.XSource, name: str) -> object:
            return land_paged(
                tmp_path / name, source, X_BRAND, start=X_START, end=X_END,
                options={"page_size": 10}, policy=_policy(),
            )  # fmt: skip

        batch, _ = land(x_source.XSource(X_TOKEN, api_base=url, timeout_s=0.5), "ok")
        assert batch.records > 0 and _sent(fake.requests, CANARY)

        refused = x_api.FakeX("another-token", start=X_START, hours=1, count=5)
        with serve(refused) as other:  # 401: the canary is not the token it expects
            source = x_source.XSource(X_TOKEN, api_base=other, timeout_s=0.5)
            evidence.expect_failure(lambda: land(source, "401"), SourceAuthError)
        fake.faults.append(Fault.status(403, x_api.problem(403, "Forbidden", X_TOKEN)))
        source = x_source.XSource(X_TOKEN, api_base=url, timeout_s=0.5)
        evidence.expect_failure(lambda: land(source, "403"), SourceAuthError)
        for broken in BROKEN:
            evidence.expect_failure(
                lambda b=broken: x_source.XSource(b, api_base=url), SourceAuthError
            )
            evidence.expect_failure(lambda b=broken: x_source.create(lambda _: b), SourceAuthError)
        for fault in (Fault.slow(1.5), Fault.slow(1.5)):  # every attempt times out
            fake.faults.append(fault)
        evidence.expect_failure(lambda: land(source, "timeout"), BrandpulseError)
        fake.faults += [x_api.x_unavailable(), x_api.x_unavailable()]
        evidence.expect_failure(lambda: land(source, "503"), BrandpulseError)
        fake.faults += [Fault.malformed(), Fault.malformed()]
        evidence.expect_failure(lambda: land(source, "malformed"), BrandpulseError)
        fake.faults.append(Fault.rate_limited(reset_in_s=3600))
        evidence.expect_failure(lambda: land(source, "429"), BrandpulseError)
    gone = x_source.XSource(X_TOKEN, api_base=_closed_port(), timeout_s=0.5)
    evidence.expect_failure(lambda: land(gone, "refused"), BrandpulseError)

    assert "Making API request" in caplog.text  # tweepy logged its headers at DEBUG
    assert evidence.failures == 7 + 2 * len(BROKEN)
    _assert_clean(tmp_path, evidence, caplog, capfd, X_TOKEN)


def test_bluesky_never_shows_its_password_or_session(
    tmp_path: Path,
    evidence: Evidence,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(bluesky_api, "APP_PASSWORD", BSKY_PASSWORD)
    fake = bluesky_api.FakeBluesky(require_auth=True, count=60)
    with serve(fake) as url:
        options = {"auth": True, "identifier": bluesky_api.IDENTIFIER, "pds": url}
        brand = LARKSPUR

        def land(source: bluesky_source.BlueskySource, name: str) -> object:
            return land_paged(
                tmp_path / name, source, brand, start=bluesky_api.WINDOW_START,
                end=bluesky_api.WINDOW_END, options=options, policy=_policy(),
            )  # fmt: skip

        def signed_in(password: str = BSKY_PASSWORD) -> bluesky_source.BlueskySource:
            return bluesky_source.BlueskySource(app_password=password, timeout_s=0.5)

        batch, _ = land(signed_in(), "ok")
        assert batch.records > 0 and _sent(fake.requests, BSKY_PASSWORD)
        sessions = [r.headers["authorization"].removeprefix("Bearer ")
                    for r in fake.requests if "authorization" in r.headers]  # fmt: skip
        assert sessions

        monkeypatch.setattr(bluesky_api, "APP_PASSWORD", "the-right-one")  # 401
        evidence.expect_failure(lambda: land(signed_in(), "401"), SourceAuthError)
        monkeypatch.setattr(bluesky_api, "APP_PASSWORD", BSKY_PASSWORD)
        for broken in BROKEN[:2] + BROKEN[4:]:  # a space or é may be in a password
            evidence.expect_failure(lambda b=broken: land(signed_in(b), "bad"), SourceAuthError)
            source = bluesky_source.create(lambda _, b=broken: b)
            evidence.expect_failure(lambda s=source: land(s, "bad"), SourceAuthError)
        # A provider handing back a session token no header can carry.
        bad_jwt = f"eyJ{CANARY}jwt\nX-Injected: 1"
        fake.faults.append(
            Fault(
                lambda api: Response(
                    200,
                    {
                        "accessJwt": bad_jwt,
                        "refreshJwt": bad_jwt,
                        "did": "did:plc:x",
                        "handle": "h",
                    },
                )
            )
        )
        evidence.expect_failure(lambda: land(signed_in(), "bad-jwt"), SourceAuthError)
        fake.faults += [Fault.slow(1.5), Fault.slow(1.5)]
        evidence.expect_failure(lambda: land(signed_in(), "timeout"), BrandpulseError)
        fake.faults += [Fault.status(502), Fault.status(502)]
        evidence.expect_failure(lambda: land(signed_in(), "502"), BrandpulseError)

    assert evidence.failures == 4 + 2 * len(BROKEN[:2] + BROKEN[4:])
    _assert_clean(tmp_path, evidence, caplog, capfd, BSKY_PASSWORD, bad_jwt, *sessions)


def test_mastodon_never_shows_its_token(
    tmp_path: Path,
    evidence: Evidence,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = mastodon_api.FakeMastodon(token=MASTODON_TOKEN, count=60)
    with serve(fake) as url:
        options = {"instance": url, "auth": True}

        def land(source: mastodon_source.MastodonSource, name: str) -> object:
            return land_paged(
                tmp_path / name, source, LARKSPUR, start=mastodon_api.WINDOW_START,
                end=mastodon_api.WINDOW_END, options=options, policy=_policy(),
            )  # fmt: skip

        def with_token(token: str = MASTODON_TOKEN) -> mastodon_source.MastodonSource:
            return mastodon_source.MastodonSource(access_token=token, timeout_s=0.5)

        batch, _ = land(with_token(), "ok")
        assert batch.records > 0 and _sent(fake.requests, MASTODON_TOKEN)
        wrong = mastodon_api.FakeMastodon(token="the-right-one", count=5)
        with serve(wrong) as other:
            options["instance"] = other
            evidence.expect_failure(lambda: land(with_token(), "401"), SourceAuthError)
            options["instance"] = url
        for broken in BROKEN:
            evidence.expect_failure(lambda b=broken: land(with_token(b), "bad"), SourceAuthError)
            source = mastodon_source.create(lambda _, b=broken: b)
            evidence.expect_failure(lambda s=source: land(s, "bad"), SourceAuthError)
        fake.fail_on(len(fake.timeline_requests()) + 1, Fault.slow(1.5))
        fake.fail_on(len(fake.timeline_requests()) + 2, Fault.slow(1.5))
        evidence.expect_failure(lambda: land(with_token(), "timeout"), BrandpulseError)

    assert evidence.failures == 2 + 2 * len(BROKEN)
    _assert_clean(tmp_path, evidence, caplog, capfd, MASTODON_TOKEN)


# --------------------------------------------------------------------------------------
# Through the command line into the warehouse and the analyst snapshot
# --------------------------------------------------------------------------------------

BRANDS = """
version: 1
brands:
  - id: kestrel
    name: Kestrel Mobile
    timezone: UTC
    accounts: ["@KestrelMobile", "@KestrelCares"]
    terms: ["Kestrel Mobile", "@KestrelMobile", "#KestrelMobile"]
    exclude: ["kestrel mobile home"]
    languages: [en, es]
    sources:
      x: {{page_size: 10}}
  - id: larkspur
    name: Larkspur Mobile
    timezone: UTC
    accounts: ["@LarkspurMobile", "@LarkspurHelp"]
    terms: ["Larkspur Mobile", "#larkspurmobile", "#larkspur"]
    exclude: ["larkspur mobile home"]
    sources:
      bluesky: {{auth: true, identifier: {identifier}, pds: "{bluesky}"}}
      mastodon: {{auth: true, instance: "{mastodon}"}}
"""


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str, str]]:
    monkeypatch.setattr(bluesky_api, "APP_PASSWORD", BSKY_PASSWORD)
    with (
        serve(x_api.FakeX(X_TOKEN, start=X_START, hours=6, count=60)) as x_url,
        serve(bluesky_api.FakeBluesky(require_auth=True, count=60)) as bsky_url,
        serve(mastodon_api.FakeMastodon(token=MASTODON_TOKEN, count=60)) as masto_url,
    ):
        yield x_url, bsky_url, masto_url


def _text_columns_holding(path: Path, needle: str) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema = 'main' and table_name in "
            "(select table_name from information_schema.tables where table_type = 'BASE TABLE')"
        ).fetchall()
        found = []
        for table, column in columns:
            # Table and column names come from the catalog, the needle is a parameter.
            sql = f'select count(*) from "{table}" where "{column}" like ?'  # noqa: S608
            hits = con.execute(sql, [f"%{needle}%"]).fetchone()
            if hits and hits[0]:
                found.append(f"{table}.{column}")
        return found
    finally:
        con.close()


def test_runs_with_good_and_bad_credentials_leave_no_secret_in_the_warehouse(
    settings: Settings,
    fakes: tuple[str, str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    x_url, bsky_url, masto_url = fakes
    brands = write_brands(
        tmp_path / "brands.yaml",
        BRANDS.format(identifier=bluesky_api.IDENTIFIER, bluesky=bsky_url, mastodon=masto_url),
    )
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(brands))
    monkeypatch.setenv("BRANDPULSE_X_API_BASE", x_url)
    monkeypatch.setenv("BRANDPULSE_X_BEARER_TOKEN", X_TOKEN)
    monkeypatch.setenv("BRANDPULSE_BLUESKY_APP_PASSWORD", BSKY_PASSWORD)
    monkeypatch.setenv("BRANDPULSE_MASTODON_TOKEN", MASTODON_TOKEN)

    def run(brand: str, source: str, start: datetime, end: datetime) -> int:
        return main(["-vv", "run", "--brand", brand, "--source", source, "--start",
                     start.isoformat(), "--end", end.isoformat(), "--no-progress",
                     "--no-alerts", "--workers", "1"])  # fmt: skip

    assert run("kestrel", "x", X_START, X_END) == 0
    assert run("larkspur", "bluesky", bluesky_api.WINDOW_START, bluesky_api.WINDOW_END) == 0
    assert run("larkspur", "mastodon", mastodon_api.WINDOW_START, mastodon_api.WINDOW_END) == 0
    out, err = capfd.readouterr()
    assert "loaded" in out
    con = duckdb.connect(str(settings.analyst_db), read_only=True)
    try:
        sources = dict(con.execute("select source, count(*) from posts group by 1").fetchall())
    finally:
        con.close()
    assert set(sources) == {"x", "bluesky", "mastodon"} and min(sources.values()) > 0

    # The same runs with broken credentials: one clear line each, no secret in it.
    for name, var in (
        ("x", "BRANDPULSE_X_BEARER_TOKEN"),
        ("bluesky", "BRANDPULSE_BLUESKY_APP_PASSWORD"),
        ("mastodon", "BRANDPULSE_MASTODON_TOKEN"),
    ):
        monkeypatch.setenv(var, f"{CANARY}-{name}\nX-Injected: 1")
        brand = "kestrel" if name == "x" else "larkspur"
        assert run(brand, name, X_START, X_START + timedelta(hours=1)) == 2
        _, err = capfd.readouterr()
        assert err.startswith("brandpulse: error: ") and "line break" in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert CANARY not in err

    assert "Making API request" in caplog.text
    for secret in (CANARY, X_TOKEN, BSKY_PASSWORD, MASTODON_TOKEN):
        assert secret not in caplog.text
        for db in (settings.warehouse, settings.analyst_db):
            assert db.exists()
            assert secret.encode() not in db.read_bytes()
            assert not _text_columns_holding(db, secret), db
        for path in settings.home.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
