"""The `bdr-desk` command: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bdr_desk import __version__
from bdr_desk.cli import main
from bdr_desk.db import SCHEMA_HEAD
from tests.factories import add_accounts


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"bdr-desk {__version__}"


def test_usage_error_is_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "invalid choice" in err and "Traceback" not in err


def test_accounts_list_json(capsys, workspace):
    add_accounts(workspace, 12)
    code, out, err = run(capsys, "--db", workspace.url, "accounts", "list", "--json", "--tier", "1", "--sort=-icp_score")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 4
    assert {"id", "name", "domain", "industry", "tier", "stage", "owner", "icp_score", "parent_id"} <= set(rows[0])
    assert all(r["tier"] == 1 for r in rows)
    assert [r["icp_score"] for r in rows] == sorted((r["icp_score"] for r in rows), reverse=True)
    code, out, _ = run(capsys, "--db", workspace.url, "accounts", "list", "--json", "--sort", "icp_score", "--desc")
    assert [r["icp_score"] for r in json.loads(out)] == sorted((r["icp_score"] for r in json.loads(out)), reverse=True)


def test_accounts_list_text(capsys, sqlite_workspace):
    add_accounts(sqlite_workspace, 3)
    code, out, _ = run(capsys, "--db", sqlite_workspace.url, "accounts", "list", "--search", "0001")
    assert code == 0
    assert "Company 0001" in out and "1 of 1 accounts" in out


def test_bad_sort_is_a_failure_not_a_traceback(capsys, sqlite_workspace):
    code, _, err = run(capsys, "--db", sqlite_workspace.url, "accounts", "list", "--sort", "colour")
    assert code == 1 and err.startswith("bdr-desk: error: cannot sort accounts by 'colour'")


def test_unreachable_database_is_one_line(capsys):
    code, _, err = run(capsys, "--db", "postgresql+psycopg://someone:s3cret@127.0.0.1:9/none", "accounts", "list")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "cannot open workspace" in err
    assert "s3cret" not in err


def test_db_url_from_environment(capsys, sqlite_workspace, monkeypatch):
    add_accounts(sqlite_workspace, 2)
    monkeypatch.setenv("BDR_DESK_DATABASE_URL", sqlite_workspace.url)
    code, out, _ = run(capsys, "accounts", "list", "--json")
    assert code == 0 and len(json.loads(out)) == 2


def test_db_upgrade_creates_default_workspace(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BDR_DESK_DATA_DIR", str(tmp_path / "data"))
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and f"revision {SCHEMA_HEAD}" in out
    assert (tmp_path / "data" / "workspace.db").exists()


def test_demo_seeds_once(capsys, workspace):
    code, out, err = run(capsys, "--db", workspace.url, "demo", "--json")
    assert code == 0, err
    assert json.loads(out)["accounts"] >= 30
    code, out, _ = run(capsys, "--db", workspace.url, "accounts", "list", "--json")
    accounts = json.loads(out)
    assert len(accounts) >= 30 and len({a["industry"] for a in accounts}) >= 5
    assert {a["tier"] for a in accounts} >= {1, 2, 3}
    code, _, err = run(capsys, "--db", workspace.url, "demo")
    assert code == 1 and "empty workspace" in err


def test_entry_point_installed(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "bdr-desk")
    r = subprocess.run([exe, "--db", f"sqlite:///{tmp_path}/x.db", "accounts", "list", "--json"],
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "BDR_DESK_DATA_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []
