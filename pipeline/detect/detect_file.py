"""``brandpulse detect``: spikes in a ``timestamp,value`` CSV as it comes, causally, row by row.

The input is read and the output written one row at a time: the verdict on a row is
written before the next row is read, so it cannot depend on later rows. Output columns:
``timestamp,value,anomaly_score,is_spike``, one row per input row, in input order
(timestamps and values as written in the input; ``is_spike`` is ``1`` or ``0``).

Real exports are taken as they come (:mod:`pipeline.detect.series`): gaps, irregular
spacing, repeated and out-of-order timestamps, any value range, 5-minute to daily. The
rows are bucketed to the series' dominant interval, learned from its first rows (the
most common spacing, snapped to a round unit); a bucket's value is the mean of its rows.
A row older than the bucket being filled is *late*: it is written with score 0 and never
flagged. The summary says what was done. Errors (:class:`~pipeline.errors.InputError`,
naming the line) only for what cannot be a time series: no ``timestamp``/``value``
header, a timestamp that is not ISO 8601, a value that is not a number, no data row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.detect.engine import DetectorConfig, Direction, SpikeDetector
from pipeline.detect.series import read_rows, read_timestamp, read_value
from pipeline.errors import InputError
from pipeline.timeutil import naive_utc


@dataclass(frozen=True)
class DetectSummary:
    """What ``brandpulse detect`` did with a file."""

    rows: int
    missing_values: int  # rows with an empty (or non-finite) value: kept, never flagged
    repeated: int  # rows whose timestamp equals an earlier row's
    out_of_order: int  # rows with a timestamp before an earlier row's
    late: int  # rows older than the bucket being filled: kept with score 0, never flagged
    interval: timedelta | None  # the dominant interval the rows were bucketed to
    gaps: int  # intervals between the first and the last timestamp that no row falls in
    count_like: bool  # every value a non-negative integer (the count model judged it too)
    direction: Direction
    spikes: int
    first_spike: str | None

    def format(self) -> str:
        step = "unknown (too few rows)" if self.interval is None else str(self.interval)
        first = f", first at {self.first_spike}" if self.first_spike else ""
        kind = "counts" if self.count_like else "real values"
        return (
            f"{self.rows} rows of {kind}, bucketed every {step} ({self.gaps} empty buckets, "
            f"{self.repeated} repeated and {self.out_of_order} out-of-order timestamps, "
            f"{self.late} late rows not judged, {self.missing_values} empty values); "
            f"direction {self.direction}: {self.spikes} spikes{first}"
        )


def detect_csv(
    input: Path,
    output: Path,
    config: DetectorConfig | None = None,
    *,
    direction: Direction | None = None,
) -> DetectSummary:
    """Run the spike detector over ``input`` (``timestamp,value``), writing ``output``.

    ``direction`` (``up``, ``down`` or ``both``) overrides the config's. Raises
    :class:`~pipeline.errors.InputError` for an input that cannot be a time series (the
    message names the line); ``output`` is written only when the whole input was read
    (through a temporary file), never half-valid.
    """
    if input.resolve() == output.resolve():
        raise InputError(f"{output}: the output must not be the input file")
    cfg = config or DetectorConfig()
    if direction is not None:
        cfg = replace(cfg, direction=direction)
    detector = SpikeDetector(cfg)
    tmp = output.with_name(output.name + ".partial")
    rows = missing = repeated = out_of_order = late = spikes = 0
    first_spike: str | None = None
    latest: datetime | None = None
    seen: set[datetime] = set()
    try:
        with tmp.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["timestamp", "value", "anomaly_score", "is_spike"])
            for line, ts_text, v_text in read_rows(input):
                where = f"{input}, line {line}"
                ts = naive_utc(read_timestamp(ts_text, where))
                value = read_value(v_text, where)
                rows += 1
                missing += value is None
                if ts in seen:
                    repeated += 1
                elif latest is not None and ts < latest:
                    out_of_order += 1
                seen.add(ts)
                latest = ts if latest is None else max(latest, ts)
                started = detector.interval is not None
                res = detector.update(ts, value)
                if res.bucket is None and value is not None and started:
                    late += 1
                if res.is_spike:
                    spikes += 1
                    first_spike = first_spike or ts_text.strip()
                writer.writerow(
                    [ts_text.strip(), v_text.strip(), f"{res.anomaly_score:.4f}", int(res.is_spike)]
                )
            if rows == 0:
                raise InputError(f"{input}: no data rows after the header")
            detector.finish()
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    gaps = 0
    if detector.interval is not None and len(seen) > 1:
        first = min(seen)
        slots = {(t - first) // detector.interval for t in seen}
        gaps = max(slots) + 1 - len(slots)
    return DetectSummary(
        rows=rows,
        missing_values=missing,
        repeated=repeated,
        out_of_order=out_of_order,
        late=late,
        interval=detector.interval,
        gaps=gaps,
        count_like=detector.count_like,
        direction=cfg.direction,
        spikes=spikes,
        first_spike=first_spike,
    )
