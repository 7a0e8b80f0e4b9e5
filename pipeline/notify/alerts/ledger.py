"""Alert emails that arrive once, one thread per incident: the ``alerts`` ledger.

Per incident (:mod:`pipeline.notify.alerts.incident`) and recipient, which alerts are due is
decided from the ledger, and each is delivered exactly once:

1. the delivery is *claimed*: a row with status ``sending`` is committed first;
2. the message is handed to its channel (SMTP, the outbox, Slack, Teams or a webhook:
   :func:`pipeline.notify.channels.dispatch`, the one hand-off);
3. the row is marked ``sent`` (or ``failed``, with the error).

A rerun skips ``sent`` rows. A row found ``sending`` means a crash between 2 and 3: the
email is sent again with the same Message-ID (mail clients show it once), ``attempts``
counts it and the log says so, so a duplicate is never silent and an alert is never lost.
A ``failed`` row is due again on the next run, at its severity while the incident is still
there; when the incident has since risen above it, the retry is the same kind of alert at
the incident's current severity instead (one message saying what is true now, not the old
severity followed at once by an escalation), and the failed row is recorded as
``superseded`` once that one is delivered. A ``sending`` row keeps its severity: the message
may have arrived, and only the same Message-ID lets mail clients show it once.

What is due for an incident (per recipient), in this order: an ``opened`` alert at its
severity when first seen; an ``escalated`` alert when its severity later rises above what
was alerted (an ongoing incident re-alerts only then: that is the cooldown); a ``recovered``
note when it has ended (no flagged hour for ``recovery_hours`` stored hours). Each message
tells the incident as it is when sent, so when an incident has ended by the time its last
due opening or escalation goes out, that message says so and the recovery is recorded as
``included`` in it instead of being sent apart. The follow-ups reply to the opening alert
(In-Reply-To and References, subject ``Re: ...``). When a delivery fails, the later ones
for that recipient and incident wait for the next run, so a thread never starts with a reply:
one rerun delivers everything still due, in order, whatever failed before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.config.model import BrandConfig
from pipeline.errors import DeliveryError
from pipeline.notify import channels, mailer
from pipeline.notify.alerts.chat import alert_digest
from pipeline.notify.alerts.context import AlertContext, gather_context
from pipeline.notify.alerts.incident import Incident, thread_key
from pipeline.notify.alerts.options import SEVERITY_RANK, AlertConfig
from pipeline.notify.alerts.render import render_alert
from pipeline.settings import Settings
from pipeline.warehouse import connection
from pipeline.warehouse.sqlfiles import read_sql

log = logging.getLogger(__name__)

#: The kinds of alert, in the order a thread tells them.
KINDS = ("opened", "escalated", "recovered")


@dataclass(frozen=True)
class AlertOutcome:
    spike_id: str  # the incident's ledger key (its lead spike)
    kind: str
    severity: str
    recipient: str
    status: str  # sent | resent (after a crash) | failed
    channel: str
    where: str = ""


@dataclass
class AlertSummary:
    outcomes: list[AlertOutcome] = field(default_factory=list)
    #: Data-health warnings met on the way (a brand's volume near zero for hours).
    health: list[str] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(1 for o in self.outcomes if o.status in {"sent", "resent"})

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "failed")


@dataclass(frozen=True)
class Row:
    """One ledger row of an incident and recipient."""

    status: str
    attempts: int
    message_id: str = ""
    subject: str | None = None
    error: str | None = None


#: Ledger statuses that need nothing more: delivered, a recovery note folded into a
#: message that already said the incident had ended, or a failed alert replaced by one at
#: the incident's later severity.
DONE = frozenset({"sent", "included", "superseded"})


#: Statuses of an opening a follow-up replies to: delivered, or maybe delivered (a crash).
_OPENING = frozenset({"sent", "sending"})


@dataclass(frozen=True)
class Due:
    """One alert due: ``kind`` at ``severity``. A ``folded`` recovery is not sent: it is
    recorded as included in the message before it, once that one is delivered."""

    kind: str
    severity: str
    folded: bool = False
    #: Severities of failed alerts of the same kind this one replaces: recorded as
    #: ``superseded`` once it is delivered.
    replaces: tuple[str, ...] = ()


def due_alerts(
    severity: str,
    ended: bool,
    ledger: Mapping[tuple[str, str], Row | tuple[str, int]],
    *,
    recovery_note: bool = True,
) -> list[Due]:
    """The alerts due to one recipient for an incident at ``severity`` (``ended``: it is
    over), in order, given that recipient's ledger rows ((kind, severity) -> row).

    Rows not done (left ``sending`` by a crash, or ``failed``) are due again under their own
    key, so a resend carries the same Message-ID; a ``failed`` opening or escalation below
    the incident's severity now is replaced by the same kind at that severity.
    """
    status = {k: (r.status if isinstance(r, Row) else r[0]) for k, r in ledger.items()}
    rank = SEVERITY_RANK[severity]
    stale = {
        (kind, sev)
        for (kind, sev), st in status.items()
        if st == "failed" and kind != "recovered" and SEVERITY_RANK[sev] < rank
    }
    live = {k: st for k, st in status.items() if k not in stale}

    def replaced(kind: str) -> tuple[str, ...]:
        return tuple(sorted(sev for k, sev in stale if k == kind))

    due = [Due(kind, sev) for (kind, sev), st in live.items() if st not in DONE]
    kinds = {kind for kind, _ in live}
    if "opened" not in kinds:
        due.append(Due("opened", severity))
    else:
        alerted = max(SEVERITY_RANK[sev] for kind, sev in live if kind != "recovered")
        if alerted < rank and ("escalated", severity) not in live:
            due.append(Due("escalated", severity))
    due = [
        replace(d, replaces=replaced(d.kind)) if d.severity == severity and not d.folded else d
        for d in due
    ]
    if ended and "recovered" not in kinds:
        if any(d.kind != "recovered" for d in due):
            # the last message due says it has ended: the note goes in it
            due.append(Due("recovered", severity, folded=True))
        elif recovery_note:
            due.append(Due("recovered", severity))
    unique = {(d.kind, d.severity): d for d in due}
    return sorted(unique.values(), key=lambda d: (KINDS.index(d.kind), SEVERITY_RANK[d.severity]))


def _ledger(con: duckdb.DuckDBPyConnection, key: str, recipient: str) -> dict[tuple[str, str], Row]:
    rows = con.execute(
        "select kind, severity, status, attempts, message_id, subject, error from alerts"
        " where spike_id = ? and recipient = ?",
        [key, recipient],
    ).fetchall()
    return {(r[0], r[1]): Row(r[2], int(r[3]), r[4], r[5], r[6]) for r in rows}


def _claimed_keys(con: duckdb.DuckDBPyConnection, incident: Incident) -> list[str]:
    rows = con.execute(
        "select distinct spike_id from alerts where list_contains(?, spike_id)",
        [list(incident.spike_ids)],
    ).fetchall()
    return [r[0] for r in rows]


def _now() -> datetime:
    """Wall-clock time for the ledger's audit stamps only (never for what is decided)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class _Delivery:
    """One due alert of an incident (ledger key ``key``) to ``recipient``."""

    incident: Incident
    key: str
    kind: str
    severity: str
    recipient: str
    previous: Row | None  # its ledger row, if claimed before

    @property
    def where(self) -> list[str]:
        return [self.key, self.kind, self.severity, self.recipient]

    def claim(self, con: duckdb.DuckDBPyConnection, sql_dir: Path, email: mailer.Email) -> None:
        """Commit the ledger row as ``sending`` before anything is handed over (a row claimed
        before: one more attempt)."""
        params = {
            "spike_id": self.key, "brand": self.incident.brand,
            "metric": self.incident.lead.metric, "kind": self.kind, "severity": self.severity,
            "recipient": self.recipient, "message_id": email.message_id, "claimed_at": _now(),
            "subject": email.subject, "in_reply_to": email.in_reply_to,
            "spike_ids": ",".join(self.incident.spike_ids),
        }  # fmt: skip
        with connection.transaction(con):
            con.execute(read_sql(sql_dir, "queries/alerts/claim"), params)

    def record(
        self, con: duckdb.DuckDBPyConnection, status: str, channel: str, error: str | None
    ) -> None:
        sent_at = _now() if status == "sent" else None
        with connection.transaction(con):
            con.execute(
                "update alerts set status = ?, channel = ?, sent_at = ?, error = ?"
                " where spike_id = ? and kind = ? and severity = ? and recipient = ?",
                [status, channel, sent_at, error, *self.where],
            )


def _supersede(con: duckdb.DuckDBPyConnection, job: _Delivery, severities: tuple[str, ...]) -> None:
    """Record the failed alerts of ``job``'s kind at ``severities`` as ``superseded``: the
    one just delivered at the incident's current severity said what they would have."""
    with connection.transaction(con):
        con.execute(
            "update alerts set status = 'superseded' where spike_id = ? and kind = ?"
            " and recipient = ? and list_contains(?, severity) and status = 'failed'",
            [job.key, job.kind, job.recipient, list(severities)],
        )


def _fold_recovery(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, job: _Delivery, carrier: tuple[str, str]
) -> None:
    """Record the recovery note as included in the message ``carrier`` (kind, severity)
    just delivered, which said the incident had ended."""
    params = {"spike_id": job.key, "severity": job.severity, "recipient": job.recipient,
              "kind": carrier[0], "carrier_severity": carrier[1]}  # fmt: skip
    with connection.transaction(con):
        con.execute(read_sql(sql_dir, "queries/alerts/fold_recovery"), params)


def _email(
    brand: BrandConfig,
    job: _Delivery,
    context: AlertContext,
    opening: Row | None,
) -> mailer.Email:
    """The email of ``job``: a follow-up replies to the ``opening`` alert's row."""
    message = render_alert(brand, job.incident, job.kind, job.severity, context)
    subject, in_reply_to = message.subject, None
    if job.kind != "opened" and opening is not None:
        subject = f"Re: {opening.subject or message.subject}"
        in_reply_to = opening.message_id
    key = f"alert:{job.key}:{job.kind}:{job.severity}"
    return mailer.Email(
        key=key,
        to=job.recipient,
        subject=subject,
        text=message.text,
        html=message.html,
        images=tuple(mailer.InlineImage(cid, png, f"{cid}.png") for cid, png in message.charts),
        headers={"X-Brandpulse-Spike": job.key, "X-Brandpulse-Kind": job.kind},
        in_reply_to=in_reply_to,
        chat=alert_digest(message, key),
    )


def _deliver_one(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    smtp: mailer.SmtpConfig | None,
    job: _Delivery,
    email: mailer.Email,
) -> AlertOutcome:
    what = f"alert {job.key} {job.kind} ({job.severity}) to {job.recipient}"
    if job.previous is not None and job.previous.status == "sending":
        log.warning(
            "%s was claimed by an attempt that did not finish (a crash?): sending again with"
            " the same Message-ID %s (attempt %d)",
            what, email.message_id, job.previous.attempts + 1,
        )  # fmt: skip
    elif job.previous is not None and mailer.MAY_HAVE_ARRIVED in (job.previous.error or ""):
        log.warning(
            "%s: sending again after a try that got no answer; %s (attempt %d)",
            what, mailer.MAY_HAVE_ARRIVED, job.previous.attempts + 1,
        )  # fmt: skip
    job.claim(con, settings.sql, email)
    try:
        delivery = channels.dispatch(email, smtp, settings.outbox)
    except DeliveryError as exc:
        channel = channels.channel_for(job.recipient, smtp)
        job.record(con, "failed", channel, str(exc))
        log.error("%s failed: %s", what, exc)
        return AlertOutcome(job.key, job.kind, job.severity, job.recipient, "failed", channel,
                            str(exc))  # fmt: skip
    job.record(con, "sent", delivery.channel, None)
    status = "resent" if job.previous is not None else "sent"
    log.info("%s: %s via %s", what, status, delivery.where)
    return AlertOutcome(job.key, job.kind, job.severity, job.recipient, status,
                        delivery.channel, delivery.where)  # fmt: skip


def deliver_due(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    smtp: mailer.SmtpConfig | None,
    *,
    brand: BrandConfig,
    incident: Incident,
    config: AlertConfig,
) -> list[AlertOutcome]:
    """Deliver every alert due for ``incident`` to each of the brand's recipients, once,
    in order; a recipient's later alerts wait when an earlier one fails."""
    outcomes: list[AlertOutcome] = []
    context: AlertContext | None = None
    key = thread_key(incident, _claimed_keys(con, incident))
    ended = incident.ended_at is not None
    for recipient in brand.alert_recipients:
        ledger = _ledger(con, key, recipient)
        carrier: tuple[str, str] | None = None
        for due in due_alerts(incident.severity, ended, ledger, recovery_note=config.recovery_note):
            job = _Delivery(incident, key, due.kind, due.severity, recipient,
                            ledger.get((due.kind, due.severity)))  # fmt: skip
            if due.folded:
                if carrier is not None:
                    _fold_recovery(con, settings.sql, job, carrier)
                continue
            context = context or gather_context(con, settings, brand, incident, config)
            opening = next(
                (r for (k, _), r in ledger.items() if k == "opened" and r.status in _OPENING),
                None,
            )
            email = _email(brand, job, context, opening)
            outcome = _deliver_one(con, settings, smtp, job, email)
            outcomes.append(outcome)
            if outcome.status == "failed":
                break  # the rest waits: a thread never starts with a reply
            carrier = (due.kind, due.severity)
            if due.replaces:
                _supersede(con, job, due.replaces)
                for sev in due.replaces:
                    ledger.pop((due.kind, sev), None)
            if due.kind == "opened":
                ledger[(due.kind, due.severity)] = Row("sent", 1, email.message_id,
                                                       email.subject)  # fmt: skip
    return outcomes
