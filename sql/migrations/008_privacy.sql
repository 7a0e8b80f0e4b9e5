-- 008: what the privacy functions did (pipeline/warehouse/privacy.py): one row per action and brand.
create table if not exists privacy_log (
    logged_at timestamp not null,  -- UTC
    action    varchar   not null,  -- forget | retention
    brand     varchar   not null,
    subject   varchar,            -- forget: a hash of the author's handle (never the handle)
    details   varchar   not null  -- JSON: rows removed or emptied per table, landing records
);
