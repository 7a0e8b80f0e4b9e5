-- spikes of one brand from its spike_hours: one row per episode (spike_id), its peak the
-- worst flagged hour, the largest observed minus expected (ties: the earliest; not the
-- hour with the highest score, which a sustained rise reaches late), its score the highest
-- score, its severity the highest reached, ended once the $recovery_hours hours after its
-- last flagged hour are stored (and none flagged: a flagged one would have joined the
-- episode). Only those hours count, so
-- a stray hour stored far ahead never ends a spike that is still running.
-- Run after the brand's spike_hours are replaced and its spikes deleted
-- (pipeline.detect.store.detect_brand).
-- Parameters: $brand, $recovery_hours, $version (the detector version stored with it).
insert into spikes by name
with ranked as (
    select
        *,
        row_number() over (
            partition by spike_id order by observed - expected desc, hour
        ) as peak_rank
    from spike_hours
    where brand = $brand
),

episodes as (
    select
        spike_id,
        brand,
        metric,
        min(hour) as started_at,
        max(hour) as last_hour,
        count(*)::integer as hours,
        max(score) as top_score,
        max(case severity when 'critical' then 2 else 1 end) as rank
    from spike_hours
    where brand = $brand
    group by spike_id, brand, metric
)

select
    e.spike_id,
    e.brand,
    e.metric,
    e.started_at,
    e.last_hour,
    case
        when (
            select count(*)
            from brand_hourly as h
            where h.brand = $brand
              and h.hour > e.last_hour
              and h.hour <= e.last_hour + to_hours($recovery_hours::bigint)
        ) >= $recovery_hours
            then e.last_hour + interval 1 hour
    end as ended_at,
    p.hour as peak_hour,
    p.observed,
    p.expected,
    e.top_score as score,
    case e.rank when 2 then 'critical' else 'warning' end as severity,
    e.hours,
    $version as detector_version
from episodes as e
inner join ranked as p on p.spike_id = e.spike_id and p.peak_rank = 1
