"""Commands for operators: the demo, whole runs without the scheduler, file imports, the
daily report, forgetting an author, and the Airflow command line on this project.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import timedelta

from pipeline.cli.args import Subparsers, add_interval, positive_int
from pipeline.settings import Settings

log = logging.getLogger("brandpulse")


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.cli import demo

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
    from pipeline.notify import mailer
    from pipeline.notify.report import sending
    from pipeline.notify.report.options import report_day

    settings = Settings.from_env()
    day = report_day(args.date) if args.date is not None else None
    if args.no_send:
        from pipeline.steps.brands import load_brands

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


def cmd_airflow(args: argparse.Namespace) -> int:
    from pipeline.cli import airflow_runner

    settings = Settings.from_env()
    if not args.airflow_args:
        airflow_runner.prepare(settings)
        print(f"Airflow is ready: home {settings.airflow_home}")
        return 0
    proc = airflow_runner.airflow(args.airflow_args, settings, check=False)
    return proc.returncode


def add_commands(sub: Subparsers) -> None:
    """Add this group's subcommands to the ``brandpulse`` parser."""
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
    add_interval(p)
    p.add_argument("--brand", action="append", help="brand id (repeatable; default: all)")
    p.add_argument(
        "--source", action="append", help="source name (repeatable; default: all enabled)"
    )
    p.add_argument(
        "--chunk-hours",
        type=positive_int,
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
        type=positive_int,
        default=None,
        help="processes that score batches once a run has scored 20,000 records "
        "(default: BRANDPULSE_WORKERS, else one per core; 1 scores in this process)",
    )
    p.add_argument(
        "--no-alerts",
        action="store_true",
        help="store the spikes found in the interval but send no alerts",
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser(
        "report",
        help="render, archive and send the daily complaint report",
        description=(
            "Build each brand's complaint report for a day (in the brand's time zone) from the "
            "warehouse, archive it as HTML under the reports folder and send it to the brand's "
            "report.recipients: email through Airflow's SMTP provider when the Connection "
            "AIRFLOW_CONN_SMTP_DEFAULT (a URI or JSON) is set, else into the outbox; Slack, "
            "Teams and webhook recipients get a summary through their Connections "
            "(docs/channels.md). A recipient who already got that day's report is skipped "
            "(see --resend). "
            "The report lists first the complaints unanswered past the brand's reply target "
            "(SLA), most urgent first; then the day against a usual day, response times, "
            "categories, the words that stand out and the spikes. A day without data says so. "
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
