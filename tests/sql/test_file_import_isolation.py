"""File imports that no bad file can stop: every readable row lands, a bad row or file is
quarantined with its reason, one brand's failure never stops another, a changed mapping or
``--reimport`` imports again without counting anything twice, ids written as floats match,
and replies in a thread answer their complaint. Real DuckDB files under tmp_path."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli.main import main
from pipeline.settings import Settings
from pipeline.steps import file_import
from tests.e2e.conftest import snapshot
from tests.helpers import (
    ACME_COLUMNS,
    acme_file_brand,
    file_import_settings,
    rows,
    write_file_brands,
)
from tests.helpers import drop_file as drop

#: Bolt: a second brand fed by file drops, with the default column names.
BOLT = {
    "id": "bolt", "name": "Bolt", "timezone": "UTC", "accounts": ["@BoltCare"], "terms": ["bolt"],
    "overrides": {"history": {"start": date(2017, 1, 1)}},
    "sources": {"file": {"folder": "imports/bolt"}},
}  # fmt: skip

HEADER = "id,date,message,user,followers,reply_to\n"
GOOD = [
    "1,2026-10-05T10:00:00Z,my acme order never arrived,ann,10,",
    "2,2026-10-05T11:00:00Z,love the acme app,bob,20,",
    "3,2026-10-05T12:00:00Z,acme is fine,cat,30,",
]


def brands(**acme_file: object) -> tuple[dict[str, Any], ...]:
    """Acme (exports back to 2017, whenever this runs; replies named by ``reply_to``;
    ``acme_file``: more or other file options) and Bolt."""
    options = {"columns": {**ACME_COLUMNS, "in_reply_to_post_id": "reply_to"}, **acme_file}
    return acme_file_brand(date(2017, 1, 1), **options), BOLT


def write_brands(settings: Settings, **acme_file: object) -> None:
    write_file_brands(settings, *brands(**acme_file))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return file_import_settings(tmp_path, monkeypatch, *brands())


def csv_of(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


def test_no_bad_row_or_file_stops_the_import(home: Settings) -> None:
    big = "x" * 140_000
    drop(home, "a-cell.csv", csv_of(GOOD[0], f"10,2026-10-05T10:00:00Z,{big},ann,1,"))
    drop(home, "b-followers.csv", csv_of(GOOD[1], f"11,2026-10-05T10:00:00Z,hi acme,bo,{2**64},"))
    drop(home, "c-date.csv", csv_of(GOOD[2], "12,100000000000000000000,hi acme,cy,1,"))
    good_line = {"id": "4", "date": "2026-10-05T13:00:00Z", "message": "acme ok", "user": "dan"}
    drop(
        home,
        "d-nested.jsonl",
        json.dumps(good_line) + "\n" + "[" * 50_000 + "]" * 50_000 + "\n[1]\n",
    )
    drop(
        home,
        "e-byte.csv",
        csv_of("5,2026-10-05T14:00:00Z,caf\udce9 acme,eve,1,").encode("utf-8", "surrogateescape")
        + csv_of("6,2026-10-05T15:00:00Z,fine acme,fay,1,").split("\n", 1)[1].encode(),
    )
    drop(home, "f-empty.csv", "")
    drop(home, "g-binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00")
    drop(home, "h-html.csv", "<html><body>Not found</body></html>\n")
    run = file_import.import_all(home)
    assert not run.failures
    got = {r.file_name: (r.rows_read, r.loaded, r.quarantined, r.error) for r in run.results}
    assert got == {
        "a-cell.csv": (2, 1, 1, None),
        "b-followers.csv": (2, 1, 1, None),
        "c-date.csv": (2, 1, 1, None),
        "d-nested.jsonl": (3, 1, 2, None),
        "e-byte.csv": (2, 1, 1, None),
        "f-empty.csv": (1, 0, 1, "file: empty"),
        "g-binary.csv": (1, 0, 1, "file: binary content, not CSV or JSON text"),
        "h-html.csv": (
            1,
            0,
            1,
            "file: mapped column 'id' (sources.file.columns.post_id) is not in the file; "
            "columns found: <html><body>Not found</body></html>",
        ),
    }
    assert rows(home, "select post_id from posts order by post_id") == [
        (p,) for p in ("1", "2", "3", "4", "6")
    ]
    reasons = rows(home, "select post_id, record_no, reason from quarantine")
    for expected in [
        (None, 1, "line 3: field larger than field limit (131072)"),
        ("11", 1, f"author_followers: out of range (0 .. 2^63-1): '{2**64}'"),
        ("12", 1, "created_at: '100000000000000000000' is not a time in range"),
        (None, 1, "line 2: JSON nested deeper than 64 levels"),
        (None, 2, "line 3: not an object (a list)"),
        (None, 0, "line 2: not UTF-8 text (byte 0xe9)"),
        (None, 0, "file: empty"),
    ]:
        assert expected in reasons
    assert len(reasons) == 9  # one per bad row or file
    ledger = rows(home, "select file_name, error from file_imports where error is not null")
    assert sorted(f for f, _ in ledger) == ["f-empty.csv", "g-binary.csv", "h-html.csv"]
    # A second run has nothing to do: every file is in the ledger, bad ones included.
    before = snapshot(home)
    assert all(r.skipped for r in file_import.import_all(home).results)
    assert snapshot(home) == before


def test_one_brand_failing_never_stops_another(
    home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    (home.home / "imports" / "acme").rmdir()
    drop(home, "bolt.csv", "post_id,created_at,text\n7,2026-10-05T10:00:00Z,bolt rocks\n", "bolt")
    assert main(["import-files"]) == 2
    out, err = capsys.readouterr()
    assert "bolt: bolt.csv: 1 rows: 1 new, 0 updated, 0 duplicates, 0 quarantined" in out
    assert err.strip().endswith("is not a folder")
    assert err.startswith("brandpulse: error: brand 'acme', field 'sources.file.folder':")
    assert "Traceback" not in err
    assert rows(home, "select brand, post_id from posts") == [("bolt", "7")]


def test_a_file_that_cannot_be_opened_is_left_for_the_next_run(
    home: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop(home, "a.csv", csv_of(GOOD[0]))
    drop(home, "b.csv", csv_of(GOOD[1]))
    real = file_import.sha256_of

    def locked(path: Path) -> str:  # as a file held open by a Windows share, or unreadable
        if path.name == "a.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(file_import, "sha256_of", locked)
    run = file_import.import_all(home)
    assert [r.file_name for r in run.results] == []
    assert str(run.failures["acme"]) == (
        "brand 'acme': could not read a.csv (Permission denied); the other files were "
        "imported, these are tried again next run"
    )
    assert rows(home, "select file_name from file_imports") == [("b.csv",)]
    monkeypatch.undo()
    assert [r.file_name for r in file_import.import_all(home).results if not r.skipped] == ["a.csv"]


def test_time_formats_are_read_and_a_time_format_can_be_given(home: Settings) -> None:
    drop(
        home,
        "x.csv",
        csv_of(
            "1,Tue Oct 31 22:10:47 +0000 2017,acme x format,a,1,",
            '2,"Tue, 31 Oct 2017 22:10:47 +0000",acme rfc,b,1,',
            "3,1509487847,acme epoch,c,1,",
            "4,1509487847000,acme epoch ms,d,1,",
            "5,2017-10-31 22:10:47,acme naive,e,1,",
        ),
    )
    [result] = file_import.import_files(home)
    assert (result.loaded, result.quarantined) == (5, 0)
    assert rows(home, "select distinct created_at::varchar from posts") == [
        ("2017-10-31 22:10:47",)
    ]
    write_brands(home, time_format="%d/%m/%Y %H:%M")
    drop(
        home,
        "eu.csv",
        csv_of(
            "6,31/10/2017 22:10,acme eu,f,1,", "7,2017-10-31,acme iso,g,1,", "8,31.10.2017,a,h,1,"
        ),
    )
    results = {r.file_name: r for r in file_import.import_files(home)}
    assert (results["eu.csv"].loaded, results["eu.csv"].quarantined) == (2, 1)
    # The new time format changed the mapping: x.csv was read again, nothing counted twice.
    assert (results["x.csv"].loaded, results["x.csv"].updated) == (0, 5)
    assert rows(home, "select count(*) from posts") == [(7,)]
    assert rows(home, "select reason from quarantine") == [
        (
            "created_at: '31.10.2017' matches neither time_format '%d/%m/%Y %H:%M' nor ISO 8601, "
            "RFC 2822, X's format or epoch",
        )
    ]


def test_a_mapping_typo_quarantines_the_file_and_the_fix_imports_it(home: Settings) -> None:
    write_brands(home, columns={"created_at": "date", "text": "mesage"})
    drop(home, "export.csv", "date,message\n2026-10-05T10:00:00Z,acme broke\n")
    [result] = file_import.import_files(home)
    assert result.error == (
        "file: mapped column 'mesage' (sources.file.columns.text) is not in the file; "
        "columns found: date, message"
    )
    assert result.too_much_quarantined
    write_brands(home, columns={"created_at": "date", "text": "message"})
    [result] = file_import.import_files(home)
    assert not result.skipped and (result.loaded, result.quarantined) == (1, 0)
    assert rows(home, "select count(*) from quarantine") == [(0,)]  # the file's reasons replaced
    assert rows(home, "select error, loaded from file_imports") == [(None, 1)]  # the latest
    assert file_import.import_files(home)[0].skipped


def test_a_reimport_upserts_and_counts_updates_apart_from_new_posts(
    home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    drop(home, "a.csv", csv_of(*GOOD, "9,bad date,acme,zed,1,"))
    file_import.import_files(home)
    before = snapshot(home)
    assert main(["import-files", "--brand", "acme", "--file", "a.csv", "--reimport"]) == 1
    out, err = capsys.readouterr()
    assert out == "acme: a.csv: 4 rows: 0 new, 3 updated, 0 duplicates, 1 quarantined\n"
    assert "1 of 4 rows quarantined, more than max_quarantine_share 0.2" in err
    after = snapshot(home)
    assert {t: v for t, v in after.items() if t != "file_imports"} == {
        t: v for t, v in before.items() if t != "file_imports"
    }
    assert rows(home, "select loaded, updated, quarantined from file_imports") == [(0, 3, 1)]
    # An overlapping export: one post new, one re-delivered at another time.
    drop(
        home,
        "b.csv",
        csv_of(
            "2,2026-10-06T09:00:00Z,love the acme app,bob,20,",
            "8,2026-10-06T10:00:00Z,acme new,hal,1,",
        ),
    )
    [skipped, b] = file_import.import_files(home)
    assert skipped.skipped and (b.loaded, b.updated) == (1, 1)
    hourly = rows(home, "select hour::varchar, posts from brand_hourly where posts > 0 order by 1")
    assert ("2026-10-05 11:00:00", 1) not in hourly  # the moved post left its old hour
    assert ("2026-10-06 09:00:00", 1) in hourly


def test_a_changed_post_id_column_replaces_the_files_earlier_posts(home: Settings) -> None:
    drop(
        home,
        "a.csv",
        "id,tid,date,message,user,followers,reply_to\n"
        "1,901,2026-10-05T10:00:00Z,acme one,a,1,\n2,902,2026-10-05T11:00:00Z,acme two,b,1,\n",
    )
    file_import.import_files(home)
    write_brands(
        home, columns={**ACME_COLUMNS, "in_reply_to_post_id": "reply_to", "post_id": "tid"}
    )
    [result] = file_import.import_files(home)
    assert (result.loaded, result.updated) == (2, 0)
    assert rows(home, "select post_id from posts order by 1") == [("901",), ("902",)]
    assert rows(home, "select sum(posts)::bigint from brand_hourly") == [(2,)]


def test_ids_written_as_floats_match_and_fractional_ids_are_quarantined(home: Settings) -> None:
    drop(
        home,
        "floats.jsonl",
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "id": 617.0,
                    "date": "2026-10-05T10:00:00Z",
                    "message": "my acme order never arrived",
                    "user": "ann",
                },
                {
                    "id": "6.18e2",
                    "date": "2026-10-05T10:30:00Z",
                    "message": "sorry! DM us",
                    "user": "AcmeHelp",
                    "reply_to": "617.0",
                },
                {"id": 619.5, "date": "2026-10-05T10:40:00Z", "message": "acme", "user": "x"},
            ]
        )
        + "\n",
    )
    [result] = file_import.import_files(home)
    assert (result.loaded, result.quarantined) == (2, 1)
    assert rows(home, "select post_id, in_reply_to_post_id from posts order by 1") == [
        ("617", None),
        ("618", "617"),
    ]
    assert rows(home, "select post_id, reason from quarantine") == [
        ("619.5", "post_id: '619.5' is not a whole number (a rounded id?)")
    ]
    assert rows(home, "select post_id, answered, response_seconds from complaint_responses") == [
        ("617", True, 1800)
    ]


def test_a_reply_in_the_thread_answers_the_complaint(home: Settings) -> None:
    # The customer complains, adds to the thread, and the brand answers the addition 42
    # minutes after the complaint, in a later export than the complaint's.
    drop(
        home,
        "a.csv",
        csv_of(
            "100,2026-10-05T10:00:00Z,my acme order never arrived,ann,10,",
            "101,2026-10-05T10:05:00Z,still nothing and no refund from acme,ann,10,100.0",
            "200,2026-10-05T11:00:00Z,acme refund never came,zoe,10,",
        ),
    )
    file_import.import_files(home)
    assert rows(home, "select count(*) from complaint_responses where answered") == [(0,)]
    drop(home, "b.csv", csv_of("102,2026-10-05T10:42:00Z,so sorry Ann! DM us,AcmeHelp,9,101"))
    file_import.import_files(home)
    posts = rows(
        home,
        "select post_id, conversation_id, in_reply_to_author_id from posts order by post_id",
    )
    assert posts == [
        ("100", "100", None),
        ("101", "100", "ann"),
        ("102", "100", "ann"),
        ("200", "200", None),
    ]
    answered = rows(
        home,
        "select post_id, first_reply_post_id, response_seconds from complaint_responses"
        " where post_id in ('100', '200') order by 1",
    )
    assert answered == [("100", "102", 42 * 60), ("200", None, None)]


def test_batches_give_the_same_warehouse_as_one_pass(home: Settings) -> None:
    lines = [
        f"{i % 7},2026-10-05T{10 + i % 5:02d}:00:00Z,acme post {i % 7},u{i},{i},"
        if i % 4
        else f"{i},nope,acme,u{i},1,"
        for i in range(23)
    ]
    drop(home, "a.csv", csv_of(*lines))
    [one] = file_import.import_files(home)
    whole = snapshot(home)
    quarantine = rows(home, "select record_no, reason from quarantine order by 1")
    # Imported again in one pass: the same warehouse, the ledger row's counts apart.
    [again] = file_import.import_all(home, reimport=True).results
    assert (again.loaded, again.updated) == (0, one.loaded)
    assert {t: v for t, v in snapshot(home).items() if t != "file_imports"} == {
        t: v for t, v in whole.items() if t != "file_imports"
    }
    for name in ("warehouse", "landing"):
        shutil.rmtree(home.home / name)
    brand = file_import.read_brands(home.brands_file).get("acme")
    [batched] = file_import.import_brand(home, brand, batch_rows=3)
    assert (batched.rows_read, batched.loaded, batched.duplicates, batched.quarantined) == (
        one.rows_read,
        one.loaded,
        one.duplicates,
        one.quarantined,
    )
    assert one.rows_read == one.loaded + one.duplicates + one.quarantined == 23
    assert rows(home, "select record_no, reason from quarantine order by 1") == quarantine
    assert {t: v for t, v in snapshot(home).items() if t not in {"quality_results"}} == {
        t: v for t, v in whole.items() if t not in {"quality_results"}
    }
