"""File imports, property-based: whatever mix of good rows, bad rows, repeated ids, odd
encodings and time formats a CSV or JSONL export holds, every row is stored, quarantined
with a reason or counted as a duplicate; the counts reconcile with the file's rows; no
exception escapes; and importing the file again changes nothing. Real DuckDB files in a
temporary folder per example; batches of a few rows, so batching is exercised too."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.settings import Settings
from pipeline.steps import file_import
from pipeline.warehouse import connection
from tests.e2e.conftest import snapshot

BRANDS = """
brands:
  - id: acme
    name: Acme
    timezone: America/New_York
    accounts: ["@AcmeHelp"]
    terms: [acme]
    overrides: {history: {start: 2026-01-01}}  # the dated rows stay plausible whenever this runs
    sources:
      file:
        folder: imports
        columns: {post_id: id, created_at: date, text: message, author_handle: user,
                  author_followers: followers}
"""

BASE = datetime(2026, 10, 5, 8, tzinfo=UTC)

#: How a good row writes its time.
TIME_STYLES = ("iso_z", "iso_naive", "iso_offset", "x", "rfc2822", "epoch_s", "epoch_ms")

#: Bad rows, and whether they can be written in each format.
BAD_KINDS = ("bad_date", "empty_text", "fractional_id", "huge_followers", "huge_epoch", "bad_byte")
JSONL_ONLY = ("not_object", "nested")


def when(style: str, minutes: int) -> Any:
    moment = BASE + timedelta(minutes=minutes)
    return {
        "iso_z": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "iso_naive": moment.strftime("%Y-%m-%d %H:%M:%S"),
        "iso_offset": moment.astimezone(UTC).isoformat(),
        "x": moment.strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "rfc2822": format_datetime(moment),
        "epoch_s": str(int(moment.timestamp())),
        "epoch_ms": int(moment.timestamp()) * 1000,
    }[style]


good_rows = st.builds(
    lambda n, style, minutes, float_id: ("good", n, style, minutes, float_id),
    st.integers(1, 30),  # small ids: repeats happen
    st.sampled_from(TIME_STYLES),
    st.integers(0, 3000),
    st.booleans(),  # the id written as 617.0
)
bad_rows = st.builds(
    lambda kind, n: ("bad", kind, n), st.sampled_from(BAD_KINDS + JSONL_ONLY), st.integers(1, 30)
)
files = st.fixed_dictionaries(
    {
        "rows": st.lists(st.one_of(good_rows, good_rows, bad_rows), max_size=25),
        "format": st.sampled_from(["csv", "jsonl"]),
        "bom": st.booleans(),
        "crlf": st.booleans(),
        "batch_rows": st.integers(1, 8),
    }
)


def record(row: tuple[Any, ...]) -> dict[str, Any] | bytes:
    if row[0] == "good":
        _, n, style, minutes, float_id = row
        return {
            "id": f"{n}.0" if float_id else str(n),
            "date": when(style, minutes),
            "message": f"acme post number {n} \u00e9 \U0001f600",
            "user": f"u{n}",
            "followers": str(n * 10),
        }
    _, kind, n = row
    base = {"id": f"b{n}", "date": when("iso_z", n), "message": "acme bad", "user": "x"}
    base["followers"] = "1"
    if kind == "bad_date":
        return {**base, "date": "yesterday-ish"}
    if kind == "empty_text":
        return {**base, "message": "  "}
    if kind == "fractional_id":
        return {**base, "id": f"{n}.5"}
    if kind == "huge_followers":
        return {**base, "followers": str(2**64 + n)}
    if kind == "huge_epoch":
        return {**base, "date": "100000000000000000000"}
    return kind.encode()  # bad_byte, not_object, nested: written by hand


def render(spec: dict[str, Any]) -> tuple[bytes, list[tuple[Any, ...]]]:
    """The file's bytes and the rows it holds (those a format cannot hold are left out)."""
    rows = [r for r in spec["rows"] if spec["format"] == "jsonl" or r[1] not in JSONL_ONLY]
    newline = "\r\n" if spec["crlf"] else "\n"
    out = io.BytesIO()
    if spec["bom"]:
        out.write(b"\xef\xbb\xbf")
    if spec["format"] == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator=newline)
        writer.writerow(["id", "date", "message", "user", "followers"])
        out.write(text.getvalue().encode())
        for row in rows:
            rec = record(row)
            if isinstance(rec, bytes):  # bad_byte
                out.write(
                    f"b{row[2]},2026-10-05T09:00:00Z,caf".encode() + b"\xe9,x,1" + newline.encode()
                )
                continue
            text = io.StringIO()
            csv.writer(text, lineterminator=newline).writerow(rec.values())
            out.write(text.getvalue().encode())
    else:
        for row in rows:
            rec = record(row)
            if rec == b"bad_byte":
                line = b'{"id": "x", "message": "caf\xe9"}'
            elif rec == b"not_object":
                line = b'["a", "list"]'
            elif rec == b"nested":
                line = b"[" * 5000 + b"]" * 5000
            else:
                line = json.dumps(rec, ensure_ascii=False).encode()
            out.write(line + newline.encode())
    return out.getvalue(), rows


def expected(rows: list[tuple[Any, ...]]) -> tuple[int, int, int]:
    """(posts, duplicates, quarantined) the rows must give."""
    seen: set[int] = set()
    posts = duplicates = quarantined = 0
    for row in rows:
        if row[0] == "bad":
            quarantined += 1
        elif row[1] in seen:
            duplicates += 1
        else:
            seen.add(row[1])
            posts += 1
    return posts, duplicates, quarantined


def table(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=files)
def test_every_row_is_stored_quarantined_or_a_duplicate_and_a_rerun_changes_nothing(
    spec: dict[str, Any],
) -> None:
    content, rows = render(spec)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "brands.yaml").write_text(BRANDS, encoding="utf-8")
        settings_ = Settings.from_env(
            {"BRANDPULSE_HOME": str(root / "var"), "BRANDPULSE_BRANDS": str(root / "brands.yaml")}
        )
        (settings_.home / "imports").mkdir(parents=True)
        (settings_.home / "imports" / f"export.{spec['format']}").write_bytes(content)
        brand = file_import.read_brands(settings_.brands_file).get("acme")

        [result] = file_import.import_brand(settings_, brand, batch_rows=spec["batch_rows"])

        posts, duplicates, quarantined = expected(rows)
        if not rows:  # nothing but a header (CSV), or an empty file: quarantined as a whole
            assert result.loaded == 0 and result.quarantined == (spec["format"] == "jsonl")
        else:
            assert result.error is None
            assert result.rows_read == len(rows)
            assert (result.loaded, result.duplicates, result.quarantined) == (
                posts,
                duplicates,
                quarantined,
            )
            assert result.rows_read == result.loaded + result.duplicates + result.quarantined
        assert table(settings_, "select count(*) from posts") == [(result.loaded,)]
        reasons = table(settings_, "select record_no, reason from quarantine order by 1")
        assert len(reasons) == result.quarantined
        assert len({r[0] for r in reasons}) == len(reasons)  # one row per bad record
        assert all(reason for _, reason in reasons)
        ledger = table(
            settings_, "select rows_read, loaded, duplicates, quarantined from file_imports"
        )
        assert ledger == [(result.rows_read, result.loaded, result.duplicates, result.quarantined)]

        before = snapshot(settings_)
        [again] = file_import.import_brand(settings_, brand)
        assert again.skipped and snapshot(settings_) == before
        [forced] = file_import.import_brand(settings_, brand, reimport=True, batch_rows=7)
        assert (forced.loaded, forced.updated) == (0, result.loaded)
        after = snapshot(settings_)
        assert {t: v for t, v in after.items() if t != "file_imports"} == {
            t: v for t, v in before.items() if t != "file_imports"
        }
