"""Small PNG charts for emails (matplotlib's Agg backend: no display, no global pyplot state).

Charts are drawn on a ``Figure`` object of their own, so building them in threads or tasks
never touches shared state, and the PNG carries no timestamp: the same data gives the same
bytes. matplotlib is imported on first use (it costs about half a second).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colours readable in light and dark mail clients.
INK = "#1f2937"
LINE = "#2563eb"
EXPECTED = "#9ca3af"
SPIKE = "#dc2626"
SECOND = "#d97706"


def _figure(width: float = 7.0, height: float = 2.6) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    fig.set_layout_engine("constrained")
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _style(ax: Any, title: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=10, color=INK)
    ax.set_ylabel(ylabel, fontsize=8, color=INK)
    ax.tick_params(labelsize=7, colors=INK)
    ax.grid(axis="y", color="#e5e7eb", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def time_series(
    times: Sequence[datetime],
    values: Sequence[float | None],
    *,
    title: str,
    ylabel: str,
    expected: Sequence[float | None] | None = None,
    marked: Sequence[datetime] = (),
    second: Sequence[float | None] | None = None,
    second_label: str = "",
    bars: bool = False,
) -> bytes:
    """A line (or bar) chart over time; ``marked`` points are drawn as red dots.

    ``expected`` is a dashed baseline; ``second`` a second series on its own right axis.
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    fig = _figure()
    ax: Any = fig.add_subplot()
    clean = [float("nan") if v is None else float(v) for v in values]
    if bars:
        width = (times[1] - times[0]) * 0.8 if len(times) > 1 else 0.03
        ax.bar(list(times), clean, width=width, color=LINE, label=ylabel)
    else:
        ax.plot(list(times), clean, color=LINE, linewidth=1.2, label=ylabel)
    if expected is not None:
        base = [float("nan") if v is None else float(v) for v in expected]
        ax.plot(list(times), base, color=EXPECTED, linewidth=1, linestyle="--", label="expected")
    if marked:
        index = {t: i for i, t in enumerate(times)}
        points = [(t, clean[index[t]]) for t in marked if t in index]
        if points:
            ax.scatter(
                [p[0] for p in points], [p[1] for p in points], color=SPIKE, s=18, zorder=3,
                label="spike",
            )  # fmt: skip
    if second is not None:
        ax2 = ax.twinx()
        ax2.plot(
            list(times), [float("nan") if v is None else float(v) for v in second],
            color=SECOND, linewidth=1, label=second_label,
        )  # fmt: skip
        ax2.set_ylabel(second_label, fontsize=8, color=SECOND)
        ax2.tick_params(labelsize=7, colors=SECOND)
        ax2.spines["top"].set_visible(False)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    _style(ax, title, ylabel)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return _png(fig)


def bars(labels: Sequence[str], values: Sequence[float], *, title: str, ylabel: str) -> bytes:
    """A horizontal bar chart, largest first as given (labels read top to bottom)."""
    fig = _figure(height=max(1.6, 0.32 * len(labels) + 0.8))
    ax = fig.add_subplot()
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, list(values), color=LINE)
    ax.set_yticks(positions, list(labels))
    for pos, value in zip(positions, values, strict=True):
        ax.text(value, pos, f" {value:g}", va="center", fontsize=7, color=INK)
    _style(ax, title, "")
    ax.set_xlabel(ylabel, fontsize=8, color=INK)
    ax.grid(axis="x", color="#e5e7eb", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    return _png(fig)


#: The detector's normal range around the expected value (alert charts).
BAND = "#e5e7eb"


def incident_chart(
    times: Sequence[datetime],
    values: Sequence[float | None],
    *,
    expected: Sequence[float | None],
    low: Sequence[float | None],
    high: Sequence[float | None],
    marked: Sequence[datetime],
    tz: tzinfo,
    title: str,
    ylabel: str,
    bars: bool = False,
) -> bytes:
    """An alert's chart of one metric in the brand's local time (``tz``, named on the time
    axis): the hourly values, the detector's expected value (dashed) and its normal range
    (grey band), the flagged hours as red dots. ``times`` are aware UTC hour starts."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    def nan(seq: Sequence[float | None]) -> list[float]:
        return [float("nan") if v is None else float(v) for v in seq]

    local = [t.astimezone(tz) for t in times]
    fig = _figure(height=2.8)
    ax: Any = fig.add_subplot()
    clean = nan(values)
    ax.fill_between(local, nan(low), nan(high), color=BAND, linewidth=0, label="normal range",
                    step=None)  # fmt: skip
    ax.plot(local, nan(expected), color=EXPECTED, linewidth=1, linestyle="--", label="expected")
    if bars:
        width = (times[1] - times[0]) * 0.8 if len(times) > 1 else 0.03
        ax.bar(local, clean, width=width, color=LINE, alpha=0.85, label=ylabel)
    else:
        ax.plot(local, clean, color=LINE, linewidth=1.2, label=ylabel)
    index = {t: i for i, t in enumerate(times)}
    points = [(local[index[t]], clean[index[t]]) for t in marked if t in index]
    if points:
        ax.scatter([p[0] for p in points], [p[1] for p in points], color=SPIKE, s=18, zorder=3,
                   label="unusual hour")  # fmt: skip
    locator = AutoDateLocator(tz=tz)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=tz))  # type: ignore[no-untyped-call]
    _style(ax, title, ylabel)
    ax.set_xlabel(f"local time ({tz})", fontsize=8, color=INK)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=4)
    return _png(fig)
