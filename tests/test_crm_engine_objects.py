"""The sync engine against the in-memory CRM: a Salesforce-style connector, opportunities for KPIs, record order
(accounts before contacts, parents first), batch limits, progress, cancel and failures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

import bdr_desk.crm  # noqa: F401 - the outbox listeners
from accounts.activities import log_activity
from accounts.models import Account, Contact, Opportunity
from bdr_desk.crm import outbox
from bdr_desk.crm.connector import ConnectorError
from bdr_desk.crm.engine import SyncError, run_sync, sync_job
from bdr_desk.crm.models import SyncOutbox
from bdr_desk.crm.status import recent_runs
from bdr_desk.db import utcnow
from bdr_desk.jobs import CancelToken, JobCancelled
from tests.crm_support import account_id, pending, seed
from tests.memory_crm import MemoryCRM


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
