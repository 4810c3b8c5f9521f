"""Duplicate candidates, merges that keep everything (contacts, activities, opportunities, lists, CRM refs),
and dismissals that stay dismissed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from accounts.dedupe import (
    AccountIndex,
    dismiss_pair,
    find_duplicate_candidates,
    match_account,
    merge_accounts,
)
from accounts.models import (
    Account,
    AccountEvent,
    Activity,
    Contact,
    Opportunity,
    TargetList,
    TargetListMember,
)


def _seed(ws):
    with ws.session() as s:
        a = Account(name="Acme Inc.", domain="acme.example.com", employees=100)
        b = Account(name="ACME Incorporated", domain=None, hq_city="Berlin", employees=120)
        c = Account(name="Alphabet Class A", domain="alpha-a.example.com")
        d = Account(name="Alphabet Class C", domain="alpha-c.example.com")
        e = Account(name="Store 12")
        f = Account(name="Store 13")
        s.add_all([a, b, c, d, e, f])
        s.flush()
        return a.id, b.id


def test_match_account(workspace):
    a, b = _seed(workspace)
    with workspace.session() as s:
        assert match_account(s, "whatever", "acme.example.com").account_id == a
        idx = AccountIndex.load(s)
        m = idx.match("Acme Inc", None)
        assert m.how == "name" and m.account_id in (a, b)
        assert idx.match("Store 14", None) is None
        assert idx.match("Alphabet Class B", None) is None
        assert idx.match("Acme Incorporated", "other.example.com").account_id == b  # b has no domain


def test_candidates_and_dismissal(workspace):
    a, b = _seed(workspace)
    with workspace.session() as s:
        pairs = {(c.a_id, c.b_id): c for c in find_duplicate_candidates(s)}
    assert (a, b) in pairs and pairs[(a, b)].score >= 88
    names = {frozenset((c.a_name, c.b_name)) for c in pairs.values()}
    assert frozenset(("Alphabet Class A", "Alphabet Class C")) not in names
    assert frozenset(("Store 12", "Store 13")) not in names
    with workspace.session() as s:
        dismiss_pair(s, b, a)
        dismiss_pair(s, a, b)  # idempotent
    with workspace.session() as s:
        assert (a, b) not in {(c.a_id, c.b_id) for c in find_duplicate_candidates(s)}
        assert s.scalar(text("SELECT count(*) FROM duplicate_dismissals")) == 1


def test_parent_child_pairs_are_not_candidates(workspace):
    with workspace.session() as s:
        p = Account(name="Initech", domain="initech.example.com")
        s.add(p)
        s.flush()
        s.add(Account(name="Initech Inc", parent_id=p.id))
    with workspace.session() as s:
        assert find_duplicate_candidates(s) == []


def test_merge_moves_everything_and_keeps_crm_refs(workspace):
    a, b = _seed(workspace)
    now = dt.datetime.now(dt.UTC)
    with workspace.session() as s:
        s.add_all([Contact(account_id=b, first_name="Ada", email="ada@acme.example.com"),
                   Contact(account_id=a, first_name="Bob")])
        s.add(Activity(account_id=b, type="call", occurred_at=now))
        s.add(Opportunity(account_id=b, name="Deal", stage="open", amount=1000))
        l1, l2 = TargetList(name="L1"), TargetList(name="L2")
        s.add_all([l1, l2])
        s.flush()
        s.add_all([TargetListMember(list_id=l1.id, account_id=a), TargetListMember(list_id=l1.id, account_id=b),
                   TargetListMember(list_id=l2.id, account_id=b)])
        child = Account(name="Acme Labs", parent_id=b)
        s.add(child)
        for sys, local, ext in (("hubspot", a, "h-a"), ("hubspot", b, "h-b"), ("salesforce", b, "001B")):
            s.execute(text("INSERT INTO external_refs (system, object_type, local_id, external_id) "
                           "VALUES (:s, 'account', :l, :e)"), {"s": sys, "l": local, "e": ext})
        s.flush()
        child_id = child.id
    with workspace.session() as s:
        res = merge_accounts(s, a, b, {"employees": "merge"})
    assert res.moved["contacts"] == 1
    with workspace.session() as s:
        assert s.get(Account, b) is None
        keep = s.get(Account, a)
        assert keep.employees == 120 and keep.hq_city == "Berlin" and keep.domain == "acme.example.com"
        assert s.scalar(select(func.count()).select_from(Contact).where(Contact.account_id == a)) == 2
        assert s.scalar(select(func.count()).select_from(Activity).where(Activity.account_id == a)) == 1
        assert s.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.account_id == a)) == 1
        members = set(s.execute(select(TargetListMember.list_id, TargetListMember.account_id)))
        assert len(members) == 2 and all(acc == a for _, acc in members)
        assert s.get(Account, child_id).parent_id == a
        refs = set(s.execute(text("SELECT system, external_id FROM external_refs WHERE local_id = :a"), {"a": a}))
        assert refs == {("hubspot", "h-a"), ("salesforce", "001B")}
        summaries = [e.summary for e in s.scalars(select(AccountEvent).where(AccountEvent.account_id == a))]
        assert any(x.startswith("Merged ACME Incorporated") for x in summaries)
        assert any("h-b" in x for x in summaries)


def test_merge_takes_domain_from_merged(workspace):
    with workspace.session() as s:
        x, y = Account(name="Foo"), Account(name="Foo Inc", domain="foo.example.com")
        s.add_all([x, y])
        s.flush()
        ids = x.id, y.id
    with workspace.session() as s:
        merge_accounts(s, *ids)
    with workspace.session() as s:
        assert s.get(Account, ids[0]).domain == "foo.example.com"


def test_merge_rejects_bad_input(workspace):
    a, b = _seed(workspace)
    with workspace.session() as s:
        with pytest.raises(ValueError):
            merge_accounts(s, a, a)
        with pytest.raises(ValueError):
            merge_accounts(s, a, b, {"employees": "both"})
        with pytest.raises(LookupError):
            merge_accounts(s, a, 999_999)
