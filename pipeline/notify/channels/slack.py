"""Slack: an incoming webhook, through Airflow's Slack provider.

The Connection (type ``slackwebhook``) holds the webhook URL in its password field (or
the host ``https://hooks.slack.com/services`` and the token ``T000/B000/XXX`` as password);
:class:`~airflow.providers.slack.hooks.slack_webhook.SlackWebhookHook` posts with
``slack_sdk``. The message is Block Kit with a ``text`` fallback (what notifications and
screen readers show); all text is mrkdwn-escaped (:func:`~.digest.slack_escape`).
"""

from __future__ import annotations

from typing import Any

from pipeline.errors import DeliveryError
from pipeline.notify.channels.connections import get_connection
from pipeline.notify.channels.digest import Digest, digest, slack_escape
from pipeline.notify.channels.http import CHAT_TIMEOUT_S, no_answer
from pipeline.notify.channels.scrub import Scrubber
from pipeline.notify.mailer import Delivery, Email

#: Slack's limits: a header block's text, a section's text, a section's fields.
_HEADER_CHARS, _SECTION_CHARS, _MAX_FIELDS = 150, 3000, 10


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def payload(d: Digest) -> dict[str, Any]:
    """The webhook's JSON body: ``text`` (the fallback) and ``blocks``."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cap(d.title, _HEADER_CHARS)}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _cap(slack_escape(d.headline), _SECTION_CHARS)},
        },
    ]
    if d.facts:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{slack_escape(label)}*\n{slack_escape(value)}"}
                    for label, value in d.facts[:_MAX_FIELDS]
                ],
            }
        )
    for title, lines in d.sections:
        quoted = "\n".join(f">{slack_escape(line)}" for line in lines)
        text = f"*{slack_escape(title)}*\n{quoted}"
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _cap(text, _SECTION_CHARS)}}
        )
    if d.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open the report"},
                        "url": d.link,
                    }
                ],
            }
        )
    return {
        "text": slack_escape(f"{d.title}: {d.headline}"),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def send(email: Email, conn_id: str) -> Delivery:
    """Post ``email``'s digest to the Slack webhook of Connection ``conn_id``."""
    from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook

    what = f"Slack webhook ({conn_id})"
    info = get_connection(conn_id, "Slack webhook")
    scrubber = Scrubber().add_url(info.url).add(info.password)
    body = payload(digest(email))
    timeout = None if "timeout" in info.extra else int(CHAT_TIMEOUT_S)
    try:
        hook = SlackWebhookHook(slack_webhook_conn_id=conn_id, timeout=timeout)
        hook.send_dict(body)
    except TimeoutError as exc:  # sent, no answer in time: Slack may have posted it
        detail = scrubber.scrub(f"{type(exc).__name__}: {exc}")
        raise DeliveryError(no_answer(what, detail)) from None
    except Exception as exc:  # the provider raises slack_sdk, urllib and Airflow errors
        raise DeliveryError(f"{what}: {scrubber.scrub(f'{type(exc).__name__}: {exc}')}") from None
    return Delivery("slack", conn_id)
