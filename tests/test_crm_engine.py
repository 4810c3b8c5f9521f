"""The sync engine against the in-memory CRM (``tests.memory_crm``): round trips, incremental pull, conflicts,
deletes, partial failures, fault injection, crash recovery, dry run and the journal — on both engines."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import bdr_desk.crm  # noqa: F401 - the outbox listeners
from accounts.activities import log_activity
from accounts.models import Account, AccountEvent, Activity, Contact, Opportunity
from accounts.stakeholders import delete_contact
from bdr_desk.crm import outbox
from bdr_desk.crm.conflicts import list_conflicts, resolve
from bdr_desk.crm.connector import ConnectorError
from bdr_desk.crm.engine import SyncError, run_sync, sync_job
from bdr_desk.crm.journal import export_journal, run_detail
from bdr_desk.crm.mapping_store import set_delete_policies, set_field
from bdr_desk.crm.models import ExternalRef, SyncConflict, SyncOutbox, SyncRun
from bdr_desk.crm.status import recent_runs, sync_overview
from bdr_desk.db import utcnow
from bdr_desk.jobs import CancelToken, JobCancelled
from tests.memory_crm import Crash, MemoryCRM


def seed(ws, n_accounts=3, contacts_per=2, activities=True, prefix="co"):
    with ws.session() as s:
        for i in range(n_accounts):
            acc = Account(name=f"Company {prefix}{i}", domain=f"{prefix}{i}.com", industry="fintech",
                          employees=100 + i, hq_city="Leeds", hq_country="GB")
            s.add(acc)
            s.flush()
            for j in range(contacts_per):
                c = Contact(account_id=acc.id, first_name=f"P{j}", last_name=f"L{i}", title="CFO",
                            email=f"p{j}@{prefix}{i}.com", lifecycle_stage="mql")
                s.add(c)
                s.flush()
                if activities and j == 0:
                    log_activity(s, kind="call", contact_id=c.id, outcome="connected", subject=f"Call {i}")


def pending(ws):
    with ws.session() as s:
        return s.scalar(select(func.count()).select_from(SyncOutbox).where(SyncOutbox.processed_at.is_(None)))


def counts(result, object_type):
    return result.objects.get(object_type) or type(next(iter(result.objects.values())))()


def ref_of(ws, object_type, local_id, system="hubspot"):
    with ws.session() as s:
        return s.scalar(select(ExternalRef).where(ExternalRef.system == system, ExternalRef.object_type == object_type,
                                                  ExternalRef.local_id == local_id))


def account_id(ws, domain):
    with ws.session() as s:
        return s.scalar(select(Account.id).where(Account.domain == domain))


def db_state(ws):
    """Everything the sync could write, for 'nothing changed' checks."""
    with ws.session() as s:
        out = {}
        for model in (Account, Contact, Activity, Opportunity, AccountEvent, SyncOutbox, ExternalRef, SyncRun,
                      SyncConflict):
            rows = s.scalars(select(model).order_by(model.id)).all()
            out[model.__tablename__] = [
                {c.key: getattr(r, c.key) for c in model.__table__.columns} for r in rows]
        return out


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


def test_partial_batch_failures_are_retried(workspace):
    seed(workspace, n_accounts=4, activities=False)
    crm = MemoryCRM()
    crm.reject = lambda t, op, props: "validation" if props.get("domain") == "co2.com" else None
    first = run_sync(workspace, crm)
    assert first.status == "partial"
    assert first.error_groups() == {"validation": 1, "dependency": 2}  # co2 and, waiting for it, its contacts
    assert first.objects["account"].created == 3 and first.objects["contact"].created == 6
    with workspace.session() as s:
        row = s.scalar(select(SyncOutbox).where(SyncOutbox.object_type == "account",
                                                SyncOutbox.processed_at.is_(None)))
        assert row.attempts == 1 and row.last_error.startswith("validation")
        assert sync_overview(s).failing_changes == 3
    crm.reject = None
    second = run_sync(workspace, crm)
    assert second.status == "ok", second.errors
    assert (second.objects["account"].created, second.objects["contact"].created) == (1, 2)
    assert len(crm.live("account")) == 4 and len(crm.live("contact")) == 8 and pending(workspace) == 0


def test_fault_injection_ends_with_every_change_synced_exactly_once(workspace):
    seed(workspace, n_accounts=12, contacts_per=3)
    crm = MemoryCRM(limit=10, page_size=7, seed=11)
    crm.call_fault_rate = crm.item_fault_rate = crm.lost_fault_rate = 0.2
    crm.clock = utcnow() - dt.timedelta(days=1)
    runs = []
    for n in range(80):
        if n == 3:  # edits on both sides while the faults go on
            with workspace.session() as s:
                for acc in s.scalars(select(Account).where(Account.domain.in_(["co1.com", "co2.com"]))):
                    acc.description = f"edited {acc.domain}"
            for rec in crm.by_key("account", "co3.com"):
                crm.edit("account", rec.id, city="Hull")
        result = run_sync(workspace, crm)
        runs.append(result.status)
        if n > 3 and result.status == "ok" and pending(workspace) == 0:
            break
    assert runs[-1] == "ok" and pending(workspace) == 0, runs
    assert "failed" in runs or "partial" in runs  # the faults did bite
    crm.call_fault_rate = crm.item_fault_rate = crm.lost_fault_rate = 0.0
    with workspace.session() as s:
        accounts = s.scalars(select(Account)).all()
        contacts = s.scalars(select(Contact)).all()
        n_activities = s.scalar(select(func.count()).select_from(Activity))
        for acc in accounts:
            (remote,) = crm.by_key("account", acc.domain)  # exactly one each
            assert remote.props["name"] == acc.name
            assert remote.props.get("description") == acc.description
            assert ref_of(workspace, "account", acc.id).external_id == remote.id
        for c in contacts:
            (remote,) = crm.by_key("contact", c.email)
            assert remote.associations["account"] == [ref_of(workspace, "account", c.account_id).external_id]
        assert s.get(Account, account_id(workspace, "co3.com")).hq_city == "Hull"
    assert len(crm.live("account")) == len(accounts) and len(crm.live("contact")) == len(contacts)
    assert len(crm.live("activity")) == n_activities
    final = run_sync(workspace, crm)
    assert all((c.created, c.updated, c.errors) == (0, 0, 0) for c in final.objects.values())


def test_resume_after_a_crash_between_the_crm_and_the_local_commit(workspace):
    seed(workspace, n_accounts=5, contacts_per=2, activities=False)
    crm = MemoryCRM(limit=4)
    crashes = []

    def die_once(method, object_type, results):
        if object_type == "contact" and method == "create" and not crashes:
            crashes.append(len(results))
            raise Crash("killed after HubSpot accepted the batch")

    crm.after_write = die_once
    with pytest.raises(Crash):
        run_sync(workspace, crm)
    assert crashes == [4] and len(crm.live("contact")) == 4
    with workspace.session() as s:
        assert s.scalar(select(SyncRun.status).order_by(SyncRun.id.desc()).limit(1)) == "failed"
    result = run_sync(workspace, crm)
    assert result.status == "ok", result.errors
    assert len(crm.live("contact")) == 10 and len(crm.live("account")) == 5  # no duplicates
    assert result.push["contact"].created == 6 and pending(workspace) == 0
    for c in crm.live("contact"):
        assert len(crm.by_key("contact", c.props["email"])) == 1


def test_resume_a_pull_killed_between_pages(workspace):
    crm = MemoryCRM(page_size=3)
    for i in range(8):
        crm.add("account", name=f"Remote {i}", domain=f"remote{i}.com")
    calls, crashed = [], []
    real = crm.changed_since

    def flaky(object_type, since, properties, cursor=None):
        calls.append((object_type, cursor))
        if object_type == "account" and cursor == "6" and not crashed:
            crashed.append(True)
            raise Crash("killed while pulling")
        return real(object_type, since, properties, cursor)

    crm.changed_since = flaky
    with pytest.raises(Crash):
        run_sync(workspace, crm, direction="pull")
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 6  # two pages applied and kept
    calls.clear()
    result = run_sync(workspace, crm, direction="pull")
    assert calls[0] == ("account", "6")  # resumed at the stored page
    assert result.pull["account"].created == 2
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 8


def test_dry_run_writes_nothing_and_previews_field_by_field(workspace):
    seed(workspace, n_accounts=2, activities=False)
    crm = MemoryCRM()
    run_sync(workspace, crm)
    with workspace.session() as s:
        s.get(Account, account_id(workspace, "co0.com")).hq_city = "York"
        s.add(Account(name="Newco", domain="newco.com"))
        delete_contact(s, s.scalar(select(Contact.id).where(Contact.email == "p1@co1.com")))
    crm.clock = utcnow() + dt.timedelta(hours=1)
    crm.edit("account", crm.by_key("account", "co1.com")[0].id, numberofemployees="999")
    crm.add("account", name="Remote only", domain="remoteonly.com")
    before_db, before_crm = db_state(workspace), copy.deepcopy(crm.store)
    log_at = len(crm.log)
    dry = run_sync(workspace, crm, dry_run=True)
    assert dry.status == "ok" and dry.dry_run and dry.run_id is None
    assert db_state(workspace) == before_db
    assert crm.store == before_crm
    assert not [m for m, *_ in crm.log[log_at:] if m in ("create", "update", "delete", "associate_many")]
    lines = {(p.direction, p.object_type, p.operation, p.label): p.fields for p in dry.preview}
    assert lines[("push", "account", "update", "Company co0 (co0.com)")] == {"hq_city": ["Leeds", "York"]}
    assert lines[("push", "account", "create", "Newco (newco.com)")] == {"name": [None, "Newco"],
                                                                         "domain": [None, "newco.com"]}
    assert lines[("pull", "account", "update", "Company co1 (co1.com)")] == {"employees": [101, 999]}
    assert ("pull", "account", "create", "Remote only") in lines
    assert any(k[:3] == ("push", "contact", "archive") for k in lines)
    data = dry.as_json()
    assert data["preview"] and json.dumps(data)
    real = run_sync(workspace, crm)  # and the real run does what the preview said
    assert (real.push["account"].created, real.push["account"].updated, real.pull["account"].created,
            real.pull["account"].updated, real.push["contact"].archived) == (1, 1, 1, 1, 1)


def test_journal_counts_errors_and_export(workspace):
    seed(workspace, n_accounts=3, contacts_per=1, activities=False)
    crm = MemoryCRM()
    crm.reject = lambda t, op, props: "validation" if props.get("email") == "p0@co1.com" else None
    result = run_sync(workspace, crm)
    assert result.status == "partial"
    with workspace.session() as s:
        detail = run_detail(s, result.run_id)
        runs = recent_runs(s)
        csv_text = export_journal(s, "csv")
        data = json.loads(export_journal(s, "json"))
    assert detail.status == "partial" and detail.api_calls == result.api_calls > 0
    assert detail.objects["account"]["created"] == 3 and detail.objects["contact"]["created"] == 2
    assert detail.error_groups == {"validation": 1}
    assert detail.errors[0]["object_type"] == "contact" and "P0 L1" in detail.errors[0]["message"]
    assert runs[0].error_count == 1 and runs[0].duration is not None
    assert csv_text.splitlines()[0].startswith("run,system,direction")
    assert any(",account," in line and ",3," in line for line in csv_text.splitlines())
    assert any(line.endswith("validation,1") for line in csv_text.splitlines())
    assert data[0]["error_groups"] == {"validation": 1} and data[0]["push"]["contact"]["errors"] == 1
    j = result.as_json()
    assert set(j["objects"]["account"]) >= {"created", "updated", "deleted", "conflicts", "errors", "api_calls"}


def test_salesforce_style_connector_round_trip(workspace):
    seed(workspace, n_accounts=2)
    with workspace.session() as s:
        log_activity(s, kind="meeting", account_id=account_id(workspace, "co0.com"), outcome="held",
                     subject="Demo")
    crm = MemoryCRM("salesforce")
    first = run_sync(workspace, crm)
    assert first.status == "ok", first.errors
    company = crm.by_key("account", "co0.com")[0]
    assert company.props["Website"] == "co0.com" and company.props["Industry"] == "Finance"
    contact = crm.by_key("contact", "p0@co0.com")[0]
    assert contact.props["AccountId"] == company.id
    kinds = {r.props["@kind"] for r in crm.live("activity")}
    assert kinds == {"Task", "Event"}
    event = next(r for r in crm.live("activity") if r.props["@kind"] == "Event")
    assert event.props["DurationInMinutes"] == 30 and event.props["WhatId"] == company.id
    task = next(r for r in crm.live("activity") if r.props["@kind"] == "Task")
    assert len(task.props["ActivityDate"]) == 10 and task.props["Status"] == "Completed"
    again = run_sync(workspace, crm)
    assert all((c.created, c.updated, c.errors) == (0, 0, 0) for c in again.objects.values())


def test_opportunities_are_pulled_for_kpis(workspace):
    crm = MemoryCRM()
    globex = crm.add("account", name="Globex", domain="globex.com")
    crm.add("opportunity", associations={"account": [globex]}, dealname="Globex renewal", amount="12500.50",
            dealstage="contractsent", closedate="2024-09-30T00:00:00Z")
    won = crm.add("opportunity", associations={"account": [globex]}, dealname="Globex pilot", amount="5000",
                  dealstage="closedwon", hs_is_closed="true", hs_is_closed_won="true")
    crm.add("opportunity", associations={"account": [globex]}, dealname="Custom pipeline", dealstage="98765",
            hs_is_closed="true", hs_is_closed_won="false", deal_currency_code=None)
    result = run_sync(workspace, crm, direction="pull")
    assert result.pull["opportunity"].created == 3, result.errors
    assert any("'98765' has no translation in the opportunity_stage picklist" in w for w in result.warnings)
    with workspace.session() as s:
        opps = {o.name: o for o in s.scalars(select(Opportunity))}
        globex_id = s.scalar(select(Account.id).where(Account.domain == "globex.com"))
    renewal, pilot = opps["Globex renewal"], opps["Globex pilot"]
    assert (renewal.account_id, renewal.amount, renewal.stage, renewal.close_date) == (
        globex_id, Decimal("12500.50"), "negotiation", dt.date(2024, 9, 30))
    assert pilot.stage == "closed_won" and pilot.closed_at is not None
    custom = opps["Custom pipeline"]  # an unknown stage: IsClosed / IsWon decide; a blank currency stays USD
    assert (custom.stage, custom.currency) == ("closed_lost", "USD")
    crm.clock = utcnow() + dt.timedelta(hours=1)
    crm.edit("opportunity", won, amount="6000")
    later = run_sync(workspace, crm, direction="pull")
    assert later.pull["opportunity"].updated == 1
    with workspace.session() as s:
        assert s.scalar(select(Opportunity.amount).where(Opportunity.name == "Globex pilot")) == Decimal("6000")
    assert pending(workspace) == 0  # opportunities are never pushed


def test_a_contact_waits_for_its_account(sqlite_workspace):
    seed(sqlite_workspace, n_accounts=1, contacts_per=1, activities=False)
    crm = MemoryCRM()
    crm.fail_next = [ConnectorError("server", "HubSpot is down")]  # the account's lookup by domain fails
    first = run_sync(sqlite_workspace, crm, direction="push")
    kinds = {(e.object_type, e.kind) for e in first.errors}
    assert ("account", "server") in kinds and ("contact", "dependency") in kinds
    second = run_sync(sqlite_workspace, crm, direction="push")
    assert second.status == "ok" and len(crm.live("contact")) == 1


def test_batches_respect_the_connector_limit(sqlite_workspace):
    seed(sqlite_workspace, n_accounts=25, contacts_per=0, activities=False)
    crm = MemoryCRM(limit=10)
    result = run_sync(sqlite_workspace, crm, direction="push")
    assert result.status == "ok"
    creates = [n for m, t, n in crm.log if m == "create" and t == "account"]
    assert creates == [10, 10, 5]
    assert result.push["account"].api_calls == 6  # one lookup by domain and one create per batch


def test_progress_cancel_and_failures(sqlite_workspace):
    seed(sqlite_workspace, n_accounts=3, activities=False)
    seen = []
    result = run_sync(sqlite_workspace, MemoryCRM(limit=2), progress=lambda d, t, m="": seen.append((d, t, m)))
    assert result.status == "ok" and any(m.startswith("Pushing account") for _, _, m in seen)
    token = CancelToken()
    token.cancel()
    with sqlite_workspace.session() as s:
        s.get(Account, account_id(sqlite_workspace, "co0.com")).hq_city = "York"
    with pytest.raises(JobCancelled) as exc:
        sync_job(sqlite_workspace, MemoryCRM)(lambda *a: None, token)
    assert exc.value.result.status == "cancelled"
    crm = MemoryCRM()
    crm.fail_next = [ConnectorError("auth", "HubSpot: 401 — the token was refused")]
    failed = run_sync(sqlite_workspace, crm)
    assert failed.status == "failed" and failed.failure.startswith("auth:")
    with sqlite_workspace.session() as s:
        statuses = [r.status for r in recent_runs(s)]
    assert statuses[:2] == ["failed", "cancelled"]
    with pytest.raises(SyncError):
        run_sync(sqlite_workspace, MemoryCRM(), direction="sideways")


def test_first_push_sends_records_made_before_sync_was_set_up(sqlite_workspace):
    seed(sqlite_workspace, n_accounts=2, contacts_per=1, activities=False)
    with sqlite_workspace.session() as s:
        s.query(SyncOutbox).delete()  # as if written before the outbox existed
    crm = MemoryCRM()
    result = run_sync(sqlite_workspace, crm)
    assert (result.push["account"].created, result.push["contact"].created) == (2, 2)
    with sqlite_workspace.session() as s:  # a second CRM starts from everything too
        assert outbox.unsynced(s, "salesforce") == {"account": [1, 2], "contact": [1, 2]}


def test_parents_of_a_pending_record_are_sent_first(sqlite_workspace):
    from sqlalchemy import text

    crm = MemoryCRM()
    run_sync(sqlite_workspace, crm)  # the first push is done: nothing is queued wholesale any more
    with sqlite_workspace.session() as s:  # raw SQL: the outbox does not see these two
        s.execute(text("INSERT INTO accounts (name, domain, abm_stage, version) VALUES ('Raw', 'raw.com', "
                       "'target', 1)"))
        acc = s.scalar(select(Account.id).where(Account.domain == "raw.com"))
        s.execute(text("INSERT INTO contacts (account_id, email, sentiment, coverage_status, source, left_company, "
                       "version) VALUES (:a, 'rae@raw.com', 'unknown', 'identified', 'manual', false, 1)"), {"a": acc})
        contact = s.scalar(select(Contact.id).where(Contact.email == "rae@raw.com"))
    with sqlite_workspace.session() as s:
        log_activity(s, kind="note", contact_id=contact, note="Met at the fair")
    result = run_sync(sqlite_workspace, crm)
    assert result.status == "ok", result.errors
    assert [result.push[t].created for t in ("account", "contact", "activity")] == [1, 1, 1]
    (note,) = crm.live("activity")
    assert note.associations["contact"] == [crm.by_key("contact", "rae@raw.com")[0].id]
    assert note.props["hs_note_body"] == "Met at the fair"
