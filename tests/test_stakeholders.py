"""Stakeholder maps on both engines: coverage math, reporting lines, cycles, validation, relationships,
stale maps and the key contact identification rate."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import insert, update

from accounts.models import Account, Activity, Contact, ResearchPage, TargetList, TargetListMember
from accounts.queries import AccountFilter
from accounts.stakeholders import (
    StakeholderError,
    add_relationship,
    committee_template,
    compute_coverage,
    delete_contact,
    fill_role,
    key_contact_identification_rate,
    remove_relationship,
    resolve_account,
    save_committee_template,
    save_contact,
    set_reports_to,
    set_stale_days,
    stakeholder_map,
    stale_account_ids,
    stale_days,
)

TEMPLATE = [{"role": "economic_buyer", "required": True, "weight": 3},
            {"role": "champion", "required": True, "weight": 1},
            {"role": "user", "required": False, "weight": 5}]


def _account(s, name="Acme", domain="acme.example.com", segment="enterprise", stage="target"):
    acc = Account(name=name, domain=domain, segment=segment, abm_stage=stage)
    s.add(acc)
    s.flush()
    return acc.id


def _person(s, aid, first, role=None, **kw):
    return save_contact(s, aid, {"first_name": first, "last_name": "Test", "buying_role": role, **kw}).id


# ---- coverage ------------------------------------------------------------------------------------------------

def test_coverage_math_pure():
    cov = compute_coverage(TEMPLATE, [(1, "champion", False), (2, "user", False)], "smb")
    assert cov.coverage == 0.25 and cov.missing_roles == ("economic_buyer",)
    # left the company does not count; two in one role count once; optional roles never count
    cov = compute_coverage(TEMPLATE, [(1, "economic_buyer", True), (2, "champion", False), (3, "champion", False)],
                           "smb")
    assert cov.coverage == 0.25 and cov.slots[1].filled_by == (2, 3) and cov.slots[0].filled_by == ()
    cov = compute_coverage(TEMPLATE, [(1, "economic_buyer", False), (2, "champion", False)], "smb")
    assert cov.coverage == 1.0 and cov.missing_roles == ()
    assert compute_coverage([], [], "smb").coverage == 1.0


def test_map_coverage_and_missing(workspace):
    with workspace.session() as s:
        save_committee_template(s, "enterprise", TEMPLATE)
        aid = _account(s)
        _person(s, aid, "Eve", "economic_buyer", left_company=True)
        _person(s, aid, "Cam", "champion")
        _person(s, aid, "Cat", "champion")
        m = stakeholder_map(s, aid)
        assert m.coverage.coverage == 0.25 and m.coverage.missing_roles == ("economic_buyer",)
        assert len(m.contacts) == 3 and m.segment == "enterprise"
        fill_role(s, _person(s, aid, "Bob"), "economic_buyer")
        assert stakeholder_map(s, aid).coverage.coverage == 1.0


def test_template_validation_and_default_segment(workspace):
    with workspace.session() as s:
        assert [r["role"] for r in committee_template(s, None)] == [r["role"] for r in committee_template(
            s, "mid_market")]
        for bad in ([{"role": "wizard"}], [{"role": "user", "weight": 0}], [{"role": "user"}, {"role": "user"}],
                    "nope"):
            with pytest.raises(StakeholderError):
                save_committee_template(s, "smb", bad)
        with pytest.raises(StakeholderError, match="segment"):
            save_committee_template(s, "galaxy", TEMPLATE)


# ---- reporting lines and cycles ------------------------------------------------------------------------------

def test_reports_to_refuses_cycles_and_other_accounts(workspace):
    with workspace.session() as s:
        aid, bid = _account(s), _account(s, "Beta", "beta.example.com")
        a, b, c = (_person(s, aid, n) for n in ("Ann", "Ben", "Cid"))
        other = _person(s, bid, "Olga")
        assert set_reports_to(s, b, a).reports_to == "Ann Test"
        set_reports_to(s, c, b)
        with pytest.raises(StakeholderError, match="cycle"):
            set_reports_to(s, a, b)
        with pytest.raises(StakeholderError, match="cycle"):
            set_reports_to(s, a, c)
        with pytest.raises(StakeholderError, match="another account"):
            set_reports_to(s, a, other)
        with pytest.raises(StakeholderError, match="themselves"):
            set_reports_to(s, a, a)
        assert set_reports_to(s, c, None).reports_to is None


def test_map_breaks_imported_cycle(workspace):
    with workspace.session() as s:
        aid = _account(s)
        a, b, c, d = (_person(s, aid, n) for n in ("Ann", "Ben", "Cid", "Dan"))
        # legacy data written behind the API's back: A→B→A, and C→D→C
        for x, y in ((a, b), (b, a), (c, d), (d, c)):
            s.execute(update(Contact).where(Contact.id == x).values(reports_to_id=y))
        s.expire_all()
        m = stakeholder_map(s, aid)
        assert sorted(m.cycles_broken) == sorted([max(a, b), max(c, d)])
        by_id = {x.id: x for x in m.contacts}
        assert by_id[max(a, b)].reports_to_id is None and by_id[min(a, b)].reports_to_id == max(a, b)


def test_500_contacts_map_fast(workspace):
    with workspace.session() as s:
        aid = _account(s)
        rows = [{"account_id": aid, "first_name": f"P{i}", "last_name": "X", "email": f"p{i}@acme.example.com",
                 "buying_role": "user", "version": 1, "source": "import"} for i in range(500)]
        s.execute(insert(Contact), rows)
        ids = sorted(c.id for c in s.query(Contact.id))
        s.execute(update(Contact).where(Contact.id != ids[0]).values(reports_to_id=ids[0]))
        s.add_all(Activity(account_id=aid, contact_id=ids[i], type="call") for i in range(0, 500, 5))
        s.flush()
        t = time.perf_counter()
        m = stakeholder_map(s, aid)
        assert time.perf_counter() - t < 0.5
        assert len(m.contacts) == 500 and sum(c.last_touch_at is not None for c in m.contacts) == 100


# ---- save_contact validation ---------------------------------------------------------------------------------

def test_save_contact_validation(workspace):
    with workspace.session() as s:
        aid = _account(s)
        first = save_contact(s, aid, {"first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Acme.example.com",
                                      "title": "Chief Financial Officer"})
        assert first.email == "ada@acme.example.com" and first.seniority == "c_level" and first.function == "finance"
        with pytest.raises(StakeholderError, match="Ada Lovelace"):
            save_contact(s, aid, {"first_name": "Other", "email": "ada@acme.example.com"})
        for values, pattern in (({"first_name": "X", "influence": 7}, "influence"),
                                ({"first_name": "X", "influence": "lots"}, "influence"),
                                ({"first_name": "X", "email": "not-an-email"}, "e-mail"),
                                ({"first_name": "X", "buying_role": "wizard"}, "buying role"),
                                ({"first_name": "X", "sentiment": "happy"}, "sentiment"),
                                ({"first_name": "X", "shoe_size": 9}, "unknown field"),
                                ({"title": "CEO"}, "name or an e-mail")):
            with pytest.raises(StakeholderError, match=pattern):
                save_contact(s, aid, values)
        # override of the derived seniority; a title change re-derives the others
        card = save_contact(s, aid, {"title": "Software Engineer", "seniority": "director"}, first.id)
        assert card.seniority == "director" and card.function == "engineering"
        # optimistic locking
        with pytest.raises(StakeholderError, match="changed by someone else"):
            save_contact(s, aid, {"notes": "x"}, first.id, expected_version=card.version - 1)
        card2 = save_contact(s, aid, {"notes": "hi", "influence": 4}, first.id, expected_version=card.version)
        assert card2.version == card.version + 1 and card2.influence == 4


def test_concurrent_edit_is_refused(workspace):
    with workspace.session() as s:
        aid = _account(s)
        cid = _person(s, aid, "Ada")
    s1 = workspace.sessions()  # expire_on_commit=False: s1 keeps its copy (version 1) after committing
    try:
        v = s1.get(Contact, cid).version
        s1.commit()
        with workspace.session() as s2:
            save_contact(s2, aid, {"notes": "first"}, cid, expected_version=v)
        with pytest.raises(StakeholderError, match="changed by someone else"):
            save_contact(s1, aid, {"notes": "second"}, cid, expected_version=v)
    finally:
        s1.rollback()
        s1.close()


def test_delete_and_relationships(workspace):
    with workspace.session() as s:
        aid, bid = _account(s), _account(s, "Beta", "beta.example.com")
        a, b = _person(s, aid, "Ann"), _person(s, aid, "Ben")
        other = _person(s, bid, "Olga")
        r = add_relationship(s, a, b, "influence", "golf buddies")
        assert add_relationship(s, a, b, "influence").id == r.id  # idempotent
        add_relationship(s, a, b, "conflict")
        for args, pattern in (((a, a, "influence"), "themselves"), ((a, other, "influence"), "different accounts"),
                              ((a, b, "love"), "unknown relationship")):
            with pytest.raises(StakeholderError, match=pattern):
                add_relationship(s, *args)
        assert len(stakeholder_map(s, aid).relationships) == 2
        remove_relationship(s, r.id)
        with pytest.raises(StakeholderError):
            remove_relationship(s, r.id)
        set_reports_to(s, b, a)
        delete_contact(s, a)
        m = stakeholder_map(s, aid)
        assert [c.id for c in m.contacts] == [b] and m.contacts[0].reports_to_id is None and not m.relationships


def test_resolve_account(workspace):
    with workspace.session() as s:
        aid = _account(s)
        assert resolve_account(s, str(aid)) == aid
        assert resolve_account(s, "https://www.acme.example.com/x") == aid
        assert resolve_account(s, "acme") == aid
        with pytest.raises(StakeholderError, match="nowhere.example.com"):
            resolve_account(s, "nowhere.example.com")


# ---- stale maps and KCIR -------------------------------------------------------------------------------------

def test_stale_flags_with_fixed_today(workspace):
    today = dt.datetime(2030, 6, 1, 12, tzinfo=dt.UTC)
    with workspace.session() as s:
        assert stale_days(s) == 30
        set_stale_days(s, 10)
        assert stale_days(s) == 10
        with pytest.raises(StakeholderError):
            set_stale_days(s, 0)
        quiet, busy, read, won = (_account(s, n, f"{n}.example.com") for n in ("quiet", "busy", "read", "won"))
        s.execute(update(Account).where(Account.id == won).values(abm_stage="won"))
        s.add(Activity(account_id=busy, type="call", occurred_at=today - dt.timedelta(days=3)))
        s.add(Activity(account_id=quiet, type="call", occurred_at=today - dt.timedelta(days=30)))
        s.add(ResearchPage(account_id=read, url="https://read.example.com", fetched_at=today - dt.timedelta(days=2)))
        s.flush()
        assert stale_account_ids(s, now=today) == [quiet]
        assert stale_account_ids(s, days=60, now=today) == []
        assert stakeholder_map(s, quiet, now=today).stale and not stakeholder_map(s, busy, now=today).stale


def test_kcir_over_a_list(workspace):
    with workspace.session() as s:
        save_committee_template(s, "smb", [{"role": "decision_maker", "required": True, "weight": 1},
                                           {"role": "user", "required": False, "weight": 1}])
        save_committee_template(s, "mid_market", [{"role": "economic_buyer", "required": True, "weight": 2},
                                                  {"role": "champion", "required": True, "weight": 1}])
        a = _account(s, "A", "a.example.com", "smb")
        b = _account(s, "B", "b.example.com", "smb")
        c = _account(s, "C", "c.example.com", None)  # no segment → mid_market
        d = _account(s, "D", "d.example.com", None)
        e = _account(s, "E", "e.example.com", "smb", stage="won")
        _person(s, a, "a1", "decision_maker")
        _person(s, b, "b1", "decision_maker", left_company=True)
        _person(s, c, "c1", "economic_buyer")
        _person(s, c, "c2", "champion")
        _person(s, d, "d1", "economic_buyer")
        _person(s, e, "e1", "decision_maker")
        res = key_contact_identification_rate(s)
        assert (res.accounts, res.identified, res.rate) == (4, 2, 0.5)
        tl = TargetList(name="Q3", kind="static")
        s.add(tl)
        s.flush()
        s.add_all([TargetListMember(list_id=tl.id, account_id=x) for x in (a, b, e)])
        s.flush()
        res = key_contact_identification_rate(s, AccountFilter(list_id=tl.id))
        assert (res.accounts, res.identified, res.rate) == (2, 1, 0.5)
        empty = key_contact_identification_rate(s, AccountFilter(text="zzz"))
        assert empty.accounts == 0 and empty.rate is None
