"""The demo's calendar and the kinds of business it plays: profiles, incidents, weekly bumps.

A brand picks a *profile* (``telecom`` or ``grocery``) in its ``sources.demo`` options: its
hour-of-day and day-of-week rhythm, its complaint categories and its weekly bumps. Incidents
(:data:`INCIDENTS`) are one-off surges at a local date and time inside the demo window
(:data:`DEMO_START` to :data:`DEMO_END`). All of it is data, checked at import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

# --------------------------------------------------------------------------------------
# The demo window
# --------------------------------------------------------------------------------------

DEMO_START: datetime = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
DEMO_DAYS: int = 28
DEMO_END: datetime = DEMO_START + timedelta(days=DEMO_DAYS)

# --------------------------------------------------------------------------------------
# The complaint categories every profile draws from (our choice, from the kinds of business).
# --------------------------------------------------------------------------------------

CATEGORIES: Final = (
    "delivery", "billing", "customer_service", "product_quality", "outage", "pricing", "staff",
)  # fmt: skip

# --------------------------------------------------------------------------------------
# Profiles and incidents, as data
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incident:
    """A one-off surge of complaints at a local date and time, e.g. a network outage.

    ``multiplier`` is the complaint volume relative to a normal hour; the surge applies to
    the whole hours starting in ``[start, end)`` local time and fades over ``tail_hours``.
    Complaints about it carry ``demo_truth.incident = true``.
    """

    day: date
    start: time
    end: time
    multiplier: float
    categories: tuple[tuple[str, float], ...]
    tail_hours: int = 0
    label: str = ""
    days: int = 0  # days between the start's and the end's local date (0: same day)


@dataclass(frozen=True)
class WeeklyBump:
    """A recurring rise of complaints, local time (``weekday``: 0 = Monday)."""

    weekday: int
    start_hour: int
    end_hour: int
    multiplier: float
    categories: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Profile:
    """How one kind of business is talked about: rhythms and complaint categories."""

    name: str
    hour_weights: tuple[float, ...]  # by local hour, mean 1
    weekday_weights: tuple[float, ...]  # Monday first, mean 1
    categories: tuple[tuple[str, float], ...]
    weekly_bumps: tuple[WeeklyBump, ...] = ()


def _mean_one(weights: Sequence[float]) -> tuple[float, ...]:
    mean = sum(weights) / len(weights)
    return tuple(w / mean for w in weights)


# Hour-of-day weights by local hour (0-23): quiet 1-6am, peaks at lunch and in the evening.
# Shapes follow the usual daily curve of brand mentions; the numbers are our choice.
_TELECOM_HOURS: Final = (
    0.75, 0.45, 0.3, 0.22, 0.22, 0.3, 0.55, 0.85, 1.1, 1.2, 1.25, 1.3,
    1.5, 1.45, 1.2, 1.15, 1.2, 1.3, 1.4, 1.55, 1.6, 1.5, 1.25, 1.0,
)  # fmt: skip
# Grocery: morning order cut-offs, lunch, and the evening delivery slots.
_GROCERY_HOURS: Final = (
    0.6, 0.3, 0.2, 0.15, 0.15, 0.25, 0.55, 0.95, 1.2, 1.25, 1.2, 1.15,
    1.35, 1.3, 1.1, 1.05, 1.15, 1.35, 1.55, 1.7, 1.65, 1.45, 1.1, 0.85,
)  # fmt: skip
# Day-of-week weights, Monday first. Telecom: busier on weekdays (work phones, billing,
# store visits). Grocery: busier at weekends (the big weekly shop).
_TELECOM_WEEKDAYS: Final = (1.1, 1.1, 1.08, 1.06, 1.02, 0.85, 0.79)
_GROCERY_WEEKDAYS: Final = (0.92, 0.85, 0.88, 0.93, 1.0, 1.15, 1.27)
# Complaint categories and their shares (our choice, from the kind of business).
_TELECOM_CATEGORIES: Final = (
    ("outage", 0.22), ("billing", 0.22), ("customer_service", 0.18), ("pricing", 0.12),
    ("product_quality", 0.10), ("delivery", 0.10), ("staff", 0.06),
)  # fmt: skip
_GROCERY_CATEGORIES: Final = (
    ("delivery", 0.34), ("product_quality", 0.20), ("billing", 0.14),
    ("customer_service", 0.10), ("pricing", 0.08), ("staff", 0.07), ("outage", 0.07),
)  # fmt: skip

PROFILES: Final[Mapping[str, Profile]] = {
    "telecom": Profile(
        name="telecom",
        hour_weights=_mean_one(_TELECOM_HOURS),
        weekday_weights=_mean_one(_TELECOM_WEEKDAYS),
        categories=_TELECOM_CATEGORIES,
    ),
    "grocery": Profile(
        name="grocery",
        hour_weights=_mean_one(_GROCERY_HOURS),
        weekday_weights=_mean_one(_GROCERY_WEEKDAYS),
        categories=_GROCERY_CATEGORIES,
        # Sunday evening delivery slots are the busiest: a mild bump of late deliveries.
        weekly_bumps=(WeeklyBump(6, 17, 21, 1.3, (("delivery", 1.0),)),),
    ),
}

#: Incidents by profile, in the brand's local time.
INCIDENTS: Final[Mapping[str, tuple[Incident, ...]]] = {
    "telecom": (
        Incident(
            day=date(2026, 10, 22),
            start=time(13, 0),
            end=time(18, 0),
            multiplier=9.0,
            categories=(("outage", 0.85), ("customer_service", 0.10), ("billing", 0.05)),
            tail_hours=2,
            label="network outage",
        ),
    ),
    "grocery": (),
}
#: How fast an incident fades: each tail hour keeps this share of the extra complaints.
INCIDENT_TAIL_DECAY: Final = 0.3


def _check_categories() -> None:
    """Profiles, bumps and incidents may only name the known complaint categories."""
    named = [c for p in PROFILES.values() for c, _ in p.categories]
    named += [c for p in PROFILES.values() for b in p.weekly_bumps for c, _ in b.categories]
    named += [c for incs in INCIDENTS.values() for i in incs for c, _ in i.categories]
    unknown = sorted(set(named) - set(CATEGORIES))
    if unknown or set(INCIDENTS) - set(PROFILES):
        raise ValueError(f"demo data names unknown categories or profiles: {unknown}")


_check_categories()
