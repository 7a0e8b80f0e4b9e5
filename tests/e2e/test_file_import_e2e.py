"""The file-import DAG through real Airflow: one mapped task per brand, so a brand whose
export is mostly bad fails its own task (after importing its good rows) while the other
brand's file lands."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import airflow_runner
from pipeline.errors import BrandpulseError
from pipeline.settings import Settings
from pipeline.warehouse import connection

pytestmark = pytest.mark.airflow

BRANDS = """
brands:
  - id: acme
    name: Acme
    timezone: UTC
    accounts: ["@AcmeHelp"]
    terms: [acme]
    sources:
      file: {folder: imports/acme}
  - id: bolt
    name: Bolt
    timezone: UTC
    accounts: ["@BoltCare"]
    terms: [bolt]
    sources:
      file: {folder: imports/bolt}
"""


def test_a_bad_export_fails_only_its_brands_task(
    e2e_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    brands = tmp_path / "brands.yaml"
    brands.write_text(BRANDS, encoding="utf-8")
    monkeypatch.setenv("BRANDPULSE_BRANDS", str(brands))
    settings = Settings.from_env()
    for brand in ("acme", "bolt"):
        (settings.home / "imports" / brand).mkdir(parents=True, exist_ok=True)
        for old in (settings.home / "imports" / brand).iterdir():
            old.unlink()
    header = "post_id,created_at,text\n"
    (settings.home / "imports" / "acme" / "mostly-bad.csv").write_text(
        header + "1,2026-10-05T10:00:00Z,acme broke\n2,someday,acme\n3,never,acme\n",
        encoding="utf-8",
    )
    (settings.home / "imports" / "bolt" / "good.csv").write_text(
        header + "7,2026-10-05T10:00:00Z,bolt is great\n8,2026-10-05T11:00:00Z,bolt ok\n",
        encoding="utf-8",
    )
    with pytest.raises(BrandpulseError, match="did not succeed"):
        airflow_runner.dags_test("brandpulse_file_import", settings)
    log = (settings.airflow_home / "logs" / "dags_test_brandpulse_file_import.log").read_text()
    assert "2 of 3 rows quarantined, more than max_quarantine_share 0.2" in log
    con = connection.connect(settings.warehouse, read_only=True)
    try:
        posts = con.execute("select brand, post_id from posts order by 1, 2").fetchall()
        ledger = con.execute(
            "select brand, rows_read, loaded, quarantined from file_imports order by 1"
        ).fetchall()
    finally:
        con.close()
    assert posts == [("acme", "1"), ("bolt", "7"), ("bolt", "8")]
    assert ledger == [("acme", 3, 1, 2), ("bolt", 2, 2, 0)]
