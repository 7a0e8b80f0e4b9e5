"""Shared wiring for the brandpulse DAG files (this file defines no DAG; .airflowignore
keeps the DAG processor from parsing it as one).

Airflow puts the DAG bundle's folder on ``sys.path``, so DAG files import this module
directly. It imports only ``airflow.sdk`` and :mod:`pipeline.steps.orchestration` (plain data):
nothing heavy, no Connection, Variable or database at parse time.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset, BaseNotifier, ExceptionRetryPolicy, RetryAction, RetryRule

from pipeline.steps.orchestration import (
    ASSET_URIS,
    DEFAULT_ARGS,
    PERMANENT_ERRORS,
    RATE_LIMIT_RETRY_DELAY,
    RATE_LIMITED_ERRORS,
    START_DATE,
)

POSTS = Asset(name="brandpulse_posts", uri=ASSET_URIS["brandpulse_posts"])
BRAND_HOURLY = Asset(name="brandpulse_brand_hourly", uri=ASSET_URIS["brandpulse_brand_hourly"])
BRAND_DAILY = Asset(name="brandpulse_brand_daily", uri=ASSET_URIS["brandpulse_brand_daily"])
AGGREGATES = [BRAND_HOURLY, BRAND_DAILY]
SPIKES = Asset(name="brandpulse_spikes", uri=ASSET_URIS["brandpulse_spikes"])

#: A bad brands file, interval or credential is not fixed by retrying: fail at once. A far
#: rate limit is retried after the provider's window; everything else gets default_args'.
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


class OperatorsNotifier(BaseNotifier):
    """Tells the operators (``operators:`` in the brands file, or ``BRANDPULSE_OPERATORS``)
    that a task failed, by email, Slack, Teams or webhook (pipeline/notify/operators.py).

    A task-level ``on_failure_callback`` on every brandpulse task: it runs once a task has
    failed for good (after its retries), in the task's process. It never raises.
    """

    template_fields = ()

    def notify(self, context: Any) -> None:
        from pipeline.notify import operators
        from pipeline.settings import Settings

        ti = context["ti"]
        logical = context.get("logical_date")
        error = str(context.get("exception") or "unknown error (see the task log)")
        try:  # what Airflow masks in task logs (Connection passwords, tokens) it masks here too
            from airflow.sdk.log import redact

            error = str(redact(error))
        except ImportError:  # pragma: no cover - an Airflow without the SDK's masker
            pass
        from pipeline.secrets import redact as redact_known

        error = redact_known(error)  # and the secrets brandpulse itself read (tokens from env)
        failure = operators.TaskFailure(
            dag_id=str(ti.dag_id),
            task_id=str(ti.task_id),
            run_id=str(ti.run_id),
            try_number=int(ti.try_number or 0),
            error=error,
            map_index=-1 if getattr(ti, "map_index", None) is None else int(ti.map_index),
            logical_date=logical.isoformat() if logical is not None else "",
        )
        try:
            smtp = smtp_config()
        except Exception as exc:  # a notifier must not hide the failure it reports
            self.log.error("smtp_default not readable, operators' email goes to the outbox: %s",
                           type(exc).__name__)  # fmt: skip
            smtp = None
        reached = operators.notify_failure(Settings.from_env(), smtp, failure)
        self.log.info("operators told of %s: %s", failure.key, ", ".join(reached) or "none")


#: What every brandpulse DAG shares: one run at a time (runs of a DAG write the same
#: warehouse), no automatic catch-up (backfills are explicit), our retries and tag, and the
#: operators told of every task that fails for good.
DAG_DEFAULTS: dict[str, Any] = {
    "start_date": START_DATE,
    "catchup": False,
    "max_active_runs": 1,
    "default_args": {
        **DEFAULT_ARGS,
        "retry_policy": RETRY_POLICY,
        "on_failure_callback": [OperatorsNotifier()],
    },
    "tags": ["brandpulse"],
}


def connection_secret(conn_id: str) -> str | None:
    """The secret an Airflow Connection holds (password, else ``token`` in its extra).

    Passed to pipeline steps as their secret lookup; runs inside tasks only, never at parse.
    """
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None
    token = conn.password or conn.extra_dejson.get("token")
    return str(token) if token else None


def smtp_config() -> Any:
    """A :class:`pipeline.notify.mailer.SmtpConfig` naming the ``smtp_default`` Connection when
    it exists, else None: emails are then written to the outbox folder. The SMTP provider's
    hook reads the Connection itself when it sends. Runs inside tasks only, never at parse.
    """
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    from pipeline.notify.mailer import SMTP_CONN_ID, SmtpConfig

    try:
        BaseHook.get_connection(SMTP_CONN_ID)
    except AirflowNotFoundException:
        return None
    return SmtpConfig(SMTP_CONN_ID)
