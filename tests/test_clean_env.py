"""The autouse ``clean_env`` fixture (tests/conftest.py) removes the developer's brandpulse
and Airflow settings before every test, and keeps the variables that name the test suite's
own tools (another moto server, a Chromium), which it once removed too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import leaks
from tests.fakes.s3 import MOTO_ENV

ROOT = Path(__file__).resolve().parents[1]


def test_settings_leak_tool_locations_do_not() -> None:
    assert leaks("BRANDPULSE_HOME") and leaks("BRANDPULSE_STORAGE")
    assert leaks("AIRFLOW_CONN_SMTP_DEFAULT") and leaks("AIRFLOW__CORE__DAGS_FOLDER")
    assert not leaks(MOTO_ENV) and not leaks("BRANDPULSE_CHROMIUM")
    assert not leaks("HOME") and not leaks("PATH")


def test_a_moto_server_named_in_the_environment_is_the_one_used(tmp_path: Path) -> None:
    """A test run with BRANDPULSE_TEST_MOTO_SERVER naming a missing file fails saying so:
    the variable reaches the s3_server fixture (it was cleared, and the default used)."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "from tests.conftest import clean_env  # noqa: F401 (the fixture, autouse)\n"
        "from tests.fakes.s3 import moto_server_command\n"
        "def test_probe():\n"
        "    moto_server_command()\n",
        encoding="utf-8",
    )
    missing = tmp_path / "no-such" / "moto_server"
    env = {**os.environ, MOTO_ENV: str(missing), "BRANDPULSE_HOME": str(tmp_path / "leak")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT),
         "-c", str(ROOT / "pyproject.toml"), "--confcutdir", str(ROOT), str(probe)],
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"no moto server at {missing}" in done.stdout
