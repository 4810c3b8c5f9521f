"""Sequences on both engines: business-day scheduling (weekends, holidays, configurable weekdays), enrolment
warnings and bulk enrolment, the Today list, step completion, the account-aware pause on reply or meeting."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from accounts.activities import complete_step, log_activity
from accounts.business_days import BusinessCalendar, CalendarError, load_calendar, save_calendar
from accounts.models import Account, Activity, Contact, Enrollment, MessageTemplate
from accounts.sequences import (
    SequenceError,
    StepDraft,
    due_steps,
    enroll,
    pause_account,
    remove,
    resume,
    save_sequence,
)

FRI = dt.date(2026, 12, 4)  # a Friday
MON = dt.date(2026, 12, 7)


def test_business_days_skip_weekends_and_holidays():
    cal = BusinessCalendar()
    assert cal.add_business_days(FRI, 0) == FRI
    assert cal.add_business_days(FRI, 1) == MON
    assert cal.add_business_days(dt.date(2026, 12, 5), 0) == MON  # Saturday → Monday
    assert cal.add_business_days(FRI, 5) == dt.date(2026, 12, 11)
    xmas = BusinessCalendar(holidays=frozenset({dt.date(2026, 12, 24), dt.date(2026, 12, 25)}))
    assert xmas.add_business_days(dt.date(2026, 12, 23), 1) == dt.date(2026, 12, 28)
    middle_east = BusinessCalendar(weekdays=frozenset({6, 0, 1, 2, 3}))  # Sunday to Thursday
    assert middle_east.add_business_days(dt.date(2026, 12, 3), 1) == dt.date(2026, 12, 6)
    with pytest.raises(CalendarError):
        BusinessCalendar(weekdays=frozenset())


@pytest.fixture
def setup(workspace):
    with workspace.session() as s:
        acc = Account(name="Acme", domain="acme.example", abm_stage="target")
        other = Account(name="Globex", domain="globex.example", abm_stage="target")
        s.add_all([acc, other])
        s.flush()
        people = [Contact(account_id=acc.id, first_name=n, last_name="Acme", email=f"{n.lower()}@acme.example")
                  for n in ("Ann", "Bob", "Cid")]
        people.append(Contact(account_id=acc.id, first_name="Dee", last_name="NoMail"))
        people.append(Contact(account_id=acc.id, first_name="Eve", last_name="Gone", email="eve@acme.example",
                              left_company=True))
        people.append(Contact(account_id=other.id, first_name="Gil", last_name="Globex", email="gil@globex.example"))
        tpl = MessageTemplate(name="Opener", channel="email", subject="Hi", body="Hi {{ contact.first_name }}")
        s.add_all([*people, tpl])
        s.flush()
        seq = save_sequence(s, "Three touch", [StepDraft(0, "email", tpl.id), StepDraft(2, "call", None, "Call"),
                                               StepDraft(5, "linkedin", None, "Connect")])
        return {"acc": acc.id, "other": other.id, "seq": seq.id, "tpl": tpl.id,
                **{c.first_name: c.id for c in people}}


def _enrollment(s, contact_id):
    return s.scalar(select(Enrollment).where(Enrollment.contact_id == contact_id))


def test_enrol_warns_and_skips_then_force(workspace, setup):
    with workspace.session() as s:
        res = enroll(s, setup["seq"], [setup["Ann"], setup["Dee"], setup["Eve"], setup["Ann"]], today=FRI)
        assert res.enrolled == [setup["Ann"]]
        kinds = {(w.contact_id, w.kind) for w in res.skipped}
        assert kinds == {(setup["Dee"], "missing_email"), (setup["Eve"], "left_company")}
        again = enroll(s, setup["seq"], [setup["Ann"], setup["Dee"]], today=FRI, include_warned=True)
        assert again.enrolled == [setup["Dee"]]
        assert [w.kind for w in again.skipped] == ["already_in_sequence"]
        second = save_sequence(s, "Other", [StepDraft(0, "call", None, "Call")])
        res = enroll(s, second.id, [setup["Ann"]], today=FRI)
        assert [w.kind for w in res.skipped] == ["in_other_sequence"] and res.enrolled == []
        with pytest.raises(SequenceError, match="no contact with id 999999"):
            enroll(s, setup["seq"], [999999], today=FRI)


def test_steps_are_scheduled_on_business_days_and_advance_on_completion(workspace, setup):
    with workspace.session() as s:
        enroll(s, setup["seq"], [setup["Ann"]], today=FRI)
        e = _enrollment(s, setup["Ann"])
        assert (e.current_step, e.next_due_at.date()) == (1, FRI)
        friday_evening = dt.datetime(2026, 12, 4, 17, 0, tzinfo=dt.UTC)
        logged = complete_step(s, e.id, subject="Hi", now=friday_evening)
        assert logged.activity.type == "email" and logged.activity.step_position == 1
        assert (e.current_step, e.next_due_at.date()) == (2, dt.date(2026, 12, 8))  # 2 business days: Tue
        complete_step(s, e.id, outcome="voicemail", now=dt.datetime(2026, 12, 8, 10, tzinfo=dt.UTC))
        assert (e.current_step, e.next_due_at.date()) == (3, dt.date(2026, 12, 11))  # 5 - 2 = 3 days: Fri
        complete_step(s, e.id, outcome="connection_sent", now=dt.datetime(2026, 12, 11, 10, tzinfo=dt.UTC))
        assert (e.status, e.next_due_at) == ("finished", None)
        steps = s.scalars(select(Activity.step_position).where(Activity.enrollment_id == e.id)
                          .order_by(Activity.id)).all()
        assert steps == [1, 2, 3]
        with pytest.raises(SequenceError, match="finished"):
            complete_step(s, e.id)


def test_holidays_in_the_workspace_calendar_move_due_dates(workspace, setup):
    with workspace.session() as s:
        save_calendar(s, BusinessCalendar(holidays=frozenset({MON})))
        assert load_calendar(s).holidays == {MON}
        enroll(s, setup["seq"], [setup["Ann"]], today=FRI)
        e = _enrollment(s, setup["Ann"])
        complete_step(s, e.id, now=dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC))
        assert e.next_due_at.date() == dt.date(2026, 12, 9)  # Tue is day 1 (Mon is a holiday), Wed day 2


def test_today_lists_due_and_overdue_steps_only(workspace, setup):
    with workspace.session() as s:
        enroll(s, setup["seq"], [setup["Ann"], setup["Bob"], setup["Cid"], setup["Gil"]], today=FRI)
        by = {c: _enrollment(s, setup[c]) for c in ("Ann", "Bob", "Cid", "Gil")}
        by["Bob"].next_due_at = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
        by["Cid"].next_due_at = dt.datetime(2026, 12, 8, 12, tzinfo=dt.UTC)
        remove(s, by["Gil"].id)
        s.flush()
        # Friday afternoon in New York and Friday morning in Sydney: the same local calendar day
        for zone in (dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=10))):
            rows = due_steps(s, dt.datetime(2026, 12, 4, 9, tzinfo=zone))
            assert [(r.contact, r.overdue, r.step, r.steps, r.channel) for r in rows] == [
                ("Bob Acme", True, 1, 3, "email"), ("Ann Acme", False, 1, 3, "email")]
        assert rows[0].template == "Opener" and rows[0].account == "Acme"
        assert due_steps(s, dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC))[-1].contact == "Cid Acme"


@pytest.mark.parametrize(("kind", "outcome", "pauses"), [
    ("email", "replied", True), ("linkedin", "replied", True), ("meeting", "booked", True),
    ("call", "voicemail", False), ("email", "sent", False), ("note", None, False)])
def test_a_reply_or_a_meeting_anywhere_at_the_account_pauses_its_enrolments(workspace, setup, kind, outcome, pauses):
    with workspace.session() as s:
        enroll(s, setup["seq"], [setup["Ann"], setup["Bob"], setup["Gil"]], today=FRI)
        logged = log_activity(s, kind=kind, contact_id=setup["Cid"], outcome=outcome)  # Cid is not enrolled
        statuses = {c: _enrollment(s, setup[c]).status for c in ("Ann", "Bob", "Gil")}
        assert statuses == {"Ann": "paused" if pauses else "active", "Bob": "paused" if pauses else "active",
                            "Gil": "active"}
        assert len(logged.paused) == (2 if pauses else 0)
        if pauses:
            assert "Cid Acme" in _enrollment(s, setup["Ann"]).paused_reason
            assert due_steps(s, dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC))[0].contact == "Gil Globex"
            e = resume(s, _enrollment(s, setup["Ann"]).id, dt.date(2026, 12, 5))
            assert (e.status, e.next_due_at.date(), e.paused_reason) == ("active", MON, None)


def test_a_reply_logged_as_the_step_outcome_pauses_instead_of_advancing(workspace, setup):
    with workspace.session() as s:
        enroll(s, setup["seq"], [setup["Ann"]], today=FRI)
        e = _enrollment(s, setup["Ann"])
        complete_step(s, e.id, outcome="replied", now=dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC))
        assert (e.status, e.current_step) == ("paused", 1)
        with pytest.raises(SequenceError, match="resume"):
            complete_step(s, e.id)


def test_enrolling_a_thousand_contacts_at_once(workspace, setup):
    with workspace.session() as s:
        s.add_all(Contact(account_id=setup["other"], first_name=f"P{i}", email=f"p{i}@globex.example")
                  for i in range(1000))
        s.flush()
        ids = s.scalars(select(Contact.id).where(Contact.first_name.like("P%"))).all()
        res = enroll(s, setup["seq"], ids, today=FRI)
        assert len(res.enrolled) == 1000 and not res.skipped
        assert s.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.status == "active")) == 1000
        assert len(due_steps(s, dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC))) == 1000


def test_sequence_validation_and_edit_in_place(workspace, setup):
    with workspace.session() as s:
        for steps, msg in (([], "at least one step"), ([StepDraft(3, "email", setup["tpl"]), StepDraft(1, "call")],
                                                         "step 2: day 1 comes before"),
                           ([StepDraft(0, "fax")], "unknown channel 'fax'"),
                           ([StepDraft(0, "linkedin", setup["tpl"])], "is for email, not linkedin"),
                           ([StepDraft(0, "email")], "needs a template or an instruction")):
            with pytest.raises(SequenceError, match=msg):
                save_sequence(s, "Bad", steps)
        with pytest.raises(SequenceError, match="already exists"):
            save_sequence(s, "three TOUCH", [StepDraft(0, "call")])
        enroll(s, setup["seq"], [setup["Ann"]], today=FRI)
        e = _enrollment(s, setup["Ann"])
        e.current_step = 3
        seq = save_sequence(s, "Three touch", [StepDraft(0, "email", setup["tpl"]), StepDraft(1, "call")],
                            sequence_id=setup["seq"])
        assert [(st.position, st.day_offset) for st in seq.steps] == [(1, 0), (2, 1)]
        assert e.status == "finished"


def test_pause_account_directly(workspace, setup):
    with workspace.session() as s:
        enroll(s, setup["seq"], [setup["Ann"], setup["Gil"]], today=FRI)
        assert pause_account(s, setup["acc"], "Out of office") == [_enrollment(s, setup["Ann"]).id]
        with pytest.raises(SequenceError, match="not paused"):
            resume(s, _enrollment(s, setup["Gil"]).id, FRI)
