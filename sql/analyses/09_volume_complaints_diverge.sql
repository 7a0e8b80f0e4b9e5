-- title: Days where volume and complaints diverge
-- The 10 days where volume and complaints moved apart most: each against the brand's mean
-- of the 7 days before; divergence is the log ratio of the two changes (positive:
-- complaints grew faster than volume, negative: slower).
with recent_days as (
    select
        brand,
        day,
        posts,
        complaints,
        avg(posts) over before_day as posts_before,
        avg(complaints) over before_day as complaints_before
    from brand_daily
    window before_day as (partition by brand order by day rows between 7 preceding and 1 preceding)
)

select
    brand,
    day,
    posts,
    round(posts / nullif(posts_before, 0), 2) as volume_vs_before,
    complaints,
    round(complaints / nullif(complaints_before, 0), 2) as complaints_vs_before,
    round(ln((complaints + 1) / (complaints_before + 1)) - ln((posts + 1) / (posts_before + 1)), 2)
        as divergence
from recent_days
where posts_before is not null
order by abs(divergence) desc, brand, day
limit 10
