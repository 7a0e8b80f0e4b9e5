"""
### brandpulse_file_import: import CSV / JSONL exports dropped into the brands' folders

Every 15 minutes, for each brand with the `file` source (`sources.file.folder` in the brands
file), imports each new `*.csv`, `*.jsonl` or `*.ndjson` file exactly once per content (the
`file_imports` ledger holds every imported file's SHA-256), maps its columns
(`sources.file.columns`), scores the rows, upserts them into `posts` by (source, post_id),
and refreshes the aggregates of the hours and days they fall in. Rows that cannot become
posts go to `quarantine` with their reason. Write a file under a name starting with `.` and
rename it when complete, so a half-written file is never picked up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import dag, task
from brandpulse_dag_support import DAG_DEFAULTS, POSTS, connection_secret

from pipeline.steps.orchestration import FILE_IMPORT_DAG, WAREHOUSE_POOL


@dag(
    dag_id=FILE_IMPORT_DAG,
    schedule=timedelta(minutes=15),
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def brandpulse_file_import() -> None:
    @task(pool=WAREHOUSE_POOL, outlets=[POSTS])
    def import_files() -> list[dict[str, Any]]:
        """Import every new file in the brands' folders, once per file content."""
        from dataclasses import asdict

        from pipeline.steps import file_import

        return [asdict(r) for r in file_import.import_files(secrets=connection_secret)]

    import_files()


brandpulse_file_import()
