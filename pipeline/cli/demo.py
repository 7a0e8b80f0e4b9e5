"""``brandpulse demo``: the main job on the embedded defaults, end to end, then a summary."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from pipeline import timeutil
from pipeline.cli import airflow_runner, table
from pipeline.ingest import storage
from pipeline.ingest.sources.demo.profiles import DEMO_END, DEMO_START
from pipeline.settings import Settings
from pipeline.steps import planning, runner
from pipeline.steps.orchestration import BACKFILL_DAG
from pipeline.warehouse import connection
from pipeline.warehouse.analyses import EXAMPLE_QUERIES
from pipeline.warehouse.sqlfiles import read_sql

log = logging.getLogger(__name__)

#: The day whose complaint reports the demo sends: Pebble's network outage.
REPORT_DAY = date(2026, 10, 22)

#: The demo loads whole local days per brand, which reach up to 14 hours past the UTC days.
DEMO_MARGIN = timedelta(hours=14)


def _query(settings: Settings, name: str) -> str:
    """The SQL of ``sql/queries/demo/<name>.sql``."""
    return read_sql(settings.sql, f"queries/demo/{name}")


def run_demo(settings: Settings, *, engine: str, out: TextIO) -> None:
    """Load the demo window through Airflow (or locally) and print the summary."""
    from pipeline.notify import mailer
    from pipeline.notify.report import sending

    started = time.monotonic()
    conf = {"start": DEMO_START.date().isoformat(), "end": DEMO_END.date().isoformat()}
    if engine == "airflow":
        out.write("Preparing Airflow (metadata database, warehouse pool)...\n")
        out.flush()
        airflow_runner.prepare(settings)
        out.write(
            f"Running `airflow dags test {BACKFILL_DAG}` over "
            f"{conf['start']} .. {conf['end']} (28 days, both demo brands)...\n"
        )
        out.flush()
        airflow_runner.dags_test(BACKFILL_DAG, settings, conf=conf)
    else:
        out.write(f"Running the pipeline locally over {conf['start']} .. {conf['end']}...\n")
        out.flush()
        items = planning.plan(DEMO_START, DEMO_END, local_days=True, settings=settings)
        runner.run(items, settings=settings)
        from pipeline.steps import alerting

        alerting.evaluate(
            settings,
            mailer.SmtpConfig.from_env(),
            window=(min(i.start for i in items), max(i.end for i in items)),
        )
    out.write(f"Sending the daily complaint reports for the outage day {REPORT_DAY}...\n")
    out.flush()
    sending.send_reports(settings, REPORT_DAY, None, mailer.SmtpConfig.from_env())
    elapsed = time.monotonic() - started
    out.write(summary(settings, engine=engine, elapsed_s=elapsed))


def summary(settings: Settings, *, engine: str, elapsed_s: float) -> str:
    """The end-of-demo summary: per brand and day, the files, queries to try."""
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        start, end = timeutil.naive_utc(DEMO_START), timeutil.naive_utc(DEMO_END)
        names, daily = connection.query(
            con, _query(settings, "daily"), [DEMO_START.date(), DEMO_END.date()]
        )
        _, peaks = connection.query(
            con, _query(settings, "peak_hour"), [start - DEMO_MARGIN, end + DEMO_MARGIN]
        )
        kind_names, kinds = connection.query(
            con, _query(settings, "kinds"), [start - DEMO_MARGIN, end + DEMO_MARGIN]
        )
        quarantined = con.execute("select count(*) from quarantine").fetchone()
        spike_names, spikes = connection.query(
            con, _query(settings, "spikes"), [start - DEMO_MARGIN, end + DEMO_MARGIN]
        )
    finally:
        con.close()

    lines = [
        "",
        f"brandpulse demo: done in {elapsed_s:.0f} s "
        f"({'through Airflow' if engine == 'airflow' else 'locally'})",
        "",
        "Per brand and day (days in the brand's time zone; posts = original posts, "
        "without reposts, copies, spam and the brand's replies):",
        "",
    ]
    by_brand: dict[str, list[tuple[object, ...]]] = {}
    for row in daily:
        by_brand.setdefault(str(row[0]), []).append(tuple(row))
    for rows in by_brand.values():
        lines.append(table.render([*names[:-1], ""], rows, max_rows=None))
    lines.append("Spikes found by the detector (UTC), and alert emails sent for them:")
    lines.append(table.render(spike_names, spikes, max_rows=None))
    lines.append("Busiest complaint hour per brand (UTC):")
    lines.append(table.render(["brand", "hour", "posts", "complaints"], peaks, max_rows=None))
    lines.append("All stored posts by kind:")
    lines.append(table.render(kind_names, kinds, max_rows=None))
    lines += [
        f"Quarantined records: {quarantined[0] if quarantined else 0}",
        "",
        "Where things are:",
        f"  analyst snapshot    {settings.analyst_db}  (what to query)",
        f"  warehouse (DuckDB)  {settings.warehouse}  (the DAGs' working file)",
        f"  landing zone        {storage.landing_root(settings)}",
        f"  outbox (.eml)       {settings.outbox}"
        f"  ({_count_files(settings.outbox, '*.eml')} emails)",
        f"  reports (HTML)      {settings.reports}"
        f"  ({_count_files(settings.reports, '*.html')} reports)",
        f"  Airflow home        {settings.airflow_home}",
        "",
        "Try:",
        *(f'  .venv/bin/brandpulse query "{q}"' for q in EXAMPLE_QUERIES),
        f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{settings.analyst_db}', "
        "read_only=True).sql('describe').show()\"",
        "",
    ]
    return "\n".join(lines)


def _count_files(folder: Path, pattern: str) -> int:
    return sum(1 for _ in folder.rglob(pattern)) if folder.is_dir() else 0
