"""Content for an account (and optionally one contact): published items ranked by how well their facets fit the
account — industry, company size, the pains of its open hypotheses, the contact's persona — plus how closely
their text matches the account's research and notes. Every recommendation says why."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import Account, Contact, PainHypothesis, ResearchPage, Signal
from bdr_desk.taxonomy import INDUSTRY, PAIN, PERSONA, SIZE_BAND, Taxonomy
from content_library.items import ContentError
from content_library.models import ContentFacet, ContentItem, ContentUsage
from content_library.search import SearchRequest, search
from content_library.stopwords import STOPWORDS

WEIGHTS = {INDUSTRY: 3.0, SIZE_BAND: 1.0, PAIN: 2.0, PERSONA: 2.0}
TEXT_WEIGHT = 1.5  # the best text match is worth half an industry match
STALE_PENALTY = 0.5
KEYWORDS = 12
RESEARCH_CHARS = 60_000
_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class Recommendation:
    id: int
    title: str
    type: str
    url: str | None
    score: float
    reasons: tuple[str, ...]
    used_for_account: int  # times already used for this account

    @property
    def reason(self) -> str:
        return " · ".join(self.reasons)

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "type": self.type, "url": self.url,
                "score": round(self.score, 3), "reason": self.reason, "reasons": list(self.reasons),
                "used_for_account": self.used_for_account}


@dataclass(frozen=True)
class AccountProfile:
    """What the recommender knows about the account: facet keys and the keywords of its research."""

    industry: str | None
    size_band: str | None
    pains: tuple[str, ...]
    personas: tuple[str, ...]
    keywords: tuple[str, ...]


def account_profile(session: Session, account_id: int, contact_id: int | None = None,
                    persona: str | None = None) -> AccountProfile:
    account = session.get(Account, account_id)
    if account is None:
        raise ContentError(f"account {account_id} does not exist")
    hypotheses = session.execute(
        select(PainHypothesis.pain, PainHypothesis.persona)
        .where(PainHypothesis.account_id == account_id, PainHypothesis.status != "rejected")
    ).all()
    pains = tuple(dict.fromkeys(p for p, _ in hypotheses if p))
    personas: list[str] = [persona] if persona else []
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.account_id != account_id:
            raise ContentError(f"contact {contact_id} is not at account {account_id}")
        if contact.persona:
            personas.append(contact.persona)
    if not personas:  # no one chosen: the personas the hypotheses target
        personas = [p for _, p in hypotheses if p]
    texts = [account.description or "", account.notes or ""]
    texts += session.scalars(select(ResearchPage.text).where(ResearchPage.account_id == account_id)).all()
    texts += session.scalars(select(Signal.title).where(Signal.account_id == account_id)).all()
    texts += session.scalars(select(PainHypothesis.hypothesis).where(PainHypothesis.account_id == account_id)).all()
    return AccountProfile(account.industry, account.size_band, pains, tuple(dict.fromkeys(personas)),
                          keywords(" ".join(t for t in texts if t)[:RESEARCH_CHARS], exclude=account.name))


def keywords(text: str, *, exclude: str = "", n: int = KEYWORDS) -> tuple[str, ...]:
    """The most frequent content words of ``text`` (not the account's own name)."""
    skip = STOPWORDS | {w.lower() for w in _WORD.findall(exclude)}
    counts = Counter(w for w in (m.lower() for m in _WORD.findall(text)) if w not in skip)
    return tuple(w for w, _ in counts.most_common(n))


def recommend(session: Session, account_id: int, *, contact_id: int | None = None, persona: str | None = None,
              limit: int = 10) -> list[Recommendation]:
    profile = account_profile(session, account_id, contact_id, persona)
    tax = Taxonomy.load(session)
    items = {i.id: i for i in session.scalars(select(ContentItem).where(ContentItem.status == "published"))}
    if not items:
        return []
    facets: dict[int, dict[str, set[str]]] = {}
    for item_id, vocabulary, term in session.execute(
        select(ContentFacet.item_id, ContentFacet.vocabulary, ContentFacet.term)
        .join(ContentItem, ContentItem.id == ContentFacet.item_id).where(ContentItem.status == "published")
    ):
        facets.setdefault(item_id, {}).setdefault(vocabulary, set()).add(term)
    text_scores = _text_scores(session, profile.keywords)
    used_counts = Counter(session.scalars(select(ContentUsage.item_id).where(ContentUsage.account_id == account_id)))
    today = dt.date.today()
    out: list[Recommendation] = []
    for item_id, item in items.items():
        tags = facets.get(item_id, {})
        score, reasons = 0.0, []
        if profile.industry and profile.industry in tags.get(INDUSTRY, ()):
            score += WEIGHTS[INDUSTRY]
            reasons.append("same industry")
        if profile.size_band and profile.size_band in tags.get(SIZE_BAND, ()):
            score += WEIGHTS[SIZE_BAND]
            reasons.append("same company size")
        for pain in profile.pains:
            if pain in tags.get(PAIN, ()):
                score += WEIGHTS[PAIN]
                reasons.append(f"pain: {tax.label(PAIN, pain).lower()}")
        for persona in profile.personas:
            if persona in tags.get(PERSONA, ()):
                score += WEIGHTS[PERSONA]
                reasons.append(f"persona: {tax.label(PERSONA, persona)}")
                break
        text_score, matched = text_scores.get(item_id, (0.0, ()))
        if text_score:
            score += text_score
            reasons.append("matches research: " + ", ".join(matched[:3]))
        if not score:
            continue
        if item.review_by is not None and item.review_by < today:
            score -= STALE_PENALTY
            reasons.append("stale: review overdue")
        if used_counts.get(item_id):
            reasons.append(f"already used here {used_counts[item_id]}×")
        out.append(Recommendation(item_id, item.title, item.type, item.url, score, tuple(reasons),
                                  used_counts.get(item_id, 0)))
    out.sort(key=lambda r: (-r.score, r.used_for_account, r.title))
    return out[:limit]


def _text_scores(session: Session, words: tuple[str, ...]) -> dict[int, tuple[float, tuple[str, ...]]]:
    """Items whose text matches the account's keywords, scaled so the best match gets TEXT_WEIGHT."""
    if not words:
        return {}
    results = search(session, SearchRequest(text=" OR ".join(words), statuses=("published",), limit=50,
                                            with_facets=False))
    if not results.hits:
        return {}
    best = max(h.score for h in results.hits) or 1.0
    out = {}
    for h in results.hits:
        matched = tuple(w for w in words if w in h.snippet.lower() or w in h.title.lower())
        out[h.id] = (TEXT_WEIGHT * h.score / best, matched or words[:1])
    return out
