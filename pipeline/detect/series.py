"""Time series as they come: reading a ``timestamp,value`` CSV, and the dominant interval.

Real exports have gaps, irregular spacing, repeated and out-of-order timestamps and any
value range; the detector (:mod:`pipeline.detect.engine`) buckets rows to the series'
dominant interval, learned here from its first rows. Only input that cannot be a time
series at all is an error (:class:`~pipeline.errors.InputError`, naming the line).
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from pipeline.errors import InputError, reading_input

#: Rows buffered to learn the interval: the mode of their positive spacings. 64 rows are
#: 5 hours of 5-minute data or under 3 days of hourly data; every NAB series and any
#: export with a dominant interval shows it well within that many rows (our choice).
INTERVAL_SAMPLE: Final = 64
#: "Sensible units" an interval snaps to when within ``SNAP_TOLERANCE`` of one (so a
#: 4:59 or 5:01 mode is 5 minutes). The usual export periods, seconds to a week.
NICE_INTERVALS_S: Final[tuple[int, ...]] = (
    1, 2, 5, 10, 15, 20, 30,
    60, 120, 300, 600, 900, 1200, 1800,
    3600, 7200, 10800, 14400, 21600, 43200, 86400, 604800,
)  # fmt: skip
SNAP_TOLERANCE: Final = 0.05
#: Interval used when the first rows have no two distinct timestamps at all (a single
#: point): one hour, the product's own rollup period. Only warm-up is affected.
FALLBACK_INTERVAL: Final = timedelta(hours=1)


def snap_interval(seconds: float) -> timedelta:
    """``seconds`` rounded to whole seconds, or to a nice unit within 5 % of it."""
    for nice in NICE_INTERVALS_S:
        if abs(seconds - nice) <= SNAP_TOLERANCE * nice:
            return timedelta(seconds=nice)
    return timedelta(seconds=max(1, round(seconds)))


def infer_interval(timestamps: Iterable[datetime]) -> timedelta:
    """The dominant interval: the most common positive spacing between consecutive
    timestamps (in time order), ties to the shorter, snapped by :func:`snap_interval`."""
    ts = sorted(timestamps)
    steps = Counter(round((b - a).total_seconds()) for a, b in itertools.pairwise(ts) if b > a)
    steps.pop(0, None)
    if not steps:
        return FALLBACK_INTERVAL
    best = max(steps.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    return snap_interval(float(best))


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 (``2015-02-26 21:42:53``, ``...T...``, with or without offset or ``Z``)."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    return datetime.fromisoformat(raw)


def read_rows(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line number, timestamp text, value text) of each data row of a ``timestamp,value``
    CSV, in file order (other columns ignored, blank rows skipped). Raises
    :class:`~pipeline.errors.InputError` for a missing or empty file, a header without
    ``timestamp`` or ``value``, or a row too short to hold them."""
    with reading_input(path), path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise InputError(f"{path}: empty file (expected a header timestamp,value)")
        names = [h.strip().lower() for h in header]
        missing = [c for c in ("timestamp", "value") if c not in names]
        if missing:
            raise InputError(
                f"{path}, line 1: no column {' or '.join(missing)} "
                f"(header is {','.join(header)!r}; expected timestamp,value)"
            )
        ti, vi = names.index("timestamp"), names.index("value")
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) <= max(ti, vi):
                raise InputError(f"{path}, line {line}: expected {len(names)} fields")
            yield line, row[ti], row[vi]


def read_timestamp(text: str, where: str) -> datetime:
    """:func:`parse_timestamp`, or an :class:`~pipeline.errors.InputError` naming ``where``."""
    try:
        return parse_timestamp(text)
    except ValueError:
        raise InputError(f"{where}: cannot read timestamp {text!r} (use ISO 8601)") from None


def read_value(text: str, where: str) -> float | None:
    """A row's value; None for an empty or non-finite one (a missing point)."""
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: value {text!r} is not a number") from None
    return value if math.isfinite(value) else None


def read_series(path: Path) -> Iterator[tuple[datetime, float | None]]:
    """The rows of a ``timestamp,value`` CSV in file order (other columns ignored).

    An empty value is a missing point (None). Raises :class:`~pipeline.errors.InputError`
    for what cannot be a time series: no header, no ``timestamp`` / ``value`` column, a
    timestamp that is not ISO 8601, a value that is not a number, or no data row at all.
    """
    seen = False
    for line, ts_text, v_text in read_rows(path):
        where = f"{path}, line {line}"
        ts = read_timestamp(ts_text, where)
        value = read_value(v_text, where)
        seen = True
        yield ts, value
    if not seen:
        raise InputError(f"{path}: no data rows")
