-- model: int_customer_posts
-- layer: intermediate
-- grain: one row per original post (customer voice) and brand
-- key: source, brand, post_id
-- inputs: stg_posts
-- columns: those of stg_posts but kind and is_brand_reply. Original posts only: reposts,
--   copies, spam and the brand's own replies are not customer voice and are left out.
create or replace view int_customer_posts as
select
    source,
    brand,
    post_id,
    created_at,
    hour,
    brand_day,
    author_id,
    author_handle,
    author_followers,
    text,
    lang,
    url,
    conversation_id,
    in_reply_to_post_id,
    in_reply_to_author_id,
    compound,
    sentiment_compound,
    sentiment,
    is_complaint,
    complaint_score,
    complaint_category,
    model_version,
    text_lang,
    unscored_reason
from stg_posts
where kind = 'original';
