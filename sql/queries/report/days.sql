-- The 30-day chart: one row per stored local day of the brand in $first .. $day.
-- Parameters: $brand, $first, $day.
select day, posts, complaints, negative_share
from brand_daily
where brand = $brand and day >= $first and day <= $day
order by day
