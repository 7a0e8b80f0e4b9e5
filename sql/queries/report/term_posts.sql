-- The texts of the day's categorized complaints, for their terms per category
-- (pipeline.notify.terms counts them): one row per complaint.
-- Parameters: $brand, $day.
select
    complaint_category as category,
    text
from posts
where brand = $brand
  and brand_day = $day
  and kind = 'original'
  and is_complaint
  and complaint_category is not null
