"""
### brandpulse_file_import: import CSV / JSONL exports dropped into the brands' folders

Every 15 minutes. `file_brands` reads the brands file when it runs and lists the brands with
the `file` source (`sources.file.folder`); `import_files` then runs once per brand (a mapped
task, named by the brand), so one brand's bad folder or export never stops another's.

For its brand, `import_files` imports each `*.csv`, `*.jsonl` or `*.ndjson` file not imported
before with the same content and the same `sources.file.columns` / `time_format` (the
`file_imports` ledger), a few thousand rows at a time: maps the columns, scores the rows,
upserts them into `posts` by (source, post_id) (a post already stored is updated, not counted
again), derives reply threads and refreshes the aggregates of the hours and days they touch.
A row that cannot become a post goes to `quarantine` with its reason; a file that cannot be
read (empty, binary, a mapped column missing) is quarantined as a whole and the next file is
imported. The brand's task fails, after importing every file, when a file had more than
`sources.file.max_quarantine_share` (default 0.2) of its rows quarantined: look at
`quarantine` for that file (`batch_id` = its sha256), fix the mapping or the export, and run
`brandpulse import-files --brand <id> --reimport` (or change the mapping: the file is then
imported again by itself). Write a file under a name starting with `.` and rename it when
complete, so a half-written file is never picked up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import dag, task
from brandpulse_dag_support import DAG_DEFAULTS, POSTS, connection_secret

from pipeline.steps.orchestration import FILE_IMPORT_DAG, WAREHOUSE_POOL, WAREHOUSE_QUEUE


@dag(
    dag_id=FILE_IMPORT_DAG,
    schedule=timedelta(minutes=15),
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def brandpulse_file_import() -> None:
    @task
    def file_brands() -> list[str]:
        """The brands with the file source, read from the brands file when this runs."""
        from pipeline.settings import Settings
        from pipeline.steps import file_import

        return file_import.file_brands(Settings.from_env())

    @task(
        pool=WAREHOUSE_POOL,
        queue=WAREHOUSE_QUEUE,
        outlets=[POSTS],
        map_index_template="{{ brand }}",
    )
    def import_files(brand: str) -> list[dict[str, Any]]:
        """Import the brand's new files, once per content and mapping. Fails (after
        importing every file) when a file had more than max_quarantine_share of its rows
        quarantined, or when the brand's folder is missing."""
        from dataclasses import asdict

        from pipeline.steps import file_import

        results = file_import.import_one_brand(brand, secrets=connection_secret)
        return [asdict(r) for r in results]

    # Mapped tasks do not pick up their docstring by themselves: hand it to the UI.
    import_files.override(doc_md=import_files.function.__doc__).expand(brand=file_brands())


brandpulse_file_import()
