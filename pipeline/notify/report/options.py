"""A brand's report settings (``overrides: {report: {...}}`` in the brands file).

Kept apart from :mod:`pipeline.notify.report.data` so that checking the brands file
imports no warehouse code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError, InputError

#: How far back the "unanswered past the SLA" list looks: a week. Complaints older than that
#: have spread as far as they will; they stay in complaint_responses for analysts.
BACKLOG_DAYS = 7
#: The SLA when a brand sets none: customers on social media expect an answer within the day
#: (the project's design notes; most care teams publish 24 h or less).
DEFAULT_SLA_HOURS = 24.0
#: An SLA must leave at least a day of the backlog window to list anything.
MAX_SLA_HOURS = (BACKLOG_DAYS - 1) * 24.0


@dataclass(frozen=True)
class ReportOptions:
    """A brand's report settings beyond recipients and local time (``overrides.report``)."""

    sla_hours: float = DEFAULT_SLA_HOURS

    @property
    def sla(self) -> timedelta:
        return timedelta(hours=self.sla_hours)


#: The days a report can be about: the warehouse's timestamps start in 1970, and the day
#: after the report day (when it is due) must still be a date.
FIRST_REPORT_DAY = date(1970, 1, 1)
LAST_REPORT_DAY = date(9998, 12, 31)


def report_day(text: str) -> date:
    """The report day as typed (``--date``): ``YYYY-MM-DD``, or :class:`InputError` in one
    line that says what is wrong."""
    value = text.strip()
    usage = f"--date {text!r} is not a day: use YYYY-MM-DD, e.g. 2026-10-22"
    if len(value) != len("YYYY-MM-DD"):
        raise InputError(usage)
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{usage} ({exc})") from None
    if not FIRST_REPORT_DAY <= day <= LAST_REPORT_DAY:
        raise InputError(
            f"--date {text!r} is out of range: reports cover {FIRST_REPORT_DAY} to "
            f"{LAST_REPORT_DAY}"
        )
    return day


_REPORT_OPTIONS = frozenset({"sla_hours"})


def report_options(brand: BrandConfig, file: str = "brands.yaml") -> ReportOptions:
    """Validate ``overrides.report`` of ``brand``; :class:`ConfigError` names brand and field."""

    def fail(fld: str, problem: str) -> ConfigError:
        return ConfigError(f"{file}: brand '{brand.id}', field 'overrides.report{fld}': {problem}")

    raw = brand.overrides.get("report")
    if raw is None:
        return ReportOptions()
    if not isinstance(raw, Mapping):
        raise fail("", f"must be a mapping, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _REPORT_OPTIONS)
    if unknown:
        raise fail(
            f".{unknown[0]}", f"unknown option (known: {', '.join(sorted(_REPORT_OPTIONS))})"
        )
    sla = raw.get("sla_hours", DEFAULT_SLA_HOURS)
    if isinstance(sla, bool) or not isinstance(sla, int | float) or not 0 < sla <= MAX_SLA_HOURS:
        raise fail(".sla_hours", f"must be a number of hours above 0 and at most {MAX_SLA_HOURS:g}")
    return ReportOptions(sla_hours=float(sla))
