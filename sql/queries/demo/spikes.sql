-- The demo's spikes and the alert emails sent for each: one row per spike started in
-- [?, ?).
-- Parameters (in order): the first and the end UTC timestamps.
select
    s.brand, s.metric, s.started_at, s.hours, s.observed, s.expected, s.severity,
    count(a.recipient) filter (where a.status = 'sent')::bigint as emails
from spikes as s
left join alerts as a using (spike_id)
where s.started_at >= ? and s.started_at < ?
group by all
order by s.brand, s.started_at, s.metric
