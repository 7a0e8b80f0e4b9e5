-- The report day's complaints with the most reach: one row per complaint.
-- Parameters: $brand, $day, $as_of (naive UTC), $limit.
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
    coalesce(r.first_reply_at < $as_of, false) as answered,
    case when r.first_reply_at < $as_of then r.first_reply_at end as first_reply_at,
    case when r.first_reply_at < $as_of then r.response_seconds end as response_seconds,
    date_diff('second', r.created_at, $as_of::timestamp) as age_seconds
from complaint_responses as r
inner join posts as p
    on p.source = r.source and p.brand = r.brand and p.post_id = r.post_id
where r.brand = $brand and r.brand_day = $day
order by r.author_followers desc, r.created_at, r.post_id
limit $limit
