-- title: Authors with the most reach who complained and got no reply
-- The 10 most-followed authors per brand who complained and never got a reply from the
-- brand (to none of their complaints, as stored).
select
    brand,
    author_handle,
    max(author_followers) as followers,
    count(*) as complaints,
    min(created_at) as first_complaint_at,
    arg_max(url, created_at) as latest_complaint_url
from complaint_responses
group by brand, author_handle
having count_if(answered) = 0
qualify row_number() over (partition by brand order by followers desc, author_handle) <= 10
order by brand, followers desc, author_handle
