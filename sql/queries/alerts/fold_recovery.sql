-- Record that the opening alert of a spike already ended when first seen said so: a
-- 'recovered' row with status 'included', copied from the opening alert's row.
-- Parameters: $spike_id, $severity, $recipient.
insert or ignore into alerts
select
    spike_id,
    brand,
    metric,
    'recovered',
    severity,
    recipient,
    channel,
    'included',
    0,
    message_id,
    claimed_at,
    sent_at,
    null
from alerts
where spike_id = $spike_id
  and kind = 'opened'
  and severity = $severity
  and recipient = $recipient
