"""KPIs and sync status on both engines, from a small hand-inserted book with every number worked out by hand
(``tests/test_kpi_reference.py`` checks a larger random book against an independent Python recount)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from accounts.models import Account, Activity, Contact, Opportunity, TargetList, TargetListMember
from accounts.stakeholders import save_committee_template
from bdr_desk.crm.models import SyncConflict, SyncOutbox, SyncRun
from bdr_desk.crm.status import connector_statuses, recent_runs, sync_overview
from bdr_desk.kpi import FUNNEL_STAGES, KpiFilter, drill_ids, kpi_report, owners
from bdr_desk.users import User
from content_library.models import ContentItem, ContentUsage

TODAY = dt.date(2024, 6, 30)  # "last 90 days" = 2 Apr – 30 Jun 2024; the previous 90 days = 3 Jan – 1 Apr


def at(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=dt.UTC)


def seed(session) -> dict[str, int]:
    """Six accounts, sixteen contacts, twelve activities, seven opportunities, three content uses."""
    ana, ben = User(name="Ana", email="ana@x.test", role="bdr"), User(name="Ben", email="ben@x.test", role="bdr")
    session.add_all([ana, ben])
    session.flush()
    a1 = Account(name="A1", tier=1, abm_stage="target", owner_id=ana.id, last_activity_at=at(2024, 6, 25))
    a2 = Account(name="A2", tier=1, abm_stage="engaged", owner_id=ana.id, last_activity_at=None)
    a3 = Account(name="A3", tier=2, abm_stage="researching", owner_id=ben.id, last_activity_at=at(2024, 5, 1))
    a4 = Account(name="A4", tier=1, abm_stage="won", owner_id=ben.id, segment="enterprise")
    a5 = Account(name="A5", tier=3, abm_stage="lost")
    # touched exactly 30 days before today: still counts as touched
    a6 = Account(name="A6", abm_stage="nurture", owner_id=ana.id, last_activity_at=at(2024, 5, 31, 0, 0))
    session.add_all([a1, a2, a3, a4, a5, a6])
    session.flush()

    def contact(acc, stage, role=None, left=False, source=None, created=None):
        return Contact(account_id=acc.id, lifecycle_stage=stage, buying_role=role, left_company=left,
                       lead_source=source, created_at=created or at(2024, 6, 1))

    session.add_all([
        contact(a1, "sql", "economic_buyer", source="webinar"), contact(a1, "lead", "user", source="Webinar "),
        contact(a2, "mql", "decision_maker", left=True, source="paid"), contact(a2, "sal", "champion"),
        contact(a3, "opportunity", "decision_maker", source="outbound"), contact(a3, "closed_won", source="outbound"),
        contact(a3, "closed_lost", source="paid"),
        contact(a4, "closed_won", "economic_buyer", source="outbound", created=at(2024, 1, 10)),
        contact(a5, "lead", source="organic", created=at(2024, 1, 10)), contact(a5, "mql", source=""), contact(a5, None),
        # complete the mid-market committee (economic buyer, decision maker, champion, technical evaluator) of A1
        # and A3, so they count as identified; contacts without a lifecycle stage stay out of the funnel
        contact(a1, None, "decision_maker"), contact(a1, None, "champion"), contact(a1, None, "technical_evaluator"),
        contact(a3, None, "economic_buyer"), contact(a3, None, "champion"), contact(a3, None, "technical_evaluator"),
    ])

    def activity(acc, kind, outcome, when, user, done=True):
        return Activity(account_id=acc.id, type=kind, outcome=outcome, occurred_at=when,
                        user_id=user.id if user else None, completed=done)

    session.add_all([
        activity(a1, "call", "meeting_booked", at(2024, 6, 5), ana),
        activity(a1, "meeting", "held", at(2024, 6, 10), ana), activity(a1, "meeting", "held", at(2024, 6, 20), ana),
        activity(a3, "meeting", None, at(2023, 12, 1), ben),  # no outcome: held
        activity(a3, "meeting", "no_show", at(2024, 5, 5), ben),  # booked once, never held
        activity(a2, "call", "connected", at(2024, 6, 1), ana),
        activity(a2, "email", "meeting_booked", at(2024, 3, 31, 23, 0), ana),  # the day before the period
        activity(a2, "meeting", "held", at(2024, 4, 10), ana),
        activity(a4, "meeting", "booked", at(2024, 6, 30, 23, 59), ben),  # the period's last minute
        activity(a6, "email", "sent", at(2024, 6, 15), ben),  # Ben touches Ana's account
        activity(a6, "linkedin", "replied", at(2024, 6, 16), None),
        activity(a1, "task", None, at(2024, 6, 29), ana, done=False),
    ])

    def opp(acc, stage, amount, qualified, opened=None, created=None, closed_at=None, close_date=None, owner=None,
            source=None):
        o = Opportunity(account_id=acc.id, name=f"{acc.name} {stage}", stage=stage, qualified=qualified,
                        amount=None if amount is None else Decimal(amount), opened_on=opened, closed_at=closed_at,
                        close_date=close_date, owner_id=owner.id if owner else None, lead_source=source)
        if created:
            o.created_at = created
        return o

    o1 = opp(a1, "discovery", "1000", True, dt.date(2024, 6, 1), owner=ana)
    o2 = opp(a3, "proposal", "2500.50", True, None, created=at(2024, 6, 15), source="webinar")  # Ben's, by account
    o3 = opp(a3, "qualification", None, False, dt.date(2024, 6, 1), owner=ben)
    o4 = opp(a4, "closed_won", "5000", True, dt.date(2024, 1, 15), closed_at=at(2024, 6, 20), owner=ben,
             source="outbound")
    o5 = opp(a2, "closed_lost", "700", True, dt.date(2024, 5, 1), close_date=dt.date(2024, 6, 10), owner=ana)
    o6 = opp(a5, "closed_lost", "300", False, created=at(2023, 11, 1), closed_at=at(2024, 2, 1))
    o7 = opp(a5, "closed_won", "0", True, dt.date(2024, 7, 2))  # undated close: counts over all time only
    session.add_all([o1, o2, o3, o4, o5, o6, o7])
    case, card = ContentItem(title="Case study", type="case_study"), ContentItem(title="Battlecard", type="battlecard")
    static = TargetList(name="Q1 focus", kind="static")
    dynamic = TargetList(name="Tier 1", kind="dynamic", filter={"tier": [1]})
    session.add_all([case, card, static, dynamic])
    session.flush()
    session.add_all([
        ContentUsage(item_id=case.id, account_id=a1.id, used_at=at(2024, 5, 1)),
        ContentUsage(item_id=case.id, account_id=a4.id, used_at=at(2024, 6, 25)),  # after o4 closed
        ContentUsage(item_id=card.id, account_id=a3.id, used_at=at(2024, 6, 1)),
        ContentUsage(item_id=card.id, account_id=a2.id, used_at=at(2024, 6, 5)),
        *(TargetListMember(list_id=static.id, account_id=a.id) for a in (a1, a3, a5)),
    ])
    session.flush()
    return {"ana": ana.id, "ben": ben.id, "case": case.id, "card": card.id, "static": static.id,
            "dynamic": dynamic.id, "o1": o1.id, "o5": o5.id}


def report(workspace, period="last-90-days", ids=None, **scope):
    """Seed (unless ``ids`` of an earlier seed are given) and report; scope values may name seeded ids."""
    with workspace.session() as s:
        ids = ids or seed(s)
        scope = {k: ids[v] if isinstance(v, str) and v in ids else v for k, v in scope.items()}
        return kpi_report(s, KpiFilter.of(period, TODAY, **scope)), ids


def test_everyone_last_90_days(workspace):
    r, ids = report(workspace)
    a, c, p = r.accounts, r.current, r.previous
    assert (r.workspace_accounts, a.accounts_in_scope, a.target_accounts, a.tier1_accounts) == (6, 6, 4, 2)
    assert a.no_touch_accounts == 2 and a.key_contact_accounts == 2
    assert a.key_contact_identification_rate == pytest.approx(0.5)
    assert (a.open_opportunities, a.pipeline_amount) == (3, Decimal("3500.50"))
    assert (c.meetings_booked, c.meetings_held, c.first_meetings, c.first_meetings_held) == (2, 3, 2, 2)
    assert (c.opportunities_created, c.qualified_opportunities, c.pipeline_created) == (4, 3, Decimal("4200.50"))
    assert (c.closed_won, c.closed_lost, c.won_amount, c.win_rate) == (1, 1, Decimal("5000.00"), 0.5)
    assert c.avg_deal_size == c.avg_enterprise_deal_size == Decimal("5000.00")
    # the previous 90 days, counted in the same scans
    assert (p.meetings_booked, p.meetings_held, p.first_meetings, p.first_meetings_held) == (1, 0, 1, 0)
    assert (p.opportunities_created, p.pipeline_created, p.closed_won, p.closed_lost, p.win_rate) == \
        (1, Decimal("5000.00"), 0, 1, 0.0)
    assert r.previous_period.start == dt.date(2024, 1, 3) and r.previous_period.end == dt.date(2024, 4, 1)
    # funnel: the contacts created in the period, by the furthest stage reached
    assert [f.stage for f in r.funnel] == list(FUNNEL_STAGES)
    assert [f.count for f in r.funnel] == [8, 7, 5, 4, 3, 1]
    assert [f.conversion_from_previous for f in r.funnel][1:] == pytest.approx([7 / 8, 5 / 7, 0.8, 0.75, 1 / 3])
    assert [s.stage for s in r.weakest_step] == ["opportunity", "closed_won"]
    assert "Opportunity → Closed Won" in r.diagnosis and "win rate" in r.diagnosis


def test_by_source_bdr_and_content(workspace):
    r, ids = report(workspace)
    src = {s.source: s for s in r.by_source}
    assert list(src) == ["webinar", "outbound", "paid", "unknown"]  # by leads, then opportunities; unknown last
    assert [f.count for f in src["webinar"].funnel] == [2, 1, 1, 1, 0, 0]  # "Webinar " is webinar
    assert [f.count for f in src["paid"].funnel] == [2, 2, 1, 1, 1, 0]
    assert (src["webinar"].opportunities, src["webinar"].pipeline) == (1, Decimal("2500.50"))
    assert (src["outbound"].closed_won, src["outbound"].won_amount, src["outbound"].leads) == (1, Decimal("5000.00"), 2)
    assert src["unknown"].leads == 2 and src["unknown"].opportunities == 3  # A2's SAL, A5's "" MQL; o1, o3, o5
    bdr = {b.name: b for b in r.by_bdr}
    assert list(bdr) == ["Ana", "Ben", "Unassigned"]
    ana, ben, nobody = bdr["Ana"], bdr["Ben"], bdr["Unassigned"]
    assert (ana.calls, ana.emails, ana.connects, ana.meetings_booked, ana.meetings_held) == (2, 0, 1, 1, 3)
    assert (ana.opportunities, ana.qualified_opportunities, ana.pipeline) == (2, 2, Decimal("1700.00"))
    assert (ben.emails, ben.touches, ben.meetings_booked, ben.opportunities, ben.closed_won) == (1, 1, 1, 2, 1)
    assert ben.pipeline == Decimal("2500.50") and ben.touches_per_meeting == 1.0
    assert (nobody.linkedin, nobody.connects, nobody.connect_rate) == (1, 1, 1.0)
    items = {i.title: i for i in r.content.items}
    assert (items["Battlecard"].opportunities, items["Battlecard"].accounts) == (3, 2)
    assert items["Battlecard"].pipeline == Decimal("3200.50")
    assert (items["Case study"].opportunities, items["Case study"].pipeline) == (1, Decimal("1000.00"))
    assert (r.content.opportunities, r.content.amount, r.content.of_opportunities) == (4, Decimal("4200.50"), 4)


@pytest.mark.parametrize("period, booked, held, first, first_held", [
    ("last-30-days", 2, 2, 2, 1), ("last-90-days", 2, 3, 2, 2), ("last-180-days", 3, 3, 3, 2),
    ("2024-Q2", 2, 3, 2, 2), ("2024-03", 1, 0, 1, 0), ("2023-12-01..2023-12-31", 0, 1, 1, 1)])
def test_period_moves_meetings(workspace, period, booked, held, first, first_held):
    c = report(workspace, period)[0].current
    assert (c.meetings_booked, c.meetings_held, c.first_meetings, c.first_meetings_held) == (booked, held, first,
                                                                                             first_held)


def test_all_time_counts_undated_closes(workspace):
    r, _ = report(workspace, "all")
    c = r.current
    assert r.previous is None and r.previous_period is None
    assert (c.closed_won, c.closed_lost, c.win_rate, c.avg_deal_size) == (2, 2, 0.5, Decimal("2500.00"))
    assert c.avg_enterprise_deal_size == Decimal("5000.00")  # o7 is on A5, which has no segment
    assert [f.count for f in r.funnel] == [10, 8, 6, 5, 4, 2]


def test_owner_filter_follows_account_owner(workspace):
    ana, ids = report(workspace, owner_id="ana")
    assert (ana.accounts.accounts_in_scope, ana.accounts.target_accounts, ana.accounts.no_touch_accounts) == (3, 3, 1)
    assert ana.accounts.key_contact_identification_rate == pytest.approx(1 / 3)
    c = ana.current
    assert (c.meetings_booked, c.meetings_held, c.first_meetings, c.first_meetings_held) == (1, 3, 1, 2)
    assert (c.opportunities_created, c.pipeline_created, c.closed_lost, c.win_rate) == (2, Decimal("1700.00"), 1, 0.0)
    assert [f.count for f in ana.funnel] == [4, 3, 2, 1, 0, 0]
    assert ana.funnel[4].conversion_from_previous == 0.0 and ana.funnel[5].conversion_from_previous is None
    assert ana.weakest_step[1].stage == "opportunity"
    # Ben's email and the unassigned LinkedIn reply were on Ana's account A6
    assert [(b.name, b.touches) for b in ana.by_bdr] == [("Ana", 2), ("Ben", 1), ("Unassigned", 1)]
    assert ana.owner_name == "Ana"


def test_other_scopes(workspace):
    ben, ids = report(workspace, owner_id="ben")
    assert (ben.accounts.target_accounts, ben.accounts.key_contact_identification_rate) == (1, 1.0)
    assert (ben.current.first_meetings, ben.current.closed_won, ben.current.win_rate) == (1, 1, 1.0)
    assert ben.accounts.pipeline_amount == Decimal("2500.50")
    web = report(workspace, ids=ids, source="webinar")[0]
    assert (web.accounts.accounts_in_scope, web.accounts.target_accounts) == (2, 2)  # A1 (contacts), A3 (o2)
    assert [f.count for f in web.funnel] == [2, 1, 1, 1, 0, 0]
    assert (web.current.opportunities_created, web.accounts.pipeline_amount) == (1, Decimal("2500.50"))
    assert web.current.meetings_booked == 1  # A1's booking; A3 had none in the period
    ent = report(workspace, ids=ids, segment="enterprise")[0]
    assert (ent.accounts.target_accounts, ent.accounts.key_contact_identification_rate) == (0, None)
    assert (ent.current.closed_won, ent.current.meetings_booked) == (1, 1)
    static = report(workspace, ids=ids, list_id="static")[0]
    assert (static.accounts.accounts_in_scope, static.accounts.target_accounts) == (3, 2)
    dynamic = report(workspace, ids=ids, list_id="dynamic")[0]  # the saved filter: tier 1
    assert (dynamic.accounts.accounts_in_scope, dynamic.accounts.target_accounts) == (3, 2)
    assert dynamic.list_name == "Tier 1"


def test_empty_workspace(workspace):
    with workspace.session() as s:
        r = kpi_report(s, KpiFilter.of("last-90-days", TODAY))
    assert r.workspace_accounts == r.accounts.target_accounts == r.current.meetings_booked == 0
    assert r.accounts.key_contact_identification_rate is None and r.current.win_rate is None
    assert r.accounts.pipeline_amount == Decimal("0") and r.current.avg_enterprise_deal_size is None
    assert [f.count for f in r.funnel] == [0] * 6
    assert all(f.conversion_from_previous is None for f in r.funnel) and r.weakest_step is None
    assert r.by_source == r.by_bdr == r.content.items == []
    assert "lifecycle stage" in r.diagnosis


def test_as_json(workspace):
    data = report(workspace)[0].as_json()
    json.dumps(data)  # serialisable as is
    for key in ("target_accounts", "key_contact_identification_rate", "first_meetings", "qualified_opportunities",
                "win_rate", "funnel", "pipeline_amount", "meetings_booked", "by_source", "by_bdr",
                "content_influence", "avg_enterprise_deal_size", "no_touch_accounts", "previous"):
        assert key in data
    assert data["funnel"][0] == {"stage": "lead", "label": "Lead", "count": 8, "conversion_from_previous": None,
                                 "weakest": False}
    assert data["funnel"][5]["weakest"] is True and data["funnel"][3]["conversion_from_previous"] == 0.8
    assert data["pipeline_amount"] == 3500.5 and data["win_rate"] == 0.5
    assert data["weakest_step"] == {"from": "opportunity", "to": "closed_won", "conversion": 0.3333}
    assert data["previous"]["first_meetings"] == 1 and data["period"]["key"] == "last-90-days"
    assert data["by_bdr"][2]["user_id"] is None  # unassigned


def test_owners(workspace):
    with workspace.session() as s:
        seed(s)
        assert [o.name for o in owners(s)] == ["Ana", "Ben"]


# ---- sync status ----

def test_sync_overview_and_journal(workspace):
    with workspace.session() as s:
        assert sync_overview(s).pending_changes == 0 and recent_runs(s) == []
        s.add_all([
            SyncOutbox(object_type="account", local_id=1, operation="update"),
            SyncOutbox(object_type="contact", local_id=2, operation="create", attempts=2, last_error="429"),
            SyncOutbox(object_type="contact", local_id=3, operation="create", processed_at=at(2024, 6, 1)),
        ])
        old = SyncRun(system="hubspot", direction="push", started_at=at(2024, 6, 1, 9, 0),
                      finished_at=at(2024, 6, 1, 9, 2), status="ok", api_calls=12, errors=None)
        new = SyncRun(system="salesforce", direction="both", dry_run=True, started_at=at(2024, 6, 2, 9, 0),
                      status="partial", api_calls=3, errors=[{"record": 1}, {"record": 2}])
        s.add_all([old, new])
        s.flush()
        s.add_all([
            SyncConflict(run_id=new.id, system="salesforce", object_type="account", local_id=1, field="name"),
            SyncConflict(run_id=new.id, system="salesforce", object_type="account", local_id=1, field="tier",
                         resolved_at=at(2024, 6, 3), resolution="local"),
        ])
        s.flush()
        overview = sync_overview(s)
        runs = recent_runs(s)
    assert (overview.pending_changes, overview.failing_changes, overview.open_conflicts, overview.runs) == (2, 1, 1, 2)
    assert overview.last_run_at == at(2024, 6, 2, 9, 0)
    assert [r.system for r in runs] == ["salesforce", "hubspot"]
    assert (runs[0].error_count, runs[0].dry_run, runs[0].duration, runs[0].status_label) == (2, True, None, "Partly done")
    assert (runs[1].error_count, runs[1].api_calls, runs[1].duration) == (0, 12, dt.timedelta(minutes=2))
    assert runs[1].system_label == "HubSpot" and runs[0].direction_label == "Push + pull"


def test_connectors_never_claim_a_connection():
    none = connector_statuses({})
    assert [c.label for c in none] == ["HubSpot", "Salesforce"]
    assert all(not c.connected and c.state == "Not connected" for c in none)
    assert "BDR_DESK_HUBSPOT_TOKEN" in none[0].how_to_connect
    env = connector_statuses({"BDR_DESK_HUBSPOT_TOKEN": "pat-xyz", "BDR_DESK_SALESFORCE_TOKEN": " "})
    assert "environment" in env[0].state and not env[0].connected
    assert env[1].state == "Not connected"
    assert all("pat-xyz" not in c.state + c.how_to_connect for c in env)


def test_a_template_without_required_roles_identifies_every_account(workspace):
    with workspace.session() as s:
        seed(s)
        save_committee_template(s, "smb", [{"role": "user", "required": False, "weight": 1}])
        s.add_all([Account(name="Small, no contacts", segment="smb"), Account(name="Small, lost", segment="smb",
                                                                               abm_stage="lost")])
        s.flush()
        r = kpi_report(s, KpiFilter.of("last-90-days", TODAY))
        ids = drill_ids(s, r.filter, "key_contact_accounts")
    assert (r.accounts.target_accounts, r.accounts.key_contact_accounts) == (5, 3)  # A1, A3 and the small one
    assert len(ids) == 3
