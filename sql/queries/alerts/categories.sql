-- An alert's complaint categories: the 6 largest of the spike's complaints, each with its
-- share of the complaints in the 7 days before; one row per category.
-- Parameters: $brand; $start, $end (the spike's hours, naive UTC); $baseline_start (7 days
-- before $start).
with spike as (
    select coalesce(complaint_category, 'other') as category, count(*) as n
    from posts
    where brand = $brand
      and created_at >= $start
      and created_at < $end
      and kind = 'original'
      and is_complaint
    group by category
),

before as (
    select
        coalesce(complaint_category, 'other') as category,
        count(*) / sum(count(*)) over () as share
    from posts
    where brand = $brand
      and created_at >= $baseline_start
      and created_at < $start
      and kind = 'original'
      and is_complaint
    group by category
)

select s.category, s.n::bigint as complaints, b.share
from spike as s
left join before as b using (category)
order by s.n desc, s.category
limit 6
