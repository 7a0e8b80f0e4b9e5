"""Forgetting an author, and retention of raw text.

Per brand, under ``overrides: {privacy: {...}}`` in the brands file
(:class:`~pipeline.posts.pseudonyms.PrivacyConfig`), ``retention_days: N`` empties the text
(and link) of posts older than N days and the raw record of old quarantine rows, and
deletes landing files and scored batches older than that, while every aggregate stays as
it was (:func:`apply_retention`, run daily by ``brandpulse_daily``). The landing zone and
the scored batches may be in object storage (:mod:`pipeline.ingest.storage`).

:func:`forget_author` removes an author's posts from every table that holds them (posts,
complaint_responses, quarantine) and from the landing zone (so a rerun cannot bring them
back; the brand's scored batches are deleted, their score tasks make them again), re-derives
the aggregates they were counted in, and records that it did so in ``privacy_log`` (with a
hash of the handle, never the handle itself). For a brand whose authors are pseudonymized
(:mod:`pipeline.posts.pseudonyms`), the author's pseudonym is forgotten too.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pipeline.config.loading import read_brands
from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.ingest import storage
from pipeline.posts.pseudonyms import PrivacyConfig, pseudonymizer
from pipeline.secrets import SecretLookup
from pipeline.settings import Settings

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------
# The log
# --------------------------------------------------------------------------------------


def subject_hash(handle: str) -> str:
    """How ``privacy_log`` names a forgotten author: a hash, never the handle."""
    return hashlib.sha256(handle.lstrip("@").casefold().encode("utf-8")).hexdigest()[:24]


def _log_action(
    con: duckdb.DuckDBPyConnection,
    action: str,
    brand: str,
    subject: str | None,
    counts: Mapping[str, int],
) -> None:
    con.execute(
        "insert into privacy_log values (?, ?, ?, ?, ?)",
        [datetime.now(UTC).replace(tzinfo=None), action, brand, subject, json.dumps(counts)],
    )


# --------------------------------------------------------------------------------------
# Forget an author
# --------------------------------------------------------------------------------------


@dataclass
class ForgetResult:
    handle_hash: str
    removed: dict[str, int] = field(default_factory=dict)
    landing_records: int = 0
    brands: list[str] = field(default_factory=list)

    def format(self) -> str:
        parts = ", ".join(f"{n} from {t}" for t, n in self.removed.items())
        return (
            f"forgot author #{self.handle_hash} in {', '.join(self.brands) or 'no brand'}: "
            f"{parts or 'nothing stored'}; {self.landing_records} landed records removed"
        )


def _matches(record: Any, names: set[str]) -> bool:
    """True when a landed record (any source's shape) is by one of ``names``."""
    if not isinstance(record, Mapping):
        return False
    stack: list[Any] = [record]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                if isinstance(value, Mapping | list):
                    stack.append(value)
                elif (
                    isinstance(value, str)
                    and key in {"author_handle", "username", "handle", "acct", "author"}
                    and value.lstrip("@").casefold() in names
                ):
                    return True
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _loads(raw: str) -> Any:
    """A quarantined record as landed, or None when it was not JSON (or nested deeper than
    Python can read)."""
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        return None


def _scrub_landing(root: str, brand: str, names: set[str]) -> int:
    """Rewrite the brand's landed files without the author's records; how many went.
    ``root``: the landing zone, a local folder or a storage URL."""
    removed = 0
    for location in storage.glob(storage.join(root, "source=*", f"brand={brand}", "**")):
        if not location.endswith(".jsonl"):
            continue
        text = storage.read_text(location)
        if text is None:  # gone since it was listed
            continue
        lines = text.splitlines()
        keep = []
        for line in lines:
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                keep.append(line)
                continue
            if _matches(record, names):
                removed += 1
            else:
                keep.append(line)
        if len(keep) != len(lines):
            data = "".join(f"{k}\n" for k in keep).encode("utf-8", "surrogatepass")
            storage.write_bytes(location, data)
    return removed


def _drop_scored(settings: Settings, brand: str) -> int:
    """Delete the brand's scored batches (they hold post text): a write task rerun after
    a forget must not bring the author back; its score task makes them again from the
    scrubbed landing zone."""
    pattern = storage.join(storage.scored_root(settings), "source=*", f"brand={brand}", "**")
    found = storage.glob(pattern)
    for location in found:
        storage.delete(location)
    return len(found)


def forget_author(
    settings: Settings,
    handle: str,
    brand_ids: Sequence[str] = (),
    lookup: SecretLookup | None = None,
) -> ForgetResult:
    """Remove every post by ``handle`` (and their traces) for the brands named (all)."""
    from pipeline.warehouse import connection

    handle = handle.strip()
    if not handle.lstrip("@"):
        raise ConfigError("forget: --author must be a handle")
    brands = read_brands(settings.brands_file).select(tuple(brand_ids))
    result = ForgetResult(subject_hash(handle))
    bare = handle.lstrip("@").casefold()
    pseudonym: str | None = None  # the key is looked up once, for the first brand needing it
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        for brand in brands:
            names = {bare}
            if PrivacyConfig.for_brand(brand).pseudonymize_authors:
                if pseudonym is None:
                    pseudonym = pseudonymizer(lookup).handle(handle)
                names.add(pseudonym)
            counts = _forget_in_brand(con, settings, brand, names)
            counts_landing = _scrub_landing(storage.landing_root(settings), brand.id, names)
            scored = _drop_scored(settings, brand.id)
            result.landing_records += counts_landing
            for table, n in counts.items():
                result.removed[table] = result.removed.get(table, 0) + n
            result.brands.append(brand.id)
            with connection.transaction(con):
                _log_action(
                    con, "forget", brand.id, result.handle_hash,
                    {**counts, "landing_records": counts_landing, "scored_batches": scored},
                )  # fmt: skip
    log.info("%s", result.format())
    return result


def _forget_in_brand(
    con: duckdb.DuckDBPyConnection, settings: Settings, brand: BrandConfig, names: set[str]
) -> dict[str, int]:
    from pipeline.warehouse import connection, marts

    # Handles are compared casefolded, as the landing zone's are (_matches); SQL's lower()
    # is not casefold() ("ß"), so the brand's distinct handles are folded here.
    stored = con.execute(
        "select distinct author_handle from posts where brand = ?", [brand.id]
    ).fetchall()
    handles = [h for (h,) in stored if h is not None and h.lstrip("@").casefold() in names]
    rows = con.execute(
        "select post_id, created_at, brand_day from posts"
        " where brand = ? and list_contains(?, author_handle)",
        [brand.id, handles],
    ).fetchall()
    ids = [r[0] for r in rows]
    hours = sorted({r[1].replace(minute=0, second=0, microsecond=0, tzinfo=UTC) for r in rows})
    days = sorted({r[2] for r in rows})
    counts: dict[str, int] = {}
    with connection.transaction(con):
        for table in ("complaint_responses", "posts"):
            counts[table] = _deleted(
                con.execute(
                    f"delete from {table} where brand = ? and list_contains(?, post_id)",  # noqa: S608
                    [brand.id, ids],
                )
            )
        # Quarantined records by the author, in any source's shape: the same test as the
        # landed records get.
        forgotten = set(ids)
        quarantined = [
            (batch_id, record_no)
            for batch_id, record_no, post_id, raw in con.execute(
                "select batch_id, record_no, post_id, raw from quarantine where brand = ?",
                [brand.id],
            ).fetchall()
            if post_id in forgotten or _matches(_loads(raw), names)
        ]
        counts["quarantine"] = _deleted(
            con.execute(
                "delete from quarantine where brand = ?"
                " and list_contains(?, struct_pack(b := batch_id, r := record_no))",
                [brand.id, [{"b": b, "r": r} for b, r in quarantined]],
            )
        )
    marts.refresh_hourly(con, settings.sql, brand.id, hours)
    marts.refresh_daily(con, settings.sql, brand.id, timezone=brand.timezone, days=days)
    return counts


def _deleted(cursor: duckdb.DuckDBPyConnection) -> int:
    """The rows a DELETE or UPDATE just changed (DuckDB returns the count as its result)."""
    row = cursor.fetchone()
    return int(row[0]) if row else 0


# --------------------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    brand: str
    cutoff: date
    posts: int
    quarantine: int
    landing_files: int


def _landing_days(root: str, brand: str) -> dict[date, list[str]]:
    """The brand's landed files (batches, receipts, checkpoints) by their ``date=`` folder."""
    days: dict[date, list[str]] = {}
    for location in storage.glob(storage.join(root, "source=*", f"brand={brand}", "date=*", "*")):
        try:
            day = date.fromisoformat(storage.name(storage.parent(location)).removeprefix("date="))
        except ValueError:
            continue
        days.setdefault(day, []).append(location)
    return days


def apply_retention(
    settings: Settings, today: date, brand_ids: Sequence[str] = ()
) -> list[RetentionResult]:
    """Drop raw text older than each brand's ``retention_days`` before ``today`` (UTC).

    Aggregates are left as they are: they were computed while the text was there.
    """
    from pipeline.warehouse import connection

    results = []
    brands = read_brands(settings.brands_file).select(tuple(brand_ids))
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        for brand in brands:
            days = PrivacyConfig.for_brand(brand).retention_days
            if days is None:
                continue
            cutoff = today - timedelta(days=days)
            moment = datetime.combine(cutoff, datetime.min.time())
            with connection.transaction(con):
                posts = _deleted(
                    con.execute(
                        "update posts set text = '', url = null"
                        " where brand = ? and created_at < ? and text <> ''",
                        [brand.id, moment],
                    )
                )
                quarantined = _deleted(
                    con.execute(
                        "update quarantine set raw = '{}' where brand = ? and raw <> '{}'"
                        " and coalesce(interval_end, ?) <= ?",
                        [brand.id, moment, moment],
                    )
                )
                files = 0
                root = storage.landing_root(settings)
                for day, locations in _landing_days(root, brand.id).items():
                    if day < cutoff:
                        for location in locations:
                            storage.delete(location)  # batches, what landed or resumes them
                            files += location.endswith(".jsonl")
                        if storage.is_local(root):  # and the emptied folder
                            storage.delete_tree(storage.parent(locations[0]))
                scored = 0
                scored_days = _landing_days(storage.scored_root(settings), brand.id)
                for day, locations in scored_days.items():
                    if day < cutoff:  # scored batches hold post text too
                        for location in locations:
                            storage.delete(location)
                            scored += 1
                result = RetentionResult(brand.id, cutoff, posts, quarantined, files)
                _log_action(
                    con, "retention", brand.id, None,
                    {"posts": result.posts, "quarantine": result.quarantine,
                     "landing_files": files, "scored_files": scored, "retention_days": days},
                )  # fmt: skip
            log.info(
                "%s: retention %d days: emptied the text of %d posts and %d quarantined records"
                " before %s, deleted %d landing files",
                brand.id, days, result.posts, result.quarantine, cutoff, files,
            )  # fmt: skip
            results.append(result)
    return results
