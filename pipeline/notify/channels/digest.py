"""What a chat message says, and each chat's escaping.

A chat post says what the email recipients are told, built by the message's sender from
the same data its email is rendered from and handed over as ``Email.chat``: the daily
report's figures (:mod:`pipeline.notify.report.chat`), an alert's body
(:mod:`pipeline.notify.alerts.chat`), an operators' notice (:mod:`pipeline.notify.operators`).
Nothing is read back from an email's text, so no wording or layout of a template can change
or break what chat shows. A :class:`Digest` holds a title, a headline, ``Label: value``
facts (at most :data:`MAX_FACTS`), titled sections (at most :data:`MAX_SECTION_LINES` lines
each) and at most one https link.

Everything in a digest is text; each channel escapes it for its own markup
(:func:`slack_escape`, :func:`teams_escape`), since post text and terms in it are written by
strangers.
"""

from __future__ import annotations

import re

from pipeline.errors import DeliveryError
from pipeline.notify.mailer import Digest, Email

__all__ = ["Digest", "digest", "slack_escape", "teams_escape"]

#: Facts a chat message lists: an alert's seven, with room for one more.
MAX_FACTS = 8
#: Lines kept of each section (the top three posts, categories): a chat post stays short.
MAX_SECTION_LINES = 3
#: Characters of one line in a chat message (a post's text is capped in the email already).
LINE_LIMIT = 300


def digest(email: Email) -> Digest:
    """What chat and webhook recipients get of ``email``: the digest its sender built."""
    if email.chat is None:
        raise DeliveryError(
            f"message {email.key}: no chat post was built for it, so it cannot go to chat"
        )
    return email.chat


def slack_escape(text: str) -> str:
    """Text for Slack mrkdwn: ``&``, ``<`` and ``>`` as entities (Slack's documented rule),
    so ``<https://evil|click>`` or ``<!channel>`` in a post is shown, never acted on."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: Characters that are markup in a Teams / Adaptive Card text block.
_TEAMS_MARKUP = re.compile(r"([\\`*_~#\[\]()<>|!{}])")
#: A line start that would make a list item or a heading.
_TEAMS_LINE_START = re.compile(r"^(\s*)([-+]|\d+\.)(\s)", re.MULTILINE)


def teams_escape(text: str) -> str:
    """Text for a Teams text block (a markdown subset): every markup character
    backslash-escaped, so ``[click](https://evil)`` is shown as typed, never a link, and
    ``**``, ``_``, headings and list markers stay literal. A bare URL stays visible as what
    it is."""
    text = _TEAMS_MARKUP.sub(r"\\\1", text)
    return _TEAMS_LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}{m.group(3)}", text)
