"""A small account for the messaging & outreach GUI tests: stakeholders, a research signal, a logged call,
published and draft content, templates and a two-step sequence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.messaging import save_template
from accounts.models import Account, Activity, Contact, Signal
from accounts.sequences import StepDraft, save_sequence
from content_library.models import ContentItem

PAIN_TEMPLATE = ("Hi {{ contact.first_name }},\n\nTeams at {{ account.name }} tell us {{ hypothesis.pain | lower }} "
                 "is what slows the close.\n\n{% if content %}Worth a look: {{ content.title }} {{ content.url }}\n"
                 "{% endif %}{{ sender.name }}")


@dataclass
class Seed:
    account: int
    ada: int  # CFO, with email
    bo: int  # controller, no email
    cy: int  # left the company
    di: int  # IT, with email
    signal: int
    call: int  # a logged call with Ada
    deck: int  # published content
    draft_item: int  # unpublished content
    pain_template: int
    call_template: int
    sequence: int


def seed(ws, owner_id: int | None = None) -> Seed:
    with ws.session() as s:
        acc = Account(name="Acme Ledger", domain="acmeledger.example", abm_stage="target", owner_id=owner_id)
        s.add(acc)
        s.flush()
        people = [Contact(account_id=acc.id, first_name="Ada", last_name="Ng", title="CFO", persona="cfo",
                          email="ada@acmeledger.example"),
                  Contact(account_id=acc.id, first_name="Bo", last_name="Li", title="Controller"),
                  Contact(account_id=acc.id, first_name="Cy", last_name="Ro", title="VP Finance",
                          email="cy@acmeledger.example", left_company=True),
                  Contact(account_id=acc.id, first_name="Di", last_name="Ek", title="IT Director",
                          email="di@acmeledger.example")]
        s.add_all(people)
        s.flush()
        sig = Signal(account_id=acc.id, kind="hiring", title="Hiring a Head of Financial Controls",
                     occurred_on=dt.date(2026, 1, 5))
        call = Activity(account_id=acc.id, contact_id=people[0].id, type="call", outcome="connected",
                        subject="Discovery call", occurred_at=dt.datetime(2026, 1, 10, 15, tzinfo=dt.UTC))
        deck = ContentItem(title="Close faster: the Acme-sized playbook", type="deck", status="published",
                           url="https://example.com/playbook")
        draft = ContentItem(title="Unfinished draft", type="one_pager", status="draft")
        s.add_all([sig, call, deck, draft])
        s.flush()
        pain = save_template(s, name="Pain opener", channel="email", subject="{{ account.name }}: month-end close",
                             body=PAIN_TEMPLATE, shared=True)
        script = save_template(s, name="Call script", channel="call",
                               body="Ask {{ contact.first_name | default('them') }} how close runs today.",
                               shared=True)
        seq = save_sequence(s, "Finance 2-step", [StepDraft(0, "email", pain.id, "Open with the pain"),
                                                  StepDraft(2, "call", script.id, "Call the direct line")])
        return Seed(acc.id, *(p.id for p in people), sig.id, call.id, deck.id, draft.id, pain.id, script.id, seq.id)
