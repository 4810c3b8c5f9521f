"""What research finds, as plain data: every fact carries its source URL, when it was captured and a confidence.

Produced by :mod:`accounts.research.extract` (one :class:`PageFacts` per page, combined into a
:class:`ResearchResult`), stored by :mod:`accounts.research.store`, shown by the GUI and printed by the CLI
(``ResearchResult.as_json``: ``company``, ``people``, ``technologies``, ``signals``, ``pages``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

# company fields, in the order the research tab shows them
COMPANY_FIELDS = ("name", "description", "logo", "website", "address", "city", "region", "country", "phone",
                  "email", "founded", "employees", "industry_hint")
SOCIAL_NETWORKS = ("linkedin", "twitter", "facebook", "github", "youtube", "instagram", "xing", "crunchbase")


@dataclass(frozen=True)
class Fact:
    """One value and where it came from. ``confidence`` is 0–1 (JSON-LD Organization 0.9, meta tags 0.7,
    text patterns 0.5 …)."""

    value: Any
    source_url: str
    captured_at: dt.datetime
    confidence: float
    evidence: str | None = None  # the tag, attribute or sentence it was read from

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "source_url": self.source_url, "captured_at": self.captured_at.isoformat(),
                "confidence": round(self.confidence, 2), "evidence": self.evidence}


@dataclass
class CompanyFacts:
    """The best value per field (highest confidence first, then first seen), each a :class:`Fact`."""

    fields: dict[str, Fact] = field(default_factory=dict)  # keys from COMPANY_FIELDS
    social: dict[str, Fact] = field(default_factory=dict)  # keys from SOCIAL_NETWORKS → profile URL

    def value(self, name: str) -> Any:
        f = self.fields.get(name)
        return f.value if f else None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: self.fields[k].value for k in COMPANY_FIELDS if k in self.fields}
        out.setdefault("name", None)
        out.setdefault("description", None)
        out["social"] = {k: v.value for k, v in self.social.items()}
        out["sources"] = {k: v.as_json() for k, v in self.fields.items()}
        return out


@dataclass(frozen=True)
class PersonFact:
    name: str
    title: str | None
    source_url: str
    captured_at: dt.datetime
    confidence: float
    evidence: str | None = None
    email: str | None = None
    linkedin_url: str | None = None

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["captured_at"] = self.captured_at.isoformat()
        d["confidence"] = round(self.confidence, 2)
        return d


@dataclass(frozen=True)
class TechHit:
    name: str
    category: str  # marketing_automation, crm, analytics, tag_manager, chat, ab_testing, cms, ecommerce, ats, support …
    evidence: str  # e.g. "script src js.hs-scripts.com/123.js"
    source_url: str
    captured_at: dt.datetime
    confidence: float

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["captured_at"] = self.captured_at.isoformat()
        d["confidence"] = round(self.confidence, 2)
        return d


@dataclass(frozen=True)
class SignalFact:
    kind: str  # accounts.models.research.SIGNAL_KINDS: funding, hiring, leadership_change, expansion, …
    date: dt.date | None
    text: str  # the sentence or heading that is the evidence
    source_url: str
    captured_at: dt.datetime
    confidence: float
    detail: dict[str, Any] = field(default_factory=dict)  # e.g. {"roles": {"engineering": 4, "sales": 2}}

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "date": self.date.isoformat() if self.date else None, "text": self.text,
                "source_url": self.source_url, "captured_at": self.captured_at.isoformat(),
                "confidence": round(self.confidence, 2), "detail": self.detail}


@dataclass
class PageFacts:
    """What one page yielded."""

    url: str
    title: str | None = None
    text: str = ""  # main text, for storage and signals
    company: CompanyFacts = field(default_factory=CompanyFacts)
    people: list[PersonFact] = field(default_factory=list)
    technologies: list[TechHit] = field(default_factory=list)
    signals: list[SignalFact] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (absolute url, anchor text), same site first


@dataclass(frozen=True)
class PageInfo:
    url: str
    status: int | None
    title: str | None = None
    error: str | None = None  # one line: why it was not fetched or not read
    fetched_at: dt.datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "title": self.title, "error": self.error,
                "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None}


@dataclass
class ResearchResult:
    company: CompanyFacts = field(default_factory=CompanyFacts)
    people: list[PersonFact] = field(default_factory=list)
    technologies: list[TechHit] = field(default_factory=list)
    signals: list[SignalFact] = field(default_factory=list)
    pages: list[PageInfo] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"company": self.company.as_json(), "people": [p.as_json() for p in self.people],
                "technologies": [t.as_json() for t in self.technologies],
                "signals": [s.as_json() for s in self.signals], "pages": [p.as_json() for p in self.pages]}
