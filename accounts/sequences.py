"""Sequences (multi-channel cadences): building them, enrolling contacts, scheduling steps on business days,
the account-aware pause, and the steps due today.

Scheduling: a step's ``day_offset`` counts business days (:mod:`accounts.business_days`). The first step is
due ``offset`` business days after enrolment; each later step is due the difference of the two offsets after
the previous step was done. ``Enrollment.next_due_at`` holds the due *date* as noon UTC of that date, so the
local calendar day of any user within UTC±12 h is the same date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.business_days import BusinessCalendar, load_calendar
from accounts.models import Account, Contact, Enrollment, MessageTemplate, Sequence, SequenceStep
from accounts.models.messaging import CHANNELS
from accounts.outreach import Day

ENROLL_BATCH = 500


class SequenceError(ValueError):
    """Bad input for sequences or enrolment; one line naming the bad value."""


@dataclass(frozen=True)
class StepDraft:
    day_offset: int
    channel: str
    template_id: int | None = None
    instruction: str | None = None


@dataclass(frozen=True)
class EnrollWarning:
    contact_id: int
    contact: str
    kind: str  # already_in_sequence, in_other_sequence, missing_email, left_company
    message: str


@dataclass
class EnrollResult:
    enrolled: list[int] = field(default_factory=list)
    warnings: list[EnrollWarning] = field(default_factory=list)
    skipped: list[EnrollWarning] = field(default_factory=list)  # warned and not enrolled


@dataclass(frozen=True)
class DueStep:
    enrollment_id: int
    sequence_id: int
    sequence: str
    step: int
    steps: int
    channel: str
    template_id: int | None
    template: str | None
    instruction: str | None
    due: dt.date
    overdue: bool
    contact_id: int
    contact: str
    email: str | None
    phone: str | None
    account_id: int
    account: str

    def as_json(self) -> dict[str, object]:
        return {"enrollment_id": self.enrollment_id, "contact": self.contact, "contact_id": self.contact_id,
                "account": self.account, "account_id": self.account_id, "channel": self.channel,
                "due": self.due.isoformat(), "overdue": self.overdue, "step": self.step, "steps": self.steps,
                "sequence": self.sequence, "template": self.template, "instruction": self.instruction}


def due_at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


def _due_date(value: dt.datetime) -> dt.date:
    return value.astimezone(dt.UTC).date()


# ---- building --------------------------------------------------------------------------------------------

def _check_steps(session: Session, steps: Seq[StepDraft]) -> None:
    if not steps:
        raise SequenceError("a sequence needs at least one step")
    previous = 0
    for n, st in enumerate(steps, start=1):
        if st.channel not in CHANNELS:
            raise SequenceError(f"step {n}: unknown channel {st.channel!r}; use one of {', '.join(CHANNELS)}")
        if st.day_offset < previous:
            raise SequenceError(f"step {n}: day {st.day_offset} comes before the previous step's day {previous}")
        previous = st.day_offset
        if st.template_id is not None:
            tpl = session.get(MessageTemplate, st.template_id)
            if tpl is None:
                raise SequenceError(f"step {n}: no template with id {st.template_id}")
            if tpl.channel != st.channel:
                raise SequenceError(f"step {n}: template {tpl.name!r} is for {tpl.channel}, not {st.channel}")
        elif st.channel != "call" and not (st.instruction or "").strip():
            raise SequenceError(f"step {n}: a {st.channel} step needs a template or an instruction")


def save_sequence(session: Session, name: str, steps: Seq[StepDraft], *, description: str | None = None,
                  owner_id: int | None = None, sequence_id: int | None = None) -> Sequence:
    name = " ".join((name or "").split())
    if not name:
        raise SequenceError("a sequence needs a name")
    _check_steps(session, steps)
    clash = session.scalar(select(Sequence.id).where(func.lower(Sequence.name) == name.lower(),
                                                    Sequence.id != (sequence_id or -1)))
    if clash is not None:
        raise SequenceError(f"a sequence named {name!r} already exists")
    seq = Sequence(owner_id=owner_id) if sequence_id is None else session.get(Sequence, sequence_id)
    if seq is None:
        raise SequenceError(f"no sequence with id {sequence_id}")
    seq.name, seq.description = name, description
    # edit steps in place by position, so message map lines keep pointing at "step 2" after an edit
    existing = {st.position: st for st in seq.steps}
    for i, draft in enumerate(steps, start=1):
        row = existing.get(i)
        if row is None:
            seq.steps.append(SequenceStep(position=i))
            row = seq.steps[-1]
        row.day_offset, row.channel, row.template_id, row.instruction = (
            draft.day_offset, draft.channel, draft.template_id, draft.instruction)
    for extra in [st for st in seq.steps if st.position > len(steps)]:
        seq.steps.remove(extra)
    session.add(seq)
    session.flush()
    if sequence_id is not None:  # enrolments past a removed last step are done
        for e in session.scalars(select(Enrollment).where(Enrollment.sequence_id == seq.id,
                                                          Enrollment.status.in_(("active", "paused")),
                                                          Enrollment.current_step > len(steps))):
            e.status, e.next_due_at = "finished", None
        session.flush()
    return seq


# ---- enrolment -------------------------------------------------------------------------------------------

def check_enrollment(session: Session, sequence_id: int, contact_ids: Iterable[int]) -> EnrollResult:
    """What enrolling these contacts would do: warnings per contact, nothing written."""
    seq = session.get(Sequence, sequence_id)
    if seq is None:
        raise SequenceError(f"no sequence with id {sequence_id}")
    ids = list(dict.fromkeys(contact_ids))
    has_email_step = any(st.channel == "email" for st in seq.steps)
    result = EnrollResult()
    for start in range(0, len(ids), ENROLL_BATCH):
        chunk = ids[start:start + ENROLL_BATCH]
        contacts = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(chunk)))}
        enrolled = session.execute(select(Enrollment.contact_id, Enrollment.sequence_id, Sequence.name)
                                   .join(Sequence, Sequence.id == Enrollment.sequence_id)
                                   .where(Enrollment.contact_id.in_(chunk), Enrollment.status.in_(("active", "paused"))))
        elsewhere: dict[int, str] = {}
        here: set[int] = set(session.scalars(select(Enrollment.contact_id).where(
            Enrollment.sequence_id == sequence_id, Enrollment.contact_id.in_(chunk))))
        for cid, sid, sname in enrolled:
            if sid != sequence_id:
                elsewhere[cid] = sname
        for cid in chunk:
            c = contacts.get(cid)
            if c is None:
                raise SequenceError(f"no contact with id {cid}")
            name = c.full_name or f"contact {cid}"
            if cid in here:
                result.skipped.append(EnrollWarning(cid, name, "already_in_sequence", f"{name} is already in {seq.name}"))
                continue
            warns = []
            if c.left_company:
                warns.append(EnrollWarning(cid, name, "left_company", f"{name} has left the company"))
            if has_email_step and not c.email:
                warns.append(EnrollWarning(cid, name, "missing_email", f"{name} has no email address"))
            if cid in elsewhere:
                warns.append(EnrollWarning(cid, name, "in_other_sequence", f"{name} is already in {elsewhere[cid]}"))
            result.warnings.extend(warns)
            if not warns:
                result.enrolled.append(cid)
    return result


def enroll(session: Session, sequence_id: int, contact_ids: Iterable[int], *, today: dt.date,
           user_id: int | None = None, include_warned: bool = False) -> EnrollResult:
    """Enrol contacts; those with warnings are skipped unless ``include_warned``. One flush per 500."""
    result = check_enrollment(session, sequence_id, contact_ids)
    warned = {w.contact_id for w in result.warnings}
    if include_warned:
        result.enrolled = sorted(set(result.enrolled) | warned, key=list(dict.fromkeys(contact_ids)).index)
    else:
        seen: set[int] = set()
        for w in result.warnings:
            if w.contact_id not in seen:
                seen.add(w.contact_id)
                result.skipped.append(w)
    seq = session.get(Sequence, sequence_id)
    assert seq is not None
    first = seq.steps[0]
    cal = load_calendar(session)
    due = due_at(cal.add_business_days(today, first.day_offset))
    now = dt.datetime.now(dt.UTC)
    for n, cid in enumerate(result.enrolled, start=1):
        session.add(Enrollment(sequence_id=sequence_id, contact_id=cid, status="active", current_step=first.position,
                               enrolled_at=now, next_due_at=due, enrolled_by_id=user_id))
        if n % ENROLL_BATCH == 0:
            session.flush()
    session.flush()
    return result


# ---- moving through steps ----------------------------------------------------------------------------------

def advance(session: Session, enrollment: Enrollment, done_on: dt.date, cal: BusinessCalendar | None = None) -> None:
    """The current step is done (on ``done_on``): schedule the next one or finish the enrolment."""
    steps = session.get(Sequence, enrollment.sequence_id).steps  # type: ignore[union-attr]
    current = next((s for s in steps if s.position == enrollment.current_step), None)
    later = [s for s in steps if s.position > enrollment.current_step]
    enrollment.last_step_at = dt.datetime.now(dt.UTC)
    if not later:
        enrollment.status, enrollment.next_due_at = "finished", None
        return
    nxt = later[0]
    gap = nxt.day_offset - (current.day_offset if current else 0)
    enrollment.current_step = nxt.position
    enrollment.next_due_at = due_at((cal or load_calendar(session)).add_business_days(done_on, max(gap, 0)))


def pause_account(session: Session, account_id: int, reason: str) -> list[int]:
    """Pause every active enrolment of anyone at the account (a reply or a booked meeting there)."""
    rows = list(session.scalars(select(Enrollment).join(Contact, Contact.id == Enrollment.contact_id)
                                .where(Contact.account_id == account_id, Enrollment.status == "active")))
    for e in rows:
        e.status, e.paused_reason, e.next_due_at = "paused", reason[:300], None
    session.flush()
    return [e.id for e in rows]


def pause(session: Session, enrollment_id: int, reason: str = "Paused by hand") -> Enrollment:
    """Pause one active enrolment (the BDR holds this contact back); :func:`resume` picks it up again."""
    e = session.get(Enrollment, enrollment_id)
    if e is None:
        raise SequenceError(f"no enrolment with id {enrollment_id}")
    if e.status != "active":
        raise SequenceError(f"enrolment {enrollment_id} is {e.status}, not active")
    e.status, e.paused_reason, e.next_due_at = "paused", (reason or "Paused by hand")[:300], None
    session.flush()
    return e


def resume(session: Session, enrollment_id: int, today: dt.date) -> Enrollment:
    e = session.get(Enrollment, enrollment_id)
    if e is None:
        raise SequenceError(f"no enrolment with id {enrollment_id}")
    if e.status != "paused":
        raise SequenceError(f"enrolment {enrollment_id} is {e.status}, not paused")
    e.status, e.paused_reason = "active", None
    e.next_due_at = due_at(load_calendar(session).next_business_day(today))
    session.flush()
    return e


def remove(session: Session, enrollment_id: int) -> None:
    e = session.get(Enrollment, enrollment_id)
    if e is None:
        raise SequenceError(f"no enrolment with id {enrollment_id}")
    e.status, e.next_due_at = "removed", None
    session.flush()


# ---- today -----------------------------------------------------------------------------------------------

def due_steps(session: Session, now: dt.datetime, *, user_id: int | None = None, limit: int = 1000) -> list[DueStep]:
    """Active enrolments whose current step is due today or overdue (``now`` aware, in the user's zone),
    oldest first. ``user_id`` keeps the user's own: enrolled by them or on accounts they own."""
    day = Day.of(now)
    total = (select(SequenceStep.sequence_id, func.count().label("n")).group_by(SequenceStep.sequence_id)
             .subquery())
    stmt = (select(Enrollment.id, Enrollment.sequence_id, Sequence.name, SequenceStep.position, total.c.n,
                   SequenceStep.channel, SequenceStep.template_id, MessageTemplate.name, SequenceStep.instruction,
                   Enrollment.next_due_at, Contact.id, Contact.first_name, Contact.last_name, Contact.email,
                   Contact.phone, Account.id, Account.name)
            .join(Sequence, Sequence.id == Enrollment.sequence_id)
            .join(SequenceStep, (SequenceStep.sequence_id == Enrollment.sequence_id)
                  & (SequenceStep.position == Enrollment.current_step))
            .outerjoin(MessageTemplate, MessageTemplate.id == SequenceStep.template_id)
            .join(Contact, Contact.id == Enrollment.contact_id)
            .join(Account, Account.id == Contact.account_id)
            .join(total, total.c.sequence_id == Enrollment.sequence_id)
            .where(Enrollment.status == "active", Enrollment.next_due_at < day.end)
            .order_by(Enrollment.next_due_at, Account.name, Enrollment.id).limit(limit))
    if user_id is not None:
        stmt = stmt.where((Enrollment.enrolled_by_id == user_id) | (Account.owner_id == user_id))
    local_today = now.date()
    out = []
    for (eid, sid, seq_name, pos, n, channel, tpl_id, tpl_name, instruction, next_due, cid, first, last, email,
         phone, acc_id, acc_name) in session.execute(stmt):
        due = _due_date(next_due)
        name = " ".join(p for p in (first, last) if p) or email or f"contact {cid}"
        out.append(DueStep(eid, sid, seq_name, pos, n, channel, tpl_id, tpl_name, instruction, due, due < local_today,
                           cid, name, email, phone, acc_id, acc_name))
    return out
