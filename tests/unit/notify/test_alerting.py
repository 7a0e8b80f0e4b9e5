"""Which spikes make one incident, which alerts are due for it (open, escalate, recover,
resend, after any mix of failures), how numbers read, and the alert settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.detect.store import Spike
from pipeline.errors import ConfigError
from pipeline.notify.alerts.incident import incidents, thread_key
from pipeline.notify.alerts.ledger import due_alerts
from pipeline.notify.alerts.options import AlertConfig
from pipeline.notify.alerts.render import count, value
from pipeline.notify.text import display_text

T = datetime(2026, 10, 22, 17, tzinfo=UTC)


CFG = AlertConfig()


def due(
    severity: str = "warning", ended: bool = False, ledger: dict | None = None, note: bool = True
) -> list[tuple[str, str] | tuple[str, str, str]]:
    """due_alerts as (kind, severity), with "folded" added for a folded recovery."""
    out = due_alerts(severity, ended, ledger or {}, recovery_note=note)
    return [(d.kind, d.severity, "folded") if d.folded else (d.kind, d.severity) for d in out]


def test_a_new_incident_opens_once() -> None:
    assert due() == [("opened", "warning")]
    assert due(ledger={("opened", "warning"): ("sent", 1)}) == []


def test_an_ongoing_incident_alerts_again_only_when_it_escalates() -> None:
    sent = {("opened", "warning"): ("sent", 1)}
    assert due("warning", ledger=sent) == []
    assert due("critical", ledger=sent) == [("escalated", "critical")]
    sent[("escalated", "critical")] = ("sent", 1)
    assert due("critical", ledger=sent) == []


def test_an_incident_first_seen_at_critical_opens_at_critical() -> None:
    assert due("critical") == [("opened", "critical")]


def test_a_recovery_note_when_it_ends_unless_switched_off() -> None:
    sent = {("opened", "warning"): ("sent", 1)}
    assert due(ended=True, ledger=sent) == [("recovered", "warning")]
    assert due(ended=True, ledger=sent, note=False) == []
    done = {**sent, ("recovered", "warning"): ("sent", 1)}
    assert due(ended=True, ledger=done) == []


def test_an_incident_already_over_gets_one_opening_that_carries_the_recovery() -> None:
    assert due(ended=True) == [("opened", "warning"), ("recovered", "warning", "folded")]
    folded = {("opened", "warning"): ("sent", 1), ("recovered", "warning"): ("included", 0)}
    assert due(ended=True, ledger=folded) == []


def test_claimed_but_unfinished_or_failed_deliveries_are_due_again() -> None:
    assert due(ledger={("opened", "warning"): ("sending", 1)}) == [("opened", "warning")]
    assert due(ledger={("opened", "warning"): ("failed", 2)}) == [("opened", "warning")]


def test_after_any_mix_of_failures_everything_due_comes_in_order_once() -> None:
    # issue 19: the opening failed and the incident has since risen and ended: one list,
    # no second recovery (the one that died on a duplicate key); the opening is sent at the
    # incident's severity now, in place of the failed one
    failed_open = {("opened", "warning"): ("failed", 3)}
    assert due("critical", True, failed_open) == [
        ("opened", "critical"), ("recovered", "critical", "folded"),
    ]  # fmt: skip
    failed_escalation = {
        ("opened", "warning"): ("sent", 1),
        ("escalated", "critical"): ("failed", 1),
    }
    assert due("critical", True, failed_escalation) == [
        ("escalated", "critical"), ("recovered", "critical", "folded"),
    ]  # fmt: skip
    failed_recovery = {
        ("opened", "warning"): ("sent", 1), ("escalated", "critical"): ("sent", 1),
        ("recovered", "critical"): ("failed", 4),
    }  # fmt: skip
    assert due("critical", True, failed_recovery) == [("recovered", "critical")]
    crashed = {("opened", "critical"): ("sending", 1)}
    assert due("critical", True, crashed) == [
        ("opened", "critical"), ("recovered", "critical", "folded"),
    ]  # fmt: skip


def test_a_failed_opening_is_retried_at_the_incident_s_severity_now() -> None:
    failed = {("opened", "warning"): ("failed", 1)}
    [opening] = due_alerts("critical", False, failed)
    assert (opening.kind, opening.severity, opening.replaces) == (
        "opened",
        "critical",
        ("warning",),
    )
    # still a warning: the same alert again, under its own key (the same Message-ID)
    [again] = due_alerts("warning", False, failed)
    assert (again.kind, again.severity, again.replaces) == ("opened", "warning", ())
    # a replacement that failed too is retried; the replaced one stays replaced
    both = {**failed, ("opened", "critical"): ("failed", 1)}
    [retry] = due_alerts("critical", False, both)
    assert (retry.kind, retry.severity, retry.replaces) == ("opened", "critical", ("warning",))
    # once delivered, the failed one is superseded: nothing more is due
    done = {("opened", "warning"): ("superseded", 1), ("opened", "critical"): ("sent", 1)}
    assert due("critical", ledger=done) == []
    # a crash may have delivered the warning: it is resent as it was, then the escalation
    crashed = {("opened", "warning"): ("sending", 1)}
    assert due("critical", ledger=crashed) == [("opened", "warning"), ("escalated", "critical")]


def spike_at(metric: str, start_h: int, last_h: int, severity: str = "warning") -> Spike:
    return Spike(
        spike_id=f"pebble:{metric}:{start_h}", brand="pebble", metric=metric,
        started_at=T + timedelta(hours=start_h), last_hour=T + timedelta(hours=last_h),
        ended_at=None, peak_hour=T, observed=5, expected=1, score=6.0, severity=severity,
        hours=last_h - start_h + 1,
    )  # fmt: skip


def test_spikes_of_overlapping_or_adjacent_hours_are_one_incident() -> None:
    complaints = spike_at("complaints", 0, 5)
    share = spike_at("negative_share", 2, 2, "critical")
    volume = spike_at("volume", 7, 9)  # starts one quiet hour after: adjacent
    later = spike_at("complaints", 12, 13)  # two quiet hours after: a new incident
    found = incidents([later, volume, share, complaints], CFG)
    assert [i.spike_ids for i in found] == [
        (complaints.spike_id, share.spike_id, volume.spike_id), (later.spike_id,),
    ]  # fmt: skip
    first = found[0]
    assert first.lead == complaints and first.severity == "critical"
    assert first.metrics == ("complaints", "negative_share", "volume")
    assert first.ended_at is None


def test_volume_alone_is_no_incident_and_the_lead_is_the_first_alerted_spike() -> None:
    volume = spike_at("volume", 0, 3, "critical")
    assert incidents([volume], CFG) == []
    share = spike_at("negative_share", 1, 2)
    (incident,) = incidents([volume, share], CFG)
    assert incident.lead == share and incident.severity == "warning"
    assert incident.started_at == volume.started_at
    only_critical = AlertConfig(min_severity="critical")
    assert incidents([share], only_critical) == []


def test_an_incident_keeps_the_key_its_ledger_already_has() -> None:
    (incident,) = incidents([spike_at("negative_share", 1, 2), spike_at("complaints", 0, 3)], CFG)
    assert thread_key(incident, []) == "pebble:complaints:0"
    assert thread_key(incident, ["pebble:negative_share:1"]) == "pebble:negative_share:1"


def test_numbers_are_rounded_as_people_say_them() -> None:
    assert count(62.096) == "62" and count(6.297) == "6.3" and count(3.0) == "3"
    assert count(1234.4) == "1,234" and count(0.25) == "0.2" and count(12.5) == "12"
    assert value("negative_share", 0.3571) == "36%" and value("complaints", 48.0) == "48"


@pytest.mark.parametrize(
    "url", ["http://reports.example", "https://", "https://x.example/?a=1", 5, "ftp://x"]
)
def test_the_report_base_url_must_be_https(url: object) -> None:
    with pytest.raises(ConfigError, match=r"overrides\.alerts\.report_base_url"):
        AlertConfig.from_overrides({"report_base_url": url}, "brands.yaml: overrides.alerts")
    ok = AlertConfig.from_overrides({"report_base_url": "https://r.example/bp/"}, "x")
    assert ok.report_base_url == "https://r.example/bp"


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
