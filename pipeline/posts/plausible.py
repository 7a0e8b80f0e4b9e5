"""Plausible times: when a brand's post can have been written, as the run sees it.

A post is stored only if its ``created_at`` is

- no earlier than the brand's **history start**: ``overrides.history.start`` (a date, the
  start of that day in the brand's time zone) or, by default, ``overrides.history.days``
  (default :data:`DEFAULT_HISTORY_DAYS`) before the run's end (UTC midnight);
- no later than the run's end plus a **clock skew** (``overrides.history.clock_skew_minutes``,
  default :data:`DEFAULT_CLOCK_SKEW_MINUTES`): for an interval load the end of its fetch
  window, for a file import the time of the import.

Anything else goes to ``quarantine`` with the reason (``created_at 2099-06-01T00:00:00Z is
after the run's end 2026-10-23T00:00:00Z + 15 min skew``), never into ``posts``, so one odd
row can never stretch the hourly marts or the hours the alert check judges. The same history
start bounds the hours the spike detector reads (:mod:`pipeline.detect.store`).

Light on purpose: the brands file check (:mod:`pipeline.steps.brands`) validates
``overrides.history`` through :meth:`HistoryConfig.for_brand`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError

#: Default history: a year and a day back from the run's end. It covers year-over-year
#: comparisons of a month and is far beyond the detector's four-week seasonal baseline
#: (docs/spikes.md); a brand importing older exports sets ``start`` (or more ``days``).
DEFAULT_HISTORY_DAYS = 366

#: Default clock skew: posts a few minutes "in the future" are real when the provider's
#: clock or an export tool's runs ahead; 15 minutes is the alert check's period
#: (pipeline.steps.orchestration.ALERTS_SCHEDULE), so a skewed post is judged by the next.
DEFAULT_CLOCK_SKEW_MINUTES = 15

#: Most history a brand may keep in days (100 years): a guard against typos, not a policy.
MAX_HISTORY_DAYS = 36_500

#: Most clock skew in minutes (a day), like a source's lag_minutes.
MAX_CLOCK_SKEW_MINUTES = 24 * 60

_KEYS = ("start", "days", "clock_skew_minutes")


def stamp(moment: datetime) -> str:
    """An aware moment as quarantine reasons quote it: ``2026-10-22T13:00:00Z``."""
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


@dataclass(frozen=True)
class HistoryConfig:
    """A brand's ``overrides.history``: where its history starts and the clock skew allowed."""

    start: date | None = None
    days: int = DEFAULT_HISTORY_DAYS
    clock_skew_minutes: int = DEFAULT_CLOCK_SKEW_MINUTES

    @classmethod
    def for_brand(cls, brand: BrandConfig, file: str = "brands.yaml") -> HistoryConfig:
        """The brand's settings, validated; :class:`ConfigError` names brand and field."""
        where = f"{file}: brand {brand.id}: overrides.history"
        raw = brand.overrides.get("history")
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{where}: expected a mapping (start, days, clock_skew_minutes)")
        unknown = sorted(set(raw) - set(_KEYS))
        if unknown:
            raise ConfigError(f"{where}.{unknown[0]}: unknown setting (known: {', '.join(_KEYS)})")
        if "start" in raw and "days" in raw:
            raise ConfigError(f"{where}: give start or days, not both")
        start = raw.get("start")
        if start is not None:
            if isinstance(start, datetime) or not isinstance(start, date | str):
                raise ConfigError(f"{where}.start: a date (YYYY-MM-DD), got {start!r}")
            if isinstance(start, str):
                try:
                    start = date.fromisoformat(start.strip())
                except ValueError:
                    raise ConfigError(
                        f"{where}.start: a date (YYYY-MM-DD), got {start!r}"
                    ) from None
        days = _whole(raw.get("days", DEFAULT_HISTORY_DAYS), 1, MAX_HISTORY_DAYS, f"{where}.days")
        skew = _whole(
            raw.get("clock_skew_minutes", DEFAULT_CLOCK_SKEW_MINUTES),
            0,
            MAX_CLOCK_SKEW_MINUTES,
            f"{where}.clock_skew_minutes",
        )
        return cls(start=start, days=days, clock_skew_minutes=skew)

    @property
    def clock_skew(self) -> timedelta:
        return timedelta(minutes=self.clock_skew_minutes)

    def history_start(self, brand: BrandConfig, run_end: datetime) -> datetime:
        """The earliest plausible ``created_at`` for a run ending at ``run_end`` (aware UTC)."""
        if self.start is not None:
            return datetime.combine(self.start, datetime.min.time(), brand.tz).astimezone(UTC)
        back = run_end.astimezone(UTC) - timedelta(days=self.days)
        return datetime.combine(back.date(), datetime.min.time(), UTC)


def _whole(value: object, low: int, high: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{where}: a whole number {low}..{high}, got {value!r}")
    return value


@dataclass(frozen=True)
class TimeBounds:
    """``[earliest, latest)``: the plausible ``created_at`` of one load's posts."""

    brand: str
    earliest: datetime
    latest: datetime
    #: What ``latest`` is, for the reason: "the run's end 2026-10-23T00:00:00Z + 15 min skew".
    latest_is: str

    def reason(self, created_at: datetime) -> str | None:
        """Why ``created_at`` (aware) is not plausible, or None when it is."""
        if created_at.tzinfo is None:
            return None  # the post checks say so ("created_at: no time zone")
        if created_at < self.earliest:
            return (
                f"created_at {stamp(created_at)} is before the history start "
                f"{stamp(self.earliest)} of brand '{self.brand}' (overrides.history)"
            )
        if created_at >= self.latest:
            return f"created_at {stamp(created_at)} is after {self.latest_is}"
        return None


def _bounds(
    brand: BrandConfig, end: datetime, what: str, config: HistoryConfig | None
) -> TimeBounds:
    """From the brand's history start to ``end`` plus the clock skew (``what`` names ``end``)."""
    config = config or HistoryConfig.for_brand(brand)
    return TimeBounds(
        brand=brand.id,
        earliest=config.history_start(brand, end),
        latest=end + config.clock_skew,
        latest_is=f"{what} {stamp(end)} + {config.clock_skew_minutes} min skew",
    )


def interval_bounds(
    brand: BrandConfig, end: datetime, config: HistoryConfig | None = None
) -> TimeBounds:
    """The plausible times of an interval load whose fetch window ends at ``end``."""
    return _bounds(brand, end, "the run's end", config)


def import_bounds(
    brand: BrandConfig, imported_at: datetime, config: HistoryConfig | None = None
) -> TimeBounds:
    """The plausible times of a file imported at ``imported_at``."""
    return _bounds(brand, imported_at, "the import time", config)
