"""A real HTTP server on 127.0.0.1 for fake provider APIs, with scripted faults.

Each fake API (X, Bluesky, Mastodon) subclasses :class:`FakeAPI` and implements
:meth:`FakeAPI.handle`; the server runs in a thread, answers over real HTTP, records every
request, and can be told to misbehave on chosen requests:

    api.faults.append(Fault.rate_limited(reset_in_s=2))   # the next request gets a 429
    api.faults.append(Fault.status(503))                  # the one after that a 503
    api.faults.append(Fault.slow(3.0))                    # ... then a slow answer
    api.faults.append(Fault.malformed())                  # ... then a truncated JSON body

Faults apply, in order, to the next requests for the API's paths (one fault per request).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Fault:
    """What to do instead of (or before) answering one request."""

    make: Callable[[FakeAPI], Response]

    @staticmethod
    def status(code: int, body: Any = None) -> Fault:
        return Fault(
            lambda api: Response(
                code, body if body is not None else {"title": "Service Unavailable"}
            )
        )

    @staticmethod
    def rate_limited(
        reset_in_s: float, headers: Callable[[float], dict[str, str]] | None = None
    ) -> Fault:
        def make(api: FakeAPI) -> Response:
            reset = time.time() + reset_in_s
            hdrs = headers(reset) if headers else api.rate_limit_headers(reset)
            return Response(429, {"title": "Too Many Requests"}, hdrs)

        return Fault(make)

    @staticmethod
    def slow(delay_s: float) -> Fault:
        """Answer correctly, but only after ``delay_s`` (longer than the client's timeout)."""
        return Fault(lambda api: Response(-1, None, {}, delay_s))

    @staticmethod
    def malformed() -> Fault:
        return Fault(lambda api: Response(200, b'{"data": [{"id": "1", "text": "trunc'))


class Sleeps(list[float]):
    """A recording ``sleep`` for FetchPolicy: nothing really waits."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeAPI:
    """Base of a fake provider API. Subclasses implement :meth:`handle`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()

    def handle(self, request: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def rate_limit_headers(self, reset_epoch_s: float) -> dict[str, str]:
        """The provider's rate-limit headers for a window resetting at ``reset_epoch_s``."""
        return {"x-rate-limit-reset": str(int(reset_epoch_s) + 1), "x-rate-limit-remaining": "0"}

    def respond(self, request: Request) -> Response:
        with self.lock:
            self.requests.append(request)
            fault = self.faults.pop(0) if self.faults else None
        if fault is not None:
            response = fault.make(self)
            if response.status != -1:
                return response
            time.sleep(response.delay_s)
        return self.handle(request)


def _handler_for(api: FakeAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            response = api.respond(request)
            if response.delay_s:
                time.sleep(response.delay_s)
            body = response.body
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(response.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(api: FakeAPI) -> Iterator[str]:
    """Run ``api`` on a free port of 127.0.0.1; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
