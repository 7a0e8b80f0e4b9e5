"""Headless Chromium driven over the DevTools protocol (CDP), for the layout tests.

A small client on ``websockets`` (already installed): start Chromium with
``--remote-debugging-port=0``, read the browser's WebSocket address from its stderr, open one
page target in flat-session mode, and send commands with a session id. Only what the layout
tests need: load an HTML document, set the viewport, evaluate a script, take a full-page
screenshot.

Chromium is found as ``$BRANDPULSE_CHROMIUM`` or ``chromium`` / ``chromium-browser`` /
``google-chrome`` on PATH; ``scripts/install_chromium.sh`` (run by ``make test``) installs it.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

#: The flags the layout tests start Chromium with: headless, no sandbox (CI runs as root),
#: nothing fetched from the network on its own.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-port=0",
)
#: Seconds Chromium may take to start, and a command to answer.
START_TIMEOUT = 60.0
COMMAND_TIMEOUT = 60.0
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


#: Read on import (the autouse clean_env fixture keeps it: tests/conftest.py, TOOL_VARIABLES).
_CHOSEN = os.environ.get("BRANDPULSE_CHROMIUM", "")


def find_chromium() -> str | None:
    """The Chromium executable, or None when there is none."""
    for name in (_CHOSEN, "chromium", "chromium-browser", "google-chrome"):
        if name and (found := shutil.which(name)):
            return found
    return None


class CdpError(RuntimeError):
    """Chromium did not start, or answered a command with an error."""


class Browser:
    """One headless Chromium process with one page; use as a context manager."""

    def __init__(self, executable: str) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="brandpulse-chromium-")
        self._proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._ids = itertools.count(1)
        self._stack = contextlib.ExitStack()
        self._ws = self._stack.enter_context(self._connect())
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.send("Page.enable", session=True)

    def _connect(self) -> ClientConnection:
        assert self._proc.stderr is not None
        deadline = time.monotonic() + START_TIMEOUT
        seen: list[str] = []
        while time.monotonic() < deadline:
            line = self._proc.stderr.readline()
            if not line:
                break
            seen.append(line.rstrip())
            if match := _LISTENING.search(line):
                # Keep reading Chromium's log, or a full pipe would stall it.
                threading.Thread(target=self._proc.stderr.read, daemon=True).start()
                return connect(match.group(1), max_size=None, open_timeout=START_TIMEOUT)
        self.close()
        raise CdpError("Chromium did not start: " + " | ".join(seen[-5:]))

    def send(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events in between are skipped)."""
        msg_id = next(self._ids)
        message: dict[str, Any] = {"id": msg_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError(f"{method}: no answer in {COMMAND_TIMEOUT:g} s")
            reply = json.loads(self._ws.recv(timeout=left))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def _wait_for(self, event: str) -> None:
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            message = json.loads(self._ws.recv(timeout=left))
            if message.get("method") == event:
                return
        raise CdpError(f"no {event} in {COMMAND_TIMEOUT:g} s")

    def load(self, html_file: Path, width: int, height: int = 800) -> None:
        """Show ``html_file`` in a layout viewport exactly ``width`` CSS pixels wide (as a mail
        app's reading pane is; no mobile zoom-out to 980 px that would hide an overflow)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Page.navigate", session=True, url=html_file.resolve().as_uri())
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page."""
        result = self.send(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise CdpError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, target: Path) -> Path:
        """A PNG of the whole page (beyond the viewport) at ``target``."""
        shot = self.send(
            "Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(shot["data"]))
        return target

    def close(self) -> None:
        stack = getattr(self, "_stack", None)
        if stack is not None:
            stack.close()
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stderr is not None:
            self._proc.stderr.close()
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
