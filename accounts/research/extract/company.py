"""Company facts of one page: name, description, logo, website, address/city/region/country, phone, email,
founding year, employee hint, industry hint and social profiles.

Sources, by confidence: schema.org JSON-LD ``Organization`` (0.9), microdata (0.85), meta/OpenGraph (0.7),
links (``tel:``, ``mailto:``, profile links: 0.6–0.7) and text patterns (Impressum blocks, "founded in 1998",
"200+ employees": 0.5). Deep content pages (articles, blog posts) lower the name/description confidence.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from accounts.normalize import parse_country
from accounts.research.extract.social import SOCIAL_HOSTS, profile_url
from accounts.research.extract.structured import ARTICLE_TYPES, ORG_TYPES, Entity, Structured, text_value
from accounts.research.extract.text import Doc, clean
from accounts.research.facts import CompanyFacts, Fact

CONF = {"json-ld": 0.9, "microdata": 0.85, "meta": 0.7, "link": 0.6, "text": 0.5}
_GENERIC_TYPES = frozenset(("Organization", "Corporation", "LocalBusiness", "OnlineBusiness", "ProfessionalService"))
_TITLE_SEPS = re.compile(r"\s+[|–—·•»:-]\s+|\s+-{2}\s+")
_FOUNDED = re.compile(
    r"\b(?:founded|established|incorporated|started|launched|formed)\s+(?:in\s+|back\s+in\s+)?(?:\w+\s+)?((?:18|19|20)\d\d)\b"
    r"|\b(?:since|seit|est\.?|gegründet(?:\s+im\s+jahr(?:e)?|\s+in|\s+im)?|gegr\.|gründung(?:sjahr)?:?)\s+((?:18|19|20)\d\d)\b"
    r"|\b((?:18|19|20)\d\d)\s+gegründet\b",
    re.I)
_EMPLOYEES = re.compile(
    r"\b(?:(?:more\s+than|over|nearly|almost|about|around|approximately|some|mehr\s+als|über|rund|ca\.|etwa)\s+)?"
    r"(\d{1,3}(?:[,.]\d{3})+|\d{1,6})\s*(\+)?\s*"
    r"(?:(?:full[- ]time|talented|dedicated|passionate|skilled|experienced|engagierte|qualifizierte)\s+)?"
    r"(?:employees|staff(?:\s+members)?|people|team\s+members|professionals|colleagues|engineers|experts|"
    r"mitarbeiter(?:innen|\*innen|:innen)?|mitarbeitende|beschäftigte)\b"
    r"|\bteam\s+of\s+(?:more\s+than\s+|over\s+)?(\d{1,3}(?:[,.]\d{3})+|\d{1,6})\s*(\+)?",
    re.I)
_PHONE_TEXT = re.compile(
    r"(?:^|\b)(?:tel(?:efon)?|phone|fon|call(?:\s+us)?|t)\.?\s*[:.]?\s*(\+?\(?\d[\d ()./-]{5,22}\d)", re.I)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}\b")
_ROLE_MAIL = ("info", "contact", "kontakt", "hello", "hallo", "sales", "office", "mail", "team", "vertrieb",
              "service", "support", "enquiries", "inquiries", "press", "presse")
_STREET_DE = re.compile(
    r"^([A-ZÄÖÜ][\wäöüß.\- ]{1,48}?(?:stra(?:ß|ss)e|str\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee|markt|"
    r"steig|pfad|berg|hof|park|tor|graben|wall|kai)\s*\d{1,4}\s?[a-zA-Z]?(?:\s*[-–/]\s*\d{1,4}[a-z]?)?)$", re.I)
_STREET_ANY = re.compile(r"^(\d{1,5}\s+[A-Z][\w.' -]{2,50}|[A-ZÄÖÜ][\wäöüß.' -]{2,40}\s\d{1,4}\s?[a-zA-Z]?)$")
_POSTAL_CITY = re.compile(r"^(?:(?:D|A|CH)-)?(\d{4,5})\s+([A-ZÄÖÜ][\wäöüß.' -]{1,40})$")
_US_CITY = re.compile(r"^(?:(.+?),\s*)?([A-Z][A-Za-z .'-]{1,30}),\s*([A-Z]{2})\s+(\d{5}(?:-\d{4})?)$")
_YEAR_NOW = dt.date.today().year
_WE = re.compile(r"\b(?:we|our|us|wir|unser\w*|company|unternehmen|firma|family|familienunternehmen|in business|"
                 r"serving|kanzlei|agentur|agency|firm)\b")
_GENERIC_NAMES = frozenset(("start", "home", "homepage", "startseite", "index", "welcome", "willkommen", "accueil",
                            "inicio", "main", "website", "web site", "untitled", "blog"))
_PLATFORM_HANDLES = frozenset(("wordpressdotcom", "wordpress", "wix", "squarespace", "shopify", "webflow", "medium",
                               "blogger", "jimdo", "hubspot", "weebly", "ghost"))


class _Acc:
    """Collects candidate facts; keeps the best per field (confidence, then first seen)."""

    def __init__(self, url: str, at: dt.datetime):
        self.url, self.at = url, at
        self.out = CompanyFacts()

    def add(self, field: str, value: Any, confidence: float, evidence: str | None) -> None:
        if value is None or value == "":
            return
        if isinstance(value, str):
            value = clean(value)[:1000]
            if not value:
                return
        cur = self.out.fields.get(field)
        if cur is None or confidence > cur.confidence:
            self.out.fields[field] = Fact(value, self.url, self.at, confidence, (evidence or "")[:300] or None)

    def social(self, network: str, value: str, confidence: float, evidence: str) -> None:
        cur = self.out.social.get(network)
        if cur is None or confidence > cur.confidence:
            self.out.social[network] = Fact(value, self.url, self.at, confidence, evidence[:300])


def is_content_page(doc: Doc, data: Structured) -> bool:
    """An article/blog/news page: its meta description describes the article, not the company."""
    if any(e.is_a(ARTICLE_TYPES) and not e.nested for e in data.entities):
        return True
    if (doc.meta("og:type") or "").lower() == "article" and doc.meta("article:published_time"):
        return True
    path = urlsplit(doc.url).path.lower()
    return bool(re.search(r"/(?:blog|news|press|presse|article|articles|stories|insights|\d{4}/\d{2})/.", path))


def _org_entities(data: Structured, site_host: str) -> list[tuple[Entity, float]]:
    """Organization nodes with a confidence: top-level ones first, the site's own ahead of others."""
    out = []
    for e in data.of_type(ORG_TYPES):
        conf = CONF[e.source]
        if e.nested:
            if e.via not in ("publisher", "provider", "sourceOrganization", "mainEntity", "about", "copyrightHolder",
                             "hiringOrganization", "parentOrganization", "isPartOf", "creator", "author"):
                continue
            conf -= 0.1 if e.via in ("publisher", "mainEntity", "about", "provider", "copyrightHolder") else 0.2
        url = e.get("url")
        if url and site_host and site_host.split(".")[-2:] != (urlsplit(url).hostname or "").split(".")[-2:]:
            conf -= 0.15
        out.append((e, conf))
    out.sort(key=lambda x: -x[1])
    return out


def _address(acc: _Acc, addr: Any, conf: float, ev: str) -> None:
    if isinstance(addr, list):
        addr = next((a for a in addr if a), None)
    if isinstance(addr, str):
        acc.add("address", addr, conf - 0.1, ev)
        return
    if isinstance(addr, Entity):
        get = addr.get
    elif isinstance(addr, dict):
        def get(*names: str) -> str | None:
            return next((text_value(addr.get(n)) for n in names if text_value(addr.get(n))), None)
    else:
        return
    street, postal, city = get("streetAddress"), get("postalCode"), get("addressLocality")
    region, country = get("addressRegion"), get("addressCountry")
    parts = [p for p in (street, " ".join(x for x in (postal, city) if x), region) if p]
    if parts:
        acc.add("address", ", ".join(parts), conf, ev)
    acc.add("city", city, conf, ev)
    acc.add("region", region, conf, ev)
    if country:
        acc.add("country", parse_country(country) or country, conf, ev)


def _from_structured(acc: _Acc, doc: Doc, data: Structured, content_page: bool) -> None:
    host = (urlsplit(doc.url).hostname or "").lower()
    for e, conf in _org_entities(data, host):
        ev = f"{e.source} {e.types[0]}" + (f" ({e.via})" if e.via else "")
        acc.add("name", e.get("legalName") if not e.get("name") else e.get("name"), conf, ev)
        if not e.nested:
            acc.add("description", e.get("description"), conf - (0.2 if content_page else 0), ev)
        logo = e.props.get("logo") or (e.props.get("image") if not e.nested else None)
        if logo is not None:
            url = logo.get("url", "contentUrl") if isinstance(logo, Entity) else text_value(logo)
            if url:
                acc.add("logo", _abs(doc.base, url), conf, ev)
        acc.add("website", e.get("url"), conf - 0.1, ev)
        acc.add("phone", e.get("telephone"), conf, ev)
        acc.add("email", (e.get("email") or "").removeprefix("mailto:"), conf, ev)
        _address(acc, e.props.get("address") or e.props.get("location"), conf, ev)
        founded = _year(e.get("foundingDate"))
        acc.add("founded", founded, conf, ev)
        acc.add("employees", _employees_value(e.props.get("numberOfEmployees")), conf, ev)
        specific = [t for t in e.types if t not in _GENERIC_TYPES]
        industry = e.get("industry") or (specific[0] if specific else None)
        acc.add("industry_hint", industry, conf - 0.2, ev)
        for same in e.all("sameAs"):
            v = text_value(same)
            if v:
                _social_url(acc, v, conf, f"{e.source} sameAs")
    for e in data.entities:
        if e.is_a(("WebSite",)) and not e.nested:
            acc.add("name", e.get("name"), CONF[e.source] - 0.15, f"{e.source} WebSite")


def _abs(base: str, url: str) -> str:
    try:
        return urljoin(base, url.strip())
    except ValueError:
        return url


def _year(v: str | None) -> int | None:
    if not v:
        return None
    m = re.search(r"\b(1[6-9]\d\d|20\d\d)\b", v)
    if m and 1600 <= int(m.group(1)) <= _YEAR_NOW:
        return int(m.group(1))
    return None


def _num(s: str) -> int | None:
    digits = re.sub(r"[,.\s]", "", s or "")
    return int(digits) if digits.isdigit() else None


def _employees_value(v: Any) -> int | None:
    if v is None:
        return None
    if isinstance(v, list):
        v = v[0] if v else None
    if isinstance(v, int | float) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, Entity | dict):
        get = v.get if isinstance(v, Entity) else (lambda k: text_value(v.get(k)))
        for k in ("value", "minValue", "maxValue"):
            n = _num(get(k) or "")
            if n:
                return n
        return None
    if isinstance(v, str):
        m = re.search(r"\d[\d,.]*", v)
        return _num(m.group(0)) if m else None
    return None


def _social_url(acc: _Acc, url: str, conf: float, how: str) -> None:
    hit = profile_url(url)
    if hit:
        network, canon = hit
        if network == "github" and urlsplit(url).path.strip("/").count("/") >= 1:
            conf -= 0.1  # a repository: its owner is probably, not surely, the company
        acc.social(network, canon, conf, f"{how} {url}")


def _from_links(acc: _Acc, doc: Doc, site_label: str) -> None:
    for href, _text in doc.links:
        low = href.lower()
        if low.startswith("tel:"):
            acc.add("phone", clean(href[4:].replace("%20", " ")), CONF["link"], f"tel: link {href}")
        elif low.startswith("mailto:"):
            addr = href[7:].split("?")[0].strip()
            if _EMAIL.fullmatch(addr):
                local, _, dom = addr.lower().partition("@")
                conf = CONF["link"] + (0.05 if local in _ROLE_MAIL else 0) - (0 if site_label in dom else 0.15)
                acc.add("email", addr, conf, f"mailto: link {addr}")
        elif "://" in low and SOCIAL_HOSTS.search(low):
            hit = profile_url(href)
            if hit:
                handle = urlsplit(hit[1]).path.lower().replace("-", "").replace("_", "")
                matches = bool(site_label) and site_label in handle
                conf = CONF["meta"] + (0.05 if matches else 0) - (0 if matches or href in doc.boiler_links else 0.25)
                acc.social(hit[0], hit[1], conf, f"link {href}")


def _from_meta(acc: _Acc, doc: Doc, content_page: bool, site_label: str) -> None:
    site_name = doc.meta("og:site_name", "application-name", "apple-mobile-web-app-title")
    if site_name and site_name.strip().lower() not in _GENERIC_NAMES:
        segs = [x.strip() for x in _TITLE_SEPS.split(site_name) if x.strip()]
        best = next((x for x in segs if site_label and site_label in re.sub(r"[^a-z0-9]", "", x.lower())), segs[0])
        acc.add("name", best, CONF["meta"], f"meta og:site_name {site_name}")
    penalty = 0.2 if content_page else 0
    desc = doc.meta("description")
    acc.add("description", desc, CONF["meta"] - penalty, "meta description")
    acc.add("description", doc.meta("og:description", "twitter:description"), CONF["meta"] - 0.05 - penalty,
            "meta og:description")
    for handle in (doc.meta("twitter:site"), doc.meta("twitter:creator")):
        if handle and re.fullmatch(r"@?[A-Za-z0-9_]{1,15}", handle) and handle.lstrip("@").lower() not in _PLATFORM_HANDLES:
            acc.social("twitter", "https://twitter.com/" + handle.lstrip("@"), CONF["meta"] - 0.05,
                       f"meta twitter:site {handle}")
    for m in doc.link_tags:
        rel = str(m.get("rel") or "").lower()
        if "icon" in rel and m.get("href"):
            acc.add("logo", _abs(doc.base, str(m.get("href"))), 0.3, f"link rel={rel}")


def _title_name(doc: Doc, site_label: str) -> tuple[str, float] | None:
    title = doc.title or ""
    segs = [s.strip() for s in _TITLE_SEPS.split(title) if s.strip()]
    if not segs:
        return None
    if site_label and len(site_label) >= 3:
        for seg in segs:
            squash = re.sub(r"[^a-z0-9]", "", seg.lower())
            if squash and (squash == site_label or (squash in site_label and len(squash) >= 4)):
                return seg, 0.6
        for seg in segs:
            squash = re.sub(r"[^a-z0-9]", "", seg.lower())
            if site_label in squash and len(seg.split()) <= 4:
                return seg, 0.55
        for seg in segs:
            words = seg.split()
            for i in range(len(words)):
                for j in range(i + 1, min(len(words), i + 4) + 1):
                    if re.sub(r"[^a-z0-9]", "", " ".join(words[i:j]).lower()) == site_label:
                        return " ".join(words[i:j]), 0.5
    if len(segs) > 1 and len(segs[-1]) <= 60 and segs[-1].lower() not in _GENERIC_NAMES:
        return segs[-1], 0.4
    return None


def _from_text(acc: _Acc, doc: Doc, content_page: bool) -> None:
    blocks = doc.blocks
    for i, b in enumerate(blocks):
        text = b.text
        if len(text) > 600:
            text = text[:600]
        low = text.lower()
        if not content_page and ("founded" in low or "seit" in low or "since" in low or "gegr" in low or
                                 "established" in low or "est." in low or "gründ" in low or "incorporated" in low):
            m = _FOUNDED.search(text)
            if m:
                year = int(next(g for g in m.groups() if g))
                strong = m.group(1) is not None or m.group(3) is not None or "gegr" in m.group(0).lower() \
                    or "gründ" in m.group(0).lower()
                if 1800 <= year <= _YEAR_NOW and (strong or _WE.search(low)):
                    acc.add("founded", year, CONF["text"] - (0 if strong else 0.1) - (0.1 if b.boiler else 0), text)
        if not content_page and ("employ" in low or "staff" in low or "team" in low or "people" in low or
                                 "mitarbeit" in low or "beschäftig" in low or "professionals" in low):
            m = _EMPLOYEES.search(text)
            if m:
                n = _num(m.group(1) or m.group(3) or "")
                if n and 2 <= n <= 3_000_000 and not (1900 <= n <= _YEAR_NOW + 1 and not m.group(2)):
                    acc.add("employees", n, CONF["text"] - 0.1, text)
        if len(text) <= 80:
            m = _PHONE_TEXT.search(text)
            if m and "fax" not in low[: m.start(1)]:
                acc.add("phone", clean(m.group(1)), CONF["text"], text)
            m2 = _POSTAL_CITY.match(text)
            if m2 and i > 0 and (_STREET_DE.match(blocks[i - 1].text) or _STREET_ANY.match(blocks[i - 1].text)):
                ev = f"{blocks[i - 1].text}, {text}"
                acc.add("address", ev, CONF["text"], ev)
                acc.add("city", m2.group(2).strip(), CONF["text"], ev)
            m3 = _US_CITY.match(text)
            if m3:
                street = "" if m3.group(1) else (blocks[i - 1].text if i > 0 and _STREET_ANY.match(blocks[i - 1].text)
                                                 else "")
                ev = ", ".join(x for x in (street, text) if x)
                acc.add("address", ev, CONF["text"] - 0.05, ev)
                acc.add("city", m3.group(2).strip(), CONF["text"] - 0.05, ev)
                acc.add("region", m3.group(3), CONF["text"] - 0.05, ev)
        if "@" in text and len(text) <= 200:
            for m in _EMAIL.finditer(text):
                addr = m.group(0)
                local = addr.split("@", 1)[0].lower()
                acc.add("email", addr, CONF["text"] + (0.05 if local in _ROLE_MAIL else 0), text)


def _country_hint(acc: _Acc, doc: Doc) -> None:
    if "country" in acc.out.fields:
        return
    phone = str(acc.out.value("phone") or "")
    prefixes = {"+49": "DE", "+43": "AT", "+41": "CH", "+44": "GB", "+33": "FR", "+31": "NL", "+1": "US"}
    for p, code in prefixes.items():
        if phone.replace("(0)", "").replace(" ", "").startswith(p):
            acc.add("country", code, 0.4, f"phone prefix {p}")
            return
    addr = str(acc.out.value("address") or "")
    tld = (urlsplit(doc.url).hostname or "").rsplit(".", 1)[-1]
    if re.search(r"\b\d{5}\s", addr) and tld in ("de",):
        acc.add("country", "DE", 0.4, f"postal code and .{tld} domain")
    elif re.search(r"\b\d{4}\s", addr) and tld in ("at", "ch"):
        acc.add("country", tld.upper(), 0.4, f"postal code and .{tld} domain")


def extract_company(doc: Doc, data: Structured, captured_at: dt.datetime) -> CompanyFacts:
    acc = _Acc(doc.url, captured_at)
    host = (urlsplit(doc.url).hostname or "").lower().removeprefix("www.")
    site_label = re.sub(r"[^a-z0-9]", "", host.split(".")[-2] if host.count(".") >= 1 else host)
    content_page = is_content_page(doc, data)
    for step in (lambda: _from_structured(acc, doc, data, content_page), lambda: _from_meta(acc, doc, content_page, site_label),
                 lambda: _from_links(acc, doc, site_label), lambda: _from_text(acc, doc, content_page),
                 lambda: _country_hint(acc, doc)):
        try:
            step()
        except Exception:  # noqa: BLE001 - one failing source never loses the others
            continue
    tn = _title_name(doc, site_label)
    if tn:
        acc.add("name", tn[0], tn[1] - (0.1 if content_page else 0), f"title {doc.title}")
    if host and urlsplit(doc.url).scheme in ("http", "https"):
        acc.add("website", f"{urlsplit(doc.url).scheme}://{urlsplit(doc.url).netloc}/", 0.5, "page URL")
    return acc.out
