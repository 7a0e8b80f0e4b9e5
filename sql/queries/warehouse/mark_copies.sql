-- copies: not a model but upkeep of the stored posts (source layer): it decides
-- posts.kind = 'copy' and posts.duplicate_of in place, after every load, before the marts
-- are refreshed. Run by pipeline.warehouse.marts.mark_copies.
-- Decide which posts of one brand are copies: a copy candidate whose fingerprint equals that
-- of an earlier candidate (by created_at, then post_id) of the same brand within the 24 hours
-- before it. duplicate_of names the earliest such post. Decided from all stored posts, so
-- the outcome does not depend on the order in which loads ran.
-- Parameters: $brand; $start, $end: the posts to decide; $window_start = $start - 24 hours.
update posts
set
    kind = case when decided.duplicate_of is null then 'original' else 'copy' end,
    duplicate_of = decided.duplicate_of
from (
    with candidates as (
        select source, post_id, created_at, text_fingerprint
        from posts
        where brand = $brand
          and copy_candidate
          and created_at >= $window_start::timestamp
          and created_at < $end::timestamp
    )

    select
        c.source,
        c.post_id,
        first(e.post_id order by e.created_at, e.post_id) as duplicate_of
    from candidates as c
    left join candidates as e
        on e.text_fingerprint = c.text_fingerprint
        and e.created_at >= c.created_at - interval 24 hour
        and (e.created_at < c.created_at or (e.created_at = c.created_at and e.post_id < c.post_id))
    where c.created_at >= $start::timestamp
    group by c.source, c.post_id
) as decided
where posts.brand = $brand
  and posts.source = decided.source
  and posts.post_id = decided.post_id
  and (posts.kind <> case when decided.duplicate_of is null then 'original' else 'copy' end
       or posts.duplicate_of is distinct from decided.duplicate_of)
