-- 011: the view models move out of the migrations. From here on the staging and
-- intermediate views are defined by sql/models/<layer>/<view>.sql, one view per file, and
-- (re-)created by the migrate step after the migrations whenever a file changed
-- (pipeline/warehouse/sqlfiles.py). The views migration 010 created stay until then: the
-- same step re-creates them from the model files on the first open after this migration.

-- schema_models: one row per view created from a model file, with the checksum of the file
-- it was last created from (like schema_migrations, but re-applied when the file changes).
create table if not exists schema_models (
    name     varchar not null primary key,  -- the view (the file's name)
    layer    varchar not null,              -- staging | intermediate | marts
    checksum varchar not null               -- of the file's text when the view was created
);
