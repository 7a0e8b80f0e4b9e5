"""Every table of a DuckDB file as sorted rows: compare warehouses table by table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

Dump = dict[str, list[tuple[Any, ...]]]

#: Wall-clock audit columns, different on every run by design: left out of comparisons.
AUDIT_COLUMNS = frozenset({"checked_at"})


def dump(path: Path, skip: frozenset[str] = AUDIT_COLUMNS) -> Dump:
    """Every table of a DuckDB file, rows sorted (opening it also proves it is readable)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = current_database()"
                " order by 1"
            ).fetchall()
        ]
        out = {}
        for table in tables:
            columns = ", ".join(
                f'"{name}"'
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() where table_name = ?"
                    " and database_name = current_database() order by column_index",
                    [table],
                ).fetchall()
                if name not in skip
            )
            out[table] = con.execute(f'select {columns} from "{table}" order by all').fetchall()  # noqa: S608
        return out
    finally:
        con.close()
