"""`bdr-desk stakeholders`, `stakeholders kcir` and `import contacts`: JSON shapes and exit codes."""

from __future__ import annotations

import json

from bdr_desk.cli import main

CONTRACT_CSV = "First Name,Last Name,Email,Title,Company\nAda,Lovelace,ada@contract-test.example.com,CFO,Contract Test Co\n"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_stakeholders_shapes(capsys, sqlite_workspace, tmp_path):
    db = sqlite_workspace.url
    assert run(capsys, "--db", db, "demo")[0] == 0
    acc = json.loads(run(capsys, "--db", db, "accounts", "list", "--json")[1])[0]
    code, out, _ = run(capsys, "--db", db, "stakeholders", str(acc["id"]), "--json")
    st = json.loads(out)
    assert code == 0 and st["contacts"] and 0 <= st["coverage"] <= 1
    assert {"account", "contacts", "coverage", "missing_roles", "stale", "relationships"} <= set(st)
    assert {"id", "name", "title", "email", "buying_role", "reports_to", "reports_to_id", "influence", "sentiment",
            "coverage_status", "seniority", "left_company", "last_touch_at"} <= set(st["contacts"][0])
    assert st["account"]["id"] == acc["id"]
    code, out, _ = run(capsys, "--db", db, "stakeholders", acc["domain"])
    assert code == 0 and "Coverage" in out
    code, _, err = run(capsys, "--db", db, "stakeholders", "nowhere.example.com")
    assert code == 1 and "nowhere.example.com" in err and "Traceback" not in err
    code, out, _ = run(capsys, "--db", db, "stakeholders", "kcir", "--json")
    k = json.loads(out)
    assert code == 0 and set(k) == {"accounts", "identified", "rate"} and k["accounts"] > 0
    code, _, err = run(capsys, "--db", db, "stakeholders", "kcir", "--list", "No such list")
    assert code == 1 and "No such list" in err


def test_import_contacts_shapes(capsys, sqlite_workspace, tmp_path):
    db = sqlite_workspace.url
    p = tmp_path / "c.csv"
    p.write_text(CONTRACT_CSV, encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "import", "contacts", str(p), "--json")
    res = json.loads(out)
    assert code == 0 and {"created", "updated", "merged", "rejected", "errors"} <= set(res)
    assert res["rejected"] == 1 and res["errors"][0]["row"] == 2 and "Contract Test Co" in res["errors"][0]["message"]
    code, out, _ = run(capsys, "--db", db, "import", "contacts", str(p), "--create-accounts", "--dry-run")
    assert code == 0 and "1 created" in out and "Dry run" in out
    code, out, _ = run(capsys, "--db", db, "import", "contacts", str(p), "--create-accounts", "--json")
    assert json.loads(out)["created"] == 1
    st = json.loads(run(capsys, "--db", db, "stakeholders", "contract-test.example.com", "--json")[1])
    assert st["contacts"][0]["name"] == "Ada Lovelace" and st["contacts"][0]["seniority"] == "c_level"
