-- 007: data-quality results. Every run of a quality suite (pipeline/posts/quality.py) stores one
-- row per expectation: what was checked, on which batch, and how it came out. A rerun of
-- the same suite on the same batch replaces its rows.

-- quality_results: one row per (suite, source, brand, batch_id, expectation).
create table if not exists quality_results (
    suite            varchar   not null,  -- posts | brand_hourly | brand_daily | brand_daily_categories
    source           varchar   not null,  -- the load's source; '*' for aggregate suites
    brand            varchar   not null,
    batch_id         varchar   not null,  -- the load's batch ("<start>_<end>" UTC or a file's sha256), or the aggregated interval
    expectation      varchar   not null,  -- "<expectation type>(<column(s)>)"
    success          boolean   not null,
    element_count    bigint    not null,  -- rows checked
    unexpected_count bigint    not null,  -- rows that failed it (quarantined, for the posts suite)
    details          varchar   not null,  -- JSON: the expectation's arguments, a sample of failing values, any error
    checked_at       timestamp not null,  -- UTC, when the suite ran (audit only; no logic reads it)
    primary key (suite, source, brand, batch_id, expectation)
);
