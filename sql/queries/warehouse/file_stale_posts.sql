-- file imports: the posts an earlier import of a file (by content) brought that neither
-- this import of it nor any other file of the brand brought: what importing the file again
-- replaces (the earlier import may have read it under another column mapping, so with other
-- post ids). Run by pipeline.warehouse.file_ledger.finish_file, which deletes these posts.
-- Parameters: $brand, $previous (the file's earlier ids, file_ledger.PREVIOUS_MARK).
select post_id, created_at
from posts
where source = 'file'
  and brand = $brand
  and post_id in (
      select post_id from file_import_posts where brand = $brand and sha256 = $previous
      except
      select post_id from file_import_posts where brand = $brand and sha256 <> $previous
  )
