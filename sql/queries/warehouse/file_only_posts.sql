-- file imports: the posts one file (by content) brought that no other file of the brand
-- brought, with their times: what importing the file again replaces (its earlier import may
-- have used another column mapping, so other post ids). Run by
-- pipeline.warehouse.file_ledger.begin_file, which deletes these posts.
-- Parameters: $brand, $sha.
select post_id, created_at
from posts
where source = 'file'
  and brand = $brand
  and post_id in (
      select post_id from file_import_posts where brand = $brand and sha256 = $sha
      except
      select post_id from file_import_posts where brand = $brand and sha256 <> $sha
  )
