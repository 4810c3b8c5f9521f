"""The account natural key: a normalized registrable domain (``www.Acme.co.uk/about`` → ``acme.co.uk``).

Uses tldextract with its bundled public-suffix snapshot; it never fetches the list from the network.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

import tldextract

_EMAIL_RE = re.compile(r"^[^@\s]+@([^@\s]+)$")
# RFC 2606 documentation domains behave like public suffixes: ``acme.example.com`` is its own registrable
# domain, just as ``acme.co.uk`` is (test data and demo workspaces depend on it)
_RESERVED_SUFFIXES = ("example.com", "example.net", "example.org")


@cache
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)


def normalize_domain(value: str | None) -> str | None:
    """The registrable domain of a URL, host, or e-mail address; ``None`` when there is none.

    >>> normalize_domain("https://www.Acme.co.uk/about")
    'acme.co.uk'
    """
    if not value:
        return None
    text = value.strip().lower()
    if not text:
        return None
    m = _EMAIL_RE.match(text)
    if m:
        text = m.group(1)
    if "://" not in text:
        text = "http://" + text.lstrip("/")
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return None
    host = host.strip(".")
    if not host or " " in host:
        return None
    if re.fullmatch(r"[\d.]+", host) or ":" in host:
        return None  # an IP address has no registrable domain
    for reserved in _RESERVED_SUFFIXES:
        if host.endswith("." + reserved):
            return f"{host[: -len(reserved) - 1].rsplit('.', 1)[-1]}.{reserved}"
    parts = _extractor()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    # unknown suffix (e.g. reserved ``.example``/``.test``/``.local``): keep the last two labels
    labels = [p for p in host.split(".") if p]
    if len(labels) >= 2 and all(re.fullmatch(r"[a-z0-9-]+", p) for p in labels):
        return ".".join(labels[-2:])
    return None
