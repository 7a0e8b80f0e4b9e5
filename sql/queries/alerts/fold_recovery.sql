-- Record that a message just delivered (the carrier: $kind, $carrier_severity) said the
-- incident had ended: a 'recovered' row with status 'included', copied from the carrier's
-- row, so no separate recovery note is sent.
-- Parameters: $spike_id (the incident's key), $severity (of the recovery), $recipient,
-- $kind, $carrier_severity.
insert or ignore into alerts by name
select
    spike_id,
    brand,
    metric,
    'recovered' as kind,
    $severity as severity,
    recipient,
    channel,
    'included' as status,
    0 as attempts,
    message_id,
    claimed_at,
    sent_at,
    subject,
    in_reply_to,
    spike_ids
from alerts
where spike_id = $spike_id
  and kind = $kind
  and severity = $carrier_severity
  and recipient = $recipient
