"""The built-in demo source: realistic, deterministic posts about a brand, with no network.

It plays the part of a provider API so that the whole pipeline runs with zero set-up. Each
brand picks a *profile* (``telecom`` or ``grocery``) and a volume in its ``sources.demo``
options::

    sources:
      demo:
        profile: telecom
        posts_per_day: 900

How posts are made
------------------
Posts are generated per brand and per UTC hour, from a random generator seeded with
``(seed, brand id, hour)`` and nothing else (no clock, no global random state). An hour
yields its originals (complaints, praise, questions, neutral mentions, spam) and, together
with each original, its follow-ups (the brand's reply and the customer's answer, reposts,
copies), which are timestamped later but never more than :data:`MAX_FOLLOW_UP` after it.
:meth:`DemoSource.fetch` therefore generates every hour from ``start - MAX_FOLLOW_UP`` to
``end`` and keeps the records created in ``[start, end)``: the answer for an interval is
the same however the interval is split, and the same on every run.

Volume follows the brand's *local* clock (quiet nights, lunch and evening peaks), a weekly
rhythm per profile and some day-to-day noise. Incidents (:data:`INCIDENTS`) and weekly
bumps are data: a telecom brand has a network outage on 2026-10-22, 13:00-18:00 local.

Texts are composed, not picked whole: a core sentence with paraphrases inside it, and now
and then an opener, a concrete detail (how long, how much, which order), a consequence, a
closer, emoji, hashtags and an @mention, each chosen independently (phrases and template
syntax in :mod:`pipeline.ingest.sources.demo.phrases`). Every author keeps a writing style
(all lower
case or tidy capitals, emoji habits, a verbal tic, typos). So, as with real people, two
authors almost never write the same words: what repeats is the deliberate copies, bots'
spam and headlines several news accounts share.

Every record carries ``demo_truth`` (intent, complaint category, incident flag): ground
truth for tests and evaluation. The scorer never reads it.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import logging
import math
import random
import re
import string
import time as _time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Generic, TypeVar

from pipeline.config.brands import BrandConfig
from pipeline.errors import ConfigError, InputError
from pipeline.ingest.sources import fields
from pipeline.ingest.sources.base import Page, RawRecord
from pipeline.ingest.sources.demo import phrases as text_data
from pipeline.posts.model import Post
from pipeline.secrets import SecretLookup

logger = logging.getLogger(__name__)

T = TypeVar("T")

# --------------------------------------------------------------------------------------
# The demo window and the follow-up horizon
# --------------------------------------------------------------------------------------

DEMO_SEED: int = 20261005
DEMO_START: datetime = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
DEMO_DAYS: int = 28
DEMO_END: datetime = DEMO_START + timedelta(days=DEMO_DAYS)
#: The latest a reply, repost or copy appears after the post it follows up.
MAX_FOLLOW_UP = timedelta(hours=36)

_HOUR_S: Final = 3600
_MAX_FOLLOW_UP_S: Final = int(MAX_FOLLOW_UP.total_seconds())
#: X/Twitter's snowflake epoch (2010-11-04): ids are built like real post ids.
_SNOWFLAKE_EPOCH_MS: Final = 1288834974657
#: posts_per_day accepted for the demo: enough for any dashboard, small enough for memory.
MAX_POSTS_PER_DAY: Final = 100_000
#: Used when a brand's demo options give no posts_per_day.
DEFAULT_POSTS_PER_DAY: Final = 500

# --------------------------------------------------------------------------------------
# The mix. Shares are our own choice, plausible for a consumer brand on social media:
# complaints a fifth of what people post, most mentions neutral, a few percent spam.
# --------------------------------------------------------------------------------------

CATEGORIES: Final = (
    "delivery", "billing", "customer_service", "product_quality", "outage", "pricing", "staff",
)  # fmt: skip

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
REPLY_MEDIAN_S: Final = 2 * _HOUR_S
REPLY_SIGMA: Final = 1.1  # log-normal spread: ~1 % of replies take more than a day
REPLY_WEEKEND_FACTOR: Final = 1.6  # thinner weekend shifts
REPLY_INCIDENT_FACTOR: Final = 2.5  # queues during an incident
REPLY_BACK_MEDIAN_S: Final = 35 * 60
REPOST_MEDIAN_S: Final = 40 * 60
REPOST_SIGMA: Final = 1.3
COPY_MEDIAN_S: Final = int(2.5 * _HOUR_S)
COPY_SIGMA: Final = 1.1
MIN_FOLLOW_UP_S: Final = 30  # nobody answers faster than this

# --------------------------------------------------------------------------------------
# Texture of the text (rates per post, our choice). Posts are composed from independently
# picked parts so that, as with real people, two authors almost never write the same words.
# --------------------------------------------------------------------------------------

DAY_NOISE_SIGMA: Final = 0.10  # day-to-day volume wobble (log-normal, mean 1)
ES_AUTHOR_SHARE: Final = 0.05  # Spanish speakers among authors, for brands listening in "es"
SHOUTING_RATE: Final = 0.05  # complaints written in ALL CAPS
CAPITALISED_RATE: Final = 0.3  # posts starting with a capital letter (authors without a habit)
EXTRA_MENTION_RATE: Final = 0.2  # @brand tagged when the text has none
OPENER_RATE: Final = 0.25  # "ugh.", "ngl", "quick question:" in front
CLOSER_RATE: Final = 0.3  # "smh", "10/10", "anyone?" at the end
HASHTAG_RATE: Final = 0.07
SCREENSHOT_RATE: Final = 0.05  # complaints with a link to a screenshot
DOUBLE_EMOJI_RATE: Final = 0.2
EMOJI_RATE: Final[Mapping[str, float]] = {
    "complaint": 0.25, "praise": 0.45, "question": 0.1, "neutral": 0.1,
}  # fmt: skip
#: A concrete detail ("restarted 3 times", "order #FM1234567") added to the core, by voice.
DETAIL_RATE: Final[Mapping[str, float]] = {
    "complaint": 0.5, "praise": 0.35, "question": 0.35, "neutral": 0.2,
    "resolved": 0.3, "unresolved": 0.45, "spam": 0.5,
}  # fmt: skip
NEWS_OPENER_RATE: Final = 0.4  # "BREAKING:", "ICYMI:" in front of a headline
CONSEQUENCE_RATE: Final = 0.25  # complaints saying what it cost ("missed a call from work")
TIC_RATE: Final = 0.35  # an author with a verbal tic ("tbh", "ngl") uses it this often

# Authors' writing styles: each author keeps one for all their posts (our choice).
LOWERCASE_AUTHOR_SHARE: Final = 0.35  # never use the shift key
TIDY_AUTHOR_SHARE: Final = 0.25  # capitalise sentences and "I"
NO_EMOJI_AUTHOR_SHARE: Final = 0.3
EMOJI_LOVER_SHARE: Final = 0.15  # ... and these use them 2.5x as often as average
EMOJI_LOVER_FACTOR: Final = 2.5
TIC_AUTHOR_SHARE: Final = 0.5  # authors with a verbal tic
HASHTAGGER_SHARE: Final = 0.1  # authors who use hashtags 4x as often as average ...
HASHTAGGER_FACTOR: Final = 4.0
OTHER_HASHTAG_FACTOR: Final = 0.6  # ... and the others less
SLOPPY_AUTHOR_SHARE: Final = 0.15  # typo-prone thumbs
SLOPPY_TYPO_RATE: Final = 0.15  # typos per post of a sloppy author ...
TYPO_RATE: Final = 0.03  # ... and of everybody else (about 5 % of posts overall)

# Authors: a few thousand per brand, followers heavy-tailed from ~5 to ~500k.
AUTHORS_PER_DAILY_POST: Final = 8  # pool size relative to posts_per_day ...
MIN_AUTHORS, MAX_AUTHORS = 800, 12_000  # ... within these bounds
BOT_AUTHORS: Final = 150
FOLLOWERS_MEDIAN: Final = 180  # typical personal account
FOLLOWERS_SIGMA: Final = 1.5
BIG_ACCOUNT_SHARE: Final = 0.005  # influencers among ordinary authors
BIG_FOLLOWERS_MEDIAN: Final = 30_000
MEDIA_FOLLOWERS_MEDIAN: Final = 120_000
MIN_FOLLOWERS, MAX_FOLLOWERS = 5, 500_000
ACTIVITY_PARETO_ALPHA: Final = 1.3  # a few authors post a lot, most once or twice ...
MAX_ACTIVITY: Final = 30.0  # ... but none more than ~30x the quietest
MAX_HANDLE_LEN: Final = 15  # as on X

# --------------------------------------------------------------------------------------
# Profiles and incidents, as data
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incident:
    """A one-off surge of complaints at a local date and time, e.g. a network outage.

    ``multiplier`` is the complaint volume relative to a normal hour; the surge applies to
    the whole hours starting in ``[start, end)`` local time and fades over ``tail_hours``.
    Complaints about it carry ``demo_truth.incident = true``.
    """

    day: date
    start: time
    end: time
    multiplier: float
    categories: tuple[tuple[str, float], ...]
    tail_hours: int = 0
    label: str = ""
    days: int = 0  # days between the start's and the end's local date (0: same day)


@dataclass(frozen=True)
class WeeklyBump:
    """A recurring rise of complaints, local time (``weekday``: 0 = Monday)."""

    weekday: int
    start_hour: int
    end_hour: int
    multiplier: float
    categories: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Profile:
    """How one kind of business is talked about: rhythms and complaint categories."""

    name: str
    hour_weights: tuple[float, ...]  # by local hour, mean 1
    weekday_weights: tuple[float, ...]  # Monday first, mean 1
    categories: tuple[tuple[str, float], ...]
    weekly_bumps: tuple[WeeklyBump, ...] = ()


def _mean_one(weights: Sequence[float]) -> tuple[float, ...]:
    mean = sum(weights) / len(weights)
    return tuple(w / mean for w in weights)


# Hour-of-day weights by local hour (0-23): quiet 1-6am, peaks at lunch and in the evening.
# Shapes follow the usual daily curve of brand mentions; the numbers are our choice.
_TELECOM_HOURS: Final = (
    0.75, 0.45, 0.3, 0.22, 0.22, 0.3, 0.55, 0.85, 1.1, 1.2, 1.25, 1.3,
    1.5, 1.45, 1.2, 1.15, 1.2, 1.3, 1.4, 1.55, 1.6, 1.5, 1.25, 1.0,
)  # fmt: skip
# Grocery: morning order cut-offs, lunch, and the evening delivery slots.
_GROCERY_HOURS: Final = (
    0.6, 0.3, 0.2, 0.15, 0.15, 0.25, 0.55, 0.95, 1.2, 1.25, 1.2, 1.15,
    1.35, 1.3, 1.1, 1.05, 1.15, 1.35, 1.55, 1.7, 1.65, 1.45, 1.1, 0.85,
)  # fmt: skip
# Day-of-week weights, Monday first. Telecom: busier on weekdays (work phones, billing,
# store visits). Grocery: busier at weekends (the big weekly shop).
_TELECOM_WEEKDAYS: Final = (1.1, 1.1, 1.08, 1.06, 1.02, 0.85, 0.79)
_GROCERY_WEEKDAYS: Final = (0.92, 0.85, 0.88, 0.93, 1.0, 1.15, 1.27)
# Complaint categories and their shares (our choice, from the kind of business).
_TELECOM_CATEGORIES: Final = (
    ("outage", 0.22), ("billing", 0.22), ("customer_service", 0.18), ("pricing", 0.12),
    ("product_quality", 0.10), ("delivery", 0.10), ("staff", 0.06),
)  # fmt: skip
_GROCERY_CATEGORIES: Final = (
    ("delivery", 0.34), ("product_quality", 0.20), ("billing", 0.14),
    ("customer_service", 0.10), ("pricing", 0.08), ("staff", 0.07), ("outage", 0.07),
)  # fmt: skip

PROFILES: Final[Mapping[str, Profile]] = {
    "telecom": Profile(
        name="telecom",
        hour_weights=_mean_one(_TELECOM_HOURS),
        weekday_weights=_mean_one(_TELECOM_WEEKDAYS),
        categories=_TELECOM_CATEGORIES,
    ),
    "grocery": Profile(
        name="grocery",
        hour_weights=_mean_one(_GROCERY_HOURS),
        weekday_weights=_mean_one(_GROCERY_WEEKDAYS),
        categories=_GROCERY_CATEGORIES,
        # Sunday evening delivery slots are the busiest: a mild bump of late deliveries.
        weekly_bumps=(WeeklyBump(6, 17, 21, 1.3, (("delivery", 1.0),)),),
    ),
}

#: Incidents by profile, in the brand's local time.
INCIDENTS: Final[Mapping[str, tuple[Incident, ...]]] = {
    "telecom": (
        Incident(
            day=date(2026, 10, 22),
            start=time(13, 0),
            end=time(18, 0),
            multiplier=9.0,
            categories=(("outage", 0.85), ("customer_service", 0.10), ("billing", 0.05)),
            tail_hours=2,
            label="network outage",
        ),
    ),
    "grocery": (),
}
#: How fast an incident fades: each tail hour keeps this share of the extra complaints.
INCIDENT_TAIL_DECAY: Final = 0.3

# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------

_ALNUM: Final = string.ascii_letters + string.digits
_POISSON_NORMAL_ABOVE: Final = 40.0  # normal approximation beyond this mean


class _Weighted(Generic[T]):
    """Weighted picks by bisection over cumulative weights (fast for long lists)."""

    __slots__ = ("_cum", "_items", "_last", "_total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        if not items or len(items) != len(weights):
            raise ValueError("need one weight per item, and at least one item")
        self._items = tuple(items)
        self._cum = list(itertools.accumulate(weights))
        self._total = self._cum[-1]
        self._last = len(self._items) - 1

    @classmethod
    def of(cls, pairs: Sequence[tuple[T, float]]) -> _Weighted[T]:
        return cls([p[0] for p in pairs], [p[1] for p in pairs])

    def pick(self, rng: random.Random) -> T:
        i = bisect.bisect_right(self._cum, rng.random() * self._total)
        return self._items[min(i, self._last)]

    @property
    def items(self) -> tuple[T, ...]:
        return self._items


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; normal approximation for big means)."""
    if mean <= 0:
        return 0
    if mean > _POISSON_NORMAL_ABOVE:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


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


def _add_typo(rng: random.Random, text: str) -> str:
    """Swap, drop or double one letter of one word, as thumbs do."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w, j = words[i], rng.randrange(1, len(words[i]) - 1)
    op = rng.random()
    if op < 0.5:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif op < 0.8:
        w = w[:j] + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


_MINUTES: Final = ("", "", "", ":05", ":10", ":15", ":20", ":25", ":30", ":30", ":40", ":45", ":50")
_SENTENCE_START: Final = re.compile(r"(^(?:@\w+ )?|[.!?] )([a-z])")
_LONE_I: Final = re.compile(r"(?<![\w'-])i(?=[\s',.!?]|$)")


def _upper_second(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper()


def _attach(text: str, tail: str) -> str:
    """``tail`` after ``text``: punctuation ("!!", "...") without a space, in place of a stop."""
    if tail[0] in ".!?":
        return (text.rstrip(".!") or text) + tail
    return f"{text} {tail}"


def _ends_in_word(text: str) -> bool:
    """Whether ``text`` ends in a letter or digit that is not part of a link."""
    return text[-1].isalnum() and "http" not in text[text.rfind(" ") + 1 :]


def _tidy(text: str) -> str:
    """Single spaces only: an empty alternative in a template may leave two."""
    return " ".join(text.split()) if "  " in text or text[:1] == " " or text[-1:] == " " else text


def _code(rng: random.Random) -> str:
    return "".join(rng.choices(_ALNUM, k=7))


# --------------------------------------------------------------------------------------
# Templates, compiled once at import
# --------------------------------------------------------------------------------------

_BRAND_SLOTS: Final = frozenset({"brand", "short", "at", "tag", "status"})
_LOCALE_SLOTS: Final = frozenset({"city"})
_GENERATED_SLOTS: Final = frozenset(
    {"order", "ref", "link", "newslink", "spamlink", "money", "price", "small", "time", "last4"}
)
_REQUIRED_KEYS: Final = (
    *(f"complaint.{c}" for c in CATEGORIES),
    "praise", "question", "neutral", "spam",
    "reply.complaint", "reply.question", "reply.praise",
    "followup.resolved", "followup.unresolved",
)  # fmt: skip

_Piece = tuple[str, str | None]  # (literal text, slot name or None)
_Option = tuple[_Piece, ...]  # one alternative of a choice
_ALTERNATIVES: Final = re.compile(r"\[([^\[\]]*)\]")


@dataclass(frozen=True, slots=True)
class _Template:
    # A sequence of choices, each a tuple of alternatives (one, for plain text).
    choices: tuple[tuple[_Option, ...], ...]
    lang: str
    mentions_account: bool  # has an {at}: no extra @mention needed
    is_news: bool  # a headline: posted by a media account


def _compile(text: str, lang: str, known_slots: frozenset[str]) -> _Template:
    def fail(problem: str) -> ValueError:
        return ValueError(f"demo template {text!r}: {problem}")

    def option(part: str) -> _Option:
        if any(c in part for c in "[]|"):
            raise fail("unbalanced [...] or a | outside one")
        pieces: list[_Piece] = []
        for literal, slot, spec, conversion in string.Formatter().parse(part):
            if spec or conversion or (slot is not None and slot not in known_slots):
                raise fail(f"bad slot {{{slot}}}")
            pieces.append((literal, slot))
        return tuple(pieces)

    choices: list[tuple[_Option, ...]] = []
    pos = 0
    for match in _ALTERNATIVES.finditer(text):
        if match.start() > pos:
            choices.append((option(text[pos : match.start()]),))
        choices.append(tuple(option(alt) for alt in match.group(1).split("|")))
        pos = match.end()
    if pos < len(text) or not choices:
        choices.append((option(text[pos:]),))
    slots = {slot for alts in choices for alt in alts for _, slot in alt}
    return _Template(tuple(choices), lang, "at" in slots, "newslink" in slots)


_TemplateMap = dict[str, tuple[_Template, ...]]


def _language_map(raw: text_data.Texts, lang: str, known_slots: frozenset[str]) -> _TemplateMap:
    compiled = {k: tuple(_compile(t, lang, known_slots) for t in v) for k, v in raw.items()}
    fallbacks = {"reply.incident": "reply.complaint"}
    for c in CATEGORIES:
        fallbacks[f"reply.{c}"] = "reply.complaint"
        fallbacks[f"incident.{c}"] = f"complaint.{c}"
        fallbacks[f"more.incident.{c}"] = f"more.complaint.{c}"
        fallbacks[f"so.incident.{c}"] = f"so.complaint.{c}"
    for key, generic in fallbacks.items():
        if key not in compiled and generic in compiled:
            compiled[key] = compiled[generic]
    return compiled


def _compile_profile(profile: str) -> dict[str, _TemplateMap]:
    """English and Spanish templates of a profile; Spanish falls back to English per key."""
    known = (
        _BRAND_SLOTS
        | _LOCALE_SLOTS
        | _GENERATED_SLOTS
        | frozenset(text_data.COMMON_SLOTS)
        | frozenset(text_data.PROFILE_SLOTS[profile])
    )
    texts = text_data.PROFILE_TEXTS[profile]
    en = _language_map({**text_data.COMMON_TEXTS["en"], **texts["en"]}, "en", known)
    missing = [k for k in _REQUIRED_KEYS if k not in en]
    if missing:
        raise ValueError(f"demo profile {profile!r} has no texts for {', '.join(missing)}")
    es = _language_map({**text_data.COMMON_TEXTS.get("es", {}), **texts.get("es", {})}, "es", known)
    return {"en": en, "es": {**en, **es}}


def _check_categories() -> None:
    """Profiles, bumps and incidents may only name the known complaint categories."""
    named = [c for p in PROFILES.values() for c, _ in p.categories]
    named += [c for p in PROFILES.values() for b in p.weekly_bumps for c, _ in b.categories]
    named += [c for incs in INCIDENTS.values() for i in incs for c, _ in i.categories]
    unknown = sorted(set(named) - set(CATEGORIES))
    if unknown or set(INCIDENTS) - set(PROFILES):
        raise ValueError(f"demo data names unknown categories or profiles: {unknown}")


_check_categories()
_TEMPLATES: Final = {name: _compile_profile(name) for name in PROFILES}


# --------------------------------------------------------------------------------------
# One brand's world: authors, slot fills, incidents in UTC. Built once and cached.
# --------------------------------------------------------------------------------------


# Casing habits of an author.
_AS_TYPED, _LOWERCASE, _TIDY = 0, 1, 2


@dataclass(frozen=True, slots=True)
class _Style:
    """How one author writes, the same in all their posts."""

    casing: int = _AS_TYPED
    emoji: float = 1.0  # times the average emoji rate
    hashtags: float = 1.0  # times the average hashtag rate
    typos: float = TYPO_RATE  # typos per post
    tic: str = ""  # a verbal tic ("tbh"), or none
    tic_first: bool = False  # ... said before the rest ("ngl ...") rather than after
    separator: str = ". "  # between two sentences
    ending: str = ""  # after a post that ends in a word
    mention_first: float = 0.5  # share of extra @mentions put in front


_PLAIN_STYLE: Final = _Style()
_BOT_STYLE: Final = _Style(separator=" ")


def _style(rng: random.Random, lang: str) -> _Style:
    """A person's writing habits, drawn once per author."""
    r = rng.random()
    casing = _LOWERCASE if r < LOWERCASE_AUTHOR_SHARE else _AS_TYPED
    if LOWERCASE_AUTHOR_SHARE <= r < LOWERCASE_AUTHOR_SHARE + TIDY_AUTHOR_SHARE:
        casing = _TIDY
    r = rng.random()
    emoji = 0.0 if r < NO_EMOJI_AUTHOR_SHARE else 1.0
    if r >= 1 - EMOJI_LOVER_SHARE:
        emoji = EMOJI_LOVER_FACTOR
    hashtags = HASHTAGGER_FACTOR if rng.random() < HASHTAGGER_SHARE else OTHER_HASHTAG_FACTOR
    typos = SLOPPY_TYPO_RATE if rng.random() < SLOPPY_AUTHOR_SHARE else TYPO_RATE
    tic, tic_first = "", False
    if rng.random() < TIC_AUTHOR_SHARE:
        tic, tic_first = _pick(rng, text_data.TICS[lang])
    return _Style(
        casing=casing,
        emoji=emoji,
        hashtags=hashtags,
        typos=typos,
        tic=tic,
        tic_first=tic_first,
        separator=_pick(rng, text_data.SEPARATORS),
        ending=_pick(rng, text_data.ENDINGS),
        mention_first=rng.random(),
    )


@dataclass(frozen=True, slots=True)
class _Author:
    id: str
    handle: str
    followers: int
    lang: str
    style: _Style = _PLAIN_STYLE


@dataclass(frozen=True, slots=True)
class _Surge:
    multiplier: float
    categories: _Weighted[str]
    main_category: str
    incident: bool


def _followers(rng: random.Random, median: float, sigma: float) -> int:
    value = median * math.exp(sigma * rng.gauss(0.0, 1.0))
    return int(min(MAX_FOLLOWERS, max(MIN_FOLLOWERS, value)))


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    """``rng.choice`` without its overhead (the author pool makes tens of thousands)."""
    return items[int(rng.random() * len(items))]


def _number(rng: random.Random, low: int, high: int) -> int:
    """A number in ``[low, high)``, cheaply (``randrange`` is several times slower)."""
    return low + int(rng.random() * (high - low))


def _public_handle(rng: random.Random, first_names: Sequence[str]) -> str:
    first, last = _pick(rng, first_names), _pick(rng, text_data.LAST_NAMES)
    word = _pick(rng, text_data.HANDLE_WORDS)
    match int(rng.random() * 9):
        case 0:
            return f"{first}_{last[0]}{_number(rng, 70, 100)}"
        case 1:
            return f"{first}{last}"
        case 2:
            return f"{first}{last}{_number(rng, 1, 100)}"
        case 3:
            return f"the_real_{first}{_number(rng, 1, 10) if rng.random() < 0.7 else ''}"
        case 4:
            return f"{first}.{word}"
        case 5:
            return f"{word}_{first}"
        case 6:
            return f"{first}{_number(rng, 1975, 2009)}"
        case 7:
            return f"{first.capitalize()}{last.capitalize()}"
        case _:
            return f"{first}_{word}{_number(rng, 0, 10)}"


def _bot_handle(rng: random.Random) -> str:
    a, b = _pick(rng, text_data.BOT_WORDS), _pick(rng, text_data.BOT_WORDS)
    if rng.random() < 0.6:
        return f"{a}{b}{_number(rng, 10, 10_000)}"
    return f"{a}_{b}_{_number(rng, 0, 100)}"


def _user_id(rng: random.Random) -> str:
    """Old accounts have short ids, newer ones snowflakes (created 2013-2025)."""
    if rng.random() < 0.45:
        return str(_number(rng, 10**6, 3 * 10**9))
    return str(rng.getrandbits(60) % (15 * 10**17) + 4 * 10**17)


class _Authors:
    """The people, bots and news accounts who post about one brand."""

    def __init__(
        self,
        rng: random.Random,
        count: int,
        es_share: float,
        reserved: frozenset[str],
        style_rng: random.Random,
    ) -> None:
        self._rng = rng
        self._style_rng = style_rng
        self._handles = set(reserved)  # casefolded; never hand out a brand's own handle
        self._ids: set[str] = set()
        public = [self._person(es_share) for _ in range(count)]
        activity = [min(MAX_ACTIVITY, rng.paretovariate(ACTIVITY_PARETO_ALPHA)) for _ in public]
        self.public: _Weighted[_Author] = _Weighted(public, activity)
        bots = [
            self._new(functools.partial(_bot_handle, rng), _number(rng, MIN_FOLLOWERS, 400))
            for _ in range(BOT_AUTHORS)
        ]
        self.bots: _Weighted[_Author] = _Weighted(bots, [1.0] * len(bots))
        media = [
            self._new(functools.partial(str, h), _followers(rng, MEDIA_FOLLOWERS_MEDIAN, 0.8))
            for h in text_data.MEDIA_HANDLES
            if h.casefold() not in self._handles
        ]
        self.media: _Weighted[_Author] = _Weighted(media, [1.0] * len(media))

    def _person(self, es_share: float) -> _Author:
        rng = self._rng
        lang = "es" if rng.random() < es_share else "en"
        names = text_data.FIRST_NAMES_ES if lang == "es" else text_data.FIRST_NAMES
        if rng.random() < BIG_ACCOUNT_SHARE:
            followers = _followers(rng, BIG_FOLLOWERS_MEDIAN, 1.0)
        else:
            followers = _followers(rng, FOLLOWERS_MEDIAN, FOLLOWERS_SIGMA)
        make_handle = functools.partial(_public_handle, rng, names)
        return self._new(make_handle, followers, lang, _style(self._style_rng, lang))

    def _new(
        self,
        make_handle: Callable[[], str],
        followers: int,
        lang: str = "en",
        style: _Style = _PLAIN_STYLE,
    ) -> _Author:
        while True:
            handle = make_handle()
            if len(handle) <= MAX_HANDLE_LEN and handle.casefold() not in self._handles:
                break
        self._handles.add(handle.casefold())
        while (author_id := _user_id(self._rng)) in self._ids:
            pass
        self._ids.add(author_id)
        return _Author(author_id, handle, followers, lang, style)


class _World:
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
        self.intents: _Weighted[str] = _Weighted.of(list(INTENT_SHARES.items()))
        self.categories: _Weighted[str] = _Weighted.of(profile.categories)

        langs = ("en", "es") if "es" in brand.languages else ("en",)
        self.templates = {lang: _TEMPLATES[profile.name][lang] for lang in langs}
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
        authors = _Authors(rng, n_public, es_share, brand.account_handles, style_rng)
        self.public, self.bots, self.media = authors.public, authors.bots, authors.media

        # The brand's own accounts; a care/help account, if any, does most of the replying.
        care = [
            _Author(_user_id(rng), a.lstrip("@"), rng.randrange(20_000, 300_000), "en")
            for a in self.accounts
        ]
        care_weights = [
            6.0 if any(w in a.handle.lower() for w in ("care", "help", "support")) else 1.0
            for a in care
        ]
        self.care: _Weighted[_Author] = _Weighted(care, care_weights)

        self.surges = self._incident_windows((*INCIDENTS.get(profile.name, ()), *incidents))

    def _incident_windows(
        self, incidents: Sequence[Incident]
    ) -> tuple[tuple[int, int, _Surge], ...]:
        """Incidents as UTC ``(start, end, surge)`` windows, the fading tail included."""
        windows: list[tuple[int, int, _Surge]] = []
        for inc in incidents:
            start = datetime.combine(inc.day, inc.start, tzinfo=self.tz)
            end = datetime.combine(inc.day + timedelta(days=inc.days), inc.end, tzinfo=self.tz)
            if end <= start:
                end += timedelta(days=1)
            cats = _Weighted.of(inc.categories)
            main = max(inc.categories, key=lambda c: c[1])[0]
            start_ts, end_ts = int(start.timestamp()), int(end.timestamp())
            windows.append((start_ts, end_ts, _Surge(inc.multiplier, cats, main, True)))
            for k in range(1, inc.tail_hours + 1):
                mult = 1 + (inc.multiplier - 1) * INCIDENT_TAIL_DECAY**k
                tail_start = end_ts + (k - 1) * _HOUR_S
                windows.append((tail_start, tail_start + _HOUR_S, _Surge(mult, cats, main, True)))
        return tuple(windows)

    def surge_at(self, hour_ts: int, local: datetime) -> _Surge | None:
        for start, end, surge in self.surges:
            if start <= hour_ts < end:
                return surge
        for bump in self.profile.weekly_bumps:
            if local.weekday() == bump.weekday and bump.start_hour <= local.hour < bump.end_hour:
                cats = _Weighted.of(bump.categories)
                return _Surge(bump.multiplier, cats, cats.items[0], False)
        return None


_WORLD_CACHE_SIZE: Final = 16  # brands x option sets kept built
_worlds: dict[tuple[Any, ...], _World] = {}


def _world_for(
    seed: int,
    brand: BrandConfig,
    profile: str,
    posts_per_day: float,
    incidents: tuple[Incident, ...] = (),
) -> _World:
    """The world of a brand, built once per seed, config fields and options."""
    key = (
        seed, brand.id, brand.name, brand.timezone, brand.accounts, brand.terms,
        brand.languages, profile, posts_per_day, incidents,
    )  # fmt: skip
    world = _worlds.get(key)
    if world is None:
        if len(_worlds) >= _WORLD_CACHE_SIZE:
            del _worlds[next(iter(_worlds))]
        world = _worlds[key] = _World(seed, brand, PROFILES[profile], posts_per_day, incidents)
    return world


@functools.lru_cache(maxsize=4096)
def _day_factor(seed: int, brand_id: str, day: date) -> float:
    """Day-to-day volume noise: log-normal with mean 1, one draw per brand and local date."""
    rng = random.Random(f"{seed}:{brand_id}:day:{day.isoformat()}")
    return math.exp(rng.gauss(-(DAY_NOISE_SIGMA**2) / 2, DAY_NOISE_SIGMA))


# --------------------------------------------------------------------------------------
# One hour of posts
# --------------------------------------------------------------------------------------

_Row = tuple[int, int, RawRecord]  # (created_at as epoch seconds, numeric id, record)


@dataclass(frozen=True, slots=True)
class _Truth:
    """What a post really is: the ``demo_truth`` of its record."""

    intent: str
    category: str | None = None
    incident: bool = False

    def but(self, intent: str, *, category: bool = True) -> _Truth:
        """The truth of a follow-up: another intent, same subject."""
        return _Truth(intent, self.category if category else None, self.incident)


class _Hour:
    """Generates the originals of one UTC hour and all their follow-ups."""

    def __init__(self, world: _World, hour_ts: int) -> None:
        hour = datetime.fromtimestamp(hour_ts, UTC)
        self.w = world
        self.rng = random.Random(f"{world.seed}:{world.brand_id}:{hour.isoformat()}")
        self.hour_ts = hour_ts
        self.local = hour.astimezone(world.tz)
        self.rows: list[_Row] = []

    def generate(self) -> list[_Row]:
        w, rng, local = self.w, self.rng, self.local
        mean = (
            w.originals_per_hour
            * w.profile.hour_weights[local.hour]
            * w.profile.weekday_weights[local.weekday()]
            * _day_factor(w.seed, w.brand_id, local.date())
        )
        surge = w.surge_at(self.hour_ts, local)
        for _ in range(_poisson(rng, mean)):
            self._original(self.hour_ts + rng.randrange(_HOUR_S), w.intents.pick(rng), surge)
        if surge is not None:
            extra = mean * INTENT_SHARES["complaint"] * (surge.multiplier - 1)
            for _ in range(_poisson(rng, extra)):
                ts = self.hour_ts + rng.randrange(_HOUR_S)
                self._complaint(ts, _Truth("complaint", surge.categories.pick(rng), surge.incident))
        return self.rows

    # -- originals ---------------------------------------------------------------------

    def _original(self, ts: int, intent: str, surge: _Surge | None) -> None:
        if intent == "complaint":
            category = self.w.categories.pick(self.rng)
            incident = surge is not None and surge.incident and category == surge.main_category
            self._complaint(ts, _Truth(intent, category, incident))
        elif intent == "spam":
            self._post(ts, self.w.bots.pick(self.rng), "spam", _Truth(intent))
        else:
            self._post(ts, self.w.public.pick(self.rng), intent, _Truth(intent))

    def _complaint(self, ts: int, truth: _Truth) -> None:
        key = f"{'incident' if truth.incident else 'complaint'}.{truth.category}"
        self._post(ts, self.w.public.pick(self.rng), key, truth)

    def _post(self, ts: int, author: _Author, key: str, truth: _Truth) -> None:
        rng = self.rng
        templates = self.w.templates.get(author.lang, self.w.templates["en"])
        template = _pick(rng, templates[key])
        if template.is_news:  # a headline, as a news account words it
            author = self.w.media.pick(rng)
            text = self._render(template)
            if rng.random() < NEWS_OPENER_RATE:
                text = f"{_pick(rng, text_data.NEWS_OPENERS)} {text}"
        elif truth.intent == "spam":  # bots repeat themselves, with a varying tail
            text = self._compose(template, key, "spam", _BOT_STYLE)
        else:
            text = self._compose(template, key, truth.intent, author.style)
            text = self._decorate(text, truth.intent, template, author.style, public=True)
        original = self._record(ts, author, _tidy(text), template.lang, truth)
        if rng.random() < self._reply_rate(truth):
            self._brand_reply(original, ts, author, truth)
        for _ in range(_poisson(rng, REPOSTS_PER_ORIGINAL[truth.intent])):
            self._repost(original, ts, author, truth)
        for _ in range(_poisson(rng, COPIES_PER_ORIGINAL[truth.intent])):
            self._copy(original, ts, author, truth)

    def _compose(self, template: _Template, key: str, voice: str, style: _Style) -> str:
        """The core of a post and, now and then, a concrete detail and a consequence."""
        rng, table = self.rng, self.w.templates[template.lang]
        text = self._render(template)
        if rng.random() < DETAIL_RATE[voice]:
            text = self._join(text, table.get(f"more.{key}"), template.lang, style)
        if voice == "complaint" and rng.random() < CONSEQUENCE_RATE:
            outcomes = table.get(f"so.{key}")  # what this kind of trouble costs, or in general
            if not outcomes or outcomes[0].lang != template.lang:
                outcomes = table.get("so.complaint")
            text = self._join(text, outcomes, template.lang, style)
        return text

    def _join(self, text: str, parts: Sequence[_Template] | None, lang: str, style: _Style) -> str:
        if not parts:
            return text
        part = _pick(self.rng, parts)
        if part.lang != lang:  # a part only English has: a Spanish speaker goes without
            return text
        separator = style.separator if _ends_in_word(text) or text[-1] in "'\")" else " "
        return f"{text}{separator}{self._render(part)}"

    def _decorate(
        self, text: str, voice: str, template: _Template, style: _Style, *, public: bool
    ) -> str:
        """Opener, closer, tic, casing, typos and (for ``public`` posts) tags and emoji."""
        rng, lang = self.rng, template.lang
        intent = (
            "praise" if voice == "resolved" else "complaint" if voice == "unresolved" else voice
        )
        openers = text_data.OPENERS.get(lang, {}).get(voice)
        opened = False
        if openers and rng.random() < OPENER_RATE:
            text, opened = f"{_pick(rng, openers)} {text}", True
        closers = text_data.CLOSERS.get(lang, {}).get(voice)
        if closers and rng.random() < CLOSER_RATE:
            text = _attach(text, _pick(rng, closers))
        if style.tic and rng.random() < TIC_RATE:
            if style.tic_first and not opened:
                text = f"{style.tic} {text}"
            elif not style.tic_first:
                text = f"{text} {style.tic}"
        if style.ending and _ends_in_word(text):
            text += style.ending
        if intent == "complaint" and rng.random() < SHOUTING_RATE and "http" not in text:
            text = text.upper()
        elif style.casing == _LOWERCASE:
            text = text.lower()
        elif style.casing == _TIDY:
            text = _LONE_I.sub("I", _SENTENCE_START.sub(_upper_second, text))
        elif rng.random() < CAPITALISED_RATE:
            text = text[:1].upper() + text[1:]
        if rng.random() < style.typos:
            text = _add_typo(rng, text)
        if not public:
            return text
        if not template.mentions_account and rng.random() < EXTRA_MENTION_RATE:
            account = _pick(rng, self.w.accounts)
            text = (
                f"{account} {text}" if rng.random() < style.mention_first else f"{text} {account}"
            )
        emoji = text_data.EMOJI.get(intent)
        if emoji and rng.random() < EMOJI_RATE[intent] * style.emoji:
            first = _pick(rng, emoji)
            text += " " + first
            if rng.random() < DOUBLE_EMOJI_RATE * style.emoji:
                text += first if rng.random() < 0.5 else _pick(rng, emoji)
        if rng.random() < HASHTAG_RATE * style.hashtags:
            tags = self.w.complaint_tags if intent == "complaint" else self.w.brand_tags
            text += " " + _pick(rng, tags)
        if intent == "complaint" and rng.random() < SCREENSHOT_RATE:
            text += " " + self._generated("link")
        return text

    def _render(self, template: _Template) -> str:
        random, slots, generated = self.rng.random, self.w.slots, self._generated
        out: list[str] = []
        for alternatives in template.choices:
            n = len(alternatives)
            for literal, slot in alternatives[0] if n == 1 else alternatives[int(random() * n)]:
                out.append(literal)
                if slot is not None:
                    values = slots.get(slot)
                    if values is None:
                        out.append(generated(slot))
                    else:
                        out.append(values[int(random() * len(values))])
        return "".join(out).strip()

    def _generated(self, slot: str) -> str:
        rng = self.rng
        match slot:
            case "order":
                return f"#{self.w.order_prefix}{_number(rng, 10**6, 10**7)}"
            case "ref":
                return f"{_number(rng, 1000, 10_000)}-{_number(rng, 100_000, 1_000_000)}"
            case "last4":
                return f"{_number(rng, 0, 10_000):04d}"
            case "money":
                r, currency = rng.random(), self.w.currency
                if r < 0.4:
                    return currency + _pick(rng, text_data.AMOUNTS)
                if r < 0.7:
                    return f"{currency}{_number(rng, 5, 200)}"
                return f"{currency}{_number(rng, 5, 150)}.{_number(rng, 0, 100):02d}"
            case "price":
                return self.w.currency + _pick(rng, text_data.PRICES)
            case "small":
                cents = ".50" if rng.random() < 0.2 else ".99" if rng.random() < 0.2 else ""
                return f"{self.w.currency}{_number(rng, 2, 16)}{cents}"
            case "time":
                hour = _number(rng, 7, 23)
                return f"{(hour - 1) % 12 + 1}{_pick(rng, _MINUTES)}{'am' if hour < 12 else 'pm'}"
            case "link":
                return f"https://{_pick(rng, text_data.LINK_SITES)}.example/{_code(rng)}"
            case "newslink":
                return f"https://{_pick(rng, text_data.NEWS_SITES)}.example/a/{_code(rng)}"
            case "spamlink":
                return f"https://{_pick(rng, text_data.SPAM_SITES)}.example/?ref={_code(rng)}"
        raise ValueError(f"unknown demo slot {slot!r}")

    # -- follow-ups --------------------------------------------------------------------

    @staticmethod
    def _reply_rate(truth: _Truth) -> float:
        if truth.incident:
            return INCIDENT_REPLY_RATE
        return BRAND_REPLY_RATE.get(truth.intent, 0.0)

    def _brand_reply(self, original: RawRecord, ts: int, author: _Author, truth: _Truth) -> None:
        """The care team's answer and, now and then, the customer's answer back."""
        rng, w, lang = self.rng, self.w, original["lang"]
        if truth.intent == "complaint":
            key = "reply.incident" if truth.incident else f"reply.{truth.category}"
        else:
            key = f"reply.{truth.intent}"
        care = w.care.pick(rng)
        reply_ts = ts + self._reply_delay(ts, truth.incident)
        text = f"@{author.handle} {self._render(_pick(rng, w.templates[lang][key]))}"
        reply = self._record(
            reply_ts, care, text, lang, truth.but("brand_reply"), reply_to=original
        )

        back_rate = REPLY_BACK_RATE.get(truth.intent, 0.0)
        if rng.random() >= back_rate:
            return
        back_ts = reply_ts + _bounded_lognormal(rng, REPLY_BACK_MEDIAN_S, 1.0, _MAX_FOLLOW_UP_S)
        if back_ts - ts > _MAX_FOLLOW_UP_S:
            return
        resolved = rng.random() < RESOLVED_SHARE[truth.intent]
        voice = "resolved" if resolved else "unresolved"
        key = f"followup.{voice}"
        template = _pick(rng, w.templates[lang][key])
        body = self._compose(template, key, voice, author.style)
        body = self._decorate(body, voice, template, author.style, public=False)
        text = f"@{care.handle} {_tidy(body)}"
        back = truth.but("praise", category=False) if resolved else truth.but("complaint")
        self._record(back_ts, author, text, template.lang, back, reply_to=reply)

    def _reply_delay(self, ts: int, incident: bool) -> int:
        """Seconds until the care team answers: waits for opening hours, log-normal queue."""
        local_hour = (self.local.hour + self.local.minute / 60 + (ts - self.hour_ts) / 3600) % 24
        wait = 0.0
        if not CARE_OPEN_HOUR <= local_hour < CARE_CLOSE_HOUR:
            wait = (CARE_OPEN_HOUR - local_hour) % 24 * _HOUR_S
        median = float(REPLY_MEDIAN_S)
        if self.local.weekday() >= 5:
            median *= REPLY_WEEKEND_FACTOR
        if incident:
            median *= REPLY_INCIDENT_FACTOR
        limit = _MAX_FOLLOW_UP_S - wait
        return int(wait) + _bounded_lognormal(self.rng, median, REPLY_SIGMA, limit)

    def _repost(self, original: RawRecord, ts: int, author: _Author, truth: _Truth) -> None:
        rng = self.rng
        reposter = self.w.public.pick(rng)
        if reposter is author:
            reposter = self.w.public.pick(rng)
        ts += _bounded_lognormal(rng, REPOST_MEDIAN_S, REPOST_SIGMA, _MAX_FOLLOW_UP_S)
        text = f"RT @{author.handle}: {original['text']}"
        self._record(
            ts, reposter, text, original["lang"], truth.but("repost"), repost_of=original["id"]
        )

    def _copy(self, original: RawRecord, ts: int, author: _Author, truth: _Truth) -> None:
        rng = self.rng
        copier = (self.w.bots if rng.random() < COPY_BY_BOT_SHARE else self.w.public).pick(rng)
        if copier is author:
            return
        ts += _bounded_lognormal(rng, COPY_MEDIAN_S, COPY_SIGMA, _MAX_FOLLOW_UP_S)
        self._record(ts, copier, original["text"], original["lang"], truth.but("copy"))

    # -- records -----------------------------------------------------------------------

    def _record(
        self,
        ts: int,
        author: _Author,
        text: str,
        lang: str,
        truth: _Truth,
        *,
        reply_to: RawRecord | None = None,
        repost_of: str | None = None,
    ) -> RawRecord:
        rng = self.rng
        # A snowflake: milliseconds since the epoch, then 22 random bits (worker/sequence).
        millis = ts * 1000 + rng.randrange(1000) - _SNOWFLAKE_EPOCH_MS
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


# --------------------------------------------------------------------------------------
# The source
# --------------------------------------------------------------------------------------

_KNOWN_OPTIONS: Final = ("enabled", "incidents", "lag_minutes", "posts_per_day", "profile")
#: Most hours a configured incident may last.
MAX_INCIDENT_HOURS: Final = 48


def _incidents(
    profile: str, raw: Any, fail: Callable[[str, str], ConfigError]
) -> tuple[Incident, ...]:
    """Extra incidents from ``sources.demo.incidents`` (drills: rehearse the alerting).

    Each item: ``start`` (local ``YYYY-MM-DDTHH:MM``, whole hours), ``hours`` (1-48),
    optional ``multiplier`` (complaints vs a normal hour, default 9) and ``category``
    (default: the profile's outage category).
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail("incidents", "must be a list of {start, hours, multiplier, category}")
    out = []
    for i, item in enumerate(raw):
        where = f"incidents[{i}]"
        if not isinstance(item, Mapping) or set(item) - {
            "start",
            "hours",
            "multiplier",
            "category",
        }:
            raise fail(where, "must be a mapping with start, hours, multiplier, category")
        try:
            start = datetime.strptime(str(item.get("start")), "%Y-%m-%dT%H:%M")
        except ValueError:
            raise fail(f"{where}.start", "must be a local time YYYY-MM-DDTHH:MM") from None
        if start.minute:
            raise fail(f"{where}.start", "must be a whole hour")
        hours = item.get("hours")
        if (
            isinstance(hours, bool)
            or not isinstance(hours, int)
            or not 1 <= hours <= MAX_INCIDENT_HOURS
        ):
            raise fail(f"{where}.hours", f"must be a whole number from 1 to {MAX_INCIDENT_HOURS}")
        mult = item.get("multiplier", 9.0)
        if isinstance(mult, bool) or not isinstance(mult, int | float) or not 1 < mult <= 100:
            raise fail(f"{where}.multiplier", "must be a number above 1, up to 100")
        known = [c for c, _ in PROFILES[profile].categories]
        category = item.get("category", "outage" if "outage" in known else known[0])
        if category not in known:
            raise fail(f"{where}.category", f"unknown category (known: {', '.join(known)})")
        end = start + timedelta(hours=hours)
        out.append(
            Incident(
                day=start.date(), start=start.time(), end=end.time(), multiplier=float(mult),
                categories=((str(category), 1.0),), tail_hours=1, label="configured incident",
                days=(end.date() - start.date()).days,
            )
        )  # fmt: skip
    return tuple(out)


def _options(
    brand: BrandConfig, options: Mapping[str, Any]
) -> tuple[str, float, tuple[Incident, ...]]:
    """Validate a brand's ``sources.demo`` options: ``(profile, posts per day, incidents)``."""

    fail = fields.option_error(brand, DemoSource.name)
    fields.reject_unknown(options, _KNOWN_OPTIONS, fail)
    profile = options.get("profile")
    if profile is None:
        raise fail("profile", f"is required (one of: {', '.join(sorted(PROFILES))})")
    if profile not in PROFILES:
        raise fail(
            "profile", f"unknown demo profile {profile!r} (known: {', '.join(sorted(PROFILES))})"
        )
    per_day = options.get("posts_per_day", DEFAULT_POSTS_PER_DAY)
    if (
        isinstance(per_day, bool)
        or not isinstance(per_day, int | float)
        or not math.isfinite(per_day)
        or not 0 < per_day <= MAX_POSTS_PER_DAY
    ):
        raise fail(
            "posts_per_day", f"must be a positive number up to {MAX_POSTS_PER_DAY}, got {per_day!r}"
        )
    return (
        str(profile),
        float(per_day),
        _incidents(str(profile), options.get("incidents"), fail),
    )


def _epoch(value: datetime, name: str) -> float:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name}: must be a timezone-aware datetime, got {value!r}")
    return value.timestamp()


def check_options(brand: BrandConfig, options: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming brand and field when the demo options are wrong."""
    _options(brand, options)


def create(secrets: SecretLookup | None = None) -> DemoSource:
    """The registry's factory (:mod:`~pipeline.ingest.sources.registry`): no credentials."""
    return DemoSource()


class DemoSource:
    """Deterministic, realistic demo posts; see the module docstring."""

    name = "demo"

    def __init__(self, seed: int = DEMO_SEED) -> None:
        self.seed = seed

    def fetch(
        self, brand: BrandConfig, start: datetime, end: datetime, options: Mapping[str, Any]
    ) -> Iterator[RawRecord]:
        """The records about ``brand`` created in ``[start, end)``, by ``(created_at, id)``."""
        profile, per_day, incidents = _options(brand, options)
        start_ts, end_ts = _epoch(start, "start"), _epoch(end, "end")
        first_hour = int((start_ts - _MAX_FOLLOW_UP_S) // _HOUR_S) * _HOUR_S
        if first_hour * 1000 < _SNOWFLAKE_EPOCH_MS:
            raise InputError("start: the demo source makes posts from 2010-11-06 on")
        world = _world_for(self.seed, brand, profile, per_day, incidents)
        rows: list[_Row] = []
        for hour_ts in range(first_hour, math.ceil(end_ts), _HOUR_S):
            rows.extend(r for r in _Hour(world, hour_ts).generate() if start_ts <= r[0] < end_ts)
        rows.sort(key=lambda r: (r[0], r[1]))
        logger.debug("demo: %s %s..%s: %d posts", brand.id, start, end, len(rows))
        return iter([r[2] for r in rows])

    def fetch_page(
        self,
        brand: BrandConfig,
        start: datetime,
        end: datetime,
        options: Mapping[str, Any],
        cursor: str | None,
    ) -> Page:
        """The whole interval as one page: the demo has no network and no pagination."""
        return Page(records=list(self.fetch(brand, start, end, options)), next_cursor=None)

    def to_post(self, raw: RawRecord, brand: BrandConfig) -> Post:
        """A :class:`Post` from one raw record; ``ValueError("<field>: <why>")`` if malformed."""
        fields.as_mapping(raw, "record")
        post_id = fields.string(raw, "id")
        if not post_id.isdigit():
            raise ValueError(f"id: must be a numeric string, got {post_id!r}")
        author = fields.as_mapping(raw.get("author"), "author")
        handle = fields.string(author, "handle", "author.handle")
        followers = fields.non_negative_int(author.get("followers"), "author.followers")
        reply = fields.as_optional_mapping(raw.get("in_reply_to"), "in_reply_to")
        return Post(
            source=self.name,
            post_id=post_id,
            brand=brand.id,
            created_at=fields.timestamp(raw.get("created_at"), "created_at"),
            author_id=fields.string(author, "id", "author.id"),
            author_handle=handle,
            author_followers=followers,
            text=fields.string(raw, "text"),
            lang=fields.optional_string(raw, "lang"),
            url=fields.optional_string(raw, "url"),
            conversation_id=fields.optional_string(raw, "conversation_id"),
            in_reply_to_post_id=fields.string(reply, "post_id", "in_reply_to.post_id")
            if reply
            else None,
            in_reply_to_author_id=(
                fields.string(reply, "author_id", "in_reply_to.author_id") if reply else None
            ),
            repost_of=fields.optional_string(raw, "repost_of"),
            is_brand_reply=handle.casefold() in brand.account_handles,
        )


__all__ = [
    "DEMO_DAYS",
    "DEMO_END",
    "DEMO_SEED",
    "DEMO_START",
    "INCIDENTS",
    "MAX_FOLLOW_UP",
    "PROFILES",
    "DemoSource",
    "Incident",
    "Profile",
    "WeeklyBump",
]
