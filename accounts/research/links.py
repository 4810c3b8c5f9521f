"""Which links of a company website are worth a visit: same site only, no assets or tracking noise, ranked
by what their anchor text and path promise (about, team, leadership, careers, news, customers, contact,
Impressum — in English, German, French, Spanish, Italian, Dutch and the Nordic languages).

"Same site" is the registrable domain (``www.acme.co.uk`` and ``careers.acme.co.uk`` are one site), read
with tldextract's bundled public-suffix list, never fetched; an IP address or ``localhost`` is its own site
(host and port).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import tldextract

# (category, weight, keywords): keywords are folded (lower case, no accents, words separated by one space)
CATEGORIES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("leadership", 12, ("leadership", "management", "management team", "executive team", "executives", "board",
                        "board of directors", "our team", "team", "the team", "meet the team", "people", "founders",
                        "geschaftsfuhrung", "geschaeftsfuehrung", "vorstand", "fuhrung", "fuehrung", "mitarbeiter",
                        "unser team", "equipe", "notre equipe", "direction", "dirigeants", "equipo", "nuestro equipo",
                        "directiva", "direccion", "il team", "chi siamo team", "ons team", "bestuur", "ledning",
                        "ledelse", "johto")),
    ("about", 11, ("about", "about us", "company", "our company", "who we are", "our story", "ueber uns",
                   "uber uns", "unternehmen", "das unternehmen", "wir uber uns", "a propos", "qui sommes nous",
                   "societe", "entreprise", "quienes somos", "sobre nosotros", "empresa", "chi siamo", "azienda",
                   "over ons", "om oss", "om os", "meista", "profile", "profil", "firmenprofil")),
    ("impressum", 9, ("impressum", "imprint", "legal notice", "mentions legales", "aviso legal", "colofon",
                      "note legali")),
    ("careers", 9, ("careers", "career", "jobs", "join us", "join our team", "work with us", "we are hiring",
                    "hiring", "vacancies", "open positions", "karriere", "stellenangebote", "stellen", "jobs karriere",
                    "carrieres", "carriere", "recrutement", "empleo", "trabaja con nosotros", "lavora con noi",
                    "werken bij", "vacatures", "jobb", "karriar", "lediga jobb", "ura")),
    ("news", 8, ("news", "press", "newsroom", "media", "press releases", "press release", "announcements",
                 "in the news", "presse", "pressemitteilungen", "aktuelles", "neuigkeiten", "actualites",
                 "communiques", "noticias", "prensa", "sala de prensa", "notizie", "comunicati stampa", "nieuws",
                 "pers", "nyheter", "uutiset", "blog")),
    ("customers", 6, ("customers", "clients", "case studies", "case study", "success stories", "references",
                      "testimonials", "kunden", "referenzen", "clientes", "casos de exito", "references clients",
                      "klanten", "kunder")),
    ("contact", 5, ("contact", "contact us", "kontakt", "contacto", "contactez nous", "contatti", "locations",
                    "offices", "our offices", "standorte", "contacten", "yhteystiedot")),
)
CATEGORY_NAMES = tuple(c for c, _w, _k in CATEGORIES)

ASSET_EXTENSIONS = frozenset((
    "css", "js", "mjs", "json", "xml", "rss", "atom", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico",
    "bmp", "tif", "tiff", "pdf", "zip", "gz", "tgz", "rar", "7z", "dmg", "exe", "msi", "apk", "mp3", "mp4", "m4a",
    "mov", "avi", "webm", "ogg", "wav", "woff", "woff2", "ttf", "otf", "eot", "doc", "docx", "xls", "xlsx", "ppt",
    "pptx", "csv", "txt", "ics", "vcf", "epub",
))
SKIP_PATH_PARTS = ("/wp-admin", "/wp-login", "/wp-json", "/wp-content/", "/wp-includes/", "/xmlrpc", "/cart",
                   "/checkout", "/login", "/logout", "/signin", "/sign-in", "/signup", "/sign-up", "/register",
                   "/my-account", "/cdn-cgi/", "/feed", "/search", "/tag/", "/tags/", "/author/", "/comments/",
                   "/print/", "/share", "/calendar/", "/api/")
# query parameters that only track or decorate: dropped from every URL
NOISE_PARAMS = frozenset((
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "gclid", "gbraid", "wbraid",
    "fbclid", "msclkid", "yclid", "dclid", "mc_cid", "mc_eid", "_ga", "_gl", "__hstc", "__hssc", "__hsfp",
    "_hsenc", "_hsmi", "hsctatracking", "trk", "igshid", "ref", "ref_src", "source", "sessionid", "sid",
    "phpsessid", "jsessionid", "cid", "share", "replytocom", "amp", "output", "print", "s_kwcid",
))
# query parameters that make a page a search, a filter or an action, not a page of its own
ACTION_PARAMS = frozenset(("s", "q", "query", "search", "add-to-cart", "add_to_cart", "action", "do", "orderby",
                           "sort", "filter", "page_id_preview", "preview", "format", "redirect", "return",
                           "returnurl", "return_to", "next"))
HOME_FILES = ("index.html", "index.htm", "index.php", "default.aspx", "default.asp", "home", "home.html")
MAX_LINKS_PER_PAGE = 2000


@dataclass(frozen=True)
class Link:
    url: str
    anchor: str


@cache
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)


_IP = re.compile(r"^[\d.]+$|:")


@lru_cache(maxsize=8192)
def site_of(url: str) -> str | None:
    """The site a URL belongs to: its registrable domain (``careers.acme.co.uk`` → ``acme.co.uk``); an IP
    address or a single-label host (``localhost``) is its own site, port included. None for a non-web URL."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").strip(".").lower()
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if _IP.search(host) or "." not in host:
        return f"{host}:{port}" if port else host
    for reserved in ("example.com", "example.net", "example.org"):  # RFC 2606: behave like public suffixes
        if host.endswith("." + reserved):
            return f"{host[: -len(reserved) - 1].rsplit('.', 1)[-1]}.{reserved}"
    ext = _extractor()(host)
    if ext.suffix and ext.domain:
        return f"{ext.domain}.{ext.suffix}"
    return ".".join(host.split(".")[-2:])


def host_key(url: str) -> str:
    """``scheme://host:port`` — the unit robots.txt and the politeness delay apply to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return f"{scheme}://{host}:{port}"


def start_url(value: str) -> str:
    """The URL to start from for a domain or URL typed by a user (``Acme.com`` → ``https://acme.com/``).

    Raises ``ValueError`` with one line for anything that is not an http(s) address of a named host.
    """
    text = (value or "").strip()
    if not text:
        raise ValueError("no domain or URL given")
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I):
        scheme = text.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"{text[:200]}: only http and https addresses can be researched")
    elif re.match(r"^(mailto|tel|javascript|data|file):", text, re.I):
        raise ValueError(f"{text[:200]}: only http and https addresses can be researched")
    else:
        text = "https://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        raise ValueError(f"{value.strip()[:200]}: not a web address") from None
    if not host or " " in host or (not _IP.search(host) and "." not in host and host != "localhost"):
        raise ValueError(f"{value.strip()[:200]}: not a web address")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


@lru_cache(maxsize=8192)
def clean_url(url: str) -> str | None:
    """The URL without fragment, tracking parameters and default port; None for anything not worth a visit
    (another scheme, an asset, a login or search page, an action link)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return None
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    low = path.lower()
    last = low.rsplit("/", 1)[-1]
    if "." in last and last.rsplit(".", 1)[-1] in ASSET_EXTENSIONS:
        return None
    if any(part in low + "/" for part in SKIP_PATH_PARTS):
        return None
    query = []
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        key = k.lower()
        if key in ACTION_PARAMS:
            return None
        if key in NOISE_PARAMS or key.startswith(("utm_", "_hs", "mtm_", "pk_")):
            continue
        query.append((k, v))
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


@lru_cache(maxsize=8192)
def dedupe_key(url: str) -> str:
    """One key for the spellings of one page: scheme, ``www.``, a trailing slash and ``index.html`` ignored."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = parts.path or "/"
    for home in HOME_FILES:
        if path.lower().endswith("/" + home):
            path = path[: -len(home)]
    path = path.rstrip("/") or "/"
    return f"{host}{port}{path}" + (f"?{parts.query}" if parts.query else "")


def fold(text: str) -> str:
    """Lower case, accents dropped, words separated by single spaces, padded: ``" uber uns "``."""
    s = unicodedata.normalize("NFKD", text.casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("ß", "ss")
    return " " + " ".join(re.findall(r"[a-z0-9]+", s)) + " "


def _match(folded: str) -> tuple[str | None, int]:
    best: tuple[str | None, int] = (None, 0)
    for name, weight, words in CATEGORIES:
        if weight > best[1] and any(f" {w} " in folded for w in words):
            best = (name, weight)
    return best


@lru_cache(maxsize=8192)
def score_link(url: str, anchor: str = "") -> tuple[str | None, float]:
    """(category, promise) of a link: the best keyword category of its anchor text and path, less a little
    for every path level and for a query string. Category None and 0 for a link that promises nothing."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    # language prefixes (/en/, /de-de/) say nothing about the page
    segments = [s for i, s in enumerate(segments) if not (i == 0 and re.fullmatch(r"[a-z]{2}(?:[-_][a-z]{2})?", s,
                                                                                      re.I))]
    a_cat, a_w = _match(fold(anchor[:200]))
    # the last path segment says what the page is (/company/careers is careers); the others hint
    p_cat, p_w = _match(fold(segments[-1])) if segments else (None, 0)
    if not p_cat and len(segments) > 1:
        p_cat, p_w = _match(fold(" ".join(segments[:-1][:3])))
        p_w = max(0, p_w - 3)
    if not a_cat and not p_cat:
        return None, 0.0
    cat = a_cat if a_w >= p_w else p_cat
    score = float(max(a_w, p_w)) + (2.0 if a_cat and a_cat == p_cat else 0.0)
    score -= 0.75 * max(0, len(segments) - 1)  # /about/team is fine; /news/2024/05/some-story less so
    if parts.query:
        score -= 2.0
    return cat, max(score, 0.5)


def extract_links(html: str, base_url: str) -> list[Link]:
    """Every ``<a href>`` of a page as an absolute URL with its anchor text (``title``/``aria-label``/image
    ``alt`` when the anchor has no text), in document order; ``<base href>`` honoured."""
    from lxml import etree
    from lxml import html as lxml_html

    if not html or not html.strip():
        return []
    try:
        doc = lxml_html.document_fromstring(html, parser=lxml_html.HTMLParser(recover=True, no_network=True))
    except (etree.ParserError, ValueError):
        return []
    base = base_url
    for b in doc.iter("base"):
        href = (b.get("href") or "").strip()
        if href:
            base = urljoin(base_url, href)
        break
    out: list[Link] = []
    for a in doc.iter("a", "area"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#") or re.match(r"^(mailto|tel|javascript|data|sms|callto):", href, re.I):
            continue
        text = " ".join((a.text_content() if a.tag == "a" else "").split())
        if not text:
            text = (a.get("title") or a.get("aria-label") or "").strip()
        if not text:
            img = next(iter(a.iter("img")), None) if a.tag == "a" else None
            text = (img.get("alt") or "").strip() if img is not None else (a.get("alt") or "").strip()
        try:
            out.append(Link(urljoin(base, href), text[:200]))
        except ValueError:
            continue
        if len(out) >= MAX_LINKS_PER_PAGE:
            break
    return out


def same_site_links(links: list[Link], site: str) -> list[Link]:
    """The cleaned links of ``site`` only, each page once (first anchor text kept, empty text improved)."""
    seen: dict[str, int] = {}
    out: list[Link] = []
    for link in links:
        url = clean_url(link.url)
        if url is None or site_of(url) != site:
            continue
        key = dedupe_key(url)
        if key in seen:
            i = seen[key]
            if not out[i].anchor and link.anchor:
                out[i] = Link(out[i].url, link.anchor)
            continue
        seen[key] = len(out)
        out.append(Link(url, link.anchor))
    return out
