-- model: int_brand_replies
-- layer: intermediate
-- grain: one row per post written by one of the brand's own accounts, and brand
-- key: source, brand, post_id
-- inputs: stg_posts
-- columns: source, brand, post_id, created_at, hour, brand_day, author_handle (the brand
--   account), text, url, conversation_id, in_reply_to_post_id, in_reply_to_author_id
create or replace view int_brand_replies as
select
    source,
    brand,
    post_id,
    created_at,
    hour,
    brand_day,
    author_handle,
    text,
    url,
    conversation_id,
    in_reply_to_post_id,
    in_reply_to_author_id
from stg_posts
where is_brand_reply;
