# The cue, category and spam matching of the compiled scoring core: included by _core.pyx
# (one extension module; the two files only keep each under the size of a module).

# -- words of a lowercased text -----------------------------------------------------------

cdef inline bint _is_word(Py_UCS4 ch):
    """Python's re ``\\w`` on str: alphanumeric (str.isalnum) or underscore."""
    if ch < 128:
        return (
            (ch >= u"a" and ch <= u"z")
            or (ch >= u"0" and ch <= u"9")
            or (ch >= u"A" and ch <= u"Z")
            or ch == u"_"
        )
    return ch.isalnum()


cdef Py_ssize_t* _word_spans(str text, Py_ssize_t* count) except NULL:
    """Starts and ends of the maximal runs of word characters (re's ``\\w+``), flat, in
    a buffer the caller frees; ``count``: how many numbers."""
    cdef Py_ssize_t i = 0, n = len(text), k = 0
    cdef Py_ssize_t* spans = <Py_ssize_t*>malloc((n + 2) * sizeof(Py_ssize_t))
    if spans == NULL:
        raise MemoryError()
    while i < n:
        if _is_word(text[i]):
            spans[k] = i
            i += 1
            while i < n and _is_word(text[i]):
                i += 1
            spans[k + 1] = i
            k += 2
        else:
            i += 1
    count[0] = k
    return spans


def words(str text):
    """The words of ``text`` as ``re.findall(r"\\w+", text)`` finds them (for tests)."""
    cdef Py_ssize_t count, k
    cdef Py_ssize_t* spans = _word_spans(text, &count)
    try:
        return [text[spans[k]:spans[k + 1]] for k in range(0, count, 2)]
    finally:
        free(spans)


cdef bint _gate(tuple gate, str text):
    """``cues._Gate``: whether ``text`` contains one of its strings (None: always)."""
    if gate is None:
        return True
    for start in <tuple>gate[0]:
        if start in text:
            return True
    if text.isascii():
        return False
    if not (<frozenset>gate[1]).isdisjoint(text):
        return True
    for start in <tuple>gate[2]:
        if start in text:
            return True
    return False


@cython.final
cdef class _Scan:
    """Where an always-searched pattern (``(?<!\w)`` first, never empty, every match
    beginning with one of ``starts``) can match: the positions after a non-word character
    (or the text's start) where one of ``starts`` begins. Trying ``match`` there, and
    going on after each match, finds what ``finditer`` finds in an ASCII text. Used on
    ASCII texts only: the starts are worked out as if ``\d`` were ``[0-9]`` and letters
    folded only to themselves, but in other texts ``\d`` matches "٥" or "５" and a
    case-blind pattern's "k" matches "\u212a" (the Kelvin sign), so there ``finditer``
    searches."""

    cdef object match
    cdef list ascii  # per ASCII code: the starts beginning with it (None: none)
    cdef dict others  # a non-ASCII first character -> the starts beginning with it

    def __init__(self, pattern, tuple starts):
        self.match = pattern.match
        by_first = {}
        for start in starts:
            by_first.setdefault(start[0], []).append(start)
        self.ascii = [None] * 128
        self.others = {}
        for first, texts in by_first.items():
            if ord(first) < 128:
                self.ascii[ord(first)] = tuple(texts)
            else:
                self.others[first] = tuple(texts)

    cdef Py_ssize_t next(self, str text, Py_ssize_t p, Py_ssize_t n) except -2:
        """The first position from ``p`` where a match may begin, or -1."""
        cdef Py_UCS4 ch
        while p < n:
            ch = text[p]
            texts = self.ascii[<unsigned int>ch] if ch < 128 else self.others.get(ch)
            if (
                texts is not None
                and (p == 0 or not _is_word(text[p - 1]))
                and text.startswith(<tuple>texts, p)
            ):
                return p
            p += 1
        return -1

    cdef object find(self, str text, Py_ssize_t p, Py_ssize_t n):
        """The first match beginning at ``p`` or later, or None (``finditer``'s next)."""
        p = self.next(text, p, n)
        while p >= 0:
            match = self.match(text, p)
            if match is not None:
                return match
            p = self.next(text, p + 1, n)
        return None


cdef class TokenMatcher:
    """The matching of a :class:`~pipeline.scoring.cues.CueIndex` at the words of a text.

    Per distinct word, ``index.token_entries(word)`` gives (groups the word alone matches,
    one per matching entry; (group, pattern) to try at the word; all those patterns as one;
    texts one of which a match of them starts with), cached here. At a word, the patterns
    are tried only when the text there starts with one of those texts and the combined
    pattern matches.
    """

    cdef object index
    cdef object entries_of
    cdef dict cache
    cdef Py_ssize_t groups
    cdef tuple always  # (group, pattern, gate: None or (ascii, chars, other), _Scan or None)

    def __init__(self, index):
        self.index = index
        self.entries_of = index.token_entries
        self.cache = {}
        self.groups = len(index.names)
        always = []
        for gi, pattern in index.always.items():
            gate = index.always_gates[gi]
            starts = index.always_starts[gi]
            always.append(
                (
                    gi,
                    pattern,
                    None if gate is None else (gate.ascii, gate.chars, gate.other),
                    None if starts is None else _Scan(pattern, starts),
                )
            )
        self.always = tuple(always)

    cdef tuple _entries(self, str token):
        found = self.cache.get(token)
        if found is None:
            found = self.entries_of(token)
            if len(self.cache) >= _MEMO_SIZE:
                self.cache.clear()
            self.cache[token] = found
        return <tuple>found

    def families(self, str lowered, tuple negatable, object negated):
        """The groups with a match not preceded by a negator (for a group whose
        ``negatable`` is true): as ``Scorer._families`` (the pure-Python path)."""
        cdef Py_ssize_t count
        cdef set found
        cdef Py_ssize_t* spans = _word_spans(lowered, &count)
        try:
            found = self._families(lowered, spans, count, negatable, negated)
        finally:
            free(spans)
        cdef Py_ssize_t n = len(lowered)
        cdef _Scan scan
        cdef bint scannable = lowered.isascii()  # see _Scan
        for gi, pattern, gate, scan_or_none in self.always:
            if gi in found or not _gate(<tuple>gate, lowered):
                continue
            if scan_or_none is None or not scannable:
                for match in pattern.finditer(lowered):
                    if not (negatable[gi] and negated(lowered, match.start())):
                        found.add(gi)
                        break
                continue
            scan = <_Scan>scan_or_none
            match = scan.find(lowered, 0, n)
            while match is not None:
                if not (negatable[gi] and negated(lowered, match.start())):
                    found.add(gi)
                    break
                match = scan.find(lowered, match.end(), n)
        return found

    cdef set _families(self, str lowered, Py_ssize_t* spans, Py_ssize_t count,
                       tuple negatable, object negated):
        cdef Py_ssize_t k, start
        cdef set found = set()
        cdef tuple entry
        for k in range(0, count, 2):
            start = spans[k]
            entry = self._entries(lowered[start:spans[k + 1]])
            for gi in <tuple>entry[0]:
                if gi not in found and not (negatable[gi] and negated(lowered, start)):
                    found.add(gi)
            if not entry[1]:
                continue
            starts = entry[3]
            if (starts and not lowered.startswith(starts, start)) or entry[2].match(
                lowered, start
            ) is None:
                continue  # none of them matches here: one call rules them all out
            for gi, pattern in <tuple>entry[1]:
                if (
                    gi not in found
                    and pattern.match(lowered, start) is not None
                    and not (negatable[gi] and negated(lowered, start))
                ):
                    found.add(gi)
        return found

    def counts(self, str lowered):
        """Matches per group, as ``CueIndex.matches`` yields them."""
        cdef Py_ssize_t count
        cdef list hits = [0] * self.groups
        cdef Py_ssize_t* spans = _word_spans(lowered, &count)
        try:
            self._counts(lowered, spans, count, hits)
        finally:
            free(spans)
        cdef Py_ssize_t n = len(lowered)
        cdef _Scan scan
        cdef bint scannable = lowered.isascii()  # see _Scan
        for gi, pattern, gate, scan_or_none in self.always:
            if not _gate(<tuple>gate, lowered):
                continue
            if scan_or_none is None or not scannable:
                for _ in pattern.finditer(lowered):
                    hits[gi] += 1
                continue
            scan = <_Scan>scan_or_none
            match = scan.find(lowered, 0, n)
            while match is not None:
                hits[gi] += 1
                match = scan.find(lowered, match.end(), n)
        return hits

    cdef void _counts(self, str lowered, Py_ssize_t* spans, Py_ssize_t count,
                      list hits) except *:
        cdef Py_ssize_t k, start
        cdef tuple entry
        for k in range(0, count, 2):
            start = spans[k]
            entry = self._entries(lowered[start:spans[k + 1]])
            for gi in <tuple>entry[0]:
                hits[gi] += 1
            if not entry[1]:
                continue
            starts = entry[3]
            if (starts and not lowered.startswith(starts, start)) or entry[2].match(
                lowered, start
            ) is None:
                continue
            for gi, pattern in <tuple>entry[1]:
                if pattern.match(lowered, start) is not None:
                    hits[gi] += 1


cdef class StartMatcher:
    """:meth:`~pipeline.scoring.cues.StartIndex.candidates` on C word cutting."""

    cdef object index
    cdef dict cache
    cdef frozenset always
    cdef tuple by_char
    cdef list starts

    def __init__(self, index):
        self.index = index
        self.cache = {}
        self.always = frozenset(index.always)
        self.by_char = tuple(index.by_char.items())
        self.starts = list(index.starts)

    cdef void _add(self, str token, set found) except *:
        ids = self.cache.get(token)
        if ids is None:
            ids = self.index.token_candidates(token)
            if len(self.cache) >= _MEMO_SIZE:
                self.cache.clear()
            self.cache[token] = ids
        if ids:
            found |= ids

    def candidates(self, str lowered):
        cdef Py_ssize_t count, k
        cdef set found = set(self.always)
        cdef dict cache = self.cache
        cdef Py_ssize_t* spans = _word_spans(lowered, &count)
        try:
            for k in range(0, count, 2):
                self._add(lowered[spans[k]:spans[k + 1]], found)
        finally:
            free(spans)
        for ch, ids in self.by_char:
            if ch in lowered:
                found |= ids
        starts = self.starts
        out = set()
        for i in found:
            texts = starts[i]
            if texts is None:
                out.add(i)
            else:
                for text in texts:
                    if text in lowered:
                        out.add(i)
                        break
        return out


# -- the language rule's words (pipeline.scoring.languages) -------------------------------

cdef inline bint _is_letter(Py_UCS4 ch):
    """re's ``[^\\W\\d_]`` on str: a word character that is neither a decimal digit nor
    an underscore."""
    if ch < 128:
        return (ch >= u"a" and ch <= u"z") or (ch >= u"A" and ch <= u"Z")
    return ch.isalnum() and not ch.isdecimal()


cdef inline Py_ssize_t _skip_nonspace(str text, Py_ssize_t i, Py_ssize_t n):
    while i < n and not text[i].isspace():
        i += 1
    return i


def language_words(str text):
    """``languages.words_of``: the lowercased text's words as its regular expression finds
    them (a handle, tag or link and what follows it up to whitespace skipped; letters, with
    one inner apostrophe), in one pass."""
    cdef str s = text.lower().replace(u"\u2019", u"'")
    cdef Py_ssize_t i = 0, n = len(s), start
    cdef Py_UCS4 ch
    cdef list out = []
    while i < n:
        ch = s[i]
        if ch == u"@" or ch == u"#":
            i = _skip_nonspace(s, i + 1, n)
        elif ch == u"h" and s.startswith("http", i) and (
            s.startswith("://", i + 4) or s.startswith("s://", i + 4)
        ):
            i = _skip_nonspace(s, i + 7, n)
        elif ch == u"w" and s.startswith("www.", i):
            i = _skip_nonspace(s, i + 4, n)
        elif _is_letter(ch):
            start = i
            i += 1
            while i < n and _is_letter(s[i]):
                i += 1
            if i + 1 < n and (s[i] == u"'" or s[i] == u"\u2019") and _is_letter(s[i + 1]):
                i += 2
                while i < n and _is_letter(s[i]):
                    i += 1
            out.append(s[start:i])
        else:
            i += 1
    return out


def function_word_hits(list words, dict marks):
    """How many of ``words`` each language's function words (``marks``: word -> language)
    account for, as ``Counter(filter(None, map(marks.get, words)))`` counts them."""
    cdef dict hits = {}
    for word in words:
        lang = marks.get(word)
        if lang:
            hits[lang] = hits.get(lang, 0) + 1
    return hits
