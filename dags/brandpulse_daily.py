"""
### brandpulse_daily: settle the daily aggregates

Once a day, after midnight UTC, recomputes `brand_daily` for every brand and every local
day (in the brand's time zone) that the previous UTC day touches, and the days already
stored one day on either side of it. The hourly `brandpulse_ingest` DAG keeps each day's
row up to date as hours load; this run re-derives the days from what `posts` holds at the
end of the day (after reruns, backfills and late file imports), without adding rows for
days that were never loaded. Rerunning it changes nothing unless posts changed.

Then **apply_retention** empties the raw text of posts (and quarantined records, and the
landing files) older than each brand's `overrides.privacy.retention_days`, counted back
from the run's data interval end; aggregates are kept. Brands without it are left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, dag, task
from brandpulse_dag_support import BRAND_DAILY, DAG_DEFAULTS

from pipeline.steps.orchestration import DAILY_DAG, WAREHOUSE_POOL, WAREHOUSE_QUEUE

#: Stored days on either side of the interval that are settled again: a brand's local day
#: can start up to 14 hours before and end 12 hours after the UTC day (UTC+14 .. UTC-12).
SETTLE_MARGIN = timedelta(days=1)


@dag(
    dag_id=DAILY_DAG,
    schedule=CronDataIntervalTimetable("15 0 * * *", timezone="UTC"),
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def brandpulse_daily() -> None:
    @task(pool=WAREHOUSE_POOL, queue=WAREHOUSE_QUEUE, outlets=[BRAND_DAILY])
    def settle_daily(
        data_interval_start: datetime | None = None,
        data_interval_end: datetime | None = None,
    ) -> dict[str, int]:
        """Recompute brand_daily for the local days around the previous UTC day."""
        from pipeline.steps import aggregation
        from pipeline.steps.orchestration import run_interval

        start, end = run_interval(data_interval_start, data_interval_end)
        result = aggregation.aggregate(
            start, end, hourly=False, before=SETTLE_MARGIN, after=SETTLE_MARGIN, create=False
        )
        return {"brand_days": result.days}

    @task(pool=WAREHOUSE_POOL, queue=WAREHOUSE_QUEUE)
    def apply_retention(data_interval_end: datetime | None = None) -> list[dict[str, object]]:
        """Drop raw text older than each brand's retention_days (aggregates kept)."""
        from pipeline.settings import Settings
        from pipeline.warehouse import retention

        if data_interval_end is None:
            raise ValueError("apply_retention needs the run's data interval")
        results = retention.apply_retention(Settings.from_env(), data_interval_end.date())
        return [
            {"brand": r.brand, "cutoff": r.cutoff.isoformat(), "posts": r.posts,
             "quarantine": r.quarantine, "landing_files": r.landing_files}
            for r in results
        ]  # fmt: skip

    settle_daily() >> apply_retention()


brandpulse_daily()
