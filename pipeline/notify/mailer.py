"""Email delivery: one message to one recipient, over SMTP or into the outbox folder.

Alerts and reports build an :class:`Email` (plain text, HTML, inline PNG images referenced by
``cid:``, attachments) and hand it to :func:`deliver`:

- with an :class:`SmtpConfig` (from the Airflow Connection ``smtp_default``, read by the DAG
  task, or from ``AIRFLOW_CONN_SMTP_DEFAULT`` in the environment for the command line), it
  goes out over SMTP, honouring the SMTP provider's Connection schema (``disable_ssl``,
  ``disable_tls``, ``from_email``, ``timeout`` in the extra);
- without one, it is written as ``<outbox>/<key>.eml`` (atomically: a crash never leaves half
  a file, and writing the same key twice leaves one file).

Every email has a stable ``key``; its ``Message-ID`` derives from it, so a message sent again
after a crash carries the same id and mail clients show it once. This module never imports
Airflow and never logs or raises a password.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from pipeline.errors import ConfigError, DeliveryError
from pipeline.secrets import redact

log = logging.getLogger(__name__)

#: The default sender when neither the Connection nor the environment gives one.
DEFAULT_SENDER = "brandpulse@localhost"
#: Environment variable with an Airflow Connection URI for SMTP, for runs outside Airflow.
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

    @property
    def message_id(self) -> str:
        digest = hashlib.sha256(f"{self.key}|{self.to}".encode()).hexdigest()[:32]
        return f"<{digest}@brandpulse>"


def _flag(value: object) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to submit mail, with the SMTP provider's Connection semantics."""

    host: str
    port: int
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    use_ssl: bool = True
    starttls: bool = True
    sender: str = DEFAULT_SENDER
    timeout: float = 30.0

    @classmethod
    def from_connection(
        cls,
        *,
        host: str | None,
        port: int | None,
        login: str | None,
        password: str | None,
        extra: Mapping[str, object] | None,
    ) -> SmtpConfig:
        """From an Airflow Connection's fields (SMTP provider schema for the extra)."""
        extra = extra or {}
        if not host:
            raise ConfigError("SMTP connection smtp_default: no host")
        use_ssl = not _flag(extra.get("disable_ssl", False))
        starttls = not _flag(extra.get("disable_tls", False)) and not use_ssl
        try:
            timeout = float(str(extra.get("timeout", 30)))
        except ValueError:
            raise ConfigError("SMTP connection smtp_default: extra.timeout: not a number") from None
        return cls(
            host=host,
            port=int(port or (465 if use_ssl else 587)),
            login=login or None,
            password=password or None,
            use_ssl=use_ssl,
            starttls=starttls,
            sender=str(extra.get("from_email") or DEFAULT_SENDER),
            timeout=timeout,
        )

    @classmethod
    def from_uri(cls, uri: str) -> SmtpConfig:
        """From a Connection URI: ``smtp://user:pass@host:port?disable_ssl=true&...``."""
        parts = urlsplit(uri)
        if parts.scheme not in {"smtp", "smtps"}:
            raise ConfigError(f"{SMTP_ENV}: expected an smtp:// URI")
        query = dict(parse_qsl(parts.query))
        if "__extra__" in query:
            try:
                extra: dict[str, object] = dict(json.loads(query.pop("__extra__")))
            except ValueError:
                raise ConfigError(f"{SMTP_ENV}: __extra__ is not JSON") from None
            extra.update(query)
        else:
            extra = dict(query)
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"{SMTP_ENV}: invalid port") from None
        return cls.from_connection(
            host=parts.hostname,
            port=port,
            login=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            extra=extra,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpConfig | None:
        """The SMTP configuration in ``AIRFLOW_CONN_SMTP_DEFAULT``, or None."""
        env = os.environ if env is None else env
        uri = env.get(SMTP_ENV, "").strip()
        return cls.from_uri(uri) if uri else None


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
    for name, value in email.headers.items():
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


@dataclass(frozen=True)
class Delivery:
    channel: str  # "smtp" or "outbox"
    where: str  # the SMTP host:port, or the .eml path


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


def send_smtp(email: Email, smtp: SmtpConfig) -> None:
    """Hand ``email`` to the SMTP server; :class:`DeliveryError` when that fails."""
    msg = build_message(email, smtp.sender)
    try:
        client: smtplib.SMTP
        if smtp.use_ssl:
            client = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if smtp.login and smtp.password:
                client.login(smtp.login, smtp.password)
            refused = client.send_message(msg, from_addr=smtp.sender, to_addrs=[email.to])
    except (OSError, smtplib.SMTPException) as exc:
        detail = redact(str(exc), smtp.password or "")
        raise DeliveryError(
            f"SMTP {smtp.host}:{smtp.port} did not accept the email to {email.to}: {detail}"
        ) from None
    if refused:
        raise DeliveryError(f"SMTP {smtp.host}:{smtp.port} refused recipient {email.to}")


def deliver(email: Email, smtp: SmtpConfig | None, outbox: Path) -> Delivery:
    """Send over SMTP when configured, else write to the outbox."""
    if smtp is not None:
        send_smtp(email, smtp)
        log.info("email %s sent to %s via %s:%d", email.key, email.to, smtp.host, smtp.port)
        return Delivery("smtp", f"{smtp.host}:{smtp.port}")
    path = write_outbox(email, outbox)
    log.info("email %s to %s written to %s", email.key, email.to, path)
    return Delivery("outbox", str(path))
