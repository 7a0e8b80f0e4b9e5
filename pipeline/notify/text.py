"""Text and links written by strangers, made safe to show in a report or an alert.

Both the daily report (:mod:`pipeline.notify.report.render`) and the alert email
(:mod:`pipeline.notify.alerts.render`) show post text, handles and links through
:func:`display_text` and :func:`safe_url` (an alert links a post only over https, a stricter
rule on top); the templates escape every value. This is display
cleaning (one line, capped); storing a post's text is :func:`pipeline.posts.normalize.storage_text`.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

#: Characters of post text shown (a tweet's 280; the report's CSV has the full text).
TEXT_LIMIT = 280

_ELLIPSIS = "…"

#: Format characters that are kept: zero-width non-joiner and joiner.
_JOINERS = frozenset("\u200c\u200d")


def display_text(text: str | None, limit: int = TEXT_LIMIT) -> str:
    """Text safe to show: no control or invisible format characters, one line, capped.

    Removes every Unicode format character (category Cf: the bidi embeddings, overrides and
    isolates U+202A-U+202E and U+2066-U+2069, the marks U+200E/U+200F/U+061C, zero-width
    spaces U+200B, U+2060, U+FEFF, soft hyphens, tag characters) except the joiners U+200C
    and U+200D (they build emoji like 🤦‍♀️ and shape Indic and Arabic scripts, and move no
    text), and control characters; collapses whitespace, and cuts to ``limit`` characters
    with an ellipsis. Not escaped: the templates escape it.
    """
    if not text:
        return ""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace()
        or ch in _JOINERS
        or unicodedata.category(ch) not in {"Cf", "Cc", "Co", "Cs"}
    )
    one_line = " ".join(kept.split())
    if len(one_line) > limit:
        return one_line[: limit - 1].rstrip() + _ELLIPSIS
    return one_line


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) link without whitespace or invisible characters."""
    if not url:
        return None
    if url != display_text(url, len(url) + 1) or " " in url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return url
