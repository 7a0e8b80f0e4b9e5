"""The Airflow Connections the channels read, looked up through Airflow itself.

Inside a task, Airflow resolves a Connection from its secrets backends and metadata database
(and masks its password in the task log); outside Airflow (the command line), from the
environment variable ``AIRFLOW_CONN_<ID>`` (a URI or JSON), through the same code. Airflow
is imported here only when a message is sent, never when the brands file is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import DeliveryError


@dataclass(frozen=True)
class ConnectionInfo:
    """The fields of one Connection a chat transport needs."""

    conn_id: str
    host: str | None
    password: str | None = field(repr=False)
    extra: dict[str, Any] = field(repr=False)

    @property
    def url(self) -> str | None:
        """The webhook URL: the password field when it is a URL, else the host field."""
        for value in (self.password, self.host):
            if value and "://" in value:
                return value.strip()
        return None


def env_var(conn_id: str) -> str:
    """The environment variable that holds ``conn_id`` outside Airflow."""
    return f"AIRFLOW_CONN_{conn_id.upper()}"


def get_connection(conn_id: str, what: str) -> ConnectionInfo:
    """The Connection ``conn_id``; :class:`DeliveryError` naming it when it is not defined."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        raise DeliveryError(
            f"no {what} Connection `{conn_id}`: create it in Airflow, or set {env_var(conn_id)} "
            "for the command line (see docs/channels.md)"
        ) from None
    extra = conn.extra_dejson
    return ConnectionInfo(
        conn_id=conn_id,
        host=conn.host,
        password=conn.password,
        extra=dict(extra) if isinstance(extra, dict) else {},
    )
