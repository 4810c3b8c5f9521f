"""A small evaluator of the Wappalyzer (MIT, v6.10.54) rules in ``tech_fingerprints/``, used only as a test
oracle for the project's own detector (``accounts.research.extract.tech``).

It runs the page-level patterns a saved page can answer — ``scriptSrc`` (script ``src``), ``html`` (the raw
markup), ``scripts`` (inline script text) and ``meta`` — case-insensitively, ignoring the ``\\;version:``/
``\\;confidence:`` suffixes, ``implies``, ``excludes`` and anything that needs a browser (``js``, ``dom``, ``css``) or
a live response (``headers``, ``cookies``, ``dns``: the fixture pages have none). Only technologies in
:data:`CATEGORIES` (the Wappalyzer categories the project's detector covers) are kept.
"""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup

# Wappalyzer category ids: CMS, Ecommerce, Analytics, Marketing automation, Tag managers, Live chat, CRM,
# Cookie compliance, A/B Testing, Customer data platform, Recruitment & staffing
CATEGORIES = {1: "cms", 6: "ecommerce", 10: "analytics", 32: "marketing_automation", 42: "tag_manager", 52: "chat",
              53: "crm", 67: "consent", 74: "ab_testing", 97: "analytics", 101: "ats"}
# Wappalyzer's name → ours, where they differ
ALIASES = {"google ads conversion tracking": "google ads", "typo3 cms": "typo3 cms", "site kit": "site kit by google",
           "mailchimp": "mailchimp", "dnn": "dnn", "osano": "osano"}


@dataclass
class OracleRule:
    name: str
    categories: list[int]
    script_src: list[re.Pattern[str]]
    html: list[re.Pattern[str]]
    scripts: list[re.Pattern[str]]
    meta: dict[str, list[re.Pattern[str]]]


def _patterns(value) -> list[re.Pattern[str]]:
    out = []
    for p in [value] if isinstance(value, str) else (value or []):
        try:
            out.append(re.compile(p.split("\\;")[0], re.I))
        except re.error:
            pass  # a JavaScript-only construct: that pattern is skipped
    return out


def load(root: str) -> list[OracleRule]:
    rules = []
    for path in sorted(glob.glob(os.path.join(root, "technologies", "*.json"))):
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        for name, t in data.items():
            cats = [c for c in t.get("cats", []) if c in CATEGORIES]
            if not cats:
                continue
            rules.append(OracleRule(name, cats, _patterns(t.get("scriptSrc")), _patterns(t.get("html")),
                                    _patterns(t.get("scripts")),
                                    {k.lower(): _patterns(v) for k, v in (t.get("meta") or {}).items()}))
    return rules


def detect(rules: list[OracleRule], html: str) -> dict[str, str]:
    """Technology name (lower case, aliased to ours) → evidence."""
    soup = BeautifulSoup(html, "lxml")
    srcs = [str(s.get("src")) for s in soup.find_all("script") if s.get("src")]
    inline = [s.string or "" for s in soup.find_all("script") if not s.get("src")]
    metas: dict[str, list[str]] = {}
    for m in soup.find_all("meta"):
        key = str(m.get("name") or m.get("property") or "").lower()
        if key:
            metas.setdefault(key, []).append(str(m.get("content") or ""))
    found: dict[str, str] = {}
    for r in rules:
        ev = next((f"scriptSrc {s}" for p in r.script_src for s in srcs if p.search(s)), None)
        ev = ev or next((f"html {m.group(0)[:60]}" for p in r.html for m in [p.search(html)] if m), None)
        ev = ev or next((f"scripts {m.group(0)[:60]}" for p in r.scripts for s in inline for m in [p.search(s)] if m),
                        None)
        ev = ev or next((f"meta {k}" for k, ps in r.meta.items() for v in metas.get(k, []) for p in ps
                         if p.search(v)), None)
        if ev:
            key = r.name.lower()
            found[ALIASES.get(key, key)] = ev
    return found
