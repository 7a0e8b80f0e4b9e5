"""The Mastodon source's landed statuses read in bulk: :meth:`MastodonSource.to_post
<pipeline.ingest.sources.mastodon.MastodonSource.to_post>` in columns.

A landed Mastodon record is the ``Status`` entity as the instance sent it (a boost: a
Status whose ``reblog`` holds the boosted one). The lines are decoded by msgspec against
the fields ``to_post`` reads (:mod:`pipeline.ingest.sources.bulk`); :func:`read_columns`
keeps a status only when ``to_post`` would accept every one of them and give what it
computes here (the text of the HTML ``content``, the language and URL of the status else
of the boosted one, the thread and boost ids); anything else is left to ``to_post``
itself, which says why.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from pipeline.config.model import BrandConfig
from pipeline.ingest.sources.bulk import decode_lines, record_columns, utc
from pipeline.ingest.sources.fields import TakenRow
from pipeline.ingest.sources.mastodon import _is_brand_account, html_to_text
from pipeline.posts.columns import RecordColumns
from pipeline.posts.normalize import MAX_FOLLOWERS


class _Account(msgspec.Struct):
    id: str
    acct: str
    followers_count: int | None = None


class _Reblog(msgspec.Struct):
    """The boosted status: its id, words, language and URL are what a boost shows."""

    id: str
    content: str
    language: str | None = None
    url: str | None = None


class _Status(msgspec.Struct):
    """A landed Status's fields as ``to_post`` reads them (others are ignored, as there)."""

    id: str
    account: _Account
    created_at: str
    content: str | None = None  # read only when the status is not a boost
    reblog: _Reblog | None = None
    in_reply_to_id: str | None = None
    in_reply_to_account_id: str | None = None
    language: str | None = None
    url: str | None = None


_DECODER = msgspec.json.Decoder(_Status)


def read_columns(lines: Sequence[str | bytes], brand: BrandConfig) -> RecordColumns:
    """The records of ``lines`` (landed lines: text, or bytes as landed) that ``to_post``
    accepts as they are, in columns."""
    taken: list[TakenRow] = []
    decoded: list[_Status | None] = decode_lines(_DECODER, lines)
    for row, status in enumerate(decoded):
        if status is None:
            continue
        account, reblog = status.account, status.reblog
        content = reblog.content if reblog is not None else status.content
        followers = account.followers_count or 0
        if not (
            status.id
            and account.id
            and account.acct
            and content is not None
            and (reblog is None or reblog.id)
            and 0 <= followers <= MAX_FOLLOWERS
        ):
            continue
        moment = utc(status.created_at)
        if moment is None:
            continue
        shown = reblog if reblog is not None else status
        taken.append(  # Taken's fields, in order
            (
                row,
                moment,
                status.id,
                account.id,
                account.acct,
                followers,
                html_to_text(content),
                status.language or shown.language or None,
                status.url or shown.url or None,
                status.in_reply_to_id or status.id,
                status.in_reply_to_id or None,
                status.in_reply_to_account_id or None,
                reblog.id if reblog is not None else None,
                _is_brand_account(account.acct, brand),
            )
        )
    return record_columns(taken)
