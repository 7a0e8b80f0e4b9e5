"""One JSON POST to a webhook, for the channels without an Airflow provider (Teams, webhook).

httpx (already a dependency of Airflow) with a timeout and no redirects: a webhook URL
that redirects is misconfigured, and following it could hand the payload to another host.
A 2xx answer is delivered; anything else, or no answer, is a
:class:`~pipeline.errors.DeliveryError` (retried by the next run) whose text is scrubbed of
the URL and the secrets.

A post that got no answer after it was sent (a read timeout, a dropped connection) may have
reached the receiver, and neither Teams nor Slack incoming webhooks take an idempotency key
or can be asked what they got, so the retry may post it twice: delivery to them is at least
once. Such a failure says so (:data:`MAY_HAVE_ARRIVED`) in the error the ledgers store and
in a warning, and the alert ledger warns again when it retries it. A post that never
connected cannot have arrived and says nothing of the kind.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import httpx

from pipeline.errors import DeliveryError
from pipeline.notify.channels.scrub import Scrubber
from pipeline.notify.mailer import MAY_HAVE_ARRIVED

#: Seconds a chat or webhook post may take. Slack, Teams and incident tools answer in well
#: under a second; 10 s leaves room for a slow network without a stuck receiver holding the
#: warehouse pool's one slot for long. A Connection's ``timeout`` extra overrides it.
CHAT_TIMEOUT_S = 10.0
#: Characters of a failed answer's body kept in the error (enough for the reason).
_BODY_CHARS = 200
#: Failures before anything was sent: the receiver cannot have the post.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

log = logging.getLogger(__name__)


def no_answer(what: str, detail: str) -> str:
    """The error of a post sent without an answer, and a warning in the log."""
    log.warning("%s: no answer after the post was sent (%s): %s", what, detail, MAY_HAVE_ARRIVED)
    return f"{what}: no answer ({detail}); {MAY_HAVE_ARRIVED}"


def timeout_of(extra: Mapping[str, object], what: str) -> float:
    """The Connection's ``timeout`` extra in seconds, else :data:`CHAT_TIMEOUT_S`."""
    raw = extra.get("timeout")
    if raw is None:
        return CHAT_TIMEOUT_S
    try:
        value = float(str(raw))
    except ValueError:
        raise DeliveryError(f"{what}: extra.timeout is not a number") from None
    if not 0 < value <= 300:
        raise DeliveryError(f"{what}: extra.timeout must be 0 to 300 seconds")
    return value


def post_json(
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str],
    timeout: float,
    scrubber: Scrubber,
    what: str,
) -> int:
    """POST ``body`` (JSON bytes) to ``url``; the status code of a 2xx answer."""
    try:
        response = httpx.post(
            url,
            content=body,
            headers={"Content-Type": "application/json; charset=utf-8", **headers},
            timeout=timeout,
            follow_redirects=False,
        )
    except _NOT_SENT as exc:
        detail = scrubber.scrub(f"{type(exc).__name__}: {exc}")
        raise DeliveryError(f"{what}: not sent ({detail})") from None
    except httpx.HTTPError as exc:
        detail = scrubber.scrub(f"{type(exc).__name__}: {exc}")
        raise DeliveryError(no_answer(what, detail)) from None
    if not 200 <= response.status_code < 300:
        text = " ".join(response.text[:_BODY_CHARS].split())
        raise DeliveryError(
            f"{what} answered {response.status_code}: {scrubber.scrub(text) or '(empty body)'}"
        )
    return response.status_code
