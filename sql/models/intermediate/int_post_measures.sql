-- model: int_post_measures
-- layer: intermediate
-- grain: one row per stored post and brand (every kind)
-- key: source, brand, post_id
-- inputs: stg_posts
-- columns: source, brand, post_id, created_at, hour, brand_day; what the post adds to each
--   measure of brand_hourly and brand_daily, so both marts count by the same rules:
--   in_posts (a scored original post: customer voice), in_unscored (an original post left
--   unscored: in a language without a scorer or not the brand's, counted apart and in no
--   other measure), in_positive, in_neutral, in_negative (an original post with that
--   sentiment label), in_complaints (an original complaint),
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
    kind = 'original' and unscored_reason is null as in_posts,
    kind = 'original' and unscored_reason is not null as in_unscored,
    kind = 'original' and sentiment = 'positive' as in_positive,
    kind = 'original' and sentiment = 'neutral' as in_neutral,
    kind = 'original' and sentiment = 'negative' as in_negative,
    kind = 'original' and is_complaint as in_complaints,
    case
        when kind = 'original' and unscored_reason is null then round(compound * 10000)::bigint
    end as compound_e4,
    case
        when kind = 'original' and unscored_reason is null then author_followers else 0
    end as reach,
    case
        when kind = 'original' and sentiment = 'negative' then author_followers else 0
    end as negative_reach,
    case when kind = 'original' and is_complaint then author_followers else 0 end as complaint_reach,
    kind = 'repost' as in_reposts,
    kind = 'copy' as in_copies,
    kind = 'spam' as in_spam,
    kind = 'brand_reply' as in_brand_replies
from stg_posts;
