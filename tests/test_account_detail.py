"""The account workspace's data: detail loading and edits guarded by optimistic locking (both engines)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.account_detail import (
    AccountEditError,
    AccountNotFound,
    EditConflict,
    load_account_detail,
    update_account,
)
from accounts.models import Account, Activity, Contact, Opportunity


def _seed(ws) -> int:
    with ws.session() as s:
        parent = Account(name="Holding", domain="holding.example")
        acc = Account(name="Acme", domain="acme.example", parent=parent, employees=800, industry="fintech")
        cfo = Contact(account=acc, first_name="Cara", last_name="Fox", title="CFO", buying_role="economic_buyer",
                      influence=5, email="cara@acme.example")
        s.add_all([parent, acc, cfo, Contact(account=acc, first_name="Vic", title="VP Finance", reports_to=cfo)])
        s.flush()
        now = dt.datetime.now(dt.UTC)
        s.add_all([Activity(account_id=acc.id, contact_id=cfo.id, type="call", outcome="connected",
                            occurred_at=now - dt.timedelta(days=d)) for d in (3, 1, 2)])
        s.add_all([Opportunity(account_id=acc.id, name="New", amount=50_000),
                   Opportunity(account_id=acc.id, name="Won", amount=10_000, stage="closed_won")])
        return acc.id


def test_detail_gathers_committee_activity_and_pipeline(workspace):
    acc_id = _seed(workspace)
    with workspace.session() as s:
        d = load_account_detail(s, acc_id)
    assert d.parent_name == "Holding"
    assert [c.name for c in d.contacts] == ["Cara Fox", "Vic"]
    assert d.contacts[1].reports_to == "Cara Fox"
    times = [a.occurred_at for a in d.activities]
    assert times == sorted(times, reverse=True) and d.activities[0].contact == "Cara Fox"
    assert (d.open_opportunities, int(d.pipeline_amount)) == (1, 50_000)
    with workspace.session() as s, pytest.raises(AccountNotFound):
        load_account_detail(s, 999_999)


def test_edit_recomputes_segment_and_domain(workspace):
    acc_id = _seed(workspace)
    with workspace.session() as s:
        version = load_account_detail(s, acc_id).version
        update_account(s, acc_id, version, {"employees": "12,000", "website": "https://www.Acme-Global.co.uk/x",
                                            "tier": 1, "hq_country": "gb"})
    with workspace.session() as s:
        d = load_account_detail(s, acc_id)
    assert (d.employees, d.segment, d.size_band) == (12_000, "enterprise", "10001_plus")
    assert (d.domain, d.hq_country, d.tier, d.tier_is_manual) == ("acme-global.co.uk", "GB", 1, True)
    assert d.version == version + 1


@pytest.mark.parametrize("changes,message", [
    ({"name": "  "}, "name is required"),
    ({"employees": "lots"}, "employees must be a whole number"),
    ({"tier": 7}, "tier must be 1, 2 or 3"),
    ({"industry": "astrology"}, "unknown industry"),
    ({"hq_country": "Germany"}, "two-letter ISO code"),
    ({"domain": "holding.example"}, "already belongs to account"),
    ({"version": 3}, "cannot edit version"),
])
def test_bad_edits_name_the_field_and_change_nothing(workspace, changes, message):
    acc_id = _seed(workspace)
    with workspace.session() as s:
        before = load_account_detail(s, acc_id)
    with pytest.raises(AccountEditError, match=message):
        with workspace.session() as s:
            update_account(s, acc_id, before.version, changes)
    with workspace.session() as s:
        assert load_account_detail(s, acc_id) == before


def test_stale_version_is_a_conflict(workspace):
    acc_id = _seed(workspace)
    with workspace.session() as s:
        version = load_account_detail(s, acc_id).version
        update_account(s, acc_id, version, {"notes": "first"})
    with pytest.raises(EditConflict, match="changed by someone else"):
        with workspace.session() as s:
            update_account(s, acc_id, version, {"notes": "second"})
    with workspace.session() as s:
        assert load_account_detail(s, acc_id).notes == "first"


def test_edits_and_activities_make_the_timeline(workspace):
    from accounts.history import timeline
    from bdr_desk.users import User

    acc_id = _seed(workspace)
    with workspace.session() as s:
        owner = User(name="Maya Okafor", email="maya@test.example", role="bdr")
        s.add(owner)
        s.flush()
        version = load_account_detail(s, acc_id).version
        update_account(s, acc_id, version, {"tier": 1, "abm_stage": "engaged", "notes": "Met at the summit",
                                            "owner_id": owner.id})
    with workspace.session() as s:
        entries = timeline(s, acc_id)
    kinds = [e.kind for e in entries]
    assert {"tier_changed", "stage_changed", "updated"} <= set(kinds)
    assert kinds.count("activity:call") == 3
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    tier = next(e for e in entries if e.kind == "tier_changed")
    assert tier.summary == "Tier: — → 1"
    assert next(e for e in entries if e.kind == "owner_changed").summary == "Owner: — → Maya Okafor"
    call = next(e for e in entries if e.kind == "activity:call")
    assert call.who == "Cara Fox" and call.source == "connected"
