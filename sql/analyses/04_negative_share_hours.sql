-- title: Hours when the negative share spiked, and what was said
-- The 10 hours whose negative share rose most above the brand's share over the 7 days
-- before (hours with at least 10 customer posts), whether the spike detector flagged the
-- hour, and the three most-followed negative posts of the hour: what was said.
with hours as (
    select
        brand,
        hour,
        posts,
        negative_share,
        sum(negative) over before_hour / nullif(sum(posts) over before_hour, 0) as share_before
    from brand_hourly
    window before_hour as (
        partition by brand order by hour
        range between interval 7 days preceding and interval 1 hour preceding
    )
),

top_hours as (
    select *, negative_share - share_before as rise
    from hours
    where posts >= 10 and share_before is not null
    order by rise desc, brand, hour
    limit 10
),

flagged as (
    select brand, hour, string_agg(metric, ', ' order by metric) as flagged_metrics
    from spike_hours
    group by brand, hour
),

said as (
    select
        p.brand,
        p.hour,
        list(p.text order by p.author_followers desc, p.post_id)[1:3] as top_negative_posts
    from int_customer_posts as p
    inner join top_hours as t on t.brand = p.brand and t.hour = p.hour
    where p.sentiment = 'negative'
    group by p.brand, p.hour
)

select
    t.brand,
    t.hour,
    t.posts,
    round(t.negative_share, 3) as negative_share,
    round(t.share_before, 3) as share_before,
    f.flagged_metrics,
    s.top_negative_posts
from top_hours as t
left join flagged as f on f.brand = t.brand and f.hour = t.hour
left join said as s on s.brand = t.brand and s.hour = t.hour
order by t.rise desc, t.brand, t.hour
