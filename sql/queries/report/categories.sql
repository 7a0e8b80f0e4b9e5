-- The report day's complaint categories: one row per category.
-- Parameters: $brand, $day.
select category, complaints, complaint_reach, share
from brand_daily_categories
where brand = $brand and day = $day
order by complaints desc, category
