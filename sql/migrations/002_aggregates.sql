-- 002: hourly and daily brand aggregates. Both count only `original` posts (customer
-- voice); reposts, copies, spam and the brand's own replies are counted beside them.

-- brand_hourly: one row per brand per UTC hour, also for hours without posts.
create table if not exists brand_hourly (
    brand                varchar   not null,
    hour                 timestamp not null,  -- UTC start of the hour
    posts                bigint    not null,  -- original posts
    positive             bigint    not null,
    neutral              bigint    not null,
    negative             bigint    not null,
    complaints           bigint    not null,
    mean_compound        double,              -- null when posts = 0
    negative_share       double,              -- negative / posts, null when posts = 0
    complaint_share      double,              -- complaints / posts, null when posts = 0
    reach                bigint    not null,  -- followers of the authors of original posts
    negative_reach       bigint    not null,  -- ... of the negative ones
    complaint_reach      bigint    not null,  -- ... of the complaints
    negative_reach_share double,              -- negative_reach / reach, null when reach = 0
    reposts              bigint    not null,
    copies               bigint    not null,
    spam                 bigint    not null,
    brand_replies        bigint    not null,
    primary key (brand, hour)
);

-- brand_daily: one row per brand per calendar day in the brand's time zone.
create table if not exists brand_daily (
    brand                varchar not null,
    day                  date    not null,  -- calendar day in the brand's time zone
    timezone             varchar not null,  -- that time zone (IANA name)
    posts                bigint  not null,
    positive             bigint  not null,
    neutral              bigint  not null,
    negative             bigint  not null,
    complaints           bigint  not null,
    mean_compound        double,
    negative_share       double,
    complaint_share      double,
    reach                bigint  not null,
    negative_reach       bigint  not null,
    complaint_reach      bigint  not null,
    negative_reach_share double,
    reposts              bigint  not null,
    copies               bigint  not null,
    spam                 bigint  not null,
    brand_replies        bigint  not null,
    primary key (brand, day)
);
