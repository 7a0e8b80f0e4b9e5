"""An alert as a chat or webhook post, from what its email is rendered from.

The digest is built from the alert's :class:`~pipeline.notify.alerts.render.AlertBody` (the
figures, categories, words and posts its HTML and plain text show), never read back from
the email's text:

- the **title**: the alert's own subject, also on a follow-up (whose email subject is
  ``Re:`` the opening's, for mail threading; a chat reader sees "RESOLVED", not the
  opening's "CRITICAL");
- the **headline**: the email's headline;
- the **facts**: severity, since, status, each metric's figures, and the words people use
  more than usual (at most :data:`~pipeline.notify.channels.digest.MAX_FACTS`);
- the **sections**: the complaint categories and the most-followed posts, at most
  :data:`~pipeline.notify.channels.digest.MAX_SECTION_LINES` lines each;
- the **link**: the latest daily report, when it is a plain https URL.

Every text is cleaned already (:func:`pipeline.notify.text.display_text`); each channel
escapes it for its own markup, since post text, handles and words are written by strangers.
"""

from __future__ import annotations

from pipeline.notify.alerts.render import AlertMessage
from pipeline.notify.channels.digest import LINE_LIMIT, MAX_FACTS, MAX_SECTION_LINES
from pipeline.notify.mailer import Digest
from pipeline.notify.text import display_text, safe_url

#: Section titles and the words fact, as the email's plain text names them (alert.txt).
CATEGORIES = "Complaint categories (share the week before)"
POSTS = "Most-followed posts"
TERMS = "Words people use more than usual"


def _line(text: str) -> str:
    return display_text(text, LINE_LIMIT)


def alert_digest(message: AlertMessage, key: str) -> Digest:
    """The chat post of the rendered alert ``message`` (email key ``key``)."""
    body = message.body
    facts = [(label, _line(value)) for label, value in body.facts]
    if body.terms:
        facts.append((TERMS, _line(body.terms)))
    posts = tuple(
        _line(
            f"@{p.handle} ({p.followers} followers): {p.text}"
            + (f" <{display_text(p.href, LINE_LIMIT)}>" if p.href else "")
        )
        for p in body.posts[:MAX_SECTION_LINES]
    )
    categories = tuple(
        _line(f"{c.name}: {c.complaints} ({c.before})") for c in body.categories[:MAX_SECTION_LINES]
    )
    found = ((CATEGORIES, categories), (POSTS, posts))
    link = body.report_link
    return Digest(
        key=key,
        title=_line(message.subject),
        headline=display_text(body.headline, LINE_LIMIT * 2),
        facts=tuple(facts[:MAX_FACTS]),
        sections=tuple((title, lines) for title, lines in found if lines),
        link=link if link and link.startswith("https://") and safe_url(link) else None,
    )
