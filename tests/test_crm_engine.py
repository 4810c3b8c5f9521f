"""The sync engine against the in-memory CRM (``tests.memory_crm``): round trips, incremental pull, conflicts and
deletes — on both engines. Failures, crashes, dry run and the journal: test_crm_engine_faults; other objects and
ordering: test_crm_engine_objects."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

import bdr_desk.crm  # noqa: F401 - the outbox listeners
from accounts.models import Account, AccountEvent, Contact
from accounts.stakeholders import delete_contact
from bdr_desk.crm.conflicts import list_conflicts, resolve
from bdr_desk.crm.engine import run_sync
from bdr_desk.crm.mapping_store import set_delete_policies, set_field
from bdr_desk.crm.models import SyncConflict
from bdr_desk.crm.status import sync_overview
from bdr_desk.db import utcnow
from tests.crm_support import account_id, counts, db_state, pending, ref_of, seed
from tests.memory_crm import MemoryCRM


def test_round_trip_push_pull_changes_nothing(workspace):
    seed(workspace)
    crm = MemoryCRM()
    first = run_sync(workspace, crm)
    assert first.status == "ok", first.errors
    assert [(counts(first, t).created, counts(first, t).errors) for t in ("account", "contact", "activity")] == [
        (3, 0), (6, 0), (3, 0)]
    assert pending(workspace) == 0
    company = crm.by_key("account", "co1.com")[0]
    assert company.props == {"name": "Company co1", "domain": "co1.com", "industry": "FINANCIAL_SERVICES",
                             "numberofemployees": 101, "city": "Leeds", "country": "United Kingdom"}
    contact = crm.by_key("contact", "p0@co1.com")[0]
    assert contact.associations == {"account": [company.id]} and contact.props["lifecyclestage"] == "marketingqualifiedlead"
    call = next(r for r in crm.live("activity") if r.props.get("hs_call_title") == "Call 1")
    assert call.associations == {"account": [company.id], "contact": [contact.id]}
    before = db_state(workspace)
    again = run_sync(workspace, crm)
    assert again.status == "ok"
    assert all((c.created, c.updated, c.deleted, c.conflicts, c.errors) == (0, 0, 0, 0, 0)
               for c in again.objects.values()), again.as_json()["objects"]
    after = db_state(workspace)
    for table in ("accounts", "contacts", "activities", "account_events", "sync_outbox", "sync_conflicts"):
        assert after[table] == before[table], table
    assert sum(1 for m, *_ in crm.log[-again.api_calls:] if m in ("create", "update", "delete")) == 0


def test_incremental_pull_picks_up_only_remote_changes(workspace):
    seed(workspace)
    crm = MemoryCRM()
    run_sync(workspace, crm)
    crm.clock = utcnow() + dt.timedelta(hours=1)
    company = crm.by_key("account", "co1.com")[0]
    crm.edit("account", company.id, city="Hull", numberofemployees="250")
    result = run_sync(workspace, crm, direction="pull")
    assert (result.pull["account"].updated, result.pull["contact"].updated) == (1, 0)
    with workspace.session() as s:
        acc = s.get(Account, account_id(workspace, "co1.com"))
        assert (acc.hq_city, acc.employees) == ("Hull", 250)
        assert acc.size_band == "201_500"  # firmographics follow the pulled head count
        events = s.scalars(select(AccountEvent).where(AccountEvent.account_id == acc.id,
                                                      AccountEvent.source == "crm")).all()
        assert {e.field for e in events} == {"hq_city", "employees"}
    assert pending(workspace) == 0  # a pulled change is not echoed back
    quiet = run_sync(workspace, crm, direction="pull")
    assert all(c.updated == 0 and c.created == 0 for c in quiet.pull.values())


def test_pull_creates_new_records_and_dedupes_by_key(workspace):
    with workspace.session() as s:
        s.add(Account(name="Acme here", domain="acme.com"))
    crm = MemoryCRM()
    acme = crm.add("account", name="Acme Inc", domain="www.acme.com")
    globex = crm.add("account", name="Globex", domain="globex.com", industry="COMPUTER_SOFTWARE",
                     numberofemployees="5000")
    crm.add("contact", associations={"account": [globex]}, email="hank@globex.com", firstname="Hank",
            lifecyclestage="salesqualifiedlead")
    crm.add("contact", email="wile@acme.com", firstname="Wile")  # no company in the CRM: filed by e-mail domain
    result = run_sync(workspace, crm)
    assert result.status == "ok", result.errors
    assert (result.pull["account"].created, result.pull["contact"].created) == (1, 2)
    assert len(crm.live("account")) == 2  # the local Acme was linked, not pushed as a second company
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 2
        acme_local = s.scalar(select(Account).where(Account.domain == "acme.com"))
        assert acme_local.name == "Acme Inc"  # name: CRM unless blank
        globex_local = s.scalar(select(Account).where(Account.domain == "globex.com"))
        assert (globex_local.industry, globex_local.employees, globex_local.segment) == ("software", 5000, "enterprise")
        hank = s.scalar(select(Contact).where(Contact.email == "hank@globex.com"))
        assert (hank.account_id, hank.lifecycle_stage, hank.source) == (globex_local.id, "sql", "crm")
        wile = s.scalar(select(Contact).where(Contact.email == "wile@acme.com"))
        assert wile.account_id == acme_local.id
    assert ref_of(workspace, "account", acme_local.id).external_id == acme
    # Wile's company association went to the CRM
    assert crm.by_key("contact", "wile@acme.com")[0].associations == {"account": [acme]}


def test_conflicts_queue_and_resolve(workspace):
    seed(workspace, n_accounts=1, activities=False)
    with workspace.session() as s:
        for f in ("hq_city", "name", "description"):
            set_field(s, "hubspot", "account", f, rule="ask")
    crm = MemoryCRM()
    run_sync(workspace, crm)
    acc_id = account_id(workspace, "co0.com")
    company = crm.by_key("account", "co0.com")[0]
    with workspace.session() as s:
        acc = s.get(Account, acc_id)
        acc.hq_city, acc.name, acc.description = "York", "Local name", "ours"
    crm.edit("account", company.id, city="Hull", name="Remote name", description="theirs")
    result = run_sync(workspace, crm)
    assert result.objects["account"].conflicts == 3
    assert (company.props["city"], company.props["name"]) == ("Hull", "Remote name")  # nothing overwritten
    with workspace.session() as s:
        acc = s.get(Account, acc_id)
        assert (acc.hq_city, acc.name) == ("York", "Local name")
        queue = {c.field: c for c in list_conflicts(s, "hubspot")}
    assert (queue["hq_city"].local_value, queue["hq_city"].remote_value) == ("York", "Hull")
    assert queue["name"].record_label.startswith("Local name")
    again = run_sync(workspace, crm)  # still open, not queued twice
    assert again.objects["account"].conflicts == 0
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))) == 3
        resolve(s, queue["hq_city"].id, "local")
        resolve(s, queue["name"].id, "remote")
        resolve(s, queue["description"].id, "manual", "agreed")
    with workspace.session() as s:
        acc = s.get(Account, acc_id)
        assert (acc.hq_city, acc.name, acc.description) == ("York", "Remote name", "agreed")
        assert sync_overview(s).open_conflicts == 0
    run_sync(workspace, crm)
    assert (company.props["city"], company.props["name"], company.props["description"]) == (
        "York", "Remote name", "agreed")
    quiet = run_sync(workspace, crm)
    assert quiet.objects["account"].conflicts == 0 and quiet.objects["account"].updated == 0


def test_latest_wins_and_crm_unless_blank(workspace):
    seed(workspace, n_accounts=2, activities=False)
    crm = MemoryCRM()
    run_sync(workspace, crm)
    a0, a1 = account_id(workspace, "co0.com"), account_id(workspace, "co1.com")
    c0, c1 = crm.by_key("account", "co0.com")[0], crm.by_key("account", "co1.com")[0]
    with workspace.session() as s:
        s.get(Account, a0).hq_city = "York"  # local edit now …
        s.get(Account, a1).hq_city = "York"
    crm.clock = utcnow() + dt.timedelta(hours=1)
    crm.edit("account", c0.id, city="Hull")  # … the CRM's an hour later: the CRM wins
    crm.clock = utcnow() - dt.timedelta(hours=1)
    crm.edit("account", c1.id, city="Hull")  # … the CRM's an hour earlier: ours wins
    crm.edit("account", c1.id, name="")  # a blank name never wins under crm_unless_blank
    result = run_sync(workspace, crm)
    assert result.status == "ok" and result.objects["account"].conflicts == 0
    with workspace.session() as s:
        assert (s.get(Account, a0).hq_city, s.get(Account, a1).hq_city) == ("Hull", "York")
        assert s.get(Account, a1).name == "Company co1"
    assert (c0.props["city"], c1.props["city"], c1.props["name"]) == ("Hull", "York", "Company co1")


@pytest.mark.parametrize("policy", ["keep", "delete", "mark"])
def test_remote_archives_follow_the_rule(workspace, policy):
    seed(workspace, n_accounts=1, activities=False)
    with workspace.session() as s:
        set_delete_policies(s, "hubspot", remote=policy)
    crm = MemoryCRM()
    run_sync(workspace, crm)
    with workspace.session() as s:
        ann = s.scalar(select(Contact).where(Contact.email == "p0@co0.com"))
    crm.archive("contact", crm.by_key("contact", "p0@co0.com")[0].id)
    result = run_sync(workspace, crm)
    with workspace.session() as s:
        still_here = s.get(Contact, ann.id) is not None
    ref = ref_of(workspace, "contact", ann.id)
    assert still_here == (policy != "delete")
    if policy == "delete":
        assert result.pull["contact"].deleted == 1 and ref is None
    elif policy == "keep":
        assert result.pull["contact"].archived == 1 and ref is None
    else:
        assert result.pull["contact"].archived == 1 and ref.synced_values["__archived__"] is True
        with workspace.session() as s:
            s.get(Contact, ann.id).title = "CEO"  # a marked record is not pushed (nor resurrected)
        later = run_sync(workspace, crm)
        assert later.push["contact"].skipped == 1 and later.push["contact"].created == 0
        assert len(crm.live("contact")) == 1
    assert pending(workspace) == 0


@pytest.mark.parametrize("policy", ["archive", "unlink"])
def test_local_deletes_follow_the_rule(workspace, policy):
    seed(workspace, n_accounts=1, activities=False)
    with workspace.session() as s:
        set_delete_policies(s, "hubspot", local=policy)
    crm = MemoryCRM()
    run_sync(workspace, crm)
    with workspace.session() as s:
        ann = s.scalar(select(Contact).where(Contact.email == "p0@co0.com"))
        delete_contact(s, ann.id)
    result = run_sync(workspace, crm)
    assert result.status == "ok"
    assert len(crm.by_key("contact", "p0@co0.com")) == (0 if policy == "archive" else 1)
    assert result.push["contact"].archived == (1 if policy == "archive" else 0)
    assert ref_of(workspace, "contact", ann.id) is None and pending(workspace) == 0
