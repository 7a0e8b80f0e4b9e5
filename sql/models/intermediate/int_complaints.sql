-- model: int_complaints
-- layer: intermediate
-- grain: one row per complaint (an original post flagged is_complaint) and brand
-- key: source, brand, post_id
-- inputs: int_customer_posts
-- columns: source, brand, post_id, created_at, hour, brand_day, author_id, author_handle,
--   author_followers, text, lang, url, conversation_id, sentiment_compound, sentiment,
--   complaint_score, complaint_category (null when the detector named none), category
--   (complaint_category, or 'other')
create or replace view int_complaints as
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
    sentiment_compound,
    sentiment,
    complaint_score,
    complaint_category,
    coalesce(complaint_category, 'other') as category
from int_customer_posts
where is_complaint;
