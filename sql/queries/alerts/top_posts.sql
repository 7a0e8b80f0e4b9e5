-- An alert's example posts: the 5 most-followed original posts of the spike's hours that
-- count toward its metric (complaints, negative posts, or any for volume); one row per post.
-- Parameters: $brand; $start, $end (the spike's hours, naive UTC); $metric.
select author_handle, author_followers, text, url, created_at
from posts
where brand = $brand
  and created_at >= $start
  and created_at < $end
  and kind = 'original'
  and case $metric
      when 'complaints' then is_complaint
      when 'negative_share' then sentiment = 'negative'
      when 'volume' then true
  end
order by author_followers desc, created_at, post_id
limit 5
