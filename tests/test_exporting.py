"""Exporting views and lists to CSV/XLSX with HubSpot and Salesforce presets (both engines)."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from accounts.exporting import PRESETS, ExportError, export_accounts
from accounts.models import Account, TargetList, TargetListMember
from accounts.queries import AccountFilter, AccountSort
from bdr_desk.jobs import CancelToken, JobCancelled
from tests.factories import add_accounts


def _read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_csv_default_preset_in_view_order(workspace, tmp_path):
    add_accounts(workspace, 2_500)  # more than one export chunk
    out = tmp_path / "accounts.csv"
    with workspace.session() as s:
        result = export_accounts(s, out, flt=AccountFilter(tiers=(1,)), sort=AccountSort("icp_score", True))
    rows = _read_csv(out)
    assert rows[0] == [name for name, _ in PRESETS["default"]]
    assert result.rows == len(rows) - 1 == 834
    scores = [int(r[rows[0].index("ICP score")]) for r in rows[1:]]
    assert scores == sorted(scores, reverse=True)
    assert {r[rows[0].index("Tier")] for r in rows[1:]} == {"1"}
    assert len({r[0] for r in rows[1:]}) == result.rows  # no account twice across chunks


def test_hubspot_and_salesforce_presets(workspace, tmp_path):
    with workspace.session() as s:
        s.add(Account(name="Acme Bank", domain="acmebank.example", industry="banking", employees=1200,
                      annual_revenue=514405, hq_city="Leeds", hq_country="GB", tier=1))
    with workspace.session() as s:
        export_accounts(s, tmp_path / "hs.csv", preset="hubspot")
        export_accounts(s, tmp_path / "sf.csv", preset="salesforce")
    hs = dict(zip(*_read_csv(tmp_path / "hs.csv"), strict=True))
    assert hs["Company name"] == "Acme Bank" and hs["Company Domain Name"] == "acmebank.example"
    assert hs["Industry"] == "BANKING" and hs["Number of Employees"] == "1200"
    assert hs["Website URL"] == "https://acmebank.example" and hs["Country/Region"] == "GB"
    sf = dict(zip(*_read_csv(tmp_path / "sf.csv"), strict=True))
    assert (sf["NAME"], sf["INDUSTRY"], sf["NUMBEROFEMPLOYEES"], sf["ANNUALREVENUE"]) == (
        "Acme Bank", "Banking", "1200", "514405")
    assert sf["BILLINGCITY"] == "Leeds" and sf["RATING"] == "Hot"


def test_xlsx_of_a_list_with_formula_cells_neutralised(workspace, tmp_path):
    with workspace.session() as s:
        evil = Account(name="=HYPERLINK(\"http://x\")", domain="evil.example")
        plain = Account(name="Plain Co", domain="plain.example")
        other = Account(name="Not in list", domain="other.example")
        lst = TargetList(name="Q1")
        s.add_all([evil, plain, other, lst])
        s.flush()
        s.add_all([TargetListMember(list_id=lst.id, account_id=a.id) for a in (evil, plain)])
        list_id = lst.id
    out = tmp_path / "q1.xlsx"
    with workspace.session() as s:
        assert export_accounts(s, out, flt=AccountFilter(list_id=list_id)).rows == 2
    ws = load_workbook(out).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][1] == "Name" and ws["A1"].font.bold
    names = {r[1] for r in values[1:]}
    assert names == {"'=HYPERLINK(\"http://x\")", "Plain Co"}


def test_cancel_and_errors_leave_no_half_file(workspace, tmp_path):
    add_accounts(workspace, 50)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "keep.csv"
    out.write_text("previous export\n")
    token = CancelToken()
    token.cancel()
    with workspace.session() as s:
        with pytest.raises(JobCancelled):
            export_accounts(s, out, cancel=token)
        with pytest.raises(ExportError, match="use a .csv or .xlsx"):
            export_accounts(s, folder / "x.pdf")
        with pytest.raises(ExportError, match="unknown preset"):
            export_accounts(s, folder / "x.csv", preset="pipedrive")
    assert out.read_text() == "previous export\n"
    assert sorted(p.name for p in folder.iterdir()) == ["keep.csv"]
