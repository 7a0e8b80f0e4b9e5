"""Typed readers shared by the sources: a raw record's fields, and a brand's source options.

The record readers return a field's value or raise ``ValueError("<field>: <why>")``, the
form in which ``to_post`` says why a record cannot be a post; ``field`` is the dotted path
named in the message (``tweet.author_id``) and defaults to ``key``. :class:`Taken` is a
record's post fields as the bulk readers (:mod:`pipeline.ingest.sources.bulk`) collect
them. The option helpers raise :class:`~pipeline.errors.ConfigError` naming the brand and
the option.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError

# --------------------------------------------------------------------------------------
# Record fields (ValueError)
# --------------------------------------------------------------------------------------


def as_mapping(value: Any, field: str) -> Mapping[str, Any]:
    """``value`` itself, which must be a mapping."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{field}: expected a mapping, got {type(value).__name__}")
    return value


def as_optional_mapping(value: Any, field: str) -> Mapping[str, Any] | None:
    """``value`` itself, which must be a mapping or None."""
    if value is not None and not isinstance(value, Mapping):
        raise ValueError(f"{field}: expected a mapping or null, got {type(value).__name__}")
    return value


def mapping(record: Mapping[str, Any], key: str, field: str | None = None) -> Mapping[str, Any]:
    """A required mapping under ``key``."""
    value = record.get(key)
    if value is None:
        raise ValueError(f"{field or key}: missing")
    return as_mapping(value, field or key)


def string(record: Mapping[str, Any], key: str, field: str | None = None) -> str:
    """A required, non-empty string under ``key``."""
    value = record.get(key)
    if value is None:
        raise ValueError(f"{field or key}: missing")
    if not isinstance(value, str) or not value:
        raise ValueError(f"{field or key}: must be a non-empty string, got {value!r}")
    return value


def optional_string(
    record: Mapping[str, Any], key: str, field: str | None = None, *, none: str = "null"
) -> str | None:
    """A string under ``key``, None when absent, null or empty (``none`` names that case)."""
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{field or key}: must be a string or {none}, got {value!r}")
    return value or None


def non_negative_int(value: Any, field: str) -> int:
    """``value`` itself, which must be an integer >= 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{field}: must be a non-negative integer, got {value!r}")
    return value


def timestamp(value: Any, field: str) -> datetime:
    """An ISO 8601 time with a zone, as aware UTC."""
    if value is None:
        raise ValueError(f"{field}: missing")
    if not isinstance(value, str):
        raise ValueError(f"{field}: must be an ISO-8601 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field}: not an ISO-8601 timestamp: {value!r}") from None
    if parsed.utcoffset() is None:
        raise ValueError(f"{field}: has no time zone: {value!r}")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{field}: out of range in UTC: {value!r}") from None


def optional_timestamp(value: Any) -> datetime | None:
    """:func:`timestamp` of ``value``, or None where that would raise."""
    try:
        return timestamp(value, "")
    except ValueError:
        return None


def contains_any(text: str, phrases: Collection[str]) -> bool:
    """Whether ``text`` contains one of ``phrases``, ignoring case."""
    folded = text.casefold()
    return any(p.casefold() in folded for p in phrases)


#: :class:`Taken` as a plain tuple, in its order: what a bulk reader appends per record (a
#: tuple costs a tenth of a named one's keyword construction).
TakenRow = tuple[
    int, datetime, str, str, str, int, str,
    str | None, str | None, str | None, str | None, str | None, str | None, bool,
]  # fmt: skip


class Taken(NamedTuple):
    """One record a bulk reader accepts: its record number, its time and the fields
    ``to_post`` would give it (:class:`~pipeline.posts.columns.FieldColumns`' fields)."""

    row: int
    created: datetime
    post_id: str
    author_id: str
    author_handle: str
    author_followers: int
    text: str
    lang: str | None
    url: str | None
    conversation_id: str | None
    in_reply_to_post_id: str | None
    in_reply_to_author_id: str | None
    repost_of: str | None
    is_brand_reply: bool

    def post_fields(self) -> dict[str, Any]:
        """The fields a :class:`~pipeline.posts.model.Post` has too, by name (all but the
        record number, and the time: ``created_at`` there)."""
        fields = self._asdict()
        del fields["row"], fields["created"]
        return fields


# --------------------------------------------------------------------------------------
# Brand options (ConfigError)
# --------------------------------------------------------------------------------------


def option_error(brand: BrandConfig, source: str) -> Callable[[str, str], ConfigError]:
    """``fail(option, problem)``: the error for ``sources.<source>.<option>`` of ``brand``."""

    def fail(option: str, problem: str) -> ConfigError:
        return ConfigError(f"brand '{brand.id}', field 'sources.{source}.{option}': {problem}")

    return fail


def reject_unknown(
    options: Mapping[str, Any], known: Collection[str], fail: Callable[[str, str], ConfigError]
) -> None:
    """Raise ``fail`` for the first option (by name) that is not in ``known``."""
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise fail(unknown[0], f"unknown option (known: {', '.join(known)})")
