"""What the messaging views show, read in one short session each and handed over as plain rows (frozen
dataclasses): no live ORM object leaves the unit of work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accounts.activities import Logged, outcome_label
from accounts.hypotheses import list_hypotheses, message_map
from accounts.messaging import Rendered, list_templates, merge_context, render_text
from accounts.models import (
    Account,
    Activity,
    Contact,
    Enrollment,
    MessageTemplate,
    PainHypothesis,
    Sequence,
    SequenceStep,
    Signal,
)
from accounts.template_sandbox import Fields
from bdr_desk.taxonomy import ABM_STAGE, PAIN, PERSONA, Taxonomy
from bdr_desk.users import User
from content_library.collateral import merge_fields, with_collateral
from content_library.models import ContentItem
from content_library.queries import TYPE_LABELS as CONTENT_TYPE_LABELS
from ui.messaging.common import TYPE_LABELS, channel_label

CHOICE_LIMIT = 50
SAMPLE_FIELDS = ("account", "contact", "owner", "sender", "hypothesis", "content", "research")


@dataclass(frozen=True)
class HypothesisRow:
    id: int
    version: int
    pain: str
    pain_label: str
    statement: str
    evidence: str | None
    evidence_signal_id: int | None
    evidence_signal: str | None
    confidence: int | None
    persona: str | None
    persona_label: str
    status: str
    status_note: str | None
    status_activity_id: int | None
    messages: int = 0

    @property
    def evidence_text(self) -> str:
        return " · ".join(p for p in (self.evidence_signal and f"Signal: {self.evidence_signal}", self.evidence) if p)


@dataclass(frozen=True)
class MapLineRow:
    id: int
    hypothesis_id: int
    persona: str | None
    persona_label: str
    angle: str
    step_id: int | None
    step_label: str | None
    collateral: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class MapBranchRow:
    hypothesis: HypothesisRow
    lines: tuple[MapLineRow, ...]
    messages: int


@dataclass(frozen=True)
class Choice:
    """Something to pick in a combo box or a list: an id, its label and an optional detail line."""

    id: int
    label: str
    detail: str = ""


@dataclass(frozen=True)
class ContactChoice:
    id: int
    name: str
    title: str | None
    email: str | None
    account_id: int
    account: str
    left_company: bool = False

    @property
    def label(self) -> str:
        return self.name + (" (left)" if self.left_company else "")

    @property
    def detail(self) -> str:
        return " · ".join(p for p in (self.title, self.account) if p)


@dataclass(frozen=True)
class TemplateRow:
    id: int
    version: int
    name: str
    channel: str
    subject: str | None
    body: str
    persona: str | None
    industry: str | None
    pain: str | None
    shared: bool
    owner_id: int | None
    owner: str | None

    @property
    def channel_label(self) -> str:
        return channel_label(self.channel)


@dataclass(frozen=True)
class StepRow:
    id: int
    position: int
    day_offset: int
    channel: str
    template_id: int | None
    template: str | None
    instruction: str | None


@dataclass(frozen=True)
class SequenceRow:
    id: int
    name: str
    description: str | None
    steps: tuple[StepRow, ...]
    active: int = 0
    paused: int = 0


@dataclass(frozen=True)
class EnrollmentRow:
    id: int
    contact_id: int
    contact: str
    account_id: int
    account: str
    status: str
    step: int
    steps: int
    next_due: dt.date | None
    paused_reason: str | None


@dataclass(frozen=True)
class AccountMessaging:
    hypotheses: list[HypothesisRow] = field(default_factory=list)
    branches: list[MapBranchRow] = field(default_factory=list)


# ---- one account's messaging -----------------------------------------------------------------------------

def load_account_messaging(session: Session, account_id: int) -> AccountMessaging:
    tax = Taxonomy.load(session)
    branches = with_collateral(session, message_map(session, account_id))
    counts = {b.hypothesis.id: b.messages for b in branches}
    signal_ids = {h.evidence_signal_id for h in (b.hypothesis for b in branches) if h.evidence_signal_id}
    signals = dict(session.execute(select(Signal.id, Signal.title).where(Signal.id.in_(signal_ids))).all())
    rows: dict[int, HypothesisRow] = {}
    for b in branches:
        h = b.hypothesis
        rows[h.id] = HypothesisRow(h.id, h.version, h.pain, tax.label(PAIN, h.pain), h.hypothesis, h.evidence,
                                   h.evidence_signal_id, signals.get(h.evidence_signal_id or -1), h.confidence,
                                   h.persona, tax.label(PERSONA, h.persona), h.status, h.status_note,
                                   h.status_activity_id, counts.get(h.id, 0))
    out = AccountMessaging(list(rows.values()))
    for b in branches:
        lines = tuple(MapLineRow(ln.entry.id, ln.entry.hypothesis_id, ln.entry.persona, ln.persona_label,
                                 ln.entry.angle, ln.entry.sequence_step_id, ln.step_label, tuple(ln.collateral))
                      for ln in b.lines)
        out.branches.append(MapBranchRow(rows[b.hypothesis.id], lines, b.messages))
    return out


def hypothesis_choices(session: Session, account_id: int, *, include_rejected: bool = False) -> list[Choice]:
    tax = Taxonomy.load(session)
    return [Choice(h.id, f"{tax.label(PAIN, h.pain)} — {h.hypothesis}", h.status)
            for h in list_hypotheses(session, account_id) if include_rejected or h.status != "rejected"]


def signal_choices(session: Session, account_id: int) -> list[Choice]:
    rows = session.execute(select(Signal.id, Signal.title, Signal.kind, Signal.occurred_on)
                           .where(Signal.account_id == account_id)
                           .order_by(Signal.detected_at.desc(), Signal.id.desc()).limit(CHOICE_LIMIT))
    return [Choice(i, title, " · ".join(p for p in (kind.replace("_", " "), on and on.isoformat()) if p))
            for i, title, kind, on in rows]


def activity_choices(session: Session, account_id: int) -> list[Choice]:
    """The account's logged conversations, newest first: what can confirm or reject a hypothesis."""
    rows = session.execute(select(Activity.id, Activity.occurred_at, Activity.type, Activity.outcome,
                                  Activity.subject, Contact.first_name, Contact.last_name)
                           .outerjoin(Contact, Contact.id == Activity.contact_id)
                           .where(Activity.account_id == account_id, Activity.completed.is_(True))
                           .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(CHOICE_LIMIT))
    out = []
    for i, at, kind, outcome, subject, first, last in rows:
        who = " ".join(p for p in (first, last) if p)
        what = " · ".join(p for p in (TYPE_LABELS.get(kind, kind), (outcome or "").replace("_", " "), who) if p)
        out.append(Choice(i, f"{at.astimezone():%d %b %Y} — {what}", subject or ""))
    return out


def step_choices(session: Session) -> list[Choice]:
    rows = session.execute(select(SequenceStep.id, Sequence.name, SequenceStep.position, SequenceStep.channel,
                                  SequenceStep.day_offset).join(Sequence, Sequence.id == SequenceStep.sequence_id)
                           .order_by(Sequence.name, SequenceStep.position))
    return [Choice(i, f"{name} · step {pos} ({channel_label(ch)}, day {day})") for i, name, pos, ch, day in rows]


def content_choices(session: Session) -> list[Choice]:
    """Published content items, by title: what can be attached or chosen as collateral."""
    rows = session.execute(select(ContentItem.id, ContentItem.title, ContentItem.type)
                           .where(ContentItem.status == "published").order_by(func.lower(ContentItem.title)))
    return [Choice(i, title, CONTENT_TYPE_LABELS.get(kind, kind)) for i, title, kind in rows]


# ---- contacts --------------------------------------------------------------------------------------------

def _contact_rows(session: Session, *where: object, limit: int = CHOICE_LIMIT) -> list[ContactChoice]:
    stmt = (select(Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.title,
                   Contact.left_company, Account.id, Account.name)
            .join(Account, Account.id == Contact.account_id).where(*where)
            .order_by(Contact.left_company, func.lower(func.coalesce(Contact.last_name, Contact.email, "")),
                      Contact.id).limit(limit))
    return [ContactChoice(i, " ".join(p for p in (first, last) if p) or email or f"contact {i}", title, email,
                          acc_id, acc, bool(left))
            for i, first, last, email, title, left, acc_id, acc in session.execute(stmt)]


def account_contacts(session: Session, account_id: int) -> list[ContactChoice]:
    return _contact_rows(session, Contact.account_id == account_id, limit=1000)


def search_contacts(session: Session, text: str, limit: int = CHOICE_LIMIT) -> list[ContactChoice]:
    """Contacts whose name, e-mail, title or account matches every word typed (case-insensitive)."""
    conds = []
    for word in text.lower().split()[:6]:
        like = f"%{word}%"
        conds.append(or_(func.lower(Contact.first_name).like(like), func.lower(Contact.last_name).like(like),
                         func.lower(Contact.email).like(like), func.lower(Contact.title).like(like),
                         func.lower(Account.name).like(like)))
    return _contact_rows(session, *conds, limit=limit)


def contact_choice(session: Session, contact_id: int) -> ContactChoice | None:
    rows = _contact_rows(session, Contact.id == contact_id, limit=1)
    return rows[0] if rows else None


# ---- templates and sequences ----------------------------------------------------------------------------

def template_rows(session: Session, *, channel: str | None = None, user_id: int | None = None) -> list[TemplateRow]:
    owners = dict(session.execute(select(User.id, User.name)).all())
    return [TemplateRow(t.id, t.version, t.name, t.channel, t.subject, t.body, t.persona, t.industry, t.pain,
                        t.shared, t.owner_id, owners.get(t.owner_id or -1))
            for t in list_templates(session, channel=channel, user_id=user_id)]


def sequence_rows(session: Session) -> list[SequenceRow]:
    counts: dict[tuple[int, str], int] = {
        (sid, st): n for sid, st, n in session.execute(
            select(Enrollment.sequence_id, Enrollment.status, func.count()).group_by(Enrollment.sequence_id,
                                                                                     Enrollment.status))}
    tpl = dict(session.execute(select(MessageTemplate.id, MessageTemplate.name)).all())
    out = []
    for q in session.scalars(select(Sequence).order_by(func.lower(Sequence.name))):
        steps = tuple(StepRow(s.id, s.position, s.day_offset, s.channel, s.template_id,
                              tpl.get(s.template_id or -1), s.instruction) for s in q.steps)
        out.append(SequenceRow(q.id, q.name, q.description, steps, counts.get((q.id, "active"), 0),
                               counts.get((q.id, "paused"), 0)))
    return out


def enrollment_rows(session: Session, sequence_id: int, *, include_done: bool = False) -> list[EnrollmentRow]:
    n = session.scalar(select(func.count()).where(SequenceStep.sequence_id == sequence_id)) or 0
    statuses = ("active", "paused", "finished", "removed") if include_done else ("active", "paused")
    rows = session.execute(select(Enrollment, Contact.first_name, Contact.last_name, Contact.email, Account.id,
                                  Account.name)
                           .join(Contact, Contact.id == Enrollment.contact_id)
                           .join(Account, Account.id == Contact.account_id)
                           .where(Enrollment.sequence_id == sequence_id, Enrollment.status.in_(statuses))
                           .order_by(Enrollment.status, Enrollment.next_due_at, Enrollment.id))
    return [EnrollmentRow(e.id, e.contact_id, " ".join(p for p in (first, last) if p) or email or "",
                          acc_id, acc, e.status, e.current_step, n,
                          e.next_due_at.astimezone(dt.UTC).date() if e.next_due_at else None, e.paused_reason)
            for e, first, last, email, acc_id, acc in rows]


# ---- rendering and logging ------------------------------------------------------------------------------

def render_message(session: Session, subject: str | None, body: str, *, contact_id: int | None = None,
                   account_id: int | None = None, hypothesis_id: int | None = None,
                   content_id: int | None = None, sender_id: int | None = None) -> Rendered:
    """Render template text for a contact (or only an account); with neither, against empty merge fields so
    every field without a fallback is flagged. Raises TemplateError."""
    contact = session.get(Contact, contact_id) if contact_id else None
    account = contact.account if contact is not None else (session.get(Account, account_id) if account_id else None)
    if account is None:
        return render_text(subject, body, {name: Fields(name, {}) for name in SAMPLE_FIELDS}
                           | {"today": dt.date.today().isoformat()})
    hyp = session.get(PainHypothesis, hypothesis_id) if hypothesis_id else None
    item = session.get(ContentItem, content_id) if content_id else None
    sender = session.get(User, sender_id) if sender_id else None
    ctx = merge_context(session, account=account, contact=contact, hypothesis=hyp, content=merge_fields(item),
                        sender=sender)
    return render_text(subject, body, ctx)


@dataclass(frozen=True)
class LogSummary:
    """What logging an activity changed, in words."""

    title: str
    lines: tuple[str, ...]
    stage: str | None = None  # the account's new ABM stage key
    paused: int = 0


def summarize(session: Session, logged: Logged) -> LogSummary:
    tax = Taxonomy.load(session)
    act = logged.activity
    who = session.get(Contact, act.contact_id).full_name if act.contact_id else None
    what = TYPE_LABELS.get(act.type, act.type) + (f" · {outcome_label(act.outcome)}" if act.outcome else "")
    lines = []
    if logged.coverage:
        before, after = (s.replace("_", " ") for s in logged.coverage)
        lines.append(f"Coverage of {who}: {before} → {after}")
    if logged.stage:
        before, after = (tax.label(ABM_STAGE, s) for s in logged.stage)
        lines.append(f"Account stage: {before} → {after}")
    if logged.paused:
        n = len(logged.paused)
        lines.append(f"Paused {n} sequence enrolment{'s' if n != 1 else ''} at the account")
    if not lines:
        lines.append("Last touch updated; nothing else changed")
    return LogSummary(f"Logged {what}" + (f" with {who}" if who else ""), tuple(lines),
                      logged.stage[1] if logged.stage else None, len(logged.paused))
