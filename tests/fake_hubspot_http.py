"""The fake HubSpot's HTTP side: the request log entry, forced / random faults, the API error reply, and the
request handler (token check, rate limits, faults before or after the request is carried out, JSON in and out).
"""

from __future__ import annotations

import json
import socket
import time
import traceback
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from tests.fake_hubspot import FakeHubSpot


@dataclass
class Fault:
    kind: str | int  # 429, 500, 502, 503, 504, "timeout", "drop"
    phase: str = "before"  # "before": the request is not carried out; "after": it is, then the answer fails
    retry_after: int = 1
    path: str | None = None  # only requests whose path contains this


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    body: str
    status: int | None = None
    fault: str | None = None
    at: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class ApiError(Exception):
    def __init__(self, status: int, category: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.category, self.message, self.extra = status, category, message, extra

    def body(self) -> dict[str, Any]:
        return {"status": "error", "message": self.message, "correlationId": str(uuid.uuid4()),
                "category": self.category, **self.extra}


class HandlerBase(BaseHTTPRequestHandler):
    """Serves one :class:`~tests.fake_hubspot.FakeHubSpot` (``fake``, set on a subclass per server)."""

    fake: FakeHubSpot
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # answer in one go: without this, delayed ACKs add ~40 ms to every keep-alive request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _break(self, fault: Fault, entry: LoggedRequest) -> bool:
        """Apply a network fault; True when the connection is gone."""
        entry.fault = f"{fault.kind}/{fault.phase}"
        if fault.kind == "timeout":
            time.sleep(self.fake.hang_seconds)
        if fault.kind in ("timeout", "drop"):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        status = int(fault.kind)
        entry.status = status
        headers = {"Retry-After": str(fault.retry_after)} if status in (429, 503) else {}
        category = "RATE_LIMITS" if status == 429 else "INTERNAL_ERROR"
        self._send(status, {"status": "error", "message": "injected fault", "category": category,
                            "correlationId": str(uuid.uuid4())}, headers)
        return True

    def _serve(self, method: str) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        entry = LoggedRequest(method, parts.path, parts.query, raw.decode("utf-8", "replace"), at=fake.clock())
        with fake.lock:
            fake.requests.append(entry)
        fault = fake._pick_fault(parts.path)
        if fault is not None and fault.phase == "before" and self._break(fault, entry):
            return
        status: int
        headers: dict[str, str] = {}
        try:
            if self.headers.get("Authorization", "") != f"Bearer {fake.token}":
                raise ApiError(401, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API "
                               "supports OAuth 2.0 authentication and you can find more details at "
                               "https://developers.hubspot.com/docs/methods/auth/oauth-overview")
            fake._rate_check(parts.path)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                raise ApiError(400, "VALIDATION_ERROR", "Invalid input JSON") from None
            status, payload = fake.handle(method, parts.path, parse_qs(parts.query), body)
        except ApiError as exc:
            status, payload = exc.status, exc.body()
            if "retry_after" in exc.extra:
                headers["Retry-After"] = str(payload.pop("retry_after"))
        except Exception as exc:  # noqa: BLE001 - a bug in the fake: answer 500 and keep it for the test to see
            fake.bugs.append(traceback.format_exc())
            status, payload = 500, {"status": "error", "message": f"fake bug: {type(exc).__name__}",
                                    "category": "INTERNAL_ERROR"}
        if fault is not None and self._break(fault, entry):
            return
        entry.status = status
        self._send(status, payload, headers)
