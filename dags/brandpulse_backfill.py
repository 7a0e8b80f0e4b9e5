"""
### brandpulse_backfill: load a whole date range, day by day

Triggered by hand (or by `make demo`), never on a schedule. Runs the same steps as the
hourly `brandpulse_ingest` DAG over a range in day-sized chunks, oldest first:

1. **plan**: one chunk per (day, brand, source), from the brands file, in groups of up to
   `chunks_per_task` consecutive chunks of one brand and source (a week by default);
2. **land**: fetches each group's chunks into the landing zone, one batch per chunk (any
   worker);
3. **score**: scores a group's batches, runs the posts quality gate on them and writes one
   Parquet file per chunk to the storage (`<storage>/scored/...`; any worker, the
   CPU-heavy step);
4. **load**: replaces each of the group's chunks in the warehouse from its scored file (one
   group at a time: the `brandpulse_warehouse` pool has one slot; on the `warehouse` queue);
5. **aggregate**: recomputes `brand_hourly` and `brand_daily` over the whole range;
6. **spikes_and_alerts**: judges every hour of the range for spikes and, unless the
   `alerts` param is false, sends the alerts due (each exactly once, see
   `brandpulse_alerts`).

Params: `start`, `end` (dates; end exclusive), optional `brands` and `sources` (lists of
ids; empty = all), `local_days` (default true: every brand gets exactly those calendar days
in its own time zone, one chunk per day; false: `start`/`end` are UTC moments cut into
`chunk_hours` chunks), `chunks_per_task` (default 7), `alerts` (default true). Rerunning a
range replaces it and sends no alert twice; a range overlapping earlier loads (an hour, days
across a loaded one) leaves the warehouse as a clean run, `load_runs` and `quarantine` kept
per hour. Posts dated outside the brand's plausible times (its history start, the chunk's
end plus the clock skew) are quarantined with the reason.

Why groups: under the scheduler every task is a process of its own, which spends about two
seconds starting before a chunk's work, often less than that. A group per task makes the 28
demo days of two brands 20 tasks instead of 116. In a cluster (CeleryExecutor) land and
score run on any worker and read and write the storage every host sees
(`BRANDPULSE_STORAGE`); the tasks that open the warehouse run on the `warehouse` queue. A
failed land, score or load is retried whole; each chunk is still landed into its own file
and replaced as its own interval, so a retry or a rerun writes nothing twice. A retried land
fetches only the chunks its earlier tries had not landed (a group that needs more requests
than one rate-limit window still gets through, window by window); a cleared one fetches them
all afresh. The price: a chunk that keeps failing holds back its group's other chunks, where
`chunks_per_task: 1` (a task per chunk) holds back only itself.
From the command line:

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

from pipeline.steps.orchestration import BACKFILL_DAG, WAREHOUSE_POOL, WAREHOUSE_QUEUE, land_attempt

#: A mapped land's or load's name in the UI: its brand and the span of its chunks.
GROUP_NAME = (
    "{{ task.op_kwargs['group'][0]['brand'] }} {{ task.op_kwargs['group'][0]['start'][:13] }}"
    " .. {{ task.op_kwargs['group'][-1]['end'][:13] }}"
)
#: A mapped load's name: the same, from what its score task handed over.
SCORED_NAME = (
    "{{ task.op_kwargs['group']['brand'] }} {{ task.op_kwargs['group']['start'][:13] }}"
    " .. {{ task.op_kwargs['group']['end'][:13] }}"
)


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
        "chunks_per_task": Param(
            7,
            type="integer",
            minimum=1,
            maximum=366,
            description="consecutive chunks of one brand one land or load task handles",
        ),
        "alerts": Param(
            True, type="boolean", description="send the alerts due for spikes in the range"
        ),
    },
)
def brandpulse_backfill() -> None:
    @task
    def plan() -> list[list[dict[str, str]]]:
        """The chunks, one per (day, brand, source), in groups of one brand and source."""
        from datetime import timedelta

        from pipeline.steps import planning
        from pipeline.timeutil import parse_moment

        p = get_current_context()["params"]
        items = planning.plan(
            parse_moment(p["start"]),
            parse_moment(p["end"]),
            p["brands"],
            p["sources"],
            local_days=bool(p["local_days"]),
            chunk=timedelta(hours=int(p["chunk_hours"])),
        )
        groups = planning.group_chunks(items, int(p["chunks_per_task"]))
        return [[item.to_dict() for item in group] for group in groups]

    @task(map_index_template=GROUP_NAME)
    def land(group: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Fetch a group's chunks of one source for one brand into the landing zone; a
        retry does not fetch again the chunks an earlier try of it landed."""
        from pipeline.steps import fetch, planning

        context = get_current_context()
        attempt = land_attempt(context["ti"], context["task"].retries or 0)
        batches = []
        for item in group:
            chunk = planning.Chunk.from_dict(item)
            batch = fetch.land(
                chunk.source,
                chunk.brand,
                chunk.start,
                chunk.end,
                secrets=connection_secret,
                attempt=attempt,
            )
            batches.append(batch.to_dict())
        return batches

    @task(map_index_template=GROUP_NAME)
    def score(group: list[dict[str, Any]]) -> dict[str, Any]:
        """Score a group's landed chunks and write each one, scored, to the storage."""
        from pipeline.ingest.landing import Batch
        from pipeline.steps import loading

        # In this process: Airflow owns the parallelism (its slots and workers).
        batches = [Batch.from_dict(b) for b in group]
        locations = loading.score_batches_to_storage(batches, secrets=connection_secret)
        first, last = group[0], group[-1]
        return {
            "brand": first["brand"], "start": first["start"], "end": last["end"],
            "scored": locations,
        }  # fmt: skip

    @task(
        pool=WAREHOUSE_POOL,
        queue=WAREHOUSE_QUEUE,
        max_active_tis_per_dag=1,
        outlets=[POSTS],
        map_index_template=SCORED_NAME,
    )
    def load(group: dict[str, Any]) -> dict[str, Any]:
        """Replace each of a group's scored chunks in the warehouse, in one transaction."""
        from pipeline.steps import loading

        results = loading.write_scored_batches(group["scored"])
        return {
            "loaded": sum(r.loaded for r in results),
            "quarantined": sum(r.quarantined for r in results),
            "batches": [r.to_dict() for r in results],
        }

    # all_done_min_one_success: aggregate what did load; check_loads (a leaf) still fails the run.
    @task(
        pool=WAREHOUSE_POOL,
        queue=WAREHOUSE_QUEUE,
        outlets=AGGREGATES,
        trigger_rule="all_done_min_one_success",
    )
    def aggregate(
        groups: list[list[dict[str, str]]], loads: list[dict[str, Any]]
    ) -> dict[str, int]:
        """Recompute brand_hourly and brand_daily over what the loads covered."""
        from pipeline.steps import aggregation, planning

        result = aggregation.aggregate_chunks(
            [planning.Chunk.from_dict(i) for g in groups for i in g]
        )
        return {
            "posts_loaded": sum(int(r["loaded"]) for r in loads if r),
            "quarantined": sum(int(r["quarantined"]) for r in loads if r),
            "brand_hours": result.hours,
            "brand_days": result.days,
        }

    @task(pool=WAREHOUSE_POOL, queue=WAREHOUSE_QUEUE, outlets=[SPIKES])
    def spikes_and_alerts(
        groups: list[list[dict[str, str]]], aggregated: dict[str, int]
    ) -> dict[str, Any]:
        """Judge every hour of the range for spikes; send the alerts due (param alerts)."""
        from pipeline.settings import Settings
        from pipeline.steps import alerting, planning

        chunks = [planning.Chunk.from_dict(i) for g in groups for i in g]
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
    groups = plan()
    landed = land.override(doc_md=land.function.__doc__).expand(group=groups)
    scored = score.override(doc_md=score.function.__doc__).expand(group=landed)
    loads = load.override(doc_md=load.function.__doc__).expand(group=scored)
    spikes_and_alerts(groups, aggregate(groups, loads))
    check_loads(loads)


brandpulse_backfill()
