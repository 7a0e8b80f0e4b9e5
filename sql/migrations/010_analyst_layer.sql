-- 010: the analyst layer's views: staging and intermediate models (docs/warehouse.md, "The
-- layers"). staging renames and derives over the stored tables, never filters; intermediate
-- holds the business rules the marts share (what counts as customer voice, a complaint, the
-- brand's reply, each aggregate measure). The marts are the contract tables (brand_hourly,
-- brand_daily, brand_daily_categories, complaint_responses), materialized by the refresh
-- functions from sql/transforms/, which select from these views.
--
-- Views hold no rows: DuckDB expands them into the query that reads them (filters reach the
-- tables), so they are always as current as the tables, and they are in the analyst snapshot
-- too (it is a byte copy of the working file). Applied migrations never change: a change to a
-- view is a new migration with `create or replace view` (the highest-numbered definition is
-- the current one). Every model starts with the same header lines, read by
-- tests/sql/test_layers.py: model, layer, grain, key (columns unique and not null), inputs,
-- columns.


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
--   model_version. Left out: pos, neu, neg and the copy-detection internals.
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
    complaint_category,
    model_version
from posts;


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
    model_version
from stg_posts
where kind = 'original';


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


-- model: int_post_measures
-- layer: intermediate
-- grain: one row per stored post and brand (every kind)
-- key: source, brand, post_id
-- inputs: stg_posts
-- columns: source, brand, post_id, created_at, hour, brand_day; what the post adds to each
--   measure of brand_hourly and brand_daily, so both marts count by the same rules:
--   in_posts (an original post: customer voice), in_positive, in_neutral, in_negative (an
--   original post with that sentiment label), in_complaints (an original complaint),
--   compound_e4 (an original post's VADER compound in whole ten-thousandths, else null:
--   VADER rounds to 4 decimals, so summing these is exact in any order), reach,
--   negative_reach, complaint_reach (the author's followers when the post is in posts /
--   negative / complaints, else 0), in_reposts, in_copies, in_spam, in_brand_replies (the
--   post's kind, for the posts not counted as customer voice)
create or replace view int_post_measures as
select
    source,
    brand,
    post_id,
    created_at,
    hour,
    brand_day,
    kind = 'original' as in_posts,
    kind = 'original' and sentiment = 'positive' as in_positive,
    kind = 'original' and sentiment = 'neutral' as in_neutral,
    kind = 'original' and sentiment = 'negative' as in_negative,
    kind = 'original' and is_complaint as in_complaints,
    case when kind = 'original' then round(compound * 10000)::bigint end as compound_e4,
    case when kind = 'original' then author_followers else 0 end as reach,
    case
        when kind = 'original' and sentiment = 'negative' then author_followers else 0
    end as negative_reach,
    case when kind = 'original' and is_complaint then author_followers else 0 end as complaint_reach,
    kind = 'repost' as in_reposts,
    kind = 'copy' as in_copies,
    kind = 'spam' as in_spam,
    kind = 'brand_reply' as in_brand_replies
from stg_posts;
