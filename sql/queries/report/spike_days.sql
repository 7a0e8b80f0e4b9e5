-- The local days with a flagged hour of the charted metrics: one row per day.
-- Parameters: $brand, $tz (the brand's IANA zone), $metrics (list), $lo, $hi (UTC).
select distinct timezone($tz, hour::timestamptz)::date as day
from spike_hours
where brand = $brand and list_contains($metrics, metric) and hour >= $lo and hour < $hi
order by day
