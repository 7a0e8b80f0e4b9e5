-- 017: posts are scored in their own language, or not at all. Each post is read in one
-- language (text_lang: the source's declared language or the detected one, see
-- docs/scoring.md "Languages"); a post in a language that has no scorer, or that is not one
-- of the brand's `languages`, is stored with its sentiment and complaint fields null and
-- the reason in unscored_reason, never scored as English. Rows stored before this migration
-- were all scored: their text_lang and unscored_reason stay null.
alter table posts add column text_lang varchar;        -- the language the post was read in
alter table posts add column unscored_reason varchar;  -- why it was not scored; null when scored

alter table posts alter column compound drop not null;
alter table posts alter column pos drop not null;
alter table posts alter column neu drop not null;
alter table posts alter column neg drop not null;
alter table posts alter column sentiment drop not null;
alter table posts alter column is_complaint drop not null;
alter table posts alter column complaint_score drop not null;

-- unscored: original posts left unscored (sql/models/intermediate/int_post_measures.sql).
-- They are not in posts, positive, neutral, negative or complaints, nor in the shares and
-- reach; posts + unscored is every original post of the hour or day.
alter table brand_hourly add column unscored bigint not null default 0;
alter table brand_daily add column unscored bigint not null default 0;
