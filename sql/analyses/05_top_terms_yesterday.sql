-- title: Top complaint terms yesterday
-- The 10 words most used in complaints yesterday (the day before the brand's latest loaded
-- local day), by the number of complaints using them: links, @handles and #tags removed,
-- words shorter than 4 letters, common English words and the brand's id left out.
with yesterday as (
    select brand, max(day) - 1 as day
    from brand_daily
    group by brand
),

words as (
    select
        c.brand,
        c.post_id,
        unnest(regexp_split_to_array(
            lower(regexp_replace(c.text, '(https?://\S+|[@#]\w+)', ' ', 'g')), '[^\pL]+'
        )) as term
    from int_complaints as c
    inner join yesterday as y on y.brand = c.brand and y.day = c.brand_day
)

select
    brand,
    term,
    count(distinct post_id) as complaints
from words
where length(term) >= 4
  and term <> brand
  and term not in (
      'about', 'after', 'again', 'been', 'cant', 'could', 'didn', 'does', 'doesn', 'dont',
      'from', 'have', 'haven', 'into', 'just', 'more', 'still', 'than', 'that', 'their',
      'them', 'then', 'there', 'they', 'this', 'what', 'when', 'which', 'will', 'with',
      'would', 'your'
  )
group by brand, term
qualify row_number() over (partition by brand order by complaints desc, term) <= 10
order by brand, complaints desc, term
