"""One incident, one email thread, every delivery resumed: an outage that raises complaints
and the share of negative posts is told as one incident (opening, escalation, recovery),
hour by hour as the scheduled check sees it, to a real SMTP server on 127.0.0.1 that is up,
refusing or down in any mix; one run after it is back delivers everything still due, in
order, once per recipient and kind, the follow-ups replying to the opening."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from pipeline import timeutil
from pipeline.errors import DeliveryError
from pipeline.notify import mailer
from pipeline.notify.alerts import ledger
from pipeline.settings import Settings
from pipeline.steps import alerting
from pipeline.warehouse import connection, loads, marts
from tests.conftest import pebble_brands, write_brands
from tests.fakes.smtp import Inbox, free_port, smtp_config, smtp_server

T0 = datetime(2026, 10, 5, tzinfo=UTC)
DAYS = 21
OUTAGE = T0 + timedelta(days=20, hours=14)  # 10:00 in New York
#: Complaints in the outage's hours: a rise (warning), then a surge (critical).
SURGE = [20, 22, 60, 70, 55]
RECIPIENTS = ["oncall@pebble.example", "pr@pebble.example"]
BRANDS = pebble_brands(
    alerts={"recipients": RECIPIENTS},
    overrides={"alerts": {"report_base_url": "https://reports.pebble.example/brandpulse"}},
)

#: The stages the scheduled check sees: the outage's first hour, its surge, its end.
OPENED = OUTAGE + timedelta(hours=1)
ESCALATED = OUTAGE + timedelta(hours=4)
RECOVERED = OUTAGE + timedelta(hours=18)


def _posts() -> pd.DataFrame:
    rng = random.Random(11)
    rows: list[dict[str, Any]] = []
    for h in range(DAYS * 24):
        hour = T0 + timedelta(hours=h)
        busy = hour.hour >= 12 or hour.hour <= 2
        k = round((hour - OUTAGE) / timedelta(hours=1))
        surge = SURGE[k] if 0 <= k < len(SURGE) else 0
        posts = rng.randint(15, 25) if busy else rng.randint(3, 8)
        complaints = surge or (rng.randint(1, 3) if busy else rng.randint(0, 1))
        for i in range(posts + surge):
            complaint = i < complaints
            rows.append({
                "source": "demo", "post_id": f"{h}-{i}", "brand": "pebble",
                "created_at": timeutil.naive_utc(hour + timedelta(minutes=i % 60)),
                "brand_day": (hour - timedelta(hours=4)).date(),
                "author_id": f"a{i}", "author_handle": f"user{i}",
                "author_followers": 100 + i, "text": "no signal again, network down"
                if complaint else "nice phone", "lang": "en", "url": None,
                "conversation_id": None, "in_reply_to_post_id": None,
                "in_reply_to_author_id": None, "repost_of": None, "is_brand_reply": False,
                "kind": "original", "duplicate_of": None, "text_fingerprint": f"{h}-{i}",
                "compound": -0.5 if complaint else 0.5, "pos": 0.0, "neu": 1.0, "neg": 0.0,
                "sentiment": "negative" if complaint else "positive",
                "is_complaint": complaint, "complaint_score": 0.9 if complaint else 0.1,
                "complaint_category": "network_outage" if complaint else None,
                "model_version": "test", "copy_candidate": True,
            })  # fmt: skip
    return pd.DataFrame(rows, columns=list(loads.POST_COLUMNS))


@pytest.fixture
def loaded(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Posts loaded; the hourly mart only up to the outage (:func:`advance` goes on)."""
    brands = write_brands(tmp_path / "brands.yaml", BRANDS)
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(brands))
    s = Settings.from_env()
    end = T0 + timedelta(days=DAYS)
    record = loads.LoadRecord("demo", "pebble", T0, end, "/l", 0, 0, 0, 0, "test")
    empty_q = pd.DataFrame(columns=["record_no", "post_id", "reason", "raw"])
    with connection.open_for_write(s.warehouse, s.sql) as con:
        loads.replace_interval(con, record, _posts(), empty_q)
    advance(s, OUTAGE)
    (s.reports / "pebble").mkdir(parents=True)
    (s.reports / "pebble" / "2026-10-24.html").write_text("<p>report</p>", encoding="utf-8")
    return s


def advance(s: Settings, until: datetime) -> None:
    """The hourly mart up to ``until`` (exclusive), as the hourly loads would leave it."""
    with connection.open_for_write(s.warehouse, s.sql) as con:
        row = con.execute("select max(hour) from brand_hourly").fetchone()
        first = T0 if row is None or row[0] is None else row[0].replace(tzinfo=UTC)
        hours = []
        while first < until:
            hours.append(first)
            first += timedelta(hours=1)
        marts.refresh_hourly(con, s.sql, "pebble", hours)


STAGES = (OPENED, ESCALATED, RECOVERED)


@contextmanager
def _smtp() -> Iterator[tuple[Inbox, dict[str, mailer.SmtpConfig]]]:
    """A real SMTP server; configurations that reach it (``up``, ``refuse``: it answers
    451 to every message) or a closed port (``down``)."""
    with smtp_server() as (inbox, port), pytest.MonkeyPatch.context() as mp:
        up = smtp_config(mp, port, "smtp_up")
        down = smtp_config(mp, free_port(), "smtp_down")
        yield inbox, {"up": up, "refuse": up, "down": down}


def _check(s: Settings, inbox: Inbox, smtp: mailer.SmtpConfig, mode: str) -> int:
    """One alert check with the SMTP server ``mode``, judging every stored hour since the
    day before the outage (as the hourly checks together would); the emails it delivered."""
    before = len(inbox.messages)
    inbox.fail_next = 10**6 if mode == "refuse" else 0
    con = connection.connect(s.warehouse, read_only=True)
    row = con.execute("select max(hour) from brand_hourly").fetchone()
    con.close()
    assert row is not None
    window = (OUTAGE - timedelta(days=1), row[0].replace(tzinfo=UTC) + timedelta(hours=1))
    try:
        alerting.evaluate(s, smtp, window=window)
    except DeliveryError:
        assert mode != "up"
    inbox.fail_next = 0
    return len(inbox.messages) - before


def _rows(s: Settings) -> list[tuple[Any, ...]]:
    con = connection.connect(s.warehouse, read_only=True)
    try:
        return con.execute(
            "select recipient, kind, severity, status, attempts, message_id, spike_ids"
            " from alerts order by recipient, kind"
        ).fetchall()
    finally:
        con.close()


def _assert_one_thread_each(s: Settings, inbox: Inbox, *, escalation: bool = True) -> None:
    """Per recipient: the opening, then replies to it, each kind once; the recovery sent
    or included in the last message; the ledger settled. Without ``escalation``, the
    warning's opening failed and the incident was critical by the retry: one opening at
    critical replaced it (the failed row ``superseded``) and no escalation followed."""
    rows = _rows(s)
    assert {r[3] for r in rows} <= {"sent", "included", "superseded"}, rows
    for recipient in RECIPIENTS:
        got = inbox.to(recipient)
        kinds = [m["X-Brandpulse-Kind"] for m in got]
        assert kinds[0] == "opened" and len(set(kinds)) == len(kinds), kinds
        assert ("escalated" in kinds) == escalation
        replaced = {(r[1], r[2]) for r in rows if r[0] == recipient and r[3] == "superseded"}
        assert replaced == (set() if escalation else {("opened", "warning")})
        mine = {r[1]: r for r in rows if r[0] == recipient and r[3] != "superseded"}
        assert set(mine) == {"opened", "recovered"} | ({"escalated"} if escalation else set())
        if not escalation:
            assert mine["opened"][2] == "critical" and "CRITICAL" in got[0]["Subject"]
        assert ("recovered" in kinds) == (mine["recovered"][3] == "sent")
        opening = got[0]
        assert opening["In-Reply-To"] is None and not opening["Subject"].startswith("Re:")
        for reply in got[1:]:
            assert reply["In-Reply-To"] == opening["Message-ID"]
            assert reply["References"] == opening["Message-ID"]
            assert reply["Subject"] == f"Re: {opening['Subject']}"
        last = got[-1].get_body(("plain",)).get_content()
        assert "ended" in last or "is over" in last
        # one incident: complaints and the share of negative posts in one thread
        assert "complaints" in mine["opened"][6] and "negative_share" in mine["opened"][6]
    assert sum(1 for r in rows if r[3] == "sent") == len(inbox.messages)


@pytest.mark.parametrize(
    "modes",
    [
        ("up", "up", "up"),
        ("down", "up", "up"),  # the opening failed; the next check opens at critical
        ("down", "down", "down"),  # failed while it opened, rose and ended (issue 19)
        ("refuse", "refuse", "up"),
        ("up", "down", "up"),  # the escalation failed, then it ended
        ("up", "up", "down"),  # the recovery note failed
        ("up", "refuse", "down"),
        ("down", "up", "refuse"),
    ],
)
def test_any_mix_of_failed_deliveries_resumes_in_one_run(
    loaded: Settings, modes: tuple[str, str, str]
) -> None:
    with _smtp() as (inbox, smtp):
        for stage, mode in zip(STAGES, modes, strict=True):
            advance(loaded, stage)
            _check(loaded, inbox, smtp[mode], mode)
        # the server is back: one run delivers everything still due, in order
        _check(loaded, inbox, smtp["up"], "up")
        assert _check(loaded, inbox, smtp["up"], "up") == 0  # and then nothing more
    # A failed warning is retried as the critical incident it has become, not as a warning
    # followed at once by an escalation.
    _assert_one_thread_each(loaded, inbox, escalation=modes[0] == "up")
    if modes == ("up", "up", "up"):
        assert [m["X-Brandpulse-Kind"] for m in inbox.to(RECIPIENTS[0])] == [
            "opened", "escalated", "recovered",
        ]  # fmt: skip


def test_smtp_down_for_several_runs_then_up(loaded: Settings) -> None:
    with _smtp() as (inbox, smtp):
        advance(loaded, OPENED)
        for _ in range(5):
            _check(loaded, inbox, smtp["down"], "down")
        attempts = {(r[0], r[1]): r[4] for r in _rows(loaded)}
        assert attempts == {(r, "opened"): 5 for r in RECIPIENTS}
        assert _check(loaded, inbox, smtp["up"], "up") == 2
        advance(loaded, RECOVERED)
        assert _check(loaded, inbox, smtp["up"], "up") == 2  # the escalation, saying it ended
    _assert_one_thread_each(loaded, inbox)
    assert [(r[1], r[3], r[4]) for r in _rows(loaded) if r[0] == RECIPIENTS[0]] == [
        ("escalated", "sent", 1), ("opened", "sent", 6), ("recovered", "included", 0),
    ]  # fmt: skip


@pytest.mark.parametrize("when", ["before the hand-off", "after the hand-off"])
def test_a_crash_between_claim_and_record_resends_once_with_the_same_message_id(
    loaded: Settings, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    real_deliver = ledger.channels.dispatch

    def killed(email: mailer.Email, *args: Any) -> Any:
        if "escalated" in email.key and email.to == RECIPIENTS[0]:
            if when == "after the hand-off":
                real_deliver(email, *args)
            raise SystemExit("killed")
        return real_deliver(email, *args)

    with _smtp() as (inbox, smtp):
        advance(loaded, OPENED)
        _check(loaded, inbox, smtp["up"], "up")
        advance(loaded, ESCALATED)
        monkeypatch.setattr(ledger.channels, "dispatch", killed)
        with pytest.raises(SystemExit):
            _check(loaded, inbox, smtp["up"], "up")
        monkeypatch.setattr(ledger.channels, "dispatch", real_deliver)
        assert ("escalated", "sending") in {(r[1], r[3]) for r in _rows(loaded)}
        advance(loaded, RECOVERED)
        _check(loaded, inbox, smtp["up"], "up")
        assert _check(loaded, inbox, smtp["up"], "up") == 0
    escalations = [m for m in inbox.to(RECIPIENTS[0]) if m["X-Brandpulse-Kind"] == "escalated"]
    assert len(escalations) == (2 if when == "after the hand-off" else 1)
    assert len({m["Message-ID"] for m in escalations}) == 1
    rows = {(r[0], r[1]): r for r in _rows(loaded)}
    assert rows[(RECIPIENTS[0], "escalated")][3:5] == ("sent", 2)
    assert rows[(RECIPIENTS[0], "recovered")][3] == "included"
    if when == "before the hand-off":
        _assert_one_thread_each(loaded, inbox)


def test_a_refused_opening_after_the_spike_ended_needs_one_retry(loaded: Settings) -> None:
    """Issue 19: the opening failed, the spike has since ended; each retry died on a
    duplicate key (kind 'recovered'). The retry is one opening per recipient, at the
    severity the incident reached, saying it has ended."""
    with _smtp() as (inbox, smtp):
        advance(loaded, OPENED)
        _check(loaded, inbox, smtp["refuse"], "refuse")
        advance(loaded, RECOVERED)
        assert _check(loaded, inbox, smtp["up"], "up") == 2
        assert _check(loaded, inbox, smtp["up"], "up") == 0
    _assert_one_thread_each(loaded, inbox, escalation=False)


def _worst(s: Settings, metric: str) -> tuple[datetime, float, float, float]:
    """(hour, observed, expected, total excess) of the flagged hours of ``metric``, from
    spike_hours: the worst hour is the largest observed minus expected."""
    con = connection.connect(s.warehouse, read_only=True)
    rows = con.execute(
        "select hour, observed, expected from spike_hours where metric = ? order by hour",
        [metric],
    ).fetchall()
    con.close()
    hour, obs, exp = max(rows, key=lambda r: r[1] - r[2])
    return hour.replace(tzinfo=UTC), obs, exp, sum(r[1] - r[2] for r in rows)


def test_the_thread_tells_the_worst_hour_the_total_and_the_state_in_local_time(
    loaded: Settings,
) -> None:
    tz = ZoneInfo("America/New_York")
    with _smtp() as (inbox, smtp):
        texts = []
        for stage in STAGES:
            advance(loaded, stage)
            _check(loaded, inbox, smtp["up"], "up")
            message = inbox.to(RECIPIENTS[0])[-1]
            texts.append((message["Subject"], message.get_body(("plain",)).get_content()))
            hour, obs, exp, total = _worst(loaded, "complaints")
            local = hour.astimezone(tz)
            subject, text = texts[-1]
            if stage == OPENED:  # the follow-ups keep the thread's subject ("Re: ...")
                assert f"{obs:.0f} complaints at {local:%H:%M} EDT" in subject
            assert f"Worst hour {local:%a %d %b %H:%M}-" in text
            assert f"{obs:.0f} complaints against {exp:.1f} expected" in text
            assert f"{total:,.0f} more complaints than expected" in text
            assert "https://reports.pebble.example/brandpulse/pebble/2026-10-24.html" in text
    (open_subject, opened), (_, escalated), (_, recovered) = texts
    assert open_subject.startswith("[brandpulse] WARNING: Pebble Mobile complaint spike")
    since = OUTAGE.astimezone(tz)
    assert f"since {since:%a %d %b %H:%M} EDT, still ongoing" in opened
    assert "is now critical" in escalated and "Share of negative posts:" in escalated
    assert "is over: no unusual hour since" in recovered
    for _, text in texts:
        assert "negative_share" not in text and "pebble:" not in text


def test_the_charts_carry_the_detector_s_baseline_and_band(loaded: Settings) -> None:
    from pipeline.notify.alerts.context import gather_context
    from pipeline.notify.alerts.incident import incidents_in_scope
    from pipeline.notify.alerts.options import AlertConfig
    from pipeline.steps.brands import load_brands

    advance(loaded, RECOVERED)
    alerting.evaluate(loaded, None, window=(OUTAGE - timedelta(days=1), RECOVERED), alerts=False)
    brand = load_brands(loaded.brands_file).get("pebble")
    with connection.open_for_write(loaded.warehouse, loaded.sql) as con:
        (incident,) = incidents_in_scope(con, "pebble", OUTAGE, RECOVERED, AlertConfig())
        ctx = gather_context(con, loaded, brand, incident, AlertConfig())
    assert [s.metric for s in ctx.series] == list(incident.metrics)
    complaints = ctx.series[0]
    assert complaints.hours[0] == OUTAGE - timedelta(days=2)
    judged = [
        (v, e, lo, hi)
        for v, e, lo, hi in zip(
            complaints.values, complaints.expected, complaints.low, complaints.high, strict=True
        )
        if e is not None and lo is not None and hi is not None
    ]
    assert len(judged) == len(complaints.hours)  # every hour has its baseline
    assert all(lo <= e <= hi for _, e, lo, hi in judged)
    worst_hour = _worst(loaded, "complaints")[0]
    at = complaints.hours.index(worst_hour)
    assert worst_hour in complaints.flagged
    assert complaints.values[at] is not None and complaints.high[at] is not None
    assert complaints.values[at] > complaints.high[at]  # the worst hour is out of the band
    quiet = complaints.hours.index(OUTAGE - timedelta(days=1))  # the same hour the day before
    assert complaints.flagged and complaints.hours[quiet] not in complaints.flagged
