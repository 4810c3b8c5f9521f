"""`bdr-desk plan`: one account to a file, a list into a folder or one PDF, snapshots and the diff since the last
one; JSON shapes, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from docx import Document
from pypdf import PdfReader

from accounts.models import Account, Contact
from bdr_desk.cli import main
from bdr_desk.db import open_workspace
from tests.plan_factories import build_world


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, sqlite_template):
    """A demo workspace seeded once for the module (plans only add usage events and snapshots to it)."""
    path = tmp_path_factory.mktemp("cli-plans") / "w.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    assert main(["--db", url, "demo"]) == 0
    return url


def accounts(capsys, db):
    return {a["name"]: a for a in json.loads(run(capsys, "--db", db, "accounts", "list", "--json")[1])}


def test_plan_of_one_account_in_each_format(capsys, demo_db, tmp_path):
    acc = accounts(capsys, demo_db)["Northwind Ledger"]
    for ref, ext in ((str(acc["id"]), "pdf"), (acc["domain"], "docx"), ("Northwind Ledger", "md"),
                     (str(acc["id"]), "html")):
        code, out, err = run(capsys, "--db", demo_db, "plan", ref, "-o", str(tmp_path / f"p.{ext}"), "--json")
        res = json.loads(out)
        assert code == 0 and err == ""
        assert res["account_id"] == acc["id"] and res["account"] == "Northwind Ledger" and res["format"] == ext
        assert res["path"] == str(tmp_path / f"p.{ext}") and len(res["sections"]) == 9
        assert os.path.getsize(res["path"]) > 1000
    mask = os.umask(0)
    os.umask(mask)
    for ext in ("pdf", "docx", "md", "html"):  # written atomically, yet with the usual permissions (not 0600)
        assert (tmp_path / f"p.{ext}").stat().st_mode & 0o777 == 0o666 & ~mask
    assert not list(tmp_path.glob(".*"))  # no temporary files left beside them
    assert "Northwind Ledger" in PdfReader(str(tmp_path / "p.pdf")).pages[0].extract_text().replace("\t", " ")
    assert [p.text for p in Document(str(tmp_path / "p.docx")).paragraphs if p.style.name == "Title"] == [
        "Northwind Ledger"]
    code, out, _ = run(capsys, "--db", demo_db, "plan", str(acc["id"]), "-o", str(tmp_path / "h.md"))
    assert code == 0 and out.startswith(f"Wrote {tmp_path / 'h.md'} (MD, 9 sections) for Northwind Ledger")


def test_plan_with_a_template(capsys, demo_db, tmp_path):
    acc = accounts(capsys, demo_db)["Quillfeather Payments"]
    code, out, _ = run(capsys, "--db", demo_db, "plan", str(acc["id"]), "-o", str(tmp_path / "b.md"),
                       "--template", "One-page brief", "--json")
    assert code == 0 and json.loads(out)["sections"] == ["overview", "stakeholders", "messaging", "next_steps"]
    md = (tmp_path / "b.md").read_text()
    assert "## Stakeholder map" in md and "## Research highlights" not in md and "## Content" not in md


def test_plan_of_a_list_into_a_folder_and_one_pdf(capsys, demo_db, tmp_path):
    code, out, err = run(capsys, "--db", demo_db, "plan", "--list", "Q1 Fintech Tier 1", "-o",
                         str(tmp_path / "md"), "--format", "md", "--json")
    res = json.loads(out)
    assert code == 0 and res["accounts"] == 4 and res["format"] == "md" and not res["combined"]
    assert sorted(os.listdir(tmp_path / "md")) == sorted(os.path.basename(f) for f in res["files"])
    assert len(res["files"]) == 4 and res["content_recorded"] > 0
    code, out, _ = run(capsys, "--db", demo_db, "plan", "--list", "q1 fintech tier 1", "-o", str(tmp_path / "pdf"))
    assert code == 0 and "Wrote 4 PDF account plans of 'Q1 Fintech Tier 1'" in out
    assert len(os.listdir(tmp_path / "pdf")) == 4
    code, out, _ = run(capsys, "--db", demo_db, "plan", "--list", "Q1 Fintech Tier 1", "-o",
                       str(tmp_path / "all.pdf"), "--combined", "--json")
    res = json.loads(out)
    assert code == 0 and res["combined"] and res["files"] == [str(tmp_path / "all.pdf")]
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(str(tmp_path / "all.pdf")).pages)
    for name in ("Brassbridge Capital Tech", "Marlwood Clearing", "Northwind Ledger", "Quillfeather Payments"):
        assert f"Account plan: {name}" in text


def test_snapshot_and_diff_on_hand_made_changes(capsys, sqlite_workspace, tmp_path):
    world = build_world(sqlite_workspace)
    db = sqlite_workspace.url
    code, out, _ = run(capsys, "--db", db, "plan", "snapshot", "halcyon-mirror.example", "--label", "2026-Q3",
                       "--json")
    snap = json.loads(out)
    assert code == 0 and snap["label"] == "2026-Q3" and snap["account"] == "Halcyon Mirrorworks"
    assert snap["contacts"] == 3 and snap["tier"] == 2 and snap["coverage"] == 0.625
    code, out, _ = run(capsys, "--db", db, "plan", "diff", "Halcyon Mirrorworks", "--json")
    assert code == 0 and json.loads(out)["empty"] is True
    ws = open_workspace(db)
    with ws.session() as s:
        s.get(Contact, world.contacts["Peregrin Ashdown"]).left_company = True
        s.add(Contact(account_id=world.halcyon, first_name="Wilhelmina", last_name="Strand",
                      buying_role="technical_evaluator"))
        acc = s.get(Account, world.halcyon)
        acc.tier, acc.abm_stage = 1, "engaged"
    ws.dispose()
    code, out, _ = run(capsys, "--db", db, "plan", "diff", str(world.halcyon), "--json")
    d = json.loads(out)
    assert code == 0 and d["since"] == "2026-Q3" and d["snapshot_id"] == snap["id"] and not d["empty"]
    assert d["left"] == ["Peregrin Ashdown"] and d["joined"] == ["Wilhelmina Strand"]
    assert d["tier"] == [2, 1] and d["stage"] == ["researching", "engaged"] and d["coverage"] == [0.625, 0.5]
    assert "Left: Peregrin Ashdown" in d["changes"]
    code, out, _ = run(capsys, "--db", db, "plan", "diff", "halcyon-mirror.example")
    assert code == 0 and "since snapshot '2026-Q3'" in out and "Tier 2 → 1" in out
    code, _, _ = run(capsys, "--db", db, "plan", "halcyon-mirror.example", "-o", str(tmp_path / "s.md"),
                     "--since-last-snapshot")
    md = (tmp_path / "s.md").read_text()
    assert code == 0 and "**Since the last snapshot (2026-Q3)**" in md and "Joined: Wilhelmina Strand" in md
    code, out, _ = run(capsys, "--db", db, "plan", "snapshot", "halcyon-mirror.example")
    assert code == 0 and "Snapshot '20" in out and "of Halcyon Mirrorworks taken" in out


@pytest.mark.parametrize("args,words", [
    (["plan", "nowhere.example", "-o", "{tmp}/x.pdf"], "nowhere.example"),
    (["plan", "9999", "-o", "{tmp}/x.pdf"], "9999"),
    (["plan", "1", "-o", "{tmp}/x.odt"], "'.odt'"),
    (["plan", "1", "-o", "{tmp}/missing/x.pdf"], "does not exist"),
    (["plan", "1", "-o", "{tmp}/x.pdf", "--template", "Nope"], "no plan template named 'Nope'"),
    (["plan", "1"], "-o FILE is required"),
    (["plan"], "name one account"),
    (["plan", "1", "2", "-o", "{tmp}/x.pdf"], "one account at a time"),
    (["plan", "--list", "No such list", "-o", "{tmp}/out"], "no target list named 'No such list'"),
    (["plan", "--list", "Q1 Fintech Tier 1", "-o", "{tmp}/out", "--format", "md", "--combined"], "one PDF"),
    (["plan", "--list", "Q1 Fintech Tier 1"], "-o DIR is required"),
    (["plan", "1", "--list", "Q1 Fintech Tier 1", "-o", "{tmp}/out"], "not both"),
    (["plan", "1", "-o", "{tmp}/x.pdf", "--label", "Q4"], "--label"),
    (["plan", "snapshot"], "plan snapshot ACCOUNT"),
    (["plan", "snapshot", "nowhere.example"], "nowhere.example"),
    (["plan", "diff", "2"], "no plan snapshot yet"),
    (["plan", "diff", "2", "-o", "{tmp}/x.pdf"], "-o"),
])
def test_bad_input_is_a_one_line_error(capsys, demo_db, tmp_path, args, words):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = run(capsys, "--db", demo_db, *args)
    assert code == 1 and out == ""
    assert err.startswith("bdr-desk: error: ") and words in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob("x.*"))


def test_format_choice_is_checked_by_the_parser(capsys, demo_db, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", demo_db, "plan", "--list", "Q1 Fintech Tier 1", "-o", str(tmp_path), "--format", "odt"])
    assert exit_.value.code == 2 and "invalid choice: 'odt'" in capsys.readouterr().err
