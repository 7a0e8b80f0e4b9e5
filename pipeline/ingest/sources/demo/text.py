"""How the demo's posts are written: templates, an author's style, typos, decoration.

Texts are composed, not picked whole: a core sentence with paraphrases inside it
(``[a|b]`` alternatives and ``{slot}`` fills, compiled once at import from
:mod:`~pipeline.ingest.sources.demo.phrases`), and now and then an opener, a concrete
detail, a consequence, a closer, emoji, hashtags and an @mention, each chosen
independently. Every author keeps a :class:`Style` (all lower case or tidy capitals, emoji
habits, a verbal tic, typos); :class:`Writer` writes one hour's posts with that hour's
random generator.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from pipeline.ingest.sources.demo import phrases as text_data
from pipeline.ingest.sources.demo.draws import number, pick
from pipeline.ingest.sources.demo.profiles import CATEGORIES, PROFILES

# --------------------------------------------------------------------------------------
# Texture of the text (rates per post, our choice). Posts are composed from independently
# picked parts so that, as with real people, two authors almost never write the same words.
# --------------------------------------------------------------------------------------

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

_ALNUM: Final = string.ascii_letters + string.digits


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


def tidy(text: str) -> str:
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
class Template:
    # A sequence of choices, each a tuple of alternatives (one, for plain text).
    choices: tuple[tuple[_Option, ...], ...]
    lang: str
    mentions_account: bool  # has an {at}: no extra @mention needed
    is_news: bool  # a headline: posted by a media account


def _compile(text: str, lang: str, known_slots: frozenset[str]) -> Template:
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
    return Template(tuple(choices), lang, "at" in slots, "newslink" in slots)


TemplateMap = dict[str, tuple[Template, ...]]


def _language_map(raw: text_data.Texts, lang: str, known_slots: frozenset[str]) -> TemplateMap:
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


def _compile_profile(profile: str) -> dict[str, TemplateMap]:
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


TEMPLATES: Final = {name: _compile_profile(name) for name in PROFILES}


# Casing habits of an author.
_AS_TYPED, _LOWERCASE, _TIDY = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Style:
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


PLAIN_STYLE: Final = Style()
BOT_STYLE: Final = Style(separator=" ")


def draw_style(rng: random.Random, lang: str) -> Style:
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
        tic, tic_first = pick(rng, text_data.TICS[lang])
    return Style(
        casing=casing,
        emoji=emoji,
        hashtags=hashtags,
        typos=typos,
        tic=tic,
        tic_first=tic_first,
        separator=pick(rng, text_data.SEPARATORS),
        ending=pick(rng, text_data.ENDINGS),
        mention_first=rng.random(),
    )


class TextWorld(Protocol):
    """What a :class:`Writer` needs of a brand's world (the world's own attributes)."""

    @property
    def templates(self) -> Mapping[str, TemplateMap]: ...

    @property
    def slots(self) -> Mapping[str, tuple[str, ...]]: ...

    @property
    def accounts(self) -> tuple[str, ...]: ...

    @property
    def brand_tags(self) -> tuple[str, ...]: ...

    @property
    def complaint_tags(self) -> tuple[str, ...]: ...

    @property
    def currency(self) -> str: ...

    @property
    def order_prefix(self) -> str: ...


class Writer:
    """Writes the posts of one hour, drawing from that hour's random generator."""

    def __init__(self, rng: random.Random, world: TextWorld) -> None:
        self.rng = rng
        self.w = world

    def compose(self, template: Template, key: str, voice: str, style: Style) -> str:
        """The core of a post and, now and then, a concrete detail and a consequence."""
        rng, table = self.rng, self.w.templates[template.lang]
        text = self.render(template)
        if rng.random() < DETAIL_RATE[voice]:
            text = self._join(text, table.get(f"more.{key}"), template.lang, style)
        if voice == "complaint" and rng.random() < CONSEQUENCE_RATE:
            outcomes = table.get(f"so.{key}")  # what this kind of trouble costs, or in general
            if not outcomes or outcomes[0].lang != template.lang:
                outcomes = table.get("so.complaint")
            text = self._join(text, outcomes, template.lang, style)
        return text

    def _join(self, text: str, parts: Sequence[Template] | None, lang: str, style: Style) -> str:
        if not parts:
            return text
        part = pick(self.rng, parts)
        if part.lang != lang:  # a part only English has: a Spanish speaker goes without
            return text
        separator = style.separator if _ends_in_word(text) or text[-1] in "'\")" else " "
        return f"{text}{separator}{self.render(part)}"

    def decorate(
        self, text: str, voice: str, template: Template, style: Style, *, public: bool
    ) -> str:
        """Opener, closer, tic, casing, typos and (for ``public`` posts) tags and emoji."""
        rng, lang = self.rng, template.lang
        intent = (
            "praise" if voice == "resolved" else "complaint" if voice == "unresolved" else voice
        )
        openers = text_data.OPENERS.get(lang, {}).get(voice)
        opened = False
        if openers and rng.random() < OPENER_RATE:
            text, opened = f"{pick(rng, openers)} {text}", True
        closers = text_data.CLOSERS.get(lang, {}).get(voice)
        if closers and rng.random() < CLOSER_RATE:
            text = _attach(text, pick(rng, closers))
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
            account = pick(rng, self.w.accounts)
            text = (
                f"{account} {text}" if rng.random() < style.mention_first else f"{text} {account}"
            )
        emoji = text_data.EMOJI.get(intent)
        if emoji and rng.random() < EMOJI_RATE[intent] * style.emoji:
            first = pick(rng, emoji)
            text += " " + first
            if rng.random() < DOUBLE_EMOJI_RATE * style.emoji:
                text += first if rng.random() < 0.5 else pick(rng, emoji)
        if rng.random() < HASHTAG_RATE * style.hashtags:
            tags = self.w.complaint_tags if intent == "complaint" else self.w.brand_tags
            text += " " + pick(rng, tags)
        if intent == "complaint" and rng.random() < SCREENSHOT_RATE:
            text += " " + self._generated("link")
        return text

    def render(self, template: Template) -> str:
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
                return f"#{self.w.order_prefix}{number(rng, 10**6, 10**7)}"
            case "ref":
                return f"{number(rng, 1000, 10_000)}-{number(rng, 100_000, 1_000_000)}"
            case "last4":
                return f"{number(rng, 0, 10_000):04d}"
            case "money":
                r, currency = rng.random(), self.w.currency
                if r < 0.4:
                    return currency + pick(rng, text_data.AMOUNTS)
                if r < 0.7:
                    return f"{currency}{number(rng, 5, 200)}"
                return f"{currency}{number(rng, 5, 150)}.{number(rng, 0, 100):02d}"
            case "price":
                return self.w.currency + pick(rng, text_data.PRICES)
            case "small":
                cents = ".50" if rng.random() < 0.2 else ".99" if rng.random() < 0.2 else ""
                return f"{self.w.currency}{number(rng, 2, 16)}{cents}"
            case "time":
                hour = number(rng, 7, 23)
                return f"{(hour - 1) % 12 + 1}{pick(rng, _MINUTES)}{'am' if hour < 12 else 'pm'}"
            case "link":
                return f"https://{pick(rng, text_data.LINK_SITES)}.example/{_code(rng)}"
            case "newslink":
                return f"https://{pick(rng, text_data.NEWS_SITES)}.example/a/{_code(rng)}"
            case "spamlink":
                return f"https://{pick(rng, text_data.SPAM_SITES)}.example/?ref={_code(rng)}"
        raise ValueError(f"unknown demo slot {slot!r}")
