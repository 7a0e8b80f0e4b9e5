"""Microsoft Teams: a Workflows ("Post to a channel when a webhook request is received") or
incoming-webhook URL, posted an Adaptive Card.

There is no Airflow provider for Teams, and a notification library would hide the payload
the tests must check, so this is one httpx POST (:mod:`pipeline.notify.channels.http`). The
Connection holds the webhook URL in its password field. The body is a ``message`` with one
Adaptive Card 1.4 attachment; card text is a markdown subset, so every text is escaped
(:func:`~.digest.teams_escape`) and the only link is the card's own "Open the report"
action, when the message has one.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.errors import DeliveryError
from pipeline.notify.channels.connections import get_connection
from pipeline.notify.channels.digest import Digest, digest, teams_escape
from pipeline.notify.channels.http import post_json, timeout_of
from pipeline.notify.channels.scrub import Scrubber
from pipeline.notify.mailer import Delivery, Email

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
#: Adaptive Card 1.4: what Teams renders on desktop, web and mobile.
CARD_VERSION = "1.4"


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": teams_escape(text), "wrap": True, **style}


def payload(d: Digest) -> dict[str, Any]:
    """The webhook's JSON body: a message with one Adaptive Card attachment."""
    body: list[dict[str, Any]] = [
        _text(d.title, weight="Bolder", size="Medium"),
        _text(d.headline),
    ]
    if d.facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {"title": teams_escape(label), "value": teams_escape(value)}
                    for label, value in d.facts
                ],
            }
        )
    for title, lines in d.sections:
        body.append(_text(title, weight="Bolder", spacing="Medium"))
        body += [_text(line, isSubtle=True, spacing="Small") for line in lines]
    card: dict[str, Any] = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
    }
    if d.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open the report", "url": d.link}]
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }


def send(email: Email, conn_id: str) -> Delivery:
    """Post ``email``'s digest as an Adaptive Card to the Teams webhook of ``conn_id``."""
    what = f"Teams webhook ({conn_id})"
    info = get_connection(conn_id, "Teams webhook")
    if info.url is None:
        raise DeliveryError(f"{what}: the Connection holds no webhook URL (password field)")
    scrubber = Scrubber().add_url(info.url)
    body = json.dumps(payload(digest(email)), ensure_ascii=False).encode("utf-8")
    post_json(
        info.url, body, headers={}, timeout=timeout_of(info.extra, what), scrubber=scrubber,
        what=what,
    )  # fmt: skip
    return Delivery("teams", conn_id)
