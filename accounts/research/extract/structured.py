"""Structured data in a page: schema.org JSON-LD (``@graph``, arrays, ``@id`` references; invalid JSON-LD with
JS comments, trailing commas or raw control characters is repaired or skipped), microdata
(``itemscope``/``itemprop``, the value rules of the HTML spec) and OpenGraph/meta properties.

:func:`read` returns the raw data in the shapes extruct uses (so they can be compared with its expected
outputs) plus :class:`Entity` objects — every typed node, flattened — for the fact extractors.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from bs4 import Tag

from accounts.research.extract.text import Doc, clean

MAX_JSONLD_CHARS = 1_000_000
MAX_ITEMS = 500
MAX_DEPTH = 24

ORG_TYPES = frozenset((
    "Organization", "Corporation", "LocalBusiness", "OnlineBusiness", "OnlineStore", "NGO", "Store",
    "EducationalOrganization", "GovernmentOrganization", "NewsMediaOrganization", "MedicalOrganization",
    "ProfessionalService", "LegalService", "Attorney", "AccountingService", "FinancialService", "InsuranceAgency",
    "RealEstateAgent", "HomeAndConstructionBusiness", "GeneralContractor", "Restaurant", "FoodEstablishment",
    "AutomotiveBusiness", "AutoDealer", "Dentist", "Physician", "MedicalClinic", "MedicalBusiness",
    "HealthAndBeautyBusiness", "DaySpa", "EmploymentAgency", "TravelAgency", "SportsOrganization", "Consortium",
    "ResearchOrganization", "Airline", "LodgingBusiness", "Hotel", "EntertainmentBusiness", "Brewery", "Bakery",
    "BankOrCreditUnion", "ITService", "WorkersUnion", "LibrarySystem", "PerformingGroup", "Project",
    "FundingScheme", "CollegeOrUniversity", "School",
))
ARTICLE_TYPES = frozenset(("NewsArticle", "BlogPosting", "Article", "Report", "PressRelease", "AnalysisNewsArticle",
                           "ReportageNewsArticle", "TechArticle", "SocialMediaPosting", "LiveBlogPosting"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


@dataclass
class Entity:
    """A typed schema.org node from JSON-LD or microdata; nested typed values are Entities too."""

    types: tuple[str, ...]
    props: dict[str, Any]
    source: str  # "json-ld" or "microdata"
    nested: bool = False  # the value of another node's property
    via: str | None = None  # that property ("publisher", "author", "hiringOrganization" …)

    def is_a(self, types: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        return any(t in types for t in self.types)

    def get(self, *names: str) -> str | None:
        """The first plain-text value among ``names``."""
        for name in names:
            v = text_value(self.props.get(name))
            if v:
                return v
        return None

    def all(self, name: str) -> list[Any]:
        v = self.props.get(name)
        if v is None:
            return []
        return list(v) if isinstance(v, list) else [v]


@dataclass
class Structured:
    jsonld: list[Any] = field(default_factory=list)  # as parsed, one entry per object (arrays flattened)
    microdata: list[dict[str, Any]] = field(default_factory=list)  # extruct's {"type", "properties"} shape
    opengraph: list[tuple[str, str]] = field(default_factory=list)  # (og:/article:/… property, content)
    entities: list[Entity] = field(default_factory=list)

    def of_type(self, types: frozenset[str] | set[str] | tuple[str, ...]) -> list[Entity]:
        return [e for e in self.entities if e.is_a(types)]


def short_type(t: Any) -> str:
    s = str(t).strip()
    for sep in ("/", "#", ":"):
        if sep in s:
            s = s.rsplit(sep, 1)[-1]
    return s


def text_value(v: Any) -> str | None:
    """A plain string from a property value (string, number, list, nested node or ``@value``)."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, str):
        return clean(v) or None
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, list):
        for x in v:
            s = text_value(x)
            if s:
                return s
        return None
    if isinstance(v, Entity):
        return v.get("name", "url", "@id")
    if isinstance(v, dict):
        for k in ("@value", "name", "url", "@id", "value"):
            s = text_value(v.get(k))
            if s:
                return s
    return None


# ---- JSON-LD ------------------------------------------------------------------------------------------------

def _strip_js_comments(s: str) -> str:
    """Remove // and /* */ comments outside JSON strings."""
    out: list[str] = []
    i, n = 0, len(s)
    in_str = False
    while i < n:
        c = s[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(s[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
        elif c == '"':
            in_str = True
            out.append(c)
            i += 1
        elif c == "/" and i + 1 < n and s[i + 1] == "/":
            j = s.find("\n", i)
            i = n if j < 0 else j
        elif c == "/" and i + 1 < n and s[i + 1] == "*":
            j = s.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_jsonld(raw: str) -> Any:
    """One ``<script type="application/ld+json">`` body; ``None`` when it cannot be read."""
    s = (raw or "").strip()
    if not s or len(s) > MAX_JSONLD_CHARS:
        return None
    if s.startswith("<!--"):
        s = s[4:].rsplit("-->", 1)[0]
    s = s.replace("<![CDATA[", "").replace("]]>", "").strip().rstrip(";")
    try:
        return json.loads(s, strict=False)
    except (ValueError, RecursionError):
        pass
    try:
        repaired = _TRAILING_COMMA.sub(r"\1", _strip_js_comments(s))
        return json.loads(_CONTROL.sub(" ", repaired), strict=False)
    except (ValueError, RecursionError):
        return None


def _jsonld_entities(data: Any, out: list[Entity], ids: dict[str, Entity], nested: bool = False,
                     via: str | None = None, depth: int = 0) -> Any:
    """Convert parsed JSON-LD into Entities (in ``out``); returns the converted value."""
    if depth > MAX_DEPTH or len(out) > MAX_ITEMS:
        return None
    if isinstance(data, list):
        return [_jsonld_entities(x, out, ids, nested, via, depth + 1) for x in data]
    if not isinstance(data, dict):
        return data
    if "@graph" in data and "@type" not in data:
        return _jsonld_entities(data["@graph"], out, ids, nested, via, depth + 1)
    raw_types = data.get("@type")
    types = tuple(short_type(t) for t in (raw_types if isinstance(raw_types, list) else [raw_types]) if t)
    props: dict[str, Any] = {}
    ent = Entity(types, props, "json-ld", nested, via) if types else None
    if ent is not None:
        out.append(ent)
        ident = data.get("@id")
        if isinstance(ident, str):
            ids.setdefault(ident, ent)
    for k, v in data.items():
        if k in ("@context", "@type"):
            continue
        props[short_type(k) if k.startswith("http") else k] = _jsonld_entities(v, out, ids, True, k, depth + 1)
    return ent if ent is not None else props


def _resolve(entities: list[Entity], ids: dict[str, Entity]) -> None:
    """Replace ``{"@id": …}`` references by the node they name (one level)."""
    for e in entities:
        for k, v in list(e.props.items()):
            if isinstance(v, dict) and set(v) == {"@id"} and isinstance(v["@id"], str) and v["@id"] in ids:
                e.props[k] = ids[v["@id"]]
            elif isinstance(v, list):
                e.props[k] = [ids[x["@id"]] if isinstance(x, dict) and set(x) == {"@id"}
                              and isinstance(x["@id"], str) and x["@id"] in ids else x for x in v]


# ---- microdata ----------------------------------------------------------------------------------------------

_URL_PROPS = {"a": "href", "area": "href", "link": "href", "audio": "src", "embed": "src", "iframe": "src",
              "img": "src", "source": "src", "track": "src", "video": "src", "object": "data"}


def _prop_value(el: Tag, base: str) -> str:
    name = el.name
    if el.has_attr("content"):
        return clean(_str(el.get("content")))
    if name in _URL_PROPS:
        v = _str(el.get(_URL_PROPS[name]))
        try:
            return urljoin(base, v.strip()) if v else ""
        except ValueError:
            return v
    if name in ("data", "meter") and el.has_attr("value"):
        return clean(_str(el.get("value")))
    if name == "time" and el.has_attr("datetime"):
        return clean(_str(el.get("datetime")))
    return clean(el.get_text(" "))


def _str(v: Any) -> str:
    return " ".join(v) if isinstance(v, list) else (v or "")


def _microdata_item(el: Tag, base: str, out: list[Entity], nested: bool, via: str | None,
                    depth: int = 0) -> tuple[dict[str, Any], Entity]:
    itemtype = _str(el.get("itemtype")).split()
    props: dict[str, Any] = {}
    eprops: dict[str, Any] = {}
    ent = Entity(tuple(short_type(t) for t in itemtype), eprops, "microdata", nested, via)
    if ent.types:
        out.append(ent)
    stack = list(reversed([c for c in el.children if isinstance(c, Tag)]))
    while stack:
        child = stack.pop()
        names = _str(child.get("itemprop")).split()
        is_scope = child.has_attr("itemscope")
        if names:
            if is_scope and depth < MAX_DEPTH and len(out) < MAX_ITEMS:
                value, sub = _microdata_item(child, base, out, True, names[0], depth + 1)
                evalue: Any = sub
            else:
                value = evalue = _prop_value(child, base)
            for n in names:
                _add(props, n, value)
                _add(eprops, n, evalue)
        if not is_scope:
            stack.extend(reversed([c for c in child.children if isinstance(c, Tag)]))
    item: dict[str, Any] = {}
    if itemtype:
        item["type"] = itemtype[0] if len(itemtype) == 1 else itemtype
    if el.get("itemid"):
        item["id"] = _str(el.get("itemid")).strip()
    item["properties"] = props
    return item, ent


def _add(d: dict[str, Any], k: str, v: Any) -> None:
    if k not in d:
        d[k] = v
    elif isinstance(d[k], list):
        d[k].append(v)
    else:
        d[k] = [d[k], v]


# ---- entry point --------------------------------------------------------------------------------------------

def read(doc: Doc) -> Structured:
    """JSON-LD, microdata and OpenGraph of a parsed page; each part fails alone."""
    out = Structured()
    ids: dict[str, Entity] = {}
    try:
        for script in doc.scripts:
            kind = _str(script.get("type")).split(";")[0].strip().lower()
            if kind != "application/ld+json":
                continue
            data = parse_jsonld(script.string if script.string is not None else script.get_text())
            if data is None:
                continue
            items = data if isinstance(data, list) else [data]
            for item in items:
                if item is None:
                    continue
                out.jsonld.append(item)
                _jsonld_entities(item, out.entities, ids)
        _resolve(out.entities, ids)
    except Exception:  # noqa: BLE001 - broken JSON-LD never aborts the page
        pass
    try:
        for el in doc.itemscopes:
            if len(out.microdata) >= MAX_ITEMS:
                break
            if el.has_attr("itemprop") and any("itemscope" in a.attrs for a in el.parents):
                continue  # a nested item: read as its parent's property
            item, _ = _microdata_item(el, doc.base, out.entities, False, None)
            out.microdata.append(item)
    except Exception:  # noqa: BLE001
        pass
    try:
        for m in doc.metas:
            prop = _str(m.get("property")).strip()
            if ":" in prop and prop.split(":", 1)[0].lower() in ("og", "article", "profile", "product", "book",
                                                                  "music", "video", "business", "place"):
                out.opengraph.append((prop, _str(m.get("content"))))
    except Exception:  # noqa: BLE001
        pass
    return out
