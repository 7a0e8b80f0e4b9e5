-- model: brand_daily_categories
-- layer: mart (a contract table, materialized by pipeline.warehouse.marts.refresh_daily, with
--   brand_daily)
-- grain: one row per brand, local day and complaint category with at least one complaint
-- key: brand, day, category
-- inputs: int_complaints
-- columns: brand, day, category (the complaint's category, or 'other'), complaints,
--   complaint_reach (summed followers of the complainers), share (of the day's complaints)
-- Selects the rows of one brand for the given local days (the refresh replaces exactly those).
-- Parameters: $brand, $days (list of dates), $first_day, $last_day.
with per_category as (
    select
        brand_day as day,
        category,
        count(*)::bigint as complaints,
        coalesce(sum(author_followers), 0)::bigint as complaint_reach
    from int_complaints
    where brand = $brand
      and brand_day >= $first_day::date
      and brand_day <= $last_day::date
      and list_contains($days::date[], brand_day)
    group by brand_day, category
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
