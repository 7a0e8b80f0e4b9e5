"""Credentials for sources, resolved when a task runs, never stored in code or config.

A secret is looked up, in order, in:

1. an environment variable named for it (e.g. ``BRANDPULSE_X_BEARER_TOKEN``);
2. the lookup the caller passes: the DAG tasks pass one that reads the Airflow Connection
   (e.g. ``x_api``) through Airflow's own secrets backends;
3. Airflow's environment form of that Connection, ``AIRFLOW_CONN_<ID>`` (a URI or JSON),
   so the command line honours the same settings without Airflow running.

A missing secret raises :class:`~pipeline.errors.SourceAuthError` naming the Connection and
the variable to set. Secret values never appear in messages or logs: use :func:`redact`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from pipeline.errors import SourceAuthError

#: Given a Connection id, the secret it holds (its password, or ``token`` in its extra).
SecretLookup = Callable[[str], str | None]


@dataclass(frozen=True)
class SecretSpec:
    """Where one secret may come from."""

    connection_id: str
    env_var: str
    what: str  # e.g. "X API bearer token"


def _from_airflow_env(connection_id: str, env: Mapping[str, str]) -> str | None:
    raw = env.get(f"AIRFLOW_CONN_{connection_id.upper()}", "").strip()
    if not raw:
        return None
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            return None
        extra = data.get("extra") or {}
        if isinstance(extra, str):
            try:
                extra = json.loads(extra)
            except json.JSONDecodeError:
                extra = {}
        value = data.get("password") or (extra.get("token") if isinstance(extra, dict) else None)
        return str(value) if value else None
    parts = urlsplit(raw)
    if parts.password:
        return unquote(parts.password)
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    token = query.get("token") or query.get("__extra__")
    return unquote(token) if token else None


def resolve(
    spec: SecretSpec, lookup: SecretLookup | None = None, env: Mapping[str, str] | None = None
) -> str:
    """The secret for ``spec``; :class:`SourceAuthError` when none is configured."""
    env = os.environ if env is None else env
    value = env.get(spec.env_var, "").strip()
    if not value and lookup is not None:
        value = (lookup(spec.connection_id) or "").strip()
    if not value:
        value = (_from_airflow_env(spec.connection_id, env) or "").strip()
    if not value:
        raise SourceAuthError(
            f"no {spec.what} configured: set the Airflow Connection `{spec.connection_id}` "
            f"(password field) or the environment variable {spec.env_var}"
        )
    return value


def redact(text: str, *secrets: str) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
