from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipeline.scoring import (
    NEGATIVE_THRESHOLD,
    POSITIVE_THRESHOLD,
    Sentiment,
    default_scorer,
    label_for,
    score_text,
)


def test_scorer_is_built_once_per_process() -> None:
    assert default_scorer() is default_scorer()


def test_vader_scores_are_the_reference_packages_own() -> None:
    reference = SentimentIntensityAnalyzer()
    for text in ["I love this!!", "worst. service. ever.", "ok", "", "🙃 thanks a lot"]:
        ours = score_text(text)
        ref = reference.polarity_scores(text)
        assert (ours.compound, ours.pos, ours.neu, ours.neg) == (
            ref["compound"], ref["pos"], ref["neu"], ref["neg"],
        )  # fmt: skip


@pytest.mark.parametrize(
    ("compound", "label"),
    [
        (POSITIVE_THRESHOLD, Sentiment.POSITIVE),
        (0.0499, Sentiment.NEUTRAL),
        (0.0, Sentiment.NEUTRAL),
        (-0.0499, Sentiment.NEUTRAL),
        (NEGATIVE_THRESHOLD, Sentiment.NEGATIVE),
        (-1.0, Sentiment.NEGATIVE),
    ],
)
def test_labels_follow_vaders_readme_thresholds(compound: float, label: Sentiment) -> None:
    assert label_for(compound) is label


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("still waiting for my refund @FernleafHelp, 3 weeks now", "billing"),
        ("is pebble down?? no signal anywhere in brooklyn since 2pm", "outage"),
        ("driver was so rude and my eggs were smashed", "staff"),
        ("my order never arrived and nobody answers the phone", "delivery"),
        ("charged twice again. love that for me", "billing"),
        ("voicemail hasn't worked in 2 days 🙃 @PebbleMobile", "outage"),
        ("half my order missing again, no text, no call", "delivery"),
    ],
)
def test_complaints_are_flagged_with_a_category(text: str, category: str) -> None:
    score = score_text(text)
    assert score.is_complaint, score
    assert 0.5 <= score.complaint_score <= 1.0
    assert score.complaint_category == category


@pytest.mark.parametrize(
    "text",
    [
        "Love my new phone from @PebbleMobile!",
        "What time does the Fernleaf store on 5th open?",
        "no problems at all with my delivery today",
        "Pebble Mobile announces 5G coverage in three more states",
        "roaming in Spain just worked, zero extra charges",  # negated cue
        "not one thing missing or damaged this week, well done",  # negated cue
    ],
)
def test_non_complaints_are_not_flagged(text: str) -> None:
    score = score_text(text)
    assert not score.is_complaint, score
    assert score.complaint_category is None


def test_spam_needs_several_cues() -> None:
    scorer = default_scorer()
    assert scorer.is_spam("🔥 GIVEAWAY 🔥 win a free iPhone! follow + RT 👉 https://bit.ly/x")
    assert not scorer.is_spam("free delivery from @FernleafMarket today, nice")
    assert not scorer.is_spam("late 3x this week and all I got was a £5 voucher. DM me? no thanks")


def test_model_version_names_every_asset() -> None:
    version = default_scorer().model_version
    assert version.startswith("vader-3.3.2+cues-")
    assert "+categories-" in version and "+spam-" in version
