-- The complaints of the backlog window still unanswered past the SLA as of the
-- report's moment, oldest local day first, most-followed first: one row per complaint.
-- Parameters: $brand, $as_of, $backlog_start, $overdue_before (naive UTC), $limit.
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
where r.brand = $brand
  and r.created_at >= $backlog_start
  and r.created_at <= $overdue_before
  and (r.first_reply_at is null or r.first_reply_at >= $as_of)
order by r.brand_day, r.author_followers desc, r.created_at, r.post_id
limit $limit
