-- 001: scored posts, quarantined records and the per-load ledger.
-- All timestamps are UTC (timestamp without time zone, by convention of this warehouse).

-- posts: one row per (source, post_id). Every post landed for a brand, scored, with what it
-- is (`kind`): only `original` posts count as customer voice in the aggregates.
create table if not exists posts (
    source                varchar   not null,  -- demo, x, bluesky, mastodon, file
    post_id               varchar   not null,  -- the provider's id
    brand                 varchar   not null,  -- brand id from the brands file
    created_at            timestamp not null,  -- UTC
    brand_day             date      not null,  -- created_at's calendar day in the brand's time zone
    author_id             varchar   not null,
    author_handle         varchar   not null,
    author_followers      bigint    not null,  -- reach: the author's followers when fetched
    text                  varchar   not null,
    lang                  varchar,             -- ISO 639 code as the provider reports it
    url                   varchar,
    conversation_id       varchar,             -- id of the thread's root post
    in_reply_to_post_id   varchar,
    in_reply_to_author_id varchar,
    repost_of             varchar,             -- post_id of the reposted post, for reposts
    is_brand_reply        boolean   not null,  -- written by one of the brand's own accounts
    kind                  varchar   not null,  -- original | repost | copy | spam | brand_reply
    duplicate_of          varchar,             -- for copies: post_id of the earliest same text
    text_fingerprint      varchar   not null,  -- hash of the text without links, case, spacing
    compound              double    not null,  -- VADER compound, -1..1
    pos                   double    not null,
    neu                   double    not null,
    neg                   double    not null,
    sentiment             varchar   not null,  -- positive | neutral | negative (VADER README thresholds)
    is_complaint          boolean   not null,
    complaint_score       double    not null,  -- 0..1
    complaint_category    varchar,             -- primary category of a complaint, else null
    model_version         varchar   not null,  -- scoring assets that produced these scores
    primary key (source, post_id)
);

-- quarantine: one row per landed record that could not become a post, with the reason.
create table if not exists quarantine (
    source         varchar   not null,
    brand          varchar   not null,
    interval_start timestamp not null,  -- the load's data interval
    interval_end   timestamp not null,
    record_no      integer   not null,  -- 0-based position in the landed batch
    post_id        varchar,             -- when the record had one
    reason         varchar   not null,  -- "<field>: <problem>"
    raw            varchar   not null,  -- the record as landed (JSON)
    primary key (source, brand, interval_start, interval_end, record_no)
);

-- load_runs: one row per (source, brand, interval) load, replaced when it is rerun.
create table if not exists load_runs (
    source         varchar   not null,
    brand          varchar   not null,
    interval_start timestamp not null,
    interval_end   timestamp not null,
    landing_path   varchar   not null,
    fetched        bigint    not null,  -- records in the landed batch
    loaded         bigint    not null,  -- posts written
    duplicates     bigint    not null,  -- records repeating a post_id already in the batch
    quarantined    bigint    not null,
    model_version  varchar   not null,
    primary key (source, brand, interval_start, interval_end)
);
