"""
### brandpulse_daily: settle the daily aggregates

Once a day, after midnight UTC, recomputes `brand_daily` for every brand and every local
day (in the brand's time zone) that the previous UTC day touches, and the days already
stored one day on either side of it. The hourly `brandpulse_ingest` DAG keeps each day's
row up to date as hours load; this run re-derives the days from what `posts` holds at the
end of the day (after reruns, backfills and late file imports), without adding rows for
days that were never loaded. Rerunning it changes nothing unless posts changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import (
    Asset,
    CronDataIntervalTimetable,
    ExceptionRetryPolicy,
    RetryAction,
    RetryRule,
    dag,
    task,
)

from pipeline.orchestration import (
    ASSET_URIS,
    DAILY_DAG,
    DEFAULT_ARGS,
    PERMANENT_ERRORS,
    RATE_LIMIT_RETRY_DELAY,
    RATE_LIMITED_ERRORS,
    START_DATE,
    WAREHOUSE_POOL,
)

#: Stored days on either side of the interval that are settled again: a brand's local day
#: can start up to 14 hours before and end 12 hours after the UTC day (UTC+14 .. UTC-12).
SETTLE_MARGIN = timedelta(days=1)

BRAND_DAILY = Asset(name="brandpulse_brand_daily", uri=ASSET_URIS["brandpulse_brand_daily"])

# A bad brands file or interval is not fixed by retrying: fail at once, retry the rest.
RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(exception=PERMANENT_ERRORS, action=RetryAction.FAIL, reason="not retryable"),
        RetryRule(
            exception=RATE_LIMITED_ERRORS,
            action=RetryAction.RETRY,
            retry_delay=RATE_LIMIT_RETRY_DELAY,
            reason="rate limited: retry after the provider's window resets",
        ),
    ]
)


@dag(
    dag_id=DAILY_DAG,
    schedule=CronDataIntervalTimetable("15 0 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retry_policy": RETRY_POLICY},
    tags=["brandpulse"],
    doc_md=__doc__,
)
def brandpulse_daily() -> None:
    @task(pool=WAREHOUSE_POOL, outlets=[BRAND_DAILY])
    def settle_daily(
        data_interval_start: datetime | None = None,
        data_interval_end: datetime | None = None,
    ) -> dict[str, int]:
        """Recompute brand_daily for the local days around the previous UTC day."""
        from pipeline import jobs
        from pipeline.orchestration import run_interval

        start, end = run_interval(data_interval_start, data_interval_end)
        result = jobs.aggregate(
            start, end, hourly=False, before=SETTLE_MARGIN, after=SETTLE_MARGIN, create=False
        )
        return {"brand_days": result.days}

    settle_daily()


brandpulse_daily()
