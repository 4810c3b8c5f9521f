"""A small real HTTP server on 127.0.0.1 for research tests: routes to fixed answers or to handler functions
(drip feeds, huge bodies, redirect loops), and a log of every request with its time and User-Agent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes]
Route = Answer | Callable[[BaseHTTPRequestHandler], None] | Callable[[], Answer]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client that hung up is not news
        pass


class SiteServer:
    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.log: list[tuple[float, str, str]] = []  # (monotonic time, path, user agent)
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with owner._lock:
                    owner.log.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
                route = owner.routes.get(self.path, owner.routes.get(self.path.split("?")[0]))
                if route is None:
                    return self.answer(404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>")
                if callable(route):
                    try:
                        got = route(self) if route.__code__.co_argcount else route()  # type: ignore[union-attr]
                    except (BrokenPipeError, ConnectionResetError):
                        return None
                    if got is None:
                        return None
                    return self.answer(*got)
                return self.answer(*route)

            def answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        with self._lock:
            return [p for _t, p, _ua in self.log]

    def times(self, path: str) -> list[float]:
        with self._lock:
            return [t for t, p, _ua in self.log if p == path]


def html(body: str, *, title: str = "Page", head: str = "", charset: str = "utf-8",
         status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    doc = f"<!doctype html><html><head><meta charset='{charset}'><title>{title}</title>{head}</head>" \
          f"<body>{body}</body></html>"
    return status, {"Content-Type": f"text/html; charset={charset}", **(headers or {})}, doc.encode(charset)


def robots(text: str, status: int = 200) -> Answer:
    return status, {"Content-Type": "text/plain"}, text.encode()


def drip(chunk: bytes = b"<p>x</p>", every: float = 0.1, count: int = 600) -> Callable[[BaseHTTPRequestHandler], None]:
    """An answer that never finishes in time: a few bytes every ``every`` seconds, no Content-Length."""
    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(b"<html><body>")
        for _ in range(count):
            h.wfile.write(chunk)
            h.wfile.flush()
            time.sleep(every)
    return handler


def huge(size: int, chunk: int = 65536) -> Callable[[BaseHTTPRequestHandler], None]:
    """An HTML body of ``size`` bytes, streamed."""
    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        h.wfile.write(b"<html><head><title>Big</title></head><body>")
        sent = 44
        block = b"<p>" + b"a" * (chunk - 7) + b"</p>"
        while sent < size:
            piece = block[: size - sent]
            h.wfile.write(piece)
            sent += len(piece)
    return handler
