"""End to end: a real `airflow dags test brandpulse_report` run mails the report to a real
SMTP server (aiosmtpd on 127.0.0.1), given as the smtp_default Connection, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from pipeline.cli import airflow_runner
from pipeline.settings import Settings
from pipeline.steps import planning, runner
from pipeline.warehouse import connection
from tests.fakes.smtp import Inbox, smtp_server, smtp_uri

pytestmark = pytest.mark.airflow

DAY = date(2026, 10, 22)  # the demo's Pebble outage day
#: Pebble's report is due at 08:00 New York time on the 23rd (12:00 UTC, EDT): the hourly
#: run whose interval ends then sends it.
RUN = datetime(2026, 10, 23, 12, tzinfo=UTC)
RECIPIENT = "care-lead@pebble.example"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1, given to Airflow as the smtp_default Connection."""
    with smtp_server() as (inbox, port):
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_uri(port))
        yield inbox


def test_the_report_dag_mails_the_report_once_over_smtp(
    e2e_settings: Settings, smtp: Inbox
) -> None:
    items = planning.plan(
        datetime(2026, 10, 21, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC), ["pebble"],
        local_days=True, settings=e2e_settings,
    )  # fmt: skip
    runner.run(items, settings=e2e_settings)

    airflow_runner.dags_test("brandpulse_report", e2e_settings, logical_date=RUN)

    assert [r.recipients for r in smtp.messages] == [[RECIPIENT]]
    msg = smtp.messages[0].message
    con = connection.connect(e2e_settings.warehouse, read_only=True)
    try:
        complaints, posts = con.execute(
            "select complaints, posts from brand_daily where brand = 'pebble' and day = ?", [DAY]
        ).fetchone() or (None, None)
        answered = con.execute(
            "select count(*) from complaint_responses where brand = 'pebble' and brand_day = ?"
            " and answered",
            [DAY],
        ).fetchone()
        ledger = con.execute(
            "select recipient, channel, status, attempts, message_id from report_deliveries"
        ).fetchall()
    finally:
        con.close()
    assert complaints and answered and answered[0] > 0  # the demo's replies were found
    assert msg["Subject"].startswith(f"Pebble Mobile complaint report {DAY}: {complaints:,} ")
    assert msg["From"] == "brandpulse@alerts.example"
    assert ledger == [(RECIPIENT, "smtp", "sent", 1, msg["Message-ID"])]

    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    text_body, html_body = text.get_content(), html.get_content()
    for figure in (f"{posts:,}", f"{complaints:,}"):
        assert figure in text_body and figure in html_body
    assert "<script" not in html_body.lower()
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) >= 2
    for image in images:
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html_body
    (attachment,) = [p for p in msg.iter_attachments() if p.get_filename()]
    assert attachment.get_filename() == f"brandpulse-pebble-{DAY}-complaints.csv"
    rows = attachment.get_content()
    rows = rows.decode("utf-8-sig") if isinstance(rows, bytes) else rows.lstrip("\ufeff")
    assert len(rows.strip().splitlines()) == complaints + 1
    archived = e2e_settings.reports / "pebble" / f"{DAY}.html"
    assert "data:image/png;base64," in archived.read_text(encoding="utf-8")

    # A rerun of the same hour sends nothing again.
    airflow_runner.dags_test("brandpulse_report", e2e_settings, logical_date=RUN)
    assert len(smtp.messages) == 1
