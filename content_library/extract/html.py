"""Web pages with BeautifulSoup (lxml): readable text with paragraph breaks, the page title and description.

Navigation, footers, scripts and styles are dropped; block elements become paragraphs and table rows become
"cell | cell" lines.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from content_library.extract.base import Extracted, clean_line

DROP = ("script", "style", "noscript", "template", "nav", "footer", "svg", "iframe", "button", "select",
        "object", "embed", "canvas", "dialog")
BLOCKS = ("p", "div", "section", "article", "main", "aside", "header", "h1", "h2", "h3", "h4", "h5", "h6",
          "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "blockquote", "pre",
          "figure", "figcaption", "address", "hr", "caption", "details", "summary", "center", "body")
PARA, LINE, CELL = "\ue000", "\ue001", "\ue002"
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _meta(soup: Any, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag is not None and clean_line(tag.get("content")):
            return clean_line(tag.get("content"))
    return None


def _is_hidden(tag: Any) -> bool:
    attrs = getattr(tag, "attrs", None) or {}
    return ("hidden" in attrs or attrs.get("aria-hidden") == "true"
            or bool(_HIDDEN.search(str(attrs.get("style") or ""))))


def extract_html(html: str | bytes, url: str | None = None) -> Extracted:
    """The readable text of an HTML page (``url`` is recorded, and names the page in errors)."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML and inline-XBRL pages are HTML too
        soup = BeautifulSoup(html, "lxml")
    page_title = clean_line(soup.title.get_text()) if soup.title is not None else ""
    title = _meta(soup, "og:title", "twitter:title") or page_title or None
    summary = _meta(soup, "description", "og:description", "twitter:description")
    for tag in soup.find_all(DROP):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        if not tag.decomposed:
            tag.decompose()
    if soup.head is not None:
        soup.head.decompose()
    if title is None:
        heading = soup.find("h1")
        title = clean_line(heading.get_text(" ")) if heading is not None else None
    for tag in soup.find_all("br"):
        tag.replace_with(LINE)
    for tag in soup.find_all(("td", "th")):
        tag.insert_after(CELL)
    for tag in soup.find_all(BLOCKS):
        tag.insert_before(PARA)
        tag.insert_after(PARA)
    text = soup.get_text()
    paragraphs = []
    for para in text.split(PARA):
        lines = [" | ".join(c for c in (" ".join(cell.split()) for cell in line.split(CELL)) if c)
                 for line in para.split(LINE)]
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    meta: dict[str, object] = {"format": "html"}
    if url:
        meta["url"] = url
    if soup.html is not None and soup.html.get("lang"):
        meta["language"] = str(soup.html.get("lang"))
    return Extracted(title=title, text="\n\n".join(paragraphs), summary=summary, metadata=meta)
