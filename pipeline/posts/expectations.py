"""Great Expectations, shared by the quality gates: suites as code, validation, reports.

The posts gate (:mod:`pipeline.posts.quality`) and the aggregates gate
(:mod:`pipeline.warehouse.quality`) each define their suites as a :class:`Suite`: a name and
a function building its expectations. Here every suite is built once per process, in one
ephemeral (in-memory) Great Expectations context, imported lazily (it takes seconds to
import); :func:`run_suite` validates a frame against one, and a :class:`SuiteReport` is the
outcome of each expectation on one batch, stored in ``quality_results`` by
:func:`pipeline.warehouse.quality.store_report`.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.expectation_suite import ExpectationSuite

#: Values of failing rows kept in ``quality_results.details`` (a sample, not the data).
SAMPLE_VALUES = 5
#: Longest value quoted in a reason or a sample (texts can be 25,000 characters).
MAX_QUOTED_CHARS = 80


@dataclass(frozen=True)
class Suite:
    """A suite as code: its name and what builds its expectations.

    ``build`` gets ``great_expectations.expectations`` (imported on first use) and returns
    the expectations; see docs/quality.md for each.
    """

    name: str
    build: Callable[[Any], list[Any]]


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
def batch_definition() -> BatchDefinition[Any]:
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


def param(name: str) -> dict[str, str]:
    """A value given when the suite runs (``parameters`` of :func:`run_suite`)."""
    return {"$PARAMETER": name}


def unit(gxe: Any, column: str) -> Any:
    """A share or probability: within [0, 1] (null passes)."""
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1)


@functools.cache
def _suite(suite: Suite) -> ExpectationSuite:
    """``suite``, built from code."""
    import great_expectations as gx

    # The expectation classes are re-exported without __all__, which mypy --strict rejects.
    gxe: Any = importlib.import_module("great_expectations.expectations")
    built = gx.ExpectationSuite(name=suite.name)
    for expectation in suite.build(gxe):
        built.add_expectation(expectation)
    return built


@functools.cache
def suite_columns(suite: Suite) -> frozenset[str]:
    """The columns the expectations of ``suite`` read."""
    columns: set[str] = set()
    for expectation in _suite(suite).expectations:
        for key in ("column", "column_A", "column_B"):
            value = getattr(expectation, key, None)
            if isinstance(value, str):
                columns.add(value)
        columns.update(getattr(expectation, "column_list", None) or ())
        # The column a row condition reads (GX's Condition objects: Column(name).is_null()).
        condition = getattr(expectation, "row_condition", None)
        column = getattr(getattr(condition, "column", None), "name", None)
        if isinstance(column, str):
            columns.add(column)
    return frozenset(columns)


def quote(value: object) -> str:
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
    suite: Suite,
    frame: pd.DataFrame,
    *,
    source: str,
    brand: str,
    batch_id: str,
    parameters: Mapping[str, object] | None = None,
) -> SuiteReport:
    """Run ``suite`` over ``frame`` (one validation for the whole frame): its report.

    ``frame`` must have a default (0..n-1) index: failing rows are reported by position.
    An expectation that raises instead of judging counts as failed, with the error in
    its details. The caller logs the report's line (:func:`log_report`).
    """
    checked_at = datetime.now(UTC).replace(tzinfo=None)  # audit only, never read by logic
    report = SuiteReport(
        suite=suite.name,
        source=source,
        brand=brand,
        batch_id=batch_id,
        rows=len(frame),
        outcomes=run_suite(suite, frame, parameters),
        checked_at=checked_at,
    )
    return report


def log_report(log: logging.Logger, report: SuiteReport) -> None:
    """The report's one line in the task log (a warning when it failed)."""
    (log.info if report.success else log.warning)("%s", report.summary())


def run_suite(
    suite: Suite, frame: pd.DataFrame, parameters: Mapping[str, object] | None
) -> tuple[Outcome, ...]:
    """The outcome of each expectation of ``suite`` on ``frame``, sorted by name."""
    # Great Expectations hashes every column of the frame it is given, twice per
    # validation (a batch fingerprint): give it only the columns the suite reads.
    definition = batch_definition()  # first: building a suite needs GX's context
    used = [c for c in frame.columns if c in suite_columns(suite)]
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
        sample = [quote(v) for v in (res.get("partial_unexpected_list") or [])[:SAMPLE_VALUES]]
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
