"""Airflow's signing secrets are long enough: no "The HMAC key is N bytes long" warning.

Airflow signs its API and task tokens with ``[api_auth] jwt_secret`` and the tokens that
fetch task logs with ``[api] secret_key``, with HS512 by default; PyJWT warns on every token
signed or checked with a key under 64 bytes. ``brandpulse airflow`` makes both per
installation (pipeline/cli/airflow_runner.py)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipeline.cli import airflow_runner
from pipeline.settings import Settings

#: Signs and checks a token with each of Airflow's signing secrets, as Airflow does, and
#: prints the key-length warnings PyJWT gave.
SIGN_AND_CHECK = """
import json, warnings
warnings.simplefilter("always")
from airflow.api_fastapi.auth.tokens import JWTGenerator, JWTValidator, get_signing_key
said = []
for section, key in (("api_auth", "jwt_secret"), ("api", "secret_key")):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        secret = get_signing_key(section, key)
        token = JWTGenerator(secret_key=secret, valid_for=60, audience="t").generate({"sub": "u"})
        JWTValidator(secret_key=secret, audience="t").validated_claims(token)
    said += [f"{section}/{key}: {w.message}" for w in caught if "HMAC key" in str(w.message)]
print(json.dumps(said))
"""


def _warnings(env: dict[str, str]) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", SIGN_AND_CHECK],
        env=env, capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_each_installation_gets_long_secrets_of_its_own(tmp_path: Path) -> None:
    settings = Settings.from_env({"BRANDPULSE_HOME": str(tmp_path / "var")})
    env = airflow_runner.environ(settings)
    for name, variable in airflow_runner.SECRET_FILES.items():
        path = settings.airflow_home / name
        value = path.read_text(encoding="utf-8").strip()
        assert env[variable] == value and len(value.encode()) >= airflow_runner.SECRET_BYTES
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert airflow_runner.installation_secret(settings, name) == value  # kept
    other = Settings.from_env({"BRANDPULSE_HOME": str(tmp_path / "other")})
    assert airflow_runner.jwt_secret(other) != airflow_runner.jwt_secret(settings)


def test_a_short_secret_from_an_older_installation_is_replaced(tmp_path: Path) -> None:
    settings = Settings.from_env({"BRANDPULSE_HOME": str(tmp_path / "var")})
    settings.airflow_home.mkdir(parents=True)
    old = "x" * 43  # what `brandpulse airflow` made before (token_urlsafe(32))
    (settings.airflow_home / "jwt_secret").write_text(old, encoding="utf-8")
    new = airflow_runner.jwt_secret(settings)
    assert new != old and len(new) >= airflow_runner.SECRET_BYTES


def test_tokens_signed_with_the_generated_secrets_raise_no_key_length_warning(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env({"BRANDPULSE_HOME": str(tmp_path / "var")})
    env = airflow_runner.environ(settings)
    assert _warnings(env) == []
    # The check itself: the secrets brandpulse used to make (43 characters) do warn.
    short = {**env, "AIRFLOW__API_AUTH__JWT_SECRET": "s" * 43, "AIRFLOW__API__SECRET_KEY": "k" * 24}
    said = _warnings(short)
    assert len(said) >= 2 and "The HMAC key is 43 bytes long" in said[0], said


@pytest.mark.airflow
def test_the_api_server_answers_requests_without_the_warning(
    airflow_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real API server, a token from it and a few authenticated requests: its log has
    no key-length warning."""
    settings = Settings.from_env({"BRANDPULSE_HOME": str(airflow_home)})
    for variable in airflow_runner.SECRET_FILES.values():
        monkeypatch.delenv(variable, raising=False)
    port = airflow_runner._free_port()
    log_path = settings.airflow_home / "logs" / "api-server-secrets.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = airflow_runner.environ(settings)
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [airflow_runner.airflow_bin(), "api-server", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, log_path.read_text(encoding="utf-8", errors="replace")
            assert time.monotonic() < deadline, "the API server did not come up"
            try:
                health = f"{base}/api/v2/monitor/health"  # a loopback http URL built here
                with urllib.request.urlopen(health, timeout=5):  # noqa: S310
                    break
            except OSError:
                time.sleep(1)
        token_request = urllib.request.Request(f"{base}/auth/token", method="GET")  # noqa: S310
        with urllib.request.urlopen(token_request, timeout=30) as resp:  # noqa: S310
            token = json.load(resp)["access_token"]
        for _ in range(3):
            request = urllib.request.Request(  # noqa: S310
                f"{base}/api/v2/dags", headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310
                assert resp.status == 200
    finally:
        airflow_runner._stop_group(proc)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    assert "HMAC key" not in text and "InsecureKeyLengthWarning" not in text, text[-2000:]
