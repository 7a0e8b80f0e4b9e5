-- title: Complaint rate by category, this week vs last
-- Complaints per 1,000 customer posts, by category: the brand's latest 7 local days
-- ("this week") against the 7 before. Days come from brand_daily, so both weeks count the
-- same kind of posts (original ones).
with weeks as (
    select
        brand,
        day,
        posts,
        day > max(day) over (partition by brand) - 7 as this_week
    from brand_daily
    qualify day > max(day) over (partition by brand) - 14
),

volume as (
    select
        brand,
        sum(posts) filter (where this_week) as posts_this_week,
        sum(posts) filter (where not this_week) as posts_last_week
    from weeks
    group by brand
),

by_category as (
    select
        c.brand,
        c.category,
        coalesce(sum(c.complaints) filter (where w.this_week), 0) as complaints_this_week,
        coalesce(sum(c.complaints) filter (where not w.this_week), 0) as complaints_last_week
    from brand_daily_categories as c
    inner join weeks as w on w.brand = c.brand and w.day = c.day
    group by c.brand, c.category
)

select
    b.brand,
    b.category,
    b.complaints_this_week,
    b.complaints_last_week,
    round(1000.0 * b.complaints_this_week / nullif(v.posts_this_week, 0), 1) as per_1000_this_week,
    round(1000.0 * b.complaints_last_week / nullif(v.posts_last_week, 0), 1) as per_1000_last_week
from by_category as b
inner join volume as v on v.brand = b.brand
order by b.brand, per_1000_this_week desc, b.category
