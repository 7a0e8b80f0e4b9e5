"""Plausible post times: the history start, the run's end plus the skew, and their reasons."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.posts import plausible
from pipeline.posts.model import Post
from pipeline.posts.normalize import normalize_batch

END = datetime(2026, 10, 23, tzinfo=UTC)


def brand(history: Any = None) -> BrandConfig:
    return BrandConfig(
        id="pebble",
        name="Pebble",
        timezone="America/New_York",
        accounts=("@PebbleCares",),
        terms=("pebble",),
        exclude=(),
        languages=("en",),
        sources=(),
        report_recipients=(),
        report_local_time="08:00",
        alert_recipients=(),
        overrides={} if history is None else {"history": history},
    )


def test_the_default_history_is_366_days_before_the_run_at_utc_midnight() -> None:
    bounds = plausible.interval_bounds(brand(), END - timedelta(hours=5))
    assert bounds.earliest == datetime(2025, 10, 21, tzinfo=UTC)
    assert bounds.latest == END - timedelta(hours=5) + timedelta(minutes=15)


def test_a_history_start_date_is_midnight_in_the_brands_time_zone() -> None:
    config = plausible.HistoryConfig.for_brand(brand({"start": date(2026, 1, 1)}))
    assert config.history_start(brand(), END) == datetime(2026, 1, 1, 5, tzinfo=UTC)


def test_reasons_name_the_time_and_the_bound() -> None:
    bounds = plausible.import_bounds(
        brand({"clock_skew_minutes": 0}), datetime(2026, 12, 7, 6, 50, tzinfo=UTC)
    )
    assert bounds.reason(datetime(2099, 6, 1, tzinfo=UTC)) == (
        "created_at 2099-06-01T00:00:00Z is after the import time 2026-12-07T06:50:00Z + 0 min skew"
    )
    assert bounds.reason(datetime(2016, 1, 1, tzinfo=UTC)) == (
        "created_at 2016-01-01T00:00:00Z is before the history start "
        "2025-12-06T00:00:00Z of brand 'pebble' (overrides.history)"
    )
    assert bounds.reason(datetime(2026, 12, 7, 6, 49, tzinfo=UTC)) is None
    assert bounds.reason(datetime(2026, 12, 7, 6, 50, tzinfo=UTC)) is not None  # exclusive


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ("2026-01-01", "overrides.history: expected a mapping"),
        ({"start": "yesterday"}, "overrides.history.start: a date"),
        ({"start": datetime(2026, 1, 1)}, "overrides.history.start: a date"),
        ({"days": 0}, "overrides.history.days: a whole number 1..36500"),
        ({"days": True}, "overrides.history.days: a whole number 1..36500"),
        ({"start": "2026-01-01", "days": 3}, "overrides.history: give start or days, not both"),
        ({"clock_skew_minutes": -1}, "overrides.history.clock_skew_minutes: a whole number"),
        ({"skew": 5}, "overrides.history.skew: unknown setting"),
    ],
)
def test_a_wrong_history_setting_fails_naming_brand_and_field(history: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        plausible.HistoryConfig.for_brand(brand(history), "brands.yaml")
    assert str(caught.value).startswith(f"brands.yaml: brand pebble: {message}")


def _post(raw: dict[str, Any], b: BrandConfig) -> Post:
    return Post(
        source="demo", post_id=raw["id"], brand=b.id, created_at=raw["at"], author_id="a",
        author_handle="a", author_followers=0, text="hello", lang=None, url=None,
        conversation_id=None, in_reply_to_post_id=None, in_reply_to_author_id=None,
        repost_of=None, is_brand_reply=False,
    )  # fmt: skip


def test_normalize_quarantines_what_is_not_plausible_with_its_id_and_time() -> None:
    b = brand()
    far = datetime(2099, 6, 1, tzinfo=UTC)
    records = [{"id": "1", "at": END - timedelta(hours=1)}, {"id": "2", "at": far}]
    bounds = plausible.interval_bounds(b, END)
    batch = normalize_batch(
        _post, b, records, datetime(2000, 1, 1, tzinfo=UTC), far + timedelta(days=1),
        plausible=bounds.reason,
    )  # fmt: skip
    assert [p.post_id for p in batch.posts] == ["1"]
    [rejected] = batch.rejected
    assert (rejected.post_id, rejected.created_at) == ("2", far)
    assert rejected.reason.startswith("created_at 2099-06-01T00:00:00Z is after the run's end")


def _broken(raw: dict[str, Any], b: BrandConfig) -> Post:
    raise ValueError("text: missing")


@pytest.mark.parametrize(
    ("raw", "post_id", "when"),
    [
        ({"id": "17", "created_at": "2026-10-22T13:05:00Z"}, "17", "2026-10-22T13:05:00+00:00"),
        (
            {
                "post": {
                    "uri": "at://did:plc:a/app.bsky.feed.post/3k",
                    "indexedAt": "2026-10-22T13:05:00Z",
                }
            },
            "at://did:plc:a/app.bsky.feed.post/3k",
            "2026-10-22T13:05:00+00:00",
        ),
        (
            {"file": "a.csv", "row_no": 3, "mapped": {"post_id": "617", "created_at": "soon"}},
            "617",
            None,
        ),
        ({"file": "a.csv", "row_no": 4, "row": {"__unparseable__": "line 5"}}, None, None),
    ],
)
def test_a_record_that_cannot_be_parsed_keeps_its_id_and_readable_time(
    raw: dict[str, Any], post_id: str | None, when: str | None
) -> None:
    batch = normalize_batch(_broken, brand(), [raw], END - timedelta(days=1), END)
    [rejected] = batch.rejected
    assert rejected.post_id == post_id
    assert rejected.created_at == (datetime.fromisoformat(when) if when else None)
