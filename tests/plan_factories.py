"""Two small hand-made accounts for the account-plan tests, with names found nowhere else.

"Halcyon Mirrorworks" is the account whose plan is exported; "Corvina Blackwater Trust" is its neighbour,
whose people, signals, hypotheses, deals and content must never leak into Halcyon's plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.hypotheses import HypothesisDraft, save_hypothesis, save_map_entry
from accounts.models import Account, Activity, Contact, Opportunity, Signal
from bdr_desk.db import Workspace
from content_library.collateral import set_map_collateral
from content_library.items import ItemDraft, create_item
from content_library.usage import record_usage

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
# every string of the neighbour that could leak; none occurs in Halcyon's data or the shared library
CORVINA_STRINGS = ("Corvina", "Blackwater", "Xanthe", "Mulberry", "Thaddeus", "Okonkwo", "Lisbon",
                   "Zanzibar Quokka", "ledger sprawl", "kickoff")


@dataclass
class PlanWorld:
    halcyon: int
    corvina: int
    contacts: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    hypothesis: int = 0


def _contact(s, account: Account, first: str, last: str, title: str, role: str, *, reports_to: Contact | None = None,
             left: bool = False, sentiment: str = "supporter", coverage: str = "engaged") -> Contact:
    c = Contact(account_id=account.id, first_name=first, last_name=last, title=title, buying_role=role,
                email=f"{first.lower()}.{last.lower()}@{account.domain}", sentiment=sentiment, coverage_status=coverage,
                influence=4, left_company=left, reports_to_id=reports_to.id if reports_to else None)
    s.add(c)
    s.flush()
    return c


def build_world(ws: Workspace) -> PlanWorld:
    with ws.session() as s:
        hal = Account(name="Halcyon Mirrorworks", domain="halcyon-mirror.example", industry="fintech",
                      employees=900, tier=2, abm_stage="researching", icp_score=55, hq_city="Leeds", hq_country="GB",
                      description="Optics maker whose finance team closes the books in spreadsheets.")
        cor = Account(name="Corvina Blackwater Trust", domain="corvina.example", industry="healthcare",
                      employees=4000, tier=1, abm_stage="engaged", icp_score=80,
                      description="Corvina Blackwater runs twelve legal entities.")
        s.add_all([hal, cor])
        s.flush()
        w = PlanWorld(hal.id, cor.id)
        cfo = _contact(s, hal, "Ottoline", "Vasquez-Brandt", "Chief Financial Officer", "economic_buyer",
                       coverage="meeting_held")
        champ = _contact(s, hal, "Peregrin", "Ashdown", "Group Controller", "champion", reports_to=cfo,
                         sentiment="champion")
        gone = _contact(s, hal, "Ludmila", "Farthingale", "IT Director", "technical_evaluator", left=True,
                        sentiment="neutral", coverage="contacted")
        x = _contact(s, cor, "Xanthe", "Mulberry", "CFO", "economic_buyer")
        t = _contact(s, cor, "Thaddeus", "Okonkwo-Reyes", "Controller", "champion", reports_to=x)
        w.contacts = {"Ottoline Vasquez-Brandt": cfo.id, "Peregrin Ashdown": champ.id,
                      "Ludmila Farthingale": gone.id, "Xanthe Mulberry": x.id, "Thaddeus Okonkwo-Reyes": t.id}
        s.add_all([
            Signal(account_id=hal.id, kind="hiring", title="Halcyon Mirrorworks hires a VP Finance",
                   source_url="https://halcyon-mirror.example/news/vp-finance", occurred_on=dt.date(2026, 10, 1)),
            Signal(account_id=cor.id, kind="expansion", title="Corvina Blackwater opens a Lisbon office",
                   source_url="https://corvina.example/news/lisbon", occurred_on=dt.date(2026, 10, 2)),
            Opportunity(account_id=hal.id, name="Halcyon close automation", stage="proposal",
                        amount=Decimal(120000), close_date=dt.date(2026, 12, 15), qualified=True),
            Opportunity(account_id=cor.id, name="Corvina renewal 2027", stage="negotiation", amount=Decimal(50000)),
            Activity(account_id=hal.id, contact_id=champ.id, type="call", outcome="connected", completed=True,
                     subject="Discovery call with the controller", occurred_at=NOW - dt.timedelta(days=3)),
            Activity(account_id=hal.id, contact_id=cfo.id, type="task", completed=False,
                     subject="Send the ROI model", occurred_at=NOW, due_at=NOW + dt.timedelta(days=2)),
            Activity(account_id=cor.id, contact_id=t.id, type="meeting", outcome="held", completed=True,
                     subject="Corvina kickoff", occurred_at=NOW - dt.timedelta(days=1)),
        ])
        guide = create_item(s, ItemDraft(title="The close-faster guide for finance teams", type="whitepaper",
                                         url="https://content.example/close-faster", status="published",
                                         summary="Close the books in three days.",
                                         facets={"industry": ["fintech"], "pain": ["manual_processes"],
                                                 "persona": ["cfo"]}))
        story = create_item(s, ItemDraft(title="Customer story: month-end in 72 hours", type="case_study",
                                         url="https://content.example/72-hours", status="published",
                                         facets={"industry": ["fintech"], "persona": ["cfo"]}))
        battle = create_item(s, ItemDraft(title="Battlecard: Zanzibar Quokka", type="battlecard",
                                          url="https://content.example/zq", status="draft"))
        w.items = {"guide": guide.id, "story": story.id, "battle": battle.id}
        record_usage(s, story.id, "attached", account_id=hal.id, contact_id=cfo.id)
        record_usage(s, battle.id, "attached", account_id=cor.id, contact_id=x.id)
        hyp = save_hypothesis(s, hal.id, HypothesisDraft(
            pain="manual_processes", hypothesis="Month-end close at Halcyon runs on spreadsheets",
            evidence="Job post for a close analyst", confidence=60, persona="cfo"))
        line = save_map_entry(s, hyp.id, "Close in three days, not nine", persona="cfo")
        set_map_collateral(s, line.id, [guide.id])
        w.hypothesis = hyp.id
        save_hypothesis(s, cor.id, HypothesisDraft(pain="compliance_risk",
                                                   hypothesis="Corvina ledger sprawl hides audit evidence"))
    return w
