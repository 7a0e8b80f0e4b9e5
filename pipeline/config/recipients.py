"""Who hears about a brand: the recipients of its alerts and reports, and the operators.

A recipient in the brands file is an email address or a chat / incident channel given by the
id of the Airflow Connection that holds its webhook URL (never the URL itself)::

    alerts:
      recipients: [care@x.com, {slack: care_slack}, {teams: pr_teams}, {webhook: pager}]

Every recipient has one stable string, its :attr:`Recipient.key`: the address for email,
``<channel>:<connection id>`` for the others (``slack:care_slack``). The delivery ledgers
(``alerts``, ``report_deliveries``, ``operator_alarms``) key deliveries by it, so the same
exactly-once rules hold per channel and recipient. The key may also be written as it is
(``"slack:care_slack"``). :mod:`pipeline.notify.channels` delivers to each kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

#: The channels besides email, each with a transport in pipeline/notify/channels/.
CHAT_CHANNELS = ("slack", "teams", "webhook")
#: An Airflow Connection id that also works as ``AIRFLOW_CONN_<ID>`` (letters, digits, '_').
_CONN_ID = re.compile(r"^[A-Za-z0-9_]{1,100}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True)
class Recipient:
    """One recipient: ``channel`` is ``email`` or one of :data:`CHAT_CHANNELS`; ``target``
    the address or the Connection id."""

    channel: str
    target: str

    @property
    def key(self) -> str:
        """The stable string the ledgers key deliveries by."""
        return self.target if self.channel == "email" else f"{self.channel}:{self.target}"

    @classmethod
    def parse(cls, value: object) -> Recipient:
        """From the brands file's entry (a string or ``{channel: connection_id}``) or a key;
        :class:`ValueError` saying what is wrong."""
        if isinstance(value, Mapping):
            if len(value) != 1:
                raise ValueError(
                    f"a channel entry has one key ({', '.join(CHAT_CHANNELS)}), got {dict(value)!r}"
                )
            [(channel, target)] = value.items()
            if channel not in CHAT_CHANNELS:
                raise ValueError(
                    f"unknown channel {channel!r} (known: email addresses, "
                    f"{', '.join(CHAT_CHANNELS)})"
                )
            if isinstance(target, str) and "://" in target:
                raise ValueError(
                    f"{channel}: the id of an Airflow Connection, not a URL (a webhook URL "
                    "holds its token: keep it in the Connection)"
                )
            if not isinstance(target, str) or not _CONN_ID.match(target.strip()):
                raise ValueError(
                    f"{channel}: the id of an Airflow Connection (letters, digits, '_'), "
                    f"got {target!r}"
                )
            return cls(str(channel), target.strip())
        if not isinstance(value, str) or not value.strip():
            raise ValueError(
                f"expected an email address or {{channel: connection_id}}, got {value!r}"
            )
        text = value.strip()
        channel, sep, target = text.partition(":")
        if sep and channel in CHAT_CHANNELS:
            return cls.parse({channel: target})
        if "://" in text:
            raise ValueError(
                "a URL is not a recipient: keep webhook URLs in an Airflow Connection and "
                "name its id, e.g. {slack: care_slack}"
            )
        if not _EMAIL.match(text):
            raise ValueError(
                f"invalid entry {text!r}: not an email address, nor "
                f"{{{'|'.join(CHAT_CHANNELS)}: connection_id}}"
            )
        return cls("email", text)


def recipient_keys(values: object) -> tuple[str, ...]:
    """The keys of a brands-file list of recipients (one entry alone is a list of one);
    :class:`ValueError` naming the first bad entry."""
    if values is None:
        return ()
    entries = values if isinstance(values, list) else [values]
    keys: list[str] = []
    for entry in entries:
        key = Recipient.parse(entry).key
        if key not in keys:
            keys.append(key)
    return tuple(keys)
