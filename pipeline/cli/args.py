"""Argument types the ``brandpulse`` subcommands share."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TypeAlias

from pipeline.timeutil import parse_moment

#: What ``add_subparsers`` returns: each command group adds its subcommands to it.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def moment(text: str) -> datetime:
    """A date or ISO datetime as typed on the command line, as an aware UTC datetime."""
    try:
        return parse_moment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_interval(parser: argparse.ArgumentParser) -> None:
    """``--start`` and ``--end``: the interval ``[start, end)`` a command works on."""
    parser.add_argument(
        "--start",
        type=moment,
        required=True,
        help="first moment, UTC (2026-10-05 or 2026-10-05T13:00Z)",
    )
    parser.add_argument("--end", type=moment, required=True, help="end of the interval, exclusive")
