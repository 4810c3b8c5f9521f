"""`bdr-desk sync …` against the stateful HubSpot fake on 127.0.0.1: JSON shape, dry run writes nothing, a real
run creates the records once, the journal lists it, no token anywhere; one-line errors without a token."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bdr_desk.cli import main
from bdr_desk.crm.models import ExternalRef, SyncRun
from tests.crm_support import seed
from tests.fake_hubspot import FakeHubSpot


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _count(ws, model):
    with ws.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_sync_hubspot_dry_run_then_push(capsys, sqlite_workspace, monkeypatch, tmp_path):
    seed(sqlite_workspace, n_accounts=3, contacts_per=2)
    db = sqlite_workspace.url
    with FakeHubSpot() as fake:
        monkeypatch.setenv("BDR_DESK_HUBSPOT_TOKEN", fake.token)
        code, out, err = run(capsys, "--db", db, "sync", "hubspot", "--base-url", fake.url, "--dry-run", "--json")
        res = json.loads(out)
        assert code == 0, err
        assert res["dry_run"] is True and res["preview"]
        for obj in ("account", "contact"):
            assert {"created", "updated", "deleted", "conflicts", "errors", "api_calls"} <= set(res["objects"][obj])
        assert res["objects"]["account"]["created"] == 3 and res["objects"]["contact"]["created"] == 6
        assert len(fake.live("companies")) == 0 and _count(sqlite_workspace, ExternalRef) == 0
        assert _count(sqlite_workspace, SyncRun) == 0  # a dry run keeps no journal row

        code, out, err = run(capsys, "--db", db, "sync", "hubspot", "--base-url", fake.url, "--push", "--json")
        res = json.loads(out)
        assert code == 0 and res["status"] == "ok", err
        assert (len(fake.live("companies")), len(fake.live("contacts"))) == (3, 6)
        assert res["api_calls"] >= 2

        code, out, _ = run(capsys, "--db", db, "sync", "hubspot", "--base-url", fake.url, "--json")
        again = json.loads(out)
        assert code == 0 and all(c["created"] == 0 for c in again["objects"].values())
        assert (len(fake.live("companies")), len(fake.live("contacts"))) == (3, 6)  # nothing duplicated

        code, out, _ = run(capsys, "--db", db, "sync", "journal", "--json")
        journal = json.loads(out)
        assert code == 0 and [r["direction"] for r in journal][:2] == ["both", "push"]
        token = fake.token
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), f"the token leaked into {path}"
    assert token not in out and token not in err


def test_sync_without_a_token_or_server_is_one_line(capsys, sqlite_workspace, monkeypatch):
    monkeypatch.delenv("BDR_DESK_HUBSPOT_TOKEN", raising=False)
    code, out, err = run(capsys, "--db", sqlite_workspace.url, "sync", "hubspot", "--base-url",
                         "http://127.0.0.1:9", "--dry-run", "--json")
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("BDR_DESK_HUBSPOT_TOKEN", "pat-na1-not-a-real-one")
    code, out, err = run(capsys, "--db", sqlite_workspace.url, "sync", "hubspot", "--base-url",
                         "http://127.0.0.1:9", "--json")
    assert code == 1 and "Traceback" not in err and "127.0.0.1:9" in err
    assert "pat-na1-not-a-real-one" not in out + err
