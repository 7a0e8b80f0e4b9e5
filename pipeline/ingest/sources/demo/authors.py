"""Who posts about a brand in the demo: a few thousand people, some bots, the news accounts.

Followers are heavy-tailed (most accounts have a couple of hundred, a few influencers tens
of thousands), activity too (a few authors post a lot, most once or twice); handles look
like real ones and never collide with the brand's own. Every person keeps one writing style
(:class:`~pipeline.ingest.sources.demo.text.Style`) for all their posts.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from pipeline.ingest.sources.demo import phrases as text_data
from pipeline.ingest.sources.demo.draws import Weighted, number, pick
from pipeline.ingest.sources.demo.text import PLAIN_STYLE, Style, draw_style

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


@dataclass(frozen=True, slots=True)
class Author:
    id: str
    handle: str
    followers: int
    lang: str
    style: Style = PLAIN_STYLE


def _followers(rng: random.Random, median: float, sigma: float) -> int:
    value = median * math.exp(sigma * rng.gauss(0.0, 1.0))
    return int(min(MAX_FOLLOWERS, max(MIN_FOLLOWERS, value)))


def _public_handle(rng: random.Random, first_names: Sequence[str]) -> str:
    first, last = pick(rng, first_names), pick(rng, text_data.LAST_NAMES)
    word = pick(rng, text_data.HANDLE_WORDS)
    match int(rng.random() * 9):
        case 0:
            return f"{first}_{last[0]}{number(rng, 70, 100)}"
        case 1:
            return f"{first}{last}"
        case 2:
            return f"{first}{last}{number(rng, 1, 100)}"
        case 3:
            return f"the_real_{first}{number(rng, 1, 10) if rng.random() < 0.7 else ''}"
        case 4:
            return f"{first}.{word}"
        case 5:
            return f"{word}_{first}"
        case 6:
            return f"{first}{number(rng, 1975, 2009)}"
        case 7:
            return f"{first.capitalize()}{last.capitalize()}"
        case _:
            return f"{first}_{word}{number(rng, 0, 10)}"


def _bot_handle(rng: random.Random) -> str:
    a, b = pick(rng, text_data.BOT_WORDS), pick(rng, text_data.BOT_WORDS)
    if rng.random() < 0.6:
        return f"{a}{b}{number(rng, 10, 10_000)}"
    return f"{a}_{b}_{number(rng, 0, 100)}"


def user_id(rng: random.Random) -> str:
    """Old accounts have short ids, newer ones snowflakes (created 2013-2025)."""
    if rng.random() < 0.45:
        return str(number(rng, 10**6, 3 * 10**9))
    return str(rng.getrandbits(60) % (15 * 10**17) + 4 * 10**17)


class Authors:
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
        self.public: Weighted[Author] = Weighted(public, activity)
        bots = [
            self._new(functools.partial(_bot_handle, rng), number(rng, MIN_FOLLOWERS, 400))
            for _ in range(BOT_AUTHORS)
        ]
        self.bots: Weighted[Author] = Weighted(bots, [1.0] * len(bots))
        media = [
            self._new(functools.partial(str, h), _followers(rng, MEDIA_FOLLOWERS_MEDIAN, 0.8))
            for h in text_data.MEDIA_HANDLES
            if h.casefold() not in self._handles
        ]
        self.media: Weighted[Author] = Weighted(media, [1.0] * len(media))

    def _person(self, es_share: float) -> Author:
        rng = self._rng
        lang = "es" if rng.random() < es_share else "en"
        names = text_data.FIRST_NAMES_ES if lang == "es" else text_data.FIRST_NAMES
        if rng.random() < BIG_ACCOUNT_SHARE:
            followers = _followers(rng, BIG_FOLLOWERS_MEDIAN, 1.0)
        else:
            followers = _followers(rng, FOLLOWERS_MEDIAN, FOLLOWERS_SIGMA)
        make_handle = functools.partial(_public_handle, rng, names)
        return self._new(make_handle, followers, lang, draw_style(self._style_rng, lang))

    def _new(
        self,
        make_handle: Callable[[], str],
        followers: int,
        lang: str = "en",
        style: Style = PLAIN_STYLE,
    ) -> Author:
        while True:
            handle = make_handle()
            if len(handle) <= MAX_HANDLE_LEN and handle.casefold() not in self._handles:
                break
        self._handles.add(handle.casefold())
        while (author_id := user_id(self._rng)) in self._ids:
            pass
        self._ids.add(author_id)
        return Author(author_id, handle, followers, lang, style)
