-- The demo summary's table: one row per brand and local day in [?, ?), with the
-- spikes under way that day.
-- Parameters (in order): the first day, the day after the last.
select
    d.brand, d.day, d.posts, round(d.negative_share, 3) as negative_share, d.complaints,
    coalesce((
        select '◀ ' || string_agg(distinct replace(s.metric, '_', ' '), ', ') || ' spike'
        from spikes as s
        where s.brand = d.brand
          and (timezone(d.timezone, s.started_at::timestamptz))::date <= d.day
          and (timezone(d.timezone, s.last_hour::timestamptz))::date >= d.day
    ), '') as spikes
from brand_daily as d
where d.day >= ? and d.day < ?
order by d.brand, d.day
