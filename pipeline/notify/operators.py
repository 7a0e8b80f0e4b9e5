"""What operators hear: a task that failed, and a brand whose ingest has gone quiet.

Operators are configured once, in the brands file's top-level ``operators:`` section
(``recipients``, the same kinds of entries as a brand's: email addresses and
``{slack|teams|webhook: connection_id}``; ``freshness_hours``), or in the environment variable
``BRANDPULSE_OPERATORS`` (comma-separated recipient keys such as
``ops@x.com,slack:ops_slack``), which wins: it still works when the brands file is the thing
that broke.

- :func:`notify_failure`: every DAG task's ``on_failure_callback`` (``dags/``) sends one
  notice per failed task instance (after its retries) to each operator recipient. It never
  raises: a notifier that fails must not hide the failure it reports.
- :func:`check_freshness`: for each brand fed by interval sources (all but ``file``), the end
  of its newest landed load against the check's moment (the run's time, never the clock);
  silent for ``freshness_hours`` or more is a stale episode, alarmed once per episode and
  recipient through the ``operator_alarms`` ledger (claimed, then sent, as alerts are).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb

from pipeline import timeutil
from pipeline.config.loading import read_brands
from pipeline.config.model import DEFAULT_FRESHNESS_HOURS, BrandsFile
from pipeline.config.recipients import recipient_keys
from pipeline.errors import BrandpulseError, ConfigError, DeliveryError
from pipeline.notify import channels, templating
from pipeline.notify.channels.digest import LINE_LIMIT, MAX_FACTS
from pipeline.notify.mailer import Digest, Email, SmtpConfig
from pipeline.notify.text import display_text
from pipeline.settings import Settings
from pipeline.warehouse import connection
from pipeline.warehouse.sqlfiles import read_sql

log = logging.getLogger(__name__)

#: The environment variable naming the operators' recipients (wins over the brands file).
OPERATORS_ENV = "BRANDPULSE_OPERATORS"
#: Characters of a failed task's error shown in its notice (the log has the rest).
ERROR_CHARS = 500
_RED, _AMBER = "#dc2626", "#d97706"


@dataclass(frozen=True)
class Notice:
    """What an operators' notice shows (templates ``notice.txt`` / ``notice.html``)."""

    headline: str
    colour: str
    facts: tuple[tuple[str, str], ...]
    advice: str


#: The section of a notice's chat post that holds its advice.
ADVICE = "What to do"


def _chat(key: str, subject: str, notice: Notice) -> Digest:
    """The notice's chat post, from the notice itself (its fields are cleaned already)."""
    return Digest(
        key=key,
        title=display_text(subject, LINE_LIMIT),
        headline=display_text(notice.headline, LINE_LIMIT * 2),
        facts=tuple((label, display_text(v, LINE_LIMIT)) for label, v in notice.facts)[:MAX_FACTS],
        sections=((ADVICE, (display_text(notice.advice, LINE_LIMIT),)),) if notice.advice else (),
        link=None,
    )


def _email(key: str, to: str, subject: str, notice: Notice) -> Email:
    return Email(
        key=key,
        to=to,
        subject=subject,
        text=templating.render("notice.txt", notice),
        html=templating.render("notice.html", notice),
        headers={"X-Brandpulse-Notice": key.split(":", 1)[0]},
        chat=_chat(key, subject, notice),
    )


@dataclass(frozen=True)
class OperatorConfig:
    recipients: tuple[str, ...]
    freshness_hours: int = DEFAULT_FRESHNESS_HOURS


def operators(
    settings: Settings, env: Mapping[str, str] | None = None, brands: BrandsFile | None = None
) -> OperatorConfig:
    """The operators' recipients and freshness threshold: ``BRANDPULSE_OPERATORS`` if set,
    else the brands file's ``operators:`` section."""
    env = os.environ if env is None else env
    if brands is None:
        brands = read_brands(settings.brands_file)
    hours = brands.operators.freshness_hours
    raw = env.get(OPERATORS_ENV, "").strip()
    if raw:
        try:
            keys = recipient_keys([p.strip() for p in raw.split(",") if p.strip()])
        except ValueError as exc:
            raise ConfigError(f"{OPERATORS_ENV}: {exc}") from None
        return OperatorConfig(keys, hours)
    return OperatorConfig(brands.operators.recipients, hours)


# -- failed tasks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFailure:
    """One failed task instance, as the Airflow callback context describes it."""

    dag_id: str
    task_id: str
    run_id: str
    try_number: int
    error: str
    map_index: int = -1
    logical_date: str = ""

    @property
    def key(self) -> str:
        """Stable per task instance try: a message sent again carries the same Message-ID."""
        return (
            f"failure:{self.dag_id}:{self.run_id}:{self.task_id}:{self.map_index}:{self.try_number}"
        )


def failure_email(failure: TaskFailure, recipient: str) -> Email:
    """The notice of ``failure`` (every field cleaned: an error can quote a post)."""
    dag = display_text(failure.dag_id, 100)
    task = display_text(failure.task_id, 100) + (
        f" [{failure.map_index}]" if failure.map_index >= 0 else ""
    )
    error = display_text(failure.error, ERROR_CHARS) or "(no error message)"
    notice = Notice(
        headline=f"brandpulse task {dag}.{task} failed: {error}",
        colour=_RED,
        facts=(
            ("DAG", dag),
            ("Task", task),
            ("Run", display_text(failure.run_id, 200)),
            ("Try", str(failure.try_number)),
            ("Logical date", display_text(failure.logical_date, 40) or "-"),
            ("Error", error),
        ),
        advice="The task's log in the Airflow UI has the details. Clearing the task reruns it;"
        " every brandpulse task replaces exactly its own interval.",
    )
    subject = f"[brandpulse] FAILED: {dag}.{task}"
    return _email(failure.key, recipient, subject, notice)


def notify_failure(
    settings: Settings,
    smtp: SmtpConfig | None,
    failure: TaskFailure,
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """Tell each operator recipient about ``failure``; the recipients reached. Never raises."""
    try:
        config = operators(settings, env)
    except BrandpulseError as exc:
        log.error("operators not notified of %s: %s", failure.key, exc)
        return []
    if not config.recipients:
        log.warning(
            "task %s.%s failed; no operators to tell (set operators.recipients in the brands "
            "file or %s)", failure.dag_id, failure.task_id, OPERATORS_ENV,
        )  # fmt: skip
        return []
    reached = []
    for recipient in config.recipients:
        try:
            channels.dispatch(failure_email(failure, recipient), smtp, settings.outbox)
        except BrandpulseError as exc:
            log.error("operator %s not told of %s: %s", recipient, failure.key, exc)
            continue
        reached.append(recipient)
    return reached


# -- stale ingest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Staleness:
    """A brand whose newest landed interval ends ``last_landed``, ``hours`` before the check."""

    brand: str
    last_landed: datetime
    hours: float

    @property
    def alarm_id(self) -> str:
        return f"freshness:{self.brand}:{self.last_landed:%Y-%m-%dT%H:%MZ}"


@dataclass(frozen=True)
class AlarmOutcome:
    alarm_id: str
    recipient: str
    status: str  # sent | skipped (sent before) | failed
    channel: str
    error: str | None = None


@dataclass
class FreshnessSummary:
    stale: list[Staleness] = field(default_factory=list)
    outcomes: list[AlarmOutcome] = field(default_factory=list)

    def describe(self) -> str:
        if not self.stale:
            return "ingest fresh for every brand"
        lines = [
            f"stale: {s.brand}, nothing landed since {s.last_landed:%Y-%m-%d %H:%M} UTC "
            f"({s.hours:.0f} h)"
            for s in self.stale
        ]
        lines += [f"  {o.alarm_id} -> {o.recipient}: {o.status}" for o in self.outcomes]
        return "\n".join(lines)


def stale_brands(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    brand_ids: Sequence[str],
    as_of: datetime,
    hours: int,
) -> list[Staleness]:
    """The brands whose newest landed interval load ended ``hours`` or more before ``as_of``
    (brands that never landed one are not judged: nothing says when they should have)."""
    as_of = timeutil.plain_utc(as_of)
    rows = con.execute(
        read_sql(settings.sql, "queries/operators/last_landed"), {"brands": list(brand_ids)}
    ).fetchall()
    stale = []
    for brand, last in sorted(rows):
        landed = last.replace(tzinfo=UTC)
        silent = as_of - landed
        if silent >= timedelta(hours=hours):
            stale.append(Staleness(brand, landed, silent / timedelta(hours=1)))
    return stale


def freshness_email(brand_name: str, stale: Staleness, hours: int, recipient: str) -> Email:
    notice = Notice(
        headline=(
            f"Nothing has landed for {brand_name} for {stale.hours:.0f} hours: ingest looks "
            "stopped."
        ),
        colour=_AMBER,
        facts=(
            ("Brand", f"{brand_name} ({stale.brand})"),
            ("Last landed interval ended", f"{stale.last_landed:%Y-%m-%d %H:%M} UTC"),
            ("Silent for", f"{stale.hours:.0f} hours (alarm after {hours})"),
        ),
        advice="Look for failed brandpulse_ingest runs (a source's credential, rate limit or "
        "outage). Spikes in the missing hours cannot be alerted until they land. This "
        "alarm is sent once for this silence.",
    )
    subject = f"[brandpulse] STALE: no new posts for {brand_name} in {stale.hours:.0f} h"
    return _email(stale.alarm_id, recipient, subject, notice)


def _now() -> datetime:
    """Wall-clock time for the ledger's audit stamps only (never for what is judged)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _alarm_one(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    smtp: SmtpConfig | None,
    email: Email,
    stale: Staleness,
) -> AlarmOutcome:
    key = [stale.alarm_id, email.to]
    channel = channels.channel_for(email.to, smtp)
    row = con.execute(
        "select status from operator_alarms where alarm_id = ? and recipient = ?", key
    ).fetchone()
    if row is not None and row[0] == "sent":
        return AlarmOutcome(stale.alarm_id, email.to, "skipped", channel)
    with connection.transaction(con):
        if row is None:
            con.execute(
                "insert into operator_alarms values"
                " (?, 'freshness', ?, ?, ?, ?, 'sending', 1, ?, ?, null, null)",
                [stale.alarm_id, stale.brand, timeutil.naive_utc(stale.last_landed), email.to,
                 channel, email.message_id, _now()],
            )  # fmt: skip
        else:
            con.execute(
                "update operator_alarms set status = 'sending', attempts = attempts + 1"
                " where alarm_id = ? and recipient = ?",
                key,
            )
    try:
        delivery = channels.dispatch(email, smtp, settings.outbox)
    except DeliveryError as exc:
        with connection.transaction(con):
            con.execute(
                "update operator_alarms set status = 'failed', error = ?"
                " where alarm_id = ? and recipient = ?",
                [str(exc), *key],
            )
        log.error("freshness alarm %s to %s failed: %s", stale.alarm_id, email.to, exc)
        return AlarmOutcome(stale.alarm_id, email.to, "failed", channel, str(exc))
    with connection.transaction(con):
        con.execute(
            "update operator_alarms set status = 'sent', channel = ?, sent_at = ?, error = null"
            " where alarm_id = ? and recipient = ?",
            [delivery.channel, _now(), *key],
        )
    return AlarmOutcome(stale.alarm_id, email.to, "sent", delivery.channel)


def check_freshness(
    settings: Settings, smtp: SmtpConfig | None, as_of: datetime
) -> FreshnessSummary:
    """Alarm the operators, once per stale episode, about brands whose ingest stopped.

    ``as_of`` is the check's moment (the DAG run's). Raises
    :class:`~pipeline.errors.DeliveryError` after trying every alarm when any failed (the
    next check retries it while the brand is still stale).
    """
    brands = read_brands(settings.brands_file)
    config = operators(settings, brands=brands)
    interval_fed = [b.id for b in brands.brands if any(s.name != "file" for s in b.sources)]
    names = {b.id: b.name for b in brands.brands}
    summary = FreshnessSummary()
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        summary.stale = stale_brands(con, settings, interval_fed, as_of, config.freshness_hours)
        if summary.stale and not config.recipients:
            log.warning("stale ingest, but no operators to tell: %s", OPERATORS_ENV)
        for stale in summary.stale:
            for recipient in config.recipients:
                email = freshness_email(
                    names[stale.brand], stale, config.freshness_hours, recipient
                )
                summary.outcomes.append(_alarm_one(con, settings, smtp, email, stale))
    failed = [o for o in summary.outcomes if o.status == "failed"]
    if failed:
        raise DeliveryError(
            f"{len(failed)} freshness alarm(s) not delivered (retried by the next check): "
            f"{failed[0].error}"
        )
    return summary
