"""Scored batches: what the score task hands the write task, one Parquet file per chunk.

The score task (any worker, any host) normalizes, scores and gates a landed batch and
writes the result here; the write task (the ``warehouse`` queue, one worker) reads it and
replaces the chunk in DuckDB (:func:`pipeline.steps.loading.score_to_storage`,
:func:`pipeline.steps.loading.write_scored`). Layout, next to the landing zone's::

    <scored>/source=<source>/brand=<brand>/date=<YYYY-MM-DD>/<start>_<end>.parquet

One file holds the chunk whole: its posts rows (``part = 'post'``), its quarantine rows
(``part = 'quarantine'``) and one ``part = 'meta'`` row whose ``meta`` column is the
load's JSON (the landed batch, its counts, the quality report), in that order (``ord``).
The file is written locally by DuckDB, then stored whole (a local file under a temporary
name, renamed; an S3 object, which appears only when complete), so a worker killed
mid-write leaves the previous file or none, never half a file under the real name. The
reader checks the meta row and that the row counts match it; anything else is a
:class:`~pipeline.errors.ScoredBatchError`. Rerunning a chunk's score task writes the same
path again.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipeline.errors import ScoredBatchError
from pipeline.ingest import storage
from pipeline.ingest.landing import Batch, batch_path
from pipeline.posts.expectations import Outcome, SuiteReport
from pipeline.warehouse.loads import POST_COLUMNS, QUARANTINE_COLUMNS

#: The ``meta`` row's ``format``: bumped when the layout changes.
FORMAT = "brandpulse-scored-1"

_ALL_PARTS = "select * from p union all by name select * from q union all by name select * from m"


@dataclass(frozen=True)
class Scored:
    """A scored batch as read back: the rows to write and what the load is about."""

    posts: pd.DataFrame
    quarantine: pd.DataFrame
    meta: dict[str, Any]

    @property
    def batch(self) -> Batch:
        """The landed batch it was scored from."""
        return Batch.from_dict(self.meta["batch"])

    @property
    def model_version(self) -> str:
        return str(self.meta["model_version"])

    @property
    def duplicate_times(self) -> list[datetime]:
        return [datetime.fromisoformat(t) for t in self.meta["duplicate_times"]]

    @property
    def report(self) -> SuiteReport | None:
        return report_from_json(self.meta["report"])


def meta(
    batch: Batch,
    result: dict[str, Any],
    model_version: str,
    duplicate_times: Sequence[datetime],
    report: SuiteReport | None,
) -> dict[str, Any]:
    """The meta row of a scored batch (``result``: the load's counts, as a dict)."""
    return {
        "batch": batch.to_dict(),
        "result": result,
        "model_version": model_version,
        "duplicate_times": [t.isoformat() for t in duplicate_times],
        "report": report_to_json(report),
    }


def location(root: str, source: str, brand: str, start: datetime, end: datetime) -> str:
    """Where the scored batch of one (source, brand, interval) lives under ``root``."""
    relative = batch_path(Path(), source, brand, start, end).with_suffix(".parquet")
    return storage.join(root, *relative.parts)


def report_to_json(report: SuiteReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "suite": report.suite,
        "source": report.source,
        "brand": report.brand,
        "batch_id": report.batch_id,
        "rows": report.rows,
        "checked_at": report.checked_at.isoformat(),
        "outcomes": [
            {
                "expectation": o.expectation,
                "success": o.success,
                "element_count": o.element_count,
                "unexpected_count": o.unexpected_count,
                # as quality_results stores them (pipeline.warehouse.quality.store_report)
                "details": json.loads(json.dumps(o.details, default=str, ensure_ascii=False)),
            }
            for o in report.outcomes
        ],
    }


def report_from_json(data: dict[str, Any] | None) -> SuiteReport | None:
    if data is None:
        return None
    return SuiteReport(
        suite=str(data["suite"]),
        source=str(data["source"]),
        brand=str(data["brand"]),
        batch_id=str(data["batch_id"]),
        rows=int(data["rows"]),
        outcomes=tuple(
            Outcome(
                expectation=str(o["expectation"]),
                success=bool(o["success"]),
                element_count=int(o["element_count"]),
                unexpected_count=int(o["unexpected_count"]),
                details=dict(o["details"]),
            )
            for o in data["outcomes"]
        ),
        checked_at=datetime.fromisoformat(data["checked_at"]),
    )


def write(target: str, posts: pd.DataFrame, quarantine: pd.DataFrame, about: dict[str, Any]) -> str:
    """Store a scored batch whole at ``target`` (a local path or a storage URL); ``about``:
    its :func:`meta`."""
    about = {**about, "format": FORMAT, "posts": len(posts), "quarantined": len(quarantine)}
    con = duckdb.connect()
    try:
        con.register(
            "p", posts.loc[:, list(POST_COLUMNS)].assign(part="post", ord=range(len(posts)))
        )
        con.register(
            "q",
            quarantine.loc[:, list(QUARANTINE_COLUMNS)].assign(
                part="quarantine", ord=range(len(quarantine))
            ),
        )
        con.register("m", pd.DataFrame({"part": ["meta"], "ord": [0], "meta": [json.dumps(about)]}))
        rows = con.sql(_ALL_PARTS)
        with tempfile.TemporaryDirectory(prefix="brandpulse-scored-") as folder:
            local = Path(folder) / "batch.parquet"
            rows.to_parquet(str(local))
            storage.put_file(local, target)
    finally:
        con.close()
    return target


def read(source: str) -> Scored:
    """The scored batch at ``source``; :class:`ScoredBatchError` when it is missing,
    incomplete or not a scored batch."""
    try:
        data = storage.read_bytes(source)
    except FileNotFoundError:
        raise ScoredBatchError(
            f"no scored batch at {source}: run (or clear and rerun) the score task of this chunk"
        ) from None
    con = duckdb.connect()
    try:
        with tempfile.TemporaryDirectory(prefix="brandpulse-scored-") as folder:
            local = Path(folder) / "batch.parquet"
            local.write_bytes(data)
            try:
                con.read_parquet(str(local)).create_view("t")
                metas = con.execute("select meta from t where part = 'meta'").fetchall()
                posts = con.execute(
                    f"select {', '.join(POST_COLUMNS)} from t where part = 'post' order by ord"  # noqa: S608 - fixed column names
                ).df()
                quarantine = con.execute(
                    "select record_no, post_id, reason, raw, created_at::timestamp as created_at"
                    " from t where part = 'quarantine' order by ord"
                ).df()
            except duckdb.Error as exc:
                raise ScoredBatchError(
                    f"{source} is not a complete scored batch ({str(exc).splitlines()[0]}); "
                    "rerun the score task of this chunk"
                ) from None
    finally:
        con.close()
    meta = _meta(source, metas)
    if (len(posts), len(quarantine)) != (meta.get("posts"), meta.get("quarantined")):
        raise ScoredBatchError(
            f"{source}: {len(posts)} posts and {len(quarantine)} quarantined rows, its meta "
            f"says {meta.get('posts')} and {meta.get('quarantined')}; rerun the score task"
        )
    return Scored(_posts_frame(posts), _quarantine_frame(quarantine), meta)


def _meta(source: str, rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    try:
        [(text,)] = rows
        meta = json.loads(text)
    except (ValueError, TypeError):
        meta = None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ScoredBatchError(
            f"{source} is not a scored batch of format {FORMAT}; rerun the score task"
        )
    return meta


def _posts_frame(posts: pd.DataFrame) -> pd.DataFrame:
    """The posts as :func:`pipeline.steps.loading.score_batch` makes them."""
    posts["brand_day"] = [d.date() if hasattr(d, "date") else d for d in posts["brand_day"]]
    if len(posts):
        posts = posts.astype({"created_at": "datetime64[us]", "author_followers": "int64"})
    return posts


def _quarantine_frame(quarantine: pd.DataFrame) -> pd.DataFrame:
    return quarantine.astype({"record_no": "int64", "created_at": "datetime64[us]"})
