"""The spike detector's settings, and a brand's overrides of them (``overrides.spikes``).

Kept apart from the detectors so that checking the brands file imports nothing heavy.
Where each default comes from is in ``docs/spikes.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Final, Literal

from pipeline.errors import ConfigError

Severity = Literal["warning", "critical"]
Metric = Literal["complaints", "negative_share", "volume"]
METRICS: Final[tuple[Metric, ...]] = ("complaints", "negative_share", "volume")

# --------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpikeConfig:
    """Thresholds of the detector; one set of defaults for every series and brand.

    A brand may override any field in ``brands.yaml`` under ``overrides: {spikes: {...}}``
    (see :meth:`from_overrides`). Where each default comes from is in ``docs/spikes.md``.
    """

    #: Robust z (variance-stabilised residual over its spread) that opens an event.
    threshold: float = 5.0
    #: The bar of each scale also rises to the value that the largest z of an ordinary day
    #: reaches once in ``false_alarm_days`` days (a Gumbel fit to the daily maxima of that
    #: scale over the last ``relative_days`` days): on a bursty, heavy-tailed series whose
    #: ordinary days already reach z = 10, only much larger bursts open events.
    false_alarm_days: float = 56.0
    relative_days: int = 14
    #: Optional extra floor: ``relative`` times the median daily maximum (0: off).
    relative: float = 0.0
    #: Inside an open event, a point whose excess over the bar is ``escalate`` times the
    #: largest excess of the event so far opens a new event (a far larger burst is news).
    escalate: float = 2.0
    #: Robust z from which a finding is ``critical`` rather than ``warning``.
    critical: float = 10.0
    #: An event stays open while the statistic reaches ``threshold * hold_fraction``...
    hold_fraction: float = 0.75
    #: ... at least once every ``cooldown_hours``; then the next rise is a new event.
    cooldown_hours: float = 24.0
    #: No flags before this much history (the baseline needs a day to mean anything).
    warmup_hours: float = 24.0
    #: Weeks of the same weekday-and-hour kept for the weekly baseline.
    season_weeks: int = 4
    #: Days of the same hour of day kept for the daily baseline (used before two weeks).
    season_days: int = 7
    #: Hours of recent points giving the level (ratio of recent values to their baselines).
    level_hours: float = 6.0
    #: Days of recent residuals giving the robust spread.
    spread_days: float = 7.0
    #: Values above expected + ``clip`` spreads enter the baseline as that bound.
    clip: float = 3.0
    #: negative_share is tested only in hours with at least this many posts.
    min_posts: int = 30
    #: complaints and volume are flagged only when at least this many were observed.
    min_count: int = 5
    #: Spans (hours) whose sums are tested besides the single point (shorter than the
    #: interval: ignored).
    scales_hours: tuple[float, ...] = (1.0, 6.0)
    #: Sustained-shift channel: a one-sided CUSUM of the residual of consecutive
    #: ``cusum_hours`` blocks against the seasonal baseline alone (no level), in units of
    #: its long-run spread; 0 turns it off. Its reference value is ``cusum_shift / 2``
    #: (tuned to a shift of ``cusum_shift`` spreads) and its decision interval the one
    #: whose average run length under no change is ``false_alarm_days`` (Siegmund).
    cusum_hours: float = 6.0
    cusum_shift: float = 1.0
    #: Which metrics :func:`detect_hourly` evaluates.
    metrics: tuple[str, ...] = METRICS

    def __post_init__(self) -> None:
        problems = _validate(self)
        if problems:
            field_name, why = problems[0]
            raise ConfigError(f"spikes.{field_name}: {why}")

    @classmethod
    def from_overrides(
        cls, overrides: Mapping[str, Any] | None, where: str = "overrides.spikes"
    ) -> SpikeConfig:
        """The defaults with a brand's ``overrides: {spikes: {...}}`` applied.

        ``overrides`` is the ``spikes`` mapping itself (or None). Unknown keys, wrong types
        and out-of-range values raise :class:`~pipeline.errors.ConfigError` naming
        ``where`` and the field.
        """
        if overrides is None:
            return cls()
        if not isinstance(overrides, Mapping):
            raise ConfigError(f"{where}: expected a mapping of spike settings")
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in overrides.items():
            if key not in known:
                raise ConfigError(
                    f"{where}.{key}: unknown setting (known: {', '.join(sorted(known))})"
                )
            default = getattr(cls(), key)
            values[key] = _coerce(raw, default, f"{where}.{key}")
        try:
            return replace(cls(), **values)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}".replace(f"{where}: spikes.", f"{where}.")) from None


def _coerce(raw: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):  # pragma: no cover - no bool settings yet
        if not isinstance(raw, bool):
            raise ConfigError(f"{where}: expected true or false, got {raw!r}")
        return raw
    if isinstance(default, int):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(f"{where}: expected a whole number, got {raw!r}")
        return raw
    if isinstance(default, float):
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            raise ConfigError(f"{where}: expected a number, got {raw!r}")
        return float(raw)
    if isinstance(default, tuple) and default and isinstance(default[0], float):
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = [raw]
        if not isinstance(raw, list | tuple) or not all(
            isinstance(h, int | float) and not isinstance(h, bool) and h > 0 for h in raw
        ):
            raise ConfigError(f"{where}: expected a list of positive numbers of hours, got {raw!r}")
        return tuple(float(h) for h in raw)
    if isinstance(default, tuple):
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list | tuple) or not all(isinstance(m, str) for m in raw):
            raise ConfigError(f"{where}: expected a list of metric names, got {raw!r}")
        return tuple(raw)
    raise ConfigError(f"{where}: unsupported value {raw!r}")  # pragma: no cover


def _validate(c: SpikeConfig) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    positive = (
        "threshold", "critical", "cooldown_hours", "level_hours", "spread_days", "clip",
    )  # fmt: skip
    if not c.false_alarm_days > 1:
        out.append(("false_alarm_days", f"must be > 1, got {c.false_alarm_days}"))
    if not c.cusum_hours >= 0:
        out.append(("cusum_hours", f"must be >= 0, got {c.cusum_hours}"))
    if not c.cusum_shift > 0:
        out.append(("cusum_shift", f"must be > 0, got {c.cusum_shift}"))
    if not c.escalate >= 1:
        out.append(("escalate", f"must be >= 1, got {c.escalate}"))
    for name in positive:
        value = getattr(c, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            out.append((name, f"must be a positive number, got {value!r}"))
    if c.critical < c.threshold:
        out.append(("critical", f"must be >= threshold ({c.threshold}), got {c.critical}"))
    if not 0 < c.hold_fraction <= 1:
        out.append(("hold_fraction", f"must be in (0, 1], got {c.hold_fraction}"))
    if not c.warmup_hours >= 0:
        out.append(("warmup_hours", f"must be >= 0, got {c.warmup_hours}"))
    for name in ("season_weeks", "season_days"):
        if getattr(c, name) < 1:
            out.append((name, f"must be >= 1, got {getattr(c, name)}"))
    for name in ("min_posts", "min_count"):
        if getattr(c, name) < 0:
            out.append((name, f"must be >= 0, got {getattr(c, name)}"))
    if c.relative < 0:
        out.append(("relative", f"must be >= 0, got {c.relative}"))
    if c.relative_days < 1:
        out.append(("relative_days", f"must be >= 1, got {c.relative_days}"))
    unknown = [m for m in c.metrics if m not in METRICS]
    if unknown or not c.metrics:
        out.append(("metrics", f"must be a non-empty list of {', '.join(METRICS)}"))
    return out
