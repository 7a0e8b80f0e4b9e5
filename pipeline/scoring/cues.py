"""Cue patterns compiled for speed: complaint cue families, category keywords and spam cues.

Every cue is a word-bounded regular expression from the models folder. Tried one by one at
every position of every post, a few hundred of them would cost several times VADER itself;
:class:`CueIndex` indexes them by the words they can start with and :class:`StartIndex`
rules out, in microseconds, those that cannot match a text at all. Neither changes what
matches: both are exact prefilters, and :func:`alternation` compiles what is then tried.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from pipeline.errors import ConfigError

try:  # the regular-expression parser, to index cue patterns by the words they start with
    from re._parser import parse as _sre_parse  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - Python 3.10
    from sre_parse import parse as _sre_parse


def alternation(patterns: Iterable[str], where: str, flags: int = re.I) -> re.Pattern[str]:
    try:
        return re.compile(
            r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)", flags
        )
    except re.error as exc:
        raise ConfigError(f"{where}: invalid pattern: {exc}") from None


# -- fast matching ------------------------------------------------------------------------
#
# Python's re tries every alternative of a pattern at every position of the text, so a few
# hundred cue patterns per text would cost several times VADER itself. Instead, without
# changing what matches:
#
# * texts are lowercased once and patterns compiled without re.IGNORECASE;
# * every pattern that starts with a word ("refund\w*", "(?:no ?one|nobody) answers") is
#   indexed by the first characters of the words it can start with, and tried (anchored)
#   only at the words of a text that begin that way;
# * the few patterns that can start otherwise (emoji, "??", "#\w*fail", "\d+ hours") are
#   searched as before, one alternation per family.

#: First-word characters a pattern is indexed by (shorter first words: all of them).
_KEY_LEN = 4
#: More literal beginnings than this and a pattern is searched instead of indexed.
_MAX_PREFIXES = 1024
WORD = re.compile(r"\w+")
#: Words whose candidate patterns are remembered (then the memo starts again).
_MEMO_SIZE = 200_000
_WORD_PREFIX = re.compile(r"\w*")


def lower_pattern(pattern: str) -> str:
    """Lowercase a pattern's literal characters (escapes such as \\W keep their case)."""
    out, escaped = [], False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = ch == "\\" and not escaped
    return "".join(out)


_DIGITS = frozenset("0123456789")


def _prefixes(items: list[tuple[Any, Any]], i: int = 0) -> tuple[set[str], set[str]]:
    """The literal beginnings of the matches of ``items[i:]``, a parsed pattern: (those a
    match goes on from with something not literal, whole matches)."""
    partial: set[str] = set()
    opens = {""}
    while i < len(items):
        if len(opens) + len(partial) > _MAX_PREFIXES:
            return {""}, set()
        if len(opens) > _MAX_PREFIXES // 8:  # long enough: stop extending
            return partial | opens, set()
        op, av = items[i]
        name = getattr(op, "name", "")
        i += 1
        if name == "LITERAL":
            opens = {o + chr(av) for o in opens}
        elif name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue  # zero-width
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = av
            sub_partial, sub_whole = _prefixes(list(sub.data))
            if low == 0 and high == 1 and not sub_partial:  # "s?", "(?:still )?"
                opens = {o + e for o in opens for e in sub_whole | {""}}
                continue
            partial |= {o + e for o in opens for e in sub_partial | sub_whole}
            if low:
                return partial, set()
            rest_partial, rest_whole = _prefixes(items, i)  # zero times: what follows
            partial |= {o + e for o in opens for e in rest_partial}
            return partial, {o + e for o in opens for e in rest_whole}
        elif name == "IN":
            chars: set[str] = set()
            for kind, value in av:
                kind_name = getattr(kind, "name", "")
                if kind_name == "LITERAL":
                    chars.add(chr(value))
                elif kind_name == "CATEGORY" and getattr(value, "name", "") == "CATEGORY_DIGIT":
                    chars |= _DIGITS
                else:
                    return partial | opens, set()
            opens = {o + c for o in opens for c in chars}
        elif name in ("SUBPATTERN", "BRANCH"):
            alternatives = [av[-1]] if name == "SUBPATTERN" else list(av[1])
            new_opens: set[str] = set()
            for alternative in alternatives:
                alt_partial, alt_whole = _prefixes(list(alternative.data))
                partial |= {o + e for o in opens for e in alt_partial}
                new_opens |= {o + e for o in opens for e in alt_whole}
            opens = new_opens
        else:
            return partial | opens, set()
    return partial, opens


def _word_key(prefix: str, ends: bool) -> tuple[str, bool] | None:
    """Index key of a literal beginning of a match (``ends``: the whole match): (its first
    word or that word's first characters, whether a word must equal it), or None when it
    does not start with a word."""
    word = _WORD_PREFIX.match(prefix)
    first = word.group() if word is not None else ""
    if not first:
        return None
    if len(first) >= _KEY_LEN:
        return first[:_KEY_LEN], False
    # a short word: exact when something literal (or the end) follows it
    return first, ends or len(prefix) > len(first)


def _first_word_keys(pattern: str) -> set[tuple[str, bool]] | None:
    """Index keys of a (lowercased) pattern (see :func:`_word_key`), or None when a match
    may start without a word."""
    partial, whole = _prefixes(list(_sre_parse(pattern).data))
    keys = set()
    for prefix, ends in [*((p, False) for p in partial), *((p, True) for p in whole)]:
        key = _word_key(prefix, ends)
        if key is None:
            return None
        keys.add(key)
    return keys


_WORD_CHAR = re.compile(r"\w")
#: Parsed-pattern operations that consume word characters only (see :func:`word_only`).
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _consumes_word_chars_only(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        name = getattr(op, "name", "")
        if name == "LITERAL":
            if _WORD_CHAR.match(chr(av)) is None:
                return False
        elif name == "IN":
            for kind, value in av:
                kind_name = getattr(kind, "name", "")
                if kind_name == "LITERAL":
                    if _WORD_CHAR.match(chr(value)) is None:
                        return False
                elif kind_name == "CATEGORY":
                    if getattr(value, "name", "") not in ("CATEGORY_DIGIT", "CATEGORY_WORD"):
                        return False
                else:  # a negated set, a range: not known to stay inside a word
                    return False
        elif name == "CATEGORY":
            if getattr(av, "name", "") not in ("CATEGORY_DIGIT", "CATEGORY_WORD"):
                return False
        elif name in _REPEATS:
            if not _consumes_word_chars_only(list(av[2].data)):
                return False
        elif name == "SUBPATTERN":
            if av[1] or av[2] or not _consumes_word_chars_only(list(av[-1].data)):
                return False  # inline flags change what matches: not decided by the word
        elif name == "BRANCH":
            if not all(_consumes_word_chars_only(list(b.data)) for b in av[1]):
                return False
        else:  # anchors, lookarounds, backreferences, "."
            return False
    return True


def word_only(pattern: str) -> bool:
    """Whether a (lowercased) cue pattern can only consume word characters.

    Then the word-bounded pattern matches at the start of a word exactly when it matches
    that whole word (its end must be followed by a non-word character): the word alone
    decides, and :meth:`CueIndex.token_entries` needs no regular expression for it.
    """
    return _consumes_word_chars_only(list(_sre_parse(pattern).data))


class _Gate:
    """Whether a text contains one of some literal strings (as a regular expression
    alternation of them would find, but without trying every one at every position)."""

    def __init__(self, starts: Iterable[str]) -> None:
        # Drop starts that a shorter start already covers ("#" covers "#a").
        found = set(starts)
        found = {p for p in found if not any(q != p and p.startswith(q) for q in found)}
        self.ascii = tuple(sorted(p for p in found if p.isascii()))
        self.chars = frozenset(p for p in found if not p.isascii() and len(p) == 1)
        self.other = tuple(sorted(p for p in found if not p.isascii() and len(p) > 1))

    def __call__(self, text: str) -> bool:
        for start in self.ascii:
            if start in text:
                return True
        if text.isascii():
            return False
        return not self.chars.isdisjoint(text) or any(p in text for p in self.other)


#: What a word decides (see CueIndex.token_entries): groups matched, (group, alternation)
#: to try, all of those as one (None: none), texts a match of them starts with.
_Entries = tuple[
    tuple[int, ...],
    tuple[tuple[int, re.Pattern[str]], ...],
    re.Pattern[str] | None,
    tuple[str, ...],
]
#: What to try at a word: all its patterns as one (None: none), and each with its group.
_Candidates = tuple[re.Pattern[str] | None, tuple[tuple[int, re.Pattern[str]], ...]]


class CueIndex:
    """Cue patterns of many groups (families), indexed by the words they start with."""

    def __init__(self, groups: Mapping[str, Iterable[str]], where: str) -> None:
        self.names = tuple(groups)
        # key -> group -> the group's patterns starting that way, tried as one alternation
        tables: tuple[dict[str, dict[int, list[str]]], ...] = ({}, {})
        always: dict[int, list[str]] = {}
        for gi, (name, patterns) in enumerate(groups.items()):
            for raw in patterns:
                pattern = lower_pattern(str(raw))
                alternation([pattern], f"{where} '{name}'", 0)  # every pattern must compile
                keys = _first_word_keys(pattern)
                if keys is None:
                    always.setdefault(gi, []).append(pattern)
                    continue
                for key, exact in keys:
                    tables[exact].setdefault(key, {}).setdefault(gi, []).append(pattern)
        self.by_key, self.exact = (
            {
                key: [
                    (gi, alternation(ps, f"{where} '{self.names[gi]}'", 0))
                    for gi, ps in by_group.items()
                ]
                for key, by_group in table.items()
            }
            for table in tables
        )
        #: the same tables with each group's patterns, for :meth:`token_entries`
        self._raw = tables
        self.memo: dict[str, _Candidates] = {}
        self._combined: dict[tuple[tuple[int, str], ...], re.Pattern[str]] = {}
        self.always = {
            gi: alternation(patterns, f"{where} '{self.names[gi]}'", 0)
            for gi, patterns in always.items()
        }
        # Per group, the characters its always-searched patterns can start with: a text
        # with none of them is not searched (None when some pattern may start with anything).
        self.always_gates: dict[int, _Gate | None] = {}
        for gi, patterns in always.items():
            starts: set[str] = set()
            for pattern in patterns:
                starts |= {p[:2] for p in _beginnings(pattern)}
            self.always_gates[gi] = None if "" in starts else _Gate(starts)
        #: Per always-searched group, for the compiled core, its starts (what its gate
        #: looks for) when every match begins with one of them and none is empty: the
        #: core then tries the pattern only where one of them begins after a non-word
        #: character (what its ``(?<!\w)`` asks), not at every position. None: searched.
        self.always_starts: dict[int, tuple[str, ...] | None] = {}
        for gi, searched in self.always.items():
            gate = self.always_gates[gi]
            scannable = (
                searched.pattern.startswith(r"(?<!\w)")  # as alternation() writes them
                and _sre_parse(searched.pattern).getwidth()[0] > 0
            )
            self.always_starts[gi] = (
                (*gate.ascii, *sorted(gate.chars), *gate.other)
                if gate is not None and scannable
                else None
            )

    def candidates(self, token: str) -> _Candidates:
        """The patterns to try at a word, and all of them as one pattern (to rule them all
        out with one call), remembered per word (words repeat a lot)."""
        found = tuple(
            candidate
            for n in range(1, min(len(token), _KEY_LEN) + 1)
            for candidate in self.by_key.get(token[:n], ())
        )
        if len(token) < _KEY_LEN:
            found += tuple(self.exact.get(token, ()))
        combined = None
        if found:
            key = tuple((gi, p.pattern) for gi, p in found)
            combined = self._combined.get(key)
            if combined is None:
                combined = re.compile("|".join(p.pattern for _, p in found))
                self._combined[key] = combined
        if len(self.memo) >= _MEMO_SIZE:
            self.memo.clear()
        self.memo[token] = candidates = (combined, found)
        return candidates

    def token_entries(self, token: str) -> _Entries:
        """What :meth:`matches` finds at a word ``token`` of a text, split by what the word
        alone decides (for the compiled core, :mod:`pipeline.scoring._core`).

        :meth:`matches` tries, at each word, one alternation per (key, group) entry that
        the word's beginning selects. Here: (the groups of the entries that match whatever
        follows the word, one per entry; (group, alternation) for the entries that depend
        on what follows, with the patterns the word alone cannot decide; all those patterns as
        one, to rule them all out with one call; the texts one of which a match of them
        must start with, or ``()`` when not known). The patterns
        that consume only word characters (:func:`word_only`) match exactly when they
        match the whole word.
        """
        hits: list[int] = []
        checks: list[tuple[int, re.Pattern[str]]] = []
        tried: list[str] = []
        tables = [self._raw[0].get(token[:n]) for n in range(1, min(len(token), _KEY_LEN) + 1)]
        if len(token) < _KEY_LEN:
            tables.append(self._raw[1].get(token))
        for table in tables:
            for gi, patterns in (table or {}).items():
                rest: list[str] = []
                hit = False
                for pattern in patterns:
                    whole = _whole_word(pattern)
                    if whole is None:
                        rest.append(pattern)
                    elif whole.fullmatch(token) is not None:
                        hit = True
                        break
                if hit:
                    hits.append(gi)
                elif rest:
                    checks.append((gi, _check(tuple(rest))[0]))
                    tried.extend(rest)
        if not checks:
            return tuple(hits), (), None, ()
        combined, starts = _check(tuple(dict.fromkeys(tried)))
        return tuple(hits), tuple(checks), combined, starts

    def matches(self, lowered: str) -> Iterator[tuple[int, re.Match[str]]]:
        """(group, match) for every indexed pattern matching at a word, then the others."""
        memo = self.memo
        for word in WORD.finditer(lowered):
            token = word.group()
            candidates = memo.get(token)
            if candidates is None:
                candidates = self.candidates(token)
            combined = candidates[0]
            if combined is None or combined.match(lowered, word.start()) is None:
                continue  # none of them matches here: one call rules them all out
            for gi, pattern in candidates[1]:
                found = pattern.match(lowered, word.start())
                if found is not None:
                    yield gi, found
        for gi, pattern in self.always.items():
            gate = self.always_gates[gi]
            if gate is None or gate(lowered):
                for found in pattern.finditer(lowered):
                    yield gi, found


#: Literal beginnings of a pattern checked as substrings by :class:`StartIndex` (at most
#: this many, of at most this many characters).
_MAX_STARTS, _START_LEN = 24, 12
#: At most this many texts a pattern tried at a word must start with (:func:`_check`).
_MAX_CHECK_STARTS = 64
#: Characters that IGNORECASE matches to an ASCII letter but ``str.lower`` does not lower to
#: it (or lowers to more than one character): a text with one is matched without the
#: lowercase prefilter of :class:`StartIndex`. (All such code points; a unit test checks.)
FOLD_ODD = frozenset("\u0130\u0131\u017f\u212a")


class StartIndex:
    """Which of some patterns can match a text at all, from the literal characters every
    match must start with: a necessary condition, computed in a few microseconds.

    A match of a (word-bounded, lowercased) pattern that starts with a word starts at a
    word of the lowercased text that begins with (or, when something literal follows, is)
    its first word; one that starts otherwise ("#ad", "$", an emoji) needs its first
    character in the text; a pattern with too many beginnings is always a candidate.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        self.always: set[int] = set()
        #: first word (or its first _KEY_LEN characters) a word must begin with / be
        self.prefix: dict[str, set[int]] = {}
        self.exact: dict[str, set[int]] = {}
        self.by_char: dict[str, set[int]] = {}
        #: per pattern, texts one of which every match begins with (None: not known)
        self.starts: list[tuple[str, ...] | None] = []
        for i, pattern in enumerate(patterns):
            partial, whole = _prefixes(list(_sre_parse(pattern).data))
            starts = {p[:_START_LEN] for p in partial | whole}
            starts = {p for p in starts if not any(q != p and p.startswith(q) for q in starts)}
            self.starts.append(
                None if "" in starts or len(starts) > _MAX_STARTS else tuple(sorted(starts))
            )
            for start, ends in [*((p, False) for p in partial), *((p, True) for p in whole)]:
                key = _word_key(start, ends)
                if not start:
                    self.always.add(i)
                elif key is None:
                    self.by_char.setdefault(start[0], set()).add(i)
                else:
                    (self.exact if key[1] else self.prefix).setdefault(key[0], set()).add(i)
        #: words seen, those of them that some pattern may start at, and those patterns:
        #: one tuple, replaced whole when it grows too big (so threads never see a word
        #: as seen without its patterns)
        self._words: tuple[set[str], set[str], dict[str, frozenset[int]]] = (set(), set(), {})

    def _learn(
        self, token: str, seen: set[str], hit: set[str], hits: dict[str, frozenset[int]]
    ) -> None:
        found = set(self.exact.get(token, ()))
        for n in range(1, min(len(token), _KEY_LEN) + 1):
            found |= self.prefix.get(token[:n], set())
        if found:
            hits[token] = frozenset(found)
            hit.add(token)
        seen.add(token)

    def token_candidates(self, token: str) -> frozenset[int]:
        """The patterns some match of which may start at a word ``token`` (for the
        compiled core: what :meth:`_learn` remembers of a word)."""
        found = set(self.exact.get(token, ()))
        for n in range(1, min(len(token), _KEY_LEN) + 1):
            found |= self.prefix.get(token[:n], set())
        return frozenset(found)

    def candidates(self, lowered: str) -> set[int]:
        """The patterns that may match ``lowered`` (a superset of those that do)."""
        words = set(WORD.findall(lowered))
        seen, hit, hits = self._words
        new = words - seen
        if new:
            if len(seen) >= _MEMO_SIZE:
                seen, hit, hits = self._words = (set(), set(), {})
                new = words
            for token in new:
                self._learn(token, seen, hit, hits)
        found = set(self.always)
        for token in words & hit:
            found |= hits[token]
        for ch, ids in self.by_char.items():
            if ch in lowered:
                found |= ids
        starts = self.starts
        return {
            i
            for i in found
            if (texts := starts[i]) is None or any(text in lowered for text in texts)
        }


# -- what a pattern's text alone decides, worked out once per process --------------------
#
# The compiled core's per-word learning (CueIndex.token_entries) asks these of patterns and
# of tuples of them. They depend only on the pattern text, not on the index, so they are
# remembered per process: every brand's scorer (each with its own indexes) and every word
# that selects the same patterns reuse them. Worked out per index and tuple instead, they
# cost the compiled core more than the scoring itself on a cold 10-brand run
# (docs/benchmark.md, "The compiled core's cold start").

#: Tuples of patterns whose check (_check) is remembered (bounded: distinct tuples come
#: from words, about 300 per index on the bench's corpus).
_CHECKS_KEPT = 16_384


@functools.lru_cache(maxsize=_CHECKS_KEPT)
def _beginnings(pattern: str) -> frozenset[str]:
    """The literal beginnings of a (lowercased) pattern's matches (see :func:`_prefixes`)."""
    partial, whole = _prefixes(list(_sre_parse(pattern).data))
    return frozenset(partial | whole)


@functools.lru_cache(maxsize=_CHECKS_KEPT)
def _whole_word(pattern: str) -> re.Pattern[str] | None:
    """The pattern compiled to match a whole word, or None when it is not word-only."""
    return re.compile(pattern) if word_only(pattern) else None


@functools.lru_cache(maxsize=_CHECKS_KEPT)
def _check(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The alternation of some patterns, and texts one of which every match of it starts
    with (empty when not known): a text that starts with none of them at a word is not
    tried there."""
    beginnings: set[str] = set()
    for pattern in patterns:
        beginnings |= _beginnings(pattern)
    starts: set[str] = set()
    if "" not in beginnings:  # the longest cut that leaves few enough texts
        for length in range(_START_LEN, 1, -1):
            starts = {b[:length] for b in beginnings}
            if len(starts) <= _MAX_CHECK_STARTS:
                break
        else:
            starts = set()
    return alternation(patterns, "cues", 0), tuple(sorted(starts))


@dataclass(frozen=True)
class CueFamily:
    name: str
    weight: float


# -- one index per pattern set, shared by the scorers of a process ------------------------
#
# Every brand has its own Scorer, but most brands' cue families, categories and spam cues
# are the same patterns. What an index learns per word (CueIndex.memo, token_entries through
# the compiled core's matchers, StartIndex's words) depends only on the patterns, so the
# scorers with equal patterns share one index and one compiled matcher: a word is learned
# once per process, not once per brand (docs/benchmark.md, "The compiled core's cold start").

_shared_lock = threading.Lock()
_shared: dict[tuple[str, ...], Any] = {}


def shared_item(key: tuple[str, ...], build: Callable[[], Any]) -> Any:
    """The process's shared object under ``key``, made by ``build`` on first use (dropped
    by :func:`forget_learned`)."""
    with _shared_lock:
        found = _shared.get(key)
        if found is None:
            found = _shared[key] = build()
        return found


def shared_cue_index(groups: Mapping[str, Iterable[str]], where: str) -> CueIndex:
    """The process's :class:`CueIndex` of these groups (in this order), built on first use."""
    listed = {str(name): [str(p) for p in patterns] for name, patterns in groups.items()}
    key = ("cues", where, json.dumps(list(listed.items()), ensure_ascii=False))
    index: CueIndex = shared_item(key, lambda: CueIndex(listed, where))
    return index


def shared_start_index(patterns: Iterable[str]) -> StartIndex:
    """The process's :class:`StartIndex` of these patterns (in this order)."""
    listed = [str(p) for p in patterns]
    key = ("starts", json.dumps(listed, ensure_ascii=False))
    index: StartIndex = shared_item(key, lambda: StartIndex(listed))
    return index


def shared_matcher(compiled: ModuleType, kind: str, index: CueIndex | StartIndex) -> Any:
    """The compiled core's ``kind`` matcher (``TokenMatcher``, ``StartMatcher``) of a
    shared ``index``: one per index and process, so its cache of words is shared too."""
    key = ("matcher", compiled.__name__, kind, str(id(index)))
    return shared_item(key, lambda: getattr(compiled, kind)(index))


def forget_learned() -> None:
    """Drop the shared indexes, matchers and compiled VADERs and the remembered pattern
    checks: scorers built after this learn every word again (a benchmark of a cold
    process; a load's writing process once its workers score). The language rule's
    remembered readings are its own (bounded) and stay."""
    with _shared_lock:
        _shared.clear()
    for cached in (_beginnings, _whole_word, _check):
        cached.cache_clear()
