"""Numbers and names as the daily report's readers read them.

The care lead is not an analyst: measures have names ("share of negative posts", never
``negative_share``), numbers are rounded to what matters (36 %, 631, +0.11), counts agree
with their nouns ("1 complaint", "2 complaints"), and no internal identifier, command or
path reaches the page. Both the HTML and the plain text take their words from here.
"""

from __future__ import annotations

from datetime import datetime

#: The headline measures by their names in brand_daily.
MEASURES = {
    "posts": "Posts about the brand",
    "complaints": "Complaints",
    "complaint_share": "Share of posts that are complaints",
    "negative_share": "Share of negative posts",
    "mean_compound": "Average tone of posts (from -1 negative to +1 positive)",
}
#: Spike metrics (detect's names) as a reader says them: spikes are judged per hour.
SPIKE_METRICS = {
    "complaints": "Complaints per hour",
    "negative_share": "Share of negative posts",
    "volume": "Posts per hour",
}
#: Alert kinds (the alerts ledger's names) as a reader says them.
ALERT_KINDS = {"opened": "alert", "escalated": "escalation", "recovered": "all-clear"}
#: Alert statuses that mean the message went out ("included": carried in another message).
DELIVERED = frozenset({"sent", "included"})

DASH = "–"


def count(value: float | None) -> str:
    """A count with thousands separators: ``1,234``."""
    return DASH if value is None else f"{round(value):,}"


def plural(n: float | None, singular: str, plural_form: str | None = None) -> str:
    """``1 complaint``, ``2 complaints``, ``1,234 complaints`` (a dash when unknown)."""
    if n is None:
        return f"{DASH} {plural_form or singular + 's'}"
    word = singular if round(n) == 1 else (plural_form or singular + "s")
    return f"{count(n)} {word}"


def percent(value: float | None) -> str:
    """A share as a whole percentage (``36 %``); under 1 % but not zero: ``under 1 %``."""
    if value is None:
        return DASH
    if 0 < value < 0.005:
        return "under 1 %"
    return f"{round(100 * value)} %"


def tone(value: float | None) -> str:
    """The average VADER compound on its -1..+1 scale, two decimals: ``+0.11``."""
    return DASH if value is None else f"{value:+.2f}".replace("-0.00", "+0.00")


def duration(seconds: float | None) -> str:
    """``45 s``, ``12 min``, ``3 h 05 min``, ``2 d 4 h``."""
    if seconds is None:
        return DASH
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    minutes = round(s / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, mins = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {mins:02d} min"
    days, hrs = divmod(hours, 24)
    return f"{days} d {hrs} h"


def hours(value: float) -> str:
    """An SLA in hours: ``24 hours``, ``1 hour``, ``1.5 hours``."""
    return f"{value:g} hour" if value == 1 else f"{value:g} hours"


def target(sla_hours: float) -> str:
    """The reply target as an adjective: ``24-hour target``."""
    return f"{sla_hours:g}-hour target"


def category(name: str | None) -> str:
    """A complaint category as a reader says it: ``customer_service`` -> ``customer service``."""
    return (name or "uncategorized").replace("_", " ")


def moment(local: datetime) -> str:
    """A local time as ``Thu 22 Oct 14:15``."""
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
