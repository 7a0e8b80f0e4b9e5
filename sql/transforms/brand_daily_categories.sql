-- brand_daily_categories rows for one brand and the given local days: one row per brand,
-- day and complaint category with at least one complaint (original posts, like brand_daily).
-- Parameters: $brand, $days (list of dates), $first_day, $last_day.
with complaints as (
    select
        brand_day as day,
        coalesce(complaint_category, 'other') as category,
        author_followers
    from posts
    where brand = $brand
      and brand_day >= $first_day::date
      and brand_day <= $last_day::date
      and list_contains($days::date[], brand_day)
      and kind = 'original'
      and is_complaint
),

per_category as (
    select
        day,
        category,
        count(*)::bigint as complaints,
        coalesce(sum(author_followers), 0)::bigint as complaint_reach
    from complaints
    group by day, category
)

select
    $brand as brand,
    day,
    category,
    complaints,
    complaint_reach,
    complaints / sum(complaints) over (partition by day) as share
from per_category
order by day, category
