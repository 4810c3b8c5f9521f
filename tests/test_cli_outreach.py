"""`templates`, `message render`, `sequences`, `tasks today` and `activity log` on the demo workspace:
JSON shapes, real effects, exit codes and one-line errors."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from accounts.models import Account, Activity, Contact, Enrollment, MessageTemplate
from bdr_desk.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo(capsys, sqlite_workspace):
    db = sqlite_workspace.url
    assert run(capsys, "--db", db, "demo")[0] == 0
    return db


def _contact(ws, **where):
    with ws.session() as s:
        stmt = select(Contact.id, Contact.email, Contact.first_name, Contact.account_id).order_by(Contact.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(Contact, k) == v)
        return s.execute(stmt.limit(1)).one()


def test_templates_list_and_add(capsys, demo, sqlite_workspace, tmp_path):
    code, out, _ = run(capsys, "--db", demo, "templates", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 5 and {"id", "name", "channel"} <= set(rows[0])
    assert {r["channel"] for r in rows} >= {"email", "linkedin", "call"}
    body = tmp_path / "t.j2"
    body.write_text("Hi {{ contact.first_name | default('there') }}, {{ account.name }}", encoding="utf-8")
    code, out, _ = run(capsys, "--db", demo, "templates", "add", str(body), "--name", "Hello", "--subject",
                       "Hello {{ account.name }}", "--channel", "LinkedIn note", "--json")
    assert code == 0 and json.loads(out)["channel"] == "linkedin"
    code, _, err = run(capsys, "--db", demo, "templates", "add", str(body), "--name", "hello")
    assert code == 1 and "already exists" in err
    body.write_text("changed", encoding="utf-8")
    assert run(capsys, "--db", demo, "templates", "add", str(body), "--name", "Hello", "--replace")[0] == 0
    with sqlite_workspace.session() as s:
        assert s.scalar(select(MessageTemplate.body).where(MessageTemplate.name == "Hello")) == "changed"
    bad = tmp_path / "bad.j2"
    bad.write_text("ok\n{% for x in %}", encoding="utf-8")
    code, _, err = run(capsys, "--db", demo, "templates", "add", str(bad), "--name", "Bad")
    assert code == 1 and "line 2, column 1" in err and "Traceback" not in err
    bad.write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    assert run(capsys, "--db", demo, "templates", "add", str(bad), "--name", "Esc")[0] == 0  # stored, fails at render
    code, _, err = run(capsys, "--db", demo, "templates", "add", str(tmp_path / "none.j2"), "--name", "X")
    assert code == 1 and "none.j2: no such file" in err


def test_message_render(capsys, demo, sqlite_workspace, tmp_path):
    c = _contact(sqlite_workspace, left_company=False)
    code, out, _ = run(capsys, "--db", demo, "message", "render", "Cold opener - month-end close", "--contact",
                       c.email, "--json")
    r = json.loads(out)
    with sqlite_workspace.session() as s:
        acc_name = s.get(Account, c.account_id).name
    assert code == 0 and set(r) == {"subject", "body", "missing"} and r["missing"] == []
    assert acc_name in r["subject"] and r["body"].startswith(f"Hi {c.first_name},")
    strict = tmp_path / "s.j2"
    strict.write_text("Dear {{ contact.first_name }} {{ contact.phone }} {{ hypothesis.pain }}", encoding="utf-8")
    run(capsys, "--db", demo, "templates", "add", str(strict), "--name", "Strict")
    with sqlite_workspace.session() as s:
        s.get(Contact, c.id).phone = None
    code, out, err = run(capsys, "--db", demo, "message", "render", "Strict", "--contact", str(c.id), "--json")
    assert code == 1 and json.loads(out)["missing"] == ["contact.phone", "hypothesis.pain"]
    assert "unfilled merge fields: contact.phone, hypothesis.pain" in err
    strict.write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    run(capsys, "--db", demo, "templates", "add", str(strict), "--name", "Strict", "--replace")
    code, out, err = run(capsys, "--db", demo, "message", "render", "Strict", "--contact", str(c.id))
    assert code == 1 and "not allowed" in err and "Traceback" not in err and out == ""
    for args, msg in ((["Nope", "--contact", str(c.id)], "no template with id or name 'Nope'"),
                      (["Strict", "--contact", "ghost@nowhere.example"], "no contact with e-mail")):
        code, _, err = run(capsys, "--db", demo, "message", "render", *args)
        assert code == 1 and msg in err


def test_tasks_today_and_activity_log(capsys, demo, sqlite_workspace):
    code, out, _ = run(capsys, "--db", demo, "tasks", "today", "--json")
    rows = json.loads(out)
    assert code == 0 and rows
    assert {"contact", "account", "channel", "due", "step"} <= set(rows[0])
    steps = [r for r in rows if r["kind"] == "sequence_step"]
    assert steps and all(isinstance(r["step"], int) for r in steps)
    assert rows == sorted(rows, key=lambda r: (r["due"], r["account"] or ""))
    target = steps[0]
    with sqlite_workspace.session() as s:
        acc_id = target["account_id"]
        enrolled_here = s.scalar(select(func.count()).select_from(Enrollment).join(Contact).where(
            Contact.account_id == acc_id, Enrollment.status == "active"))
        before = s.scalar(select(func.count()).select_from(Activity))
    code, out, _ = run(capsys, "--db", demo, "activity", "log", "--contact", str(target["contact_id"]), "--type",
                       "meeting", "--outcome", "booked", "--note", "Demo on Tuesday", "--json")
    res = json.loads(out)
    assert code == 0 and len(res["paused_enrollments"]) == enrolled_here
    with sqlite_workspace.session() as s:
        assert s.get(Account, acc_id).abm_stage in ("meeting_booked", "opportunity", "won", "lost")
        assert s.scalar(select(func.count()).select_from(Activity)) == before + 1
    code, out, _ = run(capsys, "--db", demo, "tasks", "today", "--json")
    assert all(r["account_id"] != acc_id for r in json.loads(out) if r["kind"] == "sequence_step")
    code, _, err = run(capsys, "--db", demo, "activity", "log", "--contact", str(target["contact_id"]), "--type",
                       "call", "--outcome", "maybe")
    assert code == 1 and "unknown outcome 'maybe' for a call" in err
    with sqlite_workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Activity)) == before + 1
    code, _, err = run(capsys, "--db", demo, "activity", "log", "--contact", "1", "--type", "call", "--at", "noon")
    assert code == 1 and "--at 'noon'" in err


def test_sequences_list_and_enroll(capsys, demo, sqlite_workspace):
    code, out, _ = run(capsys, "--db", demo, "sequences", "list", "--json")
    seqs = json.loads(out)
    assert code == 0 and seqs and {"id", "name", "steps", "active_enrollments"} <= set(seqs[0])
    gone = _contact(sqlite_workspace, left_company=True)
    code, out, _ = run(capsys, "--db", demo, "sequences", "enroll", seqs[0]["name"], str(gone.id), "--json")
    res = json.loads(out)
    assert code == 0 and res["enrolled"] == [] and res["skipped"][0]["kind"] in ("left_company", "in_other_sequence",
                                                                                "already_in_sequence")
    code, _, err = run(capsys, "--db", demo, "sequences", "enroll", "No such", str(gone.id))
    assert code == 1 and "no sequence with id or name 'No such'" in err
