-- conversations in file imports (upkeep, see file_reply_authors.sql): a file post that
-- names no conversation starts one of its own (conversation_id = post_id, as X does), or,
-- when it is a reply, joins the conversation of the post it replies to (for now that
-- post's id; file_conversation_parents.sql then walks up to the root).
-- Parameters: $brand.
update posts
set conversation_id = coalesce(in_reply_to_post_id, post_id)
where source = 'file'
  and brand = $brand
  and conversation_id is null
