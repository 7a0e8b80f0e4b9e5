"""HTTP plumbing shared by the JSON-over-HTTP sources (Bluesky, Mastodon).

One :class:`JsonHttp` per source instance holds one ``requests`` session and turns every
way a request can go wrong into the project's error hierarchy, the same way for every
provider:

==========================================  ===============================================
what happened                               raised
==========================================  ===============================================
timeout, connection refused/reset,          :class:`~pipeline.errors.TransientSourceError`
truncated or malformed JSON, 408, 5xx       (retried with backoff by ``land_paged``)
429                                         :class:`~pipeline.errors.RateLimitedError`
                                            with the provider's reset time
401, 403                                    :class:`~pipeline.errors.SourceAuthError`
404                                         :class:`~pipeline.errors.ConfigError` (a wrong
                                            base URL or path: retrying will not help)
any other 4xx                               :class:`~pipeline.errors.ConfigError` with the
                                            provider's own message
==========================================  ===============================================

Messages name the method, the path and the provider's error; every secret passed to
:meth:`JsonHttp.request` is redacted from them, and a bearer token that an HTTP header
cannot carry is refused before sending (:func:`pipeline.secrets.header_value`). Secrets
travel in headers or bodies only, never in URLs, so neither ``requests``' nor
``urllib3``'s logs can show them.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlsplit

import requests

from pipeline.errors import ConfigError, RateLimitedError, SourceAuthError, TransientSourceError
from pipeline.secrets import header_value, redact

log = logging.getLogger(__name__)

#: Sent with every request: providers ask API clients to identify themselves (Mastodon's
#: and Bluesky's API guidelines both rate-limit anonymous scrapers harder).
USER_AGENT = "brandpulse/0.1 (brand-sentiment monitoring; python-requests)"

#: How much of a provider's error message goes into ours: enough for "InvalidRequest:
#: Error: limit must be <= 100", short enough to keep a log line a line.
MAX_ERROR_DETAIL_CHARS = 200

#: Statuses worth repeating (RFC 9110: 408 Request Timeout; 5xx: the server's fault).
_RETRYABLE_4XX = frozenset({408})
_SERVER_ERROR = 500


def epoch_seconds(value: str | float) -> datetime | None:
    """A reset time in epoch seconds (Bluesky's ``ratelimit-reset``, X's), or None if garbled."""
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def iso_8601(value: str) -> datetime | None:
    """A reset header as an ISO 8601 time (Mastodon's ``X-RateLimit-Reset``), or None."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class RateLimitHeaders:
    """The names of a provider's rate-limit headers and how its reset header reads."""

    limit: str
    remaining: str
    reset: str
    parse_reset: Callable[[str], datetime | None]


@dataclass(frozen=True)
class ErrorHelp:
    """What to tell the user when a request is refused (401/403) or not found (404)."""

    auth: str
    not_found: str
    #: Any other 4xx (400, 422, ...): what the provider's refusal usually means.
    other: str = "the provider rejected the request as asked"


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: its parsed JSON body (2xx) or the provider's error (otherwise)."""

    method: str
    path: str
    status: int
    data: Any
    headers: Mapping[str, str]
    #: ``Link`` header relations, e.g. ``{"next": "https://…?max_id=…"}``.
    links: Mapping[str, str] = field(default_factory=dict)
    #: The provider's error name (``InvalidRequest``, ``ExpiredToken``) for non-2xx replies.
    error: str | None = None
    #: The provider's error message, redacted and shortened.
    detail: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        """``HTTP 400 (InvalidRequest: limit too large)`` for messages."""
        said = ": ".join(p for p in (self.error, self.detail) if p)
        return f"HTTP {self.status}" + (f" ({said})" if said else "")


def query_param(url: str, name: str) -> str | None:
    """The first value of the query parameter ``name`` in ``url`` (e.g. a Link's max_id)."""
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None


def split_cursor(
    cursor: str | None, count: int, *, source: str, brand_id: str, what: str
) -> tuple[int, str]:
    """``(index, provider cursor)`` of a ``"<index>:<provider cursor>"`` checkpoint cursor.

    ``index`` picks one of ``count`` searches (terms, hashtags), ``what`` names them for the
    error raised when the cursor does not fit them (``"brand's 3 search terms"``).
    """
    if cursor is None:
        return 0, ""
    index, sep, provider = cursor.partition(":")
    if not sep or not index.isdigit() or int(index) >= count:
        raise ConfigError(
            f"{source}: brand '{brand_id}': checkpoint cursor {cursor!r} does not match the "
            f"{what} (were they edited mid-fetch? delete the checkpoint file to start the "
            "interval again)"
        )
    return int(index), provider


def _retry_after(value: str | None, clock: Callable[[], float]) -> datetime | None:
    """RFC 9110 ``Retry-After``: delay seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return datetime.fromtimestamp(clock() + int(value.strip()), tz=UTC)
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


class JsonHttp:
    """JSON requests to one provider, with its errors mapped to the project's hierarchy."""

    def __init__(
        self,
        source: str,
        *,
        timeout_s: float,
        rate_limit: RateLimitHeaders,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.timeout_s = timeout_s
        self.rate_limit = rate_limit
        self.clock = clock
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        hints: ErrorHelp,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        bearer: str | None = None,
        secrets: Sequence[str] = (),
        passthrough: Collection[int] = (),
    ) -> Reply:
        """Send one request and return its reply; raise the mapped error on failure.

        Non-2xx statuses in ``passthrough`` are returned (``reply.ok`` is False) instead of
        raised, for callers that can repair them (an expired session); they call
        :meth:`fail` if they cannot.
        """
        secrets = (*secrets, bearer) if bearer else tuple(secrets)
        path = urlsplit(url).path or "/"
        if bearer:  # requests would refuse a malformed one in a message that shows it
            header_value(self.source, "access token", bearer)
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json_body,
                headers=headers,
                timeout=self.timeout_s,
            )
            body = response.content  # read it all here: a cut-off body raises here
        except (
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidURL,
        ) as exc:
            raise ConfigError(
                f"{self.source}: invalid API URL {url!r}: {redact(str(exc), *secrets)}"
            ) from None
        except requests.exceptions.Timeout:
            raise TransientSourceError(
                f"{self.source}: {method} {path}: no answer within {self.timeout_s:g} s"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise TransientSourceError(
                f"{self.source}: {method} {path}: {type(exc).__name__}: "
                f"{redact(str(exc), *secrets)[:MAX_ERROR_DETAIL_CHARS]}"
            ) from None

        status = int(response.status_code)
        resp_headers: Mapping[str, str] = response.headers
        links = {
            str(rel): str(link["url"])
            for rel, link in (response.links or {}).items()
            if isinstance(link, Mapping) and "url" in link
        }
        log.debug(
            "%s: %s %s -> %d (rate limit remaining %s)",
            self.source, method, path, status, resp_headers.get(self.rate_limit.remaining, "?"),
        )  # fmt: skip
        if 200 <= status < 300:
            try:
                data = response.json() if body else None
            except ValueError:
                raise TransientSourceError(
                    f"{self.source}: {method} {path}: HTTP {status} with a malformed or "
                    f"truncated JSON body ({len(body)} bytes)"
                ) from None
            return Reply(method, path, status, data, resp_headers, links)

        error, detail = _provider_error(response, secrets)
        reply = Reply(method, path, status, None, resp_headers, links, error, detail)
        if status in passthrough:
            return reply
        self.fail(reply, hints=hints)

    def fail(self, reply: Reply, *, hints: ErrorHelp) -> NoReturn:
        """Raise the error that ``reply`` (not 2xx) stands for."""
        where = f"{self.source}: {reply.method} {reply.path}: {reply.describe()}"
        status = reply.status
        if status == 429:
            reset_at = self.reset_at(reply.headers)
            when = reset_at.isoformat() if reset_at else "unknown"
            raise RateLimitedError(f"{where}; the window resets at {when}", reset_at)
        if status in (401, 403):
            raise SourceAuthError(f"{where}: {hints.auth}")
        if status == 404:
            raise ConfigError(f"{where}: {hints.not_found}")
        if status >= _SERVER_ERROR or status in _RETRYABLE_4XX:
            raise TransientSourceError(where)
        raise ConfigError(f"{where}: {hints.other}")

    def reset_at(self, headers: Mapping[str, str]) -> datetime | None:
        """When the rate-limit window resets: the provider's header, else ``Retry-After``."""
        value = headers.get(self.rate_limit.reset)
        parsed = self.rate_limit.parse_reset(value) if value else None
        return parsed or _retry_after(headers.get("Retry-After"), self.clock)

    def rate_info(self, reply: Reply) -> dict[str, str]:
        """The rate-limit headers of a reply, for :attr:`Page.info` and the task log."""
        names = {
            "ratelimit_limit": self.rate_limit.limit,
            "ratelimit_remaining": self.rate_limit.remaining,
            "ratelimit_reset": self.rate_limit.reset,
        }
        return {key: str(reply.headers[h]) for key, h in names.items() if h in reply.headers}


def _provider_error(response: requests.Response, secrets: Sequence[str]) -> tuple[str | None, str]:
    """The provider's error name and message from an error body (JSON or not)."""
    error: str | None = None
    detail = ""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, Mapping):
        # Bluesky: {"error": "InvalidRequest", "message": "…"}; Mastodon: {"error": "…",
        # "error_description": "…"}; gateways: {"title": "…"}.
        name, message = data.get("error"), data.get("message") or data.get("error_description")
        error = name if isinstance(name, str) and name else None
        if isinstance(message, str):
            detail = message
        elif error is None and isinstance(data.get("title"), str):
            detail = str(data["title"])
    elif response.text:
        detail = " ".join(str(response.text).split())
    detail = redact(detail, *secrets)[:MAX_ERROR_DETAIL_CHARS]
    return (redact(error, *secrets) if error else None), detail
