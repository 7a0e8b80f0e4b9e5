"""A fake Bluesky AppView (post search, profiles) and PDS (sign-in) on loopback.

It answers like Bluesky does (lexicons ``app.bsky.feed.searchPosts``,
``app.bsky.actor.getProfiles``, ``com.atproto.server.createSession``; docs.bsky.app,
"Rate Limits"):

- ``searchPosts``: ``q`` with words, "exact phrases" and ``-`` negation (all positive parts
  must occur); ``since`` (inclusive) and ``until`` (exclusive) bound ``sortAt``, the earlier
  of ``createdAt`` and ``indexedAt``; ``sort`` is ``top`` or ``latest`` (newest first);
  ``limit`` 1..100 (default 25); ``lang``; an opaque ``cursor``; the answer is
  ``{"posts": [postView…], "cursor"?: str, "hitsTotal": int}``;
- ``getProfiles``: ``actors`` (DIDs or handles, at most 25) -> ``{"profiles": […]}``,
  leaving out accounts that are gone;
- ``createSession``: ``{"identifier", "password"}`` -> ``{"accessJwt", "refreshJwt", "did",
  "handle", …}``, 401 ``AuthenticationRequired`` when wrong;
- errors are ``{"error": "<Name>", "message": "…"}``; with ``require_auth`` the AppView
  methods want ``Authorization: Bearer <accessJwt>`` (401 ``AuthMissing`` without, 401
  ``InvalidToken`` for an unknown one, 400 ``ExpiredToken`` after
  :meth:`FakeBluesky.expire_sessions`); a ``searchPosts`` with a ``cursor`` wants one
  always, like the public AppView (403 ``AuthMissing``; bluesky-social/atproto#2838, #3423);
- posts in :attr:`FakeBluesky.hidden` (taken down) match and count toward the page and its
  cursor but are left out of the answer, as the AppView drops posts after the search: a page
  can come back empty with a cursor to more;
- every answer carries ``ratelimit-limit``, ``-remaining``, ``-reset`` (epoch seconds) and
  ``-policy``.

The posts are our own, about the made-up brand "Larkspur Mobile" (:data:`BRAND_TERMS`):
originals matching one or both terms, replies, the brand's own replies, posts the brand's
exclusion must drop, and unrelated ones. Each post records which brand terms it was written
to match, so tests know what a search must return without trusting the fake's evaluation.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.fakes.server import FakeAPI, Fault, Request, Response

SEARCH_PATH = "/xrpc/app.bsky.feed.searchPosts"
PROFILES_PATH = "/xrpc/app.bsky.actor.getProfiles"
SESSION_PATH = "/xrpc/com.atproto.server.createSession"

#: The lexicons' bounds (searchPosts.limit, getProfiles.actors).
MAX_LIMIT, DEFAULT_LIMIT, MAX_ACTORS = 100, 25, 25
#: The AppView's published budget: 3000 requests per 5 minutes per IP (docs.bsky.app).
RATE_LIMIT, WINDOW_S = 3000, 300

#: The fake brand (see tests/sources/test_bluesky.py).
BRAND_NAME = "Larkspur Mobile"
BRAND_TERMS = ("Larkspur Mobile", "#larkspurmobile")
BRAND_EXCLUDE = ("larkspur mobile home",)
BRAND_ACCOUNTS = ("@LarkspurMobile",)
BRAND_HANDLE = "larkspurmobile.bsky.social"

#: The account brandpulse signs in with when ``auth: true``.
IDENTIFIER = "brandpulse-bot.bsky.social"
APP_PASSWORD = "wxyz-2345-abcd-6789"

#: The posts span [BASE, BASE + SPAN); tests fetch the middle, [WINDOW_START, WINDOW_END).
BASE = datetime(2026, 10, 22, 10, tzinfo=UTC)
SPAN = timedelta(hours=6)
WINDOW_START = BASE + timedelta(hours=2)
WINDOW_END = BASE + timedelta(hours=4)

_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_TID = "234567abcdefghijklmnopqrstuvwxyz"  # atproto's base32-sortable alphabet
_NAMES = ("ana", "ben", "chloe", "dev", "ema", "finn", "gus", "hana", "ivo", "jo", "kai", "lu")

_PHRASE_EN = (
    "Larkspur Mobile dropped my calls three times this morning",
    "anyone else getting no data on Larkspur Mobile right now?",
    "switched to larkspur mobile last month and honestly no regrets",
    "why is Larkspur Mobile charging me twice for the same month",
)
_PHRASE_ES = (
    "Larkspur Mobile otra vez sin cobertura en el centro",
    "¿alguien sabe cómo cambiar de tarifa en Larkspur Mobile?",
)
_HASHTAG = (
    "no signal since lunch, again #larkspurmobile",
    "bill went up by 4 quid without a word #larkspurmobile",
)
_BOTH = ("Larkspur Mobile support fixed my roaming in five minutes 🙌 #larkspurmobile",)
_EXCLUDED = (
    "selling my Larkspur Mobile Home trailer, DM me",
    "Larkspur Mobile Home park has pitches free for August",
)
_UNRELATED = (
    "the larkspur in my garden is finally blooming",
    "mobile data prices are going up everywhere, not just one network",
)

#: Kinds of generated post and the brand terms (indexes into BRAND_TERMS) each matches.
TERMS_BY_KIND: dict[str, frozenset[int]] = {
    "phrase": frozenset({0}),
    "hashtag": frozenset({1}),
    "both": frozenset({0, 1}),
    "reply": frozenset({0}),
    "brand_reply": frozenset({0}),
    "excluded": frozenset(),
    "unrelated": frozenset(),
}


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def xrpc_error(status: int, name: str, message: str) -> Response:
    return Response(status, {"error": name, "message": message})


def _first(query: dict[str, list[str]], name: str) -> str | None:
    """A query parameter's first value, or None."""
    values = query.get(name)
    return values[0] if values else None


def passthrough() -> Fault:
    """A fault that answers normally."""
    return Fault(lambda api: Response(-1, None, {}, 0.0))


def _parse_when(value: str) -> datetime:
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class FakePost:
    """One stored post: its postView as the AppView sends it, and how it was made."""

    view: dict[str, Any]
    kind: str
    created_at: datetime
    indexed_at: datetime

    @property
    def uri(self) -> str:
        return str(self.view["uri"])

    @property
    def text(self) -> str:
        return str(self.view["record"]["text"])

    @property
    def terms(self) -> frozenset[int]:
        return TERMS_BY_KIND[self.kind]

    @property
    def sort_at(self) -> datetime:
        return min(self.created_at, self.indexed_at)


_TOKEN = re.compile(r'(-?)("[^"]*"|\S+)')


def matches(query: str, text: str, *, negation: bool = True) -> bool:
    """Bluesky's search as far as this fake goes: every part occurs, no negated part does
    (negated parts are ignored with ``negation=False``, as the search has done at times)."""
    folded = text.casefold()
    parts = _TOKEN.findall(query)
    if not parts:
        raise ValueError("empty query")
    for negated, part in parts:
        needle = part.strip('"').casefold()
        if not needle:
            raise ValueError("empty phrase")
        if negated and not negation:
            continue
        if (needle in folded) == bool(negated):
            return False
    return True


class FakeBluesky(FakeAPI):
    """Bluesky over ``count`` generated posts in ``[BASE, BASE + SPAN)``.

    ``served_searches`` logs ``(q, cursor)`` of every search answered 200, ``sessions`` the
    number of successful sign-ins. :meth:`fail_on` scripts a fault on the n-th request to
    one path.
    """

    def __init__(
        self,
        *,
        count: int = 200,
        seed: int = 11,
        require_auth: bool = False,
        honour_negation: bool = True,
    ) -> None:
        super().__init__()
        self.require_auth = require_auth
        self.honour_negation = honour_negation
        self.accounts: dict[str, dict[str, Any]] = {}  # did -> profileViewDetailed
        self.gone: set[str] = set()  # DIDs whose profile is no longer served
        self.hidden: set[str] = set()  # uris of posts taken down (left out of answers)
        self.posts: list[FakePost] = []
        self.served_searches: list[tuple[str, str | None]] = []
        self.sessions = 0
        self._tokens: set[str] = set()
        self._expired: set[str] = set()
        self._scheduled: dict[tuple[str, int], Fault] = {}
        self._remaining = RATE_LIMIT
        self._window_reset = time.time() + WINDOW_S
        self._generate(random.Random(seed), count)

    # -- data --------------------------------------------------------------------------

    def _account(self, rng: random.Random, handle: str, followers: int) -> dict[str, Any]:
        did = "did:plc:" + "".join(rng.choice(_B32) for _ in range(24))
        profile = {
            "did": did,
            "handle": handle,
            "displayName": handle.split(".", maxsplit=1)[0].capitalize(),
            "description": "",
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/bafkrei@jpeg",
            "followersCount": followers,
            "followsCount": followers // 3 + 7,
            "postsCount": followers * 2 + 1,
            "indexedAt": "2024-02-01T09:00:00.000Z",
            "createdAt": "2023-11-20T18:30:00.000Z",
            "labels": [],
        }
        self.accounts[did] = profile
        return profile

    @staticmethod
    def _tid(at: datetime, rng: random.Random) -> str:
        """A record key: 53 bits of microseconds and 10 of clock id, base32-sortable."""
        value = (int(at.timestamp() * 1_000_000) << 10) | rng.getrandbits(10)
        return "".join(_TID[(value >> (5 * i)) & 31] for i in reversed(range(13)))

    def _generate(self, rng: random.Random, count: int) -> None:
        brand = self._account(rng, BRAND_HANDLE, 5400)
        people = [
            self._account(rng, f"{rng.choice(_NAMES)}{i}.bsky.social", rng.randint(0, 4000))
            for i in range(36)
        ]
        people.append(self._account(rng, "handle.invalid", 12))
        for gone in people[:3]:
            self.gone.add(gone["did"])
        weights = {
            "phrase": 30,
            "hashtag": 14,
            "both": 8,
            "reply": 15,
            "brand_reply": 8,
            "excluded": 10,
            "unrelated": 15,
        }
        kinds, cum = list(weights), list(weights.values())
        step = SPAN.total_seconds() / count
        matching: list[FakePost] = []
        for i in range(count):
            at = BASE + timedelta(seconds=i * step + rng.uniform(0, step * 0.9))
            at = at.replace(microsecond=(at.microsecond // 1000) * 1000)
            kind = rng.choices(kinds, cum)[0]
            if kind in {"reply", "brand_reply"} and not matching:
                kind = "phrase"
            if i in {count // 3, 2 * count // 3}:  # exactly on the window's bounds
                at, kind = (WINDOW_START if i == count // 3 else WINDOW_END), "phrase"
            author = rng.choice(people)
            langs = ["en"]
            parent: FakePost | None = None
            if kind == "phrase":
                if rng.random() < 0.25:
                    langs, text = ["es"], rng.choice(_PHRASE_ES)
                else:
                    text = rng.choice(_PHRASE_EN)
            elif kind == "hashtag":
                text = rng.choice(_HASHTAG)
            elif kind == "both":
                text = rng.choice(_BOTH)
            elif kind == "excluded":
                text = rng.choice(_EXCLUDED)
            elif kind == "unrelated":
                text = rng.choice(_UNRELATED)
            else:
                parent = rng.choice(matching[-15:])
                parent_handle = parent.view["author"]["handle"]
                if kind == "brand_reply":
                    author = brand
                    text = f"@{parent_handle} sorry about that! Larkspur Mobile care will DM you"
                else:
                    text = f"@{parent_handle} same here, Larkspur Mobile is down for me too"
            post = self._post(rng, at, author, text, langs, kind, parent)
            self.posts.append(post)
            if TERMS_BY_KIND[kind] and kind != "brand_reply":
                matching.append(post)

    def _post(
        self,
        rng: random.Random,
        at: datetime,
        author: dict[str, Any],
        text: str,
        langs: list[str],
        kind: str,
        parent: FakePost | None,
    ) -> FakePost:
        rkey = self._tid(at, rng)
        uri = f"at://{author['did']}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:52]
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": iso(at),
            "langs": langs,
        }
        tag = "#larkspurmobile"
        if tag in text:
            start = len(text[: text.index(tag)].encode())
            record["facets"] = [
                {
                    "index": {"byteStart": start, "byteEnd": start + len(tag.encode())},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag[1:]}],
                }
            ]
        if parent is not None:
            root = parent.view["record"].get("reply", {}).get("root") or {
                "uri": parent.uri,
                "cid": parent.view["cid"],
            }
            record["reply"] = {
                "root": dict(root),
                "parent": {"uri": parent.uri, "cid": parent.view["cid"]},
            }
        indexed = at + timedelta(milliseconds=rng.randint(50, 4000))
        view = {
            "uri": uri,
            "cid": cid,
            "author": {
                k: author[k] for k in ("did", "handle", "displayName", "avatar", "createdAt")
            }
            | {"labels": []},
            "record": record,
            "replyCount": rng.randint(0, 6),
            "repostCount": rng.randint(0, 9),
            "likeCount": rng.randint(0, 80),
            "quoteCount": rng.randint(0, 2),
            "indexedAt": iso(indexed),
            "labels": [],
        }
        return FakePost(view, kind, at, indexed)

    def expected(self, start: datetime, end: datetime, terms: range | None = None) -> list[str]:
        """The uris each brand term's search must find in ``[start, end)``, from how posts
        were made (a post matching two terms is listed twice)."""
        terms = terms or range(len(BRAND_TERMS))
        return [
            p.uri
            for p in self.posts
            if start <= p.created_at < end and p.uri not in self.hidden
            for t in terms
            if t in p.terms
        ]

    def search_hits(
        self, query: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[FakePost]:
        """What ``searchPosts`` pages through for ``query``, in order (hidden posts too)."""
        hits = [
            p
            for p in self.posts
            if matches(query, p.text, negation=self.honour_negation)
            and (since is None or p.sort_at >= since)
            and (until is None or p.sort_at < until)
        ]
        return sorted(hits, key=lambda p: (p.sort_at, p.uri), reverse=True)

    def post(self, uri: str) -> FakePost:
        return next(p for p in self.posts if p.uri == uri)

    # -- control -----------------------------------------------------------------------

    def fail_on(self, path: str, nth: int, fault: Fault) -> None:
        """Answer the ``nth`` request (1-based, counted from the start) to ``path`` with
        ``fault``."""
        self._scheduled[(path, nth)] = fault

    def expire_sessions(self) -> None:
        """Every access token issued so far answers 400 ExpiredToken from now on."""
        with self.lock:
            self._expired |= self._tokens
            self._tokens.clear()

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    # -- serving -----------------------------------------------------------------------

    def rate_limit_headers(self, reset_epoch_s: float) -> dict[str, str]:
        return {
            "ratelimit-limit": str(RATE_LIMIT),
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(reset_epoch_s) + 1),
            "ratelimit-policy": f"{RATE_LIMIT};w={WINDOW_S}",
        }

    def respond(self, request: Request) -> Response:
        with self.lock:
            nth = sum(1 for r in self.requests if r.path == request.path) + 1
            fault = self._scheduled.pop((request.path, nth), None)
            if fault is not None:
                self.requests.append(request)
        if fault is None:
            response = super().respond(request)
        else:
            response = fault.make(self)
            if response.status == -1:
                time.sleep(response.delay_s)
                response = self.handle(request)
        with self.lock:
            now = time.time()
            if now >= self._window_reset:
                self._window_reset, self._remaining = now + WINDOW_S, RATE_LIMIT
            self._remaining -= 1
            if not any(k.startswith("ratelimit-") for k in response.headers):
                response.headers.update(
                    {
                        "ratelimit-limit": str(RATE_LIMIT),
                        "ratelimit-remaining": str(max(self._remaining, 0)),
                        "ratelimit-reset": str(int(self._window_reset)),
                        "ratelimit-policy": f"{RATE_LIMIT};w={WINDOW_S}",
                    }
                )
        return response

    def handle(self, request: Request) -> Response:
        if request.path == SESSION_PATH and request.method == "POST":
            return self._create_session(request)
        if request.method != "GET" or request.path not in {SEARCH_PATH, PROFILES_PATH}:
            return xrpc_error(404, "XRPCNotSupported", "XRPCNotSupported")
        paging = request.path == SEARCH_PATH and "cursor" in request.query
        if self.require_auth or paging:
            refused = self._check_auth(request)
            if refused is not None:
                if paging and refused.body.get("error") == "AuthMissing":
                    return xrpc_error(403, "AuthMissing", "Authentication Required")
                return refused
        if request.path == SEARCH_PATH:
            return self._search(request)
        return self._profiles(request)

    def _check_auth(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return xrpc_error(401, "AuthMissing", "Authentication Required")
        token = header.removeprefix("Bearer ")
        with self.lock:
            if token in self._tokens:
                return None
            if token in self._expired:
                return xrpc_error(400, "ExpiredToken", "Token has expired")
        return xrpc_error(401, "InvalidToken", "Token could not be verified")

    def _create_session(self, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except json.JSONDecodeError:
            return xrpc_error(400, "InvalidRequest", "Request body is not JSON")
        identifier, password = body.get("identifier"), body.get("password")
        if not isinstance(identifier, str) or not isinstance(password, str):
            return xrpc_error(400, "InvalidRequest", 'Input must have the property "identifier"')
        if identifier.lstrip("@").casefold() != IDENTIFIER or password != APP_PASSWORD:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        with self.lock:
            self.sessions += 1
            token = f"eyJ0eXAiOiJhdCtqd3QifQ.session-{self.sessions}.sig"
            self._tokens.add(token)
        return Response(
            200,
            {
                "accessJwt": token,
                "refreshJwt": f"eyJ0eXAiOiJyZWZyZXNoK2p3dCJ9.session-{self.sessions}.sig",
                "handle": IDENTIFIER,
                "did": "did:plc:brandpulsebotfake0000000",
                "active": True,
            },
        )

    def _search(self, request: Request) -> Response:
        q = request.query
        query = (q.get("q") or [""])[0]
        sort = (q.get("sort") or ["latest"])[0]
        if not query.strip():
            return xrpc_error(400, "InvalidRequest", 'Params must have the property "q"')
        if sort not in {"top", "latest"}:
            return xrpc_error(400, "InvalidRequest", "sort must be one of top, latest")
        try:
            limit = int((q.get("limit") or [str(DEFAULT_LIMIT)])[0])
            since = _parse_when(q["since"][0]) if "since" in q else None
            until = _parse_when(q["until"][0]) if "until" in q else None
            offset = int((q.get("cursor") or ["0"])[0])
        except ValueError as exc:
            return xrpc_error(400, "InvalidRequest", f"Invalid parameter: {exc}")
        if not 1 <= limit <= MAX_LIMIT:
            return xrpc_error(400, "InvalidRequest", f"limit can not be greater than {MAX_LIMIT}")
        lang = _first(q, "lang")
        try:
            hits = [
                p
                for p in self.search_hits(query, since, until)
                if lang is None or lang in p.view["record"]["langs"]
            ]
        except ValueError as exc:
            return xrpc_error(400, "InvalidRequest", str(exc))
        page = [p for p in hits[offset : offset + limit] if p.uri not in self.hidden]
        body: dict[str, Any] = {"posts": [p.view for p in page], "hitsTotal": len(hits)}
        if offset + limit < len(hits):
            body["cursor"] = str(offset + limit)
        with self.lock:
            self.served_searches.append((query, _first(q, "cursor")))
        return Response(200, body)

    def _profiles(self, request: Request) -> Response:
        actors = request.query.get("actors", [])
        if not actors:
            return xrpc_error(400, "InvalidRequest", 'Params must have the property "actors"')
        if len(actors) > MAX_ACTORS:
            return xrpc_error(
                400, "InvalidRequest", f"actors must not have more than {MAX_ACTORS} elements"
            )
        by_handle = {p["handle"]: p for p in self.accounts.values()}
        profiles = []
        for actor in actors:
            profile = self.accounts.get(actor) or by_handle.get(actor)
            if profile is not None and profile["did"] not in self.gone:
                profiles.append(profile)
        return Response(200, {"profiles": profiles})
