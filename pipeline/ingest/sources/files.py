"""The file source: CSV and JSONL exports (from another listening tool) dropped in a folder.

Unlike the network sources, files are not fetched per interval: :mod:`pipeline.ingest.file_drops`
picks up every new file in a brand's folder, once per file content (a checksum ledger), and
lands its rows with the configured column mapping applied::

    sources:
      file:
        folder: imports/pebble          # relative to BRANDPULSE_HOME, or absolute
        columns:                        # our field: the export's column (defaults: same name)
          post_id: id                   # optional; without it an id is derived from the content
          created_at: date              # required: ISO 8601 (naive = UTC) or epoch seconds
          text: message                 # required
          author_handle: user
          author_followers: followers
          url: link
          lang: language

A landed record is ``{"file": name, "row_no": n, "row": {...as in the file...}, "mapped":
{field: value}}``; :meth:`FileSource.to_post` reads ``mapped`` and says which field is
wrong when a row cannot become a post (it is then quarantined with that reason).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.ingest.sources.base import Page
from pipeline.posts.model import Post, RawRecord
from pipeline.secrets import SecretLookup

#: Our fields a file may provide, and whether a row needs it.
FIELDS = {
    "post_id": False,
    "created_at": True,
    "text": True,
    "author_id": False,
    "author_handle": False,
    "author_followers": False,
    "url": False,
    "lang": False,
    "in_reply_to_post_id": False,
    "conversation_id": False,
}

#: Epoch-seconds values outside this range are taken to be milliseconds (as some tools export).
_EPOCH_SECONDS_MAX = 10_000_000_000


def column_mapping(options: Mapping[str, Any], brand_id: str) -> dict[str, str]:
    """Our field -> the file's column, from ``options["columns"]`` (defaults: same name)."""
    columns = options.get("columns") or {}
    if not isinstance(columns, Mapping) or not all(isinstance(v, str) for v in columns.values()):
        raise ConfigError(
            f"brand '{brand_id}', field 'sources.file.columns': must map our field names to "
            "column names"
        )
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise ConfigError(
            f"brand '{brand_id}', field 'sources.file.columns.{unknown[0]}': unknown field "
            f"(known: {', '.join(FIELDS)})"
        )
    return {name: str(columns.get(name, name)) for name in FIELDS}


def map_row(row: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """The row's values under our field names (missing columns are left out)."""
    return {ours: row[theirs] for ours, theirs in mapping.items() if theirs in row}


def parse_time(value: Any) -> datetime:
    """ISO 8601 (a naive one is UTC) or epoch seconds/milliseconds, as aware UTC."""
    if isinstance(value, bool):
        raise ValueError(f"created_at: not a time: {value!r}")
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        seconds = float(value)
        if seconds > _EPOCH_SECONDS_MAX:
            seconds /= 1000
        return datetime.fromtimestamp(seconds, tz=UTC)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("created_at: missing")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"created_at: not an ISO 8601 time: {value[:40]!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _text(mapped: Mapping[str, Any], name: str) -> str | None:
    value = mapped.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()


def derived_id(created_at: datetime, author: str, text: str) -> str:
    """An id for a row without one: the same post in two exports gets the same id."""
    digest = hashlib.blake2b(
        f"{created_at.isoformat()}\x1f{author}\x1f{text}".encode(), digest_size=10
    )
    return f"h:{digest.hexdigest()}"


def check_options(brand: BrandConfig, options: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming brand and field when the file options are wrong."""
    folder = options.get("folder")
    if not isinstance(folder, str) or not folder.strip():
        raise ConfigError(f"brand '{brand.id}', field 'sources.file.folder': required (a path)")
    unknown = sorted(set(options) - {"enabled", "folder", "columns"})
    if unknown:
        raise ConfigError(
            f"brand '{brand.id}', field 'sources.file.{unknown[0]}': unknown option "
            "(known: folder, columns)"
        )
    column_mapping(options, brand.id)


def create(secrets: SecretLookup | None = None) -> FileSource:
    """The registry's factory (:mod:`~pipeline.ingest.sources.registry`): no credentials."""
    return FileSource()


class FileSource:
    """Turns landed file rows into posts. Importing is :mod:`pipeline.ingest.file_drops`'s job."""

    name = "file"

    def fetch_page(
        self,
        brand: BrandConfig,
        start: datetime,
        end: datetime,
        options: Mapping[str, Any],
        cursor: str | None,
    ) -> Page:
        raise ConfigError(
            f"brand '{brand.id}': the file source is imported from its folder "
            "(`brandpulse import-files`, DAG brandpulse_file_import), not fetched by interval"
        )

    def to_post(self, raw: RawRecord, brand: BrandConfig) -> Post:
        if "error" in raw:
            raise ValueError(str(raw["error"]))
        row = raw.get("row")
        if isinstance(row, Mapping) and "__unparseable__" in row:
            raise ValueError(str(row["__unparseable__"]))
        mapped = raw.get("mapped")
        if not isinstance(mapped, Mapping):
            raise ValueError("record: no mapped fields")
        created_at = parse_time(mapped.get("created_at"))
        text = mapped.get("text")
        if not isinstance(text, str):
            raise ValueError("text: missing" if text is None else "text: not a string")
        handle = (_text(mapped, "author_handle") or "unknown").lstrip("@")
        followers_raw = _text(mapped, "author_followers") or "0"
        try:
            followers = int(float(followers_raw))
        except ValueError:
            raise ValueError(f"author_followers: not a number: {followers_raw[:20]!r}") from None
        post_id = _text(mapped, "post_id") or derived_id(created_at, handle, text)
        return Post(
            source=self.name,
            post_id=post_id,
            brand=brand.id,
            created_at=created_at,
            author_id=_text(mapped, "author_id") or handle,
            author_handle=handle,
            author_followers=followers,
            text=text,
            lang=_text(mapped, "lang"),
            url=_text(mapped, "url"),
            conversation_id=_text(mapped, "conversation_id"),
            in_reply_to_post_id=_text(mapped, "in_reply_to_post_id"),
            in_reply_to_author_id=None,
            repost_of=None,
            is_brand_reply=handle.casefold() in brand.account_handles,
        )
