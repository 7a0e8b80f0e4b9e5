-- Claim an alert delivery: its ledger row, status 'sending', committed before the email is
-- handed over (pipeline/notify/alerts/ledger.py). A row claimed before (left 'sending' by a
-- crash, or 'failed') is claimed again: one more attempt, the same Message-ID.
-- Parameters: $spike_id (the incident's key), $brand, $metric, $kind, $severity,
-- $recipient, $message_id, $claimed_at, $subject, $in_reply_to, $spike_ids.
insert into alerts by name
select
    $spike_id as spike_id,
    $brand as brand,
    $metric as metric,
    $kind as kind,
    $severity as severity,
    $recipient as recipient,
    'pending' as channel,
    'sending' as status,
    1 as attempts,
    $message_id as message_id,
    $claimed_at as claimed_at,
    $subject as subject,
    $in_reply_to as in_reply_to,
    $spike_ids as spike_ids
on conflict (spike_id, kind, severity, recipient) do update set
    status = 'sending',
    attempts = alerts.attempts + 1,
    subject = excluded.subject,
    in_reply_to = excluded.in_reply_to,
    spike_ids = excluded.spike_ids
