-- model: stg_posts
-- layer: staging
-- grain: one row per stored post and brand
-- key: source, brand, post_id
-- inputs: posts
-- columns: source, brand, post_id; created_at (UTC) and hour (its UTC hour start); brand_day
--   (the brand's local day); author_id, author_handle, author_followers (reach); text, lang,
--   url; conversation_id, in_reply_to_post_id, in_reply_to_author_id (the thread); kind,
--   is_brand_reply; compound (VADER's own), sentiment_compound (after the known-misread
--   fixes), sentiment (its label); is_complaint, complaint_score, complaint_category;
--   learned_complaint_score (the learned complaint stage's score, null where it did not
--   run); model_version; text_lang (the language the post was read in), unscored_reason
--   (why it was not scored, null when scored: then the score columns are null). Left out:
--   pos, neu, neg and the copy-detection internals.
create or replace view stg_posts as
select
    source,
    brand,
    post_id,
    created_at,
    date_trunc('hour', created_at) as hour,
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
    kind,
    is_brand_reply,
    compound,
    sentiment_compound,
    sentiment,
    is_complaint,
    complaint_score,
    learned_complaint_score,
    complaint_category,
    model_version,
    text_lang,
    unscored_reason
from posts;
