"""Benchmark the spike detector on a NAB-style folder with NAB's own scorer.

``data_dir`` holds ``data/*.csv`` (``timestamp,value``) and ``combined_windows.json``
(labelled anomaly windows), as ``../shared/data/nab_realtweets_dev``. Every CSV is run
through :func:`pipeline.detect.detect_file.detect_csv` (the same code as ``brandpulse detect``),
its ``is_spike`` written as ``anomaly_score`` 0/1 into a temporary folder, and the scorer
(``nab_score.py``, run with this Python) scores those decisions in the ``standard`` and
``reward_low_FP_rate`` profiles at threshold 0.5. Nothing is fitted here.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.detect.detect_file import detect_csv
from pipeline.detect.engine import SpikeConfig
from pipeline.errors import InputError

PROFILES = ("standard", "reward_low_FP_rate")


@dataclass(frozen=True)
class FileResult:
    name: str
    rows: int
    spikes: int
    hit: dict[str, str]  # profile -> "hit/windows"
    raw: dict[str, float]  # profile -> raw NAB score of the file
    fp: int


@dataclass(frozen=True)
class NabResult:
    data_dir: Path
    scores: dict[str, float]  # profile -> normalized NAB score (0 = silent, 100 = perfect)
    files: list[FileResult] = field(default_factory=list)

    def format(self) -> str:
        lines = [f"NAB on {self.data_dir} (detector's own is_spike decisions, threshold 0.5)"]
        lines.append(f"{'file':32}{'spikes':>7}{'FP rows':>8}  hit   raw std  raw lowFP")
        for f in self.files:
            lines.append(
                f"{f.name:32}{f.spikes:7d}{f.fp:8d}  {f.hit.get('standard', '?'):5}"
                f"{f.raw.get('standard', float('nan')):8.3f}"
                f"{f.raw.get('reward_low_FP_rate', float('nan')):10.3f}"
            )
        lines.append(
            "normalized: "
            + ", ".join(f"{p} {self.scores[p]:.1f}" for p in PROFILES if p in self.scores)
        )
        return "\n".join(lines)


def write_detections(
    data_dir: Path, out_dir: Path, config: SpikeConfig | None = None
) -> dict[str, tuple[int, int]]:
    """Detections (``timestamp,anomaly_score``) of every ``data/*.csv`` into ``out_dir``;
    returns name -> (rows, spikes)."""
    files = sorted((data_dir / "data").glob("*.csv"))
    if not files:
        raise InputError(f"{data_dir}: no data/*.csv files")
    counts: dict[str, tuple[int, int]] = {}
    for path in files:
        detected = out_dir / f"{path.stem}.detect.csv"
        summary = detect_csv(path, detected, config)
        with (
            detected.open(encoding="utf-8", newline="") as src,
            (out_dir / path.name).open("w", encoding="utf-8", newline="") as dst,
        ):
            writer = csv.writer(dst, lineterminator="\n")
            writer.writerow(["timestamp", "anomaly_score"])
            for row in csv.DictReader(src):
                writer.writerow([row["timestamp"], row["is_spike"]])
        detected.unlink()
        counts[path.name] = (summary.rows, summary.spikes)
    return counts


def evaluate_nab(data_dir: Path, scorer: Path, config: SpikeConfig | None = None) -> NabResult:
    """Run the detector on every file of ``data_dir`` and score it with ``scorer``."""
    windows = data_dir / "combined_windows.json"
    if not windows.is_file():
        raise InputError(f"{data_dir}: no combined_windows.json")
    if not scorer.is_file():
        raise InputError(f"NAB scorer not found: {scorer}")
    with tempfile.TemporaryDirectory(prefix="brandpulse-nab-") as tmp:
        det_dir = Path(tmp) / "detections"
        det_dir.mkdir()
        counts = write_detections(data_dir, det_dir, config)
        report = Path(tmp) / "report.json"
        proc = subprocess.run(
            [
                sys.executable,
                str(scorer),
                "--data",
                str(data_dir / "data"),
                "--windows",
                str(windows),
                "--detections",
                str(det_dir),
                "--profile",
                "all",
                "--threshold",
                "0.5",
                "--json",
                str(report),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not report.is_file():
            raise InputError(f"NAB scorer failed: {proc.stderr.strip() or proc.stdout.strip()}")
        data = json.loads(report.read_text())
    profiles = data["profiles"]
    files: list[FileResult] = []
    for name, (rows, spikes) in counts.items():
        per = {p: profiles[p]["files"].get(name) for p in PROFILES}
        if per["standard"] is None:
            continue
        files.append(
            FileResult(
                name=name,
                rows=rows,
                spikes=spikes,
                hit={p: f"{r['hit']}/{r['windows']}" for p, r in per.items() if r},
                raw={p: float(r["raw"]) for p, r in per.items() if r},
                fp=int(per["standard"]["FP"]),
            )
        )
    return NabResult(
        data_dir=data_dir,
        scores={p: float(profiles[p]["normalized"]) for p in PROFILES},
        files=files,
    )


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - thin wrapper
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--nab-scorer", type=Path, required=True)
    args = ap.parse_args(argv)
    print(evaluate_nab(args.data_dir, args.nab_scorer).format())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
