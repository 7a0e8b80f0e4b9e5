"""
### brandpulse_backfill: load a whole date range, day by day

Triggered by hand (or by `make demo`), never on a schedule. Runs the same steps as the
hourly `brandpulse_ingest` DAG over a range in day-sized chunks, oldest first:

1. **plan**: one item per (chunk, brand, source), from the brands file;
2. **land**: fetches each chunk into the landing zone;
3. **load**: scores each chunk and replaces it in the warehouse (one at a time: the
   `brandpulse_warehouse` pool has one slot);
4. **aggregate**: recomputes `brand_hourly` and `brand_daily` over the whole range;
5. **spikes_and_alerts**: judges every hour of the range for spikes and, unless the
   `alerts` param is false, sends the alerts due (each exactly once, see
   `brandpulse_alerts`).

Params: `start`, `end` (dates; end exclusive), optional `brands` and `sources` (lists of
ids; empty = all), `local_days` (default true: every brand gets exactly those calendar days
in its own time zone, one chunk per day; false: `start`/`end` are UTC moments cut into
`chunk_hours` chunks), `alerts` (default true). Rerunning a range replaces it and sends
no alert twice. From the command line:

    brandpulse airflow dags trigger brandpulse_backfill \
        --conf '{"start": "2026-10-05", "end": "2026-11-02"}'
    brandpulse airflow dags test brandpulse_backfill \
        --conf '{"start": "2026-10-05", "end": "2026-10-06", "brands": ["pebble"]}'
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param, dag, get_current_context, task
from brandpulse_dag_support import (
    AGGREGATES,
    DAG_DEFAULTS,
    POSTS,
    SPIKES,
    connection_secret,
    smtp_config,
)

from pipeline.orchestration import BACKFILL_DAG, WAREHOUSE_POOL


@dag(
    dag_id=BACKFILL_DAG,
    schedule=None,
    doc_md=__doc__,
    **DAG_DEFAULTS,
    params={
        "start": Param("2026-10-05", type="string", description="First day (UTC), inclusive"),
        "end": Param("2026-11-02", type="string", description="Last day (UTC), exclusive"),
        "brands": Param([], type="array", description="Brand ids; empty = all"),
        "sources": Param([], type="array", description="Source names; empty = all enabled"),
        "local_days": Param(
            True,
            type="boolean",
            description="start/end are calendar days in each brand's time zone (whole local days)",
        ),
        "chunk_hours": Param(
            24,
            type="integer",
            minimum=1,
            maximum=24 * 7,
            description="UTC chunk size when local_days is false",
        ),
        "alerts": Param(
            True, type="boolean", description="send the alerts due for spikes in the range"
        ),
    },
)
def brandpulse_backfill() -> None:
    @task
    def plan() -> list[dict[str, str]]:
        """One item per (chunk, brand, source), oldest chunk first."""
        from datetime import timedelta

        from pipeline import jobs
        from pipeline.timeutil import parse_moment

        p = get_current_context()["params"]
        items = jobs.plan(
            parse_moment(p["start"]),
            parse_moment(p["end"]),
            p["brands"],
            p["sources"],
            local_days=bool(p["local_days"]),
            chunk=timedelta(hours=int(p["chunk_hours"])),
        )
        return [item.to_dict() for item in items]

    @task(
        map_index_template=(
            "{{ task.op_kwargs['item']['brand'] }} {{ task.op_kwargs['item']['start'][:13] }}"
        )
    )
    def land(item: dict[str, str]) -> dict[str, Any]:
        """Fetch one chunk of one source for one brand into the landing zone."""
        from pipeline import jobs

        chunk = jobs.Chunk.from_dict(item)
        batch = jobs.land(
            chunk.source, chunk.brand, chunk.start, chunk.end, secrets=connection_secret
        )
        return batch.to_dict()

    @task(pool=WAREHOUSE_POOL, max_active_tis_per_dag=1, outlets=[POSTS])
    def load(batch: dict[str, Any]) -> dict[str, Any]:
        """Score one landed chunk and replace it in the warehouse."""
        from pipeline import jobs
        from pipeline.landing import Batch

        return jobs.load(Batch.from_dict(batch), secrets=connection_secret).to_dict()

    # all_done_min_one_success: aggregate what did load; check_loads (a leaf) still fails the run.
    @task(pool=WAREHOUSE_POOL, outlets=AGGREGATES, trigger_rule="all_done_min_one_success")
    def aggregate(items: list[dict[str, str]], loads: list[dict[str, Any]]) -> dict[str, int]:
        """Recompute brand_hourly and brand_daily over what the loads covered."""
        from pipeline import jobs

        result = jobs.aggregate_chunks([jobs.Chunk.from_dict(i) for i in items])
        return {
            "posts_loaded": sum(int(r["loaded"]) for r in loads if r),
            "quarantined": sum(int(r["quarantined"]) for r in loads if r),
            "brand_hours": result.hours,
            "brand_days": result.days,
        }

    @task(pool=WAREHOUSE_POOL, outlets=[SPIKES])
    def spikes_and_alerts(
        items: list[dict[str, str]], aggregated: dict[str, int]
    ) -> dict[str, Any]:
        """Judge every hour of the range for spikes; send the alerts due (param alerts)."""
        from pipeline import alerting, jobs
        from pipeline.settings import Settings

        chunks = [jobs.Chunk.from_dict(i) for i in items]
        if not chunks:
            return {"sent": 0}
        settings = Settings.from_env()
        send = bool(get_current_context()["params"]["alerts"])
        summary = alerting.evaluate(
            settings,
            smtp_config() if send else None,
            sorted({c.brand for c in chunks}),
            window=(min(c.start for c in chunks), max(c.end for c in chunks)),
            alerts=send,
        )
        print(alerting.describe(summary, settings, sent=send))
        return {"sent": summary.sent, "brand_hours": aggregated["brand_hours"]}

    @task
    def check_loads(loads: list[dict[str, Any]]) -> int:
        """Fails the run (upstream_failed) when any load failed, after aggregate has run."""
        return sum(int(r["loaded"]) for r in loads)

    # Mapped tasks do not pick up their docstring by themselves: hand it to the UI.
    items = plan()
    landed = land.override(doc_md=land.function.__doc__).expand(item=items)
    loads = load.override(doc_md=load.function.__doc__).expand(batch=landed)
    spikes_and_alerts(items, aggregate(items, loads))
    check_loads(loads)


brandpulse_backfill()
