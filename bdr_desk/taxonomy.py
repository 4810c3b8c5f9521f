"""One shared vocabulary for the whole workspace: industries, company-size bands, pains, personas,
buying roles, ABM stages and funnel stages.

The built-in terms are seeded by the first migration; marketing extends a vocabulary with
:func:`add_term`. Domain columns store term *keys* (``"fintech"``, ``"mql"``); labels are for people.
Every CRM mapping translates to and from these keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Boolean, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bdr_desk.db import Base

INDUSTRY = "industry"
SIZE_BAND = "size_band"
PAIN = "pain"
PERSONA = "persona"
BUYING_ROLE = "buying_role"
ABM_STAGE = "abm_stage"
FUNNEL_STAGE = "funnel_stage"
VOCABULARIES = (INDUSTRY, SIZE_BAND, PAIN, PERSONA, BUYING_ROLE, ABM_STAGE, FUNNEL_STAGE)

SEGMENTS = ("smb", "mid_market", "enterprise")
SEGMENT_LABELS = {"smb": "SMB", "mid_market": "Mid-market", "enterprise": "Enterprise"}
TIERS = (1, 2, 3)

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")


class TaxonomyTerm(Base):
    __tablename__ = "taxonomy_terms"
    __table_args__ = (UniqueConstraint("vocabulary", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(32), index=True)
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # size bands only: inclusive employee range (max None = open-ended) and the segment it belongs to
    min_employees: Mapped[int | None] = mapped_column(Integer)
    max_employees: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[str | None] = mapped_column(String(16))
    builtin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class TaxonomyError(ValueError):
    pass


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")[:64]


@dataclass(frozen=True)
class Term:
    vocabulary: str
    key: str
    label: str
    min_employees: int | None = None
    max_employees: int | None = None
    segment: str | None = None


@dataclass
class Taxonomy:
    """A read-only snapshot of the active terms, cheap to pass to the GUI or a job."""

    terms: dict[str, list[Term]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Taxonomy:
        rows = session.scalars(
            select(TaxonomyTerm).where(TaxonomyTerm.active.is_(True))
            .order_by(TaxonomyTerm.vocabulary, TaxonomyTerm.position, TaxonomyTerm.id)
        )
        tax = cls({v: [] for v in VOCABULARIES})
        for r in rows:
            tax.terms.setdefault(r.vocabulary, []).append(
                Term(r.vocabulary, r.key, r.label, r.min_employees, r.max_employees, r.segment)
            )
        return tax

    def keys(self, vocabulary: str) -> list[str]:
        return [t.key for t in self.terms.get(vocabulary, [])]

    def label(self, vocabulary: str, key: str | None) -> str:
        if key is None:
            return ""
        for t in self.terms.get(vocabulary, []):
            if t.key == key:
                return t.label
        return key

    def resolve(self, vocabulary: str, text: str | None) -> str | None:
        """The key of the term ``text`` names (its key, its label in any case, or the label's slug), or None."""
        if not text or not text.strip():
            return None
        wanted, slug = text.strip().casefold(), slugify(text)
        for t in self.terms.get(vocabulary, []):
            if wanted in (t.key, t.label.casefold()) or slug == t.key:
                return t.key
        return None

    def size_band(self, employees: int | None) -> Term | None:
        if employees is None or employees < 0:
            return None
        for t in self.terms.get(SIZE_BAND, []):
            lo = t.min_employees or 0
            if employees >= lo and (t.max_employees is None or employees <= t.max_employees):
                return t
        return None

    def segment_for(self, employees: int | None) -> str | None:
        band = self.size_band(employees)
        return band.segment if band else None


def add_term(session: Session, vocabulary: str, label: str, key: str | None = None, **extra: object) -> TaxonomyTerm:
    """Extend a vocabulary (marketing adds an industry or a pain). Keys are stable slugs."""
    if vocabulary not in VOCABULARIES:
        raise TaxonomyError(f"unknown vocabulary {vocabulary!r}; expected one of {', '.join(VOCABULARIES)}")
    if not label.strip():
        raise TaxonomyError("a term needs a label")
    key = key or slugify(label)
    if not _KEY_RE.match(key):
        raise TaxonomyError(f"term key {key!r} must be lower-case letters, digits and underscores")
    exists = session.scalar(
        select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == vocabulary, TaxonomyTerm.key == key)
    )
    if exists is not None:
        raise TaxonomyError(f"{vocabulary} {key!r} already exists")
    last = session.scalar(
        select(TaxonomyTerm.position).where(TaxonomyTerm.vocabulary == vocabulary)
        .order_by(TaxonomyTerm.position.desc()).limit(1)
    )
    term = TaxonomyTerm(vocabulary=vocabulary, key=key, label=label.strip(), position=(last or 0) + 1, **extra)
    session.add(term)
    session.flush()
    return term
