"""`bdr-desk import accounts` and `bdr-desk duplicates`: JSON shapes, exit codes, the contract check."""

from __future__ import annotations

import json

from bdr_desk.cli import main

CONTRACT_CSV = ("Company name,Website,Number of Employees\n"
                "Contract Test Co,https://www.contract-test.example.com/about,\"12,000\"\n,,\n")


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_contract(capsys, sqlite_workspace, tmp_path):
    db = sqlite_workspace.url
    assert run(capsys, "--db", db, "demo")[0] == 0
    p = tmp_path / "a.csv"
    p.write_text(CONTRACT_CSV, encoding="utf-8-sig")
    code, out, _ = run(capsys, "--db", db, "import", "accounts", str(p), "--json")
    res = json.loads(out)
    assert code == 0 and {"created", "updated", "merged", "rejected", "errors"} <= set(res)
    assert res["created"] == 1 and res["errors"] == []
    res = json.loads(run(capsys, "--db", db, "import", "accounts", str(p), "--json")[1])
    assert res["created"] == 0
    accounts = json.loads(run(capsys, "--db", db, "accounts", "list", "--json")[1])
    assert any(a["domain"] == "contract-test.example.com" for a in accounts)
    code, out, _ = run(capsys, "--db", db, "duplicates", "--json")
    assert code == 0 and isinstance(json.loads(out), list)


def test_errors_json_and_text(capsys, sqlite_workspace, tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("Name;Employees\nAcme;many\nBeta;5\n", encoding="utf-8")
    res = json.loads(run(capsys, "--db", sqlite_workspace.url, "import", "accounts", str(p), "--json",
                         "--dry-run")[1])
    assert res["rejected"] == 1 and res["errors"] == [
        {"row": 2, "column": "Employees", "message": res["errors"][0]["message"]}]
    assert res["created"] == 1 and res["dry_run"] is True
    code, out, _ = run(capsys, "--db", sqlite_workspace.url, "import", "accounts", str(p), "--list", "New list")
    assert code == 0 and "1 created" in out and "row 2 [Employees]" in out


def test_map_override(capsys, sqlite_workspace, tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("Firma,Netz\nAcme,acme.example.com\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", sqlite_workspace.url, "import", "accounts", str(p), "--json")
    assert code == 1 and "map at least one" in err
    res = json.loads(run(capsys, "--db", sqlite_workspace.url, "import", "accounts", str(p), "--json",
                         "--map", "Firma=name", "--map", "Netz=domain")[1])
    assert res["created"] == 1


def test_unreadable_file_is_one_line(capsys, sqlite_workspace, tmp_path):
    code, _, err = run(capsys, "--db", sqlite_workspace.url, "import", "accounts", str(tmp_path / "none.csv"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    code, _, err = run(capsys, "--db", sqlite_workspace.url, "import", "accounts", str(p))
    assert code == 1 and "is empty" in err


def test_duplicates_merge_and_dismiss(capsys, sqlite_workspace, tmp_path):
    db = sqlite_workspace.url
    p = tmp_path / "d.csv"
    p.write_text("Name,Domain\nHooli Inc,hooli.example.com\nHooli Incorporated,hooli.example.net\n"
                 "Pied Piper,pp.example.com\nPied Piper LLC,piedpiper.example.com\n")
    run(capsys, "--db", db, "import", "accounts", str(p), "--json")
    pairs = json.loads(run(capsys, "--db", db, "duplicates", "--json")[1])
    assert len(pairs) == 2 and set(pairs[0]) == {"a", "b", "score", "reason"}
    assert set(pairs[0]["a"]) == {"id", "name", "domain"}
    hooli = next(x for x in pairs if "Hooli" in x["a"]["name"])
    piper = next(x for x in pairs if "Piper" in x["a"]["name"])
    code, out, _ = run(capsys, "--db", db, "duplicates", "merge", str(hooli["a"]["id"]), str(hooli["b"]["id"]),
                       "--json")
    assert code == 0 and json.loads(out)["kept"] == hooli["a"]["id"]
    assert run(capsys, "--db", db, "duplicates", "dismiss", str(piper["a"]["id"]), str(piper["b"]["id"]))[0] == 0
    assert json.loads(run(capsys, "--db", db, "duplicates", "--json")[1]) == []
    code, _, err = run(capsys, "--db", db, "duplicates", "merge", "1", "999999")
    assert code == 1 and "does not exist" in err
