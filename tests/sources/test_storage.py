"""The storage layer (BRANDPULSE_STORAGE) on a local folder and on a real S3 server on
127.0.0.1: whole writes, reads, listing, deleting; landing, retention's and forget's
files through it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError, StorageError
from pipeline.ingest import storage
from pipeline.ingest.fetching import FetchPolicy, land_paged, scratch_folder
from pipeline.ingest.landing import Batch
from pipeline.settings import Settings
from pipeline.warehouse import retention
from tests.fakes.s3 import S3Server, s3_server  # noqa: F401 - the fixture
from tests.unit.ingest.test_fetching import Boom, ScriptedSource, brand, ids  # noqa: F401

START, END = datetime(2026, 10, 5, 13, tzinfo=UTC), datetime(2026, 10, 5, 14, tzinfo=UTC)


@pytest.fixture(params=["local", "s3"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A storage root: a local folder, or a prefix in a fresh bucket."""
    if request.param == "local":
        return str(tmp_path / "store")
    server: S3Server = request.getfixturevalue("s3_server")
    return server.url("brandpulse")


def test_files_are_written_whole_read_listed_and_deleted(root: str) -> None:
    a = storage.join(root, "landing", "source=demo", "a.jsonl")
    b = storage.join(root, "landing", "source=demo", "date=x", "b.jsonl")
    assert storage.size(a) is None and storage.read_text(a) is None and not storage.exists(a)
    storage.write_bytes(a, "é\n".encode())
    storage.write_bytes(b, b"{}\n")
    storage.write_bytes(a, "ü\nline\n".encode())  # replaced whole
    assert storage.read_text(a) == "ü\nline\n" and storage.size(a) == 8
    with storage.open_text(a) as fh:
        assert list(fh) == ["ü\n", "line\n"]
    assert storage.glob(storage.join(root, "**")) == sorted([a, b])
    assert storage.glob(storage.join(root, "landing", "*", "*.jsonl")) == [a]
    assert storage.delete_tree(storage.join(root, "landing")) == 2
    assert storage.glob(storage.join(root, "**")) == []
    if storage.is_local(root):  # no temporary file left behind either
        assert not any(Path(root).rglob("*"))


def test_the_storage_url_is_checked(tmp_path: Path) -> None:
    env = {"BRANDPULSE_HOME": str(tmp_path)}
    assert Settings.from_env(env).storage is None
    local = Settings.from_env({**env, "BRANDPULSE_STORAGE": f"file://{tmp_path}/s"})
    assert local.storage == str(tmp_path / "s")
    assert storage.landing_root(local) == str(tmp_path / "s" / "landing")
    assert storage.scored_root(local) == str(tmp_path / "s" / "scored")
    s3 = Settings.from_env({**env, "BRANDPULSE_STORAGE": " s3://bucket/a/b/ "})
    assert storage.landing_root(s3) == "s3://bucket/a/b/landing"
    assert s3.airflow_environ()["BRANDPULSE_STORAGE"] == "s3://bucket/a/b"
    default = Settings.from_env(env)
    assert storage.landing_root(default) == str(default.landing)
    assert storage.scored_root(default) == str(default.home / "scored")
    with pytest.raises(ConfigError, match="unsupported scheme 'gs'"):
        Settings.from_env({**env, "BRANDPULSE_STORAGE": "gs://bucket"})
    with pytest.raises(ConfigError, match="no bucket"):
        Settings.from_env({**env, "BRANDPULSE_STORAGE": "s3:///prefix"})


def test_a_batch_lands_whole_in_storage_resumes_and_a_retry_reuses_it(
    root: str,
    brand: BrandConfig,  # noqa: F811
) -> None:
    landing = storage.join(root, "landing")
    policy = FetchPolicy(sleep=lambda _: None)
    source = ScriptedSource(3, {3: Boom()})  # the process dies fetching the third page
    with pytest.raises(Boom):
        land_paged(landing, source, brand, start=START, end=END, options={}, policy=policy)
    # Nothing under a batch's name: a local landing keeps its partial file and checkpoint
    # next to it, a remote one on this host.
    left = storage.glob(storage.join(root, "**"))
    assert not [name for name in left if name.endswith(".jsonl")]
    assert left == [] if not storage.is_local(root) else len(left) == 2
    batch, stats = land_paged(
        landing, source, brand, start=START, end=END, options={}, policy=policy, attempt="a/1"
    )
    assert stats.resumed_from_page == 2  # on this host the retry resumes
    assert (stats.records, batch.records) == (9, 9)
    assert batch.location.startswith(storage.join(landing, "source=scripted", "brand=pebble"))
    assert ids(Batch.from_dict(batch.to_dict())) == [f"{p}-{i}" for p in range(3) for i in range(3)]
    # In storage: the batch and its receipt; a remote landing's scratch files are gone.
    assert storage.glob(storage.join(root, "**")) == [
        batch.location,
        batch.location + ".landed.json",
    ]
    if not storage.is_local(root):
        assert not any(scratch_folder(batch.location).iterdir())
    again, stats = land_paged(
        landing, ScriptedSource(0), brand, start=START, end=END, options={}, attempt="a/1"
    )
    assert stats.reused and again == batch


def test_forget_and_retention_reach_the_landing_zone_in_storage(root: str) -> None:
    landing = storage.join(root, "landing")
    old = storage.join(landing, "source=demo", "brand=pebble", "date=2026-01-01", "a.jsonl")
    new = storage.join(landing, "source=demo", "brand=pebble", "date=2026-10-05", "b.jsonl")
    lines = [{"author_handle": "@Gone", "text": "x"}, {"author_handle": "stays", "text": "y"}]
    body = "".join(json.dumps(line) + "\n" for line in lines).encode()
    for location in (old, new, old + ".landed.json"):
        storage.write_bytes(location, body)
    assert retention._scrub_landing(landing, "pebble", {"gone"}) == 2
    assert storage.read_text(new) == json.dumps(lines[1]) + "\n"
    days = retention._landing_days(landing, "pebble")
    assert sorted(days) == [datetime(2026, 1, 1).date(), datetime(2026, 10, 5).date()]
    assert sorted(days[datetime(2026, 1, 1).date()]) == [old, old + ".landed.json"]


def test_the_s3_endpoint_comes_from_the_standard_variables(
    s3_server: S3Server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert storage._s3_options({}) == {}
    assert storage._s3_options(
        {"AWS_ENDPOINT_URL": "https://a.example", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9"}
    ) == {"config": {"endpoint": "http://127.0.0.1:9"}, "client_options": {"allow_http": True}}
    # The S3-specific variable wins over the general one, as in the AWS tools.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_server.endpoint)
    location = s3_server.url("x/one.txt")
    storage.write_bytes(location, b"1")
    assert storage.read_text(location) == "1"


def test_a_store_that_fails_is_a_one_line_storage_error(
    s3_server: S3Server,  # noqa: F811
) -> None:
    missing = f"s3://no-such-bucket-{s3_server.bucket}/x.txt"
    with pytest.raises(StorageError) as err:
        storage.write_bytes(missing, b"1")
    message = str(err.value)
    assert message.startswith(f"storage: cannot write {missing}: ") and "\n" not in message
    assert "bucket" in message.lower()
