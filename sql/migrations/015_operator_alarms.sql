-- 015: the operators' alarm ledger. One row per alarm and recipient: an alarm is one stale
-- episode of a brand's ingest (no interval load landed for operators.freshness_hours), keyed
-- by the end of the last interval that did land, so a new silence after ingest resumed is a
-- new alarm. The row is claimed (status 'sending') and committed before the message is
-- handed over and marked 'sent' after, like alerts: a rerun never sends a 'sent' row again,
-- and a 'failed' or crashed one is retried by the next check while the episode lasts.
create table if not exists operator_alarms (
    alarm_id    varchar   not null,  -- freshness:<brand>:<last landed interval end, ISO UTC>
    kind        varchar   not null,  -- freshness
    brand       varchar   not null,
    last_landed timestamp not null,  -- UTC, end of the brand's newest landed interval load
    recipient   varchar   not null,  -- an email address, or slack:<conn>, teams:<conn>, webhook:<conn>
    channel     varchar   not null,  -- smtp | outbox | slack | teams | webhook
    status      varchar   not null,  -- sending | sent | failed
    attempts    integer   not null,  -- delivery attempts
    message_id  varchar   not null,  -- stable across attempts
    claimed_at  timestamp not null,  -- UTC, when the delivery was decided
    sent_at     timestamp,           -- UTC, when it was handed over
    error       varchar,             -- last delivery error, scrubbed of secrets
    primary key (alarm_id, recipient)
);
