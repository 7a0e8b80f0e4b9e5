-- The texts of the brand's categorized complaints of the days before the report day, the
-- baseline its terms are compared with (pipeline.notify.terms): one row per complaint.
-- Parameters: $brand, $first (the first baseline day), $day (the report day, excluded).
select
    complaint_category as category,
    text
from posts
where brand = $brand
  and brand_day >= $first
  and brand_day < $day
  and kind = 'original'
  and is_complaint
  and complaint_category is not null
