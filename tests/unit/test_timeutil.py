from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pendulum
import pytest

from pipeline.timeutil import parse_moment, plain_utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-05", datetime(2026, 10, 5, tzinfo=UTC)),
        ("2026-10-05T13:00", datetime(2026, 10, 5, 13, tzinfo=UTC)),
        ("2026-10-05T13:00Z", datetime(2026, 10, 5, 13, tzinfo=UTC)),
        ("2026-10-05T15:00+02:00", datetime(2026, 10, 5, 13, tzinfo=UTC)),
    ],
)
def test_parse_moment(text: str, expected: datetime) -> None:
    assert parse_moment(text) == expected
    assert parse_moment(text).tzinfo is UTC


def test_parse_moment_rejects_garbage_with_an_example() -> None:
    with pytest.raises(ValueError, match=r"use e\.g\. 2026-10-05"):
        parse_moment("next tuesday")


def test_plain_utc_survives_airflows_pendulum_datetimes() -> None:
    # pendulum drops a stdlib UTC zone on arithmetic; our plain datetimes must not.
    moment = plain_utc(pendulum.datetime(2026, 10, 21, 0, 15, tz="Europe/London"))
    assert type(moment) is datetime
    assert (moment - timedelta(days=1)).tzinfo is UTC
    assert moment == datetime(2026, 10, 20, 23, 15, tzinfo=UTC)
    assert plain_utc(datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))) == datetime(
        2026, 1, 1, tzinfo=UTC
    )
