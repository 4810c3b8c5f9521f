"""Everything an account plan shows, gathered for one account in one session (Qt-free).

The renderers (Markdown, HTML, DOCX, PDF) only format a :class:`PlanData`; they never query. Every query
here is filtered by the one account, so a plan never carries another account's records (content items are
the library's, not an account's). Sections, in the default order:

overview, icp, research, stakeholders, messaging, outreach, content, opportunities, next_steps
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.account_detail import AccountDetail, load_account_detail
from accounts.contact_cards import StakeholderMap
from accounts.hypotheses import MapBranch, message_map
from accounts.models import (
    Activity,
    Contact,
    Enrollment,
    Opportunity,
    ResearchPage,
    Sequence,
    SequenceStep,
    Signal,
)
from accounts.models.history import AccountTechnology
from accounts.stakeholders import ROLE_LABELS, stakeholder_map
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY, SIZE_BAND, Taxonomy
from content_library.collateral import with_collateral
from content_library.models import ContentItem, ContentUsage
from content_library.recommend import Recommendation, recommend

SECTIONS = ("overview", "icp", "research", "stakeholders", "messaging", "outreach", "content", "opportunities",
            "next_steps")
SECTION_TITLES = {"overview": "Overview and firmographics", "icp": "Tier and ICP fit", "research": "Research highlights",
                  "stakeholders": "Stakeholder map", "messaging": "Pain hypotheses and message map",
                  "outreach": "Outreach: sequences and recent activity", "content": "Content",
                  "opportunities": "Opportunities", "next_steps": "Next steps"}
RECENT_ACTIVITIES = 15
SIGNALS_SHOWN = 12


@dataclass(frozen=True)
class SignalRow:
    id: int
    kind: str
    title: str
    date: dt.date | None
    source_url: str | None


@dataclass(frozen=True)
class EnrollmentRow:
    contact: str
    sequence: str
    step: int
    steps: int
    status: str
    next_due: dt.date | None
    paused_reason: str | None


@dataclass(frozen=True)
class ActivityRow:
    when: dt.datetime
    type: str
    outcome: str | None
    contact: str | None
    subject: str | None


@dataclass(frozen=True)
class UsedContent:
    id: int
    title: str
    url: str | None
    uses: int
    last_used: dt.datetime


@dataclass(frozen=True)
class OpportunityRow:
    id: int
    name: str
    stage: str
    amount: Decimal | None
    currency: str
    close_date: dt.date | None
    qualified: bool


@dataclass(frozen=True)
class NextStep:
    due: dt.date | None
    what: str
    who: str | None


@dataclass
class PlanData:
    generated_at: dt.datetime
    account: AccountDetail
    industry_label: str
    size_label: str
    stage_label: str
    stakeholders: StakeholderMap
    role_labels: dict[str, str]
    signals: list[SignalRow] = field(default_factory=list)
    technologies: list[tuple[str, str | None]] = field(default_factory=list)  # (name, category)
    pages_researched: int = 0
    last_researched: dt.datetime | None = None
    message_map: list[MapBranch] = field(default_factory=list)
    enrollments: list[EnrollmentRow] = field(default_factory=list)
    activities: list[ActivityRow] = field(default_factory=list)
    recommended: list[Recommendation] = field(default_factory=list)
    used_content: list[UsedContent] = field(default_factory=list)
    opportunities: list[OpportunityRow] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    sections: tuple[str, ...] = SECTIONS

    @property
    def title(self) -> str:
        return f"Account plan: {self.account.name}"


def _name(first: str | None, last: str | None, email: str | None = None) -> str:
    return " ".join(p for p in (first, last) if p) or (email or "")


def _research(session: Session, plan: PlanData, account_id: int) -> None:
    plan.signals = [SignalRow(s.id, s.kind, s.title, s.occurred_on, s.source_url) for s in session.scalars(
        select(Signal).where(Signal.account_id == account_id)
        .order_by(Signal.occurred_on.desc().nulls_last(), Signal.id.desc()).limit(SIGNALS_SHOWN))]
    plan.technologies = [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(AccountTechnology.name, AccountTechnology.category).where(AccountTechnology.account_id == account_id)
        .order_by(AccountTechnology.category, AccountTechnology.name))]
    plan.pages_researched, plan.last_researched = session.execute(
        select(func.count(ResearchPage.id), func.max(ResearchPage.fetched_at))
        .where(ResearchPage.account_id == account_id)).one()


def _outreach(session: Session, plan: PlanData, account_id: int) -> None:
    total = (select(SequenceStep.sequence_id, func.count().label("n")).group_by(SequenceStep.sequence_id).subquery())
    rows = session.execute(
        select(Contact.first_name, Contact.last_name, Contact.email, Sequence.name, Enrollment.current_step, total.c.n,
               Enrollment.status, Enrollment.next_due_at, Enrollment.paused_reason)
        .join(Contact, Contact.id == Enrollment.contact_id).join(Sequence, Sequence.id == Enrollment.sequence_id)
        .join(total, total.c.sequence_id == Enrollment.sequence_id)
        .where(Contact.account_id == account_id, Enrollment.status.in_(("active", "paused")))
        .order_by(Enrollment.next_due_at.nulls_last(), Contact.last_name))
    plan.enrollments = [EnrollmentRow(_name(f, la, e), seq, step, n, status,
                                      due.astimezone(dt.UTC).date() if due else None, reason)
                        for f, la, e, seq, step, n, status, due, reason in rows]
    plan.activities = [ActivityRow(a.occurred_at, a.type, a.outcome, _name(f, la, e) or None, a.subject)
                       for a, f, la, e in session.execute(
                           select(Activity, Contact.first_name, Contact.last_name, Contact.email)
                           .outerjoin(Contact, Contact.id == Activity.contact_id)
                           .where(Activity.account_id == account_id, Activity.completed.is_(True))
                           .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(RECENT_ACTIVITIES))]


def _content(session: Session, plan: PlanData, account_id: int) -> None:
    plan.recommended = recommend(session, account_id, limit=5)
    plan.used_content = [UsedContent(i, t, u, n, last) for i, t, u, n, last in session.execute(
        select(ContentItem.id, ContentItem.title, ContentItem.url, func.count(ContentUsage.id),
               func.max(ContentUsage.used_at))
        .join(ContentUsage, ContentUsage.item_id == ContentItem.id)
        .where(ContentUsage.account_id == account_id, ContentUsage.kind != "exported")  # the plan itself is no use
        .group_by(ContentItem.id, ContentItem.title, ContentItem.url)
        .order_by(func.max(ContentUsage.used_at).desc()))]


def _deals_and_next_steps(session: Session, plan: PlanData, account_id: int, today: dt.date) -> None:
    plan.opportunities = [OpportunityRow(o.id, o.name, o.stage, o.amount, o.currency, o.close_date, o.qualified)
                          for o in session.scalars(select(Opportunity).where(Opportunity.account_id == account_id)
                                                   .order_by(Opportunity.close_date.desc().nulls_last()))]
    steps = [NextStep(e.next_due, f"{e.sequence}: step {e.step} of {e.steps}", e.contact)
             for e in plan.enrollments if e.status == "active"]
    tasks = session.execute(select(Activity.due_at, Activity.subject, Activity.type, Contact.first_name,
                                   Contact.last_name, Contact.email)
                            .outerjoin(Contact, Contact.id == Activity.contact_id)
                            .where(Activity.account_id == account_id, Activity.completed.is_(False))
                            .order_by(Activity.due_at.nulls_last()))
    steps += [NextStep(due.astimezone(dt.UTC).date() if due else None, subject or kind.capitalize(),
                       _name(f, la, e) or None) for due, subject, kind, f, la, e in tasks]
    plan.next_steps = sorted(steps, key=lambda s: (s.due or dt.date.max, s.what))


def gather_plan(session: Session, account_id: int, *, sections: tuple[str, ...] = SECTIONS,
                now: dt.datetime | None = None) -> PlanData:
    """Gather the plan of one account (raises ``AccountNotFound`` for an unknown id)."""
    now = now or dt.datetime.now(dt.UTC)
    tax = Taxonomy.load(session)
    detail = load_account_detail(session, account_id)
    plan = PlanData(generated_at=now, account=detail, industry_label=tax.label(INDUSTRY, detail.industry),
                    size_label=tax.label(SIZE_BAND, detail.size_band), stage_label=tax.label(ABM_STAGE, detail.abm_stage),
                    stakeholders=stakeholder_map(session, account_id, now), role_labels=dict(ROLE_LABELS),
                    sections=tuple(s for s in sections if s in SECTIONS))
    _research(session, plan, account_id)
    plan.message_map = with_collateral(session, message_map(session, account_id))
    _outreach(session, plan, account_id)
    _content(session, plan, account_id)
    _deals_and_next_steps(session, plan, account_id, now.date())
    return plan
