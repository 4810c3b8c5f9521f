"""Finishing touches of the demo workspace, once its records exist: ICP scores from the default rules,
influence and conflict lines in the biggest buying committees so the org charts show them, and message map
lines for the live pain hypotheses."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from accounts.models import Account, Contact, ContactRelationship, MessageMapEntry, PainHypothesis, Sequence
from content_library.models import ContentItem, MapCollateral

LINED_ACCOUNTS = 8  # the accounts with the most stakeholders get lines


def add_message_map(session: Session, acc: Account, hypotheses: list[PainHypothesis], angles: dict[str, str],
                    items: list[ContentItem], seq: Sequence) -> None:
    """One line per live hypothesis: the pain's angle for its persona, the best published item for that pain
    (same industry first) as collateral, carried by the first email step of the owner's cadence."""
    step = next((st for st in seq.steps if st.channel == "email"), None)
    for h in hypotheses:
        line = MessageMapEntry(account_id=acc.id, hypothesis_id=h.id, persona=h.persona, angle=angles[h.pain],
                               sequence_step_id=step.id if step else None)
        session.add(line)
        session.flush()
        fits = [i for i in items if i.status == "published"
                and any(f.vocabulary == "pain" and f.term == h.pain for f in i.facets)]
        fits.sort(key=lambda i: not any(f.vocabulary == "industry" and f.term == acc.industry for f in i.facets))
        if fits:
            session.add(MapCollateral(entry_id=line.id, item_id=fits[0].id))


def score_accounts(session: Session) -> None:
    """Score with the default ICP rules; the BDRs' hand-picked tiers stay, marked manual where the ICP suggests
    another tier (as in a real book of accounts)."""
    from accounts.scoring import rescore_in_session

    session.execute(update(Account).values(tier_is_manual=True))
    rescore_in_session(session)
    session.execute(update(Account).where(Account.suggested_tier == Account.tier).values(tier_is_manual=False))


def add_committee_lines(session: Session) -> int:
    """Champions influence the economic buyer; blockers are in conflict with champions. Returns lines added."""
    biggest = session.scalars(
        select(Contact.account_id).where(Contact.left_company.is_(False)).group_by(Contact.account_id)
        .order_by(func.count(Contact.id).desc(), Contact.account_id).limit(LINED_ACCOUNTS)
    ).all()
    people: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for cid, aid, role in session.execute(
            select(Contact.id, Contact.account_id, Contact.buying_role)
            .where(Contact.account_id.in_(biggest), Contact.left_company.is_(False)).order_by(Contact.id)):
        people[aid][role or ""].append(cid)
    lines = []
    for aid in biggest:
        roles = people[aid]
        for champion in roles["champion"][:1]:
            for target in (roles["economic_buyer"] or roles["decision_maker"])[:1]:
                lines.append(ContactRelationship(account_id=aid, from_contact_id=champion, to_contact_id=target,
                                                 kind="influence", note="Has the buyer's ear"))
            for blocker in roles["blocker"][:1]:
                lines.append(ContactRelationship(account_id=aid, from_contact_id=blocker, to_contact_id=champion,
                                                 kind="conflict", note="Competing priorities"))
    session.add_all(lines)
    session.flush()
    return len(lines)


def finish_demo(session: Session) -> None:
    add_committee_lines(session)
    score_accounts(session)
