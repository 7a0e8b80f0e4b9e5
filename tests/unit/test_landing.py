from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline import landing

START = datetime(2026, 10, 5, tzinfo=UTC)
END = START + timedelta(hours=1)


def test_landing_round_trips_and_replaces_atomically(tmp_path: Path) -> None:
    first = landing.write_batch(tmp_path, "demo", "pebble", START, END, [{"id": "1"}, {"id": "2"}])
    assert first.records == 2
    assert (
        first.path
        == tmp_path
        / "source=demo/brand=pebble/date=2026-10-05/20261005T000000Z_20261005T010000Z.jsonl"
    )
    again = landing.write_batch(
        tmp_path, "demo", "pebble", START, END, [{"id": "3", "text": "ünï ❤️"}]
    )
    assert again.path == first.path
    assert list(landing.read_batch(again)) == [{"id": "3", "text": "ünï ❤️"}]
    assert [p.name for p in first.path.parent.iterdir()] == [first.path.name]  # no temp files left


def test_a_failing_fetch_leaves_the_previous_landing_intact(tmp_path: Path) -> None:
    landing.write_batch(tmp_path, "demo", "pebble", START, END, [{"id": "1"}])

    def broken() -> object:
        yield {"id": "2"}
        raise ConnectionResetError("peer went away")

    with pytest.raises(ConnectionResetError):
        landing.write_batch(tmp_path, "demo", "pebble", START, END, broken())  # type: ignore[arg-type]
    batch = landing.Batch(
        "demo", "pebble", START, END, landing.batch_path(tmp_path, "demo", "pebble", START, END), 1
    )
    assert list(landing.read_batch(batch)) == [{"id": "1"}]
    assert len(list(batch.path.parent.iterdir())) == 1


def test_unparseable_lines_are_passed_on_for_quarantine(tmp_path: Path) -> None:
    batch = landing.write_batch(tmp_path, "demo", "pebble", START, END, [{"id": "1"}])
    with batch.path.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "2", "text": "trunc\n')
    assert list(landing.read_batch(batch)) == [{"id": "1"}, '{"id": "2", "text": "trunc']


def test_batch_survives_xcom_serialisation(tmp_path: Path) -> None:
    batch = landing.write_batch(tmp_path, "demo", "pebble", START, END, [])
    assert landing.Batch.from_dict(batch.to_dict()) == batch
