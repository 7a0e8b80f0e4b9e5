"""The posts quality gate: a Great Expectations suite over a load's scored posts.

:func:`gate_post_batches` (called by :func:`pipeline.steps.loading.load`,
:func:`pipeline.steps.loading.score_posts` and, over groups of batches,
:func:`pipeline.steps.loading.load_batches`) is a second gate after
:func:`pipeline.posts.normalize.normalize_batch`, over the whole frame of a load's scored
posts at once. A post failing a row-level expectation is moved to quarantine with the
reason ``quality: <expectation>(<column>): <value>``; the load's counts still reconcile
(fetched = loaded + duplicates + quarantined).

The suite is code (:data:`POSTS`), built once per process by
:mod:`pipeline.posts.expectations`, which imports Great Expectations lazily (it takes
seconds to import). Each report is logged as one line and stored in ``quality_results``
by the caller (:func:`pipeline.warehouse.quality.store_report`); the aggregates gate is
:mod:`pipeline.warehouse.quality`. docs/quality.md lists every expectation.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline import timeutil
from pipeline.errors import QualityError
from pipeline.posts import expectations
from pipeline.posts.expectations import (
    SAMPLE_VALUES,
    Outcome,
    Suite,
    SuiteReport,
    log_report,
    param,
    quote,
    run_suite,
    unit,
)
from pipeline.posts.model import Post
from pipeline.posts.normalize import MAX_TEXT_CHARS, NormalizedBatch

if TYPE_CHECKING:
    from pipeline.config.model import BrandConfig

log = logging.getLogger(__name__)

#: A language code as providers report it: ISO 639-1 (two letters) or ISO 639-3 (three
#: letters, e.g. X's ``und`` for undetermined), optionally with BCP 47 subtags (``en-US``,
#: ``zh-Hant``) as Bluesky records carry them. Null (no language given) passes.
LANG_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$"


#: The column that says a post was left unscored, and why (null: scored).
UNSCORED_REASON = "unscored_reason"


def _posts_expectations(gxe: Any) -> list[Any]:
    conditions: Any = importlib.import_module("great_expectations.expectations.row_conditions")
    reason = conditions.Column(UNSCORED_REASON)
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="post_id"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["source", "brand", "post_id"]),
        gxe.ExpectColumnValuesToNotBeNull(column="created_at"),
        gxe.ExpectColumnValuesToBeBetween(
            column="created_at",
            min_value=param("start"),
            max_value=param("end"),
            strict_max=True,
        ),
        gxe.ExpectColumnValueLengthsToBeBetween(
            column="text", min_value=1, max_value=MAX_TEXT_CHARS
        ),
        gxe.ExpectColumnValuesToBeInSet(column="brand", value_set=param("brands")),
        gxe.ExpectColumnValuesToMatchRegex(column="lang", regex=LANG_PATTERN),
        gxe.ExpectColumnValuesToBeBetween(column="author_followers", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="compound", min_value=-1, max_value=1),
        unit(gxe, "complaint_score"),
        # Scores are null exactly for the posts left unscored (another language), which
        # carry the reason (pipeline/scoring/routing.py). compound stands for the score
        # columns: the load writes them together.
        gxe.ExpectColumnValuesToNotBeNull(column="compound", row_condition=reason.is_null()),
        gxe.ExpectColumnValuesToBeNull(column="compound", row_condition=reason.is_not_null()),
    ]


#: The posts suite (see docs/quality.md for each expectation).
POSTS = Suite("posts", _posts_expectations)


def prepare() -> None:
    """Import Great Expectations and build the posts suite now (seconds), not at first use."""
    expectations.batch_definition()
    expectations.suite_columns(POSTS)


# --------------------------------------------------------------------------------------
# Posts
# --------------------------------------------------------------------------------------


class RecordIndex:
    """Which landed record each normalized post came from.

    :func:`~pipeline.posts.normalize.normalize_batch` keeps, per post id, the first record that
    passes its checks; wrap the source's parser with :meth:`to_post` and ask
    :meth:`record_nos` afterwards, so posts failing the quality gate are quarantined
    under their own record number with the record as landed.
    """

    def __init__(self, to_post: Callable[[Any, BrandConfig], Post], records: Sequence[object]):
        self._to_post = to_post
        self._position = {id(r): i for i, r in enumerate(records)}
        self._by_post_id: dict[str, list[int]] = {}

    def to_post(self, raw: Any, brand: BrandConfig) -> Post:
        post = self._to_post(raw, brand)
        self._by_post_id.setdefault(post.post_id, []).append(self._position[id(raw)])
        return post

    def record_nos(self, normalized: NormalizedBatch) -> list[int]:
        """The record number of each of ``normalized.posts``, in order."""
        rejected = {r.record_no for r in normalized.rejected}
        return [
            next(n for n in self._by_post_id[p.post_id] if n not in rejected)
            for p in normalized.posts
        ]


@dataclass(frozen=True)
class PostGate:
    """The posts that passed the gate, the quarantine with the ones that did not added."""

    posts: pd.DataFrame
    quarantine: pd.DataFrame
    report: SuiteReport | None  # None when there were no posts to check
    quarantined: int = 0  # posts moved to quarantine by the gate


def _raw_json(raw: object) -> str:
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)


@dataclass(frozen=True)
class PostBatch:
    """One load's scored posts, as the posts gate takes them.

    ``posts`` has the warehouse's post columns (``created_at`` naive UTC) and a default
    index; ``record_nos[i]`` is the landed record of row ``i`` among ``records()``, which
    is called only when a post fails (a worker process may have done the scoring, and the
    landed file is read again then). ``start`` and ``end`` are the batch's fetch interval
    (the run's interval shifted by the source's lag).
    """

    posts: pd.DataFrame
    quarantine: pd.DataFrame
    record_nos: Sequence[int]
    records: Callable[[], Sequence[object]]
    source: str
    brand: str
    batch_id: str
    start: datetime
    end: datetime
    brands: Sequence[str]


def gate_posts(
    posts: pd.DataFrame,
    quarantine: pd.DataFrame,
    *,
    record_nos: Sequence[int],
    records: Sequence[object],
    source: str,
    brand: str,
    batch_id: str,
    start: datetime,
    end: datetime,
    brands: Sequence[str],
) -> PostGate:
    """Run the posts suite over one load's scored posts; move failing rows to quarantine.

    See :class:`PostBatch` for the arguments. Raises :class:`QualityError` when the suite
    cannot judge the batch.
    """
    batch = PostBatch(
        posts=posts,
        quarantine=quarantine,
        record_nos=record_nos,
        records=lambda: records,
        source=source,
        brand=brand,
        batch_id=batch_id,
        start=start,
        end=end,
        brands=brands,
    )
    [gate] = gate_post_batches([batch])
    return gate


def gate_post_batches(batches: Sequence[PostBatch]) -> list[PostGate]:
    """:func:`gate_posts` for several loads at once: one validation of all their posts.

    Great Expectations costs a fixed ~0.07 s per validation, whatever the rows, so a
    backfill's loads are gated in groups (:func:`pipeline.steps.loading.load_batches`). Each batch
    still gets its own report (its rows, its failures, its log line) and its own
    quarantine. The group is validated with ``created_at`` within the span of the
    batches' intervals and ``brand`` within their brands; normalize has already held
    every post to its own load's interval and brand (:func:`pipeline.posts.normalize._check`).
    Raises :class:`QualityError` when the suite cannot judge the group; nothing is
    written then.
    """
    judged = [b for b in batches if len(b.posts)]
    if not judged:
        return [PostGate(b.posts, b.quarantine, None) for b in batches]
    frame = (
        judged[0].posts
        if len(judged) == 1
        else pd.concat([b.posts for b in judged], ignore_index=True)
    )
    if UNSCORED_REASON not in frame:  # posts from before routing: every one scored
        frame = frame.assign(**{UNSCORED_REASON: None})
    checked_at = datetime.now(UTC).replace(tzinfo=None)  # audit only, never read by logic
    outcomes = run_suite(
        POSTS,
        _for_gx(frame),
        {
            "start": _epoch_us_of(min(b.start for b in judged)),
            "end": _epoch_us_of(max(b.end for b in judged)),
            "brands": sorted({name for b in judged for name in b.brands}),
        },
    )
    broken = [o for o in outcomes if not o.success and not o.rows]
    if broken:
        names = ", ".join(sorted({f"{b.source}/{b.brand}/{b.batch_id}" for b in judged}))
        raise QualityError(
            f"the posts quality suite could not judge {names}: "
            + "; ".join(f"{o.expectation}: {o.details.get('error', 'failed')}" for o in broken)
        )
    gates: dict[int, PostGate] = {}
    offset = 0
    for batch in judged:
        gates[id(batch)] = _gate_one(batch, outcomes, offset, checked_at)
        offset += len(batch.posts)
    return [gates.get(id(b)) or PostGate(b.posts, b.quarantine, None) for b in batches]


_EPOCH = datetime(1970, 1, 1)


def _for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame Great Expectations validates: every expectation fails on the same rows as
    on ``frame``, and the reasons quote ``frame``'s own values (:func:`_gate_one`), but it
    is cheaper to check. GX compares datetimes one row at a time in Python, and hashes
    every column it is given twice per validation (a batch fingerprint; the ids and texts,
    one distinct value per post, were over half of the gate's cost), so

    - ``created_at`` is microseconds since the epoch (compared in one vectorised step);
    - ``post_id`` is its code among the frame's ids (equal ids, equal codes; null stays
      null): not-null and the compound uniqueness judge the same rows;
    - ``text`` is a run of spaces as long as the text (null stays null): its one
      expectation reads only the length, and there are few distinct lengths to hash.
    """
    codes, _ = pd.factorize(frame["post_id"], use_na_sentinel=True)
    post_ids = pd.Series(pd.array(codes, dtype="Int64"), index=frame.index).mask(codes < 0)
    lengths = frame["text"].str.len()
    spaces = {n: " " * int(n) for n in lengths.dropna().unique()}
    return frame.assign(
        created_at=_epoch_us(frame["created_at"]),
        post_id=post_ids,
        text=lengths.map(spaces).astype(object),
    )


def _epoch_us(times: pd.Series) -> pd.Series:
    """Naive UTC times as whole microseconds since the epoch (nullable: a missing time
    stays missing)."""
    stamps = pd.to_datetime(times).astype("datetime64[us]")
    values = stamps.to_numpy().astype("int64")
    return pd.Series(pd.array(values, dtype="Int64"), index=times.index).mask(stamps.isna())


def _epoch_us_of(moment: datetime) -> int:
    return (timeutil.naive_utc(moment) - _EPOCH) // timedelta(microseconds=1)


def _gate_one(
    batch: PostBatch, outcomes: Sequence[Outcome], offset: int, checked_at: datetime
) -> PostGate:
    """One batch's share of a group's outcomes: its report, its kept and moved posts."""
    posts, size = batch.posts, len(batch.posts)
    own: list[Outcome] = []
    reasons: dict[int, list[str]] = {}
    for outcome in outcomes:
        rows = tuple(r - offset for r in outcome.rows if offset <= r < offset + size)
        details = {k: v for k, v in outcome.details.items() if k != "sample"}
        if rows and outcome.column:
            details["sample"] = [quote(posts.at[r, outcome.column]) for r in rows[:SAMPLE_VALUES]]
        own.append(
            replace(
                outcome,
                success=not rows,
                element_count=size,
                unexpected_count=len(rows),
                details=details,
                rows=rows,
            )
        )
        for row in rows:
            value = f": {quote(posts.at[row, outcome.column])}" if outcome.column else ""
            reasons.setdefault(row, []).append(f"quality: {outcome.expectation}{value}")
    report = SuiteReport(
        suite="posts",
        source=batch.source,
        brand=batch.brand,
        batch_id=batch.batch_id,
        rows=size,
        outcomes=tuple(own),
        checked_at=checked_at,
    )
    log_report(log, report)
    if not reasons:
        return PostGate(posts, batch.quarantine, report)
    bad = sorted(reasons)
    records = batch.records()
    record_nos = batch.record_nos
    quarantine = batch.quarantine
    moved = pd.DataFrame(
        {
            "record_no": [record_nos[i] for i in bad],
            "post_id": [posts.at[i, "post_id"] for i in bad],
            "reason": ["; ".join(reasons[i]) for i in bad],
            "raw": [_raw_json(records[record_nos[i]]) for i in bad],
            "created_at": [posts.at[i, "created_at"] for i in bad],
        },
        columns=list(quarantine.columns),
    )
    kept = posts.drop(index=bad).reset_index(drop=True)
    both = pd.concat([quarantine, moved], ignore_index=True) if len(quarantine) else moved
    return PostGate(kept, both, report, quarantined=len(bad))
