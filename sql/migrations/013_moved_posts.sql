-- 013: posts that a later load moved to another time. When a later batch or file
-- re-delivers a post id with another created_at, the load replaces the post and notes the
-- time it was counted at before; the next aggregate of the brand refreshes that hour and
-- local day (and the copies and complaint responses around it), so they stop counting it,
-- then deletes the row. Empty between a load and its aggregate step.
-- Also: load_runs and quarantine rows of interval loads are now written per hour of the
-- load's fetch window (see docs/warehouse.md), so reruns of any interval replace exactly
-- the hours they cover.

-- moved_posts: one row per brand and former created_at still to be refreshed.
create table if not exists moved_posts (
    brand      varchar   not null,
    created_at timestamp not null,  -- UTC, where the post was counted before it moved
    primary key (brand, created_at)
);
