"""A real S3-compatible server on 127.0.0.1 for tests: moto's server, in its own process.

moto needs botocore, and botocore cannot be installed next to the python-dateutil the
project pins, so moto lives in a virtualenv of its own (``.venv-s3``, made by
``make s3-server`` from ``requirements-s3-server.txt``) and runs as a subprocess; the
pipeline talks to it over HTTP like to any S3. ``BRANDPULSE_TEST_MOTO_SERVER`` may name
another ``moto_server`` executable.

Use the ``s3_server`` fixture (import it into a test module or a conftest): it yields an
:class:`S3Server` with a fresh, empty bucket and sets the standard AWS variables
(``AWS_ENDPOINT_URL``, keys, region) for the test, so ``s3://<bucket>/...`` just works.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT
from tests.fakes.smtp import free_port

MOTO_ENV = "BRANDPULSE_TEST_MOTO_SERVER"
#: The variables a client needs to reach the server (moto accepts any keys).
AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class S3Server:
    """A running server and one bucket on it."""

    endpoint: str  # http://127.0.0.1:PORT
    bucket: str

    def url(self, prefix: str = "") -> str:
        """``s3://<bucket>/<prefix>``."""
        return f"s3://{self.bucket}/{prefix}".rstrip("/")

    def env(self) -> dict[str, str]:
        """The environment a process needs to use this server."""
        return {**AWS_TEST_ENV, "AWS_ENDPOINT_URL": self.endpoint}

    def create_bucket(self, name: str) -> None:
        url = f"{self.endpoint}/{name}"
        request = urllib.request.Request(url, method="PUT")  # noqa: S310 - http on loopback
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()


def moto_server_command() -> Path:
    """The ``moto_server`` executable; fails the test with what to run when there is none."""
    exe = Path(os.environ.get(MOTO_ENV) or PROJECT_ROOT / ".venv-s3" / "bin" / "moto_server")
    if not exe.exists():
        pytest.fail(f"no moto server at {exe}: run `make s3-server` (or set {MOTO_ENV})")
    return exe


@dataclass
class _Process:
    endpoint: str
    process: subprocess.Popen[bytes]


def start_moto() -> _Process:
    """moto's server on a free loopback port, answering before this returns."""
    port = free_port()
    process = subprocess.Popen(
        [str(moto_server_command()), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(endpoint, timeout=2) as response:
                response.read()
            return _Process(endpoint, process)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"moto server did not start on {endpoint}") from None
            time.sleep(0.1)


_RUNNING: list[_Process] = []


def _stop() -> None:
    for server in _RUNNING:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()


def shared_moto() -> _Process:
    """One server per test process, started on first use, stopped when the process ends
    (so that importing the ``s3_server`` fixture alone is enough)."""
    if not _RUNNING or _RUNNING[0].process.poll() is not None:
        if not _RUNNING:
            atexit.register(_stop)
        _RUNNING[:] = [start_moto()]
    return _RUNNING[0]


@pytest.fixture
def s3_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """A fresh bucket on a real S3 server on 127.0.0.1; AWS variables set for the test."""
    server = S3Server(shared_moto().endpoint, f"bp-{uuid.uuid4().hex[:12]}")
    server.create_bucket(server.bucket)
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    yield server
