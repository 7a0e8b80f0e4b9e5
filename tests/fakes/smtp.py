"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts.

It can require a login: AUTH LOGIN / PLAIN against one user and password
(``smtp_server(login=(user, password))``), XOAUTH2 against one bearer token
(``xoauth2=(user, token)``), or play the server that rejects every login by echoing the
AUTH line it got into its error reply (``echo_auth=True``), as some servers do.
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from pipeline.notify.mailer import SMTP_ENV, SmtpConfig


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """What the server accepted; ``fail_next`` refuses that many messages with a 451."""

    messages: list[Received] = field(default_factory=list)
    fail_next: int = 0
    refused: int = 0
    #: Every AUTH mechanism a client used, in order, and who logged in.
    mechanisms_used: list[str] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail_next > 0:
            self.fail_next -= 1
            self.refused += 1
            return "451 4.3.0 try again later"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, recipient: str) -> list[EmailMessage]:
        return [r.message for r in self.messages if recipient in r.recipients]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _XOAuth2Inbox(Inbox):
    """An inbox whose server takes XOAUTH2 (RFC-less, Google's and Microsoft's): the initial
    response is base64 of ``user=<user>^Aauth=Bearer <token>^A^A``."""

    def __init__(self, user: str, token: str) -> None:
        super().__init__()
        self.expected = f"user={user}\x01auth=Bearer {token}\x01\x01"

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        self.mechanisms_used.append("XOAUTH2")
        got = base64.b64decode(args[1]).decode() if len(args) > 1 else ""
        if got != self.expected:
            return AuthResult(success=False, handled=False)
        self.logins.append(got.split("\x01")[0].removeprefix("user="))
        return AuthResult(success=True, auth_data=got)


class _EchoingInbox(Inbox):
    """An inbox whose server rejects every login, echoing the AUTH data in its reply."""

    async def auth_PLAIN(self, server: SMTP, args: list[str]) -> AuthResult:
        self.mechanisms_used.append("PLAIN")
        return AuthResult(
            success=False, handled=False, message=f"535 5.7.8 rejected: AUTH {' '.join(args)}"
        )

    async def auth_LOGIN(self, server: SMTP, args: list[str]) -> AuthResult:
        self.mechanisms_used.append("LOGIN")
        if len(args) > 1:  # smtplib sends the user with the command
            user: Any = base64.b64decode(args[1])
        else:
            user = await server.challenge_auth("VXNlcm5hbWU6", encode_to_b64=False)
        password = await server.challenge_auth("UGFzc3dvcmQ6", encode_to_b64=False)
        echoed = " ".join(
            base64.b64encode(v).decode() for v in (user, password) if isinstance(v, bytes)
        )
        return AuthResult(success=False, handled=False, message=f"535 5.7.8 bad login: {echoed}")


@contextmanager
def smtp_server(
    *,
    login: tuple[str, str] | None = None,
    xoauth2: tuple[str, str] | None = None,
    echo_auth: bool = False,
    mechanisms: tuple[str, ...] | None = None,
) -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on 127.0.0.1 for the duration; yields its inbox and port.

    ``login`` requires AUTH with that user and password, ``xoauth2`` XOAUTH2 with that user
    and token, ``echo_auth`` rejects every login echoing its data; ``mechanisms`` limits the
    AUTH mechanisms advertised (e.g. ``("LOGIN",)``).
    """
    inbox: Inbox
    if xoauth2 is not None:
        inbox = _XOAuth2Inbox(*xoauth2)
    elif echo_auth:
        inbox = _EchoingInbox()
    else:
        inbox = Inbox()
    params: dict[str, Any] = {"auth_require_tls": False}
    if login is not None:

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                          data: Any) -> AuthResult:  # fmt: skip
            inbox.mechanisms_used.append(mechanism)
            ok = (
                isinstance(data, LoginPassword)
                and (data.login.decode(), data.password.decode()) == login
            )
            if ok:
                inbox.logins.append(login[0])
            return AuthResult(success=ok, handled=False)

        params["authenticator"] = authenticator
        params["auth_required"] = True
    if mechanisms is not None:
        every = ("LOGIN", "PLAIN", "XOAUTH2")
        params["auth_exclude_mechanism"] = [m for m in every if m not in mechanisms]
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **params)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp_connection(port: int, *, login: str = "", password: str = "", **extra: Any) -> str:
    """The ``smtp_default`` Connection for the server as JSON, for ``AIRFLOW_CONN_SMTP_DEFAULT``:
    plain SMTP (no TLS), no reconnect or resend retries, ``extra`` added to the extra."""
    return json.dumps(
        {
            "conn_type": "smtp",
            "host": "127.0.0.1",
            "port": port,
            "login": login,
            "password": password,
            "extra": {
                "disable_ssl": True,
                "disable_tls": True,
                "from_email": "brandpulse@alerts.example",
                "retry_limit": 0,
                "timeout": 10,
                **extra,
            },
        }
    )


def smtp_uri(port: int) -> str:
    """The smtp_default Connection URI for the server (plain SMTP, no TLS)."""
    return (
        f"smtp://127.0.0.1:{port}?disable_ssl=true&disable_tls=true"
        "&from_email=brandpulse%40alerts.example"
    )


def use_smtp(monkeypatch: Any, port: int, **connection: Any) -> SmtpConfig:
    """Point the ``smtp_default`` Connection (its environment variable, as the command line
    reads it) at the server on ``port``; the :class:`SmtpConfig` that sends through it."""
    monkeypatch.setenv(SMTP_ENV, smtp_connection(port, **connection))
    return SmtpConfig()


def smtp_config(monkeypatch: Any, port: int, conn_id: str, **connection: Any) -> SmtpConfig:
    """An SMTP Connection named ``conn_id`` (its environment variable) for the server on
    ``port``, so one test can hold several (one up, one down); the SmtpConfig using it."""
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", smtp_connection(port, **connection))
    return SmtpConfig(conn_id)
