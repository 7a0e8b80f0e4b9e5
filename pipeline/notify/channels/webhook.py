"""A generic JSON webhook, for incident tools (PagerDuty, Opsgenie and the like, through
their generic webhook or event-rule integrations) and anything else that takes JSON.

The body follows the schema ``brandpulse.notification/1`` (docs/channels.md)::

    {"schema": "brandpulse.notification/1", "event": "alert", "key": "alert:...",
     "message_id": "<...@brandpulse>", "title": "...", "headline": "...",
     "facts": [{"label": "...", "value": "..."}],
     "sections": [{"title": "...", "lines": ["..."]}], "link": null, "text": "..."}

``key`` is stable across retries and reruns: a receiver deduplicates on it. Headers:
``X-Brandpulse-Event``, ``X-Brandpulse-Key``, and with a secret (the Connection's extra
``hmac_secret``) ``X-Brandpulse-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body
bytes under the secret, as GitHub signs its webhooks. The Connection holds the URL in its
password field (or host).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from pipeline.errors import DeliveryError
from pipeline.notify.channels.connections import get_connection
from pipeline.notify.channels.digest import Digest, digest
from pipeline.notify.channels.http import post_json, timeout_of
from pipeline.notify.channels.scrub import Scrubber
from pipeline.notify.mailer import Delivery, Email

SCHEMA = "brandpulse.notification/1"
SIGNATURE_HEADER = "X-Brandpulse-Signature"


def payload(d: Digest, email: Email) -> dict[str, Any]:
    """The JSON body (schema :data:`SCHEMA`)."""
    return {
        "schema": SCHEMA,
        "event": d.event,
        "key": d.key,
        "message_id": email.message_id,
        "title": d.title,
        "headline": d.headline,
        "facts": [{"label": label, "value": value} for label, value in d.facts],
        "sections": [{"title": title, "lines": list(lines)} for title, lines in d.sections],
        "link": d.link,
        "text": email.text,
    }


def signature(secret: str, body: bytes) -> str:
    """The value of :data:`SIGNATURE_HEADER` for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send(email: Email, conn_id: str) -> Delivery:
    """POST ``email`` as a ``brandpulse.notification/1`` document to Connection ``conn_id``."""
    what = f"webhook ({conn_id})"
    info = get_connection(conn_id, "webhook")
    if info.url is None:
        raise DeliveryError(f"{what}: the Connection holds no URL (password or host field)")
    secret = str(info.extra.get("hmac_secret") or "")
    scrubber = Scrubber().add_url(info.url).add(secret or None)
    d = digest(email)
    body = json.dumps(payload(d, email), ensure_ascii=False).encode("utf-8")
    headers = {"X-Brandpulse-Event": d.event, "X-Brandpulse-Key": d.key}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    post_json(
        info.url, body, headers=headers, timeout=timeout_of(info.extra, what), scrubber=scrubber,
        what=what,
    )  # fmt: skip
    return Delivery("webhook", conn_id)
