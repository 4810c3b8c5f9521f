"""Why one request failed, in one line; and the two failures the page fetcher handles itself (the page's time
bound ran out; a timeout or dropped connection worth another attempt)."""

from __future__ import annotations

import requests
import urllib3


class Deadline(Exception):
    pass


class Retryable(Exception):
    """A timeout or a dropped connection: worth another attempt if time is left."""


def network_reason(exc: Exception, timeout: float) -> str:
    text = str(exc).lower()
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"no connection within {timeout:g} s"
    if isinstance(exc, (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS certificate or handshake error"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema |
                  requests.exceptions.MissingSchema):
        return "not a valid web address"
    if "refused" in text:
        return "connection refused"
    if any(s in text for s in ("name or service", "getaddrinfo", "nodename", "name resolution", "no address")):
        return "host not found"
    if isinstance(exc, urllib3.exceptions.DecodeError | requests.exceptions.ContentDecodingError):
        return "the compressed body could not be decoded"
    if isinstance(exc, urllib3.exceptions.ProtocolError | requests.exceptions.ChunkedEncodingError):
        return "the connection broke off mid-answer"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    return exc.__class__.__name__
