"""Resumable, checkpointed landing: faults cost nothing, nothing is fetched twice or skipped."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config.model import BrandConfig
from pipeline.errors import RateLimitedError, SourceError, TransientSourceError
from pipeline.ingest import landing
from pipeline.ingest.fetching import FetchPolicy, land_paged
from pipeline.ingest.sources.base import Page
from pipeline.posts.model import Post, RawRecord
from pipeline.settings import PROJECT_ROOT
from pipeline.steps.brands import load_brands

START = datetime(2026, 10, 5, 12, tzinfo=UTC)
END = START + timedelta(hours=1)
NOW = 1_000_000.0


class Boom(Exception):
    """Stands for the process dying mid-fetch."""


class ScriptedSource:
    """Serves ``pages`` pages of 3 records; ``script`` maps call number -> exception."""

    name = "scripted"

    def __init__(self, pages: int, script: dict[int, BaseException] | None = None) -> None:
        self.pages = pages
        self.script = script or {}
        self.calls: list[str | None] = []

    def fetch_page(
        self,
        brand: BrandConfig,
        start: datetime,
        end: datetime,
        options: Mapping[str, Any],
        cursor: str | None,
    ) -> Page:
        self.calls.append(cursor)
        fault = self.script.pop(len(self.calls), None)
        if fault is not None:
            raise fault
        page = int(cursor or 0)
        records = [{"id": f"{page}-{i}"} for i in range(3)]
        return Page(records, str(page + 1) if page + 1 < self.pages else None)

    def to_post(self, raw: RawRecord, brand: BrandConfig) -> Post:  # pragma: no cover
        raise NotImplementedError


@pytest.fixture(scope="module")
def brand() -> BrandConfig:
    return load_brands(PROJECT_ROOT / "brands.yaml").get("pebble")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def policy(sleeps: list[float]) -> FetchPolicy:
    return FetchPolicy(sleep=sleeps.append, clock=lambda: NOW)


def ids(batch: landing.Batch) -> list[str]:
    return [r["id"] for r in landing.read_batch(batch)]


def land(
    tmp_path: Path, source: ScriptedSource, brand: BrandConfig, policy: FetchPolicy
) -> landing.Batch:
    batch, _ = land_paged(tmp_path, source, brand, start=START, end=END, options={}, policy=policy)
    return batch


ALL = [f"{p}-{i}" for p in range(4) for i in range(3)]


def test_all_pages_land_in_order(tmp_path: Path, brand: BrandConfig, policy: FetchPolicy) -> None:
    source = ScriptedSource(4)
    batch = land(tmp_path, source, brand, policy)
    assert ids(batch) == ALL and batch.records == 12
    assert source.calls == [None, "1", "2", "3"]
    assert sorted(p.name for p in batch.path.parent.iterdir()) == [batch.path.name]


def test_transient_errors_are_retried_with_backoff(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy, sleeps: list[float]
) -> None:
    source = ScriptedSource(4, {2: TransientSourceError("503"), 3: TransientSourceError("reset")})
    batch, stats = land_paged(
        tmp_path, source, brand, start=START, end=END, options={}, policy=policy
    )
    assert ids(batch) == ALL
    assert source.calls == [None, "1", "1", "1", "2", "3"]
    assert stats.retries == 2 and 1.0 <= sleeps[0] <= 1.25 and 2.0 <= sleeps[1] <= 2.5


def test_a_persistent_failure_fails_loudly_after_max_attempts(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy
) -> None:
    source = ScriptedSource(4, {n: TransientSourceError("503") for n in range(2, 8)})
    with pytest.raises(TransientSourceError):
        land(tmp_path, source, brand, policy)
    assert source.calls.count("1") == policy.max_attempts
    assert not landing.batch_path(tmp_path, "scripted", "pebble", START, END).exists()


def test_a_near_rate_limit_reset_is_waited_for(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy, sleeps: list[float]
) -> None:
    reset = datetime.fromtimestamp(NOW + 20, tz=UTC)
    source = ScriptedSource(4, {3: RateLimitedError("429", reset_at=reset)})
    assert ids(land(tmp_path, source, brand, policy)) == ALL
    assert sleeps == [21.0]


def test_a_far_rate_limit_ends_the_attempt_and_the_retry_resumes(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy
) -> None:
    reset = datetime.fromtimestamp(NOW + 900, tz=UTC)
    first = ScriptedSource(4, {3: RateLimitedError("429", reset_at=reset)})
    with pytest.raises(RateLimitedError):
        land(tmp_path, first, brand, policy)
    assert first.calls == [None, "1", "2"]
    retry = ScriptedSource(4)
    batch = land(tmp_path, retry, brand, policy)
    assert retry.calls == ["2", "3"]  # pages 0 and 1 are not fetched again
    assert ids(batch) == ALL  # nothing skipped, nothing twice


def test_a_crash_mid_write_resumes_from_the_last_checkpoint(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy
) -> None:
    source = ScriptedSource(4, {3: Boom()})
    with pytest.raises(Boom):
        land(tmp_path, source, brand, policy)
    partial = next(tmp_path.rglob("*.partial"))
    with partial.open("ab") as fh:
        fh.write(b'{"id": "half-writ')  # the dying process had begun the next page
    batch = land(tmp_path, ScriptedSource(4), brand, policy)
    assert ids(batch) == ALL


@pytest.mark.parametrize("pages", [1, 4])
def test_a_crash_after_the_last_page_before_the_batch_lands_refetches_only_that_page(
    tmp_path: Path,
    brand: BrandConfig,
    policy: FetchPolicy,
    monkeypatch: pytest.MonkeyPatch,
    pages: int,
) -> None:
    # The last page gets no checkpoint of its own (the partial file becomes the batch next):
    # a process dying in between resumes from the page before it, or for a single page
    # starts over, and the batch holds every record once.
    import os

    import pipeline.ingest.fetching as fetching

    replace = os.replace

    def die(src: Path, dst: Path) -> None:
        if str(src).endswith(".partial"):  # the batch's rename; checkpoints still land
            raise Boom()
        replace(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(fetching.os, "replace", die)
        with pytest.raises(Boom):
            land(tmp_path, ScriptedSource(pages), brand, policy)
    assert not list(tmp_path.rglob("*.jsonl"))  # nothing landed under the batch's name
    retry = ScriptedSource(pages)
    batch = land(tmp_path, retry, brand, policy)
    assert retry.calls == [str(pages - 1) if pages > 1 else None]
    assert ids(batch) == [f"{p}-{i}" for p in range(pages) for i in range(3)]


def test_a_checkpoint_of_an_older_search_never_meets_a_newer_partial_file(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Search A dies after two pages (checkpoint A); search B starts over and lands its one
    # page (no checkpoint of its own) but dies before the rename; search A again must not
    # resume at A's old offset in B's file.
    import os

    import pipeline.ingest.fetching as fetching

    with pytest.raises(Boom):
        land(tmp_path, ScriptedSource(4, {3: Boom()}), brand, policy)
    replace = os.replace

    def die(src: Path, dst: Path) -> None:
        if str(src).endswith(".partial"):
            raise Boom()
        replace(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(fetching.os, "replace", die)
        with pytest.raises(Boom):
            land_paged(
                tmp_path, ScriptedSource(1), brand, start=START, end=END,
                options={"page_size": 50}, policy=policy,
            )  # fmt: skip
    again = ScriptedSource(4)
    batch = land(tmp_path, again, brand, policy)
    assert again.calls == [None, "1", "2", "3"]
    assert ids(batch) == ALL


def test_a_completed_interval_is_fetched_afresh_on_rerun(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy
) -> None:
    land(tmp_path, ScriptedSource(4), brand, policy)
    again = ScriptedSource(2)
    batch = land(tmp_path, again, brand, policy)
    assert again.calls == [None, "1"] and batch.records == 6


def test_a_changed_search_starts_the_interrupted_interval_over(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy
) -> None:
    reset = datetime.fromtimestamp(NOW + 900, tz=UTC)
    first = ScriptedSource(4, {3: RateLimitedError("429", reset_at=reset)})
    with pytest.raises(RateLimitedError):
        land(tmp_path, first, brand, policy)
    retry = ScriptedSource(4)
    batch, _ = land_paged(
        tmp_path, retry, brand, start=START, end=END, options={"page_size": 50}, policy=policy
    )
    assert retry.calls == [None, "1", "2", "3"]  # the old cursor is not reused
    assert ids(batch) == ALL


def test_a_cycling_cursor_ends_in_a_clear_error(tmp_path: Path, brand: BrandConfig) -> None:
    class Cycling(ScriptedSource):
        def fetch_page(self, *args: Any) -> Page:
            return Page([{"id": "x"}], "same")

    with pytest.raises(SourceError, match="more than 5 pages"):
        land_paged(
            tmp_path,
            Cycling(1),
            brand,
            start=START,
            end=END,
            options={},
            policy=FetchPolicy(max_pages=5, sleep=lambda s: None),
        )


def land_as(
    tmp_path: Path,
    source: ScriptedSource,
    brand: BrandConfig,
    policy: FetchPolicy,
    attempt: str | None,
    options: Mapping[str, Any] | None = None,
) -> landing.Batch:
    batch, stats = land_paged(
        tmp_path,
        source,
        brand,
        start=START,
        end=END,
        options=options or {},
        policy=policy,
        attempt=attempt,
    )
    assert stats.reused == (not source.calls)
    return batch


def test_a_retry_of_the_same_attempt_does_not_fetch_its_landed_interval_again(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy
) -> None:
    first = land_as(tmp_path, ScriptedSource(4), brand, policy, "run-1/land/0/from-try-1")
    retry = ScriptedSource(4)
    batch = land_as(tmp_path, retry, brand, policy, "run-1/land/0/from-try-1")
    assert retry.calls == []  # landed by the try before: nothing fetched
    assert batch == first and batch.records == 12 and ids(batch) == ALL
    # Only the batch and what landed it are in the folder.
    assert sorted(p.name for p in batch.path.parent.iterdir()) == [
        batch.path.name,
        batch.path.name + ".landed.json",
    ]


def test_another_attempt_or_none_fetches_a_landed_interval_afresh(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy
) -> None:
    land_as(tmp_path, ScriptedSource(4), brand, policy, "run-1/land/0/from-try-1")
    cleared = ScriptedSource(2)  # a cleared task: a new sequence of tries
    batch = land_as(tmp_path, cleared, brand, policy, "run-1/land/0/from-try-4")
    assert cleared.calls == [None, "1"] and batch.records == 6
    # A landing without an attempt (the command line) replaces the file and what landed it,
    # so the earlier attempt's retry cannot take this file for its own.
    plain = ScriptedSource(3)
    land_as(tmp_path, plain, brand, policy, None)
    assert plain.calls == [None, "1", "2"]
    again = ScriptedSource(4)
    batch = land_as(tmp_path, again, brand, policy, "run-1/land/0/from-try-4")
    assert again.calls == [None, "1", "2", "3"] and ids(batch) == ALL


def test_a_retry_fetches_again_when_the_search_or_the_file_changed(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy
) -> None:
    attempt = "run-1/land/0/from-try-1"
    land_as(tmp_path, ScriptedSource(4), brand, policy, attempt)
    changed = ScriptedSource(4)
    land_as(tmp_path, changed, brand, policy, attempt, options={"page_size": 50})
    assert changed.calls == [None, "1", "2", "3"]  # another search: not that landing

    batch = land_as(tmp_path, ScriptedSource(4), brand, policy, attempt)
    with batch.path.open("ab") as fh:  # the file changed since (scrubbed, truncated, ...)
        fh.write(b'{"id": "x"}\n')
    edited = ScriptedSource(4)
    batch = land_as(tmp_path, edited, brand, policy, attempt)
    assert edited.calls == [None, "1", "2", "3"] and ids(batch) == ALL


def test_an_interrupted_retry_resumes_and_then_records_its_attempt(
    tmp_path: Path, brand: BrandConfig, policy: FetchPolicy
) -> None:
    attempt = "run-1/land/0/from-try-1"
    reset = datetime.fromtimestamp(NOW + 900, tz=UTC)
    with pytest.raises(RateLimitedError):
        land_as(tmp_path, ScriptedSource(4, {3: RateLimitedError("429", reset_at=reset)}),
                brand, policy, attempt)  # fmt: skip
    retry = ScriptedSource(4)
    land_as(tmp_path, retry, brand, policy, attempt)
    assert retry.calls == ["2", "3"]  # the checkpoint still resumes the interrupted one
    third = ScriptedSource(4)
    batch = land_as(tmp_path, third, brand, policy, attempt)
    assert third.calls == [] and ids(batch) == ALL
