"""``brandpulse demo``: the main job on the embedded defaults, end to end, then a summary."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from pipeline import airflow_runner, jobs, table, warehouse
from pipeline.examples import EXAMPLE_QUERIES
from pipeline.orchestration import BACKFILL_DAG
from pipeline.settings import Settings
from pipeline.sources.demo import DEMO_END, DEMO_START

log = logging.getLogger(__name__)

#: The demo loads whole local days per brand, which reach up to 14 hours past the UTC days.
DEMO_MARGIN = timedelta(hours=14)

#: Marks a day in the summary whose complaint share (complaints / posts) exceeds this
#: multiple of the brand's median day: busy days are not spikes, a jump in share is.
SUMMARY_PEAK_FACTOR = 2.0

_DAILY_SQL = """
select brand, day, posts, round(negative_share, 3) as negative_share, complaints
from brand_daily
where day >= ? and day < ?
order by brand, day
"""

_PEAK_HOUR_SQL = """
select brand, hour, posts, complaints
from brand_hourly
where hour >= ? and hour < ?
qualify row_number() over (partition by brand order by complaints desc, hour) = 1
order by brand
"""

_KINDS_SQL = """
select kind, count(*)::bigint as posts from posts
where created_at >= ? and created_at < ?
group by kind order by posts desc
"""


def run_demo(settings: Settings, *, engine: str, out: TextIO) -> None:
    """Load the demo window through Airflow (or locally) and print the summary."""
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
        jobs.run(
            jobs.plan(DEMO_START, DEMO_END, local_days=True, settings=settings), settings=settings
        )
    elapsed = time.monotonic() - started
    out.write(summary(settings, engine=engine, elapsed_s=elapsed))


def summary(settings: Settings, *, engine: str, elapsed_s: float) -> str:
    """The end-of-demo summary: per brand and day, the files, queries to try."""
    con = warehouse.connect(settings.warehouse, read_only=True)
    try:
        start, end = warehouse.naive_utc(DEMO_START), warehouse.naive_utc(DEMO_END)
        names, daily = warehouse.query(con, _DAILY_SQL, [DEMO_START.date(), DEMO_END.date()])
        _, peaks = warehouse.query(con, _PEAK_HOUR_SQL, [start - DEMO_MARGIN, end + DEMO_MARGIN])
        kind_names, kinds = warehouse.query(
            con, _KINDS_SQL, [start - DEMO_MARGIN, end + DEMO_MARGIN]
        )
        quarantined = con.execute("select count(*) from quarantine").fetchone()
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
        shares = [_share(r) for r in rows]
        median = sorted(shares)[len(shares) // 2] if shares else 0.0
        marked = [
            (*r, "◀ complaint spike" if median and share > SUMMARY_PEAK_FACTOR * median else "")
            for r, share in zip(rows, shares, strict=True)
        ]
        lines.append(table.render([*names, ""], marked, max_rows=None))
    lines.append("Busiest complaint hour per brand (UTC):")
    lines.append(table.render(["brand", "hour", "posts", "complaints"], peaks, max_rows=None))
    lines.append("All stored posts by kind:")
    lines.append(table.render(kind_names, kinds, max_rows=None))
    lines += [
        f"Quarantined records: {quarantined[0] if quarantined else 0}",
        "",
        "Where things are:",
        f"  warehouse (DuckDB)  {settings.warehouse}",
        f"  landing zone        {settings.landing}",
        f"  outbox (.eml)       {settings.outbox}"
        f"  ({_count_files(settings.outbox, '*.eml')} emails)",
        f"  reports (HTML)      {settings.reports}"
        f"  ({_count_files(settings.reports, '*.html')} reports)",
        f"  Airflow home        {settings.airflow_home}",
        "",
        "Try:",
        *(f'  .venv/bin/brandpulse query "{q}"' for q in EXAMPLE_QUERIES),
        f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{settings.warehouse}', "
        "read_only=True).sql('describe').show()\"",
        "",
    ]
    return "\n".join(lines)


def _share(row: tuple[object, ...]) -> float:
    posts, complaints = int(str(row[2])), int(str(row[4]))
    return complaints / posts if posts else 0.0


def _count_files(folder: Path, pattern: str) -> int:
    return sum(1 for _ in folder.glob(pattern)) if folder.is_dir() else 0
