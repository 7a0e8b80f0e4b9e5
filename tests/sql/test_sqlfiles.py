"""SQL tier: the SQL files' loader and the view models (pipeline/warehouse/sqlfiles.py): the
views are created from sql/models/ after the migrations, re-created when a file changes and
on a warehouse built before the models left migration 010, and left alone otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import WarehouseError
from pipeline.settings import PROJECT_ROOT
from pipeline.warehouse import connection, sqlfiles

SQL = PROJECT_ROOT / "sql"
VIEWS = [
    "stg_posts",
    "stg_quarantine",
    "int_brand_replies",
    "int_customer_posts",
    "int_post_measures",
    "int_complaints",  # reads int_customer_posts
]
_VIEW_SQL = "select view_name, sql from duckdb_views() where not internal order by view_name"


def _views(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute(_VIEW_SQL).fetchall())


def test_read_sql_names_the_missing_file(tmp_path: Path) -> None:
    assert sqlfiles.read_sql(SQL, "queries/report/headline").startswith("-- ")
    with pytest.raises(WarehouseError, match=r"queries/report/nope\.sql.*BRANDPULSE_SQL"):
        sqlfiles.read_sql(tmp_path, "queries/report/nope")


def test_view_models_come_in_dependency_order() -> None:
    models = sqlfiles.view_models(SQL)
    assert [m.name for m in models] == VIEWS
    assert {m.layer for m in models} == {"staging", "intermediate"}
    position = {m.name: i for i, m in enumerate(models)}
    for model in models:
        assert all(position.get(i, -1) < position[model.name] for i in model.inputs)


def test_views_are_created_once_and_again_when_a_model_changes(tmp_path: Path) -> None:
    sql = tmp_path / "sql"
    shutil.copytree(SQL, sql)
    path = tmp_path / "w.duckdb"
    with connection.open_for_write(path, sql, publish=False) as con:
        assert set(_views(con)) == set(VIEWS)
        assert con.execute("select count(*) from schema_models").fetchone() == (len(VIEWS),)
        assert sqlfiles.apply_views(con, sql) == []  # unchanged: nothing written
    model = sql / "models" / "intermediate" / "int_customer_posts.sql"
    model.write_text(model.read_text().replace("    url,\n", "    url,\n    lang as lang2,\n"))
    with connection.open_for_write(path, sql, publish=False) as con:
        assert "lang2" in _views(con)["int_customer_posts"]
        # Re-created from the changed one on, in order: what reads it is bound anew.
        assert con.execute("select count(*) from int_complaints").fetchone() == (0,)
        checksums = dict(con.execute("select name, checksum from schema_models").fetchall())
    changed = sqlfiles.ViewModel("int_customer_posts", "intermediate", (), model.read_text())
    assert checksums["int_customer_posts"] == changed.checksum


def test_a_warehouse_from_before_the_models_gets_its_views_from_the_model_files(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old"
    (old / "migrations").mkdir(parents=True)
    for path in sorted((SQL / "migrations").glob("*.sql")):
        if path.name < "011":
            shutil.copy(path, old / "migrations")
    warehouse = tmp_path / "w.duckdb"
    with connection.open_for_write(warehouse, old, publish=False) as con:
        before = _views(con)  # migration 010's views, no schema_models yet
    assert set(before) == set(VIEWS)
    with connection.open_for_write(warehouse, SQL, publish=False) as con:
        applied = dict(con.execute("select name, checksum from schema_models").fetchall())
        assert set(_views(con)) == set(VIEWS)
    assert applied == {m.name: m.checksum for m in sqlfiles.view_models(SQL)}


def test_a_broken_model_fails_naming_its_file_and_changes_nothing(tmp_path: Path) -> None:
    sql = tmp_path / "sql"
    shutil.copytree(SQL, sql)
    path = tmp_path / "w.duckdb"
    with connection.open_for_write(path, sql, publish=False):
        pass
    model = sql / "models" / "staging" / "stg_quarantine.sql"
    model.write_text(model.read_text().replace("from quarantine", "from no_such_table"))
    with (
        pytest.raises(WarehouseError, match=r"staging/stg_quarantine\.sql failed"),
        connection.open_for_write(path, sql, publish=False),
    ):
        pass
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert "from quarantine" in _views(con)["stg_quarantine"].lower()
    finally:
        con.close()
