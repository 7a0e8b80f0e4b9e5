"""Which alerts are due for a spike (open, escalate, recover, resend), and their settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.detect.store import Spike
from pipeline.errors import ConfigError
from pipeline.notify.alerts.ledger import due_alerts
from pipeline.notify.alerts.options import AlertConfig
from pipeline.notify.text import display_text

T = datetime(2026, 10, 22, 17, tzinfo=UTC)


def spike(severity: str = "warning", ended: bool = False, metric: str = "complaints") -> Spike:
    return Spike(
        spike_id=f"pebble:{metric}:2026-10-22T17:00Z", brand="pebble", metric=metric,
        started_at=T, last_hour=T + timedelta(hours=2),
        ended_at=T + timedelta(hours=3) if ended else None, peak_hour=T, observed=50,
        expected=10, score=9.0, severity=severity, hours=3,
    )  # fmt: skip


CFG = AlertConfig()


def test_a_new_spike_opens_once() -> None:
    assert due_alerts(spike(), {}, CFG) == [("opened", "warning")]
    assert due_alerts(spike(), {("opened", "warning"): ("sent", 1)}, CFG) == []


def test_an_ongoing_spike_alerts_again_only_when_it_escalates() -> None:
    sent = {("opened", "warning"): ("sent", 1)}
    assert due_alerts(spike("warning"), sent, CFG) == []
    assert due_alerts(spike("critical"), sent, CFG) == [("escalated", "critical")]
    sent[("escalated", "critical")] = ("sent", 1)
    assert due_alerts(spike("critical"), sent, CFG) == []


def test_a_spike_first_seen_at_critical_opens_at_critical() -> None:
    assert due_alerts(spike("critical"), {}, CFG) == [("opened", "critical")]


def test_a_recovery_note_when_it_ends_unless_switched_off() -> None:
    sent = {("opened", "warning"): ("sent", 1)}
    assert due_alerts(spike(ended=True), sent, CFG) == [("recovered", "warning")]
    quiet = AlertConfig(recovery_note=False)
    assert due_alerts(spike(ended=True), sent, quiet) == []
    done = {**sent, ("recovered", "warning"): ("sent", 1)}
    assert due_alerts(spike(ended=True), done, CFG) == []


def test_a_spike_already_over_gets_one_opening_alert() -> None:
    assert due_alerts(spike(ended=True), {}, CFG) == [("opened", "warning")]
    folded = {("opened", "warning"): ("sent", 1), ("recovered", "warning"): ("included", 0)}
    assert due_alerts(spike(ended=True), folded, CFG) == []


def test_claimed_but_unfinished_or_failed_deliveries_are_due_again() -> None:
    assert due_alerts(spike(), {("opened", "warning"): ("sending", 1)}, CFG) == [
        ("opened", "warning")
    ]
    assert due_alerts(spike(), {("opened", "warning"): ("failed", 2)}, CFG) == [
        ("opened", "warning")
    ]


def test_metrics_and_severity_not_alerted_are_skipped() -> None:
    assert due_alerts(spike(metric="volume"), {}, CFG) == []
    assert due_alerts(spike("warning"), {}, AlertConfig(min_severity="critical")) == []
    assert due_alerts(spike("critical"), {}, AlertConfig(min_severity="critical")) == [
        ("opened", "critical")
    ]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"metrics": ["complaints", "likes"]}, "metrics"),
        ({"min_severity": "huge"}, "min_severity"),
        ({"recovery_note": "yes"}, "recovery_note"),
        ({"recovery_hours": 0}, "recovery_hours"),
        ({"lookback_hours": True}, "lookback_hours"),
        ({"cooldown": 3}, "cooldown"),
    ],
)
def test_alert_settings_are_validated_with_the_field_named(raw: object, field: str) -> None:
    with pytest.raises(ConfigError, match=rf"overrides\.alerts\.{field}"):
        AlertConfig.from_overrides(raw, "brands.yaml: brand pebble: overrides.alerts")


def test_alert_settings_apply() -> None:
    cfg = AlertConfig.from_overrides(
        {"metrics": ["volume"], "recovery_hours": 2, "recovery_note": False}, "x"
    )
    assert cfg.metrics == ("volume",) and cfg.recovery_hours == 2 and not cfg.recovery_note


def test_post_text_is_cleaned_of_controls_and_truncated() -> None:
    text = "a\u202eb\u200b c\n\nd\x00 " + "x" * 400
    clean = display_text(text, limit=20)
    assert clean.startswith("ab c d") and len(clean) == 20 and clean.endswith("…")
    assert display_text("family 👩\u200d👩\u200d👧") == "family 👩\u200d👩\u200d👧"


def test_the_check_s_line_carries_its_data_health_warnings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pipeline.notify.alerts.ledger import AlertSummary
    from pipeline.settings import Settings
    from pipeline.steps.alerting import describe

    monkeypatch.setenv("BRANDPULSE_HOME", str(tmp_path))
    settings = Settings.from_env()
    warning = "acme: 0 posts in the 5 hours from ... is a source down?"
    lines = describe(AlertSummary(health=[warning]), settings).splitlines()
    assert lines == ["no alert due", f"data health: {warning}"]
    assert describe(AlertSummary(), settings) == "no alert due"
