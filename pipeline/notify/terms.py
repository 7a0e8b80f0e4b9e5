"""The words that say what a set of posts is about: one extractor for the daily report's
terms per category (:func:`terms_by_category`) and an alert's terms driving a spike
(:func:`rising_terms`).

A post's terms (:func:`post_terms`) are its distinct words, lowercased, with links,
@handles and #tags removed: letters only (apostrophes inside a word kept, a typographic
apostrophe written ``'``), at least :data:`MIN_TERM_CHARS` characters, and no stop word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence

from pipeline.config.model import BrandConfig

#: Words that say nothing about what went wrong: the English stop words of NLTK's list
#: (nltk.corpus.stopwords 'english'), the Spanish ones our demo brands meet most, and
#: social-media filler.
_STOP_WORDS_TEXT = """
    a about above after again against ain all am an and any are aren aren't as at be because
    been before being below between both but by can couldn couldn't d did didn didn't do does
    doesn doesn't doing don don't down during each few for from further had hadn hadn't has
    hasn hasn't have haven haven't having he her here hers herself him himself his how i if in
    into is isn isn't it it's its itself just ll m ma me mightn mightn't more most mustn
    mustn't my myself needn needn't no nor not now o of off on once only or other our ours
    ourselves out over own re s same shan shan't she she's should should've shouldn shouldn't
    so some such t than that that'll the their theirs them themselves then there these they
    this those through to too under until up ve very was wasn wasn't we were weren weren't
    what when where which while who whom why will with won won't wouldn wouldn't y you you'd
    you'll you're you've your yours yourself yourselves
    i'm i've i'd i'll we're we've they're they've can't cant dont im ive get got still even
    again also one really yet already just like would could us via amp lol omg pls please
    thanks thank today yesterday day days hours hour now time mine yes two week
    rt http https www com
    de la que el en y los del se las por un para con una su al lo como más pero sus le ya o
    este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde
    todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos
    qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella
    estar estas algunas algo nosotros mi mis tú te ti tu tus es son está no hoy
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

#: Shorter words ("ok", "wi", "no") say too little to be a term.
MIN_TERM_CHARS = 3

#: Links, @handles and #tags: removed before words are taken.
_NOT_WORDS = re.compile(r"https?://\S+|www\.\S+|[@#]\S+")
#: A word: letters, with apostrophes inside ("don't", "it’s"), starting and ending with one.
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’])*[^\W\d_]")
_LETTERS = re.compile(r"[^\W\d_]+")


def _words(body: str) -> Iterator[str]:
    """The words of ``body``: runs of letters (Unicode category L) with apostrophes inside."""
    for w in _WORD.findall(body):
        if w.replace("'", "").replace("’", "").isalpha():
            yield w
        else:  # ``[^\W\d_]`` also takes numbers that are not digits (², Ⅳ): letters only
            yield from _WORD.findall("".join(c if c.isalpha() or c in "'’" else " " for c in w))


def post_terms(text: str, stop: Collection[str] = STOP_WORDS) -> set[str]:
    """The distinct terms of one post's text (see the module's docstring)."""
    # "İ" lowercases to "i" and a combining dot, which would split the word: "i" it is.
    body = _NOT_WORDS.sub(" ", text.replace("\u0130", "i").lower())
    found = (w.replace("’", "'") for w in _words(body) if len(w) >= MIN_TERM_CHARS)
    return {w for w in found if w not in stop}


def brand_words(brand: BrandConfig) -> set[str]:
    """The brand's own names, handles and search terms, as words (left out of its terms)."""
    text = " ".join((brand.name, brand.id, *brand.accounts, *brand.terms)).lower()
    return set(_LETTERS.findall(text))


def terms_by_category(
    posts: Iterable[tuple[str, str]],
    *,
    stop: Collection[str] = STOP_WORDS,
    min_posts: int,
    per_category: int,
) -> list[tuple[str, str, int]]:
    """``(category, term, posts)`` for ``(category, text)`` posts: per category the
    ``per_category`` terms in the most posts (ties by term), each in at least ``min_posts``;
    ordered by category, then rank."""
    counts: dict[str, Counter[str]] = {}
    for category, text in posts:
        counts.setdefault(category, Counter()).update(post_terms(text, stop))
    out = []
    for category in sorted(counts):
        ranked = sorted(
            ((n, t) for t, n in counts[category].items() if n >= min_posts),
            key=lambda nt: (-nt[0], nt[1]),
        )
        out += [(category, t, n) for n, t in ranked[:per_category]]
    return out


#: A rising term is in at least this many of the spike's posts (fewer is one person's words),
RISING_MIN_POSTS = 3
#: and at least this many times as frequent as in the baseline (scaled to the spike's posts,
#: both counts plus one so that a term new in the spike is not divided by zero).
RISING_MIN_RATIO = 1.5
#: Rising terms shown in an alert.
RISING_LIMIT = 8


def rising_terms(
    texts: Sequence[str], baseline: Sequence[str], limit: int = RISING_LIMIT
) -> list[tuple[str, int]]:
    """``(term, posts)``: terms much more frequent in ``texts`` than in ``baseline``, most
    rising first (then in most posts, then by term)."""
    now = Counter(w for t in texts for w in post_terms(t))
    before = Counter(w for t in baseline for w in post_terms(t))
    scale = len(texts) / max(1, len(baseline))
    ranked = [
        ((n + 1) / (before[w] * scale + 1), n, w) for w, n in now.items() if n >= RISING_MIN_POSTS
    ]
    ranked.sort(key=lambda x: (-x[0], -x[1], x[2]))
    return [(w, n) for ratio, n, w in ranked[:limit] if ratio >= RISING_MIN_RATIO]
