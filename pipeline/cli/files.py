"""Commands that work on files: importing the brands' file drops into the warehouse, and,
without the warehouse, scoring posts and finding spikes."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipeline.cli.args import Subparsers

log = logging.getLogger("brandpulse")


def cmd_import_files(args: argparse.Namespace) -> int:
    from pipeline.settings import Settings
    from pipeline.steps import file_import

    run = file_import.import_all(
        Settings.from_env(), args.brand, reimport=args.reimport, files=args.file or ()
    )
    for r in run.results:
        print(f"{r.brand}: {r.file_name}: {r.describe()}")
    for r in run.over_share:
        print(f"brandpulse: warning: {file_import.quarantine_warning(r)}", file=sys.stderr)
    for brand_id, exc in run.failures.items():
        message = str(exc)
        prefix = "" if message.startswith(f"brand '{brand_id}'") else f"brand '{brand_id}': "
        print(f"brandpulse: error: {prefix}{message}", file=sys.stderr)
    if not run.results and not run.failures:
        print("no files to import (no brand has the file source, or its folders are empty)")
    if run.failures:
        return 2
    return 1 if run.over_share else 0


def cmd_score(args: argparse.Namespace) -> int:
    from pipeline.scoring import score_file
    from pipeline.scoring.scorer import scorer_for

    scorer = brand = None
    if args.brand:
        from pipeline.settings import Settings
        from pipeline.steps.brands import load_brands

        brand = load_brands(Settings.from_env().brands_file).get(args.brand)
        scorer = scorer_for(brand)
    summary = score_file.score_file(
        Path(args.input),
        Path(args.output),
        text_column=args.text_column,
        scorer=scorer,
        brand=brand,
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
        "import-files",
        help="import new CSV/JSONL exports from the brands' file folders (each file once)",
        description=(
            "For every brand with the file source, import each *.csv / *.jsonl / *.ndjson in "
            "its folder that was not imported before with the same content and the same "
            "sources.file columns and time_format (a ledger), a few thousand rows at a time, "
            "then refresh the aggregates it touches. A post already stored is updated, never "
            "counted twice. A bad row goes to quarantine with its reason; a file that cannot "
            "be read (empty, binary, a mapped column missing) is quarantined as a whole and "
            "the next file is imported; a brand that fails does not stop the others. "
            "Exit status: 0 when all went well, 1 (with a warning) when a file has more than "
            "its source's max_quarantine_share of rows quarantined (default 0.2), 2 when a "
            "brand's import failed (one line per brand on stderr)."
        ),
    )
    p.add_argument("--brand", action="append", help="brand id (repeatable; default: all)")
    p.add_argument(
        "--file",
        action="append",
        metavar="NAME",
        help="only this file of the brand's folder (repeatable; a name or a path)",
    )
    p.add_argument(
        "--reimport",
        action="store_true",
        help="import the files again even if imported before (with --file: those files; "
        "with --brand: every file of the brand); posts are upserted",
    )
    p.set_defaults(func=cmd_import_files)
    p = sub.add_parser(
        "score",
        help="score a CSV or JSONL file of posts",
        description=(
            "Read a CSV or JSONL file (by extension: .csv, .jsonl, .ndjson) and write the same "
            "rows, in the same order, plus compound (VADER's own), sentiment_compound (after the "
            "known-misread fixes; the label's score), sentiment, is_complaint, complaint_score "
            "and complaint_category; where the learned complaint stage runs (the brand's "
            "overrides.learned_complaints; off by default), also learned_complaint_score (empty "
            "where the stage did not run on the row), as the warehouse load computes it. "
            "The output format follows the output file's extension. "
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
        "threshold, handles, languages and learned-stage switch), as the warehouse stores its "
        "posts: each row in its language (a lang column is the declared one), a row in "
        "another language left unscored; adds text_lang and unscored_reason",
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
