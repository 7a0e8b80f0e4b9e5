"""File drops: each export imported once per content, rows mapped, bad rows quarantined."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from pipeline.errors import ConfigError, WarehouseLockedError
from pipeline.settings import Settings
from pipeline.steps import file_import
from tests.e2e.conftest import snapshot
from tests.helpers import acme_file_brand, file_import_settings, rows
from tests.helpers import drop_file as drop

CSV = """id,date,message,user,followers,extra
1,2026-10-05T10:15:00Z,my acme order never arrived,@ann,120,x
2,2026-10-05 11:00:00,love the new acme app,bob,5,y
3,not a date,broken,cat,1,z
4,2026-10-05T12:00:00+02:00,,dan,1,z
1,2026-10-05T10:15:00Z,my acme order never arrived,@ann,120,x
,2026-10-05T13:00:00Z,"no id here, still waiting for a refund",eve,7,z
5,2026-10-05T14:00:00Z,sorry to hear that! DM us,AcmeHelp,9000,z
"""


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return file_import_settings(tmp_path, monkeypatch, acme_file_brand(date(2026, 1, 1)))


def test_a_csv_export_is_mapped_scored_and_quarantined_row_by_row(acme: Settings) -> None:
    drop(acme, "export-1.csv", CSV)
    [result] = file_import.import_files(acme)
    assert (result.rows_read, result.loaded, result.duplicates, result.quarantined) == (7, 4, 1, 2)
    posts = rows(
        acme,
        "select post_id, author_handle, author_followers, kind, is_complaint"
        " from posts order by created_at",
    )
    assert [p[0] for p in posts[:2]] == ["1", "2"]
    assert posts[0][1:] == ("ann", 120, "original", True)
    assert posts[2][0].startswith("h:")  # derived id for the row without one
    assert posts[3][3] == "brand_reply"
    reasons = rows(acme, "select record_no, reason, batch_id from quarantine order by record_no")
    assert [r[1] for r in reasons] == [
        "created_at: not a time (ISO 8601, RFC 2822, X's format or epoch): 'not a date'; "
        "set sources.file.time_format for another format",
        "text: empty",
    ]
    assert reasons[0][2] == result.sha256
    ledger = rows(acme, "select file_name, rows_read, loaded, quarantined from file_imports")
    assert ledger == [("export-1.csv", 7, 4, 2)]
    hourly = rows(acme, "select sum(posts)::bigint, sum(brand_replies)::bigint from brand_hourly")
    assert hourly == [(3, 1)]
    daily = rows(acme, "select day, posts from brand_daily where posts > 0")
    assert [(str(d), n) for d, n in daily] == [("2026-10-05", 3)]


def test_the_same_content_is_imported_once_whatever_its_name(acme: Settings) -> None:
    first = drop(acme, "export-1.csv", CSV)
    file_import.import_files(acme)
    before = snapshot(acme)
    shutil.copy(first, first.with_name("export-1-copy.csv"))
    results = file_import.import_files(acme)
    assert [r.skipped for r in results] == [True, True]
    assert snapshot(acme) == before


def test_an_overlapping_export_updates_posts_without_duplicates(acme: Settings) -> None:
    drop(acme, "a.csv", CSV)
    drop(
        acme,
        "b.csv",
        CSV.replace("love the new acme app", "love the new acme app!!")
        + "6,2026-10-06T09:00:00Z,acme is down again,fay,3,z\n",
    )
    file_import.import_files(acme)
    posts = rows(
        acme, "select post_id, text from posts where post_id in ('2', '6') order by post_id"
    )
    assert posts == [("2", "love the new acme app!!"), ("6", "acme is down again")]
    assert rows(acme, "select count(*), count(distinct post_id) from posts") == [(5, 5)]


def test_unreadable_files_and_lines_are_quarantined_with_a_reason(acme: Settings) -> None:
    drop(
        acme,
        "latin1.csv",
        "id,date,message,user,followers\n1,2026-10-05T10:00:00Z,caf\xe9,ann,1\n".encode("latin-1"),
    )
    drop(
        acme,
        "feed.jsonl",
        '{"id": "9", "date": "2026-10-05T10:00:00Z", "message": "ok acme"}\n{"id": "10", "date\n',
    )
    drop(acme, ".half-written.csv", "id,date")
    results = {r.file_name: r for r in file_import.import_files(acme)}
    assert set(results) == {"feed.jsonl", "latin1.csv"}
    assert (results["feed.jsonl"].loaded, results["feed.jsonl"].quarantined) == (1, 1)
    assert results["latin1.csv"].quarantined == 1
    reasons = sorted(r[0] for r in rows(acme, "select reason from quarantine"))
    assert reasons == [
        "line 2: not UTF-8 text (byte 0xe9)",
        "line 2: not valid JSON (Unterminated string starting at)",
    ]


def test_rows_are_never_cut_short_or_split(acme: Settings) -> None:
    drop(
        acme,
        "commas.csv",
        "id,date,message,user,followers\n1,2026-10-05T10:00:00Z,broken, again, thanks acme,ann,1\n",
    )
    drop(
        acme,
        "seps.jsonl",
        '{"id": "7", "date": "2026-10-05T10:00:00Z", "message": "a\u2028b acme"}\n',
    )
    results = {r.file_name: r for r in file_import.import_files(acme)}
    assert (results["commas.csv"].loaded, results["commas.csv"].quarantined) == (0, 1)
    assert (results["seps.jsonl"].loaded, results["seps.jsonl"].quarantined) == (1, 0)
    reasons = [r[0] for r in rows(acme, "select reason from quarantine")]
    assert reasons == ["line 2: 7 fields, but the header has 5 (an unquoted comma?)"]
    assert rows(acme, "select text from posts") == [("a\u2028b acme",)]


def test_a_missing_folder_is_a_config_error(acme: Settings) -> None:
    shutil.rmtree(acme.home / "imports")
    with pytest.raises(ConfigError, match=r"field 'sources\.file\.folder'"):
        file_import.import_files(acme)


def test_a_failure_before_the_aggregates_leaves_the_file_to_import_again(
    acme: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop(acme, "export-1.csv", CSV)

    def locked(*args: object, **kwargs: object) -> None:
        raise WarehouseLockedError("the warehouse is held by another process")

    monkeypatch.setattr(file_import.aggregation, "aggregate", locked)
    with pytest.raises(WarehouseLockedError):
        file_import.import_files(acme)
    assert rows(acme, "select count(*) from file_imports") == [(0,)]
    monkeypatch.undo()
    [result] = file_import.import_files(acme)
    assert not result.skipped and result.loaded == 4
    assert rows(acme, "select count(*), count(distinct post_id) from posts") == [(4, 4)]
    assert rows(acme, "select sum(posts)::bigint from brand_hourly") == [(3,)]
