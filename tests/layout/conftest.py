"""Layout fixtures: one headless Chromium per session, and where screenshots go.

Screenshots are test artifacts, written to ``test-artifacts/layout/`` in the checkout (git
ignores it) or to ``$BRANDPULSE_TEST_ARTIFACTS/layout/``. The variable is read when this
file is imported: the autouse ``clean_env`` fixture removes every ``BRANDPULSE_*`` variable
from each test's environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT
from tests.layout.browser import Browser, find_chromium

ARTIFACTS = (
    Path(os.environ.get("BRANDPULSE_TEST_ARTIFACTS") or PROJECT_ROOT / "test-artifacts") / "layout"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        reason = (
            "LAYOUT TESTS NOT RUN: no Chromium found (chromium, chromium-browser, google-chrome "
            "or $BRANDPULSE_CHROMIUM). `make test` installs it with scripts/install_chromium.sh "
            "(apt-get, as root); run that script, or install Chromium, to run them."
        )
        if os.environ.get("CI"):  # CI runs make test as root: Chromium must be there
            pytest.fail(reason)
        pytest.skip(reason)
    with Browser(executable) as b:
        yield b


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
