"""The ``brandpulse`` command line.

Every subcommand has ``--help``. Errors a user can act on are printed as one line on stderr
with exit code 2; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from pipeline import __version__
from pipeline.errors import BrandpulseError, InputError
from pipeline.settings import Settings
from pipeline.timeutil import parse_moment
from pipeline.warehouse.analyses import EXAMPLE_QUERIES

log = logging.getLogger("brandpulse")


def _moment(text: str) -> datetime:
    try:
        return parse_moment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_interval(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--start",
        type=_moment,
        required=True,
        help="first moment, UTC (2026-10-05 or 2026-10-05T13:00Z)",
    )
    parser.add_argument("--end", type=_moment, required=True, help="end of the interval, exclusive")


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.steps import demo

    settings = Settings.from_env()
    demo.run_demo(settings, engine=args.engine, out=sys.stdout)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from pipeline.steps import planning, runner

    settings = Settings.from_env()
    items = planning.plan(
        args.start,
        args.end,
        args.brand,
        args.source,
        local_days=args.local_days,
        chunk=timedelta(hours=args.chunk_hours),
        settings=settings,
    )
    with tqdm(
        total=len(items), unit="load", disable=args.no_progress or None, file=sys.stderr
    ) as bar:

        def step(item: planning.Chunk) -> None:
            bar.set_postfix_str(f"{item.brand}/{item.source} {item.start:%Y-%m-%d %H:%M}")
            bar.update()

        result = runner.run(items, settings=settings, on_step=step, workers=args.workers)
    print(
        f"loaded {result.loaded} posts in {len(result.loads)} loads "
        f"({result.quarantined} quarantined); aggregated {result.aggregate.hours} brand-hours "
        f"and {result.aggregate.days} brand-days into {settings.warehouse}"
    )
    if items:
        from pipeline.notify import mailer
        from pipeline.steps import alerting

        start, end = min(i.start for i in items), max(i.end for i in items)
        brands = sorted({i.brand for i in items})
        summary = alerting.evaluate(
            settings,
            mailer.SmtpConfig.from_env(),
            brands,
            window=(start, end),
            alerts=not args.no_alerts,
        )
        print(alerting.describe(summary, settings, sent=not args.no_alerts))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from pipeline.notify import mailer
    from pipeline.notify.report import sending

    settings = Settings.from_env()
    day = date.fromisoformat(args.date) if args.date else None
    if args.no_send:
        from pipeline.config.brands import load_brands

        for brand in load_brands(settings.brands_file).select(tuple(args.brand or ())):
            rendered = sending.render_report(settings, brand.id, day or sending.yesterday(brand))
            print(f"{brand.id}: {sending.archive(settings, rendered)}")
        return 0
    results = sending.send_reports(
        settings, day, args.brand, mailer.SmtpConfig.from_env(), resend=args.resend
    )
    for r in results:
        print(" ".join(f"{k}={v}" for k, v in r.to_dict().items()))
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    from pipeline.warehouse import retention

    result = retention.forget_author(Settings.from_env(), args.author, args.brand or ())
    print(result.format())
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from benchmarks import bench

    print(bench.run_from_args(args).format())
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    from pipeline.detect import detect_file

    summary = detect_file.detect_csv(Path(args.input), Path(args.output))
    print(f"{args.input}: {summary.format()}; wrote {args.output}", file=sys.stderr)
    return 0


def cmd_import_files(args: argparse.Namespace) -> int:
    from pipeline.ingest import file_drops

    results = file_drops.import_files(Settings.from_env(), args.brand)
    for r in results:
        state = (
            "skipped (imported before)"
            if r.skipped
            else (
                f"{r.rows_read} rows: {r.loaded} loaded, {r.duplicates} duplicates, "
                f"{r.quarantined} quarantined"
            )
        )
        print(f"{r.brand}: {r.file_name}: {state}")
    if not results:
        print("no files to import (no brand has the file source, or its folders are empty)")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from benchmarks import evaluation
    from pipeline.scoring.scorer import default_scorer

    result = evaluation.evaluate(default_scorer(), Path(args.data))
    sys.stdout.write(evaluation.report(result))
    if args.nab_scorer:
        from benchmarks import spike_eval

        nab = spike_eval.evaluate_nab(Path(args.data) / "nab_realtweets_dev", Path(args.nab_scorer))
        sys.stdout.write("\n" + nab.format() + "\n")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from pipeline.scoring import score_file

    summary = score_file.score_file(
        Path(args.input), Path(args.output), text_column=args.text_column
    )
    print(
        f"scored {summary.rows} rows ({summary.complaints} complaints) "
        f"from {args.input} into {args.output}",
        file=sys.stderr,
    )
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from pipeline.cli import table
    from pipeline.warehouse import connection, snapshot

    settings = Settings.from_env()
    path, note = snapshot.reader_path(settings.warehouse, settings.analyst_db)
    if note:
        log.warning("%s", note)
    con = connection.connect(path, read_only=True, lock_timeout=args.wait, sandbox=True)
    try:
        try:
            statements = con.extract_statements(args.sql)
        except Exception as exc:  # duckdb's parser errors: all mean "this is not SQL"
            raise InputError(f"not valid SQL: {exc}") from None
        if len(statements) != 1:
            raise InputError(f"give exactly one SQL statement (got {len(statements)})")
        names, rows = connection.query(con, args.sql)
    except BrandpulseError:
        raise
    except Exception as exc:  # duckdb raises many types; all mean "this query failed"
        raise BrandpulseError(f"query failed: {exc}") from None
    finally:
        con.close()
    sys.stdout.write(table.render(names, rows, fmt=args.format, max_rows=args.max_rows))
    return 0


def cmd_airflow(args: argparse.Namespace) -> int:
    from pipeline.cli import airflow_runner

    settings = Settings.from_env()
    if not args.airflow_args:
        airflow_runner.prepare(settings)
        print(f"Airflow is ready: home {settings.airflow_home}")
        return 0
    proc = airflow_runner.airflow(args.airflow_args, settings, check=False)
    return proc.returncode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brandpulse",
        description=(
            "Brand-sentiment monitoring: ingest posts about brands, score sentiment and "
            "complaints, and keep hourly and daily aggregates in a DuckDB warehouse."
        ),
        epilog="Storage locations come from BRANDPULSE_* environment variables; see README.md.",
    )
    parser.add_argument("--version", action="version", version=f"brandpulse {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "demo",
        help="run the main job on the embedded demo data, end to end, and summarise it",
        description=(
            "Load 28 days of the built-in demo source for the brands in the brands file "
            "(through Airflow by default), then print per brand and day the volume, negative "
            "share and complaints, where the files are, and queries to try."
        ),
    )
    p.add_argument(
        "--engine",
        choices=("airflow", "local"),
        default="airflow",
        help="airflow: one `airflow dags test` run of brandpulse_backfill (default); "
        "local: the same steps in this process, without Airflow",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "run",
        help="the whole pipeline for an interval, without the scheduler",
        description=(
            "Land, load and aggregate [start, end) for the chosen brands and sources, chunk by "
            "chunk, oldest first. Rerunning an interval replaces it: nothing is duplicated."
        ),
    )
    _add_interval(p)
    p.add_argument("--brand", action="append", help="brand id (repeatable; default: all)")
    p.add_argument(
        "--source", action="append", help="source name (repeatable; default: all enabled)"
    )
    p.add_argument(
        "--chunk-hours",
        type=_positive_int,
        default=24,
        help="hours per landed batch (default 24)",
    )
    p.add_argument(
        "--local-days",
        action="store_true",
        help="take --start/--end as calendar days in each brand's own time zone "
        "(whole local days, one batch per day) instead of UTC moments",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="processes that score batches once a run has scored 20,000 records "
        "(default: BRANDPULSE_WORKERS, else one per core; 1 scores in this process)",
    )
    p.add_argument(
        "--no-alerts",
        action="store_true",
        help="store the spikes found in the interval but send no alert email",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "report",
        help="render, archive and send the daily complaint report",
        description=(
            "Build each brand's complaint report for a day (in the brand's time zone) from the "
            "warehouse, archive it as HTML under the reports folder and send it to the brand's "
            "report.recipients: over SMTP when AIRFLOW_CONN_SMTP_DEFAULT is set, else into the "
            "outbox. A recipient who already got that day's report is skipped (see --resend). "
            "What the report shows: docs/report.md."
        ),
    )
    p.add_argument("--date", help="the day, YYYY-MM-DD (default: each brand's yesterday)")
    p.add_argument("--brand", action="append", help="brand id (repeatable; default: all)")
    p.add_argument(
        "--resend", action="store_true", help="send again to recipients who already got it"
    )
    p.add_argument(
        "--no-send", action="store_true", help="only render and archive the HTML; send nothing"
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "bench",
        help="the performance benchmark (see docs/benchmark.md)",
        description=(
            "Generate N demo posts (a documented share of duplicates), then time in one run: "
            "(a) vaderSentiment alone, (b) a naive peer pipeline (pandas apply + row-by-row "
            "INSERT through SQLAlchemy into DuckDB, on a subset), (c) brandpulse end to end "
            "(landing to spikes), (s) the scoring ceiling (the brands' scorers alone, one "
            "process per core, no I/O), each in a fresh process with its peak memory; check "
            "that the stored VADER scores equal the package's on every post; time analyst "
            "queries. Prints posts per second, the ratios c/a, c/b, c/s and s/a, and peak RSS."
        ),
    )
    from benchmarks import bench

    bench.add_arguments(p)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser(
        "forget",
        help="remove an author's posts from every table and the landing zone (logged)",
        description=(
            "Delete every post by the author (any case, with or without @; for brands with "
            "pseudonymized authors, also the pseudonym of the handle) from posts, "
            "complaint_responses and quarantine, rewrite the landed batches without them so a "
            "rerun cannot bring them back, re-derive the aggregates they were counted in, and "
            "record it in privacy_log under a hash of the handle. See docs/privacy.md."
        ),
    )
    p.add_argument("--author", required=True, help="the author's handle, e.g. @someone")
    p.add_argument("--brand", action="append", help="brand id (repeatable; default: all)")
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser(
        "detect",
        help="run the spike detector over a timestamp,value CSV",
        description=(
            "Read a regular timestamp,value CSV (any step from 5 minutes to a day; the step is "
            "inferred) and write timestamp,value,anomaly_score,is_spike, causally: each row is "
            "judged on the rows before it only, with the detector's defaults (docs/spikes.md)."
        ),
    )
    p.add_argument("--input", required=True, help="CSV with a header: timestamp,value")
    p.add_argument("--output", required=True, help="CSV to write")
    p.set_defaults(func=cmd_detect)

    p = sub.add_parser(
        "import-files",
        help="import new CSV/JSONL exports from the brands' file folders (each file once)",
        description=(
            "For every brand with the file source, import each *.csv / *.jsonl / *.ndjson in "
            "its folder whose content was not imported before (a checksum ledger), then "
            "refresh the aggregates it touches. Bad rows go to quarantine with their reason."
        ),
    )
    p.add_argument("--brand", action="append", help="brand id (repeatable; default: all)")
    p.set_defaults(func=cmd_import_files)

    p = sub.add_parser(
        "score",
        help="score a CSV or JSONL file of posts",
        description=(
            "Read a CSV or JSONL file (by extension: .csv, .jsonl, .ndjson) and write the same "
            "rows, in the same order, plus compound (VADER's own), sentiment_compound (after the "
            "known-misread fixes; the label's score), sentiment, is_complaint, complaint_score "
            "and complaint_category. The output format follows the output file's extension."
        ),
    )
    p.add_argument("--input", required=True, help="CSV or JSONL file of posts")
    p.add_argument(
        "--output", required=True, help="where to write the scored rows (.csv or .jsonl)"
    )
    p.add_argument(
        "--text-column", default="text", help="column holding the post text (default: text)"
    )
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "eval",
        help="measure the scorer on public evaluation data (VADER tweets, SemEval, complaints)",
        description=(
            "Score public evaluation data and print Pearson r on the VADER tweets ground "
            "truth, macro-F1 on SemEval-2017 task 4A and complaint precision/recall/F1 on "
            "the complaints corpus. --data is a folder with vader_groundtruth/, "
            "semeval2017_sentiment/ and complaints_dev/ (see benchmarks/evaluation.py)."
        ),
    )
    p.add_argument("--data", required=True, help="folder of the evaluation data sets")
    p.add_argument(
        "--nab-scorer",
        help="also score the spike detector on <data>/nab_realtweets_dev with this copy of "
        "NAB's scorer (nab_score.py), in the standard and reward-low-FP profiles",
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "query",
        help="run read-only SQL against the warehouse and print a table",
        description=(
            "Open the analyst snapshot of the warehouse (BRANDPULSE_ANALYST_DB, published "
            "after every write; the working file until the first one) read-only and run one "
            "SQL statement. Tables: posts, brand_hourly, brand_daily, brand_daily_categories, "
            "spikes, spike_hours, alerts, complaint_responses, quarantine, load_runs (see "
            "docs/warehouse.md)."
        ),
        epilog='example: brandpulse query "' + EXAMPLE_QUERIES[0] + '"',
    )
    p.add_argument("sql", help="the SQL statement")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument(
        "--max-rows",
        type=_positive_int,
        default=200,
        help="rows printed in table format (default 200)",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=30.0,
        help="seconds to wait while a load holds the warehouse (only before the first "
        "snapshot is published)",
    )
    p.set_defaults(func=cmd_query)

    p = sub.add_parser(
        "airflow",
        help="run the airflow CLI on this project (its airflow.cfg, database, dags/)",
        description=(
            "Pass the remaining arguments to `airflow` with this project's environment, e.g. "
            "`brandpulse airflow dags list`. With no arguments: create or upgrade Airflow's "
            "metadata database and the warehouse pool."
        ),
    )
    p.add_argument("airflow_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_airflow)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except BrandpulseError as exc:
        print(f"brandpulse: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
