"""The words that say what a set of posts is about: the daily report's terms per category
(:func:`terms_by_category`, a keyword method against the brand's own baseline) and an
alert's terms driving a spike (:func:`rising_terms`).

A post's terms (:func:`post_terms`) are its distinct words, lowercased, with links,
@handles and #tags removed: letters only (apostrophes inside a word kept, a typographic
apostrophe written ``'``), at least :data:`MIN_TERM_CHARS` characters, and no stop word
(English and Spanish, :data:`STOP_WORDS`) and none of the brand's own names
(:func:`brand_words`).

The report's terms are the words of the day's complaints that stand out against the brand's
previous complaints, by the weighted log-odds ratio with an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008, "Fightin' Words", Political Analysis 16(4), section 3.5):
see :func:`keyness`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from pipeline.config.model import BrandConfig

#: English stop words: NLTK's list (nltk.corpus.stopwords 'english'), plus general filler
#: that complaints use without saying what went wrong ("since", "actually", "nothing"; most
#: of it from the SMART stop list of Salton's SMART system), contractions and social-media
#: filler.
_ENGLISH = """
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
    actually almost already also although always among another anybody anyhow anyone
    anything anyway anywhere apparently around away became become becomes certainly clearly
    else elsewhere enough especially ever every everybody everyone everything everywhere
    except far first getting gets given gives goes going gone gotten however indeed instead
    last later least less let let's lot lots many may maybe might much must near nearly
    neither never next nobody none nothing nowhere often ok okay others otherwise perhaps
    quite rather said say says seem seemed seems seen several since somebody somehow someone
    something sometime sometimes somewhere soon sure thing things though thus together
    toward towards truly unless upon usually well whatever whenever whether within without
    yet
    i'm i've i'd i'll we're we've they're they've can't cant dont im ive get got still even
    that's there's what's here's who's how's where's let's isnt wasnt didnt doesnt wont
    again also one really yet already just like would could us via amp lol omg pls please
    thanks thank today yesterday day days hours hour now time mine yes two week
    rt http https www com
"""
#: Spanish stop words: NLTK's list (nltk.corpus.stopwords 'spanish', from Snowball), plus
#: common adverbs and forms of "hacer" and "ir" (the last two lines).
_SPANISH = """
    de la que el en y a los del se las por un para con no una su al lo como más pero sus le
    ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien
    desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes
    algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual
    poco ella estar estas algunas algo nosotros mi mis tú te ti tu tus ellas nosotras
    vosotros vosotras os mío mía míos mías tuyo tuya tuyos tuyas suyo suya suyos suyas
    nuestro nuestra nuestros nuestras vuestro vuestra vuestros vuestras esos esas estoy
    estás está estamos estáis están esté estés estemos estéis estén estaré estarás estará
    estaremos estaréis estarán estaría estarías estaríamos estaríais estarían estaba
    estabas estábamos estabais estaban estuve estuviste estuvo estuvimos estuvisteis
    estuvieron estuviera estuvieras estuviéramos estuvierais estuvieran estuviese
    estuvieses estuviésemos estuvieseis estuviesen estando estado estada estados estadas
    estad he has ha hemos habéis han haya hayas hayamos hayáis hayan habré habrás habrá
    habremos habréis habrán habría habrías habríamos habríais habrían había habías
    habíamos habíais habían hube hubiste hubo hubimos hubisteis hubieron hubiera hubieras
    hubiéramos hubierais hubieran hubiese hubieses hubiésemos hubieseis hubiesen habiendo
    habido habida habidos habidas soy eres es somos sois son sea seas seamos seáis sean
    seré serás será seremos seréis serán sería serías seríamos seríais serían era eras
    éramos erais eran fui fuiste fue fuimos fuisteis fueron fuera fueras fuéramos fuerais
    fueran fuese fueses fuésemos fueseis fuesen siendo sido tengo tienes tiene tenemos
    tenéis tienen tenga tengas tengamos tengáis tengan tendré tendrás tendrá tendremos
    tendréis tendrán tendría tendrías tendríamos tendríais tendrían tenía tenías teníamos
    teníais tenían tuve tuviste tuvo tuvimos tuvisteis tuvieron tuviera tuvieras
    tuviéramos tuvierais tuvieran tuviese tuvieses tuviésemos tuvieseis tuviesen teniendo
    tenido tenida tenidos tenidas tened
    hoy ayer aún así bien cada casi ahora aquí allí luego menos nunca pues sólo solo tan
    todavía vez veces hace hacer hecho va van voy
"""
STOP_WORDS = frozenset((_ENGLISH + _SPANISH).split())

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
    """The brand's own names, handles, search terms and products, as words (left out of its
    terms: that people mention the brand is no news)."""
    text = " ".join((brand.name, brand.id, *brand.accounts, *brand.terms, *brand.products)).lower()
    return set(_LETTERS.findall(text))


#: A term is shown only when its z-score (the log-odds ratio over its standard error) is at
#: least this: 1.96, two-sided 95 % under the normal approximation the paper uses.
MIN_Z = 1.96


@dataclass(frozen=True)
class Keyword:
    """A term that stands out in the target posts against the comparison posts."""

    term: str
    posts: int  # target posts using it
    baseline_posts: int  # comparison posts using it
    z: float  # weighted log-odds ratio / its standard error


def keyness(
    target: Mapping[str, int],
    comparison: Mapping[str, int],
    prior: Mapping[str, int],
    *,
    min_posts: int,
    min_z: float = MIN_Z,
    prior_weight: float | None = None,
) -> list[Keyword]:
    """The terms of ``target`` that stand out against ``comparison``, most distinctive first.

    Counts are posts using a term (a post repeating a word counts once). The weighted
    log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, eq.
    16-22): with ``y`` a term's count, ``n`` a corpus' total and ``a_w = prior_weight *
    prior_w / sum(prior)`` the prior's share of the term (``a_0 = prior_weight``; by default
    the two corpora's own size, ``n_t + n_c``: the prior weighs as much as the data, as when
    the pooled counts of both corpora are the prior, the usual choice without a large
    background corpus), the log-odds ratio is::

        d_w = log((y_t + a_w) / (n_t + a_0 - y_t - a_w))
            - log((y_c + a_w) / (n_c + a_0 - y_c - a_w))

    its variance is about ``1 / (y_t + a_w) + 1 / (y_c + a_w)``, and ``z_w = d_w / sqrt(var)``.
    A term is kept when it is in at least ``min_posts`` target posts and ``z_w >= min_z``;
    ties are ordered by posts, then alphabetically. With no comparison posts at all there is
    no usual to stand out from: the ``min_posts`` terms in the most posts are returned, with
    ``z`` 0 (:func:`terms_by_category` says so through ``compared``).
    """
    prior_total = sum(prior.values())
    if not target or prior_total <= 0:
        return []
    if not comparison:
        frequent = [Keyword(t, n, 0, 0.0) for t, n in target.items() if n >= min_posts]
        return sorted(frequent, key=lambda k: (-k.posts, k.term))
    n_t, n_c = sum(target.values()), sum(comparison.values())
    a0 = float(n_t + n_c) if prior_weight is None else prior_weight
    found = []
    for term, y_t in target.items():
        if y_t < min_posts:
            continue
        a_w = a0 * prior.get(term, 0) / prior_total
        if a_w <= 0:
            continue
        y_c = comparison.get(term, 0)
        delta = math.log((y_t + a_w) / (n_t + a0 - y_t - a_w)) - math.log(
            (y_c + a_w) / (n_c + a0 - y_c - a_w)
        )
        z = delta / math.sqrt(1 / (y_t + a_w) + 1 / (y_c + a_w))
        if z >= min_z:
            found.append(Keyword(term, y_t, y_c, z))
    found.sort(key=lambda k: (-k.z, -k.posts, k.term))
    return found


def _post_counts(texts: Iterable[str], stop: Collection[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(post_terms(text, stop))
    return counts


#: A category's own baseline is its comparison when it has at least this many posts; with
#: fewer (a category the brand rarely sees), the brand's baseline complaints of every
#: category are: a handful of posts is no "usual".
MIN_CATEGORY_BASELINE = 20


def terms_by_category(
    day: Iterable[tuple[str, str]],
    baseline: Iterable[tuple[str, str]],
    *,
    stop: Collection[str] = STOP_WORDS,
    min_posts: int,
    per_category: int,
) -> list[tuple[str, Keyword]]:
    """``(category, keyword)``: per category of the ``(category, text)`` posts of ``day``,
    the ``per_category`` terms that stand out most (:func:`keyness`) against the same
    category's posts in ``baseline`` (against all of ``baseline`` when the category has
    fewer than :data:`MIN_CATEGORY_BASELINE` there), with the brand's posts of every
    category, the day's and the baseline's, as the prior; ordered by category, then rank.
    With an empty ``baseline`` the most frequent terms are returned (``z`` 0)."""
    today: dict[str, list[str]] = {}
    before: dict[str, list[str]] = {}
    for category, text in day:
        today.setdefault(category, []).append(text)
    for category, text in baseline:
        before.setdefault(category, []).append(text)
    counted_today = {c: _post_counts(t, stop) for c, t in today.items()}
    counted_before = {c: _post_counts(t, stop) for c, t in before.items()}
    prior: Counter[str] = Counter()
    everything_before: Counter[str] = Counter()
    for counts in counted_before.values():
        everything_before.update(counts)
    for counts in (*counted_today.values(), *counted_before.values()):
        prior.update(counts)
    out = []
    for category in sorted(counted_today):
        own = len(before.get(category, ()))
        comparison = counted_before[category] if own >= MIN_CATEGORY_BASELINE else everything_before
        found = keyness(counted_today[category], comparison, prior, min_posts=min_posts)
        out += [(category, k) for k in found[:per_category]]
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
