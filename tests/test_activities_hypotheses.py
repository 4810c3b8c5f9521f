"""Activity logging effects (last touch, coverage, ABM stage, timeline) and pain hypotheses with the message
map and its collateral, on both engines; the 0005 migration's due-date backfill."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, select, text

from accounts.activities import ActivityError, log_activity, outcome_label
from accounts.hypotheses import (
    HypothesisDraft,
    HypothesisError,
    delete_map_entry,
    message_map,
    save_hypothesis,
    save_map_entry,
    set_status,
)
from accounts.models import Account, AccountEvent, Contact, Message, Signal
from accounts.sequences import StepDraft, save_sequence
from bdr_desk.db import open_workspace, upgrade_schema
from content_library.collateral import (
    attach_to_message,
    message_attachments,
    set_map_collateral,
    with_collateral,
)
from content_library.items import ContentError
from content_library.models import ContentItem, ContentUsage

T0 = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)


@pytest.fixture
def acme(workspace):
    with workspace.session() as s:
        acc = Account(name="Acme", domain="acme.example", abm_stage="target")
        s.add(acc)
        s.flush()
        jane = Contact(account_id=acc.id, first_name="Jane", last_name="Doe", email="jane@acme.example")
        sig = Signal(account_id=acc.id, kind="hiring", title="Hiring 4 accountants")
        s.add_all([jane, sig])
        s.flush()
        return {"acc": acc.id, "jane": jane.id, "signal": sig.id}


@pytest.mark.parametrize(("kind", "outcome", "coverage", "stage"), [
    ("email", None, "contacted", "target"),
    ("call", "voicemail", "contacted", "target"),
    ("call", "wrong_person", "identified", "target"),
    ("call", "connected", "engaged", "engaged"),
    ("email", "replied", "engaged", "engaged"),
    ("meeting", "booked", "engaged", "meeting_booked"),
    ("meeting", "held", "meeting_held", "meeting_booked"),
    ("note", None, "identified", "target"),
])
def test_activity_effects(workspace, acme, kind, outcome, coverage, stage):
    with workspace.session() as s:
        logged = log_activity(s, kind=kind, contact_id=acme["jane"], outcome=outcome, note="n", occurred_at=T0)
        jane, acc = s.get(Contact, acme["jane"]), s.get(Account, acme["acc"])
        assert (jane.coverage_status, acc.abm_stage) == (coverage, stage)
        touched = kind != "note"
        assert (jane.last_touch_at == T0) is touched and (acc.last_activity_at == T0) is touched
        events = s.scalars(select(AccountEvent.summary).where(AccountEvent.kind == "stage_changed")).all()
        assert len(events) == (stage != "target")
        assert (logged.stage is not None) == (stage != "target")
        assert logged.activity.direction == ("inbound" if outcome == "replied" else
                                             (None if kind == "note" else "outbound"))


def test_coverage_and_stage_only_move_forward(workspace, acme):
    with workspace.session() as s:
        log_activity(s, kind="meeting", contact_id=acme["jane"], outcome="held", occurred_at=T0)
        log_activity(s, kind="email", contact_id=acme["jane"], occurred_at=T0 - dt.timedelta(days=3))
        jane, acc = s.get(Contact, acme["jane"]), s.get(Account, acme["acc"])
        assert jane.coverage_status == "meeting_held" and jane.last_touch_at == T0  # older touch: no rewind
        acc.abm_stage = "opportunity"
        log_activity(s, kind="meeting", contact_id=acme["jane"], outcome="booked", occurred_at=T0)
        assert acc.abm_stage == "opportunity"


def test_bad_activity_input_is_refused_with_the_value_named(workspace, acme):
    with workspace.session() as s:
        cases = [({"kind": "fax"}, "unknown activity type 'fax'"),
                 ({"kind": "call", "outcome": "maybe"}, "unknown outcome 'maybe' for a call"),
                 ({"kind": "note", "outcome": "held"}, "a note has no outcome"),
                 ({"kind": "call", "contact_id": 999999}, "no contact with id 999999"),
                 ({"kind": "call"}, "against a contact or an account"),
                 ({"kind": "call", "contact_id": acme["jane"], "occurred_at": dt.datetime(2026, 1, 1)},
                  "timezone-aware")]
        for kwargs, msg in cases:
            with pytest.raises(ActivityError, match=msg):
                log_activity(s, **kwargs)
        assert log_activity(s, kind="Call", account_id=acme["acc"], outcome="No Answer").activity.outcome == "no_answer"
    assert outcome_label("no_answer") == "No answer" and outcome_label("held") == "Held"


def test_hypothesis_lifecycle_and_message_map(workspace, acme):
    with workspace.session() as s:
        h = save_hypothesis(s, acme["acc"], HypothesisDraft(
            "Audit readiness", "Audit evidence is assembled by hand", evidence="4 open accountant roles",
            evidence_signal_id=acme["signal"], confidence=60, persona="CFO"))
        assert (h.pain, h.persona, h.status) == ("audit_readiness", "cfo", "untested")
        with pytest.raises(HypothesisError, match="say which conversation"):
            set_status(s, h.id, "confirmed")
        call = log_activity(s, kind="call", contact_id=acme["jane"], outcome="connected").activity
        set_status(s, h.id, "confirmed", activity_id=call.id, note="Jane: the auditors found 3 gaps")
        assert (h.status, h.status_activity_id) == ("confirmed", call.id)
        seq = save_sequence(s, "Audit", [StepDraft(0, "call", None, "Ask about the last audit")])
        line = save_map_entry(s, h.id, "Evidence pack the moment the control runs", sequence_step_id=seq.steps[0].id)
        assert line.persona == "cfo"  # the hypothesis' persona by default
        item = ContentItem(title="Fintech audit case study", type="case_study", status="published",
                           url="https://cdn.example/cs.pdf")
        draft = ContentItem(title="Old deck", type="deck", status="archived")
        s.add_all([item, draft])
        s.flush()
        set_map_collateral(s, line.id, [item.id])
        with pytest.raises(ContentError, match="archived content cannot be used: Old deck"):
            set_map_collateral(s, line.id, [draft.id])
        s.add(Message(account_id=acme["acc"], contact_id=acme["jane"], hypothesis_id=h.id, body="b"))
        s.flush()
        [branch] = with_collateral(s, message_map(s, acme["acc"]))
        assert (branch.pain_label, branch.persona_label, branch.messages) == ("Audit readiness", "CFO / Finance leader", 1)
        [mline] = branch.lines
        assert mline.collateral == [(item.id, "Fintech audit case study")]
        assert mline.step_label == "Audit · step 1 (call, day 0)"
        delete_map_entry(s, line.id)
        assert message_map(s, acme["acc"])[0].lines == []
        for draft_bad, msg in ((HypothesisDraft("nope", "x"), "unknown pain 'nope'"),
                               (HypothesisDraft("audit_readiness", " "), "needs a statement"),
                               (HypothesisDraft("audit_readiness", "x", confidence=140), "confidence must be"),
                               (HypothesisDraft("audit_readiness", "x", evidence_signal_id=999999), "not one of")):
            with pytest.raises(HypothesisError, match=msg):
                save_hypothesis(s, acme["acc"], draft_bad)


def test_attaching_content_to_a_message_records_usage_once(workspace, acme):
    with workspace.session() as s:
        item = ContentItem(title="ROI one-pager", type="one_pager", status="published")
        msg = Message(account_id=acme["acc"], contact_id=acme["jane"], body="b")
        s.add_all([item, msg])
        s.flush()
        attach_to_message(s, msg.id, [item.id])
        attach_to_message(s, msg.id, [item.id])
        uses = s.scalars(select(ContentUsage).where(ContentUsage.item_id == item.id)).all()
        assert [(u.kind, u.account_id, u.contact_id, u.message_id) for u in uses] == [
            ("attached", acme["acc"], acme["jane"], msg.id)]
        assert [i.title for i in message_attachments(s, msg.id)] == ["ROI one-pager"]
        with pytest.raises(ContentError, match="no content item with id 999999"):
            attach_to_message(s, msg.id, [999999])


def test_migration_0005_backfills_due_dates_of_active_enrolments(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    upgrade_schema(engine, "0004")
    with engine.begin() as c:
        c.execute(text("INSERT INTO accounts (id, name, abm_stage, tier_is_manual, version, created_at, updated_at) "
                       "VALUES (1, 'A', 'target', 0, 1, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"))
        c.execute(text("INSERT INTO contacts (id, account_id, first_name, sentiment, coverage_status, source, "
                       "left_company, version, created_at, updated_at) VALUES (1, 1, 'C', 'unknown', 'identified', "
                       "'manual', 0, 1, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"))
        c.execute(text("INSERT INTO sequences (id, name, active, created_at, updated_at) "
                       "VALUES (1, 'S', 1, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"))
        c.execute(text("INSERT INTO sequence_steps (sequence_id, position, day_offset, channel) "
                       "VALUES (1, 1, 0, 'email'), (1, 2, 3, 'call')"))
        c.execute(text("INSERT INTO enrollments (sequence_id, contact_id, status, current_step, enrolled_at) "
                       "VALUES (1, 1, 'active', 2, '2026-11-20 09:00:00.000000')"))
    engine.dispose()
    ws = open_workspace(url)
    try:
        from accounts.models import Enrollment
        with ws.session() as s:
            e = s.scalar(select(Enrollment))
            assert e.next_due_at == dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    finally:
        ws.dispose()
