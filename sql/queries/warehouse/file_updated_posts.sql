-- file imports: how many posts of a batch (registered as file_batch_ids) were stored
-- before, the "updated" count of file_imports. Run by pipeline.warehouse.file_ledger.
-- write_batch. Posts only an unfinished earlier attempt at the same file stored (the file has
-- no ledger row: $unrecorded) are not counted: for the ledger they are new.
-- Parameters: $brand, $sha, $previous (the file's earlier ids), $unrecorded.
select count(*)
from posts
where source = 'file'
  and brand = $brand
  and post_id in (select post_id from file_batch_ids)
  and not (
      $unrecorded
      and post_id in (
          select post_id from file_import_posts where brand = $brand and sha256 = $previous
          except
          select post_id from file_import_posts
          where brand = $brand and sha256 <> $previous and sha256 <> $sha
      )
  )
