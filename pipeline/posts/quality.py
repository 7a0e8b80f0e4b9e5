"""Data-quality gates: Great Expectations suites over loaded posts and over the aggregates.

Two gates, both suites as code (built once per process, Great Expectations imported lazily:
it takes seconds to import):

- **posts** (:func:`gate_post_batches`, called by :func:`pipeline.steps.loading.load`,
  :func:`pipeline.steps.loading.score_posts` and, over groups of batches,
  :func:`pipeline.steps.loading.load_batches`): a second gate after
  :func:`pipeline.posts.normalize.normalize_batch`, over the whole frame of a load's scored
  posts at once. A post failing a row-level expectation is moved to quarantine with the
  reason ``quality: <expectation>(<column>): <value>``; the load's counts still reconcile
  (fetched = loaded + duplicates + quarantined).
- **aggregates** (:func:`gate_aggregates`, called by
  :func:`pipeline.steps.aggregation.aggregate`): over
  the ``brand_hourly``, ``brand_daily`` and ``brand_daily_categories`` rows a refresh has
  just written. A failure puts the rows back as they were before the refresh and raises
  :class:`QualityError`, all while the task still holds the warehouse's write lock, so no
  analyst ever reads the failed rows (DuckDB lets no other process open the file meanwhile).

Every suite run is stored in ``quality_results`` (one row per expectation, see
``sql/migrations/007_quality.sql``) and logged as one line. docs/quality.md lists every
expectation.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from pipeline import timeutil
from pipeline.errors import BrandpulseError
from pipeline.posts.model import Post
from pipeline.posts.normalize import MAX_TEXT_CHARS, NormalizedBatch
from pipeline.warehouse import connection, loads

if TYPE_CHECKING:
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.expectation_suite import ExpectationSuite

    from pipeline.config.model import BrandConfig

log = logging.getLogger(__name__)

#: A language code as providers report it: ISO 639-1 (two letters) or ISO 639-3 (three
#: letters, e.g. X's ``und`` for undetermined), optionally with BCP 47 subtags (``en-US``,
#: ``zh-Hant``) as Bluesky records carry them. Null (no language given) passes.
LANG_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$"

#: Values of failing rows kept in ``quality_results.details`` (a sample, not the data).
SAMPLE_VALUES = 5
#: Longest value quoted in a reason or a sample (texts can be 25,000 characters).
MAX_QUOTED_CHARS = 80

#: ``quality_results.source`` of the aggregate suites (they span every source).
ALL_SOURCES = "*"


class QualityError(BrandpulseError):
    """A quality suite failed on data that must not reach analysts (or could not run).

    The message names the suite, the brand, the batch and the failed expectations; the
    full results are in ``quality_results``.
    """


@dataclass(frozen=True)
class Outcome:
    """How one expectation came out on one batch."""

    expectation: str  # "<type>(<column(s)>)"
    success: bool
    element_count: int
    unexpected_count: int
    details: Mapping[str, object]
    #: Positions (0-based) of the failing rows in the validated frame.
    rows: tuple[int, ...] = ()
    #: The column whose value a reason quotes (None for multi-column expectations).
    column: str | None = None


@dataclass(frozen=True)
class SuiteReport:
    """One run of one suite on one batch."""

    suite: str
    source: str
    brand: str
    batch_id: str
    rows: int
    outcomes: tuple[Outcome, ...]
    checked_at: datetime

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.success)

    def summary(self) -> str:
        """The one line the task log shows."""
        head = (
            f"quality suite={self.suite} source={self.source} brand={self.brand} "
            f"batch={self.batch_id} rows={self.rows}: "
            f"{len(self.outcomes) - len(self.failed)}/{len(self.outcomes)} expectations passed"
        )
        if not self.failed:
            return head
        return (
            head
            + "; failed: "
            + ", ".join(f"{o.expectation} ({o.unexpected_count} rows)" for o in self.failed)
        )


# --------------------------------------------------------------------------------------
# Great Expectations, built once per process
# --------------------------------------------------------------------------------------


@functools.cache
def _batch_definition() -> BatchDefinition[Any]:
    """A whole-DataFrame batch definition in an ephemeral (in-memory) context."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),  # no data-docs site
        # Progress bars would go to the task log once per validation (TQDM_DISABLE is
        # ignored); usage statistics are never sent.
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    asset = context.data_sources.add_pandas("brandpulse").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def prepare() -> None:
    """Import Great Expectations and build the posts suite now (seconds), not at first use."""
    _batch_definition()
    _suite_columns("posts")


def _param(name: str) -> dict[str, str]:
    return {"$PARAMETER": name}


@functools.cache
def _suite(name: str) -> ExpectationSuite:
    """The suite ``name``, built from code (see docs/quality.md for each expectation)."""
    import great_expectations as gx

    # The expectation classes are re-exported without __all__, which mypy --strict rejects.
    gxe: Any = importlib.import_module("great_expectations.expectations")

    def unit(column: str) -> Any:  # a share or probability: within [0, 1] (null passes)
        return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1)

    expectations: list[Any]
    if name == "posts":
        expectations = [
            gxe.ExpectColumnValuesToNotBeNull(column="post_id"),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["source", "brand", "post_id"]),
            gxe.ExpectColumnValuesToNotBeNull(column="created_at"),
            gxe.ExpectColumnValuesToBeBetween(
                column="created_at",
                min_value=_param("start"),
                max_value=_param("end"),
                strict_max=True,
            ),
            gxe.ExpectColumnValueLengthsToBeBetween(
                column="text", min_value=1, max_value=MAX_TEXT_CHARS
            ),
            gxe.ExpectColumnValuesToBeInSet(column="brand", value_set=_param("brands")),
            gxe.ExpectColumnValuesToMatchRegex(column="lang", regex=LANG_PATTERN),
            gxe.ExpectColumnValuesToBeBetween(column="author_followers", min_value=0),
            gxe.ExpectColumnValuesToBeBetween(column="compound", min_value=-1, max_value=1),
            unit("complaint_score"),
        ]
    elif name in ("brand_hourly", "brand_daily"):
        grain = "hour" if name == "brand_hourly" else "day"
        expectations = [
            gxe.ExpectTableRowCountToEqual(value=_param("grains")),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["brand", grain]),
            gxe.ExpectColumnPairValuesToBeEqual(column_A="posts", column_B="labelled"),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="posts", column_B="complaints", or_equal=True
            ),
            unit("negative_share"),
            unit("complaint_share"),
            unit("negative_reach_share"),
            gxe.ExpectColumnValuesToBeBetween(column="mean_compound", min_value=-1, max_value=1),
            gxe.ExpectColumnValuesToBeBetween(column="reach", min_value=0),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="reach", column_B="negative_reach", or_equal=True
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="reach", column_B="complaint_reach", or_equal=True
            ),
        ]
        if name == "brand_daily":
            expectations.append(
                gxe.ExpectColumnPairValuesToBeEqual(
                    column_A="complaints", column_B="category_complaints"
                )
            )
    elif name == "brand_daily_categories":
        expectations = [
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["brand", "day", "category"]),
            gxe.ExpectColumnValuesToBeBetween(column="complaints", min_value=1),
            gxe.ExpectColumnValuesToBeBetween(column="complaint_reach", min_value=0),
            unit("share"),
        ]
    else:
        raise ValueError(f"unknown quality suite {name!r}")
    suite = gx.ExpectationSuite(name=name)
    for expectation in expectations:
        suite.add_expectation(expectation)
    return suite


@functools.cache
def _suite_columns(name: str) -> frozenset[str]:
    """The columns the expectations of suite ``name`` read."""
    columns: set[str] = set()
    for expectation in _suite(name).expectations:
        for key in ("column", "column_A", "column_B"):
            value = getattr(expectation, key, None)
            if isinstance(value, str):
                columns.add(value)
        columns.update(getattr(expectation, "column_list", None) or ())
    return frozenset(columns)


def _quote(value: object) -> str:
    """A value as a reason or a sample shows it: Python literals, times in ISO 8601."""
    if isinstance(value, datetime):  # pandas' Timestamp too
        value = value.isoformat()
    elif hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    text = repr(value)
    return text if len(text) <= MAX_QUOTED_CHARS else text[: MAX_QUOTED_CHARS - 1] + "…"


def _error(info: Mapping[str, Any] | None) -> str | None:
    """The message of an exception an expectation raised, if any (both of GE's shapes)."""
    if not info:
        return None
    if "raised_exception" in info:
        return str(info.get("exception_message")) if info["raised_exception"] else None
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def validate(
    suite: str,
    frame: pd.DataFrame,
    *,
    source: str,
    brand: str,
    batch_id: str,
    parameters: Mapping[str, object] | None = None,
) -> SuiteReport:
    """Run ``suite`` over ``frame`` (one validation for the whole frame) and log its line.

    ``frame`` must have a default (0..n-1) index: failing rows are reported by position.
    An expectation that raises instead of judging counts as failed, with the error in
    its details.
    """
    checked_at = datetime.now(UTC).replace(tzinfo=None)  # audit only, never read by logic
    report = SuiteReport(
        suite=suite,
        source=source,
        brand=brand,
        batch_id=batch_id,
        rows=len(frame),
        outcomes=_run_suite(suite, frame, parameters),
        checked_at=checked_at,
    )
    _log(report)
    return report


def _log(report: SuiteReport) -> None:
    (log.info if report.success else log.warning)("%s", report.summary())


def _run_suite(
    suite: str, frame: pd.DataFrame, parameters: Mapping[str, object] | None
) -> tuple[Outcome, ...]:
    """The outcome of each expectation of ``suite`` on ``frame``, sorted by name."""
    # Great Expectations hashes every column of the frame it is given, twice per
    # validation (a batch fingerprint): give it only the columns the suite reads.
    definition = _batch_definition()  # first: building a suite needs GX's context
    used = [c for c in frame.columns if c in _suite_columns(suite)]
    batch = definition.get_batch(batch_parameters={"dataframe": frame[used]})
    # BASIC (counts, a sample) costs about half of COMPLETE (every failing row's index);
    # failures are rare, so they pay for a second, COMPLETE pass.
    result = batch.validate(
        _suite(suite),
        result_format={"result_format": "BASIC"},
        expectation_parameters=dict(parameters or {}),
    )
    if not result.success:
        result = batch.validate(
            _suite(suite),
            result_format={"result_format": "COMPLETE"},
            expectation_parameters=dict(parameters or {}),
        )
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        kwargs = {k: v for k, v in (config.kwargs if config else {}).items() if k != "batch_id"}
        columns = kwargs.get("column") or kwargs.get("column_list")
        if columns is None and "column_A" in kwargs:
            columns = [kwargs["column_A"], kwargs["column_B"]]
        label = ", ".join(columns) if isinstance(columns, list) else str(columns or "")
        name = f"{config.type if config else 'unknown'}({label})"
        res = item.result or {}
        error = _error(item.exception_info)
        rows = tuple(int(i) for i in res.get("unexpected_index_list") or ())
        sample = [_quote(v) for v in (res.get("partial_unexpected_list") or [])[:SAMPLE_VALUES]]
        details: dict[str, object] = {"kwargs": kwargs}
        if sample:
            details["sample"] = sample
        if "observed_value" in res:
            details["observed_value"] = res["observed_value"]
        if error:
            details["error"] = error
        outcomes.append(
            Outcome(
                expectation=name,
                success=bool(item.success) and error is None,
                element_count=int(res.get("element_count") or len(frame)),
                unexpected_count=int(res.get("unexpected_count") or len(rows)),
                details=details,
                rows=rows,
                column=kwargs.get("column") if isinstance(kwargs.get("column"), str) else None,
            )
        )
    return tuple(sorted(outcomes, key=lambda o: o.expectation))


def store(con: duckdb.DuckDBPyConnection, report: SuiteReport) -> None:
    """Replace the stored results of this suite on this batch with ``report``."""
    key = [report.suite, report.source, report.brand, report.batch_id]
    with connection.transaction(con):
        con.execute(
            "delete from quality_results"
            " where suite = ? and source = ? and brand = ? and batch_id = ?",
            key,
        )
        con.executemany(
            "insert into quality_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    *key,
                    o.expectation,
                    o.success,
                    o.element_count,
                    o.unexpected_count,
                    json.dumps(o.details, default=str, ensure_ascii=False, sort_keys=True),
                    report.checked_at,
                ]
                for o in report.outcomes
            ],
        )


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
    checked_at = datetime.now(UTC).replace(tzinfo=None)  # audit only, never read by logic
    # GX compares datetimes one row at a time in Python, integers in one vectorised step:
    # created_at is checked as microseconds since the epoch (reasons quote the time itself).
    outcomes = _run_suite(
        "posts",
        frame.assign(created_at=_epoch_us(frame["created_at"])),
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
            details["sample"] = [_quote(posts.at[r, outcome.column]) for r in rows[:SAMPLE_VALUES]]
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
            value = f": {_quote(posts.at[row, outcome.column])}" if outcome.column else ""
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
    _log(report)
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
        },
        columns=list(quarantine.columns),
    )
    kept = posts.drop(index=bad).reset_index(drop=True)
    both = pd.concat([quarantine, moved], ignore_index=True) if len(quarantine) else moved
    return PostGate(kept, both, report, quarantined=len(bad))


# --------------------------------------------------------------------------------------
# Aggregates
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AggregateRows:
    """The aggregate rows of one brand for some hours and days, as stored at one moment."""

    brand: str
    hours: tuple[datetime, ...]  # naive UTC hour starts
    days: tuple[date, ...]
    hourly: pd.DataFrame
    daily: pd.DataFrame
    categories: pd.DataFrame


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def read_aggregates(
    con: duckdb.DuckDBPyConnection, brand: str, hours: Sequence[datetime], days: Sequence[date]
) -> AggregateRows:
    """``brand``'s rows of ``brand_hourly`` for ``hours`` and of ``brand_daily`` and
    ``brand_daily_categories`` for ``days``."""
    stamps = tuple(sorted({_naive(h) for h in hours}))
    ordered = tuple(sorted(set(days)))

    def rows(table: str, column: str, keys: Sequence[object], order: str) -> pd.DataFrame:
        # Table and column names are ours, never user input.
        return con.execute(
            f"select * from {table} where brand = ? and list_contains(?, {column})"  # noqa: S608
            f" order by {order}",
            [brand, list(keys)],
        ).df()

    return AggregateRows(
        brand=brand,
        hours=stamps,
        days=ordered,
        hourly=rows("brand_hourly", "hour", stamps, "hour"),
        daily=rows("brand_daily", "day", ordered, "day"),
        categories=rows("brand_daily_categories", "day", ordered, "day, category"),
    )


def restore_aggregates(con: duckdb.DuckDBPyConnection, before: AggregateRows) -> None:
    """Put ``before``'s hours and days back exactly as they were (one transaction)."""
    tables = (
        ("brand_hourly", "hour", list(before.hours), before.hourly),
        ("brand_daily", "day", list(before.days), before.daily),
        ("brand_daily_categories", "day", list(before.days), before.categories),
    )
    with connection.transaction(con):
        for table, column, keys, frame in tables:
            con.execute(
                f"delete from {table} where brand = ? and list_contains(?, {column})",  # noqa: S608
                [before.brand, keys],
            )
            loads.insert_frame(con, table, frame)


def check_aggregates(rows: AggregateRows, *, batch_id: str) -> list[SuiteReport]:
    """Run the aggregate suites over freshly refreshed rows (empty tables are skipped)."""
    reports = []

    def run(suite: str, frame: pd.DataFrame, grains: int | None = None) -> SuiteReport:
        return validate(
            suite,
            frame,
            source=ALL_SOURCES,
            brand=rows.brand,
            batch_id=batch_id,
            parameters={"grains": grains} if grains is not None else None,
        )

    if rows.hours:
        hourly = rows.hourly.assign(
            labelled=rows.hourly["positive"] + rows.hourly["neutral"] + rows.hourly["negative"]
        )
        reports.append(run("brand_hourly", hourly, len(rows.hours)))
    if rows.days:
        per_day = rows.categories.groupby("day")["complaints"].sum()
        daily = rows.daily.assign(
            labelled=rows.daily["positive"] + rows.daily["neutral"] + rows.daily["negative"],
            category_complaints=rows.daily["day"].map(per_day).fillna(0).astype("int64"),
        )
        reports.append(run("brand_daily", daily, len(rows.days)))
        if len(rows.categories):
            reports.append(run("brand_daily_categories", rows.categories))
    return reports


def gate_aggregates(
    con: duckdb.DuckDBPyConnection, before: AggregateRows, *, batch_id: str
) -> list[SuiteReport]:
    """Check the rows refreshed since ``before`` was read; on failure, restore and raise.

    Results are stored in every case. ``before`` must come from :func:`read_aggregates`
    on the same connection just before the refresh; the caller holds the write lock
    throughout, so no other process sees the refreshed rows until they have passed.
    """
    after = read_aggregates(con, before.brand, before.hours, before.days)
    reports = check_aggregates(after, batch_id=batch_id)
    for report in reports:
        store(con, report)
    failed = [r for r in reports if not r.success]
    if failed:
        restore_aggregates(con, before)
        raise QualityError(
            f"aggregates of brand '{before.brand}' failed their quality suites and were "
            f"rolled back to what was stored before (batch {batch_id}): "
            + "; ".join(r.summary() for r in failed)
            + ". See quality_results for the details."
        )
    return reports
