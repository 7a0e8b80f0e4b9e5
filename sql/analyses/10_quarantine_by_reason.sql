-- title: Records quarantined, by reason
-- Landed records quarantined instead of stored, by brand, source and what failed, with an
-- example reason and the share of the records landed for that brand and source.
with landed as (
    select brand, source, sum(fetched) as records
    from load_runs
    group by brand, source
    union all
    select brand, 'file' as source, sum(rows_read) as records
    from file_imports
    group by brand
),

quarantined as (
    select brand, source, reason_field, count(*) as records, min(reason) as example_reason
    from stg_quarantine
    group by brand, source, reason_field
)

select
    q.brand,
    q.source,
    q.reason_field,
    q.records as quarantined,
    round(q.records / nullif(l.records, 0), 4) as share_of_landed,
    q.example_reason
from quarantined as q
left join landed as l on l.brand = q.brand and l.source = q.source
order by quarantined desc, q.brand, q.source, q.reason_field
