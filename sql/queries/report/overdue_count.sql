-- How many complaints of the backlog window are still unanswered past the SLA as of the
-- report's moment, how many of them went past it in the last day (new since the previous
-- report), and how many of the backlog's local days have figures at all (a day that was
-- never loaded cannot show its unanswered complaints): one row.
-- Parameters: $brand, $as_of, $backlog_start, $overdue_before (naive UTC), $sla_s,
-- $first_day, $day (the backlog's local days).
select
    count(*),
    count(*) filter (
        where date_diff('second', r.created_at, $as_of::timestamp) - $sla_s::bigint < 86400
    ),
    (
        select count(*)
        from brand_daily as d
        where d.brand = $brand and d.day between $first_day and $day
    )
from complaint_responses as r
where r.brand = $brand
  and r.created_at >= $backlog_start
  and r.created_at <= $overdue_before
  and (r.first_reply_at is null or r.first_reply_at >= $as_of)
