-- The alert deliveries of the listed spikes: one row per delivery (a failed alert that a
-- later one at the incident's new severity replaced, status 'superseded', is none).
-- Parameters: $brand, $spikes (list of spike ids).
select spike_id, kind, severity, recipient, channel, status, sent_at
from alerts
where brand = $brand and list_contains($spikes, spike_id) and status <> 'superseded'
order by claimed_at, spike_id, recipient
