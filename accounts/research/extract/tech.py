"""Technologies a page uses, from the project's own rule set ``resources/research/technologies.json``.

A rule names a technology and its category and lists what gives it away:

- ``hosts``: host names (a suffix match: ``hs-scripts.com`` matches ``js-eu1.hs-scripts.com``) of script,
  stylesheet, iframe, image and form URLs and of URLs written in inline scripts; with ``"anchors": true`` also
  of plain links (a careers page linking to ``boards.greenhouse.io`` uses Greenhouse);
- ``urls``: regular expressions on those URLs (``/wp-content/``, ``gtag/js?id=G-``);
- ``inline`` / ``inline_re``: substrings / expressions in inline scripts (lower case);
- ``html``: substrings of the lower-cased markup (comments, class names, form ids) — kept few, each costs a scan;
- ``meta``: ``{"generator": ["wordpress"]}`` substrings of a meta tag's content;
- ``cookies`` (names or prefixes), ``cookies_re``; ``headers`` (``{"x-shopid": ""}``: present / containing);
- ``implies``: technologies that come with it (found at 0.5); ``confidence``: a cap for weak rules.

Each hit keeps its best evidence: script src 0.9, meta 0.9, header 0.85, iframe 0.85, form/inline URL 0.8,
stylesheet/cookie 0.8, inline marker 0.75, image/link 0.7, html marker 0.65, preconnect 0.6; a second
independent source adds 0.05. Rules are loaded once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

from accounts.research.extract.text import Doc
from accounts.research.facts import TechHit

RULES_RESOURCE = ("research", "technologies.json")
MAX_INLINE_CHARS = 300_000
MAX_SCRIPT_CHARS = 30_000
_URL_IN_TEXT = re.compile(r"//([a-z0-9][a-z0-9.-]{0,200}\.[a-z]{2,24})(?::\d+)?[^\s\"'<>)\\]{0,300}")
_JS_TYPES = ("", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/x-javascript",
             "text/plain")


@dataclass
class Rule:
    name: str
    category: str
    hosts: tuple[str, ...] = ()
    anchors: bool = False
    urls: tuple[re.Pattern[str], ...] = ()
    inline: tuple[str, ...] = ()
    inline_re: tuple[re.Pattern[str], ...] = ()
    html: tuple[str, ...] = ()
    meta: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cookies: tuple[str, ...] = ()
    cookies_re: tuple[re.Pattern[str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    implies: tuple[str, ...] = ()
    confidence: float = 1.0


@dataclass
class RuleSet:
    rules: list[Rule]
    by_host: dict[str, list[int]]
    by_name: dict[str, int]
    with_urls: list[int] = field(default_factory=list)
    with_inline: list[int] = field(default_factory=list)
    with_html: list[int] = field(default_factory=list)
    with_meta: list[int] = field(default_factory=list)
    with_headers: list[int] = field(default_factory=list)
    with_cookies: list[int] = field(default_factory=list)


def _compile(items: Any, what: str, name: str) -> tuple[re.Pattern[str], ...]:
    out = []
    for p in items or ():
        try:
            out.append(re.compile(p, re.I))
        except re.error as exc:
            raise ValueError(f"technology rule {name!r}: bad {what} pattern {p!r}: {exc}") from exc
    return tuple(out)


def load_rules(data: Mapping[str, Any]) -> RuleSet:
    """Compile a rule document (the JSON's shape); raises ValueError naming the bad rule."""
    rules: list[Rule] = []
    for i, r in enumerate(data.get("technologies") or ()):
        name, category = r.get("name"), r.get("category")
        if not name or not category:
            raise ValueError(f"technology rule #{i} lacks a name or category")
        rules.append(Rule(
            name=name, category=category, hosts=tuple(h.lower().lstrip(".") for h in r.get("hosts") or ()),
            anchors=bool(r.get("anchors")), urls=_compile(r.get("urls"), "urls", name),
            inline=tuple(s.lower() for s in r.get("inline") or ()),
            inline_re=_compile(r.get("inline_re"), "inline_re", name), html=tuple(s.lower() for s in r.get("html") or ()),
            meta={k.lower(): tuple(v.lower() for v in vs) for k, vs in (r.get("meta") or {}).items()},
            cookies=tuple(r.get("cookies") or ()), cookies_re=_compile(r.get("cookies_re"), "cookies_re", name),
            headers={k.lower(): v.lower() for k, v in (r.get("headers") or {}).items()},
            implies=tuple(r.get("implies") or ()), confidence=float(r.get("confidence", 1.0))))
    by_host: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        for h in rule.hosts:
            by_host.setdefault(h, []).append(i)
    idx = range(len(rules))
    return RuleSet(rules, by_host, {r.name: i for i, r in enumerate(rules)},
                   with_urls=[i for i in idx if rules[i].urls],
                   with_inline=[i for i in idx if rules[i].inline or rules[i].inline_re],
                   with_html=[i for i in idx if rules[i].html], with_meta=[i for i in idx if rules[i].meta],
                   with_headers=[i for i in idx if rules[i].headers],
                   with_cookies=[i for i in idx if rules[i].cookies or rules[i].cookies_re])


@lru_cache(maxsize=1)
def rules() -> RuleSet:
    """The packaged rule set, read once."""
    text = files("resources").joinpath(*RULES_RESOURCE).read_text(encoding="utf-8")
    return load_rules(json.loads(text))


_HOST = re.compile(r"^\s*(?:[a-zA-Z][a-zA-Z0-9+.-]{0,10}:)?//(?:[^/?#@]*@)?([^/?#:\\]+)")


def _host(url: str) -> str:
    m = _HOST.match(url)
    return m.group(1).lower().rstrip(".") if m else ""


class _Hits:
    def __init__(self, rs: RuleSet):
        self.rs = rs
        self.best: dict[int, tuple[float, str]] = {}
        self.sources: dict[int, set[str]] = {}

    def add(self, i: int, conf: float, evidence: str, source: str) -> None:
        conf = min(conf, self.rs.rules[i].confidence)
        cur = self.best.get(i)
        if cur is None or conf > cur[0]:
            self.best[i] = (conf, evidence[:200])
        self.sources.setdefault(i, set()).add(source)


def _url_hits(hits: _Hits, rs: RuleSet, urls: list[tuple[str, float, str, bool]]) -> None:
    """(url, confidence, how, is a plain link) → host rules, then URL-pattern rules (one scan each over all
    resource URLs joined)."""
    joined: list[str] = []
    starts: list[int] = []
    pos = 0
    by_host: dict[str, list[int]] = {}
    for url, conf, how, is_anchor in urls:
        host = _host(url)
        if host:
            found = by_host.get(host)
            if found is None:
                parts = host.split(".")
                found = [i for k in range(len(parts) - 1) for i in rs.by_host.get(".".join(parts[k:]), ())]
                by_host[host] = found
            for i in found:
                if not is_anchor or rs.rules[i].anchors:
                    hits.add(i, conf, f"{how} {url}", how.split()[0])
        if not is_anchor:
            starts.append(pos)
            joined.append(url.lower())
            pos += len(url) + 1
    if not joined:
        return
    text = "\n".join(joined)
    resource = [u for u in urls if not u[3]]
    for i in rs.with_urls:
        for p in rs.rules[i].urls:
            for m in p.finditer(text):
                url, conf, how, _ = resource[bisect_right(starts, m.start()) - 1]
                hits.add(i, conf, f"{how} {url}", how.split()[0])
                if conf >= 0.9:
                    break


def detect(doc: Doc, captured_at: dt.datetime, headers: Mapping[str, str] | None = None,
           cookies: Mapping[str, str] | None = None, rule_set: RuleSet | None = None) -> list[TechHit]:
    rs = rule_set or rules()
    hits = _Hits(rs)
    urls: list[tuple[str, float, str, bool]] = []
    inline_parts: list[str] = []
    size = 0
    for s in doc.scripts:
        src = s.get("src")
        if isinstance(src, str) and src.strip():
            urls.append((src.strip(), 0.9, "script src", False))
        if len(s.attrs) > 1:
            for k, v in s.attrs.items():
                if k != "src" and isinstance(v, str) and ("//" in v or v.endswith(".js")) and len(v) < 500:
                    urls.append((v.strip(), 0.85, f"script {k}", False))
        if not src:
            kind = str(s.get("type") or "").split(";")[0].strip().lower()
            if kind in _JS_TYPES or "javascript" in kind or kind == "text/plain":
                body = s.string or ""
                if body and size < MAX_INLINE_CHARS:
                    body = body[:MAX_SCRIPT_CHARS]  # tags are small snippets; big inline scripts are data
                    inline_parts.append(body)
                    size += len(body)
    for link in doc.link_tags:
        href = link.get("href")
        if isinstance(href, str) and href.strip():
            rel = str(link.get("rel") or "").lower()
            weak = "preconnect" in rel or "dns-prefetch" in rel
            urls.append((href.strip(), 0.6 if weak else 0.8, f"link {rel or 'href'}".strip(), False))
    for f in doc.iframes:
        src = f.get("src") or f.get("data-src")
        if isinstance(src, str) and src.strip():
            urls.append((src.strip(), 0.85, "iframe src", False))
    for el in doc.media:
        attr = "action" if el.name == "form" else "data" if el.name == "object" else "src"
        v = el.get(attr) or el.get("data-src")
        if isinstance(v, str) and v.strip() and not v.startswith("data:"):
            urls.append((v.strip(), 0.8 if el.name == "form" else 0.7, f"{el.name} {attr}", False))
    for href, _text in doc.links:
        urls.append((href, 0.7, "link to", True))
    inline = "\n".join(inline_parts).lower()
    for m in _URL_IN_TEXT.finditer(inline.replace("\\/", "/") if "\\/" in inline else inline):
        urls.append((m.group(0), 0.8, "inline script", False))
    _url_hits(hits, rs, urls)
    html = doc.html.lower() if rs.with_html else ""
    metas: dict[str, list[str]] = {}
    for m in doc.metas:
        key = str(m.get("name") or m.get("property") or m.get("http-equiv") or "").strip().lower()
        if key:
            metas.setdefault(key, []).append(str(m.get("content") or ""))
    hdrs = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    cookie_names = [str(k) for k in (cookies or {})]
    if "set-cookie" in hdrs:
        cookie_names += [c.split("=", 1)[0].strip() for c in re.split(r",(?=\s*[\w.-]+=)", hdrs["set-cookie"])]
    for i in rs.with_inline:
        r = rs.rules[i]
        for marker in r.inline:
            if marker in inline:
                hits.add(i, 0.75, f"inline script {marker}", "inline")
                break
        for p in r.inline_re:
            m = p.search(inline)
            if m:
                hits.add(i, 0.8, f"inline script {m.group(0)}", "inline")
                break
    for i in rs.with_html:
        for marker in rs.rules[i].html:
            if marker in html:
                hits.add(i, 0.65, f"html {marker}", "html")
                break
    for i in rs.with_meta:
        for key, needles in rs.rules[i].meta.items():
            for content in metas.get(key, ()):
                low = content.lower()
                if any(n in low for n in needles):
                    hits.add(i, 0.9, f"meta {key}={content[:100]}", "meta")
    if hdrs:
        for i in rs.with_headers:
            for key, needle in rs.rules[i].headers.items():
                v = hdrs.get(key)
                if v is not None and needle in v.lower():
                    hits.add(i, 0.85, f"header {key}: {v[:100]}", "header")
    if cookie_names:
        for i in rs.with_cookies:
            r = rs.rules[i]
            for name in cookie_names:
                if any(name == c or (c.endswith(("_", "-")) and name.startswith(c)) for c in r.cookies) or \
                        any(p.search(name) for p in r.cookies_re):
                    hits.add(i, 0.8, f"cookie {name}", "cookie")
                    break
    for i in list(hits.best):
        for implied in rs.rules[i].implies:
            j = rs.by_name.get(implied)
            if j is not None and j not in hits.best:
                hits.add(j, 0.5, f"implied by {rs.rules[i].name} ({hits.best[i][1]})", "implied")
    out = []
    for i, (conf, evidence) in hits.best.items():
        if len(hits.sources.get(i, ())) > 1:
            conf = min(0.99, conf + 0.05, rs.rules[i].confidence)
        r = rs.rules[i]
        out.append(TechHit(name=r.name, category=r.category, evidence=evidence, source_url=doc.url,
                           captured_at=captured_at, confidence=conf))
    out.sort(key=lambda h: (h.category, h.name))
    return out
