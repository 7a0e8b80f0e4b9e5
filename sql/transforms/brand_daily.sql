-- brand_daily rows for one brand and the given local days: one row per brand per calendar
-- day in the brand's time zone, days without posts included.
-- Parameters: $brand, $timezone (its IANA zone), $days (list of dates), $first_day, $last_day.
with days as (
    select unnest($days::date[]) as day
),

brand_posts as (
    select
        brand_day as day,
        kind,
        sentiment,
        is_complaint,
        compound,
        author_followers
    from posts
    where brand = $brand
      and brand_day >= $first_day::date
      and brand_day <= $last_day::date
),

measures as (
    select
        day,
        count(*) filter (where kind = 'original') as posts,
        count(*) filter (where kind = 'original' and sentiment = 'positive') as positive,
        count(*) filter (where kind = 'original' and sentiment = 'neutral') as neutral,
        count(*) filter (where kind = 'original' and sentiment = 'negative') as negative,
        count(*) filter (where kind = 'original' and is_complaint) as complaints,
        -- VADER gives compound to 4 decimals: summing whole ten-thousandths makes the mean
        -- exact, independent of the order DuckDB's threads add rows in.
        sum(round(compound * 10000)::bigint) filter (where kind = 'original') / 10000.0
            / nullif(count(*) filter (where kind = 'original'), 0) as mean_compound,
        coalesce(sum(author_followers) filter (where kind = 'original'), 0)::bigint as reach,
        coalesce(sum(author_followers) filter (where kind = 'original' and sentiment = 'negative'), 0)::bigint as negative_reach,
        coalesce(sum(author_followers) filter (where kind = 'original' and is_complaint), 0)::bigint as complaint_reach,
        count(*) filter (where kind = 'repost') as reposts,
        count(*) filter (where kind = 'copy') as copies,
        count(*) filter (where kind = 'spam') as spam,
        count(*) filter (where kind = 'brand_reply') as brand_replies
    from brand_posts
    group by day
)

select
    $brand as brand,
    days.day,
    $timezone as timezone,
    coalesce(m.posts, 0) as posts,
    coalesce(m.positive, 0) as positive,
    coalesce(m.neutral, 0) as neutral,
    coalesce(m.negative, 0) as negative,
    coalesce(m.complaints, 0) as complaints,
    m.mean_compound,
    m.negative / nullif(m.posts, 0) as negative_share,
    m.complaints / nullif(m.posts, 0) as complaint_share,
    coalesce(m.reach, 0) as reach,
    coalesce(m.negative_reach, 0) as negative_reach,
    coalesce(m.complaint_reach, 0) as complaint_reach,
    m.negative_reach / nullif(m.reach, 0) as negative_reach_share,
    coalesce(m.reposts, 0) as reposts,
    coalesce(m.copies, 0) as copies,
    coalesce(m.spam, 0) as spam,
    coalesce(m.brand_replies, 0) as brand_replies
from days
left join measures as m on m.day = days.day
order by days.day
