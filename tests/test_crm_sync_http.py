"""The engine over real HTTP: ``run_sync`` with the HubSpot and Salesforce connectors against their stateful
fakes on 127.0.0.1 — push, no-op re-sync, an edit on each side, and the journal holds no token.

(The connectors' own behaviour — batches, 207s, 429s, retries — is tested in ``test_crm_hubspot*`` and
``test_crm_salesforce``; the engine's rules against the in-memory CRM in ``test_crm_engine``.)"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

import bdr_desk.crm  # noqa: F401 - the outbox listeners
from accounts.models import Account
from bdr_desk.crm.engine import run_sync
from bdr_desk.crm.journal import export_journal
from tests.crm_support import pending, seed


def _edit_and_resync(ws, conn, edit_remote):
    with ws.session() as s:
        s.scalar(select(Account).where(Account.domain == "co1.com")).hq_city = "York"
    edit_remote()
    result = run_sync(ws, conn)
    assert result.status == "ok", result.errors
    assert (result.push["account"].updated, result.pull["account"].updated) == (1, 1)
    with ws.session() as s:
        assert s.scalar(select(Account.hq_city).where(Account.domain == "co2.com")) == "Hull"


def test_hubspot_over_http(sqlite_workspace):
    from bdr_desk.crm.hubspot import HubSpotConnector
    from tests.fake_hubspot import FakeClock, FakeHubSpot

    seed(sqlite_workspace, n_accounts=3, contacts_per=2)
    clock = FakeClock(start=dt.datetime.now(dt.UTC).timestamp() + 3600)  # the CRM's edits come later
    with FakeHubSpot(clock=clock) as fake, \
            HubSpotConnector(fake.url, token=fake.token, clock=clock, sleep=clock.sleep) as conn:
        first = run_sync(sqlite_workspace, conn)
        assert first.status == "ok", first.errors
        assert (len(fake.live("companies")), len(fake.live("contacts")), len(fake.live("calls"))) == (3, 6, 3)
        assert pending(sqlite_workspace) == 0
        again = run_sync(sqlite_workspace, conn)
        assert all((c.created, c.updated, c.errors) == (0, 0, 0) for c in again.objects.values())
        co2 = next(c for c in fake.live("companies") if c["properties"].get("domain") == "co2.com")

        def edit_remote():
            clock.advance(60)
            conn.update("account", [(str(co2["id"]), {"city": "Hull"})])

        _edit_and_resync(sqlite_workspace, conn, edit_remote)
        token = fake.token
    with sqlite_workspace.session() as s:
        assert token not in export_journal(s, "json") and token not in export_journal(s, "csv")


def test_salesforce_over_http(sqlite_workspace):
    from bdr_desk.crm.ratelimit import TokenBucket
    from bdr_desk.crm.salesforce import SalesforceConnector
    from tests.fake_salesforce import FakeSalesforce

    seed(sqlite_workspace, n_accounts=3, contacts_per=2)
    with FakeSalesforce() as fake:
        conn = SalesforceConnector(fake.url, fake.token, clock=fake.clock.now, bucket=TokenBucket(1000, 1000),
                                   sleep=lambda s: None)
        first = run_sync(sqlite_workspace, conn)
        assert first.status == "ok", first.errors
        again = run_sync(sqlite_workspace, conn)
        assert all((c.created, c.updated, c.errors) == (0, 0, 0) for c in again.objects.values())
        co2 = conn.find("account", "Website", ["co2.com"], ["Name"])["co2.com"]
        fake.clock.advance(hours=2)

        def edit_remote():
            conn.update("account", [(co2.external_id, {"BillingCity": "Hull"})])

        _edit_and_resync(sqlite_workspace, conn, edit_remote)
        token = fake.token
    with sqlite_workspace.session() as s:
        assert token not in export_journal(s, "json") and token not in export_journal(s, "csv")
