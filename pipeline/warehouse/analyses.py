"""Example analyst queries: the short ones shown by ``brandpulse demo`` and
``brandpulse query --help`` (:data:`EXAMPLE_QUERIES`), and the ten analyst questions of the
warehouse guide (:data:`ANALYST_QUESTIONS`, embedded in docs/warehouse.md by
:func:`guide_markdown` and run against a demo warehouse by tests/sql/test_guide.py).

The questions read the contract tables and the analyst layer's views only, and never the
clock: "this week" and "yesterday" are relative to the latest day loaded for each brand, so
every query answers the same on the same snapshot, including a backfilled past.
"""

from __future__ import annotations

from typing import NamedTuple

EXAMPLE_QUERIES = (
    "select brand, day, posts, negative_share, complaints from brand_daily order by 1, 2",
    "select brand, hour, posts, complaints, complaint_share from brand_hourly "
    "order by complaints desc limit 10",
)


class Example(NamedTuple):
    """One analyst question and the SQL that answers it (DuckDB, lowercase, read-only)."""

    question: str
    sql: str


_COMPLAINT_RATE_BY_CATEGORY = """\
-- Complaints per 1,000 customer posts, by category: the brand's latest 7 local days
-- ("this week") against the 7 before. Days come from brand_daily, so both weeks count the
-- same kind of posts (original ones).
with weeks as (
    select
        brand,
        day,
        posts,
        day > max(day) over (partition by brand) - 7 as this_week
    from brand_daily
    qualify day > max(day) over (partition by brand) - 14
),

volume as (
    select
        brand,
        sum(posts) filter (where this_week) as posts_this_week,
        sum(posts) filter (where not this_week) as posts_last_week
    from weeks
    group by brand
),

by_category as (
    select
        c.brand,
        c.category,
        coalesce(sum(c.complaints) filter (where w.this_week), 0) as complaints_this_week,
        coalesce(sum(c.complaints) filter (where not w.this_week), 0) as complaints_last_week
    from brand_daily_categories as c
    inner join weeks as w on w.brand = c.brand and w.day = c.day
    group by c.brand, c.category
)

select
    b.brand,
    b.category,
    b.complaints_this_week,
    b.complaints_last_week,
    round(1000.0 * b.complaints_this_week / nullif(v.posts_this_week, 0), 1) as per_1000_this_week,
    round(1000.0 * b.complaints_last_week / nullif(v.posts_last_week, 0), 1) as per_1000_last_week
from by_category as b
inner join volume as v on v.brand = b.brand
order by b.brand, per_1000_this_week desc, b.category"""

_UNANSWERED_REACH = """\
-- The 10 most-followed authors per brand who complained and never got a reply from the
-- brand (to none of their complaints, as stored).
select
    brand,
    author_handle,
    max(author_followers) as followers,
    count(*) as complaints,
    min(created_at) as first_complaint_at,
    arg_max(url, created_at) as latest_complaint_url
from complaint_responses
group by brand, author_handle
having count_if(answered) = 0
qualify row_number() over (partition by brand order by followers desc, author_handle) <= 10
order by brand, followers desc, author_handle"""

_MEDIAN_REPLY_TIME = """\
-- The brand's time to first reply per local day of the complaint: median and 90th
-- percentile over the complaints it answered, and how many it answered.
select
    brand,
    brand_day as day,
    count(*) as complaints,
    count_if(answered) as answered,
    round(median(response_seconds) / 60.0, 1) as median_minutes,
    round(quantile_cont(response_seconds, 0.9) / 60.0, 1) as p90_minutes
from complaint_responses
group by brand, brand_day
order by brand, day"""

_NEGATIVE_SHARE_HOURS = """\
-- The 10 hours whose negative share rose most above the brand's share over the 7 days
-- before (hours with at least 10 customer posts), whether the spike detector flagged the
-- hour, and the three most-followed negative posts of the hour: what was said.
with hours as (
    select
        brand,
        hour,
        posts,
        negative_share,
        sum(negative) over before_hour / nullif(sum(posts) over before_hour, 0) as share_before
    from brand_hourly
    window before_hour as (
        partition by brand order by hour
        range between interval 7 days preceding and interval 1 hour preceding
    )
),

top_hours as (
    select *, negative_share - share_before as rise
    from hours
    where posts >= 10 and share_before is not null
    order by rise desc, brand, hour
    limit 10
),

flagged as (
    select brand, hour, string_agg(metric, ', ' order by metric) as flagged_metrics
    from spike_hours
    group by brand, hour
),

said as (
    select
        p.brand,
        p.hour,
        list(p.text order by p.author_followers desc, p.post_id)[1:3] as top_negative_posts
    from int_customer_posts as p
    inner join top_hours as t on t.brand = p.brand and t.hour = p.hour
    where p.sentiment = 'negative'
    group by p.brand, p.hour
)

select
    t.brand,
    t.hour,
    t.posts,
    round(t.negative_share, 3) as negative_share,
    round(t.share_before, 3) as share_before,
    f.flagged_metrics,
    s.top_negative_posts
from top_hours as t
left join flagged as f on f.brand = t.brand and f.hour = t.hour
left join said as s on s.brand = t.brand and s.hour = t.hour
order by t.rise desc, t.brand, t.hour"""

_TOP_TERMS_YESTERDAY = """\
-- The 10 words most used in complaints yesterday (the day before the brand's latest loaded
-- local day), by the number of complaints using them: links, @handles and #tags removed,
-- words shorter than 4 letters, common English words and the brand's id left out.
with yesterday as (
    select brand, max(day) - 1 as day
    from brand_daily
    group by brand
),

words as (
    select
        c.brand,
        c.post_id,
        unnest(regexp_split_to_array(
            lower(regexp_replace(c.text, '(https?://\\S+|[@#]\\w+)', ' ', 'g')), '[^\\pL]+'
        )) as term
    from int_complaints as c
    inner join yesterday as y on y.brand = c.brand and y.day = c.brand_day
)

select
    brand,
    term,
    count(distinct post_id) as complaints
from words
where length(term) >= 4
  and term <> brand
  and term not in (
      'about', 'after', 'again', 'been', 'cant', 'could', 'didn', 'does', 'doesn', 'dont',
      'from', 'have', 'haven', 'into', 'just', 'more', 'still', 'than', 'that', 'their',
      'them', 'then', 'there', 'they', 'this', 'what', 'when', 'which', 'will', 'with',
      'would', 'your'
  )
group by brand, term
qualify row_number() over (partition by brand order by complaints desc, term) <= 10
order by brand, complaints desc, term"""

_WITHIN_SLA_BY_CATEGORY = """\
-- Share of complaints answered within the SLA (24 hours, the report's default sla_hours),
-- by category, over the complaints old enough to be judged: posted at least 24 hours before
-- the brand's latest stored post.
with judged as (
    select
        r.brand,
        coalesce(r.complaint_category, 'other') as category,
        r.response_seconds
    from complaint_responses as r
    where r.created_at <= (
        select max(p.created_at) from stg_posts as p where p.brand = r.brand
    ) - interval 24 hour
)

select
    brand,
    category,
    count(*) as complaints,
    count_if(response_seconds <= 24 * 3600) as within_sla,
    round(count_if(response_seconds <= 24 * 3600) / count(*), 3) as share_within_sla,
    round(median(response_seconds) / 3600.0, 1) as median_hours_to_reply
from judged
group by brand, category
order by brand, share_within_sla, category"""

_SPIKES_AND_ALERTS = """\
-- Every detected spike and the alert emails it caused: sent, failed, and to how many
-- recipients (status 'included': a recovery note the opening email already carried).
select
    s.brand,
    s.metric,
    s.started_at,
    s.ended_at,
    s.severity,
    s.hours,
    s.observed,
    s.expected,
    count(a.spike_id) filter (where a.status = 'sent') as alerts_sent,
    count(a.spike_id) filter (where a.status = 'failed') as alerts_failed,
    count(distinct a.recipient) filter (where a.status = 'sent') as recipients
from spikes as s
left join alerts as a on a.spike_id = s.spike_id
group by s.brand, s.metric, s.started_at, s.ended_at, s.severity, s.hours, s.observed, s.expected
order by s.started_at, s.brand, s.metric"""

_REPEAT_COMPLAINERS = """\
-- Authors who complained at least twice in the brand's latest 7 local days: how often,
-- about what, and how many of their complaints the brand answered.
with recent as (
    select c.brand, c.source, c.post_id, c.author_handle, c.author_followers, c.category
    from int_complaints as c
    where c.brand_day > (select max(d.day) from brand_daily as d where d.brand = c.brand) - 7
)

select
    c.brand,
    c.author_handle,
    count(*) as complaints,
    max(c.author_followers) as followers,
    string_agg(distinct c.category, ', ' order by c.category) as categories,
    count_if(r.answered) as answered
from recent as c
left join complaint_responses as r
    on r.source = c.source and r.brand = c.brand and r.post_id = c.post_id
group by c.brand, c.author_handle
having count(*) >= 2
order by complaints desc, followers desc, c.brand, c.author_handle
limit 20"""

_VOLUME_COMPLAINTS_DIVERGE = """\
-- The 10 days where volume and complaints moved apart most: each against the brand's mean
-- of the 7 days before; divergence is the log ratio of the two changes (positive:
-- complaints grew faster than volume, negative: slower).
with recent_days as (
    select
        brand,
        day,
        posts,
        complaints,
        avg(posts) over before_day as posts_before,
        avg(complaints) over before_day as complaints_before
    from brand_daily
    window before_day as (partition by brand order by day rows between 7 preceding and 1 preceding)
)

select
    brand,
    day,
    posts,
    round(posts / nullif(posts_before, 0), 2) as volume_vs_before,
    complaints,
    round(complaints / nullif(complaints_before, 0), 2) as complaints_vs_before,
    round(ln((complaints + 1) / (complaints_before + 1)) - ln((posts + 1) / (posts_before + 1)), 2)
        as divergence
from recent_days
where posts_before is not null
order by abs(divergence) desc, brand, day
limit 10"""

_QUARANTINE_BY_REASON = """\
-- Landed records quarantined instead of stored, by brand, source and what failed, with an
-- example reason and the share of the records landed for that brand and source.
with landed as (
    select brand, source, sum(fetched) as records
    from load_runs
    group by brand, source
    union all
    select brand, 'file' as source, sum(rows_read) as records
    from file_imports
    group by brand
),

quarantined as (
    select brand, source, reason_field, count(*) as records, min(reason) as example_reason
    from stg_quarantine
    group by brand, source, reason_field
)

select
    q.brand,
    q.source,
    q.reason_field,
    q.records as quarantined,
    round(q.records / nullif(l.records, 0), 4) as share_of_landed,
    q.example_reason
from quarantined as q
left join landed as l on l.brand = q.brand and l.source = q.source
order by quarantined desc, q.brand, q.source, q.reason_field"""

#: The warehouse guide's ten analyst questions (docs/warehouse.md, "Ten analyst questions").
ANALYST_QUESTIONS: tuple[Example, ...] = (
    Example("Complaint rate by category, this week vs last", _COMPLAINT_RATE_BY_CATEGORY),
    Example("Authors with the most reach who complained and got no reply", _UNANSWERED_REACH),
    Example("The brand's median time to first reply, per day", _MEDIAN_REPLY_TIME),
    Example("Hours when the negative share spiked, and what was said", _NEGATIVE_SHARE_HOURS),
    Example("Top complaint terms yesterday", _TOP_TERMS_YESTERDAY),
    Example("Share of complaints answered within the SLA, by category", _WITHIN_SLA_BY_CATEGORY),
    Example("Spikes, and how many alerts went out", _SPIKES_AND_ALERTS),
    Example("Repeat complainers", _REPEAT_COMPLAINERS),
    Example("Days where volume and complaints diverge", _VOLUME_COMPLAINTS_DIVERGE),
    Example("Records quarantined, by reason", _QUARANTINE_BY_REASON),
)


def guide_markdown() -> str:
    """The "Ten analyst questions" part of docs/warehouse.md: a numbered heading and a SQL
    block per question (tests/sql/test_guide.py checks the guide holds exactly this)."""
    parts = []
    for number, example in enumerate(ANALYST_QUESTIONS, start=1):
        parts.append(f"### {number}. {example.question}\n\n```sql\n{example.sql}\n```\n")
    return "\n".join(parts)
