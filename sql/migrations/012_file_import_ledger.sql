-- 012: the file-import ledger keys on the file's content and on how its rows were read
-- (the column mapping and time format), counts new posts apart from updated ones, and keeps
-- a file's own problem; file_import_posts remembers which posts each file brought, so a
-- file imported again under another mapping replaces its earlier posts instead of adding.

-- file_imports: one row per imported file content and brand, its latest import's (the
-- mapping it was read under is in the key, so a changed mapping is a new import).
create table file_imports_v12 (
    brand         varchar not null,
    sha256        varchar not null,  -- checksum of the file's bytes
    mapping       varchar not null,  -- fingerprint of sources.file.columns + time_format
                                     -- ('' for files imported before this migration)
    file_name     varchar not null,  -- name when it was imported
    landing_path  varchar not null,  -- the folder of its landed parts
    rows_read     bigint  not null,  -- records read (a file that cannot be read: 1)
    loaded        bigint  not null,  -- posts new to the warehouse
    updated       bigint  not null,  -- posts already stored (by an earlier file or import)
    duplicates    bigint  not null,  -- rows repeating a post id within the file
    quarantined   bigint  not null,
    first_post_at timestamp,         -- earliest / latest created_at among its posts
    last_post_at  timestamp,
    model_version varchar not null,
    error         varchar,           -- why the file as a whole could not be read, if so
    primary key (brand, sha256, mapping)
);

insert into file_imports_v12
select
    brand, sha256, '', file_name, landing_path, rows_read, loaded, 0, duplicates, quarantined,
    first_post_at, last_post_at, model_version, null
from file_imports;

drop table file_imports;

alter table file_imports_v12 rename to file_imports;

-- file_import_posts: one row per post id a file (by content) brought, for its brand.
create table if not exists file_import_posts (
    brand   varchar not null,
    sha256  varchar not null,
    post_id varchar not null,
    primary key (brand, sha256, post_id)
);
