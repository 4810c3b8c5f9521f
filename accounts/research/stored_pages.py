"""The HTML kept per research page (zlib-compressed, capped at :data:`MAX_STORED_HTML` both ways) and the
stored pages read back (:func:`stored_pages`) and extracted again offline (:func:`reread`)."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import ResearchPage
from accounts.research.facts import PageFacts, PageInfo

MAX_STORED_HTML = 2_000_000  # raw bytes; larger bodies were capped while fetching already


def compress_html(body: bytes) -> bytes:
    return zlib.compress(body[:MAX_STORED_HTML], 6)


def decompress_html(blob: bytes | None) -> bytes | None:
    if not blob:
        return None
    try:
        d = zlib.decompressobj()
        out = d.decompress(blob, MAX_STORED_HTML + 1)
        return out[:MAX_STORED_HTML]
    except zlib.error:
        return None


@dataclass
class StoredPage:
    id: int
    url: str
    fetched_at: dt.datetime
    status: int | None
    title: str | None
    error: str | None
    body: bytes | None
    encoding: str | None
    headers: dict[str, str]
    cookies: dict[str, str]


def stored_pages(session: Session, account_id: int, *, with_html: bool = True) -> list[StoredPage]:
    cols = [ResearchPage.id, ResearchPage.url, ResearchPage.fetched_at, ResearchPage.status_code,
            ResearchPage.title, ResearchPage.error, ResearchPage.encoding, ResearchPage.http_meta]
    if with_html:
        cols.append(ResearchPage.html_zlib)
    out = []
    for row in session.execute(select(*cols).where(ResearchPage.account_id == account_id).order_by(ResearchPage.id)):
        meta = row.http_meta or {}
        out.append(StoredPage(row.id, row.url, row.fetched_at, row.status_code, row.title, row.error,
                              decompress_html(row.html_zlib) if with_html else None, row.encoding,
                              dict(meta.get("headers") or {}), dict(meta.get("cookies") or {})))
    return out


def reread(page: StoredPage) -> tuple[PageFacts, PageInfo]:
    """Extract a stored page again, offline, with the current extractors."""
    from accounts.research.charset import decode_html
    from accounts.research.extract import extract_page

    html = decode_html(page.body or b"", page.encoding)[0]
    facts = extract_page(html, page.url, headers=page.headers, cookies=page.cookies, captured_at=page.fetched_at)
    return facts, PageInfo(url=page.url, status=page.status, title=facts.title or page.title, error=page.error,
                           fetched_at=page.fetched_at)
