-- The complaints of the backlog window still unanswered past the SLA as of the report's
-- moment, most urgent first: one row per complaint, at most $limit.
-- Urgency = log10(10 + author followers) * (1 + days past the SLA): reach counts by its
-- order of magnitude (a complaint ignored spreads to the author's followers), and each day
-- past the SLA adds the weight of a whole first day. The newest breaches (past the SLA for
-- less than a day, so new since the previous daily report) always get up to $new_limit of
-- the places, most urgent first, however urgent the older ones are; the other places go to
-- the most urgent of the rest. Ties: the newer complaint first, then the post id.
-- Parameters: $brand, $as_of, $backlog_start, $overdue_before (naive UTC), $sla_s (the SLA
-- in seconds), $limit, $new_limit.
with overdue as (
    select
        r.source,
        r.post_id,
        r.created_at,
        r.author_handle,
        r.author_followers,
        r.complaint_category,
        r.url,
        p.text,
        r.complaint_score,
        p.compound,
        false as answered,
        null::timestamp as first_reply_at,
        null::bigint as response_seconds,
        date_diff('second', r.created_at, $as_of::timestamp) as age_seconds,
        date_diff('second', r.created_at, $as_of::timestamp) - $sla_s::bigint as past_sla_seconds
    from complaint_responses as r
    inner join posts as p
        on p.source = r.source and p.brand = r.brand and p.post_id = r.post_id
    where r.brand = $brand
      and r.created_at >= $backlog_start
      and r.created_at <= $overdue_before
      and (r.first_reply_at is null or r.first_reply_at >= $as_of)
),

scored as (
    select
        *,
        past_sla_seconds < 86400 as new_breach,
        log10(10 + greatest(author_followers, 0)) * (1 + past_sla_seconds / 86400.0) as urgency
    from overdue
),

ranked as (
    select
        *,
        row_number() over (
            partition by new_breach order by urgency desc, created_at desc, post_id
        ) as group_rank
    from scored
),

picked as (
    select *
    from ranked
    order by (new_breach and group_rank <= $new_limit) desc, urgency desc, created_at desc, post_id
    limit $limit
)

select
    source, post_id, created_at, author_handle, author_followers, complaint_category, url,
    text, complaint_score, compound, answered, first_reply_at, response_seconds, age_seconds,
    past_sla_seconds, new_breach, urgency
from picked
order by urgency desc, created_at desc, post_id
