"""The file source: CSV and JSONL exports (from another listening tool) dropped in a folder.

Unlike the network sources, files are not fetched per interval: :mod:`pipeline.ingest.file_drops`
picks up every new file in a brand's folder, once per file content and column mapping (a
ledger), and lands its rows with the configured column mapping applied::

    sources:
      file:
        folder: imports/pebble          # relative to BRANDPULSE_HOME, or absolute
        columns:                        # our field: the export's column (defaults: same name)
          post_id: id                   # optional; without it an id is derived from the content
          created_at: date              # required (see parse_time for the formats read)
          text: message                 # required
          author_handle: user
          author_followers: followers
          url: link
          lang: language
        time_format: "%d/%m/%Y %H:%M"   # optional: strptime format of created_at
        max_quarantine_share: 0.2       # optional: warn and fail above this share

A landed record is ``{"file": name, "row_no": n, "post_id": id, "row": {...as in the
file...}, "mapped": {field: value}}``; :meth:`FileSource.to_post` reads ``mapped`` and says
which field is wrong when a row cannot become a post (it is then quarantined with that
reason).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.ingest.sources.base import Page
from pipeline.ingest.sources.fields import Taken
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

#: The fields every row needs.
REQUIRED_FIELDS = frozenset(f for f, required in FIELDS.items() if required)

#: Fields holding ids, normalized by :func:`normalize_id` (``617.0`` -> ``617``).
ID_FIELDS = ("post_id", "author_id", "in_reply_to_post_id", "conversation_id")

#: The options of ``sources.file``.
OPTIONS = ("enabled", "folder", "columns", "time_format", "max_quarantine_share")

#: Default of ``max_quarantine_share``: above a fifth of a file's rows quarantined, the
#: mapping or the export is more likely wrong than a few rows (a judgement call, not a
#: measurement; per source in the brands file).
DEFAULT_MAX_QUARANTINE_SHARE = 0.2

#: Epoch numbers above this are taken to be milliseconds: 10^10 seconds is the year 2286,
#: while milliseconds since 1970-04-26 are above it.
_EPOCH_SECONDS_MAX = 10_000_000_000

#: The largest number ``author_followers`` may hold: the warehouse's bigint.
_BIGINT_MAX = 2**63 - 1

#: X's own time format, as in its v1.1 API and its data exports: ``Tue Oct 31 22:10:47 +0000 2017``.
X_TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"

#: A number written the way spreadsheets and JSON exports write ids (``617.0``, ``6.17e2``).
_NUMERIC_ID = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][+-]?\d+)")
_EPOCH = re.compile(r"[+-]?\d+(?:\.\d+)?")


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


def checked_columns(options: Mapping[str, Any], brand_id: str) -> dict[str, str]:
    """The mapped columns a file must have: the required fields' and every one configured
    in ``columns`` (a default such as ``url`` may be absent; a configured one may not)."""
    mapping = column_mapping(options, brand_id)
    configured = set(options.get("columns") or {})
    return {f: c for f, c in mapping.items() if FIELDS[f] or f in configured}


def time_format(options: Mapping[str, Any]) -> str | None:
    value = options.get("time_format")
    return str(value) if value else None


def max_quarantine_share(options: Mapping[str, Any]) -> float:
    value = options.get("max_quarantine_share", DEFAULT_MAX_QUARANTINE_SHARE)
    return float(value)


def mapping_fingerprint(options: Mapping[str, Any], brand_id: str) -> str:
    """What decides how a file's rows are read: the column mapping and the time format.

    The ledger keys on it with the content's checksum, so a file is imported again after
    either changes."""
    spec = {"columns": column_mapping(options, brand_id), "time_format": time_format(options)}
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def map_row(row: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """The row's values under our field names (missing columns are left out)."""
    return {ours: row[theirs] for ours, theirs in mapping.items() if theirs in row}


def parse_time(value: Any, fmt: str | None = None) -> datetime:
    """A row's ``created_at`` as aware UTC; a time without a zone is UTC.

    Read, in this order: epoch seconds or milliseconds (a number, or digits), ``fmt`` (the
    source's ``time_format``, a strptime format) when given, ISO 8601, X's format
    (:data:`X_TIME_FORMAT`) and RFC 2822 (``Tue, 31 Oct 2017 22:10:47 +0000``).
    Raises ``ValueError`` saying why.
    """
    if isinstance(value, bool):
        raise ValueError(f"created_at: not a time: {value!r}")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("created_at: missing")
    if isinstance(value, int | float) or (
        isinstance(value, str) and _EPOCH.fullmatch(value.strip())
    ):
        return _epoch(value)
    if not isinstance(value, str):
        raise ValueError(f"created_at: not a time: {str(value)[:40]!r}")
    text = value.strip()
    if fmt is not None:
        try:
            return _utc(datetime.strptime(text, fmt))
        except ValueError:
            pass
    try:
        return _utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return _utc(datetime.strptime(text, X_TIME_FORMAT))
    except ValueError:
        pass
    try:
        return _utc(email.utils.parsedate_to_datetime(text))
    except (ValueError, TypeError, IndexError):
        pass
    if fmt is not None:
        raise ValueError(
            f"created_at: {text[:40]!r} matches neither time_format {fmt!r} nor ISO 8601, "
            "RFC 2822, X's format or epoch"
        )
    raise ValueError(
        f"created_at: not a time (ISO 8601, RFC 2822, X's format or epoch): {text[:40]!r};"
        " set sources.file.time_format for another format"
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _epoch(value: int | float | str) -> datetime:
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
        seconds = number / 1000 if abs(number) > _EPOCH_SECONDS_MAX else number
        return datetime.fromtimestamp(float(seconds), tz=UTC)
    except (InvalidOperation, OverflowError, OSError, ValueError):
        raise ValueError(f"created_at: {str(value)[:40]!r} is not a time in range") from None


def normalize_id(name: str, value: Any) -> str | None:
    """An id as text, numbers written as floats made whole (``617.0``, ``6.17e2`` -> ``617``).

    Raises ``ValueError`` for a number that is not a whole one (``617.5``): such an id was
    rounded on the way and matches nothing."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, int):
        return str(value)
    text = str(value).strip()
    if not text:
        return None
    if isinstance(value, float) or _NUMERIC_ID.fullmatch(text):
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{name}: not an id: {text[:40]!r}") from None
        if not number.is_finite() or number.adjusted() > 40 or number != number.to_integral_value():
            raise ValueError(f"{name}: {text[:40]!r} is not a whole number (a rounded id?)")
        return str(int(number))
    return text


def followers_of(value: Any) -> int:
    """``author_followers`` as a whole number from 0 to the warehouse's bigint."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"author_followers: not a number: {text[:20]!r}") from None
    if not number.is_finite() or number.adjusted() > 30:
        raise ValueError(f"author_followers: out of range: {text[:20]!r}")
    count = int(number)
    if not 0 <= count <= _BIGINT_MAX:
        raise ValueError(f"author_followers: out of range (0 .. 2^63-1): {text[:20]!r}")
    return count


def _text(mapped: Mapping[str, Any], name: str) -> str | None:
    value = mapped.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()


def derived_id(created_at: datetime, author: str, text: str) -> str:
    """An id for a row without one: the same post in two exports gets the same id."""
    digest = hashlib.blake2b(
        f"{created_at.isoformat()}\x1f{author}\x1f{text}".encode(errors="surrogatepass"),
        digest_size=10,
    )
    return f"h:{digest.hexdigest()}"


def check_options(brand: BrandConfig, options: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` naming brand and field when the file options are wrong."""
    folder = options.get("folder")
    if not isinstance(folder, str) or not folder.strip():
        raise ConfigError(f"brand '{brand.id}', field 'sources.file.folder': required (a path)")
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"brand '{brand.id}', field 'sources.file.{unknown[0]}': unknown option "
            f"(known: {', '.join(OPTIONS[1:])})"
        )
    column_mapping(options, brand.id)
    fmt = options.get("time_format")
    if fmt is not None and (not isinstance(fmt, str) or "%" not in fmt):
        raise ConfigError(
            f"brand '{brand.id}', field 'sources.file.time_format': must be a strptime "
            f"format such as '%d/%m/%Y %H:%M', got {fmt!r}"
        )
    share = options.get("max_quarantine_share", DEFAULT_MAX_QUARANTINE_SHARE)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ConfigError(
            f"brand '{brand.id}', field 'sources.file.max_quarantine_share': must be a "
            f"number from 0 to 1, got {share!r}"
        )


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
        src = brand.source("file")
        fmt = time_format(src.options if src else {})
        fields = mapped_fields(mapped, brand, fmt, 0)
        return Post(
            source=self.name, brand=brand.id, created_at=fields.created, **fields.post_fields()
        )


def mapped_fields(
    mapped: Mapping[str, Any], brand: BrandConfig, fmt: str | None, row: int
) -> Taken:
    """The post fields of landed row ``row``'s ``mapped`` values (``fmt``: the source's
    ``time_format``); ``ValueError("<field>: <why>")`` when one cannot be read. What
    ``to_post`` and the bulk reader (:mod:`pipeline.ingest.sources.files_columns`) share
    (a file row is never a repost and names no replied-to author)."""
    created_at = parse_time(mapped.get("created_at"), fmt)
    text = mapped.get("text")
    if not isinstance(text, str):
        raise ValueError("text: missing" if text is None else "text: not a string")
    handle = (_text(mapped, "author_handle") or "unknown").lstrip("@")
    followers = followers_of(mapped.get("author_followers"))
    ids = {name: normalize_id(name, mapped.get(name)) for name in ID_FIELDS}
    return Taken(
        row=row,
        created=created_at,
        post_id=ids["post_id"] or derived_id(created_at, handle, text),
        author_id=ids["author_id"] or handle,
        author_handle=handle,
        author_followers=followers,
        text=text,
        lang=_text(mapped, "lang"),
        url=_text(mapped, "url"),
        conversation_id=ids["conversation_id"],
        in_reply_to_post_id=ids["in_reply_to_post_id"],
        in_reply_to_author_id=None,
        repost_of=None,
        is_brand_reply=handle.casefold() in brand.account_handles,
    )
