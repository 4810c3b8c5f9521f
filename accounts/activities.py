"""Logging what happened — calls, emails, LinkedIn touches, meetings, events, notes — and what it changes.

One function, :func:`log_activity`, so every touch has the same effects wherever it is logged from (the
quick-log dialog, the Today view, a sequence step, the CLI):

- the contact's ``last_touch_at`` and the account's ``last_activity_at`` move forward;
- the contact's coverage only moves forward: identified → contacted → engaged → meeting_held;
- the account's ABM stage moves forward when it should: a reply or a connected call makes a target or
  researching account *engaged*, a booked or held meeting makes it *meeting booked* (recorded on the timeline);
- a reply or a booked meeting at the account pauses every active sequence enrolment there (account-aware rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from accounts.history import record_event
from accounts.models import Account, Activity, Contact, Enrollment, Sequence
from accounts.models.account import ABM_STAGES
from accounts.sequences import SequenceError, advance, pause_account

OUTCOMES: dict[str, tuple[str, ...]] = {
    "call": ("connected", "voicemail", "no_answer", "wrong_person", "gatekeeper", "not_interested"),
    "email": ("sent", "replied", "bounced", "opened"),
    "linkedin": ("connection_sent", "connected", "message_sent", "replied"),
    "meeting": ("booked", "held", "no_show", "cancelled"),
    "event": ("invited", "registered", "attended", "no_show"),
    "note": (),
    "task": (),
}
OUTCOME_LABELS = {"no_answer": "No answer", "wrong_person": "Wrong person", "no_show": "No-show",
                  "not_interested": "Not interested", "connection_sent": "Connection request sent",
                  "message_sent": "Message sent"}
DEFAULT_OUTCOME = {"email": "sent", "linkedin": "message_sent", "meeting": "booked", "event": "invited"}
TOUCHES = ("call", "email", "linkedin", "meeting", "event")
COVERAGE_ORDER = ("identified", "contacted", "engaged", "meeting_held")
# outcomes that are two-way conversations (engaged) and those that put the account at "meeting booked"
ENGAGING = {("call", "connected"), ("email", "replied"), ("linkedin", "replied"), ("linkedin", "connected"),
            ("event", "attended")}
MEETING = {("meeting", "booked"), ("meeting", "held")}
PAUSING = {("email", "replied"), ("linkedin", "replied"), ("meeting", "booked"), ("meeting", "held")}
EARLY_STAGES = ("target", "researching", "nurture")


class ActivityError(ValueError):
    """Bad input for an activity; one line naming the bad value."""


def outcome_label(outcome: str | None) -> str:
    return OUTCOME_LABELS.get(outcome or "", (outcome or "").replace("_", " ").capitalize())


@dataclass
class Logged:
    activity: Activity
    coverage: tuple[str, str] | None = None  # (before, after) when it moved
    stage: tuple[str, str] | None = None
    paused: list[int] = field(default_factory=list)


def _normalize(kind: str, outcome: str | None) -> tuple[str, str | None]:
    kind = (kind or "").strip().lower()
    if kind not in OUTCOMES:
        raise ActivityError(f"unknown activity type {kind!r}; use one of {', '.join(OUTCOMES)}")
    value = (outcome or "").strip().lower().replace(" ", "_").replace("-", "_") or None
    if value is None:
        return kind, DEFAULT_OUTCOME.get(kind)
    if not OUTCOMES[kind]:
        raise ActivityError(f"a {kind} has no outcome (got {outcome!r})")
    if value not in OUTCOMES[kind]:
        raise ActivityError(f"unknown outcome {outcome!r} for a {kind}; use one of {', '.join(OUTCOMES[kind])}")
    return kind, value


def _coverage_after(kind: str, outcome: str | None) -> str | None:
    if (kind, outcome) == ("meeting", "held"):
        return "meeting_held"
    if (kind, outcome) in ENGAGING or (kind, outcome) == ("meeting", "booked"):
        return "engaged"
    if kind in TOUCHES and outcome not in ("wrong_person", "bounced", "no_show", "cancelled"):
        return "contacted"
    return None


def _stage_after(account: Account, kind: str, outcome: str | None) -> str | None:
    current = account.abm_stage
    if (kind, outcome) in MEETING and current in (*EARLY_STAGES, "engaged"):
        return "meeting_booked"
    if (kind, outcome) in ENGAGING and current in EARLY_STAGES:
        return "engaged"
    return None


def log_activity(session: Session, *, kind: str, contact_id: int | None = None, account_id: int | None = None,
                 outcome: str | None = None, note: str | None = None, subject: str | None = None,
                 occurred_at: dt.datetime | None = None, user_id: int | None = None, direction: str | None = None,
                 enrollment_id: int | None = None, step_position: int | None = None) -> Logged:
    kind, outcome = _normalize(kind, outcome)
    contact = session.get(Contact, contact_id) if contact_id is not None else None
    if contact_id is not None and contact is None:
        raise ActivityError(f"no contact with id {contact_id}")
    if contact is not None:
        if account_id is not None and account_id != contact.account_id:
            raise ActivityError(f"contact {contact_id} is not at account {account_id}")
        account_id = contact.account_id
    if account_id is None:
        raise ActivityError("log an activity against a contact or an account")
    account = session.get(Account, account_id)
    if account is None:
        raise ActivityError(f"no account with id {account_id}")
    when = occurred_at or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        raise ActivityError("occurred_at must be timezone-aware")
    if direction is None:
        direction = "inbound" if outcome == "replied" else ("outbound" if kind in TOUCHES else None)
    act = Activity(account_id=account_id, contact_id=contact.id if contact else None, user_id=user_id, type=kind,
                   direction=direction, outcome=outcome, subject=(subject or None) and subject[:500],
                   body=note or None, occurred_at=when, completed=True, enrollment_id=enrollment_id,
                   step_position=step_position)
    session.add(act)
    logged = Logged(act)
    if kind in TOUCHES:
        account.last_activity_at = max(filter(None, (account.last_activity_at, when)))
    if contact is not None and kind in TOUCHES:
        contact.last_touch_at = max(filter(None, (contact.last_touch_at, when)))
        after = _coverage_after(kind, outcome)
        before = contact.coverage_status or "identified"
        if after and COVERAGE_ORDER.index(after) > COVERAGE_ORDER.index(before if before in COVERAGE_ORDER else
                                                                        "identified"):
            contact.coverage_status = after
            logged.coverage = (before, after)
    stage = _stage_after(account, kind, outcome)
    if stage and ABM_STAGES.index(stage) != ABM_STAGES.index(account.abm_stage):
        logged.stage = (account.abm_stage, stage)
        who = f" with {contact.full_name}" if contact else ""
        record_event(session, account.id, "stage_changed",
                     f"ABM stage {account.abm_stage} → {stage}: {kind} {outcome_label(outcome).lower()}{who}",
                     user_id=user_id, source="activity", field="abm_stage", old=account.abm_stage, new=stage)
        account.abm_stage = stage
    if (kind, outcome) in PAUSING:
        who = contact.full_name if contact else account.name
        what = "Reply from" if outcome == "replied" else "Meeting " + outcome + " with"  # type: ignore[operator]
        logged.paused = pause_account(session, account.id, f"{what} {who} on {when.date().isoformat()}")
    session.flush()
    return logged


def complete_step(session: Session, enrollment_id: int, *, outcome: str | None = None, note: str | None = None,
                  subject: str | None = None, user_id: int | None = None, now: dt.datetime | None = None) -> Logged:
    """Mark the enrolment's current step done: log it as the step's channel, then schedule the next step."""
    e = session.get(Enrollment, enrollment_id)
    if e is None:
        raise SequenceError(f"no enrolment with id {enrollment_id}")
    if e.status != "active":
        raise SequenceError(f"enrolment {enrollment_id} is {e.status}; resume it first")
    seq = session.get(Sequence, e.sequence_id)
    step = next((s for s in (seq.steps if seq else []) if s.position == e.current_step), None)
    if step is None:
        raise SequenceError(f"enrolment {enrollment_id} has no step {e.current_step}")
    kind = step.channel
    when = now or dt.datetime.now(dt.UTC)
    position = e.current_step
    logged = log_activity(session, kind=kind, contact_id=e.contact_id, outcome=outcome, note=note, subject=subject,
                          occurred_at=when.astimezone(dt.UTC), user_id=user_id, enrollment_id=e.id,
                          step_position=position)
    if e.status == "active":  # a reply logged as the step's outcome has paused it already
        advance(session, e, when.date())
    session.flush()
    return logged

