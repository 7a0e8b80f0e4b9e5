"""Email messages: one message to one recipient, built as MIME or written to the outbox.

Alerts and reports build an :class:`Email` (plain text, HTML, inline PNG images referenced by
``cid:``, attachments, extra headers such as ``In-Reply-To``) and hand it to
:func:`pipeline.notify.channels.dispatch`, which picks the transport from the recipient:

- an email address with an :class:`SmtpConfig` goes out through Airflow's SMTP provider
  (:mod:`pipeline.notify.channels.smtp`), over the Connection it names;
- an email address without one is written here as ``<outbox>/<key>.eml`` (atomically: a
  crash never leaves half a file, and writing the same key twice leaves one file);
- a chat or webhook recipient goes to its channel (Slack, Teams, webhook).

Every email has a stable ``key``; its ``Message-ID`` derives from it, so a message sent again
after a crash carries the same id and mail clients show it once. This module never imports
Airflow and never logs or raises a password.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

log = logging.getLogger(__name__)

#: The default sender when neither the Connection nor the environment gives one.
DEFAULT_SENDER = "brandpulse@localhost"
#: The Airflow Connection mail goes out through.
SMTP_CONN_ID = "smtp_default"
#: That Connection as an environment variable (URI or JSON), for runs outside Airflow.
SMTP_ENV = "AIRFLOW_CONN_SMTP_DEFAULT"


@dataclass(frozen=True)
class InlineImage:
    """A PNG shown inside the HTML part as ``<img src="cid:{cid}">``."""

    cid: str
    png: bytes
    filename: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str  # e.g. "text/csv"
    data: bytes


@dataclass(frozen=True)
class Digest:
    """What a chat or webhook post of a message shows: a title, a headline, ``Label: value``
    facts, short titled sections and at most one https link. All plain text: each channel
    escapes it for its own markup (:mod:`pipeline.notify.channels.digest`)."""

    key: str
    title: str
    headline: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    link: str | None

    @property
    def event(self) -> str:
        """What kind of message: the key's first part (alert, report, failure, freshness)."""
        return self.key.split(":", 1)[0]


@dataclass(frozen=True)
class Email:
    """One message to one recipient; ``key`` identifies it across retries and reruns."""

    key: str
    to: str
    subject: str
    text: str
    html: str
    images: tuple[InlineImage, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The Message-ID this email answers (a follow-up in a thread): In-Reply-To and
    #: References are set to it, so mail clients show the two in one conversation.
    in_reply_to: str | None = None
    #: What chat and webhook recipients get, built by the sender from the same data as the
    #: text (the report's figures, the alert's body, the notice); None: email only.
    chat: Digest | None = None

    @property
    def message_id(self) -> str:
        digest = hashlib.sha256(f"{self.key}|{self.to}".encode()).hexdigest()[:32]
        return f"<{digest}@brandpulse>"


@dataclass(frozen=True)
class SmtpConfig:
    """Mail goes out over SMTP through the Airflow Connection ``conn_id`` (the SMTP
    provider's connection type: host, port, login, password and its extra: ``disable_ssl``,
    ``disable_tls``, ``timeout``, ``retry_limit``, ``from_email``, ``auth_type: oauth2`` with
    ``access_token`` or ``client_id``/``client_secret``/``tenant_id``).

    Airflow's hook reads the Connection itself, when a message is sent: inside a task from
    Airflow's secrets backends and metadata database, outside Airflow from
    ``AIRFLOW_CONN_<CONN_ID>`` (a URI or JSON). No SmtpConfig means: the outbox folder.
    """

    conn_id: str = SMTP_CONN_ID

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpConfig | None:
        """For the command line: SMTP when ``AIRFLOW_CONN_SMTP_DEFAULT`` is set, else None."""
        env = os.environ if env is None else env
        return cls() if env.get(SMTP_ENV, "").strip() else None


def build_message(email: Email, sender: str, date: datetime | None = None) -> EmailMessage:
    """The MIME message: text and HTML alternatives, inline images, then attachments."""
    msg = EmailMessage()
    msg["Subject"] = email.subject
    msg["From"] = sender
    msg["To"] = email.to
    msg["Message-ID"] = email.message_id
    msg["Date"] = format_datetime(date or datetime.now(UTC))
    msg["Auto-Submitted"] = "auto-generated"
    if email.in_reply_to:
        msg["In-Reply-To"] = email.in_reply_to
        msg["References"] = email.in_reply_to
    for name, value in email.headers.items():  # the caller's win (Message-ID, In-Reply-To, ...)
        del msg[name]
        msg[name] = value
    msg.set_content(email.text, subtype="plain", charset="utf-8")
    msg.add_alternative(email.html, subtype="html", charset="utf-8")
    if email.images:
        html_part = msg.get_body(preferencelist=("html",))
        if not isinstance(html_part, EmailMessage):  # pragma: no cover - set just above
            raise TypeError("the HTML part is missing")
        for image in email.images:
            html_part.add_related(
                image.png,
                maintype="image",
                subtype="png",
                cid=f"<{image.cid}>",
                filename=image.filename,
                disposition="inline",
            )
    for attachment in email.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        msg.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return msg


#: Said of a chat or webhook post that got no answer after it was sent: the receiver may
#: have it, and the retry may show it twice (at least once; docs/channels.md).
MAY_HAVE_ARRIVED = "it may have arrived, so the retry may show it twice"


@dataclass(frozen=True)
class Delivery:
    channel: str  # smtp | outbox | slack | teams | webhook
    where: str  # the SMTP host:port, the .eml path, or the channel's Connection id


def _safe_name(key: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)
    return cleaned[:150] or "message"


def write_outbox(email: Email, outbox: Path, sender: str = DEFAULT_SENDER) -> Path:
    """Write ``email`` as ``<outbox>/<key>--<recipient>.eml``, atomically."""
    outbox.mkdir(parents=True, exist_ok=True)
    target = outbox / f"{_safe_name(email.key)}--{_safe_name(email.to)}.eml"
    tmp = target.with_suffix(".eml.tmp")
    tmp.write_bytes(bytes(build_message(email, sender)))
    os.replace(tmp, target)
    return target
