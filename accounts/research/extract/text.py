"""Reading one page once: the parsed tree (BeautifulSoup on lxml), the title, text blocks in document order,
the main text (navigation, header, footer, forms, scripts and styles dropped), links with anchor text, and the
tags the technology detector reads (scripts, metas, links, iframes).

Work is capped: at most :data:`MAX_HTML_CHARS` of markup are parsed, :data:`MAX_NODES` nodes walked,
:data:`MAX_BLOCKS` blocks and :data:`MAX_LINKS` links kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, NavigableString, Tag

from accounts.domains import normalize_domain

MAX_HTML_CHARS = 3_000_000
MAX_NODES = 150_000
MAX_BLOCKS = 8_000
MAX_LINKS = 1_500
MAX_BLOCK_CHARS = 5_000

BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "thead", "tfoot", "td", "th", "tr", "ul", "cite", "label", "figure",
))
SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas",
                       "select", "textarea", "button", "math", "video", "audio", "map"))
BOILER_TAGS = frozenset(("nav", "header", "footer", "aside", "form", "menu", "dialog"))
NAV_ROLES = frozenset(("navigation", "banner", "contentinfo", "menu", "menubar", "search", "complementary"))
BOILER_TOKENS = frozenset((
    "nav", "navbar", "navigation", "menu", "mainmenu", "main-menu", "topmenu", "top-menu", "submenu", "sidebar",
    "site-header", "site-footer", "footer", "page-footer", "header", "page-header", "masthead", "breadcrumb",
    "breadcrumbs", "cookie", "cookies", "cookie-banner", "cookie-notice", "cookie-consent", "cookiebar",
    "skip-link", "share", "sharing", "social", "social-links", "social-share", "related", "related-posts",
    "widget", "newsletter", "pagination", "comments", "comment-respond",
))
_MEDIA = frozenset(("img", "form", "embed", "source", "object", "video", "audio"))
COLLECT = _MEDIA | {"script", "meta", "link", "iframe", "base", "title", "time"}
NAV_TOKENS = frozenset(("nav", "navbar", "navigation", "menu", "mainmenu", "main-menu", "topmenu", "top-menu",
                        "submenu", "breadcrumb", "breadcrumbs"))
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
BOLD = frozenset(("strong", "b"))
_WS = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """Whitespace collapsed, no-break and zero-width spaces removed."""
    if not text:
        return ""
    return _WS.sub(" ", text.replace("\u200b", "").replace("\ufeff", "")).strip()


@dataclass(slots=True)
class Block:
    """One line of text: the text of a block element up to the next block boundary or ``<br>``."""

    text: str
    tag: str  # the nearest enclosing block element
    element: Tag
    boiler: bool  # inside nav/header/footer/aside/form or a boilerplate class
    nav: bool  # inside <nav> or a navigation role/class
    bold: bool  # every character in <strong>/<b> (or a heading)
    index: int = 0


@dataclass
class Doc:
    url: str  # the page URL
    base: str  # the base for relative links (<base href> when given)
    html: str  # the (capped) markup
    soup: BeautifulSoup
    title: str | None = None
    blocks: list[Block] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (absolute url, anchor text), same site first
    scripts: list[Tag] = field(default_factory=list)
    metas: list[Tag] = field(default_factory=list)
    link_tags: list[Tag] = field(default_factory=list)
    iframes: list[Tag] = field(default_factory=list)
    media: list[Tag] = field(default_factory=list)  # img, form, embed, source, object, video, audio
    itemscopes: list[Tag] = field(default_factory=list)  # elements with itemscope (microdata)
    times: list[Tag] = field(default_factory=list)  # <time> elements
    boiler_links: set[str] = field(default_factory=set)  # links in the header, footer, navigation or sidebar
    truncated: bool = False

    @property
    def main_text(self) -> str:
        return "\n".join(b.text for b in self.blocks if not b.boiler)

    def meta(self, *names: str) -> str | None:
        """The first non-empty ``content`` of a ``<meta name|property=…>`` among ``names`` (lower case)."""
        wanted = {n.lower() for n in names}
        for m in self.metas:
            key = (m.get("property") or m.get("name") or m.get("itemprop") or "")
            if isinstance(key, str) and key.strip().lower() in wanted:
                value = clean(str(m.get("content") or ""))
                if value:
                    return value
        return None


def ancestors(el: Tag, limit: int = 12) -> list[Tag]:
    out, cur = [], el
    while isinstance(cur, Tag) and len(out) < limit:
        out.append(cur)
        cur = cur.parent
    return out


def lca_depth(a: Block, b: Block) -> int:
    """How many levels above ``a`` its nearest common ancestor with ``b`` is (smaller = tighter)."""
    bs = {id(x) for x in ancestors(b.element)}
    for i, x in enumerate(ancestors(a.element)):
        if id(x) in bs:
            return i
    return 99


def _boiler_attr(el: Tag) -> tuple[bool, bool]:
    """(boilerplate, navigation) from role, id and class."""
    attrs = el.attrs
    role = attrs.get("role")
    if role:
        role = str(role).lower()
        if role in NAV_ROLES:
            return True, role in ("navigation", "menu", "menubar")
    cls, ident = attrs.get("class"), attrs.get("id")
    if not cls and not ident:
        return False, False
    tokens = set(str(cls).lower().split()) if cls else set()
    if ident:
        tokens.add(str(ident).lower())
    if tokens & BOILER_TOKENS:
        return True, bool(tokens & NAV_TOKENS)
    return False, False


def parse(html: str, url: str) -> Doc:
    """Parse ``html`` (already decoded) read from ``url``; never raises for bad markup."""
    html = html or ""
    truncated = len(html) > MAX_HTML_CHARS
    if truncated:
        html = html[:MAX_HTML_CHARS]
    if "\x00" in html:
        html = html.replace("\x00", "")
    try:
        # attribute values stay strings (class="a b" is "a b"): faster, and one shape to handle
        soup = BeautifulSoup(html, "lxml", multi_valued_attributes=None)
    except Exception:  # noqa: BLE001 - e.g. lone surrogates from a bad decode: replace them and retry
        html = html.encode("utf-8", "replace").decode("utf-8", "replace")
        try:
            soup = BeautifulSoup(html, "lxml", multi_valued_attributes=None)
        except Exception:  # noqa: BLE001 - a parser failure yields an empty page, never an exception
            soup = BeautifulSoup("", "lxml", multi_valued_attributes=None)
    doc = Doc(url=url, base=url, html=html, soup=soup, truncated=truncated)
    _walk(doc)
    doc.title = doc.title or doc.meta("og:title", "twitter:title") or None
    if not doc.title:
        h1 = next((b.text for b in doc.blocks if b.tag == "h1"), None)
        doc.title = h1[:300] if h1 else None
    return doc


def _join(base: str, href: str) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "data:", "#")):
        return None
    if href.startswith(("https://", "http://")) and " " not in href and "/." not in href:
        return href.split("#", 1)[0]  # already absolute: skip urljoin (most links)
    try:
        return urldefrag(urljoin(base, href))[0]
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _site(host: str) -> str | None:
    return normalize_domain(host)


_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]{0,10}://(?:[^/?#@]*@)?([^/?#:\\]+)")


def _host(url: str) -> str:
    m = _HOST.match(url)
    return m.group(1).lower() if m else ""


# inline elements laid out as lines of a person card (<span class="job-title">): a line of their own
_CARD_PART = re.compile(r"(?i)(?:^|[\s_-])(?:name|title|role|position|job|designation|function|department|"
                        r"jobtitle|job-title|person-title|member-title)(?:$|[\s_-])")
_LEAF_SKIP = frozenset(("script", "style", "svg", "template", "math", "textarea", "canvas", "map"))
MAX_DEPTH = 400


class _Walker:
    """One recursive pass over the document: head tags for the detectors, text blocks (lines) and links."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.blocks: list[Block] = []
        self.links: list[tuple[str, str]] = []
        self.seen_links: set[str] = set()
        self.buf: list[str] = []
        self.bold_chars = 0
        self.bold = 0
        self.anchors: list[list[str]] = []
        self.nodes = 0

    def flush(self, ctx: tuple[Tag, str, bool, bool]) -> None:
        buf = self.buf
        if buf:
            text = clean("".join(buf))
            if text and len(self.blocks) < MAX_BLOCKS:
                el, tag, boiler, nav = ctx
                is_bold = tag in HEADINGS or self.bold_chars >= len(text.replace(" ", "")) > 0
                self.blocks.append(Block(text[:MAX_BLOCK_CHARS], tag, el, boiler, nav, is_bold, len(self.blocks)))
            buf.clear()
        self.bold_chars = 0

    def collect(self, node: Tag, name: str, parent: Tag) -> None:
        doc = self.doc
        if name == "script":
            doc.scripts.append(node)
        elif name == "meta":
            doc.metas.append(node)
        elif name == "link":
            doc.link_tags.append(node)
        elif name == "iframe":
            doc.iframes.append(node)
        elif name == "base":
            if doc.base == doc.url and node.attrs.get("href"):
                doc.base = _join(doc.url, str(node.attrs["href"])) or doc.url
        elif name == "time":
            if len(doc.times) < 50:
                doc.times.append(node)
        elif name == "title":
            if doc.title is None and parent.name in ("head", "html"):
                doc.title = clean(node.get_text())[:500] or None
        elif len(doc.media) < MAX_LINKS:
            doc.media.append(node)

    def visit(self, el: Tag, ctx: tuple[Tag, str, bool, bool], depth: int, skip: bool) -> None:
        for node in el.contents:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                self.doc.truncated = True
                return
            kind = type(node)
            if kind is NavigableString:
                if not skip:
                    self.buf.append(node)
                    if self.bold:
                        self.bold_chars += len(node) - node.count(" ") - node.count("\n") - node.count("\t")
                    for parts in self.anchors:
                        parts.append(node)
                continue
            if kind is not Tag:
                continue
            name = node.name
            attrs = node.attrs
            if name in COLLECT:
                self.collect(node, name, el)
            if "itemscope" in attrs and len(self.doc.itemscopes) < MAX_LINKS:
                self.doc.itemscopes.append(node)
            if skip or name in SKIP_TAGS:
                if name not in _LEAF_SKIP and node.contents and depth < MAX_DEPTH:
                    self.visit(node, ctx, depth + 1, True)
                continue
            if name == "br":
                if self.buf:
                    self.flush(ctx)
                continue
            if depth >= MAX_DEPTH:
                continue
            inner = ctx
            if name in BLOCK_TAGS or ("class" in attrs and _CARD_PART.search(str(attrs["class"]))):
                if self.buf:
                    self.flush(ctx)
                _, _, boiler, nav = ctx
                if name in BOILER_TAGS:
                    boiler, nav = True, nav or name in ("nav", "menu")
                if attrs:
                    b2, n2 = _boiler_attr(node)
                    boiler, nav = boiler or b2, nav or n2
                inner = (node, name, boiler, nav)
            if name in BOLD:
                self.bold += 1
                self.visit(node, inner, depth + 1, False)
                self.bold -= 1
            elif name == "a" and attrs.get("href"):
                parts: list[str] = []
                self.anchors.append(parts)
                self.visit(node, inner, depth + 1, False)
                self.anchors.pop()
                self._link(node, parts, inner[2])
            else:
                if name == "img" and self.anchors and attrs.get("alt"):
                    self.anchors[-1].append(" " + str(attrs["alt"]) + " ")
                if node.contents:
                    self.visit(node, inner, depth + 1, False)
            if inner is not ctx and self.buf:
                self.flush(inner)

    def _link(self, el: Tag, parts: list[str], boiler: bool) -> None:
        href = _join(self.doc.base, str(el.attrs.get("href") or ""))
        if href and href not in self.seen_links and len(self.links) < MAX_LINKS:
            self.seen_links.add(href)
            if boiler:
                self.doc.boiler_links.add(href)
            self.links.append((href, clean("".join(parts))[:300] or clean(str(el.attrs.get("title") or ""))[:300]))


def _walk(doc: Doc) -> None:
    w = _Walker(doc)
    root = (doc.soup, "body", False, False)
    w.visit(doc.soup, root, 0, False)
    w.flush(root)
    doc.blocks = w.blocks
    links = w.links
    site = _site(_host(doc.url))
    same: list[tuple[str, str]] = []
    other: list[tuple[str, str]] = []
    for lk in links:
        on_site = site is not None and lk[0].startswith(("http://", "https://")) and _site(_host(lk[0])) == site
        (same if on_site else other).append(lk)
    doc.links = same + other
