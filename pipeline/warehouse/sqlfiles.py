"""The project's SQL, read from ``.sql`` files under the SQL folder (``Settings.sql``,
``BRANDPULSE_SQL``), by layer, as docs/warehouse.md ("The layers") describes:

==========================  =====================================================
``migrations/NNN_*.sql``    the tables, applied once each (:mod:`.connection`)
``models/staging/``         views over the stored tables, re-applied when changed
``models/intermediate/``    views holding the shared business rules, likewise
``models/marts/``           the selects the marts are materialized from
``analyses/``               the analyst questions of the guide (:mod:`.analyses`)
``queries/<area>/``         the product's own reads and upkeep (report, alerts, ...)
==========================  =====================================================

Python holds no SQL longer than a line: it names a file here and passes parameters.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.errors import WarehouseError

log = logging.getLogger(__name__)

#: The folders of ``models/`` whose files are applied as views, in dependency order: a layer
#: reads only the layers before it. ``marts`` files are selects, unless one creates a view.
VIEW_LAYERS = ("staging", "intermediate", "marts")

_INPUTS = re.compile(r"^-- inputs: (?P<inputs>[\w, ]+)$", re.MULTILINE)
_CREATES_VIEW = re.compile(r"^create or replace view (?P<name>\w+) as$", re.MULTILINE)
_VIEWS = (
    "select view_name from duckdb_views() where not internal and database_name = current_database()"
)
_HAS_LEDGER = "select 1 from duckdb_tables() where table_name = 'schema_models'"
_RECORD = "insert or replace into schema_models (name, layer, checksum) values (?, ?, ?)"


def read_sql(sql_dir: Path, name: str) -> str:
    """The text of ``sql_dir/<name>.sql`` (``name`` like ``"queries/report/headline"``)."""
    path = sql_dir / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WarehouseError(
            f"SQL file not found: {path} (the SQL folder is {sql_dir}; "
            "set BRANDPULSE_SQL to the project's sql/ folder)"
        ) from None


@dataclass(frozen=True)
class ViewModel:
    """One model file that creates a view: ``models/<layer>/<name>.sql``."""

    name: str
    layer: str
    inputs: tuple[str, ...]
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()[:16]


def view_models(sql_dir: Path) -> list[ViewModel]:
    """The view models, staging first, then intermediate (each after the models it reads),
    then any mart views. A file's name is its view's name; its header names its inputs."""
    ordered: list[ViewModel] = []
    for layer in VIEW_LAYERS:
        found = {}
        for path in sorted((sql_dir / "models" / layer).glob("*.sql")):
            sql = path.read_text(encoding="utf-8")
            creates = _CREATES_VIEW.search(sql)
            if creates is None:
                continue  # a mart's select, materialized by a refresh function
            if creates["name"] != path.stem:
                raise WarehouseError(f"{path} creates view {creates['name']}, not {path.stem}")
            inputs = _INPUTS.search(sql)
            if inputs is None:
                raise WarehouseError(f"{path} has no '-- inputs:' header line")
            names = tuple(n.strip() for n in inputs["inputs"].split(","))
            found[path.stem] = ViewModel(path.stem, layer, names, sql)
        while found:  # inputs in the same layer first
            ready = [m for m in found.values() if not set(m.inputs) & (set(found) - {m.name})]
            if not ready:
                raise WarehouseError(f"models/{layer} read each other in a cycle: {sorted(found)}")
            for model in ready:
                ordered.append(model)
                del found[model.name]
    return ordered


def apply_views(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> list[str]:
    """(Re-)create the views whose model file changed, or that are missing, in one
    transaction; return their names. ``schema_models`` holds each view's checksum, so an
    unchanged warehouse is not written (and its analyst snapshot not copied again).

    The models are written against the schema of the latest migration: a SQL folder whose
    migrations stop before 011 (which creates ``schema_models``) gets no views from here.
    """
    if not con.execute(_HAS_LEDGER).fetchall():
        return []
    models = view_models(sql_dir)
    applied = dict(con.execute("select name, checksum from schema_models").fetchall())
    existing = {r[0] for r in con.execute(_VIEWS).fetchall()}
    stale = [m for m in models if applied.get(m.name) != m.checksum or m.name not in existing]
    if not stale:
        return []
    # DuckDB stores a view's column names and types when it is created: re-create every
    # view from the first stale one on, in order, so none keeps those of an older input.
    first = models.index(stale[0])
    done = []
    con.execute("begin transaction")
    try:
        for model in models[first:]:
            con.execute(model.sql)
            con.execute(_RECORD, [model.name, model.layer, model.checksum])
            done.append(model.name)
        con.execute("commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        raise WarehouseError(f"model {model.layer}/{model.name}.sql failed: {exc}") from exc
    log.info("applied view models: %s", ", ".join(done))
    return done
