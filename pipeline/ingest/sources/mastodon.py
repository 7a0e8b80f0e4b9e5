"""Mastodon: statuses carrying a brand's hashtags, from one instance's hashtag timelines.

Mastodon has no full-text search for anonymous clients, and a hashtag timeline has no time
filter: it is newest first by status id and pages backwards with ``max_id``. Status ids are
snowflakes of when a status *arrived* on the instance (milliseconds since the epoch << 16;
mastodon/mastodon#5260), not of when it was written: a remote server flushing a backlog
delivers old statuses with new ids, so no page of old statuses says the walk is over. So
per hashtag the walk is bounded by ids: pages of
``GET /api/v1/timelines/tag/{hashtag}?limit=&max_id=&since_id=`` from ``max_id`` =
snowflake(``end`` + :data:`ARRIVAL_MARGIN`) back to ``since_id`` =
snowflake(``start`` - :data:`ARRIVAL_MARGIN`) (the server bounds each page), until a page
is empty or its last id is at or below that lower bound. Of each page, the statuses created
in ``[start, end)`` are kept. A status written in the window that reached the instance
more than :data:`ARRIVAL_MARGIN` after ``end`` is not seen. The cursor is
``"<hashtag index>:<max_id>"`` (empty ``max_id``: the hashtag's first page).

Statuses whose text contains one of the brand's ``exclude`` phrases are dropped (the
timeline cannot exclude anything) and counted in the page's info.

Raw record (as landed): the ``Status`` entity exactly as the instance sent it
(docs.joinmastodon.org/entities/Status/); a boost is a Status whose ``reblog`` holds the
boosted Status.

Options (``sources.mastodon`` in the brands file)::

    instance: https://mastodon.social   # required: the instance whose timelines are read
    hashtags: [pebblemobile]            # default: the brand's terms starting with '#'
    page_size: 40                       # 1..40
    auth: true                          # send an access token (optional)

The token comes from the Airflow Connection ``mastodon_api`` or the environment variable
``BRANDPULSE_MASTODON_TOKEN``, and only when ``auth: true`` (instances that switched off
their public timelines' preview answer 401/422 to anonymous clients).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any, Final
from urllib.parse import quote

from pipeline.config.model import BrandConfig
from pipeline.errors import TransientSourceError
from pipeline.ingest.sources import fields
from pipeline.ingest.sources.base import Page
from pipeline.ingest.sources.http import (
    ErrorHelp,
    JsonHttp,
    RateLimitHeaders,
    iso_8601,
    query_param,
    split_cursor,
)
from pipeline.posts.model import Post, RawRecord
from pipeline.secrets import SecretLookup, SecretSpec, check, remember, resolve

log = logging.getLogger(__name__)

#: The hashtag timeline (docs.joinmastodon.org/methods/timelines/#tag).
TAG_TIMELINE: Final = "/api/v1/timelines/tag/{hashtag}"
#: Its ``limit``: default 20, at most 40 statuses (same page).
MAX_PAGE_SIZE: Final = 40
#: How far outside ``[start, end)`` a status in the window may have *arrived* (its id is a
#: snowflake of its arrival at the instance, not of its ``created_at``): federation delivers
#: remote statuses late (retries, a server coming back and flushing its queue), and a status
#: may arrive at the instance before its ``created_at`` by the authors' clock skew. Wider costs
#: a few more pages per hashtag; a status that arrives later than this is missed.
ARRIVAL_MARGIN: Final = timedelta(hours=1)
#: Default read/connect timeout for one request.
DEFAULT_TIMEOUT_S: Final = 30.0

#: Rate-limit headers; the reset is an ISO 8601 time (docs.joinmastodon.org/api/rate-limits/).
RATE_LIMIT: Final = RateLimitHeaders(
    "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", iso_8601
)

SECRET: Final = SecretSpec(
    connection_id="mastodon_api",
    env_var="BRANDPULSE_MASTODON_TOKEN",
    what="Mastodon access token",
    carrier="header",
)

_KNOWN_OPTIONS: Final = ("enabled", "lag_minutes", "instance", "hashtags", "page_size", "auth")
# Mastodon's hashtag names: letters, digits, underscores, and the middle dot / ZWNJ it
# allows inside them (app/models/tag.rb, HASHTAG_NAME_PAT).
_HASHTAG = re.compile(r"^[\w\u00b7\u200c]+$")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES_BEFORE_NEWLINE = re.compile(r"[ \t]+\n")


@dataclass(frozen=True)
class _Options:
    instance: str
    hashtags: tuple[str, ...]
    page_size: int
    auth: bool


def check_options(brand: BrandConfig, options: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming brand and field when the Mastodon options are wrong."""
    _options(brand, options)


def create(secrets: SecretLookup | None = None) -> MastodonSource:
    """The registry's factory: the token is read only when a brand says ``auth: true``."""
    return MastodonSource(secrets=secrets)


class MastodonSource:
    """Mastodon hashtag timelines; see the module docstring."""

    name = "mastodon"

    def __init__(
        self,
        *,
        access_token: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        secrets: SecretLookup | None = None,
    ) -> None:
        self._access_token = access_token
        self._secrets = secrets
        self._http = JsonHttp(self.name, timeout_s=timeout_s, rate_limit=RATE_LIMIT)

    # ----------------------------------------------------------------------------------
    # Fetching
    # ----------------------------------------------------------------------------------

    def fetch_page(
        self,
        brand: BrandConfig,
        start: datetime,
        end: datetime,
        options: Mapping[str, Any],
        cursor: str | None,
    ) -> Page:
        """One timeline page of one hashtag, keeping the statuses created in the interval."""
        opts = _options(brand, options)
        index, max_id = split_cursor(
            cursor,
            len(opts.hashtags),
            source=self.name,
            brand_id=brand.id,
            what=f"{len(opts.hashtags)} hashtags configured",
        )
        hashtag = opts.hashtags[index]
        token = self._token() if opts.auth else None
        lower = snowflake(start - ARRIVAL_MARGIN)
        params: dict[str, Any] = {
            "limit": opts.page_size,
            "max_id": max_id or snowflake(end + ARRIVAL_MARGIN),
            "since_id": lower,
        }
        path = TAG_TIMELINE.format(hashtag=quote(hashtag, safe=""))
        reply = self._http.request(
            "GET",
            opts.instance + path,
            hints=_hints(opts),
            params=params,
            bearer=token,
        )
        statuses = reply.data
        if not isinstance(statuses, list) or not all(isinstance(s, Mapping) for s in statuses):
            raise TransientSourceError(
                f"{self.name}: GET {path}: the answer is not a list of statuses"
            )

        records: list[RawRecord] = []
        older = newer = excluded = 0
        for status in statuses:
            created = _created(status)
            if created is not None and created < start:
                older += 1
            elif created is not None and created >= end:
                newer += 1
            elif _excluded(status, brand.exclude):
                excluded += 1
            else:
                # In the window, or a created_at the load will quarantine with its reason.
                records.append(dict(status))

        # Old statuses can arrive late (a backlog flushed by a remote server), so a page of
        # them says nothing about the rest: only the id bounds end the walk.
        next_max_id = _next_max_id(reply.links, statuses)
        next_cursor: str | None = None
        if (
            statuses
            and next_max_id
            and next_max_id != max_id
            and not _at_or_below(next_max_id, lower)
        ):
            next_cursor = f"{index}:{next_max_id}"
        elif index + 1 < len(opts.hashtags):
            next_cursor = f"{index + 1}:"
        info: dict[str, Any] = {
            "hashtag": hashtag,
            "statuses": len(statuses),
            "older": older,
            "newer": newer,
            **self._http.rate_info(reply),
        }
        if excluded:
            info["excluded"] = excluded
        return Page(records=records, next_cursor=next_cursor, info=info)

    def _token(self) -> str:
        """The access token, resolved on first use (one secrets lookup per source)."""
        if self._access_token is None:
            self._access_token = resolve(SECRET, self._secrets)
        remember(self._access_token)
        return check(SECRET, self._access_token)

    # ----------------------------------------------------------------------------------
    # Normalizing
    # ----------------------------------------------------------------------------------

    def to_post(self, raw: RawRecord, brand: BrandConfig) -> Post:
        """A :class:`Post` from one Status; ``ValueError("<field>: <why>")`` if malformed."""
        fields.as_mapping(raw, "record")
        status_id = fields.string(raw, "id")
        account = fields.as_mapping(raw.get("account"), "account")
        acct = fields.string(account, "acct", "account.acct")
        reblog = fields.as_optional_mapping(raw.get("reblog"), "reblog")
        shown = reblog if reblog is not None else raw  # a boost shows the boosted words
        content = shown.get("content")
        if not isinstance(content, str):
            where = "reblog.content" if reblog is not None else "content"
            raise ValueError(f"{where}: must be an HTML string, got {content!r}")
        in_reply_to = fields.optional_string(raw, "in_reply_to_id")
        created = _created(raw)
        if created is None:
            raise ValueError(
                f"created_at: missing or not an ISO 8601 time with a zone: "
                f"{raw.get('created_at')!r}"
            )
        return Post(
            source=self.name,
            post_id=status_id,
            brand=brand.id,
            created_at=created,
            author_id=fields.string(account, "id", "account.id"),
            author_handle=acct,
            author_followers=_followers(account),
            text=html_to_text(content),
            lang=fields.optional_string(raw, "language")
            or fields.optional_string(shown, "language"),
            url=fields.optional_string(raw, "url") or fields.optional_string(shown, "url"),
            conversation_id=in_reply_to or status_id,
            in_reply_to_post_id=in_reply_to,
            in_reply_to_author_id=fields.optional_string(raw, "in_reply_to_account_id"),
            repost_of=fields.string(reblog, "id", "reblog.id") if reblog is not None else None,
            is_brand_reply=_is_brand_account(acct, brand),
        )


# --------------------------------------------------------------------------------------
# HTML to text
# --------------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """Plain text of a status's HTML: paragraphs and ``<br>`` become line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped in handle_data
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """A status's ``content`` as plain text.

    ``<br>`` is a line break and a paragraph end a blank line; links become their visible
    text (Mastodon splits long URLs into invisible and ellipsis spans: their text joined is
    the whole URL; mentions and hashtags read ``@name`` and ``#tag``); entities are
    unescaped. HTML made only of the tags Mastodon writes (:data:`_SIMPLE_TAG`) is read
    by one regular expression; any other goes through :class:`html.parser.HTMLParser`,
    which gives the same text for the former (tests/sources/test_mastodon.py).
    """
    parts = _simple_parts(html)
    if parts is None:
        parts = parsed_parts(html)
    text = _SPACES_BEFORE_NEWLINE.sub("\n", "".join(parts))
    return _BLANK_LINES.sub("\n\n", text).strip()


def parsed_parts(html: str) -> list[str]:
    """:func:`html_to_text`'s pieces as :class:`html.parser.HTMLParser` reads the HTML."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.parts


#: The tags Mastodon writes in ``content`` (app/lib/text_formatter.rb): ``<p>``, ``<br>``
#: (``<br />``), ``<a ...>``, ``<span ...>``, attributes double- or single-quoted, and their
#: end tags. No other tag, no self-closing ``<p/>`` (the parser ends it at once), no
#: comment or ``<script>`` (the parser reads those differently).
_SIMPLE_TAG = re.compile(
    r"""<(?:(?P<start>p|br|a|span)"""
    r"""(?:[ \t\n\r\f]+[a-z_:][-a-z0-9_:.]*"""
    r"""(?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:"[^"<>]*"|'[^'<>]*'))?)*"""
    r"""[ \t\n\r\f]*(?P<close>/?)|/(?P<end>p|a|span))>""",
    re.IGNORECASE | re.ASCII,  # ASCII: the parser's own tag names and spaces
)


def _simple_parts(html: str) -> list[str] | None:
    """:func:`parsed_parts` for HTML whose every ``<`` opens a :data:`_SIMPLE_TAG`, else
    None: the text between tags unescaped, ``\n`` for ``<br>``, a blank line per ``</p>``."""
    parts: list[str] = []
    at = 0
    for tag in _SIMPLE_TAG.finditer(html):
        text = html[at : tag.start()]
        if "<" in text:
            return None
        if text:
            parts.append(unescape(text) if "&" in text else text)
        start = (tag["start"] or "").lower()
        if tag["close"] and start != "br":
            return None
        if start == "br":
            parts.append("\n")
        elif (tag["end"] or "").lower() == "p":
            parts.append("\n\n")
        at = tag.end()
    rest = html[at:]
    if "<" in rest:
        return None
    if rest:
        parts.append(unescape(rest) if "&" in rest else rest)
    return parts


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _options(brand: BrandConfig, options: Mapping[str, Any]) -> _Options:
    fail = fields.option_error(brand, MastodonSource.name)
    fields.reject_unknown(options, _KNOWN_OPTIONS, fail)
    instance = options.get("instance")
    if instance is None:
        raise fail(
            "instance", "is required (the instance's base URL, e.g. https://mastodon.social)"
        )
    if not isinstance(instance, str) or not instance.startswith(("https://", "http://")):
        raise fail("instance", f"must be an http(s) URL, got {instance!r}")
    raw_tags = options.get("hashtags")
    if raw_tags is None:
        raw_tags = [t for t in brand.terms if t.startswith("#")]
        if not raw_tags:
            raise fail(
                "hashtags", "is required when the brand has no '#' terms (e.g. [pebblemobile])"
            )
    if isinstance(raw_tags, str):
        raw_tags = [raw_tags]
    if not isinstance(raw_tags, list) or not raw_tags:
        raise fail("hashtags", f"must be a non-empty list of hashtags, got {raw_tags!r}")
    hashtags: list[str] = []
    for tag in raw_tags:
        name = tag.strip().lstrip("#") if isinstance(tag, str) else ""
        if not _HASHTAG.match(name):
            raise fail("hashtags", f"not a hashtag: {tag!r}")
        if name.casefold() not in {h.casefold() for h in hashtags}:
            hashtags.append(name)
    auth = options.get("auth", False)
    if not isinstance(auth, bool):
        raise fail("auth", f"must be true or false, got {auth!r}")
    page_size = options.get("page_size", MAX_PAGE_SIZE)
    if (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not 1 <= page_size <= MAX_PAGE_SIZE
    ):
        raise fail("page_size", f"must be an integer 1..{MAX_PAGE_SIZE}, got {page_size!r}")
    return _Options(instance.rstrip("/"), tuple(hashtags), page_size, auth)


def _hints(opts: _Options) -> ErrorHelp:
    if opts.auth:
        auth = (
            f"{opts.instance} refused the access token; check the Airflow Connection "
            f"`{SECRET.connection_id}` or {SECRET.env_var}"
        )
    else:
        auth = (
            f"{opts.instance} does not show hashtag timelines to anonymous clients: set "
            f"`auth: true` in sources.mastodon and an access token in the Airflow Connection "
            f"`{SECRET.connection_id}` or {SECRET.env_var}"
        )
    return ErrorHelp(
        auth=auth,
        not_found=f"{opts.instance} has no Mastodon API there: check sources.mastodon.instance",
        # Mastodon answers 422 "This method requires an authenticated user" where an
        # instance keeps its timelines from anonymous clients (older versions).
        other=(
            "the instance refused the request"
            if opts.auth
            else "the instance refused the request; if it wants an authenticated user, set "
            "`auth: true` and an access token"
        ),
    )


def snowflake(moment: datetime) -> str:
    """The lowest status id Mastodon gives a status arriving at ``moment``.

    Ids are milliseconds since the epoch shifted left 16 bits, the low bits a sequence
    (lib/mastodon/snowflake.rb; mastodon/mastodon#5260).
    """
    millis = (moment - _EPOCH) // timedelta(milliseconds=1)
    return str(millis << 16)


def _at_or_below(status_id: str, bound: str) -> bool:
    """Whether ``status_id`` is at or below the snowflake ``bound`` (False if not numeric)."""
    return status_id.isdigit() and int(status_id) <= int(bound)


def _next_max_id(links: Mapping[str, str], statuses: list[Any]) -> str | None:
    """The ``max_id`` of the next (older) page: the Link header's, else the last status's."""
    if "next" in links:
        from_link = query_param(links["next"], "max_id")
        if from_link:
            return from_link
    last = statuses[-1].get("id") if statuses else None
    return str(last) if isinstance(last, str | int) and not isinstance(last, bool) else None


def _created(status: Mapping[str, Any]) -> datetime | None:
    return fields.optional_timestamp(status.get("created_at"))


def _excluded(status: Mapping[str, Any], exclude: tuple[str, ...]) -> bool:
    if not exclude:
        return False
    reblog = status.get("reblog")
    shown = reblog if isinstance(reblog, Mapping) else status
    content = shown.get("content")
    return isinstance(content, str) and fields.contains_any(html_to_text(content), exclude)


def _is_brand_account(acct: str, brand: BrandConfig) -> bool:
    """``acct`` is ``name`` (local) or ``name@instance``: either form may be listed."""
    folded = acct.casefold().lstrip("@")
    return folded in brand.account_handles or folded.split("@", 1)[0] in brand.account_handles


def _followers(account: Mapping[str, Any]) -> int:
    count = account.get("followers_count")
    if count is None:
        return 0
    return fields.non_negative_int(count, "account.followers_count")


__all__ = ["ARRIVAL_MARGIN", "SECRET", "MastodonSource", "create", "html_to_text", "snowflake"]
