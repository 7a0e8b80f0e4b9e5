-- The headline: the report day's figures of brand_daily against the mean of the
-- BASELINE_DAYS days before it, and their changes; one row.
-- Parameters: $brand, $day (the brand's local day), $base_first (the first baseline day).
with today as (
    select posts, complaints, complaint_share, negative_share, mean_compound,
           complaint_reach, brand_replies, unscored
    from brand_daily
    where brand = $brand and day = $day
),

base as (
    select
        count(*) as days,
        avg(posts) as posts,
        avg(complaints) as complaints,
        sum(complaints) / nullif(sum(posts), 0) as complaint_share,
        sum(negative) / nullif(sum(posts), 0) as negative_share,
        sum(mean_compound * posts) / nullif(sum(posts), 0) as mean_compound
    from brand_daily
    where brand = $brand and day >= $base_first and day < $day
)

select
    (select count(*) from today) as loaded,
    b.days,
    t.posts, b.posts, (t.posts - b.posts) / nullif(b.posts, 0),
    t.complaints, b.complaints, (t.complaints - b.complaints) / nullif(b.complaints, 0),
    t.complaint_share, b.complaint_share, t.complaint_share - b.complaint_share,
    t.negative_share, b.negative_share, t.negative_share - b.negative_share,
    t.mean_compound, b.mean_compound, t.mean_compound - b.mean_compound,
    coalesce(t.complaint_reach, 0), coalesce(t.brand_replies, 0), coalesce(t.unscored, 0)
from base as b
left join today as t on true
