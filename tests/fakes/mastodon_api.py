"""A fake Mastodon instance's hashtag timelines on loopback.

It answers like Mastodon does (docs.joinmastodon.org: methods/timelines/#tag,
entities/Status, api/guidelines/#pagination, api/rate-limits):

- ``GET /api/v1/timelines/tag/:hashtag`` lists the statuses carrying the tag, newest
  first (by id), ``limit`` defaults to 20 and is clamped to 40; ``max_id`` (ids below it)
  and ``since_id`` (ids above it) bound the page, which holds the newest statuses inside;
  ``min_id`` (ids above it) instead gives the oldest statuses above it (still newest first),
  for paging forwards; a ``Link`` header gives the ``next`` (older, ``max_id``) and ``prev``
  (newer, ``min_id``) pages;
- ids are Mastodon snowflakes (milliseconds << 16 | sequence) of when the status reached
  the instance: a remote status that arrived late sorts after newer ones;
- ``content`` is the HTML Mastodon renders: ``<p>`` paragraphs, ``<br />``, hashtag and
  mention links, long URLs split into ``invisible`` / ``ellipsis`` spans, entities
  (``&amp;``, ``&lt;``, ``&quot;``, ``&#39;``);
- boosts are Statuses with empty ``content`` and the boosted Status in ``reblog``;
- with ``token`` set, requests need ``Authorization: Bearer <token>`` (401 otherwise);
- unknown paths answer 404 ``{"error": "Record not found"}``;
- every answer carries ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (ISO 8601).

The statuses are our own, about the made-up brand "Larkspur Mobile": each records the
plain text it was written as, which timelines show it and what kind of post it is, so
tests know what a fetch must land without trusting the fake.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from tests.fakes.server import FakeAPI, Fault, Request, Response

TAG_PREFIX = "/api/v1/timelines/tag/"
DOMAIN = "larkspur.social"
#: Mastodon's documented bounds for the tag timeline and its default rate limit
#: (300 requests per 5 minutes per account or IP).
MAX_LIMIT, DEFAULT_LIMIT = 40, 20
RATE_LIMIT, WINDOW_S = 300, 300

BRAND_NAME = "Larkspur Mobile"
BRAND_TERMS = ("Larkspur Mobile", "#larkspurmobile", "#larkspur")
BRAND_EXCLUDE = ("larkspur mobile home",)
#: The brand's accounts on the fediverse: one local to the instance, one remote.
BRAND_ACCOUNTS = ("@LarkspurMobile", "@LarkspurHelp")
HASHTAGS = ("larkspurmobile", "larkspur")

TOKEN = "mstdn-fake-token-9f8e7d6c5b4a"

BASE = datetime(2026, 10, 22, 10, tzinfo=UTC)
SPAN = timedelta(hours=6)
WINDOW_START = BASE + timedelta(hours=2)
WINDOW_END = BASE + timedelta(hours=4)

_NAMES = ("ana", "ben", "chloe", "dev", "ema", "finn", "gus", "hana", "ivo", "jo", "kai", "lu")
_REMOTE = ("mastodon.example", "fosstodon.example", "hachyderm.example")

_TAGGED = (
    "no signal in town since lunch #larkspurmobile",
    'Bill went up by £4 & nobody told me, that\'s not "OK" <3 #larkspurmobile',
    "Coverage map says 5G, my phone says E\nsee "
    "https://coverage.larkspur.example/map?area=leeds-central&zoom=12 #larkspurmobile",
    "Day 3 without data.\n\nStill waiting for a callback #larkspurmobile",
)
_TAGGED_B = (
    "#larkspur customer service was lovely today",
    "is #larkspur down or is it just me?",
)
_BOTH = ("#larkspurmobile #larkspur roaming works again 🎉",)
_EXCLUDED = ("Larkspur Mobile Home park: pitches free for August #larkspurmobile",)
_UNTAGGED = ("the larkspur in my garden is finally blooming",)

#: Kinds of generated status and the timelines (hashtags) that show them.
TIMELINES_BY_KIND: dict[str, frozenset[str]] = {
    "tagged": frozenset({"larkspurmobile"}),
    "late": frozenset({"larkspurmobile"}),  # remote, reached the instance 5-25 min late
    "tagged_b": frozenset({"larkspur"}),
    "both": frozenset({"larkspurmobile", "larkspur"}),
    "reply": frozenset({"larkspurmobile"}),
    "brand_reply": frozenset({"larkspurmobile"}),
    "boost": frozenset({"larkspurmobile"}),
    "excluded": frozenset({"larkspurmobile"}),
    "untagged": frozenset(),
}
#: Kinds the brand's fetch must land (when in the window).
LANDED_KINDS = frozenset(TIMELINES_BY_KIND) - {"excluded", "untagged"}

_WORD_TAG = re.compile(r"^#(\w+)$")
_WORD_MENTION = re.compile(r"^@(\w+)$")
_URL_HEAD = 30  # Mastodon shows the first 30 characters of a long link's URL


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _first(query: dict[str, list[str]], name: str) -> str | None:
    """A query parameter's first value, or None."""
    values = query.get(name)
    return values[0] if values else None


def passthrough() -> Fault:
    """A fault that answers normally."""
    return Fault(lambda api: Response(-1, None, {}, 0.0))


def snowflake(at: datetime, sequence: int) -> str:
    return str((int(at.timestamp() * 1000) << 16) | (sequence & 0xFFFF))


def _escape(text: str) -> str:
    """Rails' ``h()``: what Mastodon escapes in status text."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _render_word(word: str) -> str:
    if m := _WORD_TAG.match(word):
        tag = m[1]
        return (
            f'<a href="https://{DOMAIN}/tags/{tag}" class="mention hashtag" rel="tag">'
            f"#<span>{tag}</span></a>"
        )
    if m := _WORD_MENTION.match(word):
        user = m[1]
        return (
            f'<span class="h-card" translate="no"><a href="https://{DOMAIN}/@{user}" '
            f'class="u-url mention">@<span>{user}</span></a></span>'
        )
    if word.startswith(("https://", "http://")):
        scheme, rest = word.split("//", 1)
        head, tail = rest[:_URL_HEAD], rest[_URL_HEAD:]
        return (
            f'<a href="{_escape(word)}" target="_blank" rel="nofollow noopener" translate="no">'
            f'<span class="invisible">{scheme}//</span>'
            f'<span class="{"ellipsis" if tail else ""}">{_escape(head)}</span>'
            f'<span class="invisible">{_escape(tail)}</span></a>'
        )
    return _escape(word)


def render(plain: str) -> str:
    """Plain status text as the HTML ``content`` Mastodon serves."""
    paragraphs = []
    for para in plain.split("\n\n"):
        lines = [
            "".join(_render_word(w) if w.strip() else w for w in re.split(r"(\s+)", line))
            for line in para.split("\n")
        ]
        paragraphs.append("<p>" + "<br />".join(lines) + "</p>")
    return "".join(paragraphs)


@dataclass(frozen=True)
class FakeStatus:
    """One stored status: the entity as served, and how it was made."""

    entity: dict[str, Any]
    kind: str
    created_at: datetime
    #: The plain text of what it shows (for a boost, the boosted status's).
    plain: str

    @property
    def id(self) -> str:
        return str(self.entity["id"])

    @property
    def timelines(self) -> frozenset[str]:
        return TIMELINES_BY_KIND[self.kind]


class FakeMastodon(FakeAPI):
    """A Mastodon instance with ``count`` generated statuses in ``[BASE, BASE + SPAN)``.

    ``served_pages`` logs ``(hashtag, max_id)`` of every timeline page answered 200 and
    ``served_pages_ids`` the ids on it.
    :meth:`fail_on` scripts a fault on the n-th timeline request.
    """

    def __init__(self, *, count: int = 200, seed: int = 5, token: str | None = None) -> None:
        super().__init__()
        self.token = token
        self.statuses: list[FakeStatus] = []
        self.served_pages: list[tuple[str, str | None]] = []
        self.served_pages_ids: list[list[str]] = []
        self._scheduled: dict[int, Fault] = {}
        self._remaining = RATE_LIMIT
        self._window_reset = time.time() + WINDOW_S
        self._generate(random.Random(seed), count)

    # -- data --------------------------------------------------------------------------

    def _account(
        self, rng: random.Random, i: int, username: str, domain: str | None, followers: int
    ) -> dict[str, Any]:
        acct = f"{username}@{domain}" if domain else username
        host = domain or DOMAIN
        return {
            "id": str(109_000_000_000_000_000 + i * 7919),
            "username": username,
            "acct": acct,
            "display_name": username.capitalize(),
            "locked": False,
            "bot": False,
            "discoverable": True,
            "group": False,
            "created_at": "2022-11-06T00:00:00.000Z",
            "note": "<p></p>",
            "url": f"https://{host}/@{username}",
            "avatar": f"https://{DOMAIN}/avatars/original/missing.png",
            "avatar_static": f"https://{DOMAIN}/avatars/original/missing.png",
            "header": f"https://{DOMAIN}/headers/original/missing.png",
            "header_static": f"https://{DOMAIN}/headers/original/missing.png",
            "followers_count": followers,
            "following_count": rng.randint(0, 500),
            "statuses_count": rng.randint(1, 9000),
            "last_status_at": "2026-10-22",
            "emojis": [],
            "fields": [],
        }

    def _status(
        self,
        rng: random.Random,
        seq: int,
        at: datetime,
        account: dict[str, Any],
        plain: str,
        *,
        kind: str,
        arrived: datetime | None = None,
        parent: FakeStatus | None = None,
        reblog: FakeStatus | None = None,
    ) -> FakeStatus:
        status_id = snowflake(arrived or at, seq)
        host = account["acct"].split("@")[1] if "@" in account["acct"] else DOMAIN
        tags = sorted({t for t in re.findall(r"#(\w+)", plain)}) if reblog is None else []
        lang = "es" if plain.startswith(("¿", "sin ")) else "en"
        entity: dict[str, Any] = {
            "id": status_id,
            "created_at": iso(at),
            "in_reply_to_id": parent.id if parent else None,
            "in_reply_to_account_id": parent.entity["account"]["id"] if parent else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": None if reblog else lang,
            "uri": f"https://{host}/users/{account['username']}/statuses/{status_id}"
            + ("/activity" if reblog else ""),
            "url": None if reblog else f"https://{host}/@{account['username']}/{status_id}",
            "replies_count": rng.randint(0, 5),
            "reblogs_count": rng.randint(0, 9),
            "favourites_count": rng.randint(0, 40),
            "edited_at": None,
            "content": "" if reblog else render(plain),
            "reblog": reblog.entity if reblog else None,
            "account": account,
            "media_attachments": [],
            "mentions": [],
            "tags": [{"name": t, "url": f"https://{DOMAIN}/tags/{t}"} for t in tags],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        if parent is not None:
            parent_account = parent.entity["account"]
            entity["mentions"] = [
                {
                    "id": parent_account["id"],
                    "username": parent_account["username"],
                    "url": parent_account["url"],
                    "acct": parent_account["acct"],
                }
            ]
        return FakeStatus(entity, kind, at, reblog.plain if reblog else plain)

    def _generate(self, rng: random.Random, count: int) -> None:
        brand_local = self._account(rng, 0, "LarkspurHelp", None, 2100)
        brand_remote = self._account(rng, 1, "LarkspurMobile", "larkspur.example", 8800)
        people = [
            self._account(
                rng,
                i + 2,
                f"{rng.choice(_NAMES)}{i}",
                rng.choice((None, *_REMOTE)),
                rng.randint(0, 3000),
            )
            for i in range(30)
        ]
        weights = {
            "tagged": 30,
            "late": 6,
            "tagged_b": 12,
            "both": 8,
            "reply": 12,
            "brand_reply": 8,
            "boost": 10,
            "excluded": 6,
            "untagged": 8,
        }
        kinds, cum = list(weights), list(weights.values())
        step = SPAN.total_seconds() / count
        originals: list[FakeStatus] = []
        for i in range(count):
            at = BASE + timedelta(seconds=i * step + rng.uniform(0, step * 0.9))
            at = at.replace(microsecond=(at.microsecond // 1000) * 1000)
            kind = rng.choices(kinds, cum)[0]
            if kind in {"reply", "brand_reply", "boost"} and not originals:
                kind = "tagged"
            if i in {count // 3, 2 * count // 3}:  # exactly on the window's bounds
                at, kind = (WINDOW_START if i == count // 3 else WINDOW_END), "tagged"
            author = rng.choice(people)
            arrived = None
            if i == count // 3 - 2:  # from before the window, but it arrived inside it
                at, kind = WINDOW_START - timedelta(minutes=10), "late"
            parent = reblog = None
            if kind in {"tagged", "late"}:
                plain = rng.choice(_TAGGED)
                if kind == "late":
                    author = next(p for p in people if "@" in p["acct"])
                    delay = 25.0 if i == count // 3 - 2 else rng.uniform(5, 25)
                    arrived = at + timedelta(minutes=delay)
            elif kind == "tagged_b":
                plain = rng.choice(_TAGGED_B)
            elif kind == "both":
                plain = rng.choice(_BOTH)
            elif kind == "excluded":
                plain = rng.choice(_EXCLUDED)
            elif kind == "untagged":
                plain = rng.choice(_UNTAGGED)
            elif kind == "boost":
                reblog = rng.choice(originals[-15:])
                plain = reblog.plain
            else:
                parent = rng.choice(originals[-15:])
                who = parent.entity["account"]["username"]
                if kind == "brand_reply":
                    author = rng.choice((brand_local, brand_remote))
                    plain = (
                        f"@{who} sorry about that! We're on it: "
                        "https://status.larkspur.example/incidents/2026-10-22-data-outage "
                        "#larkspurmobile"
                    )
                else:
                    plain = f"@{who} same here! #larkspurmobile\n\nstill nothing at 5pm"
            status = self._status(
                rng,
                i,
                at,
                author,
                plain,
                kind=kind,
                arrived=arrived,
                parent=parent,
                reblog=reblog,
            )
            self.statuses.append(status)
            if kind in {"tagged", "both"}:
                originals.append(status)

    def expected(self, start: datetime, end: datetime, hashtags: tuple[str, ...]) -> list[str]:
        """The ids a fetch of ``hashtags`` must land for ``[start, end)`` (a status in two
        timelines is listed twice), from how statuses were made."""
        return [
            s.id
            for s in self.statuses
            if s.kind in LANDED_KINDS and start <= s.created_at < end
            for tag in hashtags
            if tag in s.timelines
        ]

    def add_backlog(self, created_at: datetime, arrived: datetime, count: int) -> list[FakeStatus]:
        """``count`` tagged statuses written at ``created_at`` by a remote account whose
        server delivered them all at ``arrived`` (a queue flushed after an outage): their
        ids are snowflakes of ``arrived``, in a run of consecutive ids."""
        rng = random.Random(count)
        author = next(s.entity["account"] for s in self.statuses if s.kind == "late")
        added = [
            self._status(
                rng,
                0x8000 + len(self.statuses) + j,
                created_at,
                author,
                _TAGGED[j % len(_TAGGED)],
                kind="late",
                arrived=arrived,
            )
            for j in range(count)
        ]
        self.statuses.extend(added)
        return added

    def status(self, status_id: str) -> FakeStatus:
        return next(s for s in self.statuses if s.id == status_id)

    # -- control -----------------------------------------------------------------------

    def fail_on(self, nth: int, fault: Fault) -> None:
        """Answer the ``nth`` timeline request (1-based, from the start) with ``fault``."""
        self._scheduled[nth] = fault

    def timeline_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(TAG_PREFIX)]

    # -- serving -----------------------------------------------------------------------

    def rate_limit_headers(self, reset_epoch_s: float) -> dict[str, str]:
        reset = datetime.fromtimestamp(reset_epoch_s, tz=UTC)
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }

    def respond(self, request: Request) -> Response:
        with self.lock:
            nth = sum(1 for r in self.requests if r.path.startswith(TAG_PREFIX)) + 1
            fault = self._scheduled.pop(nth, None) if request.path.startswith(TAG_PREFIX) else None
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
            if not any(k.lower().startswith("x-ratelimit-") for k in response.headers):
                headers = self.rate_limit_headers(self._window_reset)
                headers["X-RateLimit-Remaining"] = str(max(self._remaining, 0))
                response.headers.update(headers)
        return response

    def handle(self, request: Request) -> Response:
        if request.method != "GET" or not request.path.startswith(TAG_PREFIX):
            return Response(404, {"error": "Record not found"})
        if self.token is not None:
            header = request.headers.get("authorization", "")
            if not header:
                return Response(401, {"error": "This method requires an authenticated user"})
            if header != f"Bearer {self.token}":
                return Response(401, {"error": "The access token is invalid"})
        tag = unquote(request.path.removeprefix(TAG_PREFIX)).casefold()
        q = request.query
        raw_limit = (q.get("limit") or [""])[0]
        limit = min(abs(int(raw_limit)), MAX_LIMIT) if raw_limit.lstrip("-").isdigit() else 0
        limit = limit or DEFAULT_LIMIT
        max_id = _first(q, "max_id")
        since_id = _first(q, "since_id")
        min_id = _first(q, "min_id")
        shown = sorted(
            (s for s in self.statuses if tag in s.timelines),
            key=lambda s: int(s.id),
            reverse=True,
        )
        if max_id is not None:
            shown = [s for s in shown if int(s.id) < int(max_id)]
        if since_id is not None:
            shown = [s for s in shown if int(s.id) > int(since_id)]
        if min_id is not None:  # the oldest above min_id, served newest first
            shown = [s for s in shown if int(s.id) > int(min_id)]
            shown = shown[-limit:]
        page = shown[:limit]
        headers: dict[str, str] = {}
        if page:
            base = f"http://{request.headers.get('host', '127.0.0.1')}{request.path}"
            headers["Link"] = (
                f'<{base}?max_id={page[-1].id}>; rel="next", '
                f'<{base}?min_id={page[0].id}>; rel="prev"'
            )
        with self.lock:
            self.served_pages.append((tag, max_id))
            self.served_pages_ids.append([s.id for s in page])
        return Response(200, [s.entity for s in page], headers)
