"""The ``brandpulse`` command line: the parser, assembled from the command groups, and main.

Every subcommand has ``--help``. Errors a user can act on are printed as one line on stderr
with exit code 2 (any secret in them masked, :func:`pipeline.secrets.redact`); anything else
is a bug and shows its traceback. A reader that closes the pipe early (``| head``) ends the
command quietly. The groups:
:mod:`~pipeline.cli.operators` (demo, run, report, forget, airflow),
:mod:`~pipeline.cli.files` (import-files, score, detect), :mod:`~pipeline.cli.analysts` (query) and
:mod:`~pipeline.cli.tooling` (bench, eval, from a checkout).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from pipeline import __version__
from pipeline.cli import analysts, files, operators, tooling
from pipeline.errors import BrandpulseError
from pipeline.secrets import redact

#: Exit codes: a user's error, Ctrl-C, and the reader gone (128 + SIGPIPE, as a shell has it).
EXIT_ERROR, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 2, 130, 141


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brandpulse",
        description=(
            "Brand-sentiment monitoring: ingest posts about brands, score sentiment and "
            "complaints, and keep hourly and daily aggregates in a DuckDB warehouse."
        ),
        epilog="Storage locations come from BRANDPULSE_* environment variables; see README.md.",
    )
    parser.add_argument("--version", action="version", version=f"brandpulse {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for group in (operators, files, analysts, tooling):
        group.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, while it can still be handled
        return code
    except BrandpulseError as exc:
        print(f"brandpulse: error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at nothing, so that it cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
