"""`bdr-desk accounts score [--json] [--dry-run]` and `bdr-desk accounts explain ID [--json]`."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from accounts.models import Account, AccountEvent, IcpRuleSet
from bdr_desk.cli import main
from tests.factories import add_accounts


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_json_then_nothing_left_to_change(capsys, workspace):
    add_accounts(workspace, 12)
    code, out, err = run(capsys, "--db", workspace.url, "accounts", "score", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {"scored", "changed", "tier_changes", "version"} <= set(data)
    assert data["scored"] == 12 and data["version"] == 1 and data["changed"] > 0
    assert all(isinstance(data[k], int) for k in ("scored", "changed", "tier_changes", "version"))
    code, out, _ = run(capsys, "--db", workspace.url, "accounts", "score", "--json")
    again = json.loads(out)
    assert code == 0 and again["changed"] == 0 and again["tier_changes"] == 0


def test_dry_run_lists_moves_and_writes_nothing(capsys, sqlite_workspace):
    ids = add_accounts(sqlite_workspace, 10)
    with sqlite_workspace.session() as s:
        before = dict(s.execute(select(Account.id, Account.icp_score)).all())
    code, out, err = run(capsys, "--db", sqlite_workspace.url, "accounts", "score", "--dry-run", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["dry_run"] is True and data["scored"] == 10 and data["version"] == 1
    assert data["tier_changes"] == len([m for m in data["tier_moves"] if not m["manual"]]) > 0
    assert {"account_id", "name", "old_tier", "new_tier", "old_score", "new_score", "manual"} <= set(data["tier_moves"][0])
    assert {m["account_id"] for m in data["tier_moves"]} <= set(ids)
    with sqlite_workspace.session() as s:
        assert dict(s.execute(select(Account.id, Account.icp_score)).all()) == before
        assert s.scalar(select(func.count(AccountEvent.id))) == 0
        assert s.scalar(select(func.count(IcpRuleSet.id))) == 0  # not even the default version was saved
    code, out, _ = run(capsys, "--db", sqlite_workspace.url, "accounts", "score", "--dry-run")
    assert code == 0 and "Dry run with ICP rules v1" in out and "nothing written" in out


def test_score_text_and_explain(capsys, sqlite_workspace):
    with sqlite_workspace.session() as s:
        acc = Account(name="Ledgerly", domain="ledgerly.example", industry="fintech", employees=300, hq_country="US",
                      tier=3, tier_is_manual=True)
        s.add(acc)
        s.flush()
        aid = acc.id
    code, out, _ = run(capsys, "--db", sqlite_workspace.url, "accounts", "explain", str(aid))
    assert code == 0 and "not been scored yet" in out
    code, out, _ = run(capsys, "--db", sqlite_workspace.url, "accounts", "score")
    assert code == 0 and "Rescored 1 accounts with ICP rules v1" in out and "1 manual tiers kept" in out
    code, out, _ = run(capsys, "--db", sqlite_workspace.url, "accounts", "explain", str(aid), "--json")
    data = json.loads(out)
    assert data["icp_score"] == 50 and data["tier"] == 3 and data["suggested_tier"] == 2
    assert data["tier_is_manual"] is True and data["up_to_date"] is True
    assert sum(r["points"] for r in data["explanation"]) == 50
    assert [r["rule"] for r in data["explanation"]] == ["target_industry", "core_size", "core_geo"]
    code, out, _ = run(capsys, "--db", sqlite_workspace.url, "accounts", "explain", str(aid))
    assert "ICP 50, tier 3 (manual override), suggested tier 2" in out and "+20  Target industry" in out


def test_explain_unknown_account_is_one_line(capsys, sqlite_workspace):
    code, out, err = run(capsys, "--db", sqlite_workspace.url, "accounts", "explain", "4242")
    assert code == 1 and out == ""
    assert err.strip() == "bdr-desk: error: there is no account with id 4242"
