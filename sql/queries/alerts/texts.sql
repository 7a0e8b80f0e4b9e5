-- The texts of the original posts in [$start, $end) that count toward a spike's metric
-- (complaints, negative posts, or any for volume), for the terms driving it; one row per post.
-- Parameters: $brand; $start, $end (naive UTC); $metric.
select text
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
