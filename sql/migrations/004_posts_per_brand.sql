-- 004: posts are keyed per brand: a post that mentions two watched brands (a comparison of
-- competitors) is stored once for each. And copy_candidate: whether a post takes part in
-- copy detection, which is decided in SQL over all stored posts after every load
-- (sql/transforms/copies.sql), so that it does not depend on the order loads ran in.

create table posts_v4 (
    source                varchar   not null,
    post_id               varchar   not null,
    brand                 varchar   not null,
    created_at            timestamp not null,
    brand_day             date      not null,
    author_id             varchar   not null,
    author_handle         varchar   not null,
    author_followers      bigint    not null,
    text                  varchar   not null,
    lang                  varchar,
    url                   varchar,
    conversation_id       varchar,
    in_reply_to_post_id   varchar,
    in_reply_to_author_id varchar,
    repost_of             varchar,
    is_brand_reply        boolean   not null,
    kind                  varchar   not null,
    duplicate_of          varchar,
    text_fingerprint      varchar   not null,
    compound              double    not null,
    pos                   double    not null,
    neu                   double    not null,
    neg                   double    not null,
    sentiment             varchar   not null,
    is_complaint          boolean   not null,
    complaint_score       double    not null,
    complaint_category    varchar,
    model_version         varchar   not null,
    copy_candidate        boolean   not null,  -- an original or copy long enough to compare
    primary key (source, brand, post_id)
);

insert into posts_v4 by name
select *, kind in ('original', 'copy') as copy_candidate from posts;

drop table posts;

alter table posts_v4 rename to posts;
