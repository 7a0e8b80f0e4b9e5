"""The analysts' command: read-only SQL on the warehouse's published snapshot."""

from __future__ import annotations

import argparse
import logging
import sys

from pipeline.cli.args import Subparsers, positive_int
from pipeline.errors import BrandpulseError, InputError
from pipeline.settings import Settings
from pipeline.warehouse.analyses import EXAMPLE_QUERIES

log = logging.getLogger("brandpulse")

#: Output formats of ``query`` (pipeline.cli.table.render).
FORMATS = ("table", "csv", "json", "jsonl")


def cmd_query(args: argparse.Namespace) -> int:
    from pipeline.cli import table
    from pipeline.warehouse import connection, snapshot

    settings = Settings.from_env()
    path, note = snapshot.reader_path(settings.warehouse, settings.analyst_db)
    if note:
        log.warning("%s", note)
    con = connection.connect(path, read_only=True, lock_timeout=args.wait, sandbox=True)
    try:
        try:
            statements = con.extract_statements(args.sql)
        except Exception as exc:  # duckdb's parser errors: all mean "this is not SQL"
            raise InputError(f"not valid SQL: {exc}") from None
        if len(statements) != 1:
            raise InputError(f"give exactly one SQL statement (got {len(statements)})")
        names, rows = connection.query(con, args.sql)
    except BrandpulseError:
        raise
    except Exception as exc:  # duckdb raises many types; all mean "this query failed"
        raise BrandpulseError(f"query failed: {exc}") from None
    finally:
        con.close()
    sys.stdout.write(table.render(names, rows, fmt=args.format, max_rows=args.max_rows))
    return 0


def add_commands(sub: Subparsers) -> None:
    """Add this group's subcommands to the ``brandpulse`` parser."""
    p = sub.add_parser(
        "query",
        help="run read-only SQL against the warehouse and print a table",
        description=(
            "Open the analyst snapshot of the warehouse (BRANDPULSE_ANALYST_DB, published "
            "after every write; the working file until the first one) read-only and run one "
            "SQL statement. Tables: posts, brand_hourly, brand_daily, brand_daily_categories, "
            "spikes, spike_hours, alerts, complaint_responses, quarantine, load_runs (see "
            "docs/warehouse.md)."
        ),
        epilog='example: brandpulse query "' + EXAMPLE_QUERIES[0] + '"',
    )
    p.add_argument("sql", help="the SQL statement")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (default; at most --max-rows rows), csv (a header row, then every row), "
        "json (one JSON array of objects, one per row) or jsonl (one JSON object per line); "
        "in JSON, NaN and infinities are null and a repeated column name gets a suffix (a_2)",
    )
    p.add_argument(
        "--max-rows",
        type=positive_int,
        default=200,
        help="rows printed in table format (default 200)",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=30.0,
        help="seconds to wait while a load holds the warehouse (only before the first "
        "snapshot is published)",
    )
    p.set_defaults(func=cmd_query)
