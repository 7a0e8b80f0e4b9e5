"""``detect_csv``: timestamp,value CSV in, timestamp,value,anomaly_score,is_spike out."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pipeline.detect.detect_file import detect_csv
from pipeline.errors import InputError

START = datetime(2026, 3, 2)


def write(path: Path, rows: list[tuple[str, str]], header: str = "timestamp,value") -> Path:
    path.write_text(header + "\n" + "".join(f"{t},{v}\n" for t, v in rows), encoding="utf-8")
    return path


def series(n: int, step: timedelta, spike_at: int | None = None) -> list[tuple[str, str]]:
    rows = []
    for i in range(n):
        value = 10 + (i * 7) % 5  # steady, a little wobble
        if i == spike_at:
            value = 200
        rows.append(((START + i * step).strftime("%Y-%m-%d %H:%M:%S"), str(value)))
    return rows


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_round_trip_flags_the_spike(tmp_path: Path) -> None:
    rows = series(24 * 12 * 3, timedelta(minutes=5), spike_at=24 * 12 * 2 + 30)
    out = tmp_path / "out.csv"
    summary = detect_csv(write(tmp_path / "in.csv", rows), out)
    got = read(out)
    assert list(got[0]) == ["timestamp", "value", "anomaly_score", "is_spike"]
    assert [(r["timestamp"], r["value"]) for r in got] == rows
    assert [i for i, r in enumerate(got) if r["is_spike"] == "1"] == [24 * 12 * 2 + 30]
    assert all(0.0 <= float(r["anomaly_score"]) <= 1.0 for r in got)
    assert summary.rows == len(rows) and summary.spikes == 1
    assert summary.interval == timedelta(minutes=5)
    assert "1 spikes" in summary.format()


def test_daily_series_and_gaps(tmp_path: Path) -> None:
    rows = series(120, timedelta(days=1))
    del rows[50:52]  # two missing days
    rows[60] = (rows[60][0], "")  # an empty value
    out = tmp_path / "out.csv"
    summary = detect_csv(write(tmp_path / "in.csv", rows), out)
    assert summary.gaps == 2 and summary.missing_values == 1
    assert read(out)[60]["is_spike"] == "0"


def test_causal_prefix_gives_same_rows(tmp_path: Path) -> None:
    rows = series(24 * 6, timedelta(hours=1), spike_at=100)
    detect_csv(write(tmp_path / "a.csv", rows), tmp_path / "a.out")
    detect_csv(write(tmp_path / "b.csv", rows[:101]), tmp_path / "b.out")
    assert read(tmp_path / "b.out") == read(tmp_path / "a.out")[:101]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("timestamp,value\n", "no data rows"),
        ("time,count\n2026-01-01,1\n", "line 1: no column timestamp or value"),
        ("timestamp,value\n2026-01-01 00:00,1\nyesterday,2\n", "line 3: cannot read timestamp"),
        ("timestamp,value\n2026-01-01 00:00,1\n2026-01-01 01:00,lots\n", "line 3: value 'lots'"),
        ("timestamp,value\n2026-01-01 00:00,1\n2026-01-01 01:00,\n2026-01-01,x\n", "line 4"),
    ],
)
def test_bad_input_names_the_line(tmp_path: Path, content: str, message: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(InputError, match=message):
        detect_csv(src, out)
    assert not out.exists()
    assert not (tmp_path / "out.csv.partial").exists()


def test_missing_file_and_same_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        detect_csv(tmp_path / "nope.csv", tmp_path / "out.csv")
    src = write(tmp_path / "in.csv", series(5, timedelta(hours=1)))
    with pytest.raises(InputError, match="must not be the input"):
        detect_csv(src, src)


def test_single_row_and_extra_columns(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,timestamp,value\n1,2026-01-01T00:00:00Z,3\n", encoding="utf-8")
    summary = detect_csv(src, tmp_path / "out.csv")
    assert summary.rows == 1 and summary.spikes == 0
    assert read(tmp_path / "out.csv")[0]["is_spike"] == "0"


def test_real_exports_are_taken_as_they_come(tmp_path: Path) -> None:
    """Out-of-order, repeated and irregular timestamps, non-finite and negative values:
    read, bucketed to the dominant interval, one output row per input row."""
    rows = series(24 * 12 * 2, timedelta(minutes=5))
    rows[40], rows[41] = rows[41], rows[40]  # out of order
    rows[200] = ((START + timedelta(minutes=5 * 200 + 2)).strftime("%Y-%m-%d %H:%M:%S"), "-3.5")
    rows[300] = (rows[300][0], "inf")  # not a finite number: a missing point
    rows.insert(100, rows[99])  # a repeated timestamp
    out = tmp_path / "out.csv"
    summary = detect_csv(write(tmp_path / "in.csv", rows), out)
    got = read(out)
    assert [(r["timestamp"], r["value"]) for r in got] == rows
    assert summary.interval == timedelta(minutes=5)
    assert summary.repeated == 1 and summary.out_of_order == 1
    assert summary.missing_values == 1 and not summary.count_like
    assert "bucketed every 0:05:00" in summary.format()


def test_weekly_spacing_and_direction(tmp_path: Path) -> None:
    rows = series(120, timedelta(days=7))
    rows[110] = (rows[110][0], "0")  # a drop
    src = write(tmp_path / "in.csv", rows)
    up = detect_csv(src, tmp_path / "up.csv", direction="up")
    both = detect_csv(src, tmp_path / "both.csv", direction="both")
    assert up.interval == both.interval == timedelta(days=7)
    assert up.direction == "up" and both.direction == "both"
    assert read(tmp_path / "up.csv")[110]["is_spike"] == "0"
