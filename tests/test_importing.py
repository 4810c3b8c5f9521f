"""Account import: counts, dedupe, hierarchy, lists, and all-or-nothing transactions, on both engines."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select, text

from accounts.column_mapping import guess_mapping
from accounts.importing import ImportMappingError, ImportOptions, import_accounts
from accounts.models import Account, AccountEvent, ImportRun, TargetList, TargetListMember
from accounts.tabular import read_table
from bdr_desk.jobs import CancelToken, JobCancelled
from tests.conftest import fixtures_dir

CSV = (b"Company name,Website,Number of Employees,Industry,Annual Revenue,Country\n"
       b"Acme Inc.,https://www.acme.example.com/about,\"12,000\",Information Technology,\"$514,405.0\",USA\n"
       b"Beta GmbH,beta.example.com,50,Banking,,Germany\n"
       b",,,,,\n"
       b"Gamma Widgets LLC,,7,Widgets,,\n"
       b"Delta,,lots,,,\n"
       b",,,Retail,,\n")


def _table(data=CSV, name="a.csv"):
    return read_table(name, data=data)


def _run(ws, data=CSV, **opts):
    t = _table(data)
    return import_accounts(ws, t, guess_mapping(t.headers), ImportOptions(**opts))


def _count(ws, model=Account):
    with ws.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_create_reject_and_reimport(workspace):
    r = _run(workspace)
    assert (r.created, r.updated, r.merged, r.rejected) == (3, 0, 0, 2)
    assert [(e.row, e.column) for e in r.errors] == [(6, "Number of Employees"), (7, None)]
    assert "lots" in r.errors[0].message
    assert r.unknown_industries == {"Widgets": 1}
    with workspace.session() as s:
        acme = s.scalar(select(Account).where(Account.domain == "acme.example.com"))
        assert (acme.name, acme.employees, acme.industry, acme.hq_country) == ("Acme Inc.", 12000, "software", "US")
        assert float(acme.annual_revenue) == 514405.0 and acme.size_band == "10001_plus" and acme.segment == "enterprise"
        gamma = s.scalar(select(Account).where(Account.name == "Gamma Widgets LLC"))
        assert gamma.industry is None and gamma.sub_industry == "Widgets"
        assert s.scalar(select(func.count()).select_from(AccountEvent).where(AccountEvent.kind == "imported")) == 3
        run = s.scalars(select(ImportRun)).one()
        assert run.status == "ok" and run.counts["created"] == 3
    again = _run(workspace)
    assert (again.created, again.updated, again.merged, again.rejected) == (0, 0, 0, 2)
    assert again.unchanged == 3 and _count(workspace) == 3


def test_update_and_merge_counts(workspace):
    _run(workspace)
    data = (b"Name,Domain,Employees\n"
            b"Acme Inc,acme.example.com,13000\n"          # domain match, changed -> updated
            b"Beta,beta.example.com,50\n"                 # domain match, unchanged
            b"Gamma Widgets,,9\n"                         # fuzzy/exact name, changed -> merged
            b"Epsilon,epsilon.example.com,1\n"            # new
            b"Epsilon Ltd,www.epsilon.example.com,2\n")   # same account again in the file -> merged
    r = _run(workspace, data)
    assert (r.created, r.updated, r.merged, r.rejected, r.unchanged) == (1, 1, 2, 0, 1)
    with workspace.session() as s:
        acme = s.scalar(select(Account).where(Account.domain == "acme.example.com"))
        assert acme.employees == 13000 and acme.version == 2
        ev = s.scalars(select(AccountEvent).where(AccountEvent.account_id == acme.id,
                                                  AccountEvent.source == "import", AccountEvent.field == "employees"))
        assert ev.one().new_value == "13000"
        assert s.scalar(select(Account.employees).where(Account.domain == "epsilon.example.com")) == 2
        assert s.scalar(select(Account.employees).where(Account.name == "Gamma Widgets LLC")) == 9


def test_fuzzy_name_fills_missing_domain(workspace):
    _run(workspace)
    r = _run(workspace, b"Company,Website\nGamma Widgets L.L.C.,gamma.example.com\n")
    assert (r.created, r.merged) == (0, 1)
    with workspace.session() as s:
        assert s.scalar(select(Account.domain).where(Account.name == "Gamma Widgets LLC")) == "gamma.example.com"


def test_dry_run_changes_nothing(workspace):
    r = _run(workspace, dry_run=True)
    assert r.dry_run and r.created == 3 and len(r.planned) == 3
    assert _count(workspace) == 0 and _count(workspace, ImportRun) == 0 and _count(workspace, AccountEvent) == 0


def test_failing_import_leaves_database_unchanged(workspace, monkeypatch):
    _run(workspace)
    before = (_count(workspace), _count(workspace, AccountEvent))
    from accounts import importing

    def boom(self, ids):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(importing._Importer, "_add_to_list", boom)
    with pytest.raises(RuntimeError):
        _run(workspace, b"Name,Domain\nNew Co,new.example.com\nAcme,acme.example.com\n", list_name="L")
    assert (_count(workspace), _count(workspace, AccountEvent)) == before
    assert _count(workspace, TargetList) == 0
    with workspace.session() as s:
        assert s.scalar(select(ImportRun.status).order_by(ImportRun.id.desc()).limit(1)) == "failed"


def test_cancel_leaves_database_unchanged(workspace):
    token = CancelToken()
    calls = []

    def progress(done, total, message=""):
        calls.append(message)
        if message == "Matching accounts":
            token.cancel()
    rows = b"Name,Domain\n" + b"".join(b"Co %d,co%d.example.com\n" % (i, i) for i in range(5000))
    t = _table(rows)
    with pytest.raises(JobCancelled):
        import_accounts(workspace, t, guess_mapping(t.headers), ImportOptions(), progress, token)
    assert _count(workspace) == 0


def test_session_target_uses_a_savepoint(workspace):
    t = _table()
    with workspace.session() as s:
        r = import_accounts(s, t, guess_mapping(t.headers), ImportOptions(dry_run=True))
        assert r.created == 3 and s.scalar(select(func.count()).select_from(Account)) == 0
        import_accounts(s, t, guess_mapping(t.headers), ImportOptions())
    assert _count(workspace) == 3


def test_list_option_adds_imported_and_matched(workspace):
    _run(workspace)
    r = _run(workspace, b"Name,Domain\nAcme,acme.example.com\nZeta,zeta.example.com\n", list_name="Q3 Targets")
    assert r.created == 1
    with workspace.session() as s:
        lst = s.scalars(select(TargetList)).one()
        assert lst.name == "Q3 Targets" and lst.kind == "static"
        assert s.scalar(select(func.count()).select_from(TargetListMember)) == 2
    _run(workspace, b"Name,Domain\nAcme,acme.example.com\n", list_name="q3 targets")
    assert _count(workspace, TargetListMember) == 2


def test_subsidiary_sharing_parent_domain_becomes_child(workspace):
    _run(workspace, b"Name,Website\nGlobex Corporation,globex.example.com\n")
    data = (b"Name,Website,Parent Company\n"
            b"Globex Europe,https://globex.example.com/eu,Globex Corporation\n"
            b"Globex Asia,globex.example.com,globex.example.com\n")
    r = _run(workspace, data)
    assert r.created == 2
    with workspace.session() as s:
        parent = s.scalar(select(Account).where(Account.domain == "globex.example.com"))
        kids = s.scalars(select(Account).where(Account.parent_id == parent.id).order_by(Account.name)).all()
        assert [(k.name, k.domain) for k in kids] == [("Globex Asia", None), ("Globex Europe", None)]
    again = _run(workspace, data)
    assert (again.created, again.merged) == (0, 0)


def test_external_ids_are_kept_and_match(workspace):
    data = b"Record ID,Company name\n101,Nameless One\n"
    _run(workspace, data)
    with workspace.session() as s:
        ref = s.execute(text("SELECT system, external_id FROM external_refs")).one()
        assert tuple(ref) == ("hubspot", "101")
    r = _run(workspace, b"Record ID,Company name,Company Domain Name\n101,Renamed One,one.example.com\n")
    assert (r.created, r.updated) == (0, 1)


def test_bad_mapping_is_a_clear_error(workspace):
    t = _table()
    with pytest.raises(ImportMappingError, match="unknown field"):
        import_accounts(workspace, t, {"Company name": "nonsense"})
    with pytest.raises(ImportMappingError, match="map at least one"):
        import_accounts(workspace, t, {"Company name": None})


def test_sp500(workspace):
    path = os.path.join(fixtures_dir(), "companies", "sp500_constituents.csv")
    t = read_table(path)
    r = import_accounts(workspace, t, guess_mapping(t.headers))
    assert (r.created, r.rejected) == (503, 0)
    with workspace.session() as s:
        missing = s.scalar(select(func.count()).select_from(Account).where(Account.industry.is_(None)))
        assert missing == sum(r.unknown_industries.values())
        mmm = s.scalar(select(Account).where(Account.name == "3M"))
        assert (mmm.hq_city, mmm.hq_region, mmm.hq_country, mmm.industry) == ("Saint Paul", "Minnesota", "US",
                                                                             "manufacturing")
    again = import_accounts(workspace, t, guess_mapping(t.headers))
    assert (again.created, again.updated, again.merged) == (0, 0, 0)


def test_salesforce_account_data(workspace):
    path = os.path.join(fixtures_dir(), "crm", "salesforce_dataloader_samples", "accountData.csv")
    t = read_table(path)
    r = import_accounts(workspace, t, guess_mapping(t.headers))
    non_blank = sum(1 for row in t.rows if any(c.strip() for c in row))
    assert r.created + r.updated + r.merged + r.unchanged + r.rejected == non_blank
    assert all(e.row >= 2 and (e.column is None or e.column in t.headers) for e in r.errors)
    again = import_accounts(workspace, t, guess_mapping(t.headers))
    assert again.created == 0 and again.updated == 0


def test_an_opportunity_export_is_flagged(sqlite_workspace):
    from accounts.column_mapping import guess_mapping
    from accounts.importing import import_accounts
    from accounts.tabular import Table

    table = Table(headers=["NAME", "STAGENAME", "CLOSEDATE", "AMOUNT"], rows=[["Big deal", "Prospecting",
                                                                              "2026-01-01", "5000"]], source="opps.csv")
    result = import_accounts(sqlite_workspace, table, guess_mapping(table.headers), None)
    assert any("look like an export of opportunities" in w for w in result.warnings)
