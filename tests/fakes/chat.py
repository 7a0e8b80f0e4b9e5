"""Fake Slack, Microsoft Teams and generic webhook receivers: real HTTP on 127.0.0.1
(:mod:`tests.fakes.server`), each checking the payload format its service documents and
answering as the service does.

- Slack incoming webhook: a JSON body with ``text`` (a string) and ``blocks`` (Block Kit:
  ``header``/``section``/``actions``, each block's text a ``plain_text`` or ``mrkdwn`` text
  object); answers 200 ``ok``, or 400 ``invalid_payload`` as Slack does.
- Teams Workflows webhook: a ``message`` with one attachment of content type
  ``application/vnd.microsoft.card.adaptive`` whose content is an ``AdaptiveCard`` with a
  ``version`` and a ``body`` of ``TextBlock``/``FactSet`` elements; answers 202 (empty), or
  400.
- Generic webhook: a ``brandpulse.notification/1`` document; with a secret, the
  ``X-Brandpulse-Signature`` must be the HMAC-SHA256 of the body (else 401); answers 200.

Every accepted payload is kept in ``received``; :class:`~tests.fakes.server.Fault` scripts
failures (``Fault.status(500)``, ``Fault.slow(5)``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from tests.fakes.server import FakeAPI, Request, Response

SLACK_PATH = "/services/T0000/B0000/XXXXSECRETTOKEN"
TEAMS_PATH = "/workflows/1234/triggers/manual/paths/invoke"
WEBHOOK_PATH = "/hooks/brandpulse"


class _Receiver(FakeAPI):
    path = "/"

    def __init__(self) -> None:
        super().__init__()
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []

    def problems(self, body: Any, request: Request) -> list[str]:  # pragma: no cover
        raise NotImplementedError

    def accepted(self) -> Response:  # pragma: no cover
        raise NotImplementedError

    def rejected(self, problems: list[str]) -> Response:
        return Response(400, {"error": problems})

    def handle(self, request: Request) -> Response:
        if request.method != "POST" or request.path != self.path:
            return Response(404, b"no_service")
        try:
            body = json.loads(request.body)
        except ValueError:
            return self.rejected(["not JSON"])
        problems = self.problems(body, request)
        if problems:
            return self.rejected(problems)
        self.received.append(body)
        self.headers.append(request.headers)
        return self.accepted()


def _text_object(obj: Any, where: str) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in {"plain_text", "mrkdwn"}:
        return [f"{where}: not a text object"]
    if not isinstance(obj.get("text"), str) or not obj["text"]:
        return [f"{where}.text: empty"]
    return []


class FakeSlack(_Receiver):
    path = SLACK_PATH

    def problems(self, body: Any, request: Request) -> list[str]:
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return ["text: missing"]
        found: list[str] = []
        blocks = body.get("blocks", [])
        if not isinstance(blocks, list) or len(blocks) > 50:
            return ["blocks: not a list of at most 50"]
        for i, block in enumerate(blocks):
            kind = block.get("type")
            if kind == "header":
                found += _text_object(block.get("text"), f"blocks[{i}].text")
                if block["text"].get("type") != "plain_text" or len(block["text"]["text"]) > 150:
                    found.append(f"blocks[{i}]: a header is plain_text, 150 characters at most")
            elif kind == "section":
                if "text" in block:
                    found += _text_object(block["text"], f"blocks[{i}].text")
                for j, fld in enumerate(block.get("fields", [])):
                    found += _text_object(fld, f"blocks[{i}].fields[{j}]")
                if len(block.get("fields", [])) > 10:
                    found.append(f"blocks[{i}].fields: at most 10")
            elif kind == "actions":
                for element in block.get("elements", []):
                    if element.get("type") != "button" or not element.get("url"):
                        found.append(f"blocks[{i}]: a button with a url")
            else:
                found.append(f"blocks[{i}].type: {kind!r}")
        return found

    def accepted(self) -> Response:
        return Response(200, b"ok")

    def rejected(self, problems: list[str]) -> Response:
        return Response(400, b"invalid_payload")


ADAPTIVE = "application/vnd.microsoft.card.adaptive"


class FakeTeams(_Receiver):
    path = TEAMS_PATH

    def problems(self, body: Any, request: Request) -> list[str]:
        if not isinstance(body, dict) or body.get("type") != "message":
            return ["type: must be message"]
        attachments = body.get("attachments")
        if not isinstance(attachments, list) or len(attachments) != 1:
            return ["attachments: one adaptive card"]
        attachment = attachments[0]
        if attachment.get("contentType") != ADAPTIVE:
            return ["attachments[0].contentType"]
        card = attachment.get("content") or {}
        found = []
        if card.get("type") != "AdaptiveCard" or not card.get("version"):
            found.append("content: an AdaptiveCard with a version")
        if not card.get("$schema", "").startswith("http://adaptivecards.io/schemas/"):
            found.append("content.$schema")
        for i, element in enumerate(card.get("body") or [None]):
            kind = (element or {}).get("type")
            if kind == "TextBlock" and not isinstance(element.get("text"), str):
                found.append(f"body[{i}].text")
            elif kind == "FactSet":
                if not all({"title", "value"} <= set(f) for f in element.get("facts", [])):
                    found.append(f"body[{i}].facts: title and value")
            elif kind not in {"TextBlock", "FactSet"}:
                found.append(f"body[{i}].type: {kind!r}")
        for action in card.get("actions", []):
            if action.get("type") != "Action.OpenUrl" or not action.get("url"):
                found.append("actions: Action.OpenUrl with a url")
        return found

    def accepted(self) -> Response:
        return Response(202, b"")


class FakeWebhook(_Receiver):
    path = WEBHOOK_PATH

    def __init__(self, secret: str | None = None) -> None:
        super().__init__()
        self.secret = secret

    def problems(self, body: Any, request: Request) -> list[str]:
        if not isinstance(body, dict) or body.get("schema") != "brandpulse.notification/1":
            return ["schema"]
        missing = [k for k in ("event", "key", "title", "headline", "facts", "text")
                   if k not in body]  # fmt: skip
        if missing:
            return [f"missing {missing}"]
        if request.headers.get("x-brandpulse-key") != body["key"]:
            return ["X-Brandpulse-Key"]
        return []

    def handle(self, request: Request) -> Response:
        if self.secret is not None:
            expected = (
                "sha256=" + hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
            )
            given = request.headers.get("x-brandpulse-signature", "")
            if not hmac.compare_digest(expected, given):
                return Response(401, {"error": "bad signature"})
        return super().handle(request)

    def accepted(self) -> Response:
        return Response(200, {"status": "accepted"})


def webhook_connection(url: str, **extra: Any) -> str:
    """A Connection (JSON, for ``AIRFLOW_CONN_<ID>``) holding ``url`` in its password field."""
    return json.dumps({"conn_type": "http", "password": url, "extra": extra})
