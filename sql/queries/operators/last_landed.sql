-- The end of each brand's newest landed interval load (sources fetched per interval: the
-- file source lands whenever files are dropped, so it says nothing about freshness).
-- One row per brand that has ever landed one. Parameters: $brands (list of brand ids).
select
    brand,
    max(interval_end) as last_landed
from load_runs
where source <> 'file'
  and list_contains($brands, brand)
group by brand
