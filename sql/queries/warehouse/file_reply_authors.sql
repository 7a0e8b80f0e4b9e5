-- replies in file imports: not a model but upkeep of the stored posts (source layer), run
-- by pipeline.warehouse.responses.derive_file_threads after a file import, before the marts.
-- An export often names only the replied-to post (in_reply_to_post_id), not its author; the
-- thread rule of complaint_responses needs the author. Take it from the replied-to post as
-- stored (same source and brand). Posts whose replied-to post is not stored yet keep a null
-- and are looked at again after the next import.
-- Parameters: $brand.
update posts as child
set in_reply_to_author_id = parent.author_id
from posts as parent
where child.source = 'file'
  and child.brand = $brand
  and child.in_reply_to_post_id is not null
  and child.in_reply_to_author_id is null
  and parent.source = child.source
  and parent.brand = child.brand
  and parent.post_id = child.in_reply_to_post_id
