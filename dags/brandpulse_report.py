"""
### brandpulse_report: the customer-care lead's morning email

Every hour, sends the daily complaint report of every brand whose `report.local_time`
(in the brand's time zone, from the brands file) falls in the hour that just ended, for
the brand's local **yesterday**:

1. **due**: names the (brand, day) reports due in this run's hour. Each brand's report of
   each day is due in exactly one hourly run, also across daylight-saving changes.
2. **send_reports**: refreshes `complaint_responses` for the complaints the report looks
   at, renders the report from the warehouse (first the complaints still unanswered past
   the brand's SLA, most urgent first; then the day against the previous 28 days, charts,
   response times, categories, the words that stand out, top complaints, spikes, a CSV of
   the day's complaints; in plain words, laid out for a phone and a desktop), archives the
   HTML under the runtime folder's `reports/<brand>/<day>.html` and sends it to each
   `report.recipients` entry: email through Airflow's SMTP provider with the `smtp_default`
   Connection, else into the outbox folder; Slack, Teams and webhook recipients get a
   summary (`docs/channels.md`).

**Reruns** do not send twice: the `report_deliveries` table records each (brand, day,
recipient); recipients already served are skipped, and a message a failed attempt left
behind is resent with the same Message-ID. A report not delivered to every recipient (an
SMTP outage longer than the task's retries) is due again in every later hourly run, for up
to 7 days, until it is. To resend on purpose, use
`brandpulse report --date DAY --brand BRAND --resend`. A day without posts or
complaints gives a short report, not a failure.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import CronDataIntervalTimetable, dag, task
from brandpulse_dag_support import DAG_DEFAULTS, smtp_config

from pipeline.steps.orchestration import WAREHOUSE_POOL, WAREHOUSE_QUEUE

#: The DAG id (pipeline.steps.orchestration names the others; this one lives here until it does).
REPORT_DAG = "brandpulse_report"


@dag(
    dag_id=REPORT_DAG,
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def brandpulse_report() -> None:
    @task
    def due(
        data_interval_start: datetime | None = None,
        data_interval_end: datetime | None = None,
    ) -> list[dict[str, str]]:
        """The (brand, local day) reports whose send time falls in this run's hour."""
        from pipeline.notify.report import sending
        from pipeline.settings import Settings
        from pipeline.steps.orchestration import run_interval

        start, end = run_interval(data_interval_start, data_interval_end)
        return [d.to_dict() for d in sending.due_reports(Settings.from_env(), start, end)]

    @task(pool=WAREHOUSE_POOL, queue=WAREHOUSE_QUEUE)
    def send_reports(due: list[dict[str, str]]) -> list[dict[str, str]]:
        """Render, archive and send the due reports; recipients already served are skipped."""
        from datetime import date

        from pipeline.notify.report import sending
        from pipeline.settings import Settings

        if not due:
            return []
        items = [sending.DueReport(d["brand"], date.fromisoformat(d["day"])) for d in due]
        results = sending.send_due(Settings.from_env(), items, smtp_config())
        return [r.to_dict() for r in results]

    send_reports(due())


brandpulse_report()
