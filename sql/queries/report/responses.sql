-- How the brand answered the report day's complaints as of the report's moment:
-- one row.
-- Parameters: $brand, $day, $as_of (naive UTC), $sla_s (the SLA in seconds).
with judged as (
    select
        response_seconds,
        first_reply_at is not null and first_reply_at < $as_of as answered
    from complaint_responses
    where brand = $brand and brand_day = $day
)

select
    count(*) as complaints,
    count(*) filter (where answered) as answered,
    count(*) filter (where answered) / nullif(count(*), 0) as answered_share,
    count(*) filter (where answered and response_seconds <= $sla_s) as within_sla,
    count(*) filter (where answered and response_seconds <= $sla_s) / nullif(count(*), 0),
    quantile_cont(response_seconds, 0.5) filter (where answered) as median_seconds,
    quantile_cont(response_seconds, 0.9) filter (where answered) as p90_seconds
from judged
