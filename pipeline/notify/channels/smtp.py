"""Email over SMTP through Airflow's SMTP provider (``apache-airflow-providers-smtp``).

The provider's :class:`~airflow.providers.smtp.hooks.smtp.SmtpHook` opens the connection as
its Connection says: SSL or STARTTLS (``disable_ssl``, ``disable_tls``, ``ssl_context``), the
``timeout``, ``retry_limit`` reconnects, and the login: user and password, or
``auth_type: oauth2`` with XOAUTH2 (an ``access_token`` in the extra, or for Microsoft 365
``client_id``/``client_secret``/``tenant_id``, fetched through MSAL) for tenants that require
OAuth2. The message itself is ours (:func:`pipeline.notify.mailer.build_message`): the
hook's own builder sends HTML only, without the plain-text alternative, the inline chart or
the threading headers. It goes over the hook's authenticated client, retried
``retry_limit`` times as the hook retries its own sends.

Any failure becomes a :class:`~pipeline.errors.DeliveryError` whose text is scrubbed of the
Connection's password and token in every form an AUTH exchange carries them
(:mod:`pipeline.notify.channels.scrub`).
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from airflow.providers.smtp.hooks.smtp import SmtpHook

from pipeline.errors import DeliveryError
from pipeline.notify.channels.scrub import Scrubber
from pipeline.notify.mailer import DEFAULT_SENDER, Delivery, Email, SmtpConfig, build_message

log = logging.getLogger(__name__)


class _MessageSmtpHook(SmtpHook):
    """The SMTP provider's hook, sending a MIME message built elsewhere."""

    def _build_client(self) -> smtplib.SMTP_SSL | smtplib.SMTP:
        """The provider's client, greeted with EHLO at once.

        The provider 3.2.0 sends ``AUTH XOAUTH2`` right after connecting when STARTTLS is
        off (implicit SSL on port 465, or plain SMTP): without EHLO first the server answers
        503, which smtplib takes for "already authenticated", and the mail is then refused
        or, worse, sent unauthenticated. smtplib's own login greets first; XOAUTH2 does not.
        """
        client: smtplib.SMTP_SSL | smtplib.SMTP = super()._build_client()
        client.ehlo()
        return client

    def send_mime(self, email: Email) -> str:
        """Send ``email`` over the open client; return the envelope sender."""
        sender = self.from_email or DEFAULT_SENDER
        msg = build_message(email, sender)
        client: Any = self._smtp_client
        if client is None:  # pragma: no cover - get_conn() opened it
            raise DeliveryError("the SMTP client is not open")
        for attempt in range(self.smtp_retry_limit + 1):
            try:
                refused = client.send_message(msg, from_addr=sender, to_addrs=[email.to])
            except smtplib.SMTPServerDisconnected:
                raise
            except (smtplib.SMTPException, OSError):
                if attempt == self.smtp_retry_limit:
                    raise
                log.warning("SMTP send of %s failed, attempt %d: retrying", email.key, attempt + 1)
                continue
            if refused:
                raise DeliveryError(f"the SMTP server refused recipient {email.to}")
            break
        return str(sender)

    def scrubber(self) -> Scrubber:
        """The secrets of this hook's Connection, in their AUTH forms."""
        scrub = Scrubber()
        conn = self.smtp_connection
        if conn is None:
            return scrub
        extra = conn.extra_dejson if isinstance(conn.extra_dejson, dict) else {}
        login = conn.login or ""
        scrub.add_smtp_login(login, conn.password)
        # The token given in the Connection, and one the provider fetched (client credentials).
        fetched = getattr(self, "_access_token", None)
        tokens = {str(t) for t in (extra.get("access_token"), fetched) if t}
        for user in {login, str(extra.get("from_email") or "")}:
            for token in tokens:
                scrub.add_xoauth2(user, token)
        scrub.add(str(extra.get("client_secret") or "") or None)
        return scrub


def send(email: Email, smtp: SmtpConfig) -> Delivery:
    """Hand ``email`` to the SMTP server of Connection ``smtp.conn_id``."""
    hook = _MessageSmtpHook(smtp_conn_id=smtp.conn_id)
    try:
        with hook:
            hook.send_mime(email)
    except Exception as exc:  # the provider raises smtplib, socket, ssl and Airflow errors
        detail = hook.scrubber().scrub(f"{type(exc).__name__}: {exc}")
        raise DeliveryError(
            f"SMTP ({_where(hook, smtp)}) did not accept the email to {email.to}: {detail}"
        ) from None
    return Delivery("smtp", _where(hook, smtp))


def _where(hook: _MessageSmtpHook, smtp: SmtpConfig) -> str:
    """``conn_id host:port`` once the hook has read its Connection, else the id alone."""
    conn = hook.smtp_connection
    return f"{smtp.conn_id} {conn.host}:{conn.port}" if conn is not None else smtp.conn_id
