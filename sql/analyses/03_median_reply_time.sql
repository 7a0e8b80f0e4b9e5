-- title: The brand's median time to first reply, per day
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
order by brand, day
