"""Benchmark the spike detector on a NAB-style folder with NAB's own scorer.

``data_dir`` holds ``data/*.csv`` or ``data/<category>/*.csv`` (``timestamp,value``) and
``combined_windows.json`` (labelled anomaly windows, NAB's keys), as
``../shared/data/nab_realtweets_dev`` and ``../shared/data/nab_corpus_dev``. Every CSV is
run through :func:`pipeline.detect.detect_file.detect_csv` (the same code as ``brandpulse
detect``, with its defaults), its ``is_spike`` written as ``anomaly_score`` 0/1 into a
temporary folder, and the scorer (``nab_score.py``, run with this Python) scores those
decisions in the ``standard`` and ``reward_low_FP_rate`` profiles at threshold 0.5: over all
the files and over each category's. Nothing is fitted here.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.detect.detect_file import detect_csv
from pipeline.detect.engine import DetectorConfig
from pipeline.errors import InputError

PROFILES = ("standard", "reward_low_FP_rate")
#: The name of the pooled row, over every file.
ALL = "all"


@dataclass(frozen=True)
class FileResult:
    name: str
    category: str
    rows: int
    spikes: int
    hit: dict[str, str]  # profile -> "hit/windows"
    raw: dict[str, float]  # profile -> raw NAB score of the file
    fp: int


@dataclass(frozen=True)
class NabResult:
    data_dir: Path
    #: category (or ``all``) -> profile -> normalized NAB score (0 = silent, 100 = perfect);
    #: a category without labelled windows (NAB's artificialNoAnomaly) has no score.
    scores: dict[str, dict[str, float]]
    seconds: float
    files: list[FileResult] = field(default_factory=list)

    def format(self) -> str:
        lines = [
            f"NAB on {self.data_dir}: the detector's own is_spike decisions, threshold 0.5 "
            f"({len(self.files)} files in {self.seconds:.1f} s)"
        ]
        lines.append(f"{'category':28}{'files':>6}{'standard':>10}{'low FP':>9}")
        for name, scores in self.scores.items():
            n = len(self.files) if name == ALL else sum(f.category == name for f in self.files)
            cells = "".join(
                f"{scores[p]:>10.1f}" if p in scores else f"{'-':>10}" for p in PROFILES
            )
            lines.append(f"{name:28}{n:6d}{cells}")
        return "\n".join(lines)


def _category(data_root: Path, path: Path) -> str:
    rel = path.relative_to(data_root)
    return rel.parts[0] if len(rel.parts) > 1 else ALL


def write_detections(
    data_dir: Path, out_dir: Path, config: DetectorConfig | None = None
) -> dict[str, tuple[str, int, int]]:
    """Detections (``timestamp,anomaly_score``) of every CSV under ``data_dir/data`` into
    ``out_dir/<category>/``; returns name -> (category, rows, spikes)."""
    root = data_dir / "data"
    files = sorted(root.rglob("*.csv"))
    if not files:
        raise InputError(f"{data_dir}: no data/*.csv files")
    counts: dict[str, tuple[str, int, int]] = {}
    for path in files:
        category = _category(root, path)
        folder = out_dir / category
        folder.mkdir(parents=True, exist_ok=True)
        detected = folder / f"{path.stem}.detect.csv"
        summary = detect_csv(path, detected, config)
        with (
            detected.open(encoding="utf-8", newline="") as src,
            (folder / path.name).open("w", encoding="utf-8", newline="") as dst,
        ):
            writer = csv.writer(dst, lineterminator="\n")
            writer.writerow(["timestamp", "anomaly_score"])
            for row in csv.DictReader(src):
                writer.writerow([row["timestamp"], row["is_spike"]])
        detected.unlink()
        counts[path.name] = (category, summary.rows, summary.spikes)
    return counts


#: The scorer's JSON report: {"profiles": {profile: {"normalized": ..., "files": {...}}}}.
Report = dict[str, Any]


def _score(scorer: Path, data_dir: Path, detections: Path, report: Path) -> Report:
    proc = subprocess.run(
        [
            sys.executable, str(scorer), "--data", str(data_dir / "data"),
            "--windows", str(data_dir / "combined_windows.json"), "--detections",
            str(detections), "--profile", "all", "--threshold", "0.5", "--json", str(report),
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0 or not report.is_file():
        raise InputError(f"NAB scorer failed: {proc.stderr.strip() or proc.stdout.strip()}")
    data: Report = json.loads(report.read_text())
    return data


def evaluate_nab(data_dir: Path, scorer: Path, config: DetectorConfig | None = None) -> NabResult:
    """Run the detector on every file of ``data_dir`` and score it with ``scorer``, pooled
    and per category (the first folder level under ``data/``)."""
    if not (data_dir / "combined_windows.json").is_file():
        raise InputError(f"{data_dir}: no combined_windows.json")
    if not scorer.is_file():
        raise InputError(f"NAB scorer not found: {scorer}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="brandpulse-nab-") as tmp:
        det_dir = Path(tmp) / "detections"
        counts = write_detections(data_dir, det_dir, config)
        seconds = time.perf_counter() - started
        pooled = Path(tmp) / "pooled"
        pooled.mkdir()
        for path in det_dir.rglob("*.csv"):
            (pooled / path.name).symlink_to(path)
        reports = {ALL: _score(scorer, data_dir, pooled, Path(tmp) / "all.json")}
        categories = sorted({c for c, _, _ in counts.values()} - {ALL})
        for category in categories:
            reports[category] = _score(
                scorer, data_dir, det_dir / category, Path(tmp) / f"{category}.json"
            )
    scores: dict[str, dict[str, float]] = {}
    for name, report in reports.items():
        profiles = report["profiles"]
        scores[name] = {
            p: float(profiles[p]["normalized"])
            for p in PROFILES
            if profiles[p]["normalized"] == profiles[p]["normalized"]  # NaN: no windows
        }
    files: list[FileResult] = []
    every = reports[ALL]["profiles"]
    for name, (category, rows, spikes) in counts.items():
        per = {p: every[p]["files"].get(name) for p in PROFILES}
        if per["standard"] is None:
            continue
        files.append(
            FileResult(
                name=name,
                category=category,
                rows=rows,
                spikes=spikes,
                hit={p: f"{r['hit']}/{r['windows']}" for p, r in per.items() if r},
                raw={p: float(r["raw"]) for p, r in per.items() if r},
                fp=int(per["standard"]["FP"]),
            )
        )
    return NabResult(data_dir=data_dir, scores=scores, seconds=seconds, files=files)


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
