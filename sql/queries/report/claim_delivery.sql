-- Claim a report delivery in the ledger: its row, status 'sending', before the email is
-- handed over (the row of an earlier attempt is deleted first).
-- Parameters (in order): brand, day, recipient, channel, attempts, message_id, claimed_at.
insert into report_deliveries
    (brand, day, recipient, channel, status, attempts, message_id, claimed_at)
values (?, ?, ?, ?, 'sending', ?, ?, ?)
