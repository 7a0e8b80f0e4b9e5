"""A fake X API v2 recent search (``GET /2/tweets/search/recent``) on loopback.

It answers like X does (X API v2 docs, "GET /2/tweets/search/recent" and "Build a query"):

- ``Authorization: Bearer <token>`` is required, else a 401 problem document;
- ``query`` is evaluated (keywords, "exact phrases", @mentions, #hashtags, ``-`` negation,
  ``OR``, parentheses, ``is:retweet`` / ``is:reply`` / ``is:quote``, ``lang:``; AND binds
  tighter than OR), queries over 512 characters are refused;
- ``start_time`` (inclusive) and ``end_time`` (exclusive) bound ``created_at``;
- results come newest first, ``max_results`` (10..100) per page, with an opaque
  ``next_token`` tied to the query and window;
- ``tweet.fields`` / ``user.fields`` select fields beyond the defaults (``id``, ``text``,
  ``edit_history_tweet_ids`` / ``id``, ``name``, ``username``), ``expansions`` fill
  ``includes.users`` and ``includes.tweets``;
- every answer carries ``x-rate-limit-limit``, ``-remaining`` and ``-reset`` (15-minute
  windows of :data:`RATE_LIMIT` requests).

The tweets are our own: :class:`FakeX` generates them, about the made-up telecom brand
"Kestrel Mobile" (:data:`BRAND_TERMS`), together with posts that must not match (a mobile-home
park of the same name, other languages, unrelated kestrels) and retweets, replies and the
brand's own replies. Each tweet's ``kind`` is recorded, so tests know what a search must
return without trusting the fake's query evaluation.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.server import FakeAPI, Fault, Request, Response

SEARCH_PATH = "/2/tweets/search/recent"
#: X's documented bounds and window (see the module docstring).
MIN_RESULTS, MAX_RESULTS, DEFAULT_RESULTS = 10, 100, 10
MAX_QUERY_CHARS = 512
RATE_LIMIT = 450  # app-auth recent search requests per window (X's published figure)
WINDOW_S = 15 * 60
#: X's snowflake epoch (2010-11-04T01:42:54.657Z): ids sort like their creation times.
SNOWFLAKE_EPOCH_MS = 1288834974657

#: The fake brand. A matching search is built from these (see tests/sources/test_x.py).
BRAND_NAME = "Kestrel Mobile"
BRAND_TERMS = ("Kestrel Mobile", "@KestrelMobile", "#KestrelMobile")
BRAND_EXCLUDE = ("kestrel mobile home",)
BRAND_LANGUAGES = ("en", "es")
BRAND_ACCOUNTS = ("KestrelMobile", "KestrelCares")

#: Kinds of generated tweet; those in MATCHING_KINDS match the brand's search in en/es.
MATCHING_KINDS = frozenset({"original", "brand_reply", "reply", "quote"})
ALL_KINDS = (*MATCHING_KINDS, "retweet", "excluded", "other_lang", "unrelated")

_DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")
_DEFAULT_USER_FIELDS = ("id", "name", "username")

_EN = (
    "{b} dropped my calls three times this morning",
    "anyone else getting no data on {b} right now?",
    "switched to {b} last month and honestly no regrets",
    "{b} support sorted my bill in five minutes, impressed",
    "why is {b} charging me twice for the same month",
    "how do I move my number to {b}?",
    "signal in the underground is still awful with {b}",
    "the new {b} plan is cheaper than what I had, nice",
)
_ES = (
    "{b} otra vez sin cobertura en el centro",
    "muy contenta con {b}, la señal va perfecta",
    "¿alguien sabe cómo cambiar de tarifa en {b}?",
    "{b} me cobró dos veces este mes",
)
_FR = ("{b} ne marche plus depuis ce matin", "qui utilise {b} en France ?")
_EXCLUDED = (
    "lovely weekend at the Kestrel Mobile Home park by the lake",
    "Kestrel Mobile Home sites still have pitches free for August",
)
_UNRELATED = (
    "saw a kestrel hovering over the motorway verge today",
    "mobile data prices are going up everywhere, not just one network",
    "kestrels are back nesting on the church tower",
)
_BRAND_MENTIONS = ("Kestrel Mobile", "kestrel mobile", "@KestrelMobile", "#KestrelMobile")
_NAMES = ("ana", "ben", "chloe", "dev", "ema", "finn", "gus", "hana", "ivo", "jo", "kai", "lu")


def _snowflake(at: datetime, sequence: int) -> str:
    ms = int(at.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS
    return str((ms << 22) | (sequence & 0x3FFFFF))


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An X API v2 problem document (the JSON body of its error answers)."""
    return {"title": title, "detail": detail, "type": "about:blank", "status": status, **extra}


def x_unavailable() -> Fault:
    """A 503 as X sends it."""
    return Fault.status(503, problem(503, "Service Unavailable", "Service Unavailable"))


def passthrough() -> Fault:
    """A fault that answers normally: positions the next faults later in the fetch."""
    return Fault(lambda api: Response(-1, None, {}, 0.0))


@dataclass(frozen=True)
class FakeTweet:
    """One stored tweet: every field X can return, and what kind of post it is."""

    obj: dict[str, Any]
    kind: str
    created_at: datetime

    @property
    def id(self) -> str:
        return str(self.obj["id"])


# --------------------------------------------------------------------------------------
# Query evaluation
# --------------------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(-(?=\S)|\(|\)|"[^"]*"|[^\s()"]+)')
Predicate = Callable[[FakeTweet], bool]


class QueryError(ValueError):
    """The query is not valid X syntax (as far as this fake understands it)."""


def _word(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w#@]){pattern}(?!\w)", re.IGNORECASE)


def _atom(token: str) -> Predicate:
    if token.startswith('"'):
        phrase = token.strip('"').split()
        if not phrase:
            raise QueryError("empty phrase")
        rx = _word(r"\s+".join(re.escape(w) for w in phrase))
        return lambda t: bool(rx.search(t.obj["text"]))
    if ":" in token:
        op, _, value = token.partition(":")
        if op == "lang":
            return lambda t: t.obj.get("lang") == value
        if op == "is" and value in {"retweet", "reply", "quote"}:
            kind = {"retweet": "retweeted", "reply": "replied_to", "quote": "quoted"}[value]
            return lambda t: any(r["type"] == kind for r in t.obj.get("referenced_tweets", []))
        raise QueryError(f"Reference to invalid operator '{op}:'")
    if token in {"OR", "AND"}:
        raise QueryError(f"misplaced '{token}'")
    rx = _word(re.escape(token))
    return lambda t: bool(rx.search(t.obj["text"]))


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = _TOKEN.findall(query)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise QueryError("unexpected end of query")
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        pred = self.any_of()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek()!r}")
        return pred

    def any_of(self) -> Predicate:
        alternatives = [self.all_of()]
        while self.peek() == "OR":
            self.take()
            alternatives.append(self.all_of())
        return lambda t: any(p(t) for p in alternatives)

    def all_of(self) -> Predicate:
        required: list[Predicate] = []
        while self.peek() not in {None, ")", "OR"}:
            required.append(self.unary())
        if not required:
            raise QueryError("empty clause")
        return lambda t: all(p(t) for p in required)

    def unary(self) -> Predicate:
        if self.peek() == "-":
            self.take()
            inner = self.unary()
            return lambda t: not inner(t)
        token = self.take()
        if token == "(":
            inner = self.any_of()
            if self.take() != ")":
                raise QueryError("unbalanced parentheses")
            return inner
        if token == ")":
            raise QueryError("unbalanced parentheses")
        return _atom(token)


def parse_query(query: str) -> Predicate:
    """A predicate over tweets for an X search query; :class:`QueryError` if invalid."""
    return _Parser(query).parse()


# --------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------


class FakeX(FakeAPI):
    """X's recent search over ``count`` generated tweets spread over ``[start - 1h, end + 1h)``.

    ``pages`` logs the ``next_token`` (None for a first page) of every page answered 200 and
    ``served_ids`` the ids on them, in order.
    """

    def __init__(
        self,
        token: str,
        *,
        start: datetime,
        hours: int = 6,
        count: int = 250,
        seed: int = 7,
    ) -> None:
        super().__init__()
        self.token = token
        self.start, self.end = start, start + timedelta(hours=hours)
        self.users: dict[str, dict[str, Any]] = {}
        self.tweets: dict[str, FakeTweet] = {}
        self.pages: list[str | None] = []
        self.served_ids: list[str] = []
        self._cursors: dict[str, tuple[tuple[str, str, str], int]] = {}
        self._window_reset = time.time() + WINDOW_S
        self._remaining = RATE_LIMIT
        self._rate_lock = threading.Lock()
        self._generate(random.Random(seed), count)

    # -- data --------------------------------------------------------------------------

    def _user(self, user_id: str, username: str, followers: int) -> dict[str, Any]:
        user = {
            "id": user_id,
            "name": username.capitalize(),
            "username": username,
            "created_at": "2015-03-01T09:00:00.000Z",
            "description": "",
            "public_metrics": {
                "followers_count": followers,
                "following_count": followers // 3 + 10,
                "tweet_count": followers * 2 + 5,
                "listed_count": followers // 100,
                "like_count": followers + 1,
            },
        }
        self.users[user_id] = user
        return user

    def _generate(self, rng: random.Random, count: int) -> None:
        for i, handle in enumerate(BRAND_ACCOUNTS):
            self._user(str(9_000_000_000 + i), handle, 120_000 + i)
        people = [
            self._user(str(100_000 + i), f"{rng.choice(_NAMES)}_{i:02d}", rng.randint(0, 5000))
            for i in range(30)
        ]
        brand_care = self.users[str(9_000_000_001)]
        first = self.start - timedelta(hours=1)
        span = (self.end + timedelta(hours=1) - first).total_seconds()
        step = span / count
        originals: list[FakeTweet] = []
        weights = {
            "original": 50,
            "brand_reply": 10,
            "reply": 8,
            "quote": 5,
            "retweet": 10,
            "excluded": 6,
            "other_lang": 5,
            "unrelated": 6,
        }
        kinds, cum = list(weights), list(weights.values())
        for i in range(count):
            at = first + timedelta(seconds=i * step + rng.uniform(0, step * 0.9))
            at = at.replace(microsecond=(at.microsecond // 1000) * 1000)
            kind = rng.choices(kinds, cum)[0]
            if kind in {"brand_reply", "reply", "quote", "retweet"} and not originals:
                kind = "original"
            on_bound = i in {count // 3, 2 * count // 3}
            if on_bound:  # one original exactly on each bound: start is in, end is out
                at, kind = (self.start if i == count // 3 else self.end), "original"
            author = rng.choice(people)
            lang = "en"
            refs: list[dict[str, str]] = []
            parent: FakeTweet | None = None
            mention = rng.choice(_BRAND_MENTIONS)
            if kind == "original":
                lang = rng.choice(("en", "en", "en", "es"))
                text = rng.choice(_EN if lang == "en" else _ES).format(b=mention)
            elif kind == "other_lang":
                lang = "fr"
                text = rng.choice(_FR).format(b=mention)
            elif kind == "excluded":
                text = rng.choice(_EXCLUDED)
            elif kind == "unrelated":
                text = rng.choice(_UNRELATED)
            else:
                parent = rng.choice(originals[-20:])
                parent_author = self.users[parent.obj["author_id"]]["username"]
                if kind == "brand_reply":
                    author = brand_care
                    text = f"@{parent_author} sorry about that, please DM us — Kestrel Mobile"
                    refs = [{"type": "replied_to", "id": parent.id}]
                elif kind == "reply":
                    text = f"@{parent_author} same here, @KestrelMobile please fix it"
                    refs = [{"type": "replied_to", "id": parent.id}]
                elif kind == "quote":
                    text = "this, every single day with Kestrel Mobile"
                    refs = [{"type": "quoted", "id": parent.id}]
                else:
                    text = f"RT @{parent_author}: {parent.obj['text']}"
                    refs = [{"type": "retweeted", "id": parent.id}]
                    lang = parent.obj["lang"]
            tweet_id = _snowflake(at, i)
            obj: dict[str, Any] = {
                "id": tweet_id,
                "text": text,
                "edit_history_tweet_ids": [tweet_id],
                "created_at": _iso(at),
                "lang": lang,
                "author_id": author["id"],
                "conversation_id": parent.obj["conversation_id"]
                if parent is not None and kind in {"brand_reply", "reply"}
                else tweet_id,
                "possibly_sensitive": False,
                "public_metrics": {
                    "retweet_count": rng.randint(0, 20),
                    "reply_count": rng.randint(0, 10),
                    "like_count": rng.randint(0, 200),
                    "quote_count": rng.randint(0, 3),
                    "bookmark_count": rng.randint(0, 5),
                    "impression_count": rng.randint(10, 20_000),
                },
            }
            if refs:
                obj["referenced_tweets"] = refs
            if parent is not None and kind in {"brand_reply", "reply"}:
                obj["in_reply_to_user_id"] = parent.obj["author_id"]
            tweet = FakeTweet(obj, kind, at)
            self.tweets[tweet_id] = tweet
            if kind == "original" and not on_bound:
                originals.append(tweet)

    def expected_ids(
        self, start: datetime, end: datetime, *, include_reposts: bool = False
    ) -> set[str]:
        """What the brand's search must find in ``[start, end)``, from how tweets were made."""
        kinds = MATCHING_KINDS | ({"retweet"} if include_reposts else set())
        return {
            t.id
            for t in self.tweets.values()
            if t.kind in kinds and t.obj["lang"] in BRAND_LANGUAGES and start <= t.created_at < end
        }

    # -- serving -----------------------------------------------------------------------

    def rate_limit_headers(self, reset_epoch_s: float) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(RATE_LIMIT),
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(reset_epoch_s) + 1),
        }

    def _current_rate_headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(RATE_LIMIT),
            "x-rate-limit-remaining": str(max(self._remaining, 0)),
            "x-rate-limit-reset": str(int(self._window_reset)),
        }

    def respond(self, request: Request) -> Response:
        response = super().respond(request)
        with self._rate_lock:
            response.headers = {**self._current_rate_headers(), **response.headers}
        return response

    def handle(self, request: Request) -> Response:
        if request.method != "GET" or request.path != SEARCH_PATH:
            return Response(404, problem(404, "Not Found Error", f"no route {request.path}"))
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Response(401, problem(401, "Unauthorized", "Unauthorized"))
        with self._rate_lock:
            now = time.time()
            if now >= self._window_reset:
                self._window_reset, self._remaining = now + WINDOW_S, RATE_LIMIT
            self._remaining -= 1
            if self._remaining < 0:
                return Response(
                    429,
                    problem(429, "Too Many Requests", "Too Many Requests"),
                    self.rate_limit_headers(self._window_reset - 1),
                )
        try:
            return self._search(request)
        except QueryError as exc:
            return self._invalid(str(exc), {"query": request.query.get("query", [""])})

    def _invalid(self, message: str, parameters: dict[str, list[str]]) -> Response:
        return Response(
            400,
            {
                "errors": [{"parameters": parameters, "message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        )

    def _search(self, request: Request) -> Response:
        params = {k: v[-1] for k, v in request.query.items()}
        query = params.get("query", "")
        if not query:
            return self._invalid("The `query` query parameter can not be empty", {"query": [""]})
        if len(query) > MAX_QUERY_CHARS:
            return self._invalid(
                f"The `query` query parameter value [{query}] is not valid: longer than "
                f"{MAX_QUERY_CHARS} characters",
                {"query": [query]},
            )
        raw_max = params.get("max_results", str(DEFAULT_RESULTS))
        if not raw_max.isdigit() or not MIN_RESULTS <= int(raw_max) <= MAX_RESULTS:
            return self._invalid(
                f"The `max_results` query parameter value [{raw_max}] is not between "
                f"{MIN_RESULTS} and {MAX_RESULTS}",
                {"max_results": [raw_max]},
            )
        bounds = []
        for name in ("start_time", "end_time"):
            value = params.get(name)
            try:
                bounds.append(datetime.fromisoformat(value) if value else None)
            except ValueError:
                return self._invalid(f"Invalid '{name}':'{value}'", {name: [value or ""]})
        start, end = bounds
        if start and end and start >= end:
            return self._invalid("Invalid 'end_time': must be after start_time", {})
        matches = parse_query(query)
        signature = (query, params.get("start_time", ""), params.get("end_time", ""))
        offset = 0
        token = params.get("next_token")
        if token is not None:
            known = self._cursors.get(token)
            if known is None or known[0] != signature:
                return self._invalid(
                    f"The `next_token` query parameter value [{token}] is not valid",
                    {"next_token": [token]},
                )
            offset = known[1]
        found = sorted(
            (
                t
                for t in self.tweets.values()
                if (start is None or t.created_at >= start)
                and (end is None or t.created_at < end)
                and matches(t)
            ),
            key=lambda t: (t.created_at, int(t.id)),
            reverse=True,
        )
        page = found[offset : offset + int(raw_max)]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0].id, page[-1].id
        if offset + len(page) < len(found):
            key = repr((signature, offset + len(page))).encode()
            next_token = hashlib.sha256(key).hexdigest()[:40]
            self._cursors[next_token] = (signature, offset + len(page))
            meta["next_token"] = next_token
        body: dict[str, Any] = {}
        if page:
            body["data"] = [self._fields(t.obj, params, "tweet.fields") for t in page]
            includes = self._includes(page, params)
            if includes:
                body["includes"] = includes
        body["meta"] = meta
        with self.lock:
            self.pages.append(token)
            self.served_ids.extend(t.id for t in page)
        return Response(200, body)

    @staticmethod
    def _fields(obj: dict[str, Any], params: dict[str, str], key: str) -> dict[str, Any]:
        defaults = _DEFAULT_TWEET_FIELDS if key == "tweet.fields" else _DEFAULT_USER_FIELDS
        wanted = set(defaults) | set(filter(None, params.get(key, "").split(",")))
        return {k: v for k, v in obj.items() if k in wanted}

    def _includes(self, page: Iterable[FakeTweet], params: dict[str, str]) -> dict[str, Any]:
        expansions = set(filter(None, params.get("expansions", "").split(",")))
        page = list(page)
        referenced = [
            self.tweets[r["id"]]
            for t in page
            for r in t.obj.get("referenced_tweets", [])
            if "referenced_tweets.id" in expansions and r["id"] in self.tweets
        ]
        user_ids: list[str] = []
        if "author_id" in expansions:
            user_ids += [t.obj["author_id"] for t in page]
        if "referenced_tweets.id.author_id" in expansions:
            user_ids += [t.obj["author_id"] for t in referenced]
        includes: dict[str, Any] = {}
        if user_ids:
            includes["users"] = [
                self._fields(self.users[u], params, "user.fields") for u in dict.fromkeys(user_ids)
            ]
        if referenced:
            unique = {t.id: t for t in referenced}
            includes["tweets"] = [
                self._fields(t.obj, params, "tweet.fields") for t in unique.values()
            ]
        return includes
