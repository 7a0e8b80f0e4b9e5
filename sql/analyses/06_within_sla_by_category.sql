-- title: Share of complaints answered within the SLA, by category
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
order by brand, share_within_sla, category
