"""``brandpulse detect``: spikes in any regular ``timestamp,value`` CSV, causally, row by row.

The input is read and the output written one row at a time (constant memory beyond the
detector's bounded history): the verdict on a row is written before the next row is read,
so it cannot depend on later rows. Output columns: ``timestamp,value,anomaly_score,is_spike``
(timestamps and values as written in the input; ``is_spike`` is ``1`` or ``0``).

Rules for the input, each violation an :class:`~pipeline.errors.InputError` naming the line:

* a header with ``timestamp`` and ``value`` columns (others are ignored);
* timestamps in ISO 8601 (``2015-02-26 21:42:53``, ``...T...``, with or without offset),
  strictly increasing;
* values are numbers; an empty value is a missing point (kept in the output, never flagged);
* the spacing is regular: the interval is taken from the first two rows, and a row that is
  not a whole number of intervals after the previous one is an error. Gaps of whole
  intervals (missing rows) are allowed and counted in the summary.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.detect.engine import SpikeConfig, StreamDetector
from pipeline.errors import InputError, reading_input

HELP = (
    "Detect spikes in a regular time series: read a CSV with columns timestamp,value "
    "(5-minute to daily spacing), write timestamp,value,anomaly_score,is_spike. Each row is "
    "judged only on itself and the rows before it (causal, streaming); is_spike is 1 on "
    "the first row of each new spike event. Same defaults for every series (docs/spikes.md)."
)


@dataclass(frozen=True)
class DetectSummary:
    rows: int
    missing_values: int  # rows with an empty value
    gaps: int  # missing rows (whole intervals skipped between two rows)
    interval: timedelta | None
    spikes: int
    first_spike: str | None

    def format(self) -> str:
        step = "unknown" if self.interval is None else str(self.interval)
        first = f", first at {self.first_spike}" if self.first_spike else ""
        return (
            f"{self.rows} rows every {step} ({self.missing_values} empty values, "
            f"{self.gaps} missing rows): {self.spikes} spikes{first}"
        )


def _parse_time(text: str, where: str) -> datetime:
    raw = text.strip()
    try:
        ts = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise InputError(f"{where}: cannot read timestamp {text!r} (use ISO 8601)") from None
    return ts


def _rows(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line number, timestamp text, value text) of each data row."""
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


def _naive_utc(ts: datetime) -> datetime:
    """Compare aware and naive timestamps alike: aware ones in UTC, then naive."""
    return ts if ts.tzinfo is None else ts.astimezone(UTC).replace(tzinfo=None)


def detect_csv(input: Path, output: Path, config: SpikeConfig | None = None) -> DetectSummary:
    """Run the spike detector over ``input`` (``timestamp,value``), writing ``output``.

    Raises :class:`~pipeline.errors.InputError` for an unreadable or irregular input (the
    message names the line); the output is then left incomplete, never half-valid silently:
    it is written to ``output`` only when the whole input was read (via a temporary file).
    """
    if input.resolve() == output.resolve():
        raise InputError(f"{output}: the output must not be the input file")
    tmp = output.with_name(output.name + ".partial")
    rows = missing_values = gaps = spikes = 0
    first_spike: str | None = None
    interval: timedelta | None = None
    detector: StreamDetector | None = None
    pending: list[tuple[int, str, str, datetime, float | None]] = []
    prev: datetime | None = None
    try:
        with tmp.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["timestamp", "value", "anomaly_score", "is_spike"])

            def emit(line: int, ts_text: str, v_text: str, ts: datetime, v: float | None) -> None:
                nonlocal spikes, first_spike
                if detector is None:  # pragma: no cover - set before the first emit
                    raise InputError(f"{input}: internal error: no detector")
                res = detector.update(ts, v)
                if res.is_spike:
                    spikes += 1
                    first_spike = first_spike or ts_text.strip()
                writer.writerow(
                    [ts_text.strip(), v_text.strip(), f"{res.anomaly_score:.4f}", int(res.is_spike)]
                )

            for line, ts_text, v_text in _rows(input):
                where = f"{input}, line {line}"
                ts = _naive_utc(_parse_time(ts_text, where))
                value: float | None
                if not v_text.strip():
                    value = None
                    missing_values += 1
                else:
                    try:
                        value = float(v_text)
                    except ValueError:
                        raise InputError(f"{where}: value {v_text!r} is not a number") from None
                    if not math.isfinite(value):
                        raise InputError(f"{where}: value {v_text!r} is not a finite number")
                if prev is not None and ts <= prev:
                    raise InputError(
                        f"{where}: timestamp {ts_text.strip()} is not after the previous row"
                    )
                if prev is not None and interval is None:
                    interval = ts - prev
                    if interval > timedelta(days=1):
                        raise InputError(
                            f"{where}: rows are {interval} apart; the detector takes 5-minute "
                            "to daily series"
                        )
                    detector = StreamDetector(interval, config)
                elif prev is not None and interval is not None:
                    step = ts - prev
                    if step % interval:
                        raise InputError(
                            f"{where}: irregular spacing: {step} after the previous row, "
                            f"not a multiple of the interval {interval} set by the first rows"
                        )
                    gaps += step // interval - 1
                prev = ts
                rows += 1
                if detector is None:  # the first row waits for the second (the interval)
                    pending.append((line, ts_text, v_text, ts, value))
                    continue
                for item in pending:
                    emit(*item)
                pending.clear()
                emit(line, ts_text, v_text, ts, value)
            if rows == 0:
                raise InputError(f"{input}: no data rows after the header")
            if pending:  # a single row: nothing to compare it with
                detector = StreamDetector(timedelta(hours=1), config)
                for item in pending:
                    emit(*item)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    return DetectSummary(rows, missing_values, gaps, interval, spikes, first_spike)
