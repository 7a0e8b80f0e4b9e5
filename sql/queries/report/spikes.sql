-- The spikes overlapping the report day: one row per spike, the columns of
-- pipeline.detect.store.Spike.
-- Parameters: $brand, $lo, $hi (the local day's UTC bounds).
select spike_id, brand, metric, started_at, last_hour, ended_at, peak_hour, observed,
       expected, score, severity, hours
from spikes
where brand = $brand
  and started_at < $hi
  and coalesce(ended_at, last_hour + interval 1 hour) > $lo
order by started_at, metric, spike_id
