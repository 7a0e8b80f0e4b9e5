"""
### brandpulse_alerts: spike detection, alerts, and the ingest freshness alarm

Runs right after every update of `brand_hourly` (the hourly ingest, file imports,
backfills) and, as a safety net, every 15 minutes. For each brand it judges the latest
closed hours stored before the run's time (plus the brand's clock skew, so a stray post
dated years ahead never decides what is judged; `lookback_hours`, default 6, so a late load
is still judged), each hour against a seasonal baseline of the hours before it, from the
brand's history start (`pipeline/detect/hourly.py`, `docs/spikes.md`), stores what it flags
in `spikes` / `spike_hours`, and sends the alerts due to the brand's `alerts.recipients`:

- one thread per **incident** (the spikes of a brand's metrics in overlapping or adjacent
  hours): **opened** when it is first seen, **escalated** when its severity rises (an
  ongoing incident alerts again only then), **recovered** when it ends, the follow-ups
  replying to the opening (configurable per brand under `overrides.alerts`, docs/alerts.md);
- by email through Airflow's SMTP provider and the Connection `smtp_default` when there is
  one, else as `.eml` files in the outbox folder; to Slack, Teams or a webhook for those
  recipients, each through its own Connection (`docs/channels.md`);
- **exactly once** per incident, kind and recipient: the `alerts` ledger is committed before
  each send and marked sent after, so a retry or a rerun never sends twice, and a crash
  in between resends with the same Message-ID (counted in `attempts`, logged).

A failed delivery fails the task after every other delivery was tried; the retry, or any
later run, sends everything still due, in order, whatever failed before.

**check_freshness** then alarms the operators (`operators:` in the brands file) about every
brand whose newest landed interval load ended `operators.freshness_hours` (default 6) or
more before this run: ingest has stopped. Once per silence and recipient (the
`operator_alarms` ledger); a brand that never landed anything is not judged.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import (
    AssetOrTimeSchedule,
    CronTriggerTimetable,
    dag,
    get_current_context,
    task,
)
from brandpulse_dag_support import BRAND_HOURLY, DAG_DEFAULTS, SPIKES, smtp_config

from pipeline.steps.orchestration import (
    ALERTS_DAG,
    ALERTS_SCHEDULE,
    WAREHOUSE_POOL,
    WAREHOUSE_QUEUE,
)


@dag(
    dag_id=ALERTS_DAG,
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(ALERTS_SCHEDULE, timezone="UTC"), assets=[BRAND_HOURLY]
    ),
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def brandpulse_alerts() -> None:
    @task(pool=WAREHOUSE_POOL, queue=WAREHOUSE_QUEUE, outlets=[SPIKES])
    def detect_and_alert(dag_run: Any = None) -> dict[str, Any]:
        """Judge each brand's latest stored hours, store spikes, send the alerts due."""
        from pipeline.settings import Settings
        from pipeline.steps import alerting

        settings = Settings.from_env()
        as_of = getattr(dag_run, "run_after", None)  # the run's time, not the clock's
        summary = alerting.evaluate(settings, smtp_config(), as_of=as_of)
        print(alerting.describe(summary, settings))
        return {
            "sent": summary.sent,
            "failed": summary.failed,
            "alerts": [
                f"{o.spike_id} {o.kind} {o.severity} -> {o.recipient}: {o.status}"
                for o in summary.outcomes
            ],
        }

    @task(pool=WAREHOUSE_POOL, queue=WAREHOUSE_QUEUE)
    def check_freshness() -> str:
        """Alarm the operators once about each brand whose ingest has stopped landing."""
        from pipeline.notify import operators
        from pipeline.settings import Settings

        context = get_current_context()
        moment = context["dag_run"].run_after
        summary = operators.check_freshness(Settings.from_env(), smtp_config(), moment)
        print(summary.describe())
        return summary.describe()

    detect_and_alert()
    check_freshness()


brandpulse_alerts()
