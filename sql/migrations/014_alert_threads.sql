-- 014: alerts are told per incident, in one email thread (pipeline/notify/alerts/).
-- An incident is the spikes of one brand whose flagged hours overlap or touch; its alerts
-- are keyed by its lead spike (alerts.spike_id) and carry what the thread needs.
alter table alerts add column subject varchar;      -- the subject sent (a follow-up's is 'Re: ' and the opening's)
alter table alerts add column in_reply_to varchar;  -- the Message-ID of the incident's opening alert to this recipient (follow-ups only)
alter table alerts add column spike_ids varchar;    -- the incident's spikes the message covered, comma-separated
