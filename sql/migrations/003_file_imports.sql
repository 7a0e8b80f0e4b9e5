-- 003: file imports. Quarantined records are keyed by the batch they came in (an interval
-- load's "<start>_<end>" in UTC, or an imported file's checksum), so quarantine serves
-- both kinds of load; file_imports is the ledger that makes every file load exactly once.

create table quarantine_v3 (
    source         varchar   not null,
    brand          varchar   not null,
    batch_id       varchar   not null,  -- "<start>_<end>" (UTC, %Y%m%dT%H%M%SZ) or a file's sha256
    interval_start timestamp,           -- the load's data interval (null for a file import)
    interval_end   timestamp,
    record_no      integer   not null,  -- 0-based position in the landed batch
    post_id        varchar,             -- when the record had one
    reason         varchar   not null,  -- "<field>: <problem>"
    raw            varchar   not null,  -- the record as landed (JSON)
    primary key (source, brand, batch_id, record_no)
);

insert into quarantine_v3
select
    source,
    brand,
    strftime(interval_start, '%Y%m%dT%H%M%SZ') || '_' || strftime(interval_end, '%Y%m%dT%H%M%SZ'),
    interval_start,
    interval_end,
    record_no,
    post_id,
    reason,
    raw
from quarantine;

drop table quarantine;

alter table quarantine_v3 rename to quarantine;

-- file_imports: one row per imported file (by content), the ledger of the file source.
create table if not exists file_imports (
    brand         varchar not null,
    sha256        varchar not null,  -- checksum of the file's bytes
    file_name     varchar not null,  -- name when it was imported
    landing_path  varchar not null,
    rows_read     bigint  not null,
    loaded        bigint  not null,  -- posts written (new or replaced)
    duplicates    bigint  not null,  -- rows repeating a post id within the file
    quarantined   bigint  not null,
    first_post_at timestamp,         -- earliest / latest created_at among loaded posts
    last_post_at  timestamp,
    model_version varchar not null,
    primary key (brand, sha256)
);
