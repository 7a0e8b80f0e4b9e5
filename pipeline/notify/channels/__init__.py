"""Where a message goes: email (SMTP or the outbox), Slack, Microsoft Teams or a webhook.

The alert and report ledgers hand every delivery to :func:`dispatch`, which picks the
transport from the recipient's key (:mod:`pipeline.config.recipients`):

=====================  ===========================================================
recipient              transport
=====================  ===========================================================
``care@x.com``         SMTP through Airflow's SMTP provider (:mod:`.smtp`) when an
                       :class:`~pipeline.notify.mailer.SmtpConfig` is given, else the
                       outbox folder (``.eml`` files)
``slack:<conn_id>``    Slack incoming webhook through Airflow's Slack provider (:mod:`.slack`)
``teams:<conn_id>``    Teams Workflows / incoming webhook, an Adaptive Card (:mod:`.teams`)
``webhook:<conn_id>``  generic JSON webhook, optionally HMAC-signed (:mod:`.webhook`)
=====================  ===========================================================

Chat posts are the digest each sender builds from the data its email is rendered from
(``Email.chat``: the report's figures, the alert's body, the notice; :mod:`.digest`). A
failure is a :class:`~pipeline.errors.DeliveryError` scrubbed of the Connection's secrets
(:mod:`.scrub`); the ledgers record it and retry on the next run. The providers are imported
only when a message goes to their channel, so checking the brands file or rendering imports
no Airflow.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.config.recipients import Recipient
from pipeline.notify.mailer import Delivery, Email, SmtpConfig, write_outbox

log = logging.getLogger(__name__)

__all__ = ["channel_for", "dispatch"]


def channel_for(recipient: str, smtp: SmtpConfig | None) -> str:
    """The channel a delivery to ``recipient`` goes through: smtp, outbox, slack, teams or
    webhook (what the ledgers' ``channel`` column says)."""
    channel = Recipient.parse(recipient).channel
    if channel == "email":
        return "smtp" if smtp is not None else "outbox"
    return channel


def dispatch(email: Email, smtp: SmtpConfig | None, outbox: Path) -> Delivery:
    """Deliver ``email`` to ``email.to`` over the transport its recipient key names.

    Raises :class:`~pipeline.errors.DeliveryError` (secrets scrubbed) when it was not
    delivered.
    """
    recipient = Recipient.parse(email.to)
    if recipient.channel == "slack":
        from pipeline.notify.channels import slack

        delivery = slack.send(email, recipient.target)
    elif recipient.channel == "teams":
        from pipeline.notify.channels import teams

        delivery = teams.send(email, recipient.target)
    elif recipient.channel == "webhook":
        from pipeline.notify.channels import webhook

        delivery = webhook.send(email, recipient.target)
    elif smtp is not None:
        from pipeline.notify.channels import smtp as smtp_transport

        delivery = smtp_transport.send(email, smtp)
    else:
        path = write_outbox(email, outbox)
        log.info("email %s to %s written to %s", email.key, email.to, path)
        return Delivery("outbox", str(path))
    log.info("%s %s delivered to %s via %s", delivery.channel, email.key, email.to, delivery.where)
    return delivery
