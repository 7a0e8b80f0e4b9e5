"""What a chat message says: the digest of a rendered email.

A chat post says what the email recipients are told, never rendered on its own. The daily
report builds its digest from the same figures its email is rendered from
(:mod:`pipeline.notify.report.chat`) and hands it over as ``Email.chat``, so no wording of
the email can change what chat shows. Any other message (alerts, operators' notices) is
digested from its plain-text part, whose layout the templates keep (a headline paragraph,
then ``Label: value`` lines, then titled sections whose lines are indented); the digest
takes:

- the **title**: the subject;
- the **headline**: the first paragraph;
- the **facts**: the ``Label: value`` lines (at most :data:`MAX_FACTS`);
- the **sections**: each titled block (``Top posts by reach:``), at most
  :data:`MAX_SECTION_LINES` lines each;
- the **link**: the value of a fact that is a plain https URL (the latest report), if any.

Everything here is text; each channel escapes it for its own markup (:func:`slack_escape`,
:func:`teams_escape`), since post text and terms in it are written by strangers.
"""

from __future__ import annotations

import re

from pipeline.notify.mailer import Digest, Email
from pipeline.notify.text import display_text, safe_url

__all__ = ["Digest", "digest", "slack_escape", "teams_escape"]

#: Facts a chat message lists: an alert's seven, with room for one more.
MAX_FACTS = 8
#: Lines kept of each section (the top three posts, categories): a chat post stays short.
MAX_SECTION_LINES = 3
#: Characters of one line in a chat message (a post's text is capped in the email already).
LINE_LIMIT = 300
#: Lines of the plain text that are no fact for chat (the chart is not sent to chat).
_NOT_FACTS = frozenset({"Chart", "Charts"})
_FACT = re.compile(r"^([A-Z][^:]{0,40}): (.+)$")


def digest(email: Email) -> Digest:
    """The digest of ``email``: the one its sender built (``email.chat``), else read from its
    text (see the module's docstring)."""
    if email.chat is not None:
        return email.chat
    paragraphs = [p for p in re.split(r"\n\s*\n", email.text.strip()) if p.strip()]
    headline = display_text(paragraphs[0], LINE_LIMIT * 2) if paragraphs else ""
    facts: list[tuple[str, str]] = []
    sections: list[tuple[str, tuple[str, ...]]] = []
    link: str | None = None
    for paragraph in paragraphs[1:]:
        lines = paragraph.splitlines()
        if (
            len(lines) > 1
            and lines[0].endswith(":")
            and all(line.startswith(" ") for line in lines[1:])
        ):
            body = tuple(display_text(line, LINE_LIMIT) for line in lines[1:] if line.strip())
            sections.append((display_text(lines[0][:-1], 80), body[:MAX_SECTION_LINES]))
            continue
        for line in lines:
            match = _FACT.match(line)
            if not match or match.group(1) in _NOT_FACTS:
                continue
            label, value = match.group(1), display_text(match.group(2), LINE_LIMIT)
            if link is None and value.startswith("https://") and safe_url(value):
                link = value
            if len(facts) < MAX_FACTS:
                facts.append((label, value))
    return Digest(
        key=email.key,
        title=display_text(email.subject, LINE_LIMIT),
        headline=headline,
        facts=tuple(facts),
        sections=tuple(sections),
        link=link,
    )


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
