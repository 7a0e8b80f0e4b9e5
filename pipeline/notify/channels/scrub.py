"""Delivery errors without secrets: what a server echoes back is scrubbed before anyone sees it.

An SMTP server that rejects a login may echo the AUTH line it got (``535 ... AUTH PLAIN
AHVzZXIAcGFzcw==``); a webhook receiver or an HTTP library may repeat the URL with its token.
Every transport hands its error text through a :class:`Scrubber` that knows the secrets of
the Connection it used, in every form they travel in, before the text is logged, raised or
stored in a ledger (``alerts.error``, ``report_deliveries.error``, ``operator_alarms.error``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

#: What a secret is replaced by.
MASK = "***"
#: Secrets shorter than this are not replaced inside other words (a one-letter password would
#: turn every error into asterisks); they are still masked in their base64 forms.
_MIN_RAW = 4


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@dataclass
class Scrubber:
    """The secrets one delivery used; :meth:`scrub` masks all of them in a text."""

    secrets: set[str] = field(default_factory=set)

    def add(self, *values: str | None) -> Scrubber:
        """Mask each value as it is, URL-quoted, and in base64."""
        for value in values:
            if not value:
                continue
            for form in (value, quote(value, safe=""), _b64(value)):
                if len(form) >= _MIN_RAW or form != value:
                    self.secrets.add(form)
        return self

    def add_smtp_login(self, login: str | None, password: str | None) -> Scrubber:
        """The forms an SMTP login travels in: AUTH LOGIN sends base64 of the user and the
        password, AUTH PLAIN base64 of ``authzid NUL user NUL password`` (authzid empty or
        the user); CRAM-MD5 sends the user in base64 with a digest."""
        self.add(password)
        if login:
            self.secrets.add(_b64(login))
        if login and password:
            for authzid in ("", login):
                self.secrets.add(_b64(f"{authzid}\0{login}\0{password}"))
        return self

    def add_xoauth2(self, user: str | None, token: str | None) -> Scrubber:
        """The XOAUTH2 initial response (``user=... ^A auth=Bearer <token> ^A ^A``), raw and in
        base64, and the token itself."""
        self.add(token)
        if user and token:
            self.add(f"user={user}\x01auth=Bearer {token}\x01\x01")
        return self

    def add_url(self, url: str | None) -> Scrubber:
        """A webhook URL, whose path and query are its token: the URL, its path and query."""
        if not url:
            return self
        self.add(url)
        try:
            parts = urlsplit(url)
        except ValueError:
            return self
        for piece in (parts.path.strip("/"), parts.query, parts.password):
            if piece and len(piece) >= _MIN_RAW:
                self.add(piece)
        return self

    def scrub(self, text: str) -> str:
        """``text`` with every known secret form replaced by :data:`MASK`, longest first."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text
