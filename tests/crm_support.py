"""Shared data and helpers of the sync-engine tests (tests/test_crm_engine*.py, test_crm_sync_http, test_cli_sync)."""

from __future__ import annotations

from sqlalchemy import func, select

import bdr_desk.crm  # noqa: F401 - the outbox listeners
from accounts.activities import log_activity
from accounts.models import Account, AccountEvent, Activity, Contact, Opportunity
from bdr_desk.crm.models import ExternalRef, SyncConflict, SyncOutbox, SyncRun


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

