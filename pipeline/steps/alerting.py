"""The alert check: judge each brand's recent stored hours, store its spikes, group them
into incidents (:mod:`pipeline.notify.alerts.incident`) and deliver the alerts due, one
email thread per incident, each alert exactly once (:mod:`pipeline.notify.alerts.ledger`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from pipeline.config.model import BrandConfig
from pipeline.detect import options
from pipeline.detect.store import detect_brand, latest_window
from pipeline.errors import DeliveryError
from pipeline.notify import mailer
from pipeline.notify.alerts.incident import incidents_in_scope
from pipeline.notify.alerts.ledger import AlertSummary, deliver_due
from pipeline.notify.alerts.options import AlertConfig
from pipeline.posts.plausible import HistoryConfig
from pipeline.settings import Settings
from pipeline.steps.brands import load_brands
from pipeline.warehouse import connection

log = logging.getLogger(__name__)


def brand_settings(
    brand: BrandConfig, file: str = "brands"
) -> tuple[options.SpikeConfig, AlertConfig]:
    """The brand's detector thresholds and alert settings, validated."""
    where = f"{file}: brand {brand.id}: overrides"
    return (
        options.SpikeConfig.from_overrides(brand.overrides.get("spikes"), f"{where}.spikes"),
        AlertConfig.from_overrides(brand.overrides.get("alerts"), f"{where}.alerts"),
    )


def evaluate(
    settings: Settings,
    smtp: mailer.SmtpConfig | None,
    brand_ids: Sequence[str] = (),
    *,
    window: tuple[datetime, datetime] | None = None,
    alerts: bool = True,
    as_of: datetime | None = None,
) -> AlertSummary:
    """Detect spikes and deliver the alerts due, each exactly once.

    ``window`` is the ``[start, end)`` judged (a run's interval); None means, per brand,
    its last ``lookback_hours`` stored hours before ``as_of`` plus the brand's clock skew
    (the scheduled evaluation: ``as_of`` is the run's time, the clock when not given), so a
    stray hour stored far ahead never decides what is judged. The hours read as history
    start at the brand's history start (:mod:`pipeline.posts.plausible`). With
    ``alerts=False`` spikes are stored and nothing is sent.
    Raises :class:`~pipeline.errors.DeliveryError` after trying every delivery when any
    failed (the task retries; what was sent stays sent).
    """
    brands = load_brands(settings.brands_file).select(tuple(brand_ids))
    summary = AlertSummary()
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        for brand in brands:
            _, config = brand_settings(brand)
            judged = window or latest_window(
                con, brand.id, config.lookback_hours, _until(brand, as_of)
            )
            if judged is None:
                log.info("%s: no stored hours yet, nothing to judge", brand.id)
                continue
            w_start, w_end = judged
            detected = detect_brand(
                con, settings.sql, brand, w_start, w_end, recovery_hours=config.recovery_hours
            )
            summary.health += [spell.describe() for spell in detected.silent]
            if not alerts or not brand.alert_recipients:
                continue
            for incident in incidents_in_scope(con, brand.id, w_start, w_end, config):
                summary.outcomes += deliver_due(
                    con, settings, smtp, brand=brand, incident=incident, config=config
                )
    errors = [o.where for o in summary.outcomes if o.status == "failed"]
    if errors:
        raise DeliveryError(f"{len(errors)} alert deliveries failed (will be retried): {errors[0]}")
    return summary


def _until(brand: BrandConfig, as_of: datetime | None) -> datetime:
    """The scheduled check's bound on stored hours: its time plus the brand's clock skew."""
    moment = as_of or datetime.now(UTC)
    return moment + HistoryConfig.for_brand(brand).clock_skew


def describe(summary: AlertSummary, settings: Settings, *, sent: bool = True) -> str:
    """What the check did, for the command line and the task log: one line, then a line per
    data-health warning."""
    if not sent:
        line = "spikes stored; alerts not sent (--no-alerts)"
    elif not summary.outcomes:
        line = "no alert due"
    else:
        channels = sorted({o.channel for o in summary.outcomes})
        where = f" (outbox: {settings.outbox})" if "outbox" in channels else ""
        line = (
            f"alerts: {summary.sent} sent via {', '.join(channels)}{where}, {summary.failed} failed"
        )
    return "\n".join([line, *(f"data health: {h}" for h in summary.health)])
