"""The scorer: VADER as the package scores it, the misread fixes, the complaint detector's
cue families and categories, and brand overrides. Every text here is hand-written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipeline.config.loading import parse_brands
from pipeline.config.model import BrandConfig
from pipeline.errors import ConfigError
from pipeline.scoring.scorer import (
    NEGATIVE_THRESHOLD,
    POSITIVE_THRESHOLD,
    Scorer,
    Sentiment,
    default_scorer,
    label_for,
    score_text,
    scorer_for,
)
from pipeline.settings import PROJECT_ROOT

MODELS = PROJECT_ROOT / "models"


def test_scorer_is_built_once_per_process() -> None:
    assert default_scorer() is default_scorer()


#: Hand-written texts that exercise every rule of VADER's polarity_scores.
VADER_RULE_TEXTS = [
    "I love this!!", "worst. service. ever.", "ok", "", "   ", "no", "🙃 thanks a lot",
    "not horrible", "no issues", "I love it ❤️", "sick skate park", "©2024 Acme™ 😂😂",
    "  kind of good, but the ending SUCKS!!! :( ",  # "kind of", "but", caps, emoticon
    "The food is EXTREMELY good", "the food is extremely GOOD", "ALL CAPS IS GREAT",
    "it was sort of ok", "it is kind of bad", "very very very bad", "barely good",
    "no good", "no love or hate", "no problems nor worries", "not the worst", "isn't bad",
    "never so happy", "never this bad", "without doubt the best", "without a doubt good",
    "at least it's fine", "the least bad option", "least happy", "very least good",
    "that movie was the shit", "bad ass skater", "yeah right, great", "the kiss of death",
    "a cake to die for", "my beating heart", "the bomb!!!!!", "why??? why???? bad",
    "good?", "good??", "uh-uh no way", "nope, not good", "I ain't happy", "didn't like it",
    "Happy!!! :) :D <3 :-(", "great job 👍🏽 👩\u200d💻 ❤", "İyi GÜZEL good",
    "tab\tseparated\nnew lines good", "'quoted' \"good\" (bad) ...", "!!! ??? ...",
    "not so bad but not great either, but ok",
]  # fmt: skip


def test_vader_scores_are_the_reference_packages_own() -> None:
    reference = SentimentIntensityAnalyzer()
    for text in VADER_RULE_TEXTS:
        ours = score_text(text)
        ref = reference.polarity_scores(text)
        assert (ours.compound, ours.pos, ours.neu, ours.neg) == (
            ref["compound"], ref["pos"], ref["neu"], ref["neg"],
        ), text  # fmt: skip


def test_brand_lexicon_scores_are_vaders_with_that_lexicon() -> None:
    skate = scorer_for(brand({"lexicon": {"sick": 2.5, "gnarly": 1.8}}))
    reference = SentimentIntensityAnalyzer()
    reference.lexicon = {**reference.lexicon, "sick": 2.5, "gnarly": 1.8}
    for text in [*VADER_RULE_TEXTS, "not sick", "SO gnarly and sick but meh"]:
        ours = skate.score(text)
        ref = reference.polarity_scores(text)
        assert (ours.compound, ours.pos, ours.neu, ours.neg) == (
            ref["compound"], ref["pos"], ref["neu"], ref["neg"],
        ), text  # fmt: skip


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
def test_label_for_defaults_to_vaders_readme_thresholds(compound: float, label: Sentiment) -> None:
    assert label_for(compound) is label


def test_scorer_labels_with_the_thresholds_of_its_asset() -> None:
    scorer = default_scorer()
    assert (scorer.positive_threshold, scorer.negative_threshold) == (0.41, -0.08)
    assert scorer.label(0.40) is Sentiment.NEUTRAL
    assert scorer.label(0.41) is Sentiment.POSITIVE
    assert scorer.label(-0.08) is Sentiment.NEGATIVE
    assert scorer.label(-0.07) is Sentiment.NEUTRAL


# -- known VADER misreads -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["not horrible", "not bad", "the food was not terrible"])
def test_negated_negatives_are_at_most_mildly_positive(text: str) -> None:
    score = score_text(text)
    assert score.compound > 0.3  # VADER's own reading, kept as is
    assert score.sentiment_compound is not None
    assert 0 < score.sentiment_compound < 0.2
    assert score.sentiment is Sentiment.NEUTRAL


@pytest.mark.parametrize("text", ["no issues with the upgrade", "no problems at all", "no worries"])
def test_no_problem_phrases_are_not_negative(text: str) -> None:
    score = score_text(text)
    assert score.sentiment_compound is not None and score.sentiment_compound >= 0
    assert score.sentiment is not Sentiment.NEGATIVE


def test_emoji_with_variation_selector_reads_as_its_base_emoji() -> None:
    plain, selector = score_text("❤"), score_text("❤️")
    assert selector.compound == 0.0  # VADER misses U+2764 U+FE0F
    assert selector.sentiment_compound == plain.compound > 0.5
    assert score_text("great job 👍🏽").sentiment_compound == score_text("great job 👍").compound
    assert default_scorer().normalize_emoji("👩\u200d💻") == "👩 💻"


def test_texts_without_negation_or_emoji_modifiers_keep_vaders_compound() -> None:
    for text in ["I love this!!", "worst. service. ever.", "the bus leaves at noon"]:
        score = score_text(text)
        assert score.sentiment_compound == score.compound


@pytest.mark.parametrize("text", ["that movie was the shit", "i have a bad ass skater"])
def test_vaders_positive_idioms_with_negative_words_are_not_scaled(text: str) -> None:
    score = score_text(text)
    assert score.compound > 0.3
    assert score.sentiment_compound == score.compound


def test_negated_negative_emoticon_is_scaled_too() -> None:
    score = score_text("it isn't easy :( honestly")  # VADER negates ":(" after "isn't"
    assert score.sentiment_compound is not None
    assert score.sentiment_compound < score.compound


# -- complaint cue families -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "text"),
    [
        ("waiting", "been waiting for a technician since Monday"),
        ("waiting", "3 hours later and counting"),
        ("waiting", "where is my parcel"),
        ("non_receipt", "I still haven't received the replacement"),
        ("non_receipt", "no reply to my email since Tuesday"),
        ("failure", "the lid arrived cracked"),
        ("failure", "my flight got cancelled"),
        ("failure", "having issues with the checkout page"),
        ("breach", "this should have been delivered yesterday"),
        ("breach", "the scanner no longer recognises my card"),
        ("breach", "it was working fine yesterday"),
        ("care_failure", "you never replied to my email"),
        ("frustrated_question", "still no refund. why?"),
        ("safety", "the heater caught fire last night"),
        ("safety", "found glass in my salad"),
        ("inability", "I can't log in"),
        ("inability", "the card reader won't let me pay"),
        ("care_failure", "no one answers the helpline"),
        ("care_failure", "the agent hung up on me"),
        ("money", "you charged me twice for one ticket"),
        ("money", "a 30% price increase"),
        ("money", "I want a refund"),
        ("sarcasm", "thanks for nothing"),
        ("sarcasm", "so much for next-day delivery"),
        ("sarcasm", "brilliant #fail"),
        ("sarcasm", "another Monday 🙄"),
        ("frustrated_question", "why is it always my train??"),
        ("frustrated_question", "what is going on with the website"),
        ("persistence", "down again"),
        ("persistence", "every single time I order"),
        ("redress", "sort it out"),
        ("redress", "I'm cancelling my subscription"),
        ("disappointment", "really disappointed with this"),
        ("disappointment", "absolutely ridiculous"),
        ("help_request", "please help, urgent"),
        ("blame", "you guys need better couriers"),
        ("resolution_praise", "all sorted now, thank you for your help"),
        ("plain_question", "do you ship to Ireland?"),
        ("wish_or_news", "it would be great to have a dark mode"),
        ("wish_or_news", "Acme announces a new store in Leeds"),
        # cues v5
        ("breach", "battery life is way below what was advertised"),
        ("breach", "the signal keeps getting worse"),
        ("breach", "that doesn't seem right"),
        ("failure", "the handle came off after a week"),
        ("failure", "I keep getting error messages"),
        ("failure", "the helpline cuts you off"),
        ("sarcasm", "gotta love a 2 hour delay"),
        ("frustrated_question", "is there a reason the app logs me out?"),
        ("frustrated_question", "what are you playing at"),
        ("care_failure", "I never got a call back"),
        ("persistence", "still trying to reach someone"),
        ("disappointment", "you ruined my weekend"),
        ("disappointment", "I regret buying this"),
        ("disappointment", "there is no excuse for this"),
        ("non_receipt", "my order still has not been dispatched"),
        ("non_receipt", "my points haven't updated"),
        ("non_receipt", "no reply until now"),
        ("money", "the money was taken twice"),
        ("money", "I was charged for a cancelled trip"),
        ("inability", "the discount code won't apply at checkout"),
        ("inability", "they are not allowing remote access"),
        ("waiting", "20 minutes of hold music"),
        ("help_request", "my screen flickers #help"),
        # cues v6
        ("failure", "my earbuds keep powering off on their own"),
        ("failure", "the laptop restarts randomly"),
        ("failure", "the step counter is wildly inaccurate"),
        ("frustrated_question", "do you not have an email address?"),
        ("frustrated_question", "what kind of service is this"),
        ("frustrated_question", "when will our internet be back up?"),
        ("persistence", "my order is still in processing"),
    ],
)
def test_each_cue_family_recognises_its_language(family: str, text: str) -> None:
    assert family in default_scorer().cues(text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("no extra charges when roaming", "money"),
        ("never had an issue with them", "failure"),
        ("not one thing missing or damaged", "failure"),
        ("can't wait for the new season", "inability"),
        ("thanks again for the quick reply", "persistence"),
        ("not horrible at all", "disappointment"),
        ("I keep getting compliments on my new shoes", "failure"),
        ("my cousin regrets nothing", "disappointment"),
        ("no excuse needed, come on over", "disappointment"),
        ("do you not have to be 18 to buy one?", "frustrated_question"),
        ("the oven turns off after an hour", "failure"),
    ],
)
def test_negated_or_idiomatic_cues_do_not_count(text: str, absent: str) -> None:
    assert absent not in default_scorer().cues(text)


def test_posts_aimed_at_an_account() -> None:
    scorer = default_scorer()
    assert "care_account" in scorer.cues("@AcmeHelp my order")
    assert "care_account" in scorer.cues("@AskAcme my order")
    assert "mention" in scorer.cues("@acme my order")
    assert "mention" not in scorer.cues("email me at someone@example.com")
    # The same words score higher aimed at a care account than said to no one.
    assert scorer.complaint_score("@AcmeSupport my order", 0.0) > scorer.complaint_score(
        "my order", 0.0
    )


def test_complaint_score_is_a_probability_that_grows_with_evidence() -> None:
    scorer = default_scorer()
    none = scorer.complaint_score("the bus leaves at noon", 0.0)
    one = scorer.complaint_score("the bus was cancelled", 0.0)
    two = scorer.complaint_score("the bus was cancelled again, still waiting", 0.0)
    assert 0.0 < none < 0.2 < one < two < 1.0
    assert scorer.complaint_score("the bus leaves at noon", -0.8) > none


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
        ("thanks for the 3 hour delay @AcmeAir", "delivery"),
        ("great, lost my bag again @AcmeAir", "delivery"),
        ("@AcmeHelp I can't log in to the app since the update", "outage"),
        ("@Acme no one answers at your call centre, on hold for an hour", "customer_service"),
        ("@Acme the blender arrived cracked and the lid is faulty", "product_quality"),
        ("@Acme the price went up 20% again this year, what a rip off", "pricing"),
        ("@Acme your staff at the Leeds store were so rude to my mum", "staff"),
        ("@Acme the charger caught fire and burnt my desk", "safety"),
        ("@Acme why does this keep happening?? sort it out", "other"),
    ],
)
def test_complaints_are_flagged_with_a_category(text: str, category: str) -> None:
    score = score_text(text)
    assert score.is_complaint, score
    assert 0.5 <= score.complaint_score <= 1.0
    assert score.complaint_category == category


def test_a_short_word_counts_once_towards_a_category() -> None:
    # A word shorter than the cue index's key ("5") once found its patterns up to four
    # times, so one "5%" outweighed "lost" and "delayed".
    scorer = default_scorer()
    for amount in ("5", "15"):
        text = f"@acme you raised it {amount}% and my parcel was lost and delayed again"
        assert scorer.category(text) == "delivery", amount


@pytest.mark.parametrize(
    "text",
    [
        "Love my new phone from @PebbleMobile!",
        "What time does the Fernleaf store on 5th open?",
        "no problems at all with my delivery today",
        "Pebble Mobile announces 5G coverage in three more states",
        "roaming in Spain just worked, zero extra charges",  # negated cue
        "not one thing missing or damaged this week, well done",  # negated cue
        "@AcmeCare how do I change my delivery address?",  # a question
        "@Acme do you ship to Canada?",  # a question
        "@Acme thanks so much for sorting my refund, great service!",  # thanks, money word
        "BREAKING: Acme recalls 2 million phones over battery fires",  # news
        "that new skate park is sick, can't wait to go back",  # praise with a negative word
        "my kettle switches off by itself when it boils, love it",  # a feature, praised
        "what kind of coffee is this? tastes amazing",  # a question, not the service
        "not bad at all, the new menu",  # negated negative
        "the storm knocked the power out, stay safe everyone",  # bad news, no breach
        "the storm is getting worse, stay safe everyone",  # worse, but no breach of service
        "you gotta love a sunny Saturday",  # "gotta love" without a failure
        "how can I fix my bike at home? any tips",  # asking how to fix, not blaming
        "I keep getting compliments on my new shoes",  # "keep getting" something good
    ],
)
def test_non_complaints_are_not_flagged(text: str) -> None:
    score = score_text(text)
    assert not score.is_complaint, (score, default_scorer().cues(text))
    assert score.complaint_category is None


def test_spam_needs_several_cues() -> None:
    scorer = default_scorer()
    assert scorer.is_spam("🔥 GIVEAWAY 🔥 win a free iPhone! follow + RT 👉 https://bit.ly/x")
    assert not scorer.is_spam("free delivery from @FernleafMarket today, nice")
    assert not scorer.is_spam("late 3x this week and all I got was a £5 voucher. DM me? no thanks")


def test_model_version_names_every_asset() -> None:
    version = default_scorer().model_version
    assert version.startswith("vader-3.3.2+fixes-")
    assert "+cues-" in version and "+categories-" in version and "+spam-" in version


def test_model_version_changes_with_an_asset(tmp_path: Path) -> None:
    for asset in MODELS.glob("*.yaml"):
        (tmp_path / asset.name).write_text(asset.read_text("utf-8"), "utf-8")
    for folder in ("complaints", "encoder"):  # the learned complaint stage's files
        (tmp_path / folder).symlink_to(MODELS / folder)
    cues = tmp_path / "complaint_cues.yaml"
    text = re.sub(r"(?m)^version: \d+$", "version: 99", cues.read_text("utf-8"), count=1)
    cues.write_text(text, "utf-8")
    assert "+cues-99+" in Scorer(tmp_path).model_version


# -- brand overrides ------------------------------------------------------------------------


def brand(
    overrides: dict[str, Any] | None = None, accounts: tuple[str, ...] = ("@SkateCo",)
) -> BrandConfig:
    raw: dict[str, Any] = {
        "id": "skateco",
        "name": "Skate Co",
        "accounts": list(accounts),
        "terms": ["skateco"],
    }
    if overrides is not None:
        raw["overrides"] = overrides
    return parse_brands({"brands": [raw]}, Path("brands.yaml")).brands[0]


def test_brand_lexicon_changes_only_the_brand_scorer() -> None:
    skate = scorer_for(brand({"lexicon": {"sick": 2.5}}))
    text = "that new skate park is sick"
    assert skate.score(text).compound > 0.5
    assert skate.score(text).sentiment is Sentiment.POSITIVE
    # The default scorer and the installed package are untouched.
    assert (
        score_text(text).compound
        == SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
        < 0
    )
    assert SentimentIntensityAnalyzer().lexicon["sick"] < 0


def test_brand_scorers_are_cached_per_overrides() -> None:
    a = scorer_for(brand({"lexicon": {"crash": 0}}))
    assert scorer_for(brand({"lexicon": {"crash": 0}})) is a
    b = scorer_for(brand({"lexicon": {"crash": -2}}))
    assert b is not a
    assert a.model_version.startswith(default_scorer().model_version + "+brand-skateco-")
    assert a.model_version != b.model_version


def test_brand_categories_add_replace_and_remove() -> None:
    scorer = scorer_for(
        brand(
            {
                "categories": {
                    "flights": {"keywords": ["flights?", "gate", "boarding"], "label": "Flights"},
                    "safety": None,
                }
            }
        )
    )
    assert scorer.categories[0] == "flights"
    assert "safety" not in scorer.categories
    score = scorer.score("@SkateCo my flight was cancelled at the gate, still no update")
    assert score.is_complaint and score.complaint_category == "flights"


def test_brand_threshold_and_handles() -> None:
    strict = scorer_for(brand({"complaint_threshold": 0.99}))
    assert strict.threshold == 0.99
    assert not strict.score("@SkateCo my order was cancelled").is_complaint
    scorer = scorer_for(brand(accounts=("@SkateCo", "@ShredHQ")))
    assert "care_account" in scorer.cues("@ShredHQ my deck arrived")
    assert "care_account" not in default_scorer().cues("@ShredHQ my deck arrived")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lexicon": {"two words": 1}}, "field 'overrides.lexicon.two words': must be a single"),
        ({"lexicon": {"sick": 9}}, "field 'overrides.lexicon.sick': valence must be a number"),
        ({"lexicon": ["sick"]}, "field 'overrides.lexicon': must be a mapping"),
        ({"categories": {"Flights": {"keywords": ["x"]}}}, "overrides.categories.Flights"),
        ({"categories": {"flights": {}}}, "field 'overrides.categories.flights.keywords'"),
        ({"categories": {"flights": {"keywords": ["("]}}}, "invalid pattern"),
        ({"categories": {"flights": {"keywords": ["x"], "colour": 1}}}, "flights.colour"),
        ({"complaint_threshold": 1.5}, "field 'overrides.complaint_threshold'"),
        ({"lexicom": {}}, "field 'overrides.lexicom': unknown override"),
    ],
)
def test_invalid_overrides_name_file_brand_and_field(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=r"brands\.yaml: brand 'skateco'") as err:
        brand(overrides)
    assert message in str(err.value)


def test_spike_overrides_are_left_to_their_owner() -> None:
    assert brand({"spikes": {"anything": 1}}).overrides["spikes"] == {"anything": 1}


def test_indexed_cue_matching_finds_what_a_plain_search_finds() -> None:
    """The first-word index is only a shortcut: compare it with searching every pattern."""
    import yaml

    cues = yaml.safe_load((MODELS / "complaint_cues.yaml").read_text("utf-8"))
    negator = re.compile(rf"(?:^|\W)(?:{'|'.join(cues['negators'])})(?:\W+\w+){{0,3}}\W*$", re.I)

    def plain(text: str) -> list[str]:
        found = []
        for name, spec in cues["families"].items():
            for p in spec["patterns"]:
                for m in re.finditer(rf"(?<!\w)(?:{p})(?!\w)", text, re.I):
                    before = text[max(0, m.start() - 40) : m.start()]
                    negatable = spec["weight"] > 0 and spec.get("negatable", True)
                    if not negatable or not negator.search(before):
                        found.append(name)
                        break
                if name in found:
                    break
        return found

    texts = [
        "@AcmeHelp 3 hours later and still no reply?? #fail 🙄 :(",
        "so much for next-day delivery, an hour on hold, y'all are useless",
        "the 2nd time this week my order was wrong, want my money back",
        "never had an issue, thanks so much for your help! 5 stars",
        "Why is the app down? can't log in, keeps crashing, no one answers",
        "where can I buy the new one? would be great to have it in blue",
        "not one thing missing, no extra charges, zero delays",
        "#greatcustomerservice my refund is 20 days late, 50% price increase",
        "I can't wait!! love it",
        "gotta love the hold music #help, never got a call back and the money was taken",
        "no excuse needed; I keep getting compliments, it keeps getting worse though",
    ]
    scorer = default_scorer()
    for text in texts:
        ours = [c for c in scorer.cues(text) if c not in ("care_account", "mention")]
        assert sorted(ours) == sorted(plain(text)), text


#: Texts near the spam cues: each cue's words alone, in pairs, in other cases and with
#: characters that case-insensitive matching treats specially.
SPAM_NEAR_TEXTS = [
    "GIVEAWAY", "giveaway time, win a car", "Win A Free iPhone now", "WIN FREE BITCOIN",
    "my crypto wallet", "method and something else", "#teamfollowback f4f", "#TeamFollowBack",
    "follow back pls, i follow back", "DM me for details", "message me to claim your prize",
    "tap the link in my bio", "👉https://x.y and 🔗 http://z", "bit.ly/abc tinyurl t.co/xyz",
    "earn $500 a day", "promo code SAVE, #ad", "retweet to win", "claim now!", "$ABCD",
    "$abc to the moon", "side hustle, passive income", "made $1,000 per week", "ends tonight",
    "first 50 people", "buy followers", "from home, no scam", "not a scam", "#free #win",
    "ſide hustle, paſſive income", "İ giveaway win a prize", "\u212aLAIM your giftcard",
    "limited spots: act fast", "you've won! check if you won", "the refund never came",
    "connect your wallet on telegram", "loyalty reward gift card giveaway",
]  # fmt: skip


@pytest.mark.parametrize("text", SPAM_NEAR_TEXTS)
def test_is_spam_prefilter_gives_the_answers_of_every_pattern(text: str) -> None:
    # is_spam tries only the cues whose beginning appears in the text: the same answer as
    # searching every cue's pattern.
    scorer = default_scorer()
    hits = sum(1 for pattern in scorer.spam_patterns if pattern.search(text))
    assert scorer.is_spam(text) is (hits >= scorer.spam_min_hits)
    assert scorer.is_spam(text.upper()) is (
        sum(1 for p in scorer.spam_patterns if p.search(text.upper())) >= scorer.spam_min_hits
    )


def test_fold_odd_lists_every_character_that_ignorecase_folds_to_ascii() -> None:
    from pipeline.scoring.cues import FOLD_ODD

    odd = set()
    for code in range(0x80, 0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        lowered = ch.lower()
        if len(lowered) != 1 or lowered.isascii() or re.fullmatch("[a-z]", ch, re.I):
            odd.add(ch)
    assert odd == FOLD_ODD


def test_a_brand_s_product_names_are_not_read_as_category_keywords() -> None:
    """A "Fire Stick" or a "Blaze" tariff is a product, not a hazard."""
    raw: dict[str, Any] = {
        "id": "skateco", "name": "Skate Co", "accounts": ["@SkateCo"], "terms": ["skateco"],
        "products": ["Fire Stick", "Blaze"],
    }  # fmt: skip
    with_products = scorer_for(parse_brands({"brands": [raw]}, Path("b.yaml")).brands[0])
    without = scorer_for(brand())
    text = "@SkateCo my new Fire Stick stopped working after a week"
    assert without.category(text) == "safety"  # "fire" is a safety keyword
    assert with_products.category(text) == "product_quality"
    assert with_products.category("the blaze deck caught fire on the charger") == "safety"
    assert with_products.model_version != without.model_version
