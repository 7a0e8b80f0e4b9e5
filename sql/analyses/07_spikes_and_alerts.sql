-- title: Spikes, and how many alerts went out
-- Every detected spike and the alert emails that told it: sent, failed, and to how many
-- recipients (status 'included': a recovery note an earlier email already carried). One
-- email tells a whole incident, so it counts for each spike it covered (spike_ids).
select
    s.brand,
    s.metric,
    s.started_at,
    s.ended_at,
    s.severity,
    s.hours,
    s.observed,
    s.expected,
    count(a.spike_id) filter (where a.status = 'sent') as alerts_sent,
    count(a.spike_id) filter (where a.status = 'failed') as alerts_failed,
    count(distinct a.recipient) filter (where a.status = 'sent') as recipients
from spikes as s
left join alerts as a
    on a.spike_id = s.spike_id
    or list_contains(string_split(coalesce(a.spike_ids, ''), ','), s.spike_id)
group by s.brand, s.metric, s.started_at, s.ended_at, s.severity, s.hours, s.observed, s.expected
order by s.started_at, s.brand, s.metric
