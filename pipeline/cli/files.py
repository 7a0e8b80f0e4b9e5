"""Commands that work on files, without the warehouse: scoring posts and finding spikes."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipeline.cli.args import Subparsers

log = logging.getLogger("brandpulse")


def cmd_score(args: argparse.Namespace) -> int:
    from pipeline.scoring import score_file
    from pipeline.scoring.scorer import scorer_for

    scorer = None
    if args.brand:
        from pipeline.settings import Settings
        from pipeline.steps.brands import load_brands

        brand = load_brands(Settings.from_env().brands_file).get(args.brand)
        scorer = scorer_for(brand)
    summary = score_file.score_file(
        Path(args.input), Path(args.output), text_column=args.text_column, scorer=scorer
    )
    print(
        f"scored {summary.rows} rows ({summary.complaints} complaints) "
        f"from {args.input} into {args.output}",
        file=sys.stderr,
    )
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    from pipeline.detect import detect_file

    summary = detect_file.detect_csv(Path(args.input), Path(args.output), direction=args.direction)
    print(f"{args.input}: {summary.format()}; wrote {args.output}", file=sys.stderr)
    return 0


def add_commands(sub: Subparsers) -> None:
    """Add this group's subcommands to the ``brandpulse`` parser."""
    p = sub.add_parser(
        "score",
        help="score a CSV or JSONL file of posts",
        description=(
            "Read a CSV or JSONL file (by extension: .csv, .jsonl, .ndjson) and write the same "
            "rows, in the same order, plus compound (VADER's own), sentiment_compound (after the "
            "known-misread fixes; the label's score), sentiment, is_complaint, complaint_score "
            "and complaint_category. The output format follows the output file's extension. "
            "A record that cannot be read stops the run with one line naming its line and "
            "why, and no output is written. JSONL input must be strict JSON: NaN, Infinity, "
            "numbers beyond a 64-bit float (1e400) and lone surrogates (\\ud800) are "
            "refused, never written, so the output is strict JSON, one object per line."
        ),
    )
    p.add_argument("--input", required=True, help="CSV or JSONL file of posts")
    p.add_argument(
        "--output", required=True, help="where to write the scored rows (.csv or .jsonl)"
    )
    p.add_argument(
        "--text-column", default="text", help="column holding the post text (default: text)"
    )
    p.add_argument(
        "--brand",
        help="score as this brand of the brands file (its lexicon, categories, complaint "
        "threshold and handles), as the warehouse stores its posts",
    )
    p.set_defaults(func=cmd_score)
    p = sub.add_parser(
        "detect",
        help="run the spike detector over a timestamp,value CSV",
        description=(
            "Read a timestamp,value CSV as it comes (gaps, irregular spacing, repeated and "
            "out-of-order timestamps, any value range, 5-minute to daily: rows are bucketed "
            "to the series' dominant interval) and write timestamp,value,anomaly_score,"
            "is_spike, one row per input row, causally: each row is judged on the rows before "
            "it only, with the detector's one set of defaults (docs/spikes.md). The summary "
            "on stderr says how the rows were bucketed."
        ),
    )
    p.add_argument("--input", required=True, help="CSV with a header: timestamp,value")
    p.add_argument("--output", required=True, help="CSV to write")
    p.add_argument(
        "--direction",
        choices=("up", "down", "both"),
        default="both",
        help="which anomalies count: rises, drops or both (default both)",
    )
    p.set_defaults(func=cmd_detect)
