"""What a response body is: HTML to read, or something (PDF, image …) recorded as skipped with the reason."""

from __future__ import annotations

import codecs

from accounts.research.charset import BOMS

HTML_TYPES = frozenset(("text/html", "application/xhtml+xml"))
SNIFF_TYPES = frozenset(("", "text/plain", "application/octet-stream", "binary/octet-stream", "unknown/unknown"))


def mime_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def sniff_body(head: bytes) -> str | None:
    """What the first bytes say the body is: "pdf", "image", "html", or None."""
    h = head.lstrip()[:1024]
    if h.startswith(b"%PDF"):
        return "pdf"
    if h.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF", b"BM")) or h[4:12] in (
            b"ftypavif", b"ftypheic"):
        return "image"
    for bom, _name in BOMS:
        if h.startswith(bom):
            return "html" if bom == codecs.BOM_UTF8 else None
    low = h.lower()
    if low.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title")) or b"<html" in low:
        return "html"
    return None


def skip_reason(mime: str, sniffed: str | None) -> str | None:
    """Why a body is not read as HTML (None: it is HTML)."""
    if sniffed == "pdf" or mime == "application/pdf":
        return f"a PDF document ({mime or 'no content type'}), not read"
    if sniffed == "image" or mime.startswith("image/"):
        return f"an image ({mime or 'no content type'}), not read"
    if mime in HTML_TYPES:
        return None
    if mime in SNIFF_TYPES and sniffed == "html":
        return None
    if mime in SNIFF_TYPES and sniffed is None:
        return f"not an HTML page ({mime or 'no content type'}), not read"
    return f"not an HTML page ({mime}), not read"
