"""X (Twitter) as a post source: the API v2 recent search, through tweepy's ``Client``.

A brand's terms, exclusions and languages become one search query (:func:`build_query`);
:meth:`XSource.fetch_page` asks ``GET /2/tweets/search/recent`` for one page of the tweets
created in ``[start, end)`` and hands back one raw record per tweet, exactly as X sent it::

    {"tweet": {...the tweet object...}, "author": {...its author from includes.users...} | null}

Options (``sources.x`` in the brands file)::

    sources:
      x:
        page_size: 100          # max_results per request, 10..100 (X's bounds)
        include_reposts: false  # true drops the -is:retweet filter

The credential is an app-only bearer token (Airflow Connection ``x_api``, password field, or
``BRANDPULSE_X_BEARER_TOKEN``); it never appears in a message or a log line, tweepy's own
debug log included (see :class:`_RedactBearer` and :mod:`pipeline.secrets`). A token that
an HTTP header cannot carry (a line break, a space, a non-ASCII character) is refused
before any request, with a message that does not show it.

Failures map onto the source contract of :mod:`pipeline.ingest.sources.base`: a 429 is a
:class:`~pipeline.errors.RateLimitedError` carrying X's reset time, 5xx / network trouble /
an unreadable body a :class:`~pipeline.errors.TransientSourceError`, 401/403 a
:class:`~pipeline.errors.SourceAuthError` and 400 (X rejected the query) a
:class:`~pipeline.errors.ConfigError`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import requests
import tweepy  # type: ignore[import-untyped]  # tweepy ships no type hints
from requests.adapters import HTTPAdapter

from pipeline.config.model import BrandConfig
from pipeline.errors import (
    ConfigError,
    RateLimitedError,
    SourceAuthError,
    SourceError,
    TransientSourceError,
)
from pipeline.ingest.sources import fields
from pipeline.ingest.sources.base import Page
from pipeline.ingest.sources.http import epoch_seconds
from pipeline.posts.model import Post, RawRecord
from pipeline.secrets import SecretLookup, SecretSpec, check, redact, remember, resolve

log = logging.getLogger(__name__)

X_TOKEN = SecretSpec(
    connection_id="x_api",
    env_var="BRANDPULSE_X_BEARER_TOKEN",
    what="X API bearer token",
    carrier="header",
)

# --------------------------------------------------------------------------------------
# X's documented limits (X API v2 docs, "GET /2/tweets/search/recent" and "Rate limits")
# --------------------------------------------------------------------------------------

#: ``max_results`` must be between 10 and 100 per request.
MIN_PAGE_SIZE: Final = 10
MAX_PAGE_SIZE: Final = 100
#: The largest page: fewest requests against the per-window request cap.
DEFAULT_PAGE_SIZE: Final = MAX_PAGE_SIZE
#: Recent search accepts queries up to 512 characters (self-serve access levels).
MAX_QUERY_CHARS: Final = 512
#: X counts requests in 15-minute windows; a 429 without a reset header means "up to this".
RATE_LIMIT_WINDOW: Final = timedelta(minutes=15)
#: X's ``lang`` when it could not tell the language ("undetermined"); stored as unknown.
UNDETERMINED_LANG: Final = "und"

#: Ours: X answers a search page in well under a second; 30 s means a stuck connection.
DEFAULT_TIMEOUT_S: Final = 30.0

#: tweepy 4.17 hard-codes ``https://api.twitter.com`` in ``BaseClient.request``; X's new
#: name is mounted too, so a tweepy release that switches hosts keeps our adapter.
TWEEPY_HOSTS: Final = ("https://api.twitter.com/", "https://api.x.com/")

EXPANSIONS: Final = ("author_id", "referenced_tweets.id", "referenced_tweets.id.author_id")
TWEET_FIELDS: Final = (
    "created_at", "lang", "conversation_id", "in_reply_to_user_id", "referenced_tweets",
    "author_id", "public_metrics",
)  # fmt: skip
USER_FIELDS: Final = ("username", "public_metrics")

#: A term X takes bare: one word, or an @handle / #hashtag. Anything else is quoted.
_BARE_TERM = re.compile(r"^[@#]?\w+$")
#: Words X reads as operators when bare.
_RESERVED_WORDS = frozenset({"OR", "AND"})
_LANG = re.compile(r"^[a-z]{2,3}$")
_BEARER = re.compile(r"(Bearer\s+)[^\s'\",}]+")

_NETWORK_ERRORS: Final = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class _RedactBearer(logging.Filter):
    """Masks ``Bearer <token>`` in records: tweepy logs its request headers at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Bearer" in message:
            record.msg, record.args = _BEARER.sub(r"\1***", message), ()
        return True


def _install_log_redaction() -> None:
    tweepy_log = logging.getLogger("tweepy.client")
    if not any(isinstance(f, _RedactBearer) for f in tweepy_log.filters):
        tweepy_log.addFilter(_RedactBearer())


class _XAdapter(HTTPAdapter):
    """Puts a timeout on every request (tweepy sets none) and, for tests, a different host.

    With ``api_base`` (a fake X on loopback), ``https://api.twitter.com/2/...`` is sent to
    ``<api_base>/2/...``; tweepy's own code, headers and error handling run unchanged.
    """

    def __init__(self, timeout_s: float, api_base: str | None) -> None:
        super().__init__(max_retries=0)  # retrying is land_paged's job, with backoff
        self.timeout_s = timeout_s
        self.api_base = api_base.rstrip("/") if api_base else None

    def send(  # noqa: PLR0917 - the signature of requests.adapters.HTTPAdapter.send
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        if self.api_base is not None:
            request.url = self.api_base + request.path_url
            proxies = requests.utils.get_environ_proxies(request.url)
        return super().send(
            request,
            stream=stream,
            timeout=self.timeout_s if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


#: Environment variable that sends X API calls to another base URL (a corporate proxy, or a
#: fake X on loopback in the end-to-end tests) instead of tweepy's hard-coded host.
X_API_BASE_ENV = "BRANDPULSE_X_API_BASE"


def check_options(brand: BrandConfig, options: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming brand and field when the X options are wrong."""
    _options(brand, options)
    build_query(brand, options)


def create(secrets: SecretLookup | None = None) -> XSource:
    """The registry's factory (:mod:`~pipeline.ingest.sources.registry`); resolves the token."""
    return XSource(resolve(X_TOKEN, secrets), api_base=os.environ.get(X_API_BASE_ENV) or None)


def _fail(brand: BrandConfig, field: str, problem: str) -> ConfigError:
    return ConfigError(f"brand '{brand.id}', field '{field}': {problem}")


#: Options a brand's ``sources.x`` may set; anything else is a typo and fails at load.
KNOWN_OPTIONS = ("enabled", "lag_minutes", "page_size", "include_reposts")


def _options(brand: BrandConfig, options: Mapping[str, Any]) -> tuple[int, bool]:
    """``(page_size, include_reposts)`` from a brand's ``sources.x`` options."""
    fields.reject_unknown(options, KNOWN_OPTIONS, fields.option_error(brand, "x"))
    page_size = options.get("page_size", DEFAULT_PAGE_SIZE)
    if (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not MIN_PAGE_SIZE <= page_size <= MAX_PAGE_SIZE
    ):
        raise _fail(
            brand,
            "sources.x.page_size",
            f"must be an integer {MIN_PAGE_SIZE}..{MAX_PAGE_SIZE} (X's bounds), got {page_size!r}",
        )
    include_reposts = options.get("include_reposts", False)
    if not isinstance(include_reposts, bool):
        raise _fail(
            brand, "sources.x.include_reposts", f"must be true or false, got {include_reposts!r}"
        )
    return page_size, include_reposts


def _term(brand: BrandConfig, field: str, term: str, *, bare_ok: bool) -> str:
    text = " ".join(term.split())
    if not text:
        raise _fail(brand, field, "has an empty entry")
    if '"' in text:
        raise _fail(brand, field, f"{term!r}: X's query syntax cannot search for a double quote")
    if bare_ok and _BARE_TERM.match(text) and text not in _RESERVED_WORDS:
        return text
    return f'"{text}"'


def _any_of(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def build_query(brand: BrandConfig, options: Mapping[str, Any]) -> str:
    """The X search query for ``brand``: any term, no exclusion, the brand's languages.

    For example ``("Pebble Mobile" OR @PebbleMobile) -"pebble beach" -is:retweet
    (lang:en OR lang:es)``. Raises :class:`ConfigError` when X would refuse it.
    """
    _, include_reposts = _options(brand, options)
    terms: list[str] = []
    seen: set[str] = set()
    for raw in brand.terms:
        term = _term(brand, "terms", raw, bare_ok=True)
        if term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    if not terms:
        raise _fail(brand, "terms", "X needs at least one term to search for")
    parts = [_any_of(terms)]
    parts += ["-" + _term(brand, "exclude", raw, bare_ok=False) for raw in brand.exclude]
    if not include_reposts:
        parts.append("-is:retweet")
    langs = list(dict.fromkeys(brand.languages))
    for lang in langs:
        if not _LANG.match(lang):
            raise _fail(brand, "languages", f"{lang!r} is not an ISO 639 code X knows")
    if langs:
        parts.append(_any_of([f"lang:{lang}" for lang in langs]))
    query = " ".join(parts)
    if len(query) > MAX_QUERY_CHARS:
        raise _fail(
            brand,
            "sources.x",
            f"the X search query built from terms, exclude and languages is {len(query)} "
            f"characters; X recent search allows {MAX_QUERY_CHARS}: use fewer or shorter "
            "terms or exclusions",
        )
    return query


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name}: must be a timezone-aware datetime, got {value!r}")
    return value


class XSource:
    """Posts about a brand from X's recent search (the last 7 days); see the module docs."""

    name = "x"

    def __init__(
        self,
        bearer_token: str,
        *,
        api_base: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        if not bearer_token or not bearer_token.strip():
            raise SourceAuthError(
                f"empty {X_TOKEN.what}: set the Airflow Connection `{X_TOKEN.connection_id}` "
                f"(password field) or the environment variable {X_TOKEN.env_var}"
            )
        if timeout_s <= 0:
            raise ValueError(f"timeout_s: must be positive, got {timeout_s!r}")
        self._token = bearer_token.strip()
        remember(self._token)
        # tweepy puts it in a header; requests would refuse a malformed one in an error
        # message that shows it.
        check(X_TOKEN, self._token)
        _install_log_redaction()
        self._client: Any = tweepy.Client(
            bearer_token=self._token, return_type=requests.Response, wait_on_rate_limit=False
        )
        adapter = _XAdapter(timeout_s, api_base)
        for prefix in TWEEPY_HOSTS:
            self._client.session.mount(prefix, adapter)

    def __repr__(self) -> str:
        return "XSource(bearer_token=***)"

    def _clean(self, text: object) -> str:
        """An error text safe to show: the token masked, on one line."""
        return redact(str(text), self._token).replace("\n", "; ")

    def fetch_page(
        self,
        brand: BrandConfig,
        start: datetime,
        end: datetime,
        options: Mapping[str, Any],
        cursor: str | None,
    ) -> Page:
        """One page of recent-search results for ``brand`` in ``[start, end)``, newest first."""
        page_size, _ = _options(brand, options)
        query = build_query(brand, options)
        response = self._search(
            brand,
            query=query,
            start_time=_aware(start, "start"),
            end_time=_aware(end, "end"),
            max_results=page_size,
            next_token=cursor,
            expansions=list(EXPANSIONS),
            tweet_fields=list(TWEET_FIELDS),
            user_fields=list(USER_FIELDS),
        )
        body = self._body(response)
        data, users, meta = _parts(body)
        records: list[RawRecord] = [
            {
                "tweet": tweet,
                "author": users.get(str(tweet.get("author_id")))
                if isinstance(tweet, dict)
                else None,
            }
            for tweet in data
        ]
        next_token = meta.get("next_token")
        if next_token is not None and (not isinstance(next_token, str) or not next_token):
            raise TransientSourceError(f"X: meta.next_token is not a string: {next_token!r}")
        if next_token is not None and next_token == cursor:
            raise SourceError(f"X returned the page's own next_token {cursor!r}; stopping a loop")
        result_count = meta.get("result_count")
        if result_count != len(data):
            log.warning(
                "x: meta.result_count %r but %d tweets on the page", result_count, len(data)
            )
        if body.get("errors"):
            log.info("x: %d partial errors on the page (e.g. deleted referenced tweets)",
                     len(body["errors"]))  # fmt: skip
        remaining = response.headers.get("x-rate-limit-remaining")
        info = {
            "result_count": result_count,
            "rate_limit_remaining": int(remaining) if str(remaining).isdigit() else None,
        }
        log.debug("x/%s: page of %d tweets, next_token %s", brand.id, len(records), next_token)
        return Page(records=records, next_cursor=next_token, info=info)

    def _search(self, brand: BrandConfig, **params: Any) -> Any:
        """``client.search_recent_tweets`` with its failures mapped onto ours."""
        query = params.pop("query")
        try:
            return self._client.search_recent_tweets(query, **params)
        except tweepy.TooManyRequests as exc:
            reset_at = epoch_seconds(exc.reset_time) if exc.reset_time is not None else None
            when = reset_at.isoformat() if reset_at else f"within {RATE_LIMIT_WINDOW}"
            raise RateLimitedError(
                f"X rate limit reached for recent search; the window resets {when}",
                reset_at=reset_at,
            ) from None
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            raise SourceAuthError(
                f"X refused the {X_TOKEN.what} ({self._clean(exc)}): check the Airflow "
                f"Connection `{X_TOKEN.connection_id}` (password field) or the environment "
                f"variable {X_TOKEN.env_var}, and that the X project may use recent search"
            ) from None
        except tweepy.BadRequest as exc:
            raise _fail(
                brand, "sources.x", f"X rejected the search request ({self._clean(exc)})"
            ) from None
        except tweepy.TwitterServerError as exc:
            raise TransientSourceError(f"X server error: {self._clean(exc)}") from None
        except tweepy.HTTPException as exc:
            raise SourceError(f"X answered unexpectedly: {self._clean(exc)}") from None
        except _NETWORK_ERRORS as exc:
            raise TransientSourceError(
                f"X request failed: {type(exc).__name__}: {self._clean(exc)}"
            ) from None

    def _body(self, response: Any) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as exc:  # requests' JSONDecodeError is a ValueError
            raise TransientSourceError(
                f"X answered {response.status_code} with a body that is not JSON "
                f"({len(response.content)} bytes, truncated?): {exc}"
            ) from None
        if not isinstance(body, dict):
            raise TransientSourceError(f"X answered a JSON {type(body).__name__}, not an object")
        return body

    @staticmethod
    def to_post(raw: RawRecord, brand: BrandConfig) -> Post:
        """A :class:`Post` from one raw record; ``ValueError("<field>: <why>")`` if malformed."""
        fields.as_mapping(raw, "record")
        tweet = fields.as_mapping(raw.get("tweet"), "tweet")
        post_id = fields.string(tweet, "id", "tweet.id")
        if not post_id.isdigit():
            raise ValueError(f"tweet.id: must be a numeric string, got {post_id!r}")
        author_id = fields.string(tweet, "author_id", "tweet.author_id")
        author = fields.as_optional_mapping(raw.get("author"), "author")
        handle, followers = author_id, 0
        if author is not None:
            if fields.string(author, "id", "author.id") != author_id:
                raise ValueError(
                    f"author.id: {author['id']!r} is not tweet.author_id {author_id!r}"
                )
            handle = fields.string(author, "username", "author.username")
            followers = _followers(author)
        lang = fields.optional_string(tweet, "lang", "tweet.lang", none="absent")
        replied_to, reposted = _references(tweet)
        return Post(
            source=XSource.name,
            post_id=post_id,
            brand=brand.id,
            created_at=fields.timestamp(tweet.get("created_at"), "tweet.created_at"),
            author_id=author_id,
            author_handle=handle,
            author_followers=followers,
            text=fields.string(tweet, "text", "tweet.text"),
            lang=None if lang == UNDETERMINED_LANG else lang,
            # x.com/i/status/<id> opens a tweet whose author's handle is unknown.
            url=f"https://x.com/{handle if author is not None else 'i'}/status/{post_id}",
            conversation_id=fields.optional_string(
                tweet, "conversation_id", "tweet.conversation_id", none="absent"
            ),
            in_reply_to_post_id=replied_to,
            in_reply_to_author_id=fields.optional_string(
                tweet, "in_reply_to_user_id", "tweet.in_reply_to_user_id", none="absent"
            ),
            repost_of=reposted,
            is_brand_reply=author is not None and handle.casefold() in brand.account_handles,
        )


def _parts(body: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any], Mapping[str, Any]]:
    """``(data, users by id, meta)`` of a search answer; a wrong shape is transient."""
    data = body.get("data", [])
    includes = body.get("includes", {})
    meta = body.get("meta")
    if not isinstance(data, list):
        raise TransientSourceError(f"X answer: data is a {type(data).__name__}, not a list")
    if not isinstance(includes, dict) or not isinstance(includes.get("users", []), list):
        raise TransientSourceError("X answer: includes.users is not a list")
    if not isinstance(meta, dict):
        raise TransientSourceError("X answer: meta is missing (truncated answer?)")
    users = {
        u["id"]: u
        for u in includes.get("users", [])
        if isinstance(u, dict) and isinstance(u.get("id"), str)
    }
    return data, users, meta


def _followers(author: Mapping[str, Any]) -> int:
    metrics = author.get("public_metrics")
    if metrics is None:
        return 0
    if not isinstance(metrics, Mapping):
        raise ValueError(f"author.public_metrics: expected a mapping, got {metrics!r}")
    return fields.non_negative_int(
        metrics.get("followers_count", 0), "author.public_metrics.followers_count"
    )


def _references(tweet: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(replied-to id, retweeted id)`` from ``referenced_tweets``."""
    refs = tweet.get("referenced_tweets")
    if refs is None:
        return None, None
    if not isinstance(refs, list):
        raise ValueError(f"tweet.referenced_tweets: expected a list, got {type(refs).__name__}")
    found: dict[str, str] = {}
    for i, ref in enumerate(refs):
        if not isinstance(ref, Mapping):
            raise ValueError(f"tweet.referenced_tweets[{i}]: expected a mapping, got {ref!r}")
        kind = fields.string(ref, "type", f"tweet.referenced_tweets[{i}].type")
        found.setdefault(kind, fields.string(ref, "id", f"tweet.referenced_tweets[{i}].id"))
    return found.get("replied_to"), found.get("retweeted")


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "MAX_QUERY_CHARS",
    "MIN_PAGE_SIZE",
    "X_TOKEN",
    "XSource",
    "build_query",
    "create",
]


#: Landed records are parsed without credentials (the load task needs no token).
to_post = XSource.to_post
