"""Alert emails that arrive once: the ``alerts`` ledger and the deliveries it guards.

Per spike and recipient, which alerts are due is decided from the ledger, and each is
delivered exactly once:

1. the delivery is *claimed*: a row with status ``sending`` is committed first;
2. the message is handed to its channel (SMTP, the outbox, Slack, Teams or a webhook:
   :func:`pipeline.notify.channels.dispatch`);
3. the row is marked ``sent``.

A rerun skips ``sent`` rows. A row found ``sending`` means a crash between 2 and 3: the
email is sent again with the same Message-ID (mail clients show it once), ``attempts``
counts it and the log says so, so a duplicate is never silent and an alert is never lost.

What is due for a spike (per recipient): an ``opened`` alert at its severity when first
seen; an ``escalated`` alert when its severity later rises above what was alerted (an
ongoing spike re-alerts only then: that is the cooldown); a ``recovered`` note when the
episode has ended (no flagged hour for ``recovery_hours`` stored hours), unless the
spike had already ended when it was first alerted (the opening email says so).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.config.model import BrandConfig
from pipeline.detect.store import Spike
from pipeline.errors import DeliveryError
from pipeline.notify import channels, mailer
from pipeline.notify.alerts.context import AlertContext, gather_context
from pipeline.notify.alerts.options import SEVERITY_RANK, AlertConfig
from pipeline.notify.alerts.render import render_alert
from pipeline.settings import Settings
from pipeline.warehouse import connection
from pipeline.warehouse.sqlfiles import read_sql

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertOutcome:
    spike_id: str
    kind: str
    severity: str
    recipient: str
    status: str  # sent | skipped (already sent) | resent (after a crash) | failed
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


def _ledger(
    con: duckdb.DuckDBPyConnection, spike: str, recipient: str
) -> dict[tuple[str, str], tuple[str, int]]:
    rows = con.execute(
        "select kind, severity, status, attempts from alerts where spike_id = ? and recipient = ?",
        [spike, recipient],
    ).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


#: Ledger statuses that need nothing more: delivered, or a recovery note folded into the
#: opening alert of a spike that had already ended when first seen.
DONE = frozenset({"sent", "included"})


def due_alerts(
    spike: Spike, ledger: Mapping[tuple[str, str], tuple[str, int]], config: AlertConfig
) -> list[tuple[str, str]]:
    """(kind, severity) of the alerts due for ``spike`` to one recipient, in order.

    Already claimed rows (sent, or left ``sending`` by a crash) are returned again only when
    not ``sent``, so the caller resends a crashed delivery with the same Message-ID.
    """
    if spike.metric not in config.metrics:
        return []
    if SEVERITY_RANK[spike.severity] < SEVERITY_RANK[config.min_severity]:
        return []
    due = [key for key, (status, _) in ledger.items() if status not in DONE]
    kinds = {kind for kind, _ in ledger}
    if "opened" not in kinds:
        # First sight. A spike already over gets one email that says so, not two.
        due.append(("opened", spike.severity))
    else:
        alerted = max(SEVERITY_RANK[sev] for kind, sev in ledger if kind != "recovered")
        if alerted < SEVERITY_RANK[spike.severity]:
            due.append(("escalated", spike.severity))
        if spike.ended_at is not None and config.recovery_note and "recovered" not in kinds:
            due.append(("recovered", spike.severity))
    order = {"opened": 0, "escalated": 1, "recovered": 2}
    return sorted(dict.fromkeys(due), key=lambda k: (order[k[0]], SEVERITY_RANK[k[1]]))


@dataclass(frozen=True)
class _Delivery:
    """One due alert: a spike's ``kind`` at ``severity`` to ``recipient``."""

    spike: Spike
    kind: str
    severity: str
    recipient: str
    previous: tuple[str, int] | None  # (status, attempts) of its ledger row, if claimed

    @property
    def key(self) -> list[str]:
        return [self.spike.spike_id, self.kind, self.severity, self.recipient]

    def claim(self, con: duckdb.DuckDBPyConnection, message_id: str) -> None:
        """Commit the ledger row as ``sending`` before anything is handed over."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with connection.transaction(con):
            if self.previous is None:
                con.execute(
                    "insert into alerts values"
                    " (?, ?, ?, ?, ?, ?, 'pending', 'sending', 1, ?, ?, null, null)",
                    [self.spike.spike_id, self.spike.brand, self.spike.metric, self.kind,
                     self.severity, self.recipient, message_id, now],
                )  # fmt: skip
            else:
                con.execute(
                    "update alerts set status = 'sending', attempts = attempts + 1"
                    " where spike_id = ? and kind = ? and severity = ? and recipient = ?",
                    self.key,
                )

    def record(
        self, con: duckdb.DuckDBPyConnection, status: str, channel: str, error: str | None
    ) -> None:
        sent_at = datetime.now(UTC).replace(tzinfo=None) if status == "sent" else None
        with connection.transaction(con):
            con.execute(
                "update alerts set status = ?, channel = ?, sent_at = ?, error = ?"
                " where spike_id = ? and kind = ? and severity = ? and recipient = ?",
                [status, channel, sent_at, error, *self.key],
            )


def _fold_recovery(
    con: duckdb.DuckDBPyConnection, sql_dir: Path, spike: Spike, severity: str, recipient: str
) -> None:
    """Record that the opening alert of an already-ended spike said it had ended."""
    params = {"spike_id": spike.spike_id, "severity": severity, "recipient": recipient}
    with connection.transaction(con):
        con.execute(read_sql(sql_dir, "queries/alerts/fold_recovery"), params)


def _deliver_one(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    smtp: mailer.SmtpConfig | None,
    brand: BrandConfig,
    job: _Delivery,
    context: AlertContext,
) -> AlertOutcome:
    spike = job.spike
    subject, text, body, png = render_alert(brand, spike, job.kind, job.severity, context)
    email = mailer.Email(
        key=f"alert:{spike.spike_id}:{job.kind}:{job.severity}",
        to=job.recipient,
        subject=subject,
        text=text,
        html=body,
        images=(mailer.InlineImage("chart", png, "chart.png"),),
        headers={"X-Brandpulse-Spike": spike.spike_id},
    )
    what = f"alert {spike.spike_id} {job.kind} ({job.severity}) to {job.recipient}"
    if job.previous is not None and job.previous[0] == "sending":
        log.warning(
            "%s was claimed by an attempt that did not finish (a crash?): sending again with"
            " the same Message-ID %s (attempt %d)",
            what, email.message_id, job.previous[1] + 1,
        )  # fmt: skip
    job.claim(con, email.message_id)
    try:
        delivery = channels.dispatch(email, smtp, settings.outbox)
    except DeliveryError as exc:
        channel = channels.channel_for(job.recipient, smtp)
        job.record(con, "failed", channel, str(exc))
        log.error("%s failed: %s", what, exc)
        return AlertOutcome(spike.spike_id, job.kind, job.severity, job.recipient, "failed",
                            channel, str(exc))  # fmt: skip
    job.record(con, "sent", delivery.channel, None)
    status = "resent" if job.previous is not None else "sent"
    log.info("%s: %s via %s", what, status, delivery.where)
    return AlertOutcome(spike.spike_id, job.kind, job.severity, job.recipient, status,
                        delivery.channel, delivery.where)  # fmt: skip


def deliver_due(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    smtp: mailer.SmtpConfig | None,
    *,
    brand: BrandConfig,
    spike: Spike,
    config: AlertConfig,
) -> list[AlertOutcome]:
    """Deliver every alert due for ``spike`` to each of the brand's recipients, once."""
    outcomes: list[AlertOutcome] = []
    context: AlertContext | None = None
    for recipient in brand.alert_recipients:
        ledger = _ledger(con, spike.spike_id, recipient)
        for kind, severity in due_alerts(spike, ledger, config):
            context = context or gather_context(con, settings, spike)
            job = _Delivery(spike, kind, severity, recipient, ledger.get((kind, severity)))
            outcome = _deliver_one(con, settings, smtp=smtp, brand=brand, job=job, context=context)
            outcomes.append(outcome)
            if outcome.status != "failed" and kind == "opened" and spike.ended_at is not None:
                _fold_recovery(con, settings.sql, spike, severity, recipient)
    return outcomes
