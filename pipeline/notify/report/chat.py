"""The daily report as a chat or webhook post, from the figures its email is rendered from.

The digest is built from :func:`~pipeline.notify.report.render.report_view` (the formatted
figures the HTML and the plain text show), never read back from the email's text, so a
change of the email's wording or layout cannot change or break what chat shows:

- the **title**: the email's subject;
- the **headline**: why the report is short, if it is, then the complaints still unanswered
  past the reply target (what a care lead acts on first);
- the **facts**: the day against a usual day (each measure of the headline table), then
  how fast the brand answered;
- the **sections**: the most urgent unanswered complaints, the categories and the spikes,
  at most :data:`~pipeline.notify.channels.digest.MAX_SECTION_LINES` lines each;
- the **link**: the archived report under the brand's ``report_base_url``, when it has one.

Every text is cleaned already (:func:`pipeline.notify.text.display_text`); each channel
escapes it for its own markup.
"""

from __future__ import annotations

from pipeline.notify.channels.digest import LINE_LIMIT, MAX_FACTS, MAX_SECTION_LINES
from pipeline.notify.mailer import Digest
from pipeline.notify.report import words
from pipeline.notify.report.data import ReportData
from pipeline.notify.report.render import ComplaintLine, ReportView, report_view, subject
from pipeline.notify.text import display_text

#: Section titles of the report's chat post.
URGENT, CATEGORIES, SPIKES = "Most urgent unanswered", "What people complained about", "Spikes"
#: Of the response lines (Complaints, Answered, Answered within the target, median,
#: slowest tenth): the three a chat post has room for (the count is a headline fact already).
_RESPONSE_FACTS = slice(1, 4)


def _line(text: str) -> str:
    return display_text(text, LINE_LIMIT)


def _complaint(c: ComplaintLine) -> str:
    return _line(f"@{c.handle} ({c.followers}, {c.category}), {c.wait}: {c.text}")


def _facts(view: ReportView) -> tuple[tuple[str, str], ...]:
    if not view.loaded:
        return ()
    facts = [
        (
            m.label,
            f"{m.value} (usual day {m.baseline}"
            + ("" if m.change == words.DASH else f", {m.change}")
            + ")",
        )
        for m in view.metrics
    ]
    facts += list(view.responses[_RESPONSE_FACTS])
    return tuple(facts[:MAX_FACTS])


def _sections(view: ReportView) -> tuple[tuple[str, tuple[str, ...]], ...]:
    found = [
        (URGENT, tuple(_complaint(c) for c in view.overdue[:MAX_SECTION_LINES])),
        (
            CATEGORIES,
            tuple(_line(f"{c.label}: {c.complaints}") for c in view.categories[:MAX_SECTION_LINES]),
        ),
        (
            SPIKES,
            tuple(
                _line(f"{s.metric} ({s.severity}), {s.when}: {s.peak}")
                for s in view.spikes[:MAX_SECTION_LINES]
            ),
        ),
    ]
    return tuple((title, lines) for title, lines in found if lines)


def report_digest(data: ReportData, key: str, base_url: str | None = None) -> Digest:
    """The chat post of the report ``data`` (email key ``key``); ``base_url``: where the
    archived reports are served (``<base_url>/<brand>/<day>.html``), or None."""
    view = report_view(data)
    headline = " ".join(p for p in (view.note, f"{view.overdue_heading}.") if p)
    w = data.window
    return Digest(
        key=key,
        title=_line(subject(data)),
        headline=display_text(headline, LINE_LIMIT * 2),
        facts=_facts(view),
        sections=_sections(view),
        link=f"{base_url}/{w.brand_id}/{w.day.isoformat()}.html" if base_url else None,
    )
