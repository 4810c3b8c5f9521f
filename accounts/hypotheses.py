"""Pain hypotheses per account and the message map built on them.

A hypothesis names a pain (taxonomy), says what we believe and why (evidence: a research signal, a page or a
note), how sure we are, and which persona feels it. It is tested in conversations: confirming or rejecting
it records the conversation (an activity) that did so. The message map lines (:class:`MessageMapEntry`) turn
a hypothesis into a persona angle carried by a sequence step; the collateral of each line is kept by the
content library (``content_library.collateral``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import Activity, Message, MessageMapEntry, PainHypothesis, SequenceStep, Signal
from accounts.models.messaging import HYPOTHESIS_STATUSES
from bdr_desk.taxonomy import PAIN, PERSONA, Taxonomy


class HypothesisError(ValueError):
    """Bad input for a hypothesis or a map line; one line naming the bad value."""


@dataclass(frozen=True)
class HypothesisDraft:
    pain: str
    hypothesis: str
    evidence: str | None = None
    evidence_signal_id: int | None = None
    confidence: int | None = None
    persona: str | None = None


def _checked(session: Session, account_id: int, draft: HypothesisDraft) -> dict[str, object]:
    tax = Taxonomy.load(session)
    pain = tax.resolve(PAIN, draft.pain)
    if pain is None:
        raise HypothesisError(f"unknown pain {draft.pain!r}; use one of {', '.join(tax.keys(PAIN))}")
    persona = tax.resolve(PERSONA, draft.persona) if draft.persona else None
    if draft.persona and persona is None:
        raise HypothesisError(f"unknown persona {draft.persona!r}")
    text = (draft.hypothesis or "").strip()
    if not text:
        raise HypothesisError("a hypothesis needs a statement of what we believe")
    if draft.confidence is not None and not 0 <= draft.confidence <= 100:
        raise HypothesisError(f"confidence must be 0–100, not {draft.confidence}")
    if draft.evidence_signal_id is not None:
        sig = session.get(Signal, draft.evidence_signal_id)
        if sig is None or sig.account_id != account_id:
            raise HypothesisError(f"signal {draft.evidence_signal_id} is not one of this account's")
    return {"pain": pain, "persona": persona, "hypothesis": text, "evidence": (draft.evidence or "").strip() or None,
            "evidence_signal_id": draft.evidence_signal_id, "confidence": draft.confidence}


def save_hypothesis(session: Session, account_id: int, draft: HypothesisDraft, *, hypothesis_id: int | None = None,
                    user_id: int | None = None, expected_version: int | None = None) -> PainHypothesis:
    values = _checked(session, account_id, draft)
    if hypothesis_id is None:
        hyp = PainHypothesis(account_id=account_id, created_by_id=user_id, **values)
        session.add(hyp)
    else:
        hyp = _get(session, hypothesis_id)
        if expected_version is not None and hyp.version != expected_version:
            raise HypothesisError("this hypothesis was changed by someone else; reload it and try again")
        for k, v in values.items():
            setattr(hyp, k, v)
    session.flush()
    return hyp


def _get(session: Session, hypothesis_id: int) -> PainHypothesis:
    hyp = session.get(PainHypothesis, hypothesis_id)
    if hyp is None:
        raise HypothesisError(f"no hypothesis with id {hypothesis_id}")
    return hyp


def set_status(session: Session, hypothesis_id: int, status: str, *, note: str | None = None,
               activity_id: int | None = None) -> PainHypothesis:
    """Confirm or reject (or reopen) a hypothesis, naming the conversation that decided it."""
    if status not in HYPOTHESIS_STATUSES:
        raise HypothesisError(f"unknown status {status!r}; use one of {', '.join(HYPOTHESIS_STATUSES)}")
    hyp = _get(session, hypothesis_id)
    if activity_id is not None:
        act = session.get(Activity, activity_id)
        if act is None or act.account_id != hyp.account_id:
            raise HypothesisError(f"activity {activity_id} is not one of this account's")
    if status != "untested" and activity_id is None and not (note or "").strip():
        raise HypothesisError("say which conversation confirmed or rejected it (pick the activity or write a note)")
    hyp.status, hyp.status_note, hyp.status_activity_id = status, (note or "").strip() or None, activity_id
    session.flush()
    return hyp


def delete_hypothesis(session: Session, hypothesis_id: int) -> None:
    session.delete(_get(session, hypothesis_id))
    session.flush()


def list_hypotheses(session: Session, account_id: int) -> list[PainHypothesis]:
    order = {s: i for i, s in enumerate(("confirmed", "untested", "rejected"))}
    rows = session.scalars(select(PainHypothesis).where(PainHypothesis.account_id == account_id)
                           .order_by(PainHypothesis.id)).all()
    return sorted(rows, key=lambda h: (order.get(h.status, 9), -(h.confidence or 0), h.id))


# ---- the message map --------------------------------------------------------------------------------------

def save_map_entry(session: Session, hypothesis_id: int, angle: str, *, persona: str | None = None,
                   sequence_step_id: int | None = None, entry_id: int | None = None) -> MessageMapEntry:
    hyp = _get(session, hypothesis_id)
    text = (angle or "").strip()
    if not text:
        raise HypothesisError("a message map line needs the angle (the value proposition for the persona)")
    tax = Taxonomy.load(session)
    key = tax.resolve(PERSONA, persona) if persona else hyp.persona
    if persona and key is None:
        raise HypothesisError(f"unknown persona {persona!r}")
    if sequence_step_id is not None and session.get(SequenceStep, sequence_step_id) is None:
        raise HypothesisError(f"no sequence step with id {sequence_step_id}")
    if entry_id is None:
        position = session.scalar(select(func.count()).select_from(MessageMapEntry)
                                  .where(MessageMapEntry.hypothesis_id == hypothesis_id)) or 0
        entry = MessageMapEntry(account_id=hyp.account_id, hypothesis_id=hyp.id, position=position)
        session.add(entry)
    else:
        found = session.get(MessageMapEntry, entry_id)
        if found is None:
            raise HypothesisError(f"no message map line with id {entry_id}")
        entry = found
    entry.angle, entry.persona, entry.sequence_step_id = text, key, sequence_step_id
    session.flush()
    return entry


def delete_map_entry(session: Session, entry_id: int) -> None:
    entry = session.get(MessageMapEntry, entry_id)
    if entry is None:
        raise HypothesisError(f"no message map line with id {entry_id}")
    session.delete(entry)
    session.flush()


@dataclass
class MapLine:
    entry: MessageMapEntry
    persona_label: str
    step_label: str | None
    collateral: list[tuple[int, str]] = field(default_factory=list)  # (content item id, title), filled above us


@dataclass
class MapBranch:
    hypothesis: PainHypothesis
    pain_label: str
    persona_label: str
    lines: list[MapLine]
    messages: int  # messages drafted that test this hypothesis


def message_map(session: Session, account_id: int) -> list[MapBranch]:
    """The account's message map: each hypothesis with its persona angles, the step carrying each angle,
    and how many drafted messages test it."""
    tax = Taxonomy.load(session)
    hyps = list_hypotheses(session, account_id)
    entries = session.scalars(select(MessageMapEntry).where(MessageMapEntry.account_id == account_id)
                              .order_by(MessageMapEntry.hypothesis_id, MessageMapEntry.position,
                                        MessageMapEntry.id)).all()
    step_ids = {e.sequence_step_id for e in entries if e.sequence_step_id}
    steps = {s.id: s for s in session.scalars(select(SequenceStep).where(SequenceStep.id.in_(step_ids)))}
    counts = dict(session.execute(select(Message.hypothesis_id, func.count()).where(
        Message.account_id == account_id, Message.hypothesis_id.is_not(None)).group_by(Message.hypothesis_id)).all())
    by_hyp: dict[int, list[MapLine]] = {}
    for e in entries:
        st = steps.get(e.sequence_step_id or -1)
        label = f"{st.sequence.name} · step {st.position} ({st.channel}, day {st.day_offset})" if st else None
        by_hyp.setdefault(e.hypothesis_id, []).append(MapLine(e, tax.label(PERSONA, e.persona), label))
    return [MapBranch(h, tax.label(PAIN, h.pain), tax.label(PERSONA, h.persona), by_hyp.get(h.id, []),
                      int(counts.get(h.id, 0))) for h in hyps]
