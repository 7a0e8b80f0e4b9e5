-- conversations in file imports (upkeep, see file_reply_authors.sql): one step up the
-- thread: a file reply takes the conversation of the stored post it replies to. Repeated
-- until no row changes, every reply ends in its thread root's conversation.
-- Parameters: $brand.
update posts as child
set conversation_id = parent.conversation_id
from posts as parent
where child.source = 'file'
  and child.brand = $brand
  and child.in_reply_to_post_id is not null
  and parent.source = child.source
  and parent.brand = child.brand
  and parent.post_id = child.in_reply_to_post_id
  and parent.conversation_id is not null
  and child.conversation_id is distinct from parent.conversation_id
