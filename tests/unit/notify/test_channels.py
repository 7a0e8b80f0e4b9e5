"""What each channel is sent, built from a real rendered alert with hostile posts: Slack
Block Kit with mrkdwn escaped, a Teams Adaptive Card with markup escaped, the webhook
schema and its signature; and the scrubbing of secrets out of delivery errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace

import pytest

from pipeline.errors import DeliveryError
from pipeline.notify.alerts.chat import alert_digest
from pipeline.notify.channels import channel_for
from pipeline.notify.channels.digest import digest, slack_escape, teams_escape
from pipeline.notify.channels.scrub import MASK, Scrubber
from pipeline.notify.channels.slack import payload as slack_payload
from pipeline.notify.channels.teams import ADAPTIVE_CARD
from pipeline.notify.channels.teams import payload as teams_payload
from pipeline.notify.channels.webhook import SCHEMA, signature
from pipeline.notify.channels.webhook import payload as webhook_payload
from pipeline.notify.mailer import Email, SmtpConfig
from pipeline.notify.operators import TaskFailure, failure_email
from tests.unit.notify.test_templating import (  # noqa: F401 (no_charts: the fixture)
    BIDI,
    T,
    hostile_alert_message,
    no_charts,
)

LINK_TRICK = "[click here](https://evil.example) <https://evil.example|your bill> <!channel>"


def alert_email(report_link: str | None = "https://bp.example/r/acme") -> Email:
    """A real rendered alert with hostile posts (and one of :data:`LINK_TRICK`) as its
    sender builds it: the email, and its chat post from the alert's body."""
    message = hostile_alert_message(report_link=report_link, posts=(("x", 1, LINK_TRICK, None, T),))
    key = "alert:acme:complaints:opened:critical"
    return Email(
        key=key, to="slack:care", subject=message.subject, text=message.text,
        html=message.html, chat=alert_digest(message, key),
    )  # fmt: skip


def test_the_digest_takes_headline_facts_sections_and_the_report_link() -> None:
    d = digest(alert_email())
    assert d.title.startswith("[brandpulse] CRITICAL: Acme") and d.event == "alert"
    assert "expected" in d.headline and "\u202e" not in d.headline
    labels = [label for label, _ in d.facts]
    assert labels == [
        "Severity", "Since", "Status", "Complaints per hour", "Words people use more than usual"
    ]  # fmt: skip
    assert d.link == "https://bp.example/r/acme"
    sections = dict(d.sections)
    assert list(sections) == ["Complaint categories (share the week before)", "Most-followed posts"]
    assert len(sections["Most-followed posts"]) == 3
    assert sections["Most-followed posts"][2] == f"@x (1 followers): {LINK_TRICK}"
    assert all(not BIDI.search(line) for _, lines in d.sections for line in lines)


def test_the_alerts_chat_post_is_built_from_its_body_not_its_email_text() -> None:
    email = alert_email()
    reworded = replace(email, text="Alarme.\n\nGravité: haute\n\nListe:\n  rien")
    assert digest(reworded) == digest(email) == email.chat


def test_a_post_link_in_chat_is_only_an_https_link_the_email_would_link() -> None:
    lines = dict(digest(alert_email()).sections)["Most-followed posts"]
    assert lines[1] == "@b (1 followers): b"  # its javascript: URL is not shown
    assert all("javascript" not in line for line in lines)


def test_a_post_link_is_never_the_message_link() -> None:
    # Without a report link, the https post links are not taken for it.
    assert digest(alert_email(None)).link is None


def test_a_message_without_a_chat_post_is_a_delivery_error() -> None:
    email = replace(alert_email(), chat=None)
    with pytest.raises(DeliveryError, match="no chat post was built for it"):
        digest(email)


def test_an_operators_notice_goes_to_chat_from_the_notice() -> None:
    failure = TaskFailure(
        dag_id="brandpulse_ingest", task_id="load", run_id="r1", try_number=2,
        error=f"boom: {LINK_TRICK}\n\nSeverity: none",
    )  # fmt: skip
    d = digest(failure_email(failure, "slack:ops"))
    assert d.event == "failure" and d.title == "[brandpulse] FAILED: brandpulse_ingest.load"
    assert [label for label, _ in d.facts] == ["DAG", "Task", "Run", "Try", "Logical date", "Error"]
    assert dict(d.facts)["Error"] == f"boom: {LINK_TRICK} Severity: none"
    [(title, (advice,))] = d.sections
    assert title == "What to do" and advice.startswith("The task's log in the Airflow UI")
    dumped = json.dumps(slack_payload(d))
    assert "<!channel>" not in dumped and "&lt;!channel&gt;" in dumped


def test_slack_gets_block_kit_with_every_text_escaped() -> None:
    body = slack_payload(digest(alert_email()))
    assert isinstance(body["text"], str) and body["unfurl_links"] is False
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds[0] == "header" and "section" in kinds and kinds[-1] == "actions"
    assert body["blocks"][-1]["elements"][0]["url"] == "https://bp.example/r/acme"
    # The header is plain_text, shown as typed (the brand's name there is the operator's);
    # everything else is mrkdwn, escaped.
    assert body["blocks"][0]["text"]["type"] == "plain_text"
    dumped = json.dumps({**body, "blocks": body["blocks"][1:]})
    assert "<script" not in dumped and "&lt;script&gt;" in dumped
    assert "<https://evil.example|your bill>" not in dumped and "<!channel>" not in dumped
    assert "&lt;!channel&gt;" in dumped
    assert slack_escape("a & <b>") == "a &amp; &lt;b&gt;"


def test_teams_gets_an_adaptive_card_with_markup_escaped() -> None:
    body = teams_payload(digest(alert_email()))
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == ADAPTIVE_CARD
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the report", "url": "https://bp.example/r/acme"}
    ]
    texts = " ".join(e.get("text", "") for e in card["body"])
    assert "[click here](https://evil.example)" not in texts
    assert r"\[click here\]\(https://evil.example\)" in texts
    assert teams_escape("**bold** _i_ # h") == r"\*\*bold\*\* \_i\_ \# h"
    assert teams_escape("- item\n1. one") == "\\- item\n\\1. one"


def test_the_webhook_document_and_its_signature() -> None:
    email = alert_email()
    doc = webhook_payload(digest(email), email)
    assert doc["schema"] == SCHEMA and doc["event"] == "alert" and doc["key"] == email.key
    assert doc["message_id"] == email.message_id and doc["text"] == email.text
    assert {"label": "Severity", "value": "critical"} in doc["facts"]
    body = json.dumps(doc).encode()
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature("s3cret", body) == f"sha256={expected}"


def test_channel_for_names_what_the_ledgers_record() -> None:
    assert channel_for("a@b.example", None) == "outbox"
    assert channel_for("a@b.example", SmtpConfig()) == "smtp"
    assert channel_for("teams:pr", SmtpConfig()) == "teams"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "echo",
    [
        "pa55-Word!", _b64("pa55-Word!"), _b64("\0me@x.example\0pa55-Word!"),
        _b64("me@x.example\0me@x.example\0pa55-Word!"), _b64("me@x.example"),
        _b64("user=me@x.example\x01auth=Bearer tok-123456\x01\x01"), "tok-123456",
        "pa55-Word%21",
    ],
)  # fmt: skip
def test_every_form_of_an_smtp_secret_is_scrubbed(echo: str) -> None:
    scrub = Scrubber().add_smtp_login("me@x.example", "pa55-Word!")
    scrub.add_xoauth2("me@x.example", "tok-123456")
    out = scrub.scrub(f"(535, b'5.7.8 rejected: AUTH PLAIN {echo}')")
    assert echo not in out and MASK in out


def test_a_webhook_url_and_its_token_are_scrubbed() -> None:
    url = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    scrub = Scrubber().add_url(url)
    assert scrub.scrub(f"error for url '{url}'") == f"error for url '{MASK}'"
    assert "XXXXSECRET" not in scrub.scrub("path services/T000/B000/XXXXSECRET echoed")
