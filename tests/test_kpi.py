"""KPIs and sync status on both engines, from hand-inserted data with numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from accounts.models import Account, Activity, Contact, Opportunity
from bdr_desk.crm.models import SyncConflict, SyncOutbox, SyncRun
from bdr_desk.crm.status import connector_statuses, recent_runs, sync_overview
from bdr_desk.kpi import FUNNEL_STAGES, kpi_snapshot, owners
from bdr_desk.users import User

TODAY = dt.date(2024, 6, 30)


def at(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=dt.UTC)


def seed(session) -> dict[str, int]:
    """Six accounts, eleven contacts, seven opportunities; see the assertions for the arithmetic."""
    ana, ben = User(name="Ana", email="ana@x.test", role="bdr"), User(name="Ben", email="ben@x.test", role="bdr")
    session.add_all([ana, ben])
    session.flush()
    a1 = Account(name="A1", tier=1, abm_stage="target", owner_id=ana.id, last_activity_at=at(2024, 6, 25))
    a2 = Account(name="A2", tier=1, abm_stage="engaged", owner_id=ana.id, last_activity_at=None)
    a3 = Account(name="A3", tier=2, abm_stage="researching", owner_id=ben.id, last_activity_at=at(2024, 5, 1))
    a4 = Account(name="A4", tier=1, abm_stage="won", owner_id=ben.id)
    a5 = Account(name="A5", tier=3, abm_stage="lost")
    # touched exactly 30 days before today: still counts as touched
    a6 = Account(name="A6", abm_stage="nurture", owner_id=ana.id, last_activity_at=at(2024, 5, 31, 0, 0))
    session.add_all([a1, a2, a3, a4, a5, a6])
    session.flush()

    def contact(acc, stage, role=None, left=False):
        return Contact(account_id=acc.id, lifecycle_stage=stage, buying_role=role, left_company=left)

    session.add_all([
        contact(a1, "sql", "economic_buyer"), contact(a1, "lead", "user"),
        contact(a2, "mql", "decision_maker", left=True), contact(a2, "sal", "champion"),
        contact(a3, "opportunity", "decision_maker"), contact(a3, "closed_won"), contact(a3, "closed_lost"),
        contact(a4, "closed_won", "economic_buyer"),
        contact(a5, "lead"), contact(a5, "mql"), contact(a5, None),
        # complete the mid-market committee (economic buyer, decision maker, champion, technical evaluator) of A1
        # and A3, so they count as identified; contacts without a lifecycle stage stay out of the funnel
        contact(a1, None, "decision_maker"), contact(a1, None, "champion"), contact(a1, None, "technical_evaluator"),
        contact(a3, None, "economic_buyer"), contact(a3, None, "champion"), contact(a3, None, "technical_evaluator"),
    ])

    def activity(acc, kind, when):
        return Activity(account_id=acc.id, type=kind, occurred_at=when)

    session.add_all([
        activity(a1, "meeting", at(2024, 6, 10)), activity(a1, "meeting", at(2024, 6, 20)),
        activity(a3, "meeting", at(2023, 12, 1)), activity(a3, "meeting", at(2024, 5, 5)),
        activity(a2, "call", at(2024, 6, 1)), activity(a2, "meeting", at(2024, 3, 31, 23, 0)),
        activity(a4, "meeting", at(2024, 6, 30, 23, 59)),
    ])

    def opp(acc, stage, amount, qualified, opened=None, created=None):
        o = Opportunity(account_id=acc.id, name=f"{acc.name} {stage}", stage=stage, qualified=qualified,
                        amount=None if amount is None else Decimal(amount), opened_on=opened)
        if created:
            o.created_at = created
        return o

    session.add_all([
        opp(a1, "discovery", "1000", True, dt.date(2024, 6, 1)),
        opp(a3, "proposal", "2500.50", True, None, created=at(2024, 6, 15)),
        opp(a3, "qualification", None, False, dt.date(2024, 6, 1)),
        opp(a4, "closed_won", "5000", True, dt.date(2024, 1, 15)),
        opp(a2, "closed_lost", "700", True, dt.date(2024, 5, 1)),
        opp(a5, "closed_lost", "300", False),
        opp(a5, "closed_won", "0", True, dt.date(2024, 7, 2)),
    ])
    session.flush()
    return {"ana": ana.id, "ben": ben.id}


def test_snapshot_for_everyone(workspace):
    with workspace.session() as s:
        seed(s)
        k = kpi_snapshot(s, today=TODAY)
    assert (k.total_accounts, k.target_accounts, k.tier1_accounts, k.no_touch_accounts) == (6, 4, 2, 2)
    assert k.key_contact_accounts == 2 and k.key_contact_identification_rate == pytest.approx(0.5)
    assert (k.meetings_booked, k.first_meetings) == (4, 2)
    assert (k.qualified_opportunities, k.open_opportunities) == (3, 3)
    assert k.pipeline_amount == Decimal("3500.50")
    assert (k.closed_won, k.closed_lost, k.win_rate) == (2, 2, 0.5)
    assert [r.stage for r in k.funnel] == list(FUNNEL_STAGES)
    assert [r.label for r in k.funnel][:4] == ["Lead", "MQL", "SAL", "SQL"]
    assert [r.count for r in k.funnel] == [10, 8, 6, 5, 4, 2]
    conv = [r.conversion_from_previous for r in k.funnel]
    assert conv[0] is None
    assert conv[1:] == pytest.approx([0.8, 0.75, 5 / 6, 0.8, 0.5])
    prev, stage = k.weakest_step
    assert (prev.stage, stage.stage) == ("opportunity", "closed_won")


@pytest.mark.parametrize("period, meetings, first", [(30, 3, 2), (90, 4, 2), (180, 5, 3)])
def test_period_moves_meetings(workspace, period, meetings, first):
    with workspace.session() as s:
        seed(s)
        k = kpi_snapshot(s, today=TODAY, period_days=period)
    assert (k.meetings_booked, k.first_meetings) == (meetings, first)


def test_owner_filter_follows_account_owner(workspace):
    with workspace.session() as s:
        ids = seed(s)
        ana = kpi_snapshot(s, today=TODAY, owner_id=ids["ana"])
        ben = kpi_snapshot(s, today=TODAY, owner_id=ids["ben"])
        assert [o.name for o in owners(s)] == ["Ana", "Ben"]
    assert ana.total_accounts == 6  # the workspace is not empty, whoever is filtered on
    assert (ana.target_accounts, ana.tier1_accounts, ana.no_touch_accounts) == (3, 2, 1)
    assert ana.key_contact_identification_rate == pytest.approx(1 / 3)
    assert (ana.meetings_booked, ana.first_meetings) == (2, 1)
    assert (ana.qualified_opportunities, ana.open_opportunities, ana.pipeline_amount) == (2, 1, Decimal("1000.00"))
    assert ana.win_rate == 0.0
    assert [r.count for r in ana.funnel] == [4, 3, 2, 1, 0, 0]
    assert [r.conversion_from_previous for r in ana.funnel][1:4] == pytest.approx([0.75, 2 / 3, 0.5])
    assert ana.funnel[4].conversion_from_previous == 0.0
    assert ana.funnel[5].conversion_from_previous is None  # nothing to convert from
    assert ana.weakest_step[1].stage == "opportunity"

    assert (ben.target_accounts, ben.tier1_accounts, ben.no_touch_accounts) == (1, 0, 1)
    assert ben.key_contact_identification_rate == 1.0
    assert (ben.open_opportunities, ben.pipeline_amount, ben.win_rate) == (2, Decimal("2500.50"), 1.0)


def test_empty_workspace(workspace):
    with workspace.session() as s:
        k = kpi_snapshot(s, today=TODAY)
    assert k.total_accounts == k.target_accounts == k.meetings_booked == 0
    assert k.key_contact_identification_rate is None and k.win_rate is None
    assert k.pipeline_amount == Decimal("0")
    assert [r.count for r in k.funnel] == [0] * 6
    assert all(r.conversion_from_previous is None for r in k.funnel)
    assert k.weakest_step is None


def test_as_json(workspace):
    with workspace.session() as s:
        seed(s)
        data = kpi_snapshot(s, today=TODAY).as_json()
    json.dumps(data)  # serialisable as is
    for key in ("target_accounts", "key_contact_identification_rate", "first_meetings",
                "qualified_opportunities", "win_rate", "funnel", "pipeline_amount", "meetings_booked"):
        assert key in data
    assert data["funnel"][0] == {"stage": "lead", "label": "Lead", "count": 10, "conversion_from_previous": None}
    assert data["funnel"][2]["conversion_from_previous"] == 0.75
    assert data["pipeline_amount"] == 3500.5
    assert data["weakest_step"] == {"from": "opportunity", "to": "closed_won", "conversion": 0.5}


def test_period_must_be_positive(workspace):
    with workspace.session() as s, pytest.raises(ValueError):
        kpi_snapshot(s, period_days=0)


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
