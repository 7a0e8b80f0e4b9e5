-- How many complaints of the backlog window are still unanswered past the SLA as of
-- the report's moment: one row.
-- Parameters: $brand, $as_of, $backlog_start, $overdue_before (naive UTC).
select count(*)
from complaint_responses as r
where r.brand = $brand
  and r.created_at >= $backlog_start
  and r.created_at <= $overdue_before
  and (r.first_reply_at is null or r.first_reply_at >= $as_of)
