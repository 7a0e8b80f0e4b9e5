"""The report and alert emails hold their layout on a phone (375 px) and a desktop (1,200 px).

The emails are the real ones: eight days of the demo source for Pebble, around its outage,
loaded into a DuckDB warehouse under tmp_path, with a few hostile complaints added (a
280-character word, a long link, a long handle, a follower count in the hundreds of millions);
the alert check and the daily report then write their emails to the outbox. Each email's HTML
part, its ``cid:`` images swapped for ``data:`` URIs, is opened in headless Chromium at both
widths and measured (:mod:`tests.layout.checks`); a full-page screenshot of each is kept in
the artifacts folder (``test-artifacts/layout/``).
"""

from __future__ import annotations

import base64
import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from pipeline import timeutil
from pipeline.notify.report.sending import send_reports
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.steps import aggregation, alerting, planning, runner
from pipeline.warehouse import connection, loads
from tests.layout.browser import Browser
from tests.layout.checks import OVERFLOW_SCRIPT

NEW_YORK = ZoneInfo("America/New_York")
DAY = date(2026, 10, 22)  # the demo's Pebble outage day (New York)
EMPTY_DAY = date(2026, 11, 20)  # a day nothing was loaded for
#: A phone (an iPhone's 375 CSS pixels) and a desktop mail client's reading pane.
WIDTHS = (375, 1200)
LONG_WORD = "Unacceptable" * 23 + "!!!!"  # 280 characters without a space
LONG_URL = "https://social.example/" + "very-long-path-segment/" * 12 + "status/1?ref=" + "x" * 80
LONG_HANDLE = "an_extremely_long_handle_" * 3


@dataclass(frozen=True)
class Rendered:
    name: str  # report | alert-<n>
    html_file: Path


def _post(post_id: str, moment: datetime, **kw: Any) -> dict[str, Any]:
    """A complaint row of ``posts`` for Pebble (columns as loads.POST_COLUMNS)."""
    row: dict[str, Any] = {
        "source": "demo", "post_id": post_id, "brand": "pebble",
        "created_at": timeutil.naive_utc(moment),
        "brand_day": moment.astimezone(NEW_YORK).date(),
        "author_id": f"u-{post_id}", "author_handle": f"user_{post_id}",
        "author_followers": 10, "text": "no signal", "lang": "en",
        "url": f"https://social.example/s/{post_id}", "conversation_id": post_id,
        "in_reply_to_post_id": None, "in_reply_to_author_id": None, "repost_of": None,
        "is_brand_reply": False, "kind": "original", "duplicate_of": None,
        "text_fingerprint": post_id, "compound": -0.6, "pos": 0.0, "neu": 0.4, "neg": 0.6,
        "sentiment": "negative", "is_complaint": True, "complaint_score": 0.95,
        "complaint_category": "outage", "model_version": "test", "copy_candidate": True,
    }  # fmt: skip
    row.update(kw)
    return row


def _hostile_complaints() -> list[dict[str, Any]]:
    outage = datetime(2026, 10, 22, 18, 30, tzinfo=UTC)  # 14:30 in New York
    earlier = datetime(2026, 10, 19, 15, tzinfo=UTC)  # unanswered for days by the report
    return [
        _post("h1", outage, author_followers=987_654_321, text=LONG_WORD, url=LONG_URL,
              author_handle=LONG_HANDLE),
        _post("h2", outage + timedelta(minutes=5), author_followers=55_000_000,
              text="<b>not bold</b> " + "x" * 60 + " " + LONG_URL, url=LONG_URL,
              complaint_category="a_category_name_that_goes_on_and_on_forever"),
        _post("h3", earlier, author_followers=123_456_789, text=LONG_WORD, url=LONG_URL,
              author_handle=LONG_HANDLE),
    ]  # fmt: skip


def _html_with_images(message: EmailMessage) -> str:
    """The HTML part with every ``cid:`` image replaced by a ``data:`` URI."""
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    html = str(html_part.get_content())
    for part in message.walk():
        cid = part.get("Content-ID")
        if cid and part.get_content_type().startswith("image/"):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            data = base64.b64encode(payload).decode("ascii")
            html = html.replace(
                f"cid:{cid.strip('<>')}", f"data:{part.get_content_type()};base64,{data}"
            )
    assert "cid:" not in html
    return html


@pytest.fixture(scope="module")
def emails(tmp_path_factory: pytest.TempPathFactory) -> list[Rendered]:
    home = tmp_path_factory.mktemp("layout") / "var"
    settings = Settings.from_env(
        {"BRANDPULSE_HOME": str(home), "BRANDPULSE_BRANDS": str(PROJECT_ROOT / "brands.yaml")}
    )
    start, end = datetime(2026, 10, 15, tzinfo=UTC), datetime(2026, 10, 24, tzinfo=UTC)
    items = planning.plan(start, end, ["pebble"], local_days=True, settings=settings)
    runner.run(items, settings=settings)
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        frame = pd.DataFrame(_hostile_complaints(), columns=list(loads.POST_COLUMNS))
        con.register("incoming", frame)
        con.execute("insert into posts by name select * from incoming")
        con.unregister("incoming")
    aggregation.aggregate(start, end, ["pebble"], settings)
    alerting.evaluate(settings, None, ["pebble"], window=(start, end))
    send_reports(settings, DAY, ["pebble"], None)
    send_reports(settings, EMPTY_DAY, ["pebble"], None)  # the short report of a day without data
    out: list[Rendered] = []
    folder = home / "html"
    folder.mkdir()
    alerts = 0
    for eml in sorted(settings.outbox.glob("*.eml")):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if "no data loaded" in str(message["Subject"]):
            name = "report-empty"
        elif "complaint report" in str(message["Subject"]):
            name = "report"
        else:
            alerts += 1
            name = f"alert-{alerts}"
        target = folder / f"{name}.html"
        target.write_text(_html_with_images(message), encoding="utf-8")
        out.append(Rendered(name, target))
    assert sorted(r.name for r in out if r.name.startswith("report")) == [
        "report",
        "report-empty",
    ]
    assert alerts >= 1, "the demo's outage raises at least one alert"
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_every_email_fits_the_screen_without_sideways_scrolling(
    browser: Browser, artifacts: Path, emails: list[Rendered], width: int
) -> None:
    problems = {}
    for rendered in emails:
        browser.load(rendered.html_file, width)
        found = browser.evaluate(OVERFLOW_SCRIPT)
        browser.screenshot(artifacts / f"{rendered.name}-{width}.png")
        if found:
            problems[rendered.name] = found[:10]
    assert not problems, problems


def test_the_hostile_posts_are_in_what_was_measured(emails: list[Rendered]) -> None:
    """The layout test means something only if the long words and links are on the page."""
    report = next(r for r in emails if r.name == "report").html_file.read_text()
    assert LONG_WORD[:200] in report and "987,654,321" in report
    assert "&lt;b&gt;not bold&lt;/b&gt;" in report and "<b>not bold" not in report
    alerts = [r.html_file.read_text() for r in emails if r.name.startswith("alert")]
    assert any(LONG_WORD[:200] in a and "&lt;b&gt;not bold&lt;/b&gt;" in a for a in alerts)
    assert not any("<b>not bold" in a for a in alerts)


def test_the_checks_catch_what_overflows(browser: Browser, tmp_path: Path) -> None:
    """The measurement itself: each kind of breakage is reported, a good page is not."""
    pages = {
        "wide": '<table width="640"><tr><td>a</td></tr></table>',
        "broken": '<div style="width:20px;overflow-wrap:anywhere">negative_share</div>',
        "clipped": '<div style="width:50px;overflow:hidden;white-space:nowrap">123456789012</div>',
        "good": '<p style="max-width:640px">A plain paragraph that wraps between words.</p>',
    }
    found = {}
    for name, body in pages.items():
        page = tmp_path / f"{name}.html"
        page.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", encoding="utf-8")
        browser.load(page, 375)
        found[name] = browser.evaluate(OVERFLOW_SCRIPT)
    assert any("in a 375px viewport" in p for p in found["wide"]), found["wide"]
    assert any("broken across" in p for p in found["broken"]), found["broken"]
    assert any("clips its content" in p for p in found["clipped"]), found["clipped"]
    assert found["good"] == []
