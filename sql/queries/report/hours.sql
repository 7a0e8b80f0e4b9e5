-- The report day's complaints per hour: one row per UTC hour in [$lo, $hi), at its
-- local time.
-- Parameters: $brand, $tz, $lo, $hi (the local day's UTC bounds).
select timezone($tz, hour::timestamptz) as local_hour, complaints
from brand_hourly
where brand = $brand and hour >= $lo and hour < $hi
order by hour
