-- The stored posts created in [?, ?) by kind: one row per kind.
-- Parameters (in order): the first and the end UTC timestamps.
select kind, count(*)::bigint as posts
from posts
where created_at >= ? and created_at < ?
group by kind
order by posts desc
