"""Printing query results: an aligned text table, CSV, a JSON array or JSON lines."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal


def _cell(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _plain(value: object) -> object:
    """A JSON-safe form: numbers and strings as they are, NaN/inf as null, others as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


#: Characters JSON leaves as they are but many readers split lines at (Python's
#: ``str.splitlines``, JavaScript before ES2019): escaped, so one row stays one line.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _unique(names: Sequence[str]) -> list[str]:
    """Column names made unique (``a``, ``a_2``): JSON objects cannot repeat a key."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def render(
    names: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    fmt: str = "table",
    max_rows: int | None = 200,
) -> str:
    """``names`` and ``rows`` as text in ``fmt``: ``table``, ``csv``, ``json`` (one array of
    objects, one row per line) or ``jsonl`` (one object per line). JSON is strict: NaN and
    infinities become null, a repeated column name gets a suffix (``a``, ``a_2``)."""
    if fmt == "csv":
        buf = io.StringIO()
        # RFC 4180's CRLF: a value holding a lone CR is quoted too, so it stays one field.
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([[_plain(v) for v in row] for row in rows])
        return buf.getvalue()
    if fmt in ("json", "jsonl"):
        keys = _unique(names)
        objects = [
            json.dumps(
                dict(zip(keys, (_plain(v) for v in row), strict=True)),
                ensure_ascii=False,
                allow_nan=False,
            ).translate(_LINE_BREAKS)
            for row in rows
        ]
        if fmt == "jsonl":
            return "".join(o + "\n" for o in objects)
        return "[" + ",\n ".join(objects) + "]\n"
    shown = rows if max_rows is None else rows[:max_rows]
    cells = [[_cell(v) for v in row] for row in shown]
    # Control characters in values (post text is attacker-controlled) must not drive the terminal.
    cells = [[c.translate(_SAFE) for c in row] for row in cells]
    widths = [len(n) for n in names]
    for row in cells:
        widths = [max(w, min(len(c), 60)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        all(isinstance(r[i], (int, float, Decimal)) or r[i] is None for r in shown) and bool(shown)
        for i in range(len(names))
    ]

    def fmt_row(values: Sequence[str]) -> str:
        out = []
        for value, width, num in zip(values, widths, numeric, strict=True):
            shown = value if len(value) <= width else value[: width - 1] + "…"
            out.append(shown.rjust(width) if num else shown.ljust(width))
        return " | ".join(out).rstrip()

    lines = [fmt_row(list(names)), "-+-".join("-" * w for w in widths)]
    lines += [fmt_row(row) for row in cells]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
    footer += f", first {max_rows} shown)" if max_rows is not None and len(rows) > max_rows else ")"
    lines.append(footer)
    return "\n".join(lines) + "\n"


_SAFE = {
    c: " "
    for c in [
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        0x202A,
        0x202B,
        0x202C,
        0x202D,
        0x202E,
        0x2066,
        0x2067,
        0x2068,
        0x2069,
    ]
}
