"""A brand's alert settings (``overrides: {alerts: {...}}`` in the brands file).

Kept apart from the ledger and the renderer (:mod:`pipeline.notify.alerts.ledger`) so that
checking the brands file imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pipeline.detect.options import METRICS
from pipeline.errors import ConfigError

SEVERITY_RANK = {"warning": 1, "critical": 2}


@dataclass(frozen=True)
class AlertConfig:
    """A brand's alert settings: ``overrides: {alerts: {...}}`` in the brands file."""

    #: Metrics whose spikes are alerted (volume spikes are stored, not alerted, by default:
    #: a viral compliment is not an incident).
    metrics: tuple[str, ...] = ("complaints", "negative_share")
    #: Lowest severity that is alerted.
    min_severity: str = "warning"
    #: Send a short note when a spike ends.
    recovery_note: bool = True
    #: Stored hours without a flag after which an episode has ended.
    recovery_hours: int = 3
    #: Closed hours the scheduled evaluation looks back over (catches late loads).
    lookback_hours: int = 6
    #: Where the archived daily reports are served (``https://...``): the alert links the
    #: brand's latest one as ``<report_base_url>/<brand>/<day>.html``, the layout of the
    #: reports folder. None: the alert has no report line.
    report_base_url: str | None = None

    @classmethod
    def from_overrides(cls, raw: Any, where: str) -> AlertConfig:
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{where}: expected a mapping of alert settings")
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "metrics":
                if not isinstance(value, list) or not all(v in METRICS for v in value):
                    raise ConfigError(f"{where}.metrics: a list of {', '.join(METRICS)}")
                values[key] = tuple(value)
            elif key == "min_severity":
                if value not in SEVERITY_RANK:
                    raise ConfigError(f"{where}.min_severity: one of warning, critical")
                values[key] = value
            elif key == "recovery_note":
                if not isinstance(value, bool):
                    raise ConfigError(f"{where}.recovery_note: true or false")
                values[key] = value
            elif key in {"recovery_hours", "lookback_hours"}:
                if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 168:
                    raise ConfigError(f"{where}.{key}: a whole number of hours, 1 to 168")
                values[key] = value
            elif key == "report_base_url":
                values[key] = _base_url(value, f"{where}.{key}")
            else:
                known = (
                    "lookback_hours, metrics, min_severity, recovery_hours, recovery_note,"
                    " report_base_url"
                )
                raise ConfigError(f"{where}.{key}: unknown setting (known: {known})")
        return cls(**values)


def _base_url(value: Any, where: str) -> str:
    """An https base URL, without a trailing slash (query and fragment not allowed)."""
    if not isinstance(value, str):
        raise ConfigError(f"{where}: an https:// URL")
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"{where}: an https:// URL without query or fragment, got {value!r}")
    return value.strip().rstrip("/")
