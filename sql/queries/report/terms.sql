-- Terms per category: the words of the day's complaints (links, @handles and #tags
-- removed), counted once per complaint, stop words and the brand's own names left out;
-- one row per category and term, the $per_category most used of each.
-- Parameters: $brand, $day, $stop (list of words), $min_posts, $per_category.
with docs as (
    select
        source,
        post_id,
        complaint_category as category,
        regexp_replace(lower(text), '(https?://\S+|www\.\S+|[@#]\S+)', ' ', 'g') as body
    from posts
    where brand = $brand
      and brand_day = $day
      and kind = 'original'
      and is_complaint
      and complaint_category is not null
),

words as (
    select distinct category, source, post_id, term
    from (
        select category, source, post_id,
               unnest(regexp_extract_all(body, '\p{L}[\p{L}''’]*\p{L}')) as term
        from docs
    )
),

counted as (
    select category, replace(term, '’', '''') as term, count(*) as posts
    from words
    where length(term) >= 3
      and not list_contains($stop, replace(term, '’', ''''))
    group by all
),

ranked as (
    select
        category,
        term,
        posts,
        row_number() over (partition by category order by posts desc, term) as rank
    from counted
    where posts >= $min_posts
)

select category, term, posts
from ranked
where rank <= $per_category
order by category, rank
