"""Credentials for sources, resolved when a source first needs them, never stored in code.

A secret is looked up, in order, through:

1. the lookup the caller passes: the DAG tasks pass one that reads the Airflow Connection
   (e.g. ``x_api``) through Airflow's own secrets backends (metadata database, environment
   ``AIRFLOW_CONN_*``, Vault, ...), which also masks it in task logs;
2. an environment variable named for it (e.g. ``BRANDPULSE_X_BEARER_TOKEN``), for the
   command line and for deployments without Connections.

A missing secret raises :class:`~pipeline.errors.SourceAuthError` naming the Connection and
the variable to set. Secret values never appear in messages or logs: use :func:`redact`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.errors import SourceAuthError

#: Given a Connection id, the secret it holds (its password, or ``token`` in its extra).
SecretLookup = Callable[[str], str | None]


@dataclass(frozen=True)
class SecretSpec:
    """Where one secret may come from."""

    connection_id: str
    env_var: str
    what: str  # e.g. "X API bearer token"


def resolve(
    spec: SecretSpec, lookup: SecretLookup | None = None, env: Mapping[str, str] | None = None
) -> str:
    """The secret for ``spec``; :class:`SourceAuthError` when none is configured."""
    env = os.environ if env is None else env
    value = (lookup(spec.connection_id) or "").strip() if lookup is not None else ""
    if not value:
        value = env.get(spec.env_var, "").strip()
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
