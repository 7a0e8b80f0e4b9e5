# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# distutils: extra_compile_args = -O2 -ffp-contract=off
"""The compiled scoring core: VADER and the cue, category and spam matching, in Cython.

Built by ``make`` / ``pip install`` (see setup.py); :mod:`pipeline.scoring.core` decides
whether it runs. Everything here computes exactly what the pure-Python reference computes
(:mod:`pipeline.scoring.vader`, :mod:`pipeline.scoring.cues`): the same floating-point
operations in the same order (compiled with ``-ffp-contract=off``, so no fused multiply-add
changes a rounding), and the same regular expressions where a pattern needs one.

:class:`VaderCore`
    ``Analyzer.scores`` on a per-token cache: what VADER asks of a word (its stripped and
    lowercased forms, lexicon valence, booster value, whether it negates, whether it is one
    of the few words the rules compare with) is worked out once per distinct token.
:class:`TokenMatcher`
    the cue families and categories of a :class:`~pipeline.scoring.cues.CueIndex`: the text
    is cut into words in C, each distinct word is classified once (which patterns a word
    alone decides, which need the text after it, see ``CueIndex.token_entries``), and a
    regular expression runs only where a pattern reaches past the word.
:class:`StartMatcher`
    :meth:`~pipeline.scoring.cues.StartIndex.candidates` on the same word cutting.
"""

cimport cython
from libc.math cimport fabs, sqrt
from libc.stdlib cimport free, malloc

import builtins
import sys

cdef object _round = builtins.round
cdef object _sum = builtins.sum
# Python before 3.12 sums floats left to right in one double; 3.12 compensates (Neumaier).
cdef bint _PLAIN_SUM = sys.version_info < (3, 12)

#: Entries kept in a per-token cache before it starts again (as cues._MEMO_SIZE).
cdef Py_ssize_t _MEMO_SIZE = 200000

# Words VADER's rules compare a word with (codes of Tok.code).
cdef enum:
    W_OTHER = 0
    W_NO
    W_NEVER
    W_SO
    W_THIS
    W_WITHOUT
    W_DOUBT
    W_LEAST
    W_AT
    W_VERY
    W_KIND
    W_OF
    W_OR
    W_NOR
    W_BUT

_CODES = {
    "no": W_NO, "never": W_NEVER, "so": W_SO, "this": W_THIS, "without": W_WITHOUT,
    "doubt": W_DOUBT, "least": W_LEAST, "at": W_AT, "very": W_VERY, "kind": W_KIND,
    "of": W_OF, "or": W_OR, "nor": W_NOR, "but": W_BUT,
}


@cython.no_gc  # str and C fields only: no cycles, and the caches hold many
cdef class Tok:
    """What VADER's rules ask of one whitespace-separated token."""

    cdef public str word   # the token, punctuation stripped unless that leaves <= 2 chars
    cdef public str lower
    cdef bint is_upper
    cdef bint in_lex
    cdef double lex
    cdef bint in_booster
    cdef double booster
    cdef bint negated      # in VADER's NEGATE list or containing "n't"
    cdef bint ngram        # a word of a multi-word idiom or booster
    cdef bint no_problem   # one of the fixes' no_problem_words
    cdef int code


cdef class VaderCore:
    """``Analyzer.scores`` (pipeline.scoring.vader) compiled, with a per-token cache."""

    cdef dict lexicon
    cdef dict booster
    cdef dict special
    cdef frozenset negate
    cdef frozenset ngram_words
    cdef str punctuation
    cdef dict emojis
    cdef bytes emoji_bits  # one bit per code point: a one-character emoji key
    cdef bint ascii_emoji
    cdef double n_scalar
    cdef double c_incr
    cdef bint has_fixes
    cdef double negated_negative_scale
    cdef frozenset no_problem_words
    cdef double no_problem_valence
    cdef dict cache

    def __init__(self, analyzer, booster, special, negate, n_scalar, c_incr, punctuation):
        """``analyzer``: a :class:`~pipeline.scoring.vader.Analyzer` (its lexicon, fixes and
        emoji step); the rest: vaderSentiment's constants of the same names."""
        self.lexicon = dict(analyzer.lexicon)
        self.booster = dict(booster)
        self.special = dict(special)
        self.negate = frozenset(negate)
        words = set()
        for key in (*self.special, *self.booster):
            if " " in key:
                words.update(key.split(" "))
        self.ngram_words = frozenset(words)
        self.punctuation = punctuation
        self.emojis = dict(analyzer.emojis)
        bits = bytearray(0x110000 // 8)
        for ch in analyzer._emoji:
            bits[ord(ch) >> 3] |= 1 << (ord(ch) & 7)
        self.emoji_bits = bytes(bits)
        self.ascii_emoji = any(ch.isascii() for ch in analyzer._emoji)
        self.n_scalar = n_scalar
        self.c_incr = c_incr
        fixes = analyzer.fixes
        self.has_fixes = fixes is not None
        if fixes is not None:
            self.negated_negative_scale = fixes.negated_negative_scale
            self.no_problem_words = frozenset(fixes.no_problem_words)
            self.no_problem_valence = fixes.no_problem_valence
        else:
            self.no_problem_words = frozenset()
        self.cache = {}

    cdef inline bint _is_emoji(self, Py_UCS4 ch):
        cdef const unsigned char* bits = self.emoji_bits
        cdef unsigned int code = <unsigned int>ch
        return (bits[code >> 3] >> (code & 7)) & 1

    cdef str _without_emoji(self, str text):
        """``Analyzer._without_emoji``: each emoji character replaced by its description
        (a space before it unless one is there), the text itself when it has none."""
        cdef Py_ssize_t i, n = len(text), run_start = 0
        cdef Py_UCS4 ch
        cdef bint prev_space
        cdef list out = None
        for i in range(n):
            ch = text[i]
            if (ch >= 128 or self.ascii_emoji) and self._is_emoji(ch):
                if out is None:
                    out = []
                if i > run_start:
                    out.append(text[run_start:i])
                    prev_space = text[i - 1] == u" "
                else:
                    prev_space = i == 0  # the start, or right after another emoji
                if not prev_space:
                    out.append(" ")
                out.append(self.emojis[text[i]])
                run_start = i + 1
        if out is None:
            return text
        if run_start < n:
            out.append(text[run_start:n])
        return "".join(out)

    cdef Tok _learn(self, str token):
        cdef Tok t = Tok()
        stripped = token.strip(self.punctuation)
        t.word = token if len(stripped) <= 2 else stripped
        t.lower = t.word.lower()
        t.is_upper = t.word.isupper()
        value = self.lexicon.get(t.lower)
        t.in_lex = value is not None or t.lower in self.lexicon
        t.lex = value if value is not None else 0.0
        value = self.booster.get(t.lower)
        t.in_booster = value is not None or t.lower in self.booster
        t.booster = value if value is not None else 0.0
        t.negated = t.lower in self.negate or "n't" in t.lower
        t.ngram = t.lower in self.ngram_words
        t.no_problem = t.lower in self.no_problem_words
        t.code = _CODES.get(t.lower, W_OTHER)
        if len(self.cache) >= _MEMO_SIZE:
            self.cache.clear()
        self.cache[token] = t
        return t

    cdef double _scalar_inc_dec(self, Tok b, double valence, bint is_cap_diff, int start_i):
        cdef double scalar = 0.0
        if b.in_booster:
            scalar = b.booster
            if valence < 0:
                scalar *= -1
            if b.is_upper and is_cap_diff:
                if valence > 0:
                    scalar += self.c_incr
                else:
                    scalar -= self.c_incr
            if start_i == 1 and scalar != 0:
                scalar = scalar * 0.95
            if start_i == 2 and scalar != 0:
                scalar = scalar * 0.9
        return scalar

    cdef double _negation_check(self, double valence, list toks, int start_i, Py_ssize_t i):
        cdef Tok t1, t2, t3
        if start_i == 0:
            t1 = toks[i - 1]
            if t1.negated:
                valence = valence * self.n_scalar
        elif start_i == 1:
            t1 = toks[i - 1]
            t2 = toks[i - 2]
            if t2.code == W_NEVER and (t1.code == W_SO or t1.code == W_THIS):
                valence = valence * 1.25
            elif t2.code == W_WITHOUT and t1.code == W_DOUBT:
                pass
            elif t2.negated:
                valence = valence * self.n_scalar
        elif start_i == 2:
            t1 = toks[i - 1]
            t2 = toks[i - 2]
            t3 = toks[i - 3]
            if (t3.code == W_NEVER and (t2.code == W_SO or t2.code == W_THIS)) or (
                t1.code == W_SO or t1.code == W_THIS
            ):
                valence = valence * 1.25
            elif t3.code == W_WITHOUT and (t2.code == W_DOUBT or t1.code == W_DOUBT):
                pass
            elif t3.negated:
                valence = valence * self.n_scalar
        return valence

    cdef double _special_idioms_check(self, double valence, list toks, Py_ssize_t i,
                                      Py_ssize_t n):
        # Only words of multi-word keys can make a key: n-grams with another word are skipped.
        cdef Tok t0 = toks[i]
        cdef Tok t1 = toks[i - 1]
        cdef Tok t2 = toks[i - 2]
        cdef Tok t3 = toks[i - 3]
        cdef Tok a, b
        cdef dict special = self.special
        found = None
        if t1.ngram and t0.ngram:
            found = special.get(f"{t1.lower} {t0.lower}")
        if found is None and t2.ngram and t1.ngram and t0.ngram:
            found = special.get(f"{t2.lower} {t1.lower} {t0.lower}")
        if found is None and t2.ngram and t1.ngram:
            found = special.get(f"{t2.lower} {t1.lower}")
        if found is None and t3.ngram and t2.ngram and t1.ngram:
            found = special.get(f"{t3.lower} {t2.lower} {t1.lower}")
        if found is None and t3.ngram and t2.ngram:
            found = special.get(f"{t3.lower} {t2.lower}")
        if found is not None:
            valence = found
        if n - 1 > i:
            a = toks[i + 1]
            if t0.ngram and a.ngram:
                found = special.get(f"{t0.lower} {a.lower}")
                if found is not None:
                    valence = found
        if n - 1 > i + 1:
            a = toks[i + 1]
            b = toks[i + 2]
            if t0.ngram and a.ngram and b.ngram:
                found = special.get(f"{t0.lower} {a.lower} {b.lower}")
                if found is not None:
                    valence = found
        cdef dict booster = self.booster
        if t3.ngram and t2.ngram and t1.ngram:
            found = booster.get(f"{t3.lower} {t2.lower} {t1.lower}")
            if found is not None:
                valence = valence + <double>found
        if t3.ngram and t2.ngram:
            found = booster.get(f"{t3.lower} {t2.lower}")
            if found is not None:
                valence = valence + <double>found
        if t2.ngram and t1.ngram:
            found = booster.get(f"{t2.lower} {t1.lower}")
            if found is not None:
                valence = valence + <double>found
        return valence

    cdef object _score_valence(self, double* sentiments, Py_ssize_t n, str text):
        """vaderSentiment's ``score_valence``: the polarity dict of a text's valences."""
        cdef double sum_s = 0.0, punct = 0.0, compound, pos_sum = 0.0, neg_sum = 0.0
        cdef double total, pos, neg, neu, s
        cdef Py_ssize_t k, neu_count = 0, ep, qm
        if n == 0:
            return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}
        if _PLAIN_SUM:
            for k in range(n):
                sum_s += sentiments[k]
        else:
            sum_s = _sum([sentiments[k] for k in range(n)])
        ep = text.count("!")
        if ep > 4:
            ep = 4
        qm = text.count("?")
        punct = ep * 0.292
        if qm > 1:
            if qm <= 3:
                punct = punct + qm * 0.18
            else:
                punct = punct + 0.96
        else:
            punct = punct + 0
        if sum_s > 0:
            sum_s += punct
        elif sum_s < 0:
            sum_s -= punct
        compound = sum_s / sqrt((sum_s * sum_s) + 15)
        if compound < -1.0:
            compound = -1.0
        elif compound > 1.0:
            compound = 1.0
        for k in range(n):
            s = sentiments[k]
            if s > 0:
                pos_sum += s + 1
            if s < 0:
                neg_sum += s - 1
            if s == 0:
                neu_count += 1
        if pos_sum > fabs(neg_sum):
            pos_sum += punct
        elif pos_sum < fabs(neg_sum):
            neg_sum -= punct
        total = pos_sum + fabs(neg_sum) + <double>neu_count
        pos = fabs(pos_sum / total)
        neg = fabs(neg_sum / total)
        neu = fabs(<double>neu_count / total)
        return {
            "neg": _round(neg, 3),
            "neu": _round(neu, 3),
            "pos": _round(pos, 3),
            "compound": _round(compound, 4),
        }

    cdef void _but_check(self, double* s, Py_ssize_t n, Py_ssize_t bi):
        """The package's ``_but_check``, quirks included: each value is looked up by
        ``list.index`` (the first equal value is the one scaled)."""
        cdef Py_ssize_t k, si
        cdef double v
        for k in range(n):
            v = s[k]
            si = 0
            while s[si] != v:
                si += 1
            if si < bi:
                s[si] = v * 0.5
            elif si > bi:
                s[si] = v * 1.5

    def scores(self, str text, bint fix=True):
        """VADER's scores of ``text`` and its compound after the fixes (when ``fix``), as
        ``Analyzer.scores`` returns them."""
        cdef Py_ssize_t n, i, allcaps = 0, n_changed = 0, bi = -1, k, start_i
        cdef bint is_cap_diff, idiom, do_fix = fix and self.has_fixes
        cdef double valence, before
        cdef double* sentiments
        cdef double* fixed
        cdef Py_ssize_t* changed_at
        cdef double* changed_to
        cdef Tok t, b
        cdef dict cache = self.cache
        if self.ascii_emoji or not text.isascii():
            text = self._without_emoji(text)
        text = text.strip()
        toks = []
        for token in text.split():
            found = cache.get(token)
            if found is None:
                found = self._learn(token)
            toks.append(found)
        n = len(toks)
        for i in range(n):
            t = toks[i]
            if t.is_upper:
                allcaps += 1
            if bi < 0 and t.code == W_BUT:
                bi = i
        is_cap_diff = 0 < n - allcaps < n
        sentiments = <double*>malloc((4 * n + 1) * sizeof(double))
        changed_at = <Py_ssize_t*>malloc((2 * n + 1) * sizeof(Py_ssize_t))
        if sentiments == NULL or changed_at == NULL:
            free(sentiments)
            free(changed_at)
            raise MemoryError()
        fixed = sentiments + n
        changed_to = sentiments + 2 * n
        try:
            for i in range(n):
                t = toks[i]
                if t.in_booster or (
                    i < n - 1 and t.code == W_KIND and (<Tok>toks[i + 1]).code == W_OF
                ):
                    sentiments[i] = 0
                    continue
                valence = 0
                if t.in_lex:
                    valence = t.lex
                    idiom = False
                    if t.code == W_NO and i != n - 1 and (<Tok>toks[i + 1]).in_lex:
                        valence = 0.0
                    if (
                        (i > 0 and (<Tok>toks[i - 1]).code == W_NO)
                        or (i > 1 and (<Tok>toks[i - 2]).code == W_NO)
                        or (
                            i > 2
                            and (<Tok>toks[i - 3]).code == W_NO
                            and (
                                (<Tok>toks[i - 1]).code == W_OR
                                or (<Tok>toks[i - 1]).code == W_NOR
                            )
                        )
                    ):
                        valence = t.lex * self.n_scalar
                    if is_cap_diff and t.is_upper:
                        if valence > 0:
                            valence += self.c_incr
                        else:
                            valence -= self.c_incr
                    for start_i in range(3):
                        b = toks[i - (start_i + 1)] if i > start_i else None
                        if i > start_i and not b.in_lex:
                            valence = valence + self._scalar_inc_dec(
                                b, valence, is_cap_diff, <int>start_i
                            )
                            valence = self._negation_check(valence, toks, <int>start_i, i)
                            if start_i == 2:
                                before = valence
                                valence = self._special_idioms_check(valence, toks, i, n)
                                idiom = valence != before
                    # _least_check
                    if i > 1 and not (<Tok>toks[i - 1]).in_lex and (
                        <Tok>toks[i - 1]
                    ).code == W_LEAST:
                        if (<Tok>toks[i - 2]).code != W_AT and (<Tok>toks[i - 2]).code != W_VERY:
                            valence = valence * self.n_scalar
                    elif i > 0 and not (<Tok>toks[i - 1]).in_lex and (
                        <Tok>toks[i - 1]
                    ).code == W_LEAST:
                        valence = valence * self.n_scalar
                    if do_fix and valence > 0 and t.lex < 0 and not idiom:
                        changed_at[n_changed] = i
                        changed_to[n_changed] = valence * self.negated_negative_scale
                        n_changed += 1
                if do_fix and t.code == W_NO and i + 1 < n and (<Tok>toks[i + 1]).no_problem:
                    changed_at[n_changed] = i
                    changed_to[n_changed] = self.no_problem_valence
                    n_changed += 1
                sentiments[i] = valence
            if n_changed:
                for k in range(n):
                    fixed[k] = sentiments[k]
                for k in range(n_changed):
                    fixed[changed_at[k]] = changed_to[k]
            if bi >= 0:
                self._but_check(sentiments, n, bi)
            polarity = self._score_valence(sentiments, n, text)
            if not n_changed:
                return polarity, polarity["compound"]
            if bi >= 0:
                self._but_check(fixed, n, bi)
            return polarity, self._score_valence(fixed, n, text)["compound"]
        finally:
            free(sentiments)
            free(changed_at)


# The word cutting and the cue, category and spam matchers.
include "_core_match.pxi"
