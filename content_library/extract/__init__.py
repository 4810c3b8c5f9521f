"""Text extraction for the content library: one module per format, one entry point.

:func:`extract_file` picks the reader by the file's extension, or by its first bytes when the extension lies
(a PDF saved as ``.docx``, an HTML error page saved as ``.pdf``). It never raises for an unreadable
document: the result then has empty text and ``error`` = ``"text not extracted: <reason>"``.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

from content_library.extract.base import (
    ERROR_PREFIX,
    MAX_TEXT,
    Extracted,
    ExtractError,
    failed,
    finish,
    make_summary,
    normalize_text,
)

__all__ = ["ERROR_PREFIX", "MAX_TEXT", "SUPPORTED_SUFFIXES", "Extracted", "ExtractError", "extract_file",
           "extract_html", "make_summary", "normalize_text", "sniff"]

log = logging.getLogger(__name__)

SUFFIX_KINDS = {".pdf": "pdf", ".docx": "docx", ".pptx": "pptx", ".xlsx": "xlsx", ".xlsm": "xlsx",
                ".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown", ".markdown": "markdown",
                ".mdx": "markdown", ".txt": "text", ".text": "text"}
SUPPORTED_SUFFIXES = frozenset(SUFFIX_KINDS)
KIND_LABELS = {"pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "xlsx": "XLSX", "html": "HTML",
               "markdown": "Markdown", "text": "text"}
BINARY_KINDS = ("pdf", "docx", "pptx", "xlsx")
ZIP_MEMBERS = (("word/document.xml", "docx"), ("ppt/presentation.xml", "pptx"), ("xl/workbook.xml", "xlsx"))
MAX_TEXT_BYTES = 32_000_000  # text and HTML files are read whole; past this only the start is read
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path) -> str | None:
    """The format the first bytes show: "pdf", "docx", "pptx", "xlsx", "html", "zip", "ole" (legacy
    Office) or None."""
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return None
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
        return next((kind for member, kind in ZIP_MEMBERS if member in names), "zip")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")) or (start.startswith(b"<?xml") and b"<html" in start):
        return "html"
    return None


def _read_text(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(MAX_TEXT_BYTES)


def _reader(kind: str) -> Callable[[Path], Extracted]:
    if kind == "pdf":
        from content_library.extract.pdf import extract
        return extract
    if kind == "docx":
        from content_library.extract.docx import extract
        return extract
    if kind == "pptx":
        from content_library.extract.pptx import extract
        return extract
    if kind == "xlsx":
        from content_library.extract.xlsx import extract
        return extract
    if kind == "html":
        from content_library.extract.html import extract_html as read_html
        return lambda path: read_html(_read_text(path))
    from content_library.extract.text import extract_text
    return lambda path: extract_text(_read_text(path), markdown=kind == "markdown")


def _kind(path: Path) -> tuple[str | None, str | None]:
    """(format, None) or (None, why it cannot be read)."""
    suffix = path.suffix.lower()
    by_suffix = SUFFIX_KINDS.get(suffix)
    sniffed = sniff(path)
    if sniffed in BINARY_KINDS:
        return sniffed, None
    if sniffed == "html" and by_suffix in BINARY_KINDS + ("html",):
        return "html", None
    if by_suffix in BINARY_KINDS and sniffed == "ole":
        return None, f"not a valid {KIND_LABELS[by_suffix]} file (an old binary Office file; save it as {suffix})"
    if by_suffix:
        return by_suffix, None
    return None, f"unsupported file type {suffix or '(no extension)'}"


def extract_file(path: Path) -> Extracted:
    """The title, text, summary and metadata of the document at ``path``; never raises for a bad document."""
    path = Path(path)
    if not path.is_file():
        return failed("file not found" if not path.exists() else "not a file")
    kind, reason = _kind(path)
    if kind is None:
        return failed(reason or "unsupported file type")
    try:
        result = _reader(kind)(path)
    except ExtractError as exc:
        return failed(str(exc))
    except OSError as exc:
        return failed(f"cannot read the file ({exc.strerror or type(exc).__name__})")
    except Exception as exc:  # noqa: BLE001 - third-party readers raise anything for a damaged file
        log.info("extracting %s failed", path, exc_info=True)
        return failed(f"not a valid {KIND_LABELS[kind]} file ({type(exc).__name__})")
    return finish(result)


def extract_html(html: str | bytes, url: str | None = None) -> Extracted:
    """The readable text, title (og:title, else <title>) and description of an HTML page."""
    from content_library.extract.html import extract_html as read_html

    try:
        return finish(read_html(html, url))
    except Exception as exc:  # noqa: BLE001 - a parser failure must not lose the link
        log.info("extracting HTML from %s failed", url or "a page", exc_info=True)
        return failed(f"not a readable HTML page{f' at {url}' if url else ''} ({type(exc).__name__})")
