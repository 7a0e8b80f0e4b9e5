-- 005: complaints per category, detected spikes and the alert ledger.

-- brand_daily_categories: one row per brand, local day and complaint category that day had
-- complaints in (original posts only, like brand_daily). Refreshed with brand_daily.
create table if not exists brand_daily_categories (
    brand           varchar not null,
    day             date    not null,  -- calendar day in the brand's time zone
    category        varchar not null,  -- primary complaint category (models/categories.yaml)
    complaints      bigint  not null,
    complaint_reach bigint  not null,  -- summed followers of the complainers
    share           double  not null,  -- of the day's complaints, 0..1
    primary key (brand, day, category)
);

-- spikes: one row per detected spike, an episode of consecutive flagged hours of one metric
-- of one brand. Derived from brand_hourly by pipeline/detect/engine.py, causally (an hour is judged
-- on earlier hours only); re-deriving a range gives the same rows.
create table if not exists spikes (
    spike_id         varchar   not null,  -- <brand>:<metric>:<started_at ISO hour>
    brand            varchar   not null,
    metric           varchar   not null,  -- complaints | negative_share | volume
    started_at       timestamp not null,  -- first flagged hour (UTC hour start)
    last_hour        timestamp not null,  -- latest flagged hour so far
    ended_at         timestamp,           -- end of the last flagged hour once the episode is over; null while ongoing
    peak_hour        timestamp not null,  -- the hour with the highest score
    observed         double    not null,  -- the metric at the peak hour
    expected         double    not null,  -- the seasonal baseline at the peak hour
    score            double    not null,  -- peak anomaly score, 0..1
    severity         varchar   not null,  -- highest severity reached: warning | critical
    hours            integer   not null,  -- flagged hours in the episode
    detector_version varchar   not null,
    primary key (spike_id)
);

-- spike_hours: every flagged hour (the detail behind spikes; used to escalate and to chart).
create table if not exists spike_hours (
    spike_id  varchar   not null,
    brand     varchar   not null,
    metric    varchar   not null,
    hour      timestamp not null,
    observed  double    not null,
    expected  double    not null,
    score     double    not null,
    severity  varchar   not null,
    primary key (brand, metric, hour)
);

-- alerts: one row per alert delivery (a spike's opening, escalation or recovery, to one
-- recipient). The row is claimed (status 'sending') and committed before the email is
-- handed over, and marked 'sent' after: a rerun never sends a 'sent' row again, and a row
-- left 'sending' by a crash is resent with the same Message-ID and counted in attempts.
create table if not exists alerts (
    spike_id   varchar   not null,
    brand      varchar   not null,
    metric     varchar   not null,
    kind       varchar   not null,  -- opened | escalated | recovered
    severity   varchar   not null,  -- the spike's severity when this alert was decided
    recipient  varchar   not null,
    channel    varchar   not null,  -- smtp | outbox
    status     varchar   not null,  -- sending | sent | failed
    attempts   integer   not null,  -- delivery attempts (2+ only after a crash or SMTP failure)
    message_id varchar   not null,  -- the email's Message-ID, stable across attempts
    claimed_at timestamp not null,  -- UTC, when the delivery was decided
    sent_at    timestamp,           -- UTC, when the SMTP server accepted it / the .eml was written
    error      varchar,             -- last delivery error, if any
    primary key (spike_id, kind, severity, recipient)
);
