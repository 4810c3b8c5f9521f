"""PDF text with pypdf: every page's text layer, and the title from the document information."""

from __future__ import annotations

import logging
from pathlib import Path

from content_library.extract.base import MAX_TEXT, Extracted, ExtractError, plausible_title

MAX_PAGES = 5000


def extract(path: Path) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files log a warning per object
    try:
        reader = PdfReader(str(path), strict=False)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ExtractError("not a valid PDF file") from exc
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # "owner password only" files open with an empty user password
        except (DependencyError, NotImplementedError, PdfReadError, ValueError) as exc:
            raise ExtractError("PDF is encrypted") from exc
        if not opened:
            raise ExtractError("PDF is encrypted")
    try:
        pages = reader.pages
        count = len(pages)
    except FileNotDecryptedError as exc:
        raise ExtractError("PDF is encrypted") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a broken page tree
        raise ExtractError("not a valid PDF file (no readable pages)") from exc
    texts: list[str] = []
    size = failed_pages = 0
    for index in range(min(count, MAX_PAGES)):
        try:
            page_text = pages[index].extract_text() or ""
        except Exception:  # noqa: BLE001 - one damaged page must not lose the others
            failed_pages += 1
            continue
        texts.append(page_text)
        size += len(page_text)
        if size > MAX_TEXT:
            break
    if count and failed_pages == count:
        raise ExtractError("not a valid PDF file (no page could be read)")
    meta: dict[str, object] = {"format": "pdf", "pages": count}
    title = None
    try:
        info = reader.metadata
        if info is not None:
            title = plausible_title(info.title)
            if info.author:
                meta["author"] = str(info.author)
    except Exception:  # noqa: BLE001 - a broken info dictionary only loses the title
        pass
    text = "\n\n".join(texts)
    if count and not text.strip():
        raise ExtractError("PDF has no text layer (scanned?)")
    return Extracted(title=title, text=text, metadata=meta)
