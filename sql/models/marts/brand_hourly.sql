-- model: brand_hourly
-- layer: mart (a contract table, materialized by pipeline.warehouse.marts.refresh_hourly)
-- grain: one row per brand and UTC hour, hours without posts included (zeros, null ratios)
-- key: brand, hour
-- inputs: int_post_measures
-- columns: brand, hour; posts, positive, neutral, negative, complaints (original posts);
--   mean_compound; negative_share, complaint_share; reach, negative_reach, complaint_reach,
--   negative_reach_share; reposts, copies, spam, brand_replies; unscored (original posts not
--   scored: in no other measure; sql/migrations/002 and 017, and
--   docs/warehouse.md)
-- Selects the rows of one brand for the given hours (the refresh replaces exactly those).
-- Parameters: $brand (brand id), $hours (list of UTC hour starts), $start, $end (their span).
with hours as (
    select unnest($hours::timestamp[]) as hour
),

measures as (
    select
        hour,
        count_if(in_posts) as posts,
        count_if(in_positive) as positive,
        count_if(in_neutral) as neutral,
        count_if(in_negative) as negative,
        count_if(in_complaints) as complaints,
        sum(compound_e4) / 10000.0 / nullif(count_if(in_posts), 0) as mean_compound,
        coalesce(sum(reach), 0)::bigint as reach,
        coalesce(sum(negative_reach), 0)::bigint as negative_reach,
        coalesce(sum(complaint_reach), 0)::bigint as complaint_reach,
        count_if(in_reposts) as reposts,
        count_if(in_copies) as copies,
        count_if(in_spam) as spam,
        count_if(in_brand_replies) as brand_replies,
        count_if(in_unscored) as unscored
    from int_post_measures
    where brand = $brand
      and created_at >= $start::timestamp
      and created_at < $end::timestamp
    group by hour
)

select
    $brand as brand,
    hours.hour,
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
    coalesce(m.brand_replies, 0) as brand_replies,
    coalesce(m.unscored, 0) as unscored
from hours
left join measures as m on m.hour = hours.hour
order by hours.hour
