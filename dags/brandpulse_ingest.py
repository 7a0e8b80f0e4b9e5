"""
### brandpulse_ingest: fetch, score and load posts every hour

For the hour that just closed, for every brand in the brands file and every source enabled
for it:

1. **plan**: lists the (brand, source) pairs to fetch from the brands file.
2. **land**: fetches the hour from the source and lands the raw records in the landing zone
   (one file per source, brand and hour; a rerun replaces the file). Any worker.
3. **score**: validates, normalizes, recognises reposts / copies / spam / the brand's own
   replies, scores sentiment and complaints, runs the posts quality gate and writes the
   scored hour as one Parquet file to the storage (`<storage>/scored/...`). Any worker:
   this is the CPU-heavy step. Records that cannot be used, or dated outside the brand's
   plausible times (before its history start, after the hour's end plus the clock skew),
   go to the quarantine with their reason.
4. **load**: replaces that hour of that source and brand in the warehouse from the scored
   file (posts, `quarantine`, and the `load_runs` ledger, one row per hour; counts are in
   this task's log). Runs on the `warehouse` queue.
5. **aggregate**: recomputes `brand_hourly` for the hour and `brand_daily` for the brands'
   local days it touches.

**Rerunning** a run (clear it in the UI) replaces exactly its hour, also inside a day a
backfill loaded: nothing is duplicated, the warehouse is as after a clean run. Warehouse
writers run in the `brandpulse_warehouse` pool (one slot), so two never collide on the
DuckDB file, and on the `warehouse` queue, which in a cluster one worker serves (the one
that holds the DuckDB file); land and score run on any worker, and the landed and scored
files live at `BRANDPULSE_STORAGE` (an `s3://` URL in a cluster) so any host can read them.
**Backfills**: trigger `brandpulse_backfill` (day-sized chunks), or `airflow backfill create
--dag-id brandpulse_ingest --from-date … --to-date …` for hour-by-hour runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, dag, task
from brandpulse_dag_support import AGGREGATES, DAG_DEFAULTS, POSTS, connection_secret

from pipeline.steps.orchestration import INGEST_DAG, WAREHOUSE_POOL, WAREHOUSE_QUEUE

#: A mapped land's or score's name in the UI: its brand and source.
LAND_NAME = "{{ task.op_kwargs['target']['brand'] }}/{{ task.op_kwargs['target']['source'] }}"
SCORE_NAME = "{{ task.op_kwargs['batch']['brand'] }}/{{ task.op_kwargs['batch']['source'] }}"


@dag(
    dag_id=INGEST_DAG,
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def brandpulse_ingest() -> None:
    @task
    def plan() -> list[dict[str, str]]:
        """The (brand, source) pairs to fetch: every source enabled for every brand."""
        from pipeline.settings import Settings
        from pipeline.steps import planning

        return [{"brand": b, "source": s} for b, s in planning.targets(Settings.from_env())]

    @task(map_index_template=LAND_NAME)
    def land(
        target: dict[str, str],
        data_interval_start: datetime | None = None,
        data_interval_end: datetime | None = None,
    ) -> dict[str, Any]:
        """Fetch this hour from one source for one brand into the landing zone."""
        from pipeline.steps import fetch
        from pipeline.steps.orchestration import run_interval

        start, end = run_interval(data_interval_start, data_interval_end)
        batch = fetch.land(target["source"], target["brand"], start, end, secrets=connection_secret)
        return batch.to_dict()

    @task(map_index_template=SCORE_NAME)
    def score(batch: dict[str, Any]) -> dict[str, Any]:
        """Score the landed hour and write it, scored, to the storage (any worker)."""
        from pipeline.ingest.landing import Batch
        from pipeline.steps import loading

        landed = Batch.from_dict(batch)
        location = loading.score_to_storage(landed, secrets=connection_secret)
        return {"brand": landed.brand, "source": landed.source, "scored": location}

    @task(pool=WAREHOUSE_POOL, queue=WAREHOUSE_QUEUE, outlets=[POSTS])
    def load(scored: dict[str, Any]) -> dict[str, Any]:
        """Replace the scored hour in the warehouse (posts, quarantine, load_runs)."""
        from pipeline.steps import loading

        return loading.write_scored(scored["scored"]).to_dict()

    # all_done_min_one_success: one failing source must not keep the other brands' hours out of the
    # aggregates; check_loads (a leaf) still fails the run so the failure is seen.
    @task(
        pool=WAREHOUSE_POOL,
        queue=WAREHOUSE_QUEUE,
        outlets=AGGREGATES,
        trigger_rule="all_done_min_one_success",
    )
    def aggregate(
        loads: list[dict[str, Any]],
        data_interval_start: datetime | None = None,
        data_interval_end: datetime | None = None,
    ) -> dict[str, int]:
        """Recompute brand_hourly for this hour and brand_daily for the local days it touches.

        Loads of sources with ``lag_minutes`` reached back before the hour: the hours they
        touched there (stored by earlier runs) are refreshed too.
        """
        from datetime import datetime as dt

        from pipeline.steps import aggregation
        from pipeline.steps.orchestration import run_interval

        start, end = run_interval(data_interval_start, data_interval_end)
        done = [r for r in loads if r]  # a failed load pushed nothing
        earliest = min([start, *(dt.fromisoformat(r["start"]) for r in done)])
        result = aggregation.aggregate(start, end, before=start - earliest)
        return {"posts_loaded": sum(int(r["loaded"]) for r in done), "brand_hours": result.hours}

    @task
    def check_loads(loads: list[dict[str, Any]]) -> int:
        """Fails the run (upstream_failed) when any load failed, after aggregate has run."""
        return sum(int(r["loaded"]) for r in loads)

    # Mapped tasks do not pick up their docstring by themselves: hand it to the UI.
    landed = land.override(doc_md=land.function.__doc__).expand(target=plan())
    scored = score.override(doc_md=score.function.__doc__).expand(batch=landed)
    loads = load.override(doc_md=load.function.__doc__).expand(scored=scored)
    aggregate(loads)
    check_loads(loads)


brandpulse_ingest()
