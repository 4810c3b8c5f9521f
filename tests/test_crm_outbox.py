"""The outbox: every local change of a synced record is queued in the same transaction as the change."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import delete, insert, select, update

import bdr_desk.crm  # noqa: F401 - installs the listeners
from accounts.bulk import set_field
from accounts.importing import import_accounts
from accounts.models import Account, Activity, Contact
from accounts.stakeholders import delete_contact
from accounts.tabular import read_table
from bdr_desk.crm import outbox
from bdr_desk.crm.models import SyncOutbox


def rows(ws, processed=False):
    with ws.session() as s:
        stmt = select(SyncOutbox.object_type, SyncOutbox.local_id, SyncOutbox.operation, SyncOutbox.changed_fields)
        if not processed:
            stmt = stmt.where(SyncOutbox.processed_at.is_(None))
        return [tuple(r) for r in s.execute(stmt.order_by(SyncOutbox.id))]


def clear(ws):
    with ws.session() as s:
        s.execute(delete(SyncOutbox))


def make_account(ws, **kw):
    with ws.session() as s:
        acc = Account(name=kw.pop("name", "Acme"), domain=kw.pop("domain", "acme.com"), **kw)
        s.add(acc)
        s.flush()
        return acc.id


def test_create_update_delete_are_queued(workspace):
    acc_id = make_account(workspace, industry="fintech")
    assert rows(workspace) == [("account", acc_id, "create", None)]
    clear(workspace)
    with workspace.session() as s:
        acc = s.get(Account, acc_id)
        acc.name, acc.employees = "Acme Corp", 120
        acc.icp_score = 70  # not a synced field
    assert rows(workspace) == [("account", acc_id, "update", {"fields": ["employees", "name"]})]
    clear(workspace)
    with workspace.session() as s:
        s.get(Account, acc_id).icp_score = 80  # rescoring: nothing to push
        s.get(Account, acc_id).name = "Acme Corp"  # the same value: no change
    assert rows(workspace) == []
    with workspace.session() as s:
        s.delete(s.get(Account, acc_id))
    assert rows(workspace) == [("account", acc_id, "delete", {"key": "acme.com"})]


def test_rollback_leaves_no_row(workspace):
    with pytest.raises(RuntimeError), workspace.session() as s:
        s.add(Account(name="Ghost", domain="ghost.com"))
        s.flush()
        raise RuntimeError("the unit of work fails")
    assert rows(workspace) == []
    with workspace.session() as s:
        s.add(Account(name="Kept", domain="kept.com"))
        s.flush()
        s.rollback()
    assert rows(workspace) == []


def test_changes_coalesce_within_a_transaction(workspace):
    with workspace.session() as s:
        acc = Account(name="A", domain="a.com")
        s.add(acc)
        s.flush()
        acc.name = "A2"
        s.flush()
        acc.hq_city = "Leeds"
    assert [r[2] for r in rows(workspace)] == ["create"]
    acc_id = rows(workspace)[0][1]
    clear(workspace)
    with workspace.session() as s:
        acc = s.get(Account, acc_id)
        acc.name = "A3"
        s.flush()
        acc.hq_city = "York"
        s.flush()
        acc.website = "https://a.com"
    assert rows(workspace) == [("account", acc_id, "update", {"fields": ["hq_city", "name", "website"]})]
    clear(workspace)
    with workspace.session() as s:  # created and deleted before anyone saw it: nothing to tell the CRM
        tmp = Account(name="Tmp", domain="tmp.com")
        s.add(tmp)
        s.flush()
        s.delete(tmp)
    assert rows(workspace) == []


def test_sync_writes_are_not_echoed(workspace):
    acc_id = make_account(workspace)
    clear(workspace)
    with workspace.session() as s, outbox.capture_off(s):
        s.get(Account, acc_id).name = "From the CRM"
        s.add(Contact(account_id=acc_id, email="pulled@acme.com", source="crm"))
    assert rows(workspace) == []
    with workspace.session() as s:  # the flag does not outlive its block
        s.get(Account, acc_id).name = "Edited here"
    assert rows(workspace) == [("account", acc_id, "update", {"fields": ["name"]})]


def test_contacts_and_activities_are_queued(workspace):
    from accounts.activities import log_activity

    acc_id = make_account(workspace)
    with workspace.session() as s:
        c = Contact(account_id=acc_id, first_name="Ann", email="ann@acme.com")
        s.add(c)
        s.flush()
        log_activity(s, kind="call", contact_id=c.id, outcome="connected", subject="Intro")
    got = rows(workspace)
    # the call also moved the account's ABM stage (an update: the account was created in an earlier
    # transaction) and the contact's coverage (folded into the contact's create row of this transaction)
    assert sorted((t, op, f) for t, _, op, f in got if f is None or "fields" in f) == sorted([
        ("account", "create", None), ("account", "update", {"fields": ["abm_stage"]}), ("contact", "create", None),
        ("activity", "create", None)])


def test_bulk_statements_are_queued(workspace):
    ids = [make_account(workspace, name=f"Co {i}", domain=f"co{i}.com") for i in range(3)]
    with workspace.session() as s:
        c = Contact(account_id=ids[0], email="bob@co0.com")
        s.add(c)
        s.flush()
        contact_id = c.id
    clear(workspace)
    with workspace.session() as s:  # an ORM-enabled UPDATE … WHERE id IN (…)
        set_field(s, ids[:2], "abm_stage", "engaged")
    assert sorted(rows(workspace)) == sorted(("account", i, "update", {"fields": ["abm_stage"]}) for i in ids[:2])
    clear(workspace)
    with workspace.session() as s:  # a Core DELETE
        delete_contact(s, contact_id)
    assert rows(workspace) == [("contact", contact_id, "delete", {"key": "bob@co0.com"})]
    clear(workspace)
    with workspace.session() as s:  # Core INSERT executemany and an UPDATE of an unsynced column
        s.execute(insert(Account.__table__), [{"name": "Bulk 1", "domain": "bulk1.com", "abm_stage": "target",
                                               "version": 1}, {"name": "Bulk 2", "domain": "bulk2.com",
                                                               "abm_stage": "target", "version": 1}])
        s.execute(update(Account).values(tier_is_manual=True))
    got = rows(workspace)
    assert [(t, op) for t, _, op, _ in got] == [("account", "create"), ("account", "create")]


def test_import_of_new_accounts_is_queued(workspace, tmp_path):
    csv = tmp_path / "companies.csv"
    csv.write_text("Company name,Website URL,Industry\n" + "".join(f"Co {i},https://co{i}.example.org,Software\n"
                                                              for i in range(25)), encoding="utf-8")
    table = read_table(csv)
    result = import_accounts(workspace, table, {"Company name": "name", "Website URL": "website",
                                                "Industry": "industry"})
    assert result.created == 25
    with workspace.session() as s:
        ids = set(s.scalars(select(Account.id)))
    got = rows(workspace)
    assert {r[1] for r in got if r[2] == "create"} == ids and len(got) == 25


def test_pending_merges_rows_of_one_record(workspace):
    acc_id = make_account(workspace)
    for name in ("B", "C"):
        with workspace.session() as s:
            s.get(Account, acc_id).name = name
    with workspace.session() as s:
        s.get(Account, acc_id).hq_city = "Leeds"
    assert len(rows(workspace)) == 4  # append-only across transactions …
    with workspace.session() as s:
        assert outbox.pending_ids(s, "account") == {acc_id} and outbox.pending_ids(s, "account", [acc_id + 1]) == set()
    with workspace.session() as s:
        (rec,) = outbox.pending(s, "hubspot", "account")  # … merged for push
    assert rec.create and rec.fields is None and len(rec.row_ids) == 4 and not rec.delete


def test_delete_then_reused_id_is_a_delete_then_create(workspace):
    with workspace.session() as s:
        outbox.record(s, "account", 7, "delete", key="old.com")
        outbox.record(s, "account", 7, "create")
    assert [r[2] for r in rows(workspace)] == ["delete", "create"]
    with workspace.session() as s:
        (rec,) = outbox.pending(s, "hubspot", "account")
    assert rec.delete and rec.upsert and rec.create


def test_mark_done_waits_for_every_system(workspace):
    acc_id = make_account(workspace)
    with workspace.session() as s:
        (rec,) = outbox.pending(s, "hubspot", "account")
        outbox.mark_done(s, "hubspot", rec.row_ids, {"hubspot", "salesforce"})
    with workspace.session() as s:
        assert outbox.pending(s, "hubspot", "account") == []
        assert [r.local_id for r in outbox.pending(s, "salesforce", "account")] == [acc_id]
        outbox.mark_failed(s, rec.row_ids, "server: down")
    with workspace.session() as s:
        row = s.get(SyncOutbox, rec.row_ids[0])
        assert (row.attempts, row.last_error, row.processed_at) == (1, "server: down", None)
        outbox.mark_done(s, "salesforce", rec.row_ids, {"hubspot", "salesforce"})
    assert rows(workspace) == []


def test_activity_update_is_queued(workspace):
    acc_id = make_account(workspace)
    with workspace.session() as s:
        act = Activity(account_id=acc_id, type="task", subject="Follow up", completed=False)
        s.add(act)
        s.flush()
        act_id = act.id
    clear(workspace)
    with workspace.session() as s:
        s.get(Activity, act_id).completed = True
    assert rows(workspace) == [("activity", act_id, "update", {"fields": ["completed"]})]


def test_cli_workspaces_capture_changes(tmp_path):
    """The CLI opens workspaces through ``commands.open_ws``, which installs the listeners."""
    code = ("import sys; from bdr_desk.config import load_settings; from bdr_desk.commands import open_ws; "
            f"ws = open_ws(load_settings({('sqlite:///' + str(tmp_path / 'w.db'))!r})); "
            "from sqlalchemy import event; from sqlalchemy.orm import Session; "
            "from bdr_desk.crm import outbox; print(event.contains(Session, 'after_flush', outbox._after_flush))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
    assert out.stdout.strip() == "True", out.stderr
