"""The daily complaint report: render it, send it to each recipient once, archive it.

Entry points (the CLI's ``brandpulse report`` and the ``brandpulse_report`` DAG call these):

- :func:`render_report` reads one brand's figures for one local day from the warehouse
  (:mod:`pipeline.notify.report.data`), draws the charts and renders HTML, text and CSV
  (:mod:`pipeline.notify.report.render`);
- :func:`send_reports` renders, archives the HTML under ``<reports>/<brand>/<day>.html``
  and delivers it to every ``report.recipients`` entry: an address over SMTP or into the
  outbox, a chat or webhook recipient as a summary (:mod:`pipeline.notify.channels`);
- :func:`due_reports` names the reports whose local send time falls in a run's interval.

Delivery is exactly-once per (brand, day, recipient) as far as email allows: the
``report_deliveries`` ledger row is claimed ('sending') and committed before the message is
handed over and marked 'sent' after, so a rerun skips what was sent (unless ``resend``), and
a row a crash left 'sending' is resent with the same Message-ID (``Email.key`` is
``report:<brand>:<day>``), which mail clients show once.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from pipeline.config.loading import read_brands
from pipeline.config.model import BrandConfig
from pipeline.errors import DeliveryError
from pipeline.notify import charts
from pipeline.notify.alerts.options import AlertConfig
from pipeline.notify.channels import channel_for, dispatch
from pipeline.notify.mailer import (
    Attachment,
    Digest,
    Email,
    InlineImage,
    SmtpConfig,
)
from pipeline.notify.report.chat import report_digest
from pipeline.notify.report.data import (
    REPORT_CHART_DAYS,
    ReportData,
    ReportWindow,
    gather,
)
from pipeline.notify.report.options import report_options
from pipeline.notify.report.render import (
    Chart,
    category_label,
    render_csv,
    render_html,
    render_text,
    subject,
)
from pipeline.settings import Settings
from pipeline.timeutil import check_interval
from pipeline.warehouse import connection
from pipeline.warehouse.responses import refresh_complaint_responses
from pipeline.warehouse.sqlfiles import read_sql

log = logging.getLogger(__name__)

__all__ = [
    "DueReport",
    "Report",
    "ReportDelivery",
    "archive",
    "due_reports",
    "render_report",
    "send_due",
    "send_reports",
]


def report_key(brand_id: str, day: date) -> str:
    """A report email's stable key (``report:<brand>:<day>``)."""
    return f"report:{brand_id}:{day.isoformat()}"


@dataclass(frozen=True)
class Report:
    """One brand's rendered report for one local day."""

    brand_id: str
    day: date
    subject: str
    html: str  # the email's HTML: images by cid
    text: str
    csv: bytes
    images: tuple[InlineImage, ...]
    archive_html: str  # the same HTML with the images embedded (a file that stands alone)
    data: ReportData
    chat: Digest  # what chat and webhook recipients get, from the same data

    @property
    def key(self) -> str:
        """The email's stable key: a resend carries the same Message-ID."""
        return report_key(self.brand_id, self.day)

    @property
    def csv_filename(self) -> str:
        return f"brandpulse-{self.brand_id}-{self.day.isoformat()}-complaints.csv"

    def email(self, recipient: str) -> Email:
        attachments = (
            (Attachment(self.csv_filename, "text/csv", self.csv),) if self.data.complaints else ()
        )
        return Email(
            key=self.key,
            to=recipient,
            subject=self.subject,
            text=self.text,
            html=self.html,
            images=self.images,
            attachments=attachments,
            chat=self.chat,
        )


def _charts(data: ReportData) -> list[tuple[Chart, bytes]]:
    """The report's PNG charts (only those with something to show)."""
    w = data.window
    stamp = f"{w.brand_id}.{w.day:%Y%m%d}@brandpulse"
    out: list[tuple[Chart, bytes]] = []
    if data.days:
        times = [datetime.combine(p.day, time()) for p in data.days]
        spike_days = set(data.spike_days)
        png = charts.time_series(
            times,
            [p.complaints for p in data.days],
            title=f"Complaints per day, last {REPORT_CHART_DAYS} days (red: spike)",
            ylabel="complaints",
            marked=[t for t, p in zip(times, data.days, strict=True) if p.day in spike_days],
            second=[
                None if p.negative_share is None else 100 * p.negative_share for p in data.days
            ],
            second_label="share of negative posts (%)",
            bars=True,
        )
        out.append(
            (
                Chart("daily", f"daily.{stamp}", "Complaints and share of negative posts per day"),
                png,
            )
        )
    if data.categories:
        png = charts.bars(
            [category_label(c.category) for c in data.categories],
            [c.complaints for c in data.categories],
            title="Yesterday's complaints by category",
            ylabel="complaints",
        )
        out.append((Chart("categories", f"categories.{stamp}", "Complaints by category"), png))
    if any(p.complaints for p in data.hours):
        png = charts.time_series(
            [p.local_hour for p in data.hours],
            [p.complaints for p in data.hours],
            title=f"Yesterday's complaints by hour ({w.timezone})",
            ylabel="complaints",
            bars=True,
        )
        out.append((Chart("hourly", f"hourly.{stamp}", "Complaints by hour"), png))
    return out


def _brand(settings: Settings, brand_id: str) -> BrandConfig:
    return read_brands(settings.brands_file).get(brand_id)


def render_report(settings: Settings, brand_id: str, day: date, *, refresh: bool = True) -> Report:
    """Render ``brand_id``'s report for its local calendar ``day``.

    With ``refresh`` (the default), ``complaint_responses`` is first re-derived for the
    complaints the report looks at (the backlog window up to the report's moment), so
    replies loaded since the last aggregate count; that needs the warehouse's write lock
    for a moment. Without it, the warehouse is only read.
    """
    brand = _brand(settings, brand_id)
    options = report_options(brand, settings.brands_file.name)
    window = ReportWindow.of(brand, day, options)
    if refresh:
        with connection.open_for_write(settings.warehouse, settings.sql) as con:
            refresh_complaint_responses(
                con, settings.sql, brand.id, window.backlog_start, window.as_of
            )
            data = gather(con, settings.sql, brand, day, options)
    else:
        con = connection.connect(settings.warehouse, read_only=True)
        try:
            data = gather(con, settings.sql, brand, day, options)
        finally:
            con.close()
    drawn = _charts(data)
    chart_list = [c for c, _ in drawn]
    images = tuple(InlineImage(c.cid, png, f"{c.name}.png") for c, png in drawn)
    embedded = {c.cid: base64.b64encode(png).decode("ascii") for c, png in drawn}
    where = f"{settings.brands_file.name}: brand '{brand.id}' overrides.alerts"
    base_url = AlertConfig.from_overrides(brand.overrides.get("alerts"), where).report_base_url
    return Report(
        brand_id=brand.id,
        day=day,
        subject=subject(data),
        html=render_html(data, chart_list),
        text=render_text(data),
        csv=render_csv(data),
        images=images,
        archive_html=render_html(
            data, chart_list, lambda cid: f"data:image/png;base64,{embedded[cid]}"
        ),
        data=data,
        chat=report_digest(data, report_key(brand.id, day), base_url),
    )


def archive(settings: Settings, report: Report) -> Path:
    """Write the report's stand-alone HTML to ``<reports>/<brand>/<day>.html`` atomically."""
    folder = settings.reports / report.brand_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{report.day.isoformat()}.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(report.archive_html, encoding="utf-8")
    os.replace(tmp, target)
    return target


@dataclass(frozen=True)
class ReportDelivery:
    """What happened to one report for one recipient."""

    brand: str
    day: date
    recipient: str
    status: str  # sent | skipped (sent before) | failed
    channel: str  # smtp | outbox | slack | teams | webhook
    where: str  # SMTP host:port, the .eml path, the Connection id, or the error
    message_id: str

    def to_dict(self) -> dict[str, str]:
        return {
            "brand": self.brand,
            "day": self.day.isoformat(),
            "recipient": self.recipient,
            "status": self.status,
            "channel": self.channel,
            "where": self.where,
            "message_id": self.message_id,
        }


def _now() -> datetime:
    """Wall-clock time for the ledger's audit stamps only (never for what is reported)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _claim(
    settings: Settings,
    email: Email,
    brand: str,
    day: date,
    channel: str,
    *,
    resend: bool,
) -> bool:
    """Claim the delivery in the ledger (committed); False when it was sent already."""
    key = [brand, day, email.to]
    with (
        connection.open_for_write(settings.warehouse, settings.sql) as con,
        connection.transaction(con),
    ):
        row = con.execute(
            "select status, attempts from report_deliveries"
            " where brand = ? and day = ? and recipient = ?",
            key,
        ).fetchone()
        if row is not None and row[0] == "sent" and not resend:
            return False
        if row is not None and row[0] == "sending":
            log.warning(
                "report %s to %s was claimed by an attempt that did not finish (a crash?):"
                " sending again with the same Message-ID %s (attempt %d)",
                email.key, email.to, email.message_id, int(row[1]) + 1,
            )  # fmt: skip
        attempts = (int(row[1]) if row else 0) + 1
        con.execute(
            "delete from report_deliveries where brand = ? and day = ? and recipient = ?", key
        )
        con.execute(
            read_sql(settings.sql, "queries/report/claim_delivery"),
            [*key, channel, attempts, email.message_id, _now()],
        )
    return True


def _settle(
    settings: Settings, brand: str, day: date, recipient: str, *, error: str | None
) -> None:
    """Mark a claimed delivery 'sent' (with its time) or 'failed' (with the error)."""
    with connection.open_for_write(settings.warehouse, settings.sql) as con:
        con.execute(
            "update report_deliveries set status = ?, sent_at = ?, error = ?"
            " where brand = ? and day = ? and recipient = ?",
            [
                "failed" if error else "sent",
                None if error else _now(),
                error,
                brand,
                day,
                recipient,
            ],
        )


def yesterday(brand: BrandConfig) -> date:
    """The brand's last complete local day, by the wall clock (the CLI's default only)."""
    return datetime.now(brand.tz).date() - timedelta(days=1)


def send_reports(
    settings: Settings,
    day: date | None,
    brand_ids: Sequence[str] | None,
    smtp: SmtpConfig | None,
    *,
    resend: bool = False,
) -> list[ReportDelivery]:
    """Render, archive and deliver the reports of ``day`` for the brands named (all if none).

    ``day`` is a calendar day in each brand's time zone; None means each brand's
    yesterday by the wall clock (for the command line; the DAG always names the day).
    Recipients that already got the report are skipped unless ``resend``. Every recipient
    is tried; when any delivery failed, :class:`DeliveryError` is raised at the end (a
    rerun retries only those).
    """
    brands = read_brands(settings.brands_file).select(tuple(brand_ids or ()))
    for brand in brands:  # a bad SLA fails before anything is sent
        report_options(brand, settings.brands_file.name)
    results: list[ReportDelivery] = []
    for brand in brands:
        report_day = day or yesterday(brand)
        report = render_report(settings, brand.id, report_day)
        path = archive(settings, report)
        log.info("report %s archived at %s", report.key, path)
        if not brand.report_recipients:
            log.warning("brand %s has no report.recipients: report archived only", brand.id)
        for recipient in brand.report_recipients:
            email = report.email(recipient)
            channel = channel_for(recipient, smtp)
            if not _claim(settings, email, brand.id, report_day, channel, resend=resend):
                log.info("report %s already sent to %s: skipped", report.key, recipient)
                results.append(
                    ReportDelivery(
                        brand.id,
                        report_day,
                        recipient,
                        "skipped",
                        channel,
                        "sent before",
                        email.message_id,
                    )
                )
                continue
            try:
                delivery = dispatch(email, smtp, settings.outbox)
            except DeliveryError as exc:
                _settle(settings, brand.id, report_day, recipient, error=str(exc))
                log.error("report %s to %s failed: %s", report.key, recipient, exc)
                results.append(
                    ReportDelivery(
                        brand.id,
                        report_day,
                        recipient,
                        "failed",
                        channel,
                        str(exc),
                        email.message_id,
                    )
                )
                continue
            _settle(settings, brand.id, report_day, recipient, error=None)
            results.append(
                ReportDelivery(
                    brand.id,
                    report_day,
                    recipient,
                    "sent",
                    delivery.channel,
                    delivery.where,
                    email.message_id,
                )
            )
    failed = [r for r in results if r.status == "failed"]
    if failed:
        names = ", ".join(f"{r.brand}/{r.day} to {r.recipient}" for r in failed)
        raise DeliveryError(
            f"{len(failed)} report email(s) not delivered ({names}); the others were. "
            "Rerun to retry them: recipients already served are skipped."
        )
    return results


@dataclass(frozen=True)
class DueReport:
    """A report due in a run's interval: the brand and the local day it covers."""

    brand: str
    day: date

    def to_dict(self) -> dict[str, str]:
        return {"brand": self.brand, "day": self.day.isoformat()}


#: Days back a report whose delivery did not finish (failed, or cut short by a crash) is
#: due again in every later run, until it is delivered: an SMTP outage longer than the
#: task's retries delays a report, it does not lose it. Older ones are stale; ``brandpulse
#: report --date DAY --brand BRAND`` still sends them by hand.
RETRY_DAYS = 7


def unfinished_reports(
    settings: Settings, end: datetime, brand_ids: Sequence[str] | None = None
) -> list[DueReport]:
    """The reports due in the ``RETRY_DAYS`` days before ``end`` (a report of day D is due
    on D + 1) that some recipient has not been sent yet: a ``report_deliveries`` row left
    ``failed`` or ``sending``."""
    if not settings.warehouse.exists():
        return []
    brands = {b.id for b in read_brands(settings.brands_file).select(tuple(brand_ids or ()))}
    last = end.astimezone(UTC).date() + timedelta(days=1)
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        has_ledger = con.execute(
            "select count(*) from duckdb_tables() where table_name = 'report_deliveries'"
        ).fetchone()
        if not has_ledger or not has_ledger[0]:
            return []
        rows = con.execute(
            "select distinct brand, day from report_deliveries"
            " where status <> 'sent' and day >= ? and day < ?",
            [last - timedelta(days=RETRY_DAYS + 2), last],
        ).fetchall()
    finally:
        con.close()
    return [DueReport(b, d) for b, d in rows if b in brands]


def due_reports(
    settings: Settings, start: datetime, end: datetime, brand_ids: Sequence[str] | None = None
) -> list[DueReport]:
    """The reports whose moment (a local day's ``report.local_time``) is in ``(start, end]``,
    and those of earlier days whose delivery did not finish (:func:`unfinished_reports`).

    An hourly run covering ``[11:00, 12:00)`` runs at 12:00 and sends what is due at 12:00;
    consecutive intervals tile time, so every brand's report of every day is due in exactly
    one run, and again in later runs only while a recipient has not got it. The report
    covers the local day before its moment ("yesterday").
    """
    start, end = check_interval(start, end)
    due = unfinished_reports(settings, end, brand_ids)
    for brand in read_brands(settings.brands_file).select(tuple(brand_ids or ())):
        tz = brand.tz
        hh, mm = (int(p) for p in brand.report_local_time.split(":"))
        first = start.astimezone(tz).date() - timedelta(days=1)
        last = end.astimezone(tz).date() + timedelta(days=1)
        local = first
        while local <= last:
            moment = datetime.combine(local, time(hh, mm), tz).astimezone(UTC)
            if start < moment <= end:
                due.append(DueReport(brand.id, local - timedelta(days=1)))
            local += timedelta(days=1)
    return sorted(set(due), key=lambda d: (d.day, d.brand))


def send_due(
    settings: Settings, due: Sequence[DueReport], smtp: SmtpConfig | None
) -> list[ReportDelivery]:
    """Send every due report (grouped by day); failures are raised after all were tried."""
    results: list[ReportDelivery] = []
    errors: list[str] = []
    for day in sorted({d.day for d in due}):
        brands = sorted(d.brand for d in due if d.day == day)
        try:
            results += send_reports(settings, day, brands, smtp)
        except DeliveryError as exc:
            errors.append(str(exc))
    if errors:
        raise DeliveryError(" ".join(errors))
    return results
