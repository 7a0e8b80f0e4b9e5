"""Bluesky: posts about a brand from the AppView's post search, with their authors' reach.

Per page, one ``GET /xrpc/app.bsky.feed.searchPosts`` (``sort=latest``, ``since``/``until``
set to the interval), then ``GET /xrpc/app.bsky.actor.getProfiles`` for the page's authors
(at most 25 per call) to learn their follower counts, which search results do not carry.

Bluesky's search does not OR terms reliably, so each brand term is a search of its own,
with the brand's exclusions appended as ``-word`` / ``-"a phrase"``; the cursor is
``"<term index>:<provider cursor>"``, so a resumed fetch continues inside the right term.
A post matching two terms is landed twice; the load counts the second as a duplicate.
Posts whose text contains an excluded phrase are dropped here too (and counted in the
page's info), because the search's ``-`` operator has not always been honoured.

``since``/``until`` filter on Bluesky's ``sortAt`` (the earlier of ``createdAt`` and
``indexedAt``), while posts carry ``createdAt``: a post whose author's clock was ahead is
landed and then quarantined by the load with the reason "outside the load's interval".

Raw record (as landed)::

    {"post": <app.bsky.feed.defs#postView, as sent>,
     "profile": <app.bsky.actor.defs#profileViewDetailed of the author, or null>}

Options (``sources.bluesky`` in the brands file)::

    auth: true                              # required: sign in with an app password
    identifier: brand.bsky.social           # required: the account signing in
    pds: https://bsky.social                # where it signs in (default bsky.social)
    api_base: https://bsky.social           # where requests go (default: the pds, which
                                            # proxies app.bsky.* to the AppView)
    page_size: 100                          # 1..100

Signing in is required: the public AppView (public.api.bsky.app) refuses
``app.bsky.feed.searchPosts`` to anonymous clients whenever a ``cursor`` is sent (so past
the first page), and at times refuses the method altogether (bluesky-social/atproto#2838,
#3423). The app password comes from the Airflow Connection ``bluesky_api`` or the
environment variable ``BRANDPULSE_BLUESKY_APP_PASSWORD``.

A page may come back empty with a new ``cursor`` (posts dropped after the search matched
them, e.g. taken down): the term goes on while the cursor changes, and ends when there is
none or it repeats.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError, TransientSourceError
from pipeline.ingest.sources import fields
from pipeline.ingest.sources.base import Page
from pipeline.ingest.sources.http import (
    ErrorHelp,
    JsonHttp,
    RateLimitHeaders,
    Reply,
    epoch_seconds,
    split_cursor,
)
from pipeline.posts.model import Post, RawRecord
from pipeline.secrets import SecretLookup, SecretSpec, check, header_value, remember, resolve

log = logging.getLogger(__name__)

#: Bluesky's public, unauthenticated AppView (docs.bsky.app, "API Hosts and Auth"): not
#: usable for search (see the module docstring), named here for the error message.
PUBLIC_API_BASE: Final = "https://public.api.bsky.app"
#: Where bsky.social accounts sign in (their PDS entryway; docs.bsky.app, same page).
DEFAULT_PDS: Final = "https://bsky.social"

# XRPC methods (lexicons in bluesky-social/atproto, lexicons/app/bsky and com/atproto).
SEARCH_POSTS: Final = "/xrpc/app.bsky.feed.searchPosts"
GET_PROFILES: Final = "/xrpc/app.bsky.actor.getProfiles"
CREATE_SESSION: Final = "/xrpc/com.atproto.server.createSession"

#: searchPosts ``limit``: 1..100, default 25 (lexicon app.bsky.feed.searchPosts).
MAX_PAGE_SIZE: Final = 100
#: getProfiles ``actors``: at most 25 per call (lexicon app.bsky.actor.getProfiles).
MAX_PROFILES_PER_CALL: Final = 25
#: Default read/connect timeout: Bluesky search answers in well under a second normally.
DEFAULT_TIMEOUT_S: Final = 30.0

#: Rate-limit headers, reset in epoch seconds (docs.bsky.app, "Rate Limits").
RATE_LIMIT: Final = RateLimitHeaders(
    "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", epoch_seconds
)
#: XRPC error names for a stale or revoked ``accessJwt``: sign in again once.
SESSION_ERRORS: Final = frozenset({"ExpiredToken", "InvalidToken"})

SECRET: Final = SecretSpec(
    connection_id="bluesky_api",
    env_var="BRANDPULSE_BLUESKY_APP_PASSWORD",
    what="Bluesky app password",
    carrier="body",  # sent in the createSession body, not in a header
)

#: Handles default to ``<name>.bsky.social``; a brand lists ``@PebbleMobile``.
BSKY_SOCIAL_SUFFIX: Final = ".bsky.social"
#: What the AppView shows instead of a handle that failed verification (atproto handle spec).
INVALID_HANDLE: Final = "handle.invalid"
#: The web app's address of a post (bsky.app's own "copy link to post").
POST_URL: Final = "https://bsky.app/profile/{actor}/post/{rkey}"

_KNOWN_OPTIONS: Final = (
    "enabled",
    "lag_minutes",
    "api_base",
    "page_size",
    "auth",
    "identifier",
    "pds",
)
# at://<did>/app.bsky.feed.post/<record key>  (atproto AT URI spec)
_POST_URI = re.compile(
    r"^at://(?P<did>did:[a-z]+:[A-Za-z0-9._:%-]+)"
    r"/app\.bsky\.feed\.post/(?P<rkey>[A-Za-z0-9._:~-]{1,512})$"
)
_AT_URI = re.compile(r"^at://(?P<authority>[^/]+)/")


#: Why anonymous configurations are refused, for the ConfigError.
_WHY_AUTH: Final = (
    "Bluesky's post search needs a signed-in account: the public AppView "
    f"({PUBLIC_API_BASE}) refuses app.bsky.feed.searchPosts to anonymous clients whenever a "
    "cursor is sent, and often altogether (bluesky-social/atproto#2838, #3423). Set "
    "`auth: true` and `identifier: <handle>` in sources.bluesky, and an app password "
    f"(bsky.app > Settings > App passwords) in the Airflow Connection `{SECRET.connection_id}` "
    f"or {SECRET.env_var}"
)


@dataclass(frozen=True)
class _Options:
    api_base: str
    page_size: int
    identifier: str
    pds: str


def check_options(brand: BrandConfig, options: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming brand and field when the Bluesky options are wrong."""
    BlueskySource()._options(brand, options)


def create(secrets: SecretLookup | None = None) -> BlueskySource:
    """The registry's factory: the app password is read on the first fetch."""
    return BlueskySource(secrets=secrets)


class BlueskySource:
    """Bluesky post search; see the module docstring."""

    name = "bluesky"

    def __init__(
        self,
        *,
        api_base: str | None = None,
        identifier: str | None = None,
        app_password: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        secrets: SecretLookup | None = None,
    ) -> None:
        self.api_base = api_base
        self.identifier = identifier
        self._app_password = app_password
        self._secrets = secrets
        self._http = JsonHttp(self.name, timeout_s=timeout_s, rate_limit=RATE_LIMIT)
        self._session_key: tuple[str, str] | None = None
        self._access_jwt: str | None = None

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
        """One search page for one term of ``brand`` in ``[start, end)``, with profiles."""
        opts = self._options(brand, options)
        queries = search_queries(brand)
        index, provider_cursor = split_cursor(
            cursor,
            len(queries),
            source=self.name,
            brand_id=brand.id,
            what=f"brand's {len(queries)} search terms",
        )
        params: dict[str, Any] = {
            "q": queries[index],
            "sort": "latest",
            "since": _iso(start),
            "until": _iso(end),
            "limit": opts.page_size,
        }
        if len(brand.languages) == 1:
            params["lang"] = brand.languages[0]
        if provider_cursor:
            params["cursor"] = provider_cursor
        reply = self._get(opts, SEARCH_POSTS, params)
        data = reply.data
        posts = data.get("posts") if isinstance(data, Mapping) else None
        if not isinstance(posts, list) or not all(isinstance(p, Mapping) for p in posts):
            raise TransientSourceError(
                f"{self.name}: GET {SEARCH_POSTS}: the answer has no list of posts"
            )
        kept = [p for p in posts if not _excluded(p, brand.exclude)]
        profiles = self._profiles(opts, kept)
        records: list[RawRecord] = [
            {"post": p, "profile": profiles.get(_author_did(p) or "")} for p in kept
        ]

        # A page can be empty and still have more behind it (posts dropped after matching):
        # follow the cursor while it changes; stop when there is none or it repeats.
        next_provider = data.get("cursor")
        next_cursor: str | None = None
        if isinstance(next_provider, str) and next_provider not in {"", provider_cursor}:
            next_cursor = f"{index}:{next_provider}"
        elif index + 1 < len(queries):
            next_cursor = f"{index + 1}:"  # the next term, from its first page
        info: dict[str, Any] = {"term": index, **self._http.rate_info(reply)}
        if len(kept) < len(posts):
            info["excluded"] = len(posts) - len(kept)
        return Page(records=records, next_cursor=next_cursor, info=info)

    def _options(self, brand: BrandConfig, options: Mapping[str, Any]) -> _Options:
        fail = fields.option_error(brand, self.name)
        fields.reject_unknown(options, _KNOWN_OPTIONS, fail)
        auth = options.get("auth", False)
        if not isinstance(auth, bool):
            raise fail("auth", f"must be true or false, got {auth!r}")
        if not auth:
            raise fail("auth", f"must be true: {_WHY_AUTH}")
        page_size = options.get("page_size", MAX_PAGE_SIZE)
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            raise fail("page_size", f"must be an integer 1..{MAX_PAGE_SIZE}, got {page_size!r}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise fail("page_size", f"must be 1..{MAX_PAGE_SIZE}, got {page_size}")
        pds = _base_url(options.get("pds", DEFAULT_PDS), fail, "pds")
        api_base = _base_url(options.get("api_base", self.api_base or pds), fail, "api_base")
        identifier = options.get("identifier", self.identifier)
        if identifier is None:
            raise fail("identifier", f"is required (the handle signing in): {_WHY_AUTH}")
        if not isinstance(identifier, str) or not identifier.strip().lstrip("@"):
            raise fail("identifier", f"must be a handle or DID, got {identifier!r}")
        return _Options(
            api_base=api_base,
            page_size=page_size,
            identifier=identifier.strip().lstrip("@"),
            pds=pds,
        )

    def _hints(self, opts: _Options) -> ErrorHelp:
        auth = (
            f"the Bluesky session for {opts.identifier!r} was refused; check the app "
            f"password in the Airflow Connection `{SECRET.connection_id}` or {SECRET.env_var}"
        )
        return ErrorHelp(
            auth=auth,
            not_found=f"no such XRPC method at {opts.api_base}: check sources.bluesky.api_base",
        )

    def _get(self, opts: _Options, method: str, params: Mapping[str, Any]) -> Reply:
        """A signed-in GET to the AppView; signs in again once if the session is stale."""
        url = opts.api_base + method
        hints = self._hints(opts)
        for attempt in (1, 2):
            token = self._token(opts)
            reply = self._http.request(
                "GET",
                url,
                hints=hints,
                params=params,
                bearer=token,
                passthrough=(400, 401),
            )
            if reply.ok:
                return reply
            if attempt == 1 and reply.error in SESSION_ERRORS:
                log.info("%s: session expired (%s); signing in again", self.name, reply.error)
                self._access_jwt = None
                continue
            self._http.fail(reply, hints=hints)
        raise AssertionError("unreachable")  # pragma: no cover

    def _token(self, opts: _Options) -> str:
        """The session's access token (signing in on first use)."""
        key = (opts.pds, opts.identifier)
        if self._access_jwt is not None and self._session_key == key:
            return self._access_jwt
        if self._app_password:
            remember(self._app_password)
        password = check(SECRET, self._app_password or resolve(SECRET, self._secrets))
        reply = self._http.request(
            "POST",
            opts.pds + CREATE_SESSION,
            hints=self._hints(opts),
            json_body={"identifier": opts.identifier, "password": password},
            secrets=(password,),
        )
        data = reply.data
        token = data.get("accessJwt") if isinstance(data, Mapping) else None
        if not isinstance(token, str) or not token:
            raise TransientSourceError(
                f"{self.name}: POST {CREATE_SESSION}: the answer has no accessJwt"
            )
        header_value(self.name, "session token (accessJwt) of createSession", token)
        log.info("%s: signed in as %s at %s", self.name, opts.identifier, opts.pds)
        self._session_key, self._access_jwt = key, token
        return token

    def _profiles(
        self, opts: _Options, posts: list[Mapping[str, Any]]
    ) -> dict[str, Mapping[str, Any]]:
        """The authors' detailed profiles by DID (accounts gone since are simply absent)."""
        dids = list(dict.fromkeys(d for d in map(_author_did, posts) if d))
        found: dict[str, Mapping[str, Any]] = {}
        for i in range(0, len(dids), MAX_PROFILES_PER_CALL):
            chunk = dids[i : i + MAX_PROFILES_PER_CALL]
            reply = self._get(opts, GET_PROFILES, {"actors": chunk})
            data = reply.data
            profiles = data.get("profiles") if isinstance(data, Mapping) else None
            if not isinstance(profiles, list):
                raise TransientSourceError(
                    f"{self.name}: GET {GET_PROFILES}: the answer has no list of profiles"
                )
            for profile in profiles:
                if isinstance(profile, Mapping) and isinstance(profile.get("did"), str):
                    found[profile["did"]] = profile
        return found

    # ----------------------------------------------------------------------------------
    # Normalizing
    # ----------------------------------------------------------------------------------

    def to_post(self, raw: RawRecord, brand: BrandConfig) -> Post:
        """A :class:`Post` from one raw record; ``ValueError("<field>: <why>")`` if malformed."""
        fields.as_mapping(raw, "record")
        post = fields.mapping(raw, "post", "post")
        uri = fields.string(post, "uri", "post.uri")
        match = _POST_URI.match(uri)
        if match is None:
            raise ValueError(f"post.uri: not an at:// URI of a post: {uri!r}")
        author = fields.mapping(post, "author", "post.author")
        did = fields.string(author, "did", "post.author.did")
        handle = fields.string(author, "handle", "post.author.handle")
        record = fields.mapping(post, "record", "post.record")
        text = record.get("text")
        if not isinstance(text, str):
            raise ValueError(f"post.record.text: must be a string, got {text!r}")

        reply = record.get("reply")
        parent_uri = root_uri = None
        if reply is not None:
            if not isinstance(reply, Mapping):
                raise ValueError(f"post.record.reply: expected a mapping, got {reply!r}")
            root = fields.mapping(reply, "root", "post.record.reply.root")
            parent = fields.mapping(reply, "parent", "post.record.reply.parent")
            root_uri = fields.string(root, "uri", "post.record.reply.root.uri")
            parent_uri = fields.string(parent, "uri", "post.record.reply.parent.uri")
        parent_author = None
        if parent_uri is not None:
            authority = _AT_URI.match(parent_uri)
            if authority is None:
                raise ValueError(f"post.record.reply.parent.uri: not an at:// URI: {parent_uri!r}")
            parent_author = authority["authority"]

        langs = record.get("langs")
        if langs is not None and (
            not isinstance(langs, list) or not all(isinstance(x, str) for x in langs)
        ):
            raise ValueError(f"post.record.langs: must be a list of strings, got {langs!r}")

        actor = did if handle == INVALID_HANDLE else handle
        return Post(
            source=self.name,
            post_id=uri,
            brand=brand.id,
            created_at=_created_at(record, post),
            author_id=did,
            author_handle=handle,
            author_followers=_followers(raw.get("profile")),
            text=text,
            lang=langs[0] if langs else None,
            url=POST_URL.format(actor=actor, rkey=match["rkey"]),
            conversation_id=root_uri or uri,
            in_reply_to_post_id=parent_uri,
            in_reply_to_author_id=parent_author,
            repost_of=None,
            is_brand_reply=_is_brand_handle(handle, brand),
        )


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def search_queries(brand: BrandConfig) -> list[str]:
    """One search query per distinct term, each with the brand's exclusions appended."""
    exclusions = " ".join(f"-{_quoted(x)}" for x in brand.exclude if _quoted(x))
    queries: list[str] = []
    for term in brand.terms:
        quoted = _quoted(term)
        query = f"{quoted} {exclusions}".strip()
        if quoted and query.casefold() not in {q.casefold() for q in queries}:
            queries.append(query)
    if not queries:
        raise ConfigError(f"brand '{brand.id}', field 'terms': nothing to search Bluesky for")
    return queries


def _quoted(term: str) -> str:
    """A term in Bluesky's search syntax: a phrase in double quotes, a word as it is."""
    cleaned = " ".join(term.replace('"', " ").split())
    return f'"{cleaned}"' if " " in cleaned else cleaned


def _iso(moment: datetime) -> str:
    """A datetime as the lexicon's ``datetime`` format, UTC with milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _base_url(value: Any, fail: Callable[[str, str], ConfigError], field: str) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise fail(field, f"must be an http(s) URL, got {value!r}")
    return str(value).rstrip("/")


def _author_did(post: Mapping[str, Any]) -> str | None:
    author = post.get("author")
    did = author.get("did") if isinstance(author, Mapping) else None
    return did if isinstance(did, str) else None


def _excluded(post: Mapping[str, Any], exclude: tuple[str, ...]) -> bool:
    record = post.get("record")
    text = record.get("text") if isinstance(record, Mapping) else None
    return isinstance(text, str) and fields.contains_any(text, exclude)


def _is_brand_handle(handle: str, brand: BrandConfig) -> bool:
    folded = handle.casefold()
    short = folded.removesuffix(BSKY_SOCIAL_SUFFIX)
    return folded in brand.account_handles or short in brand.account_handles


def _created_at(record: Mapping[str, Any], post: Mapping[str, Any]) -> datetime:
    """``record.createdAt`` (the author's clock), else ``indexedAt`` (the AppView's)."""
    created = fields.optional_timestamp(record.get("createdAt"))
    created = created or fields.optional_timestamp(post.get("indexedAt"))
    if created is None:
        raise ValueError(
            "post.record.createdAt: missing or not an ISO 8601 time with a zone "
            f"({record.get('createdAt')!r}), and no usable indexedAt"
        )
    return created


def _followers(profile: Any) -> int:
    """``followersCount`` of the author's profile; 0 when the profile is unavailable."""
    profile = fields.as_optional_mapping(profile, "profile")
    if profile is None:
        return 0
    return fields.non_negative_int(profile.get("followersCount", 0), "profile.followersCount")


__all__ = ["SECRET", "BlueskySource", "create", "search_queries"]
