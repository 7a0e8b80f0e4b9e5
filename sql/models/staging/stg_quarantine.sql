-- model: stg_quarantine
-- layer: staging
-- grain: one row per landed record that could not become a post
-- key: source, brand, batch_id, record_no
-- inputs: quarantine
-- columns: source, brand, batch_id, interval_start, interval_end (null for a file import),
--   record_no, post_id; reason_field (what failed: the field before the reason's first colon,
--   e.g. created_at, text, quality, file), reason, raw
create or replace view stg_quarantine as
select
    source,
    brand,
    batch_id,
    interval_start,
    interval_end,
    record_no,
    post_id,
    trim(split_part(reason, ':', 1)) as reason_field,
    reason,
    raw
from quarantine;
