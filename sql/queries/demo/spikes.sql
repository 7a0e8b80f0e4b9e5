-- The demo's spikes and the alert emails that told each (an email tells a whole incident,
-- so it counts for every spike it covered): one row per spike started in [?, ?).
-- Parameters (in order): the first and the end UTC timestamps.
select
    s.brand, s.metric, s.started_at, s.hours, s.observed, s.expected, s.severity,
    count(a.recipient) filter (where a.status = 'sent')::bigint as emails
from spikes as s
left join alerts as a
    on a.spike_id = s.spike_id
    or list_contains(string_split(coalesce(a.spike_ids, ''), ','), s.spike_id)
where s.started_at >= ? and s.started_at < ?
group by all
order by s.brand, s.started_at, s.metric
