"""The fake Salesforce's HTTP side: the request handler's plumbing (request log, session check, API budget,
fault injection, withheld replies), the OAuth token endpoint and routing to the resources
(``fake_salesforce_query`` and ``fake_salesforce_writes`` mix theirs into the handler).
"""

from __future__ import annotations

import json
import random
import re
import socket
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from tests.fake_salesforce_schema import ID_PATTERN, OWNER_ID, PREFIXES, SCHEMA, json_dt
from tests.fake_salesforce_soql import SoqlError

if TYPE_CHECKING:
    from tests.fake_salesforce import FakeSalesforce

MAX_URL = 16_384


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str
    status: int = 0
    fault: str | None = None

    @property
    def url(self) -> str:
        return self.path + ("?" + self.query if self.query else "")


@dataclass
class Faults:
    """Random faults: each API call fails with probability ``rate``; ``kinds`` chooses among
    ``500``, ``503``, ``429``, ``timeout``, ``drop``; ``after`` is the share of timeouts and drops that
    happen after the request was processed (the ambiguous case for a POST)."""

    rate: float = 0.0
    kinds: tuple[str, ...] = ("500", "503", "timeout", "drop")
    seed: int = 0
    after: float = 0.0
    timeout_delay: float = 1.5
    retry_after: int = 1
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


class Abort(Exception):
    """An error reply: HTTP status, Salesforce ``errorCode`` and message, extra headers."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class HandlerBase(BaseHTTPRequestHandler):
    """Plumbing and routing; the resource methods ``_route`` calls come from the mixins (see
    ``tests.fake_salesforce._Handler``)."""

    server_fake: FakeSalesforce
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- plumbing

    def _handle(self, method: str) -> None:
        fake = self.server_fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        parts = urlsplit(self.path)
        entry = LoggedRequest(method, parts.path, parts.query, dict(self.headers.items()), body)
        with fake._lock:
            fake.log.append(entry)
        headers: dict[str, str] = {}
        try:
            if len(self.path) > MAX_URL:
                raise Abort(414, "URI_TOO_LONG", "The request URI is too long")
            if parts.path == "/services/oauth2/token" and method == "POST":
                status, payload = 200, self._oauth(body)
            else:
                if not parts.path.startswith("/services/data"):
                    raise Abort(404, "NOT_FOUND", "The requested resource does not exist")
                if parts.path.rstrip("/") == "/services/data":
                    status, payload = 200, [{"label": "Winter '24", "url": "/services/data/v59.0",
                                             "version": "59.0"}]
                else:
                    fault = self._auth_and_budget(entry)
                    headers["Sforce-Limit-Info"] = f"api-usage={fake.api_used}/{fake.daily_limit}"
                    if fault and fault[0] == "before":
                        self._withhold(fault[1])
                        return
                    with fake._lock:
                        status, payload = self._route(method, parts.path, parse_qs(parts.query), body)
                    if fault and fault[0] == "after":
                        self._withhold(fault[1])
                        return
        except Abort as e:
            status, payload = e.status, [{"message": e.message, "errorCode": e.code}]
            headers.update(e.headers)
        except SoqlError as e:
            status, payload = 400, [{"message": str(e), "errorCode": e.code}]
        entry.status = status
        self._send(status, payload, headers)

    def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        data = b"" if payload is None else json.dumps(payload, default=json_dt).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _auth_and_budget(self, entry: LoggedRequest) -> tuple[str, str] | None:
        """Session check, API budget and fault injection; returns ("before"|"after", "timeout"|"drop") when
        the reply is to be withheld before or after the request is processed."""
        fake = self.server_fake
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in fake.tokens:
            raise Abort(401, "INVALID_SESSION_ID", "Session expired or invalid")
        with fake._lock:
            fake.api_used += 1
            if fake.api_used > fake.daily_limit:
                raise Abort(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            if fake.burst:
                calls, per = fake.burst
                now = time.monotonic()
                fake._burst_times = [t for t in fake._burst_times if now - t < per]
                if len(fake._burst_times) >= calls:
                    retry = max(1, int(per - (now - fake._burst_times[0]) + 0.999))
                    raise Abort(429, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.",
                                 {"Retry-After": str(retry)})
                fake._burst_times.append(now)
            fl = fake.faults
            if not fl.rate or fl.rng.random() >= fl.rate:
                return None
            kind = fl.rng.choice(fl.kinds)
            late = fl.rng.random() < fl.after
        entry.fault = kind + (" after" if late and kind in ("timeout", "drop") else "")
        if kind in ("500", "503"):
            raise Abort(int(kind), "SERVER_UNAVAILABLE" if kind == "503" else "UNKNOWN_EXCEPTION",
                         "An unexpected error occurred. Please include this ErrorId if you contact support: "
                         "1234567-8901 (-1234567890)")
        if kind == "429":
            raise Abort(429, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.",
                         {"Retry-After": str(fl.retry_after)})
        return ("after" if late else "before"), kind

    def _withhold(self, kind: str) -> None:
        """A timeout (the reply never comes in time) or a dropped connection."""
        if kind == "timeout":
            time.sleep(self.server_fake.faults.timeout_delay)
        self._drop()

    # -- OAuth

    def _oauth(self, body: str) -> dict[str, Any]:
        fake = self.server_fake
        form = {k: v[0] for k, v in parse_qs(body).items()}
        grant = form.get("grant_type")
        ok = form.get("client_id") == fake.oauth["client_id"] and \
            form.get("client_secret") == fake.oauth["client_secret"]
        if grant == "password":
            ok = ok and form.get("username") == fake.oauth["username"] and \
                form.get("password") == fake.oauth["password"]
        elif grant != "client_credentials":
            raise Abort(400, "unsupported_grant_type", "grant type not supported")
        if not ok:
            raise Abort(400, "invalid_grant", "authentication failure")
        with fake._lock:
            token = fake.token
        return {"access_token": token, "instance_url": fake.url, "id": f"{fake.url}/id/00DFAKE/{OWNER_ID}",
                "token_type": "Bearer", "issued_at": str(int(time.time() * 1000)), "signature": "fake"}

    # -- routing

    def _route(self, method: str, path: str, qs: dict[str, list[str]], body: str) -> tuple[int, Any]:
        m = re.match(r"^/services/data/v(\d+\.\d)(/.*)?$", path)
        if not m:
            raise Abort(404, "NOT_FOUND", "The requested resource does not exist")
        version, rest = m.group(1), (m.group(2) or "/").rstrip("/") or "/"
        base = f"/services/data/v{version}"
        if method == "GET" and rest == "/limits":
            fake = self.server_fake
            return 200, {"DailyApiRequests": {"Max": fake.daily_limit,
                                              "Remaining": max(0, fake.daily_limit - fake.api_used)}}
        if method == "GET" and rest == "/sobjects":
            return 200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [
                {"name": s, "label": s, "keyPrefix": PREFIXES[s], "queryable": True, "createable": True,
                 "updateable": True, "deletable": True, "urls": {"sobject": f"{base}/sobjects/{s}"}}
                for s in SCHEMA]}
        if method == "GET" and rest == "/query":
            soql = (qs.get("q") or [""])[0]
            size = self.page_size_for()
            return 200, self._query(base, soql, size)
        qm = re.match(r"^/query/([A-Za-z0-9]+)-(\d+)$", rest)
        if method == "GET" and qm:
            return 200, self._query_more(base, qm.group(1), int(qm.group(2)), self.page_size_for())
        if rest == "/composite/sobjects":
            return self._collections(method, base, qs, body)
        sm = re.match(r"^/sobjects/([A-Za-z_]+)(?:/(.+))?$", rest)
        if sm:
            sobject = next((s for s in SCHEMA if s.lower() == sm.group(1).lower()), None)
            if sobject is None:
                raise Abort(404, "NOT_FOUND", "The requested resource does not exist")
            sub = sm.group(2)
            if method == "GET" and sub == "describe":
                return 200, self._describe(sobject, base)
            if method == "GET" and sub == "deleted":
                return 200, self._get_deleted(sobject, qs)
            if sub and ID_PATTERN.match(sub):
                return self._single(method, base, sobject, sub, body)
        raise Abort(404, "NOT_FOUND", "The requested resource does not exist")

    def page_size_for(self) -> int:
        size = self.server_fake.page_size
        opts = self.headers.get("Sforce-Query-Options", "")
        m = re.search(r"batchSize=(\d+)", opts)
        return min(size, max(200, min(2000, int(m.group(1))))) if m else size
