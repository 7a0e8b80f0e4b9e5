"""Credentials for sources, resolved when a source first needs them, never stored in code.

A secret is looked up, in order, through:

1. the lookup the caller passes: the DAG tasks pass one that reads the Airflow Connection
   (e.g. ``x_api``) through Airflow's own secrets backends (metadata database, environment
   ``AIRFLOW_CONN_*``, Vault, ...), which also masks it in task logs;
2. an environment variable named for it (e.g. ``BRANDPULSE_X_BEARER_TOKEN``), for the
   command line and for deployments without Connections.

A missing secret raises :class:`~pipeline.errors.SourceAuthError` naming the Connection and
the variable to set. So does a malformed one (a token that an HTTP header cannot carry: a
line break, a space, a control or non-ASCII character), checked before any request is made
and described without showing the value.

Secret values never leave the process:

- every secret resolved here (and every session token a source is given, through
  :func:`remember`) is masked in every log record of the process, whatever logger wrote
  it: :func:`remember` installs a log record factory that replaces the secrets (also as
  escaped in a ``repr``, in JSON or in a URL) with ``***`` in the message and the
  traceback text;
- messages built by brandpulse go through :func:`redact`, which masks the secrets it is
  given and every remembered one; the command line prints errors through it too.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from pipeline.errors import SourceAuthError

#: Given a Connection id, the secret it holds (its password, or ``token`` in its extra).
SecretLookup = Callable[[str], str | None]

#: Shorter values are not masked in logs (masking "1" would garble every number); no real
#: credential is this short.
MIN_MASKED_CHARS = 6
#: A piece of a multi-line secret this long is masked on its own too (a traceback may show
#: the secret split at its line breaks).
MIN_MASKED_PIECE = 8
MASK = "***"


@dataclass(frozen=True)
class SecretSpec:
    """Where one secret may come from."""

    connection_id: str
    env_var: str
    what: str  # e.g. "X API bearer token"
    #: Where it travels, which decides what it may hold: ``header`` (``Authorization:
    #: Bearer …``: visible ASCII only), ``body`` (a JSON body: no line breaks or control
    #: characters) or ``any`` (used in this process only: not checked).
    carrier: Literal["header", "body", "any"] = "any"

    def where(self) -> str:
        return (
            f"the Airflow Connection `{self.connection_id}` (password field) or the "
            f"environment variable {self.env_var}"
        )


def resolve(
    spec: SecretSpec, lookup: SecretLookup | None = None, env: Mapping[str, str] | None = None
) -> str:
    """The secret for ``spec``; :class:`SourceAuthError` when none is configured or it is
    malformed (the message says what is wrong with it, never what it is)."""
    env = os.environ if env is None else env
    value = (lookup(spec.connection_id) or "").strip() if lookup is not None else ""
    if not value:
        value = env.get(spec.env_var, "").strip()
    if not value:
        raise SourceAuthError(f"no {spec.what} configured: set {spec.where()}")
    remember(value)
    return check(spec, value)


def _flaw(value: str, carrier: str) -> str | None:
    """What makes ``value`` unusable as a credential, in words that do not show it."""
    if carrier == "any":
        return None
    header = carrier == "header"
    for char in value:
        if char in "\r\n":
            return "a line break"
        if ord(char) < 0x20 or ord(char) == 0x7F:
            return "a control character"
        if not header:
            continue
        if char.isspace():
            return "a space"
        if ord(char) > 0x7E:
            return "a non-ASCII character"
    return None


def check(spec: SecretSpec, value: str) -> str:
    """``value`` if it can travel as ``spec.carrier`` says (an HTTP header takes visible
    ASCII only); else :class:`SourceAuthError` naming the flaw and where to fix it, not the
    value."""
    flaw = _flaw(value, spec.carrier)
    if flaw is not None:
        remember(value)
        raise SourceAuthError(
            f"the {spec.what} contains {flaw}, which "
            + ("an HTTP header cannot carry" if spec.carrier == "header" else "no credential has")
            + f": set it again, without it, in {spec.where()}"
        )
    return value


def header_value(source: str, what: str, value: str) -> str:
    """A credential about to go into an HTTP header (a session token a provider returned,
    a token given in code): :class:`SourceAuthError` if a header cannot carry it."""
    remember(value)
    flaw = _flaw(value, "header")
    if flaw is not None:
        raise SourceAuthError(f"{source}: the {what} contains {flaw}; not sending it")
    return value


# --------------------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------------------

_known: set[str] = set()
_forms: tuple[str, ...] = ()
_lock = threading.Lock()
_installed = False


def _variants(secret: str) -> Iterable[str]:
    """The ways a secret shows up in text: as it is, escaped, encoded, split at lines."""
    yield secret
    yield secret.encode("unicode_escape").decode("ascii")  # repr() of a str
    yield json.dumps(secret)[1:-1]
    yield quote(secret, safe="")
    yield quote(secret)
    for piece in secret.splitlines():
        if len(piece.strip()) >= MIN_MASKED_PIECE:
            yield piece.strip()


def remember(secret: str) -> None:
    """Mask ``secret`` (and its escaped forms) in every log record of this process from now."""
    global _forms, _installed  # noqa: PLW0603 - one process-wide set, by design
    if len(secret) < MIN_MASKED_CHARS:
        return
    with _lock:
        if secret in _known:
            return
        _known.add(secret)
        forms = {v for s in _known for v in _variants(s) if len(v) >= MIN_MASKED_CHARS}
        # Longest first: a secret's escaped form may contain a shorter piece of it.
        _forms = tuple(sorted(forms, key=len, reverse=True))
        if not _installed:
            _install_record_factory()
            _installed = True


def redact(text: str, *secrets: str) -> str:
    """``text`` with every occurrence of each secret, and of every remembered one, masked."""
    for secret in secrets:
        if secret:
            for form in _variants(secret):
                if form:
                    text = text.replace(form, MASK)
    return _mask_known(text)


def _mask_known(text: str) -> str:
    for form in _forms:
        if form in text:
            text = text.replace(form, MASK)
    return text


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken record is logging's to report, not ours
        return
    masked = _mask_known(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        masked = _mask_known(text)
        if masked != text:
            record.exc_text = masked


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _forms:
            _scrub(record)
        return record

    logging.setLogRecordFactory(factory)
