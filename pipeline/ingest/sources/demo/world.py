"""One brand's demo world, and its posts hour by hour.

Posts are generated per brand and per UTC hour, from a random generator seeded with
``(seed, brand, hour)``: each hour (:class:`Hour`) yields its originals (complaints, praise,
questions, neutral mentions, spam) and, together with each original, its follow-ups (the
brand's reply and the customer's answer, reposts, copies), which are timestamped later but
never more than :data:`MAX_FOLLOW_UP` after it. Volume follows the brand's *local* clock
(its profile's rhythms), some day-to-day noise, and the surges of incidents and weekly
bumps. What does not change from hour to hour (authors, slot fills, incidents in UTC) is a
:class:`World`, built once per brand and options and cached.
"""

from __future__ import annotations

import functools
import math
import random
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.demo import phrases as text_data
from pipeline.ingest.sources.demo.authors import (
    AUTHORS_PER_DAILY_POST,
    MAX_AUTHORS,
    MIN_AUTHORS,
    Author,
    Authors,
    user_id,
)
from pipeline.ingest.sources.demo.draws import Weighted, pick, poisson
from pipeline.ingest.sources.demo.profiles import (
    INCIDENT_TAIL_DECAY,
    INCIDENTS,
    PROFILES,
    Incident,
    Profile,
)
from pipeline.ingest.sources.demo.text import (
    BOT_STYLE,
    NEWS_OPENER_RATE,
    TEMPLATES,
    Writer,
    tidy,
)
from pipeline.posts.model import RawRecord

# --------------------------------------------------------------------------------------
# The follow-up horizon
# --------------------------------------------------------------------------------------

#: The latest a reply, repost or copy appears after the post it follows up.
MAX_FOLLOW_UP = timedelta(hours=36)

HOUR_S: Final = 3600  # seconds
MAX_FOLLOW_UP_S: Final = int(MAX_FOLLOW_UP.total_seconds())
#: X/Twitter's snowflake epoch (2010-11-04): ids are built like real post ids.
SNOWFLAKE_EPOCH_MS: Final = 1288834974657


# --------------------------------------------------------------------------------------
# The mix. Shares are our own choice, plausible for a consumer brand on social media:
# complaints a fifth of what people post, most mentions neutral, a few percent spam.
# --------------------------------------------------------------------------------------

#: Share of each intent among originals (posts by the public that start a thread).
INTENT_SHARES: Final[Mapping[str, float]] = {
    "complaint": 0.19,
    "praise": 0.21,
    "question": 0.13,
    "neutral": 0.43,
    "spam": 0.04,
}
#: Share of originals the brand answers in public (our choice: a busy care team answers
#: about half the complaints it sees, fewer questions, a little praise).
BRAND_REPLY_RATE: Final[Mapping[str, float]] = {"complaint": 0.55, "question": 0.40, "praise": 0.08}
#: During an incident the care team is swamped and answers fewer complaints (our choice).
INCIDENT_REPLY_RATE: Final = 0.30
#: Share of brand-answered threads where the customer answers back (our choice).
REPLY_BACK_RATE: Final[Mapping[str, float]] = {"complaint": 0.25, "question": 0.15}
#: Of those answers, the share saying "sorted, thanks" rather than "still broken".
RESOLVED_SHARE: Final[Mapping[str, float]] = {"complaint": 0.35, "question": 0.85}
#: Mean reposts per original, by intent: about 10 % of all posts end up being reposts.
REPOSTS_PER_ORIGINAL: Final[Mapping[str, float]] = {
    "complaint": 0.15, "praise": 0.20, "question": 0.03, "neutral": 0.14, "spam": 0.05,
}  # fmt: skip
#: Mean copies (same words, another account) per original: about 2 % of all posts, mostly
#: bots re-posting spam and headlines.
COPIES_PER_ORIGINAL: Final[Mapping[str, float]] = {
    "complaint": 0.02, "praise": 0.01, "question": 0.0, "neutral": 0.02, "spam": 0.30,
}  # fmt: skip
#: Share of copies posted by bot accounts rather than ordinary ones.
COPY_BY_BOT_SHARE: Final = 0.6

#: Expected follow-ups per original; posts_per_day counts both, so originals per day is
#: posts_per_day / (1 + this).
FOLLOW_UPS_PER_ORIGINAL: Final = sum(
    share
    * (
        BRAND_REPLY_RATE.get(intent, 0.0) * (1 + REPLY_BACK_RATE.get(intent, 0.0))
        + REPOSTS_PER_ORIGINAL[intent]
        + COPIES_PER_ORIGINAL[intent]
    )
    for intent, share in INTENT_SHARES.items()
)

# --------------------------------------------------------------------------------------
# Timing of follow-ups (seconds), our choice. Care-team replies: a median of about 2 h in
# business hours, longer at night (the queue waits for the morning) and at weekends.
# --------------------------------------------------------------------------------------

CARE_OPEN_HOUR: Final = 8  # local time the care team starts answering
CARE_CLOSE_HOUR: Final = 22  # local time it stops
REPLY_MEDIAN_S: Final = 2 * HOUR_S
REPLY_SIGMA: Final = 1.1  # log-normal spread: ~1 % of replies take more than a day
REPLY_WEEKEND_FACTOR: Final = 1.6  # thinner weekend shifts
REPLY_INCIDENT_FACTOR: Final = 2.5  # queues during an incident
REPLY_BACK_MEDIAN_S: Final = 35 * 60
REPOST_MEDIAN_S: Final = 40 * 60
REPOST_SIGMA: Final = 1.3
COPY_MEDIAN_S: Final = int(2.5 * HOUR_S)
COPY_SIGMA: Final = 1.1
MIN_FOLLOW_UP_S: Final = 30  # nobody answers faster than this

# Volume and language.
DAY_NOISE_SIGMA: Final = 0.10  # day-to-day volume wobble (log-normal, mean 1)
ES_AUTHOR_SHARE: Final = 0.05  # Spanish speakers among authors, for brands listening in "es"


def _bounded_lognormal(rng: random.Random, median: float, sigma: float, limit: float) -> int:
    """Seconds from a log-normal, redrawn when beyond ``limit`` (rarely more than once)."""
    limit = max(limit, MIN_FOLLOW_UP_S)
    value = limit
    for _ in range(5):
        value = median * math.exp(sigma * rng.gauss(0.0, 1.0))
        if value <= limit:
            break
    return max(MIN_FOLLOW_UP_S, int(min(value, limit)))


def _iso(ts: int) -> str:
    return _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(ts))


# --------------------------------------------------------------------------------------
# One brand's world: authors, slot fills, incidents in UTC. Built once and cached.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Surge:
    multiplier: float
    categories: Weighted[str]
    main_category: str
    incident: bool


class World:
    """Everything about one brand that does not change from hour to hour."""

    def __init__(
        self,
        seed: int,
        brand: BrandConfig,
        profile: Profile,
        posts_per_day: float,
        incidents: tuple[Incident, ...] = (),
    ) -> None:
        rng = random.Random(f"{seed}:{brand.id}:world")
        self.seed = seed
        self.brand_id = brand.id
        self.tz = brand.tz
        self.profile = profile
        self.originals_per_hour = posts_per_day / (1 + FOLLOW_UPS_PER_ORIGINAL) / 24
        self.intents: Weighted[str] = Weighted.of(list(INTENT_SHARES.items()))
        self.categories: Weighted[str] = Weighted.of(profile.categories)

        langs = ("en", "es") if "es" in brand.languages else ("en",)
        self.templates = {lang: TEMPLATES[profile.name][lang] for lang in langs}
        self.accounts = tuple(a if a.startswith("@") else f"@{a}" for a in brand.accounts)
        words = "".join(c if c.isalnum() else " " for c in brand.name).split() or [brand.id]
        short = words[0].lower()
        brand_tags = (*(t for t in brand.terms if t.startswith("#")), f"#{short}")
        self.brand_tags = brand_tags
        self.complaint_tags = brand_tags + text_data.HASHTAGS  # '#fail' is for complaints
        self.order_prefix = "".join(w[0] for w in words).upper()
        currency, cities = next(
            (cur, cities) for prefix, cur, cities in text_data.LOCALES
            if brand.timezone.startswith(prefix)
        )  # fmt: skip
        self.slots: dict[str, tuple[str, ...]] = {
            **text_data.COMMON_SLOTS,
            **text_data.PROFILE_SLOTS[profile.name],
            "brand": (brand.name, brand.name, words[0].capitalize(), short, brand.name.lower()),
            "short": (short,),
            "at": self.accounts,
            "tag": brand_tags,
            "status": (f"https://status.{short}.example",),
            "city": cities,
        }
        self.currency = currency

        n_public = min(MAX_AUTHORS, max(MIN_AUTHORS, int(posts_per_day * AUTHORS_PER_DAILY_POST)))
        es_share = ES_AUTHOR_SHARE if "es" in langs else 0.0
        style_rng = random.Random(f"{seed}:{brand.id}:styles")
        authors = Authors(rng, n_public, es_share, brand.account_handles, style_rng)
        self.public, self.bots, self.media = authors.public, authors.bots, authors.media

        # The brand's own accounts; a care/help account, if any, does most of the replying.
        care = [
            Author(user_id(rng), a.lstrip("@"), rng.randrange(20_000, 300_000), "en")
            for a in self.accounts
        ]
        care_weights = [
            6.0 if any(w in a.handle.lower() for w in ("care", "help", "support")) else 1.0
            for a in care
        ]
        self.care: Weighted[Author] = Weighted(care, care_weights)

        self.surges = self._incident_windows((*INCIDENTS.get(profile.name, ()), *incidents))

    def _incident_windows(
        self, incidents: Sequence[Incident]
    ) -> tuple[tuple[int, int, Surge], ...]:
        """Incidents as UTC ``(start, end, surge)`` windows, the fading tail included."""
        windows: list[tuple[int, int, Surge]] = []
        for inc in incidents:
            start = datetime.combine(inc.day, inc.start, tzinfo=self.tz)
            end = datetime.combine(inc.day + timedelta(days=inc.days), inc.end, tzinfo=self.tz)
            if end <= start:
                end += timedelta(days=1)
            cats = Weighted.of(inc.categories)
            main = max(inc.categories, key=lambda c: c[1])[0]
            start_ts, end_ts = int(start.timestamp()), int(end.timestamp())
            windows.append((start_ts, end_ts, Surge(inc.multiplier, cats, main, True)))
            for k in range(1, inc.tail_hours + 1):
                mult = 1 + (inc.multiplier - 1) * INCIDENT_TAIL_DECAY**k
                tail_start = end_ts + (k - 1) * HOUR_S
                windows.append((tail_start, tail_start + HOUR_S, Surge(mult, cats, main, True)))
        return tuple(windows)

    def surge_at(self, hour_ts: int, local: datetime) -> Surge | None:
        for start, end, surge in self.surges:
            if start <= hour_ts < end:
                return surge
        for bump in self.profile.weekly_bumps:
            if local.weekday() == bump.weekday and bump.start_hour <= local.hour < bump.end_hour:
                cats = Weighted.of(bump.categories)
                return Surge(bump.multiplier, cats, cats.items[0], False)
        return None


_WORLD_CACHE_SIZE: Final = 16  # brands x option sets kept built
_worlds: dict[tuple[Any, ...], World] = {}


def world_for(
    seed: int,
    brand: BrandConfig,
    profile: str,
    posts_per_day: float,
    incidents: tuple[Incident, ...] = (),
) -> World:
    """The world of a brand, built once per seed, config fields and options."""
    key = (
        seed, brand.id, brand.name, brand.timezone, brand.accounts, brand.terms,
        brand.languages, profile, posts_per_day, incidents,
    )  # fmt: skip
    world = _worlds.get(key)
    if world is None:
        if len(_worlds) >= _WORLD_CACHE_SIZE:
            del _worlds[next(iter(_worlds))]
        world = _worlds[key] = World(seed, brand, PROFILES[profile], posts_per_day, incidents)
    return world


@functools.lru_cache(maxsize=4096)
def _day_factor(seed: int, brand_id: str, day: date) -> float:
    """Day-to-day volume noise: log-normal with mean 1, one draw per brand and local date."""
    rng = random.Random(f"{seed}:{brand_id}:day:{day.isoformat()}")
    return math.exp(rng.gauss(-(DAY_NOISE_SIGMA**2) / 2, DAY_NOISE_SIGMA))


# --------------------------------------------------------------------------------------
# One hour of posts
# --------------------------------------------------------------------------------------

Row = tuple[int, int, RawRecord]  # (created_at as epoch seconds, numeric id, record)


@dataclass(frozen=True, slots=True)
class Truth:
    """What a post really is: the ``demo_truth`` of its record."""

    intent: str
    category: str | None = None
    incident: bool = False

    def but(self, intent: str, *, category: bool = True) -> Truth:
        """The truth of a follow-up: another intent, same subject."""
        return Truth(intent, self.category if category else None, self.incident)


class Hour:
    """Generates the originals of one UTC hour and all their follow-ups."""

    def __init__(self, world: World, hour_ts: int) -> None:
        hour = datetime.fromtimestamp(hour_ts, UTC)
        self.w = world
        self.rng = random.Random(f"{world.seed}:{world.brand_id}:{hour.isoformat()}")
        self.hour_ts = hour_ts
        self.local = hour.astimezone(world.tz)
        self.rows: list[Row] = []
        self.text = Writer(self.rng, world)

    def generate(self) -> list[Row]:
        w, rng, local = self.w, self.rng, self.local
        mean = (
            w.originals_per_hour
            * w.profile.hour_weights[local.hour]
            * w.profile.weekday_weights[local.weekday()]
            * _day_factor(w.seed, w.brand_id, local.date())
        )
        surge = w.surge_at(self.hour_ts, local)
        for _ in range(poisson(rng, mean)):
            self._original(self.hour_ts + rng.randrange(HOUR_S), w.intents.pick(rng), surge)
        if surge is not None:
            extra = mean * INTENT_SHARES["complaint"] * (surge.multiplier - 1)
            for _ in range(poisson(rng, extra)):
                ts = self.hour_ts + rng.randrange(HOUR_S)
                self._complaint(ts, Truth("complaint", surge.categories.pick(rng), surge.incident))
        return self.rows

    # -- originals ---------------------------------------------------------------------

    def _original(self, ts: int, intent: str, surge: Surge | None) -> None:
        if intent == "complaint":
            category = self.w.categories.pick(self.rng)
            incident = surge is not None and surge.incident and category == surge.main_category
            self._complaint(ts, Truth(intent, category, incident))
        elif intent == "spam":
            self._post(ts, self.w.bots.pick(self.rng), "spam", Truth(intent))
        else:
            self._post(ts, self.w.public.pick(self.rng), intent, Truth(intent))

    def _complaint(self, ts: int, truth: Truth) -> None:
        key = f"{'incident' if truth.incident else 'complaint'}.{truth.category}"
        self._post(ts, self.w.public.pick(self.rng), key, truth)

    def _post(self, ts: int, author: Author, key: str, truth: Truth) -> None:
        rng = self.rng
        templates = self.w.templates.get(author.lang, self.w.templates["en"])
        template = pick(rng, templates[key])
        if template.is_news:  # a headline, as a news account words it
            author = self.w.media.pick(rng)
            text = self.text.render(template)
            if rng.random() < NEWS_OPENER_RATE:
                text = f"{pick(rng, text_data.NEWS_OPENERS)} {text}"
        elif truth.intent == "spam":  # bots repeat themselves, with a varying tail
            text = self.text.compose(template, key, "spam", BOT_STYLE)
        else:
            text = self.text.compose(template, key, truth.intent, author.style)
            text = self.text.decorate(text, truth.intent, template, author.style, public=True)
        original = self._record(ts, author, tidy(text), template.lang, truth)
        if rng.random() < self._reply_rate(truth):
            self._brand_reply(original, ts, author, truth)
        for _ in range(poisson(rng, REPOSTS_PER_ORIGINAL[truth.intent])):
            self._repost(original, ts, author, truth)
        for _ in range(poisson(rng, COPIES_PER_ORIGINAL[truth.intent])):
            self._copy(original, ts, author, truth)

    # -- follow-ups --------------------------------------------------------------------

    @staticmethod
    def _reply_rate(truth: Truth) -> float:
        if truth.incident:
            return INCIDENT_REPLY_RATE
        return BRAND_REPLY_RATE.get(truth.intent, 0.0)

    def _brand_reply(self, original: RawRecord, ts: int, author: Author, truth: Truth) -> None:
        """The care team's answer and, now and then, the customer's answer back."""
        rng, w, lang = self.rng, self.w, original["lang"]
        if truth.intent == "complaint":
            key = "reply.incident" if truth.incident else f"reply.{truth.category}"
        else:
            key = f"reply.{truth.intent}"
        care = w.care.pick(rng)
        reply_ts = ts + self._reply_delay(ts, truth.incident)
        text = f"@{author.handle} {self.text.render(pick(rng, w.templates[lang][key]))}"
        reply = self._record(
            reply_ts, care, text, lang, truth.but("brand_reply"), reply_to=original
        )

        back_rate = REPLY_BACK_RATE.get(truth.intent, 0.0)
        if rng.random() >= back_rate:
            return
        back_ts = reply_ts + _bounded_lognormal(rng, REPLY_BACK_MEDIAN_S, 1.0, MAX_FOLLOW_UP_S)
        if back_ts - ts > MAX_FOLLOW_UP_S:
            return
        resolved = rng.random() < RESOLVED_SHARE[truth.intent]
        voice = "resolved" if resolved else "unresolved"
        key = f"followup.{voice}"
        template = pick(rng, w.templates[lang][key])
        body = self.text.compose(template, key, voice, author.style)
        body = self.text.decorate(body, voice, template, author.style, public=False)
        text = f"@{care.handle} {tidy(body)}"
        back = truth.but("praise", category=False) if resolved else truth.but("complaint")
        self._record(back_ts, author, text, template.lang, back, reply_to=reply)

    def _reply_delay(self, ts: int, incident: bool) -> int:
        """Seconds until the care team answers: waits for opening hours, log-normal queue."""
        local_hour = (self.local.hour + self.local.minute / 60 + (ts - self.hour_ts) / 3600) % 24
        wait = 0.0
        if not CARE_OPEN_HOUR <= local_hour < CARE_CLOSE_HOUR:
            wait = (CARE_OPEN_HOUR - local_hour) % 24 * HOUR_S
        median = float(REPLY_MEDIAN_S)
        if self.local.weekday() >= 5:
            median *= REPLY_WEEKEND_FACTOR
        if incident:
            median *= REPLY_INCIDENT_FACTOR
        limit = MAX_FOLLOW_UP_S - wait
        return int(wait) + _bounded_lognormal(self.rng, median, REPLY_SIGMA, limit)

    def _repost(self, original: RawRecord, ts: int, author: Author, truth: Truth) -> None:
        rng = self.rng
        reposter = self.w.public.pick(rng)
        if reposter is author:
            reposter = self.w.public.pick(rng)
        ts += _bounded_lognormal(rng, REPOST_MEDIAN_S, REPOST_SIGMA, MAX_FOLLOW_UP_S)
        text = f"RT @{author.handle}: {original['text']}"
        self._record(
            ts, reposter, text, original["lang"], truth.but("repost"), repost_of=original["id"]
        )

    def _copy(self, original: RawRecord, ts: int, author: Author, truth: Truth) -> None:
        rng = self.rng
        copier = (self.w.bots if rng.random() < COPY_BY_BOT_SHARE else self.w.public).pick(rng)
        if copier is author:
            return
        ts += _bounded_lognormal(rng, COPY_MEDIAN_S, COPY_SIGMA, MAX_FOLLOW_UP_S)
        self._record(ts, copier, original["text"], original["lang"], truth.but("copy"))

    # -- records -----------------------------------------------------------------------

    def _record(
        self,
        ts: int,
        author: Author,
        text: str,
        lang: str,
        truth: Truth,
        *,
        reply_to: RawRecord | None = None,
        repost_of: str | None = None,
    ) -> RawRecord:
        rng = self.rng
        # A snowflake: milliseconds since the epoch, then 22 random bits (worker/sequence).
        millis = ts * 1000 + rng.randrange(1000) - SNOWFLAKE_EPOCH_MS
        numeric_id = (millis << 22) | rng.getrandbits(22)
        post_id = str(numeric_id)
        record: RawRecord = {
            "id": post_id,
            "created_at": _iso(ts),
            "author": {"id": author.id, "handle": author.handle, "followers": author.followers},
            "text": text,
            "lang": lang,
            "url": f"https://social.example/{author.handle}/status/{post_id}",
            "conversation_id": reply_to["conversation_id"] if reply_to else post_id,
            "in_reply_to": (
                {"post_id": reply_to["id"], "author_id": reply_to["author"]["id"]}
                if reply_to
                else None
            ),
            "repost_of": repost_of,
            "demo_truth": {
                "intent": truth.intent,
                "category": truth.category,
                "incident": truth.incident,
            },
        }
        self.rows.append((ts, numeric_id, record))
        return record
