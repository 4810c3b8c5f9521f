"""Bulk actions, saved views and the account hierarchy (domain code, both engines)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accounts import bulk
from accounts.account_detail import AccountEditError, load_account_detail, update_account
from accounts.hierarchy import MAX_DEPTH, family, would_create_cycle
from accounts.history import timeline
from accounts.models import (
    Account,
    AccountEvent,
    Activity,
    Contact,
    Opportunity,
    TargetList,
    TargetListMember,
)
from accounts.queries import AccountFilter, AccountSort
from accounts.views import ViewError, delete_view, list_views, save_view, view_state
from bdr_desk.users import User
from tests.factories import add_accounts


def _user(ws, name="Bulk User") -> int:
    with ws.session() as s:
        u = User(name=name, email=f"{name.replace(' ', '.').lower()}@test.example", role="bdr")
        s.add(u)
        s.flush()
        return u.id


# ---- bulk ----

def test_set_tier_in_chunks_records_events_and_bumps_version(workspace):
    ids = add_accounts(workspace, 23)
    uid = _user(workspace)
    with workspace.session() as s:
        versions = dict(s.execute(select(Account.id, Account.version)).all())
        already = [i for i in ids if s.get(Account, i).tier == 1]
    calls = []
    with workspace.session() as s:
        result = bulk.set_field(s, ids, "tier", 1, uid, chunk=5, progress=lambda d, t, m: calls.append((d, t)))
    assert (result.changed, result.unchanged) == (23 - len(already), len(already))
    assert calls[-1] == (23, 23) and len(calls) == 5
    with workspace.session() as s:
        for acc in s.scalars(select(Account).where(Account.id.in_(ids))):
            assert acc.tier == 1
            if acc.id in already:
                assert acc.version == versions[acc.id]
            else:
                assert acc.tier_is_manual and acc.version == versions[acc.id] + 1
        events = s.scalars(select(AccountEvent).where(AccountEvent.kind == "tier_changed")).all()
        assert len(events) == result.changed
        assert {e.source for e in events} == {"bulk"} and {e.user_id for e in events} == {uid}
        changed_id = next(i for i in ids if i not in already)
        entry = timeline(s, changed_id)[0]
        assert entry.kind == "tier_changed" and entry.summary.endswith("→ 1") and entry.source == "bulk"


def test_set_owner_and_stage_and_errors(workspace):
    ids = add_accounts(workspace, 6)
    uid = _user(workspace)
    with workspace.session() as s:
        assert bulk.set_field(s, ids, "owner_id", uid, uid).changed == 6
        assert bulk.set_field(s, ids[:2], "abm_stage", "won", uid).changed == 2
        assert bulk.set_field(s, ids[:2], "abm_stage", "won", uid).changed == 0
    with workspace.session() as s:
        assert s.scalar(select(func.count()).where(Account.owner_id == uid)) == 6
        assert s.scalar(select(func.count()).select_from(AccountEvent)
                        .where(AccountEvent.kind == "stage_changed")) == 2
    with workspace.session() as s:
        with pytest.raises(bulk.BulkError, match="cannot set 'name'"):
            bulk.set_field(s, ids, "name", "x")
        with pytest.raises(bulk.BulkError, match="tier must be 1, 2 or 3"):
            bulk.set_field(s, ids, "tier", 7)
        with pytest.raises(bulk.BulkError, match="unknown ABM stage"):
            bulk.set_field(s, ids, "abm_stage", "party")
        with pytest.raises(bulk.BulkError, match="no user with id"):
            bulk.set_field(s, ids, "owner_id", 99_999)


def test_optimistic_lock_sees_a_bulk_change(workspace):
    ids = add_accounts(workspace, 2)
    with workspace.session() as s:
        version = load_account_detail(s, ids[0]).version
    with workspace.session() as s:
        bulk.set_field(s, ids, "abm_stage", "won")
    with workspace.session() as s, pytest.raises(AccountEditError, match="changed by someone else"):
        update_account(s, ids[0], version, {"notes": "mine"})


def test_add_to_list_creates_skips_members_and_refuses_dynamic(workspace):
    ids = add_accounts(workspace, 12)
    uid = _user(workspace)
    with workspace.session() as s:
        first = bulk.add_to_list(s, ids[:7], "Q3 push", uid, chunk=3)
    assert first.list_created and first.changed == 7
    with workspace.session() as s:
        again = bulk.add_to_list(s, ids + [999_999], "q3 PUSH", uid)  # same list, any case; a missing id
    assert not again.list_created and again.list_id == first.list_id
    assert (again.changed, again.unchanged) == (5, 8)
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(TargetListMember)
                        .where(TargetListMember.list_id == first.list_id)) == 12
        assert s.scalar(select(func.count()).select_from(AccountEvent)
                        .where(AccountEvent.kind == "list_added")) == 12
        assert s.get(TargetList, first.list_id).kind == "static"
        s.add(TargetList(name="Dyn", kind="dynamic", filter={"tier": [1]}))
    with workspace.session() as s, pytest.raises(bulk.BulkError, match="dynamic list"):
        bulk.add_to_list(s, ids, "Dyn", uid)
    with workspace.session() as s, pytest.raises(bulk.BulkError, match="no target list with id"):
        bulk.add_to_list(s, ids, 424242, uid)


# ---- saved views ----

def test_views_crud_personal_and_shared(workspace):
    me, other = _user(workspace, "Me Myself"), _user(workspace, "Other Person")
    state = view_state(AccountFilter(tiers=(1,), inactive_days=30), AccountSort.of(("owner", False),
                                                                                 ("icp_score", True)),
                       ["name", "tier"])
    with workspace.session() as s:
        mine = save_view(s, me, "  Tier 1   stale ", state)
        save_view(s, other, "Their private", {"filter": {}})
        theirs = save_view(s, other, "Team view", {"filter": {"stage": ["engaged"]}}, shared=True)
    assert mine.name == "Tier 1 stale"
    with workspace.session() as s:
        views = list_views(s, me)
    assert [v.name for v in views] == ["Tier 1 stale", "Team view"]
    assert views[0].mine and not views[1].mine and views[1].owner_name == "Other Person"
    assert views[0].account_filter == AccountFilter(tiers=(1,), inactive_days=30)
    assert views[0].sort == AccountSort.of(("owner", False), ("icp_score", True))
    assert views[0].columns == ["name", "tier"] and "Other Person" in views[1].label
    with workspace.session() as s, pytest.raises(ViewError, match="already have a view named “Tier 1 stale”"):
        save_view(s, me, "tier 1 STALE", state)
    with workspace.session() as s:
        replaced = save_view(s, me, "Tier 1 stale", {"filter": {"tier": [2]}}, overwrite=True, shared=True)
        assert replaced.id == mine.id and replaced.shared
        save_view(s, me, "Team view", {"filter": {}})  # the same name as someone else's view is fine
    with workspace.session() as s:
        with pytest.raises(ViewError, match="needs a name"):
            save_view(s, me, "   ", state)
        with pytest.raises(ViewError, match="belongs to someone else"):
            delete_view(s, theirs.id, me)
    with workspace.session() as s:
        delete_view(s, mine.id, me)
    with workspace.session() as s:
        assert [v.name for v in list_views(s, other)] == ["Team view", "Their private"]
        with pytest.raises(ViewError, match="does not exist"):
            delete_view(s, mine.id, me)


# ---- hierarchy ----

def _family(ws) -> dict[str, int]:
    with ws.session() as s:
        top = Account(name="Group", domain="group.example")
        a = Account(name="Alpha", domain="alpha.example", parent=top)
        b = Account(name="Beta", domain="beta.example", parent=top)
        a1 = Account(name="Alpha One", domain="alpha1.example", parent=a)
        other = Account(name="Unrelated", domain="unrelated.example")
        s.add_all([top, a, b, a1, other])
        s.flush()
        s.add_all([Contact(account_id=a1.id, first_name="X"), Contact(account_id=a1.id, first_name="Y"),
                   Contact(account_id=top.id, first_name="Z"), Contact(account_id=other.id, first_name="Q")])
        s.add_all([Activity(account_id=a.id, type="call"), Activity(account_id=a1.id, type="email")])
        s.add_all([Opportunity(account_id=a1.id, name="Open", amount=1000),
                   Opportunity(account_id=b.id, name="Open B", amount=500),
                   Opportunity(account_id=b.id, name="Won", amount=9000, stage="closed_won")])
        return {"top": top.id, "a": a.id, "b": b.id, "a1": a1.id, "other": other.id}


def test_family_rolls_up_from_the_top(workspace):
    ids = _family(workspace)
    with workspace.session() as s:
        fam = family(s, ids["a1"])
    root = fam.root
    assert root.id == ids["top"] and fam.current_id == ids["a1"] and fam.size == 4
    assert [c.name for c in root.children] == ["Alpha", "Beta"]
    assert (root.total_contacts, root.total_activities, root.total_open_opportunities) == (3, 2, 2)
    assert int(root.total_pipeline) == 1500 and root.contacts == 1
    alpha = root.children[0]
    assert (alpha.total_contacts, alpha.activities, alpha.total_activities, int(alpha.total_pipeline)) == \
        (2, 1, 2, 1000)
    with workspace.session() as s:
        alone = family(s, ids["other"])
    assert alone.size == 1 and alone.root.total_contacts == 1


def test_cycle_guard_on_edit_and_in_walks(workspace):
    ids = _family(workspace)
    with workspace.session() as s:
        assert would_create_cycle(s, ids["top"], ids["a1"])
        assert not would_create_cycle(s, ids["b"], ids["a1"])
        version = s.get(Account, ids["top"]).version
    with workspace.session() as s, pytest.raises(AccountEditError, match="Group would become its own ancestor"):
        update_account(s, ids["top"], version, {"parent_id": ids["a1"]})
    with workspace.session() as s, pytest.raises(AccountEditError, match="cannot be its own parent"):
        update_account(s, ids["top"], version, {"parent_id": ids["top"]})
    with workspace.session() as s:
        update_account(s, ids["b"], s.get(Account, ids["b"]).version, {"parent_id": ids["a1"]})
    with workspace.session() as s:
        assert load_account_detail(s, ids["b"]).parent_name == "Alpha One"
        assert any(e.summary.startswith("Parent account") for e in timeline(s, ids["b"]))
        # a loop left behind by someone else (not through update_account) does not hang the walk
        s.get(Account, ids["top"]).parent_id = ids["a1"]
    with workspace.session() as s:
        fam = family(s, ids["a"])
    assert fam.cycle and fam.size == 4


def test_deep_chains_are_capped(workspace):
    with workspace.session() as s:
        prev = None
        chain = []
        for i in range(MAX_DEPTH + 5):
            acc = Account(name=f"Level {i:02d}", parent_id=prev)
            s.add(acc)
            s.flush()
            prev = acc.id
            chain.append(acc.id)
    with workspace.session() as s:
        fam = family(s, chain[0])
    assert fam.truncated and fam.size == MAX_DEPTH + 1
