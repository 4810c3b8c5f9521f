"""Fetching one web address for the library: a polite, bounded HTTP GET.

A clear User-Agent, connect and read timeouts plus an overall deadline, a byte cap while streaming, and
redirects followed by hand so that one to another scheme (``ftp:``, ``file:``) is refused. Every failure is a
:class:`FetchError` whose message is the reason in a few words.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests

USER_AGENT = "BDR-Desk/0.1 (+content library)"
MAX_REDIRECTS = 5
CHUNK = 65536
_DISPOSITION = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", re.I)


class FetchError(Exception):
    """Why a web address could not be read ("connection refused", "HTTP 404 Not Found")."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes
    file_name: str | None  # from Content-Disposition

    @property
    def mime(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        found = re.search(r"charset=\"?([\w.:-]+)", self.content_type, re.I)
        return found.group(1) if found else None


def reason(exc: requests.RequestException, timeout: float) -> str:
    text = str(exc).lower()
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS certificate or handshake error"
    if isinstance(exc, requests.ConnectionError):
        if "refused" in text:
            return "connection refused"
        if any(s in text for s in ("name or service", "getaddrinfo", "nodename", "name resolution")):
            return "host not found"
        return "cannot connect"
    return exc.__class__.__name__


def _get(http: requests.Session, url: str, timeout: float, max_bytes: int) -> Fetched:
    deadline = time.monotonic() + 3 * timeout
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        with http.get(current, headers={"User-Agent": USER_AGENT}, timeout=(min(timeout, 10), timeout),
                      stream=True, allow_redirects=False) as resp:
            if resp.is_redirect:
                target = urljoin(current, resp.headers.get("location", ""))
                if urlsplit(target).scheme.lower() not in ("http", "https"):
                    raise FetchError(f"redirect to {target[:200]} refused (only http and https are followed)")
                current = target
                continue
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code} {resp.reason or ''}".strip())
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"larger than {max_bytes:,} bytes")
            body = bytearray()
            for chunk in resp.iter_content(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"larger than {max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"download took longer than {3 * timeout:g} s")
            named = _DISPOSITION.search(resp.headers.get("content-disposition", ""))
            return Fetched(current, resp.headers.get("content-type", ""), bytes(body),
                           Path(unquote(named.group(1))).name or None if named else None)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def fetch(url: str, session_http: requests.Session | None = None, *, timeout: float = 10,
          max_bytes: int = 5_000_000) -> Fetched:
    """GET ``url`` (http or https); raise :class:`FetchError` with the reason on any failure."""
    http = session_http or requests.Session()
    try:
        return _get(http, url, timeout, max_bytes)
    except requests.RequestException as exc:
        raise FetchError(reason(exc, timeout)) from exc
    finally:
        if session_http is None:
            http.close()
