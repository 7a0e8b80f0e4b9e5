-- title: Repeat complainers
-- Authors who complained at least twice in the brand's latest 7 local days: how often,
-- about what, and how many of their complaints the brand answered.
with recent as (
    select c.brand, c.source, c.post_id, c.author_handle, c.author_followers, c.category
    from int_complaints as c
    where c.brand_day > (select max(d.day) from brand_daily as d where d.brand = c.brand) - 7
)

select
    c.brand,
    c.author_handle,
    count(*) as complaints,
    max(c.author_followers) as followers,
    string_agg(distinct c.category, ', ' order by c.category) as categories,
    count_if(r.answered) as answered
from recent as c
left join complaint_responses as r
    on r.source = c.source and r.brand = c.brand and r.post_id = c.post_id
group by c.brand, c.author_handle
having count(*) >= 2
order by complaints desc, followers desc, c.brand, c.author_handle
limit 20
