-- 006: the brand's response to every complaint, and the ledger of daily-report deliveries.

-- complaint_responses: one row per complaint (an original post flagged is_complaint) with
-- the brand's first reply to it, if any. Derived from posts by
-- sql/transforms/complaint_responses.sql (pipeline/warehouse/responses.py); re-deriving a range of
-- complaints gives the same rows. A reply is the brand's when posts.is_brand_reply; it
-- answers the complaint when it is in the same source, not earlier than the complaint, and
-- either replies to the complaint itself (in_reply_to_post_id = post_id) or replies to the
-- complainer in the complaint's thread (same conversation_id, in_reply_to_author_id =
-- the complainer's author_id).
create table if not exists complaint_responses (
    source              varchar   not null,
    brand               varchar   not null,
    post_id             varchar   not null,  -- the complaint
    created_at          timestamp not null,  -- UTC, when it was posted
    brand_day           date      not null,  -- its calendar day in the brand's time zone
    author_id           varchar   not null,
    author_handle       varchar   not null,
    author_followers    bigint    not null,  -- reach of the complainer
    complaint_category  varchar,
    complaint_score     double    not null,
    url                 varchar,
    first_reply_post_id varchar,             -- the brand's first reply, null when unanswered
    first_reply_at      timestamp,           -- UTC
    first_reply_handle  varchar,             -- the brand account that answered
    response_seconds    bigint,              -- first_reply_at - created_at, in seconds
    answered            boolean   not null,  -- a reply is stored (as of the last refresh)
    primary key (source, brand, post_id)
);

-- report_deliveries: one row per daily report (brand, local day) and recipient. The row is
-- claimed (status 'sending') and committed before the email is handed over, and marked
-- 'sent' after: a rerun skips 'sent' rows unless forced (brandpulse report --resend), and a
-- row left 'sending' or 'failed' is resent with the same Message-ID.
create table if not exists report_deliveries (
    brand      varchar   not null,
    day        date      not null,  -- the reported calendar day in the brand's time zone
    recipient  varchar   not null,
    channel    varchar   not null,  -- smtp | outbox
    status     varchar   not null,  -- sending | sent | failed
    attempts   integer   not null,  -- delivery attempts, resends included
    message_id varchar   not null,  -- the email's Message-ID, stable across attempts
    claimed_at timestamp not null,  -- UTC, when the delivery was decided
    sent_at    timestamp,           -- UTC, when the SMTP server accepted it / the .eml was written
    error      varchar,             -- last delivery error, if any
    primary key (brand, day, recipient)
);
