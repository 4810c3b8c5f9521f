"""Contact import on both engines: account matching, contact matching, in-file duplicates, reports-to,
dry run, cancel, re-import."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accounts.contact_importing import ContactImportOptions, guess_contact_mapping, import_contacts
from accounts.models import Account, Contact
from accounts.tabular import read_table
from bdr_desk.jobs import CancelToken, JobCancelled

CSV = """First Name,Last Name,Email,Job Title,Company Name,Manager
Ada,Lovelace,ada@acme.example.com,Chief Financial Officer,,
Bob,Byte,bob@acme.example.com,VP Engineering,,ada@acme.example.com
Gina,Gmail,gina@gmail.com,Director Procurement,Acme Inc.,Ada Lovelace
Nora,Noemail,,Software Engineer,Acme,Bob Byte
Zed,Nowhere,zed@unknown.example.org,CTO,Unknown Co,
Ada,L.,ADA@acme.example.com,CFO,,
Free,Mail,free@gmail.com,CEO,,
"""


def _table(tmp_path, text=CSV, name="c.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return read_table(p)


def _run(ws, table, **opts):
    return import_contacts(ws, table, guess_contact_mapping(table.headers), ContactImportOptions(**opts))


@pytest.fixture
def acme(workspace):
    with workspace.session() as s:
        acc = Account(name="Acme", domain="acme.example.com")
        s.add(acc)
        s.flush()
        return acc.id


def _contacts(ws):
    with ws.session() as s:
        return {c.email or c.first_name: c for c in s.scalars(select(Contact))}


def test_mapping_hubspot_salesforce_plain():
    hub = guess_contact_mapping(["First Name", "Last Name", "Email", "Job Title", "Phone Number", "Company Name",
                                 "Associated Company"])
    assert hub == {"First Name": "first_name", "Last Name": "last_name", "Email": "email", "Job Title": "title",
                   "Phone Number": "phone", "Company Name": "account_name", "Associated Company": None}
    sf = guess_contact_mapping(["FIRSTNAME", "LASTNAME", "EMAIL", "TITLE", "PHONE", "ACCOUNTID", "Account Name",
                                "REPORTSTOID", "ID"])
    assert sf["ACCOUNTID"] == "account_external_id" and sf["REPORTSTOID"] == "reports_to"
    assert sf["Account Name"] == "account_name" and sf["ID"] == "external_id" and sf["FIRSTNAME"] == "first_name"
    plain = guess_contact_mapping(["Name", "E-mail", "Title", "Company", "Reports To"])
    assert plain == {"Name": "full_name", "E-mail": "email", "Title": "title", "Company": "account_name",
                     "Reports To": "reports_to"}


def test_import(workspace, acme, tmp_path):
    res = _run(workspace, _table(tmp_path))
    assert (res.created, res.updated, res.merged, res.rejected) == (4, 0, 1, 2), res.errors
    rejected = {e.row: e for e in res.errors}
    assert "Unknown Co" in rejected[6].message and rejected[6].column == "Company Name"
    assert 8 in rejected  # free-mail domain and no company: no account to attach to
    got = _contacts(workspace)
    assert set(got) == {"ada@acme.example.com", "bob@acme.example.com", "gina@gmail.com", "Nora"}
    ada, bob, gina, nora = (got[k] for k in ("ada@acme.example.com", "bob@acme.example.com", "gina@gmail.com",
                                               "Nora"))
    assert all(c.account_id == acme and c.source == "import" for c in (ada, bob, gina, nora))
    assert ada.seniority == "c_level" and ada.persona == "cfo" and ada.last_name == "Lovelace"  # row 7 merged
    assert bob.reports_to_id == ada.id and gina.reports_to_id == ada.id and nora.reports_to_id == bob.id
    again = _run(workspace, _table(tmp_path))
    assert (again.created, again.updated) == (0, 0)
    assert len(_contacts(workspace)) == 4


def test_name_only_rows_match_existing_contacts(workspace, acme, tmp_path):
    _run(workspace, _table(tmp_path))
    res = _run(workspace, _table(tmp_path, "Name,Company,Title\nNora Noemail,ACME,Staff Software Engineer\n"))
    assert (res.created, res.merged) == (0, 1)
    assert _contacts(workspace)["Nora"].title == "Staff Software Engineer"


def test_reports_to_cycle_is_a_row_error(workspace, acme, tmp_path):
    text = ("Email,Name,Manager\n"
            "a@acme.example.com,Ann A,b@acme.example.com\n"
            "b@acme.example.com,Ben B,a@acme.example.com\n"
            "c@acme.example.com,Cid C,Nobody Known\n")
    res = _run(workspace, _table(tmp_path, text))
    assert res.created == 3 and res.rejected == 0
    msgs = {e.row: e.message for e in res.errors}
    assert "cycle" in msgs[3] and "not found" in msgs[4]
    got = _contacts(workspace)
    assert got["a@acme.example.com"].reports_to_id == got["b@acme.example.com"].id
    assert got["b@acme.example.com"].reports_to_id is None


def test_dry_run_and_cancel_change_nothing(workspace, acme, tmp_path):
    res = _run(workspace, _table(tmp_path), dry_run=True)
    assert res.created == 4 and res.dry_run
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        import_contacts(workspace, _table(tmp_path), guess_contact_mapping(_table(tmp_path).headers),
                        ContactImportOptions(), cancel=token)
    with workspace.session() as s:
        assert s.scalar(select(func.count(Contact.id))) == 0


def test_create_accounts_option(workspace, acme, tmp_path):
    res = _run(workspace, _table(tmp_path), create_accounts=True)
    assert res.rejected == 1 and res.created == 5  # the free-mail row without a company still has no account
    with workspace.session() as s:
        assert s.scalar(select(Account.id).where(Account.domain == "unknown.example.org")) is not None
