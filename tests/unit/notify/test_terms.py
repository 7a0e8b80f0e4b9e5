"""The report's terms: the weighted log-odds ratio with an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008) against the brand's own baseline, stop words in English and
Spanish, and the brand's own names left out."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

from pipeline.config.model import BrandConfig
from pipeline.notify.terms import (
    MIN_Z,
    STOP_WORDS,
    brand_words,
    keyness,
    post_terms,
    terms_by_category,
)


def brand() -> BrandConfig:
    return BrandConfig(
        id="pebble", name="Pebble Mobile", timezone="America/New_York",
        accounts=("@PebbleCares",), terms=("#pebbledown",), exclude=(), languages=("en", "es"),
        sources=(), report_recipients=(), report_local_time="08:00", alert_recipients=(),
        products=("Galaxy Flip",),
    )  # fmt: skip


def test_the_log_odds_follow_the_paper() -> None:
    """z for one term, computed here from eq. 16-22 of the paper, step by step."""
    target = Counter({"outage": 30, "bill": 10, "signal": 20})
    comparison = Counter({"outage": 5, "bill": 100, "signal": 60})
    prior = target + comparison
    found = {k.term: k for k in keyness(target, comparison, prior, min_posts=2)}
    n_t, n_c, total = 60, 165, sum(prior.values())
    a0 = n_t + n_c  # the default: the prior weighs as much as the two corpora
    a_w = a0 * prior["outage"] / total
    delta = math.log((30 + a_w) / (n_t + a0 - 30 - a_w)) - math.log(
        (5 + a_w) / (n_c + a0 - 5 - a_w)
    )
    z = delta / math.sqrt(1 / (30 + a_w) + 1 / (5 + a_w))
    assert found["outage"].z == z and z > MIN_Z
    assert (found["outage"].posts, found["outage"].baseline_posts) == (30, 5)
    # "bill" is rarer in the day's complaints than usual: it does not stand out.
    assert "bill" not in found


def test_a_word_as_common_as_usual_does_not_stand_out() -> None:
    usual = ["no signal since this morning", "no signal at home", "signal drops again"] * 20
    day = ["no signal since noon", "signal gone", "tower fire, no signal"]
    day += ["tower fire again"] * 4
    found = terms_by_category(
        [("outage", t) for t in day], [("outage", t) for t in usual], min_posts=2,
        per_category=6,
    )  # fmt: skip
    # "signal" is in 3 of the day's 7 complaints, but in every usual one: no news.
    assert sorted(k.term for _, k in found) == ["fire", "tower"]
    assert all(k.z >= MIN_Z and k.baseline_posts == 0 for _, k in found)


def test_one_post_is_no_pattern() -> None:
    found = keyness(Counter({"zebra": 1}), Counter(), Counter({"zebra": 1}), min_posts=2)
    assert found == []


def test_without_a_baseline_the_most_frequent_terms_rank_first() -> None:
    day = ["outage downtown", "outage again", "outage everywhere", "refund please", "refund"]
    found = terms_by_category([("x", t) for t in day], [], min_posts=2, per_category=6)
    assert [(k.term, k.posts, k.z) for _, k in found] == [("outage", 3, 0.0), ("refund", 2, 0.0)]


def test_a_category_rare_in_the_baseline_is_compared_with_all_complaints() -> None:
    usual = [("billing", "my bill is wrong")] * 60 + [("outage", "no signal again")] * 3
    day = [("outage", "no signal, tower fire"), ("outage", "tower fire, no signal at all"),
           ("outage", "signal lost")] * 4  # fmt: skip
    found = {k.term: k for _, k in terms_by_category(day, usual, min_posts=2, per_category=6)}
    # Against its own 3 usual outages (all "no signal") "signal" would be no news; against
    # all 63 usual complaints it stands out.
    assert {"tower", "fire", "signal"} <= set(found)
    assert found["signal"].baseline_posts == 3


def test_stop_words_in_english_and_spanish_and_filler_are_not_terms() -> None:
    english = "since actually nothing the was really something anyway"
    spanish = "porque estaba también nosotros habían desde pero tengo"
    assert post_terms(f"{english} {spanish} router") == {"router"}
    assert {"since", "actually", "nothing", "porque", "estaba", "tengo"} <= STOP_WORDS


def test_the_brand_names_handles_and_products_are_not_terms() -> None:
    words = brand_words(brand())
    assert {"pebble", "mobile", "pebblecares", "pebbledown", "galaxy", "flip"} <= words
    text = "Pebble Mobile broke my Galaxy Flip, @PebbleCares #pebbledown router"
    assert post_terms(text, STOP_WORDS | words) == {"broke", "router"}
    assert brand_words(replace(brand(), products=())) & {"galaxy", "flip"} == set()
