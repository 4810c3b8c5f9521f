"""The sync engine against the in-memory CRM: partial batch failures, fault injection, crash recovery (push and
pull), dry run and the journal — on both engines."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

import bdr_desk.crm  # noqa: F401 - the outbox listeners
from accounts.models import Account, Activity, Contact
from accounts.stakeholders import delete_contact
from bdr_desk.crm.engine import run_sync
from bdr_desk.crm.journal import export_journal, run_detail
from bdr_desk.crm.models import SyncOutbox, SyncRun
from bdr_desk.crm.status import recent_runs, sync_overview
from bdr_desk.db import utcnow
from tests.crm_support import account_id, db_state, pending, ref_of, seed
from tests.memory_crm import Crash, MemoryCRM


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
