-- model: complaint_responses
-- layer: mart (a contract table, materialized by
--   pipeline.warehouse.responses.refresh_complaint_responses)
-- grain: one row per complaint (an original post flagged is_complaint) and brand
-- key: source, brand, post_id
-- inputs: int_complaints, int_brand_replies
-- columns: source, brand, post_id, created_at, brand_day, author_id, author_handle,
--   author_followers, complaint_category, complaint_score, url (the complaint);
--   first_reply_post_id, first_reply_at, first_reply_handle (the brand's first reply, null
--   when none is stored), response_seconds, answered
-- A reply (int_brand_replies) answers a complaint when it is in the same source, not earlier
-- than the complaint, and either answers the complaint itself (in_reply_to_post_id) or
-- answers the complainer in the complaint's thread (conversation_id and
-- in_reply_to_author_id). The first is the earliest (ties: the smaller post id). Replies are
-- looked for without an end: a reply loaded later is found when the range is refreshed again.
-- Selects the rows of one brand's complaints created in [$start, $end) (the refresh
-- replaces exactly those).
-- Parameters: $brand, $start, $end (UTC timestamps).
with complaints as (
    select
        source,
        brand,
        post_id,
        created_at,
        brand_day,
        author_id,
        author_handle,
        author_followers,
        complaint_category,
        complaint_score,
        url,
        conversation_id
    from int_complaints
    where brand = $brand
      and created_at >= $start::timestamp
      and created_at < $end::timestamp
),

replies as (
    select
        source,
        post_id,
        created_at,
        author_handle,
        conversation_id,
        in_reply_to_post_id,
        in_reply_to_author_id
    from int_brand_replies
    where brand = $brand
      and created_at >= $start::timestamp
),

direct_replies as (
    select
        c.source,
        c.post_id,
        r.post_id as reply_post_id,
        r.created_at as reply_at,
        r.author_handle as reply_handle
    from complaints as c
    inner join replies as r
        on r.source = c.source
        and r.in_reply_to_post_id = c.post_id
        and r.created_at >= c.created_at
),

thread_replies as (
    select
        c.source,
        c.post_id,
        r.post_id as reply_post_id,
        r.created_at as reply_at,
        r.author_handle as reply_handle
    from complaints as c
    inner join replies as r
        on r.source = c.source
        and r.conversation_id = c.conversation_id
        and r.in_reply_to_author_id = c.author_id
        and r.created_at >= c.created_at
),

first_replies as (
    select
        source,
        post_id,
        first(reply_post_id order by reply_at, reply_post_id) as first_reply_post_id,
        min(reply_at) as first_reply_at,
        first(reply_handle order by reply_at, reply_post_id) as first_reply_handle
    from (
        select * from direct_replies
        union all
        select * from thread_replies
    )
    group by source, post_id
)

select
    c.source,
    c.brand,
    c.post_id,
    c.created_at,
    c.brand_day,
    c.author_id,
    c.author_handle,
    c.author_followers,
    c.complaint_category,
    c.complaint_score,
    c.url,
    f.first_reply_post_id,
    f.first_reply_at,
    f.first_reply_handle,
    date_diff('second', c.created_at, f.first_reply_at) as response_seconds,
    f.first_reply_post_id is not null as answered
from complaints as c
left join first_replies as f
    on f.source = c.source
    and f.post_id = c.post_id
order by c.created_at, c.source, c.post_id
