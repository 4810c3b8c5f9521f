"""pytest-qt: the Today view (due steps with tasks, Mark done advances the enrolment, Log call records the outcome
and moves coverage), the quick-log dialog, enrolment warnings, the sequences view and editor, business days."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from accounts.business_days import BusinessCalendar, load_calendar, save_calendar
from accounts.models import Account, Activity, Contact, Enrollment
from accounts.sequences import StepDraft, due_at, enroll, save_sequence
from tests.messaging_seed import seed
from ui import dialogs
from ui.messaging import common, data
from ui.messaging.calendar_settings import BusinessCalendarSettings
from ui.messaging.common import BADGE_ROLE
from ui.messaging.composer import ComposerDialog
from ui.messaging.enroll_dialog import EnrollDialog
from ui.messaging.models import KIND_ROLE, TodayModel
from ui.messaging.quick_log import QuickLogDialog
from ui.messaging.sequence_editor import SequenceEditorDialog
from ui.messaging.sequences_view import SequencesView
from ui.messaging.today_view import TodayView
from ui.pages.outreach_page import OutreachPage

TODAY = dt.date.today()


@pytest.fixture
def errors(monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": seen.append(msg))
    monkeypatch.setattr(dialogs, "ask", lambda *a: True)
    return seen


@pytest.fixture
def world(ctx):
    """The seeded account owned by the user, every day a business day (steps are due the day they say)."""
    ids = seed(ctx.workspace, owner_id=ctx.user.id)
    with ctx.workspace.session() as s:
        save_calendar(s, BusinessCalendar(frozenset(range(7))))
    return ids


def _enrol(ctx, sequence_id, *contact_ids):
    with ctx.workspace.session() as s:
        return enroll(s, sequence_id, contact_ids, today=TODAY, user_id=ctx.user.id, include_warned=True)


def _drive(monkeypatch, step):
    shown = []
    monkeypatch.setattr(common, "run_dialog", lambda dlg: (shown.append(dlg), step(dlg))[1])
    return shown


def _select_step(view: TodayView, contact: str) -> None:
    m = view.model
    for g in range(m.rowCount()):
        for r in range(m.rowCount(m.index(g, 0))):
            ix = m.index(r, 0, m.index(g, 0))
            if ix.data(KIND_ROLE) == "step" and m.index(r, TodayModel.CONTACT, m.index(g, 0)).data() == contact:
                view.tree.setCurrentIndex(ix)
                return
    raise AssertionError(f"no step for {contact}")


def _enrolment(ctx, contact_id):
    with ctx.workspace.session() as s:
        e = s.scalars(select(Enrollment).where(Enrollment.contact_id == contact_id)).one()
        return e.status, e.current_step, e.next_due_at


def test_today_lists_the_due_step_and_mark_done_advances_it(qtbot, qtmodeltester, ctx, world, monkeypatch,
                                                             errors):
    _enrol(ctx, world.sequence, world.ada)
    page = OutreachPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    m = page.tasks_model
    assert m.index(0, 0).data() == "Due today · 1" and page.due_card.value.text() == "1"
    step = m.index(0, 0, m.index(0, 0))
    assert step.data(KIND_ROLE) == "step"
    assert m.index(0, TodayModel.WHAT, m.index(0, 0)).data() == "Pain opener — Finance 2-step, step 1 of 2"
    assert page.tasks_count.text() == "1 sequence step"
    qtmodeltester.check(m)
    today = page.today
    _select_step(today, "Ada Ng")
    assert today.open_button.isEnabled() and today.done_button.isEnabled() and not today.call_button.isEnabled()

    def composer(dlg: ComposerDialog) -> int:  # the step's message, prefilled: template and contact
        assert (dlg.template.currentData(), dlg.contact_id(), dlg.step.enrollment_id) == (
            world.pain_template, world.ada, step.data(Qt.ItemDataRole.UserRole + 1))
        assert dlg.preview.missing == ["hypothesis.pain"] and dlg.done_button is not None
        dlg.mark_done(None)
        return dlg.result()

    _drive(monkeypatch, composer)
    today.open_selected()
    status, current, due = _enrolment(ctx, world.ada)
    assert (status, current, due) == ("active", 2, due_at(TODAY + dt.timedelta(days=2)))
    with ctx.workspace.session() as s:
        act = s.scalars(select(Activity).where(Activity.enrollment_id.is_not(None))).one()
        assert (act.type, act.outcome, act.step_position, act.contact_id) == ("email", "sent", 1, world.ada)
    assert today.result_panel.isVisibleTo(today) and "Logged Email · Sent with Ada Ng" in today.result_text.text()
    assert page.tasks_stack.currentWidget() is page.tasks_empty  # the call step is due in two days
    assert page.due_card.value.text() == "0" and not errors


def test_log_call_records_the_outcome_and_moves_coverage(qtbot, ctx, world, monkeypatch, errors):
    with ctx.workspace.session() as s:
        calls = save_sequence(s, "Call first", [StepDraft(0, "call", world.call_template),
                                                StepDraft(1, "email", world.pain_template)]).id
    _enrol(ctx, calls, world.di, world.ada)
    view = TodayView(ctx)
    qtbot.addWidget(view)
    with ctx.workspace.session() as s:
        from accounts.outreach import tasks_due
        from accounts.sequences import due_steps

        now = dt.datetime.now().astimezone()
        view.show_items(due_steps(s, now), tasks_due(s, now), TODAY)
    _select_step(view, "Di Ek")
    assert view.call_button.isEnabled() and not view.done_button.isEnabled()
    assert [a.text() for a in view.call_button.menu().actions()] == ["Connected", "Voicemail", "No answer",
                                                                    "Wrong person"]
    view.call_button.menu().actions()[0].trigger()  # Connected
    with ctx.workspace.session() as s:
        act = s.scalars(select(Activity).where(Activity.contact_id == world.di, Activity.type == "call")).one()
        assert act.outcome == "connected"
        assert s.get(Contact, world.di).coverage_status == "engaged"
        assert s.get(Account, world.account).abm_stage == "engaged"
    assert "Coverage of Di Ek: identified → engaged" in view.last_summary.lines
    assert "Account stage: Target → Engaged" in view.last_summary.lines
    assert _enrolment(ctx, world.di)[1] == 2

    _select_step(view, "Ada Ng")  # the composer logs a call step too, with one click per outcome

    def composer(dlg: ComposerDialog) -> int:
        assert dlg.channel.currentData() == "call" and list(dlg.outcome_buttons) == [
            "connected", "voicemail", "no_answer", "wrong_person"]
        dlg.outcome_buttons["voicemail"].click()
        return dlg.result()

    _drive(monkeypatch, composer)
    view.open_selected()
    with ctx.workspace.session() as s:
        assert s.scalar(select(Activity.outcome).where(Activity.contact_id == world.ada,
                                                       Activity.type == "call",
                                                       Activity.enrollment_id.is_not(None))) == "voicemail"
        assert s.get(Contact, world.ada).coverage_status == "contacted"
    assert not errors


def test_quick_log_meeting_booked_moves_the_stage_and_pauses_enrolments(qtbot, ctx, world, errors):
    _enrol(ctx, world.sequence, world.ada, world.di)
    dlg = QuickLogDialog(ctx)
    qtbot.addWidget(dlg)
    assert not dlg.log_button.isEnabled()
    qtbot.keyClicks(dlg.contacts.box, "acme")  # the account's name finds its people; arrows move the pick
    qtbot.waitUntil(lambda: dlg.contacts.model.rowCount() == 4, timeout=3000)
    first = dlg.contacts.current()
    qtbot.keyClick(dlg.contacts.box, Qt.Key.Key_Down)
    assert dlg.contacts.current() != first
    dlg.contacts.box.clear()
    qtbot.keyClicks(dlg.contacts.box, "ada ng")
    qtbot.waitUntil(lambda: dlg.contacts.model.rowCount() == 1, timeout=3000)
    assert dlg.contacts.current().id == world.ada and dlg.log_button.isEnabled()
    with qtbot.waitSignal(dlg.contacts.chosen, timeout=1000):
        qtbot.keyClick(dlg.contacts.box, Qt.Key.Key_Return)  # Enter picks the contact, it does not log
    with ctx.workspace.session() as s:
        assert s.scalars(select(Activity).where(Activity.type == "meeting")).all() == []
    dlg.type_buttons["meeting"].click()
    assert [dlg.outcome.itemData(i) for i in range(dlg.outcome.count())] == ["booked", "held", "no_show",
                                                                             "cancelled"]
    assert dlg.outcome.currentData() == "booked"
    dlg.note.setPlainText("Demo with the CFO next Tuesday")
    dlg.set_kind("note")
    assert not dlg.outcome.isVisibleTo(dlg)  # a note has no outcome
    dlg.set_kind("meeting")
    dlg.log()
    with ctx.workspace.session() as s:
        assert s.get(Account, world.account).abm_stage == "meeting_booked"
        assert set(s.scalars(select(Enrollment.status))) == {"paused"}
        act = s.scalars(select(Activity).where(Activity.type == "meeting")).one()
        assert (act.outcome, act.body) == ("booked", "Demo with the CFO next Tuesday")
    assert dlg.summary.title == "Logged Meeting · Booked with Ada Ng"
    assert "Account stage: Target → Meeting booked" in dlg.result_lines.text()
    assert "Paused 2 sequence enrolments at the account" in dlg.result_lines.text()
    assert dlg.result_panel.isVisibleTo(dlg) and dlg.log_button.text() == "Log another" and not errors


def test_enrolment_warnings_and_enrol_anyway(qtbot, qtmodeltester, ctx, world, errors):
    with ctx.workspace.session() as s:
        other = save_sequence(s, "Other", [StepDraft(0, "call")]).id
        seq = next(q for q in data.sequence_rows(s) if q.id == world.sequence)
    _enrol(ctx, other, world.di)
    dlg = EnrollDialog(ctx, seq, account_id=world.account)
    qtbot.addWidget(dlg)
    assert sorted(dlg.chosen.checked_ids()) == sorted([world.ada, world.bo, world.di])  # who left is not ticked
    kinds = {(w.contact, w.kind) for w in dlg.warnings_model.rows()}
    assert kinds == {("Bo Li", "missing_email"), ("Di Ek", "in_other_sequence")}
    assert dlg.summary.text() == "1 ready to enrol; 2 with warnings."
    assert dlg.ok.text() == "Enrol 1" and dlg.anyway.isVisibleTo(dlg) and dlg.anyway.text() == "Enrol anyway (3)"
    qtmodeltester.check(dlg.warnings_model)
    cy = dlg.chosen.index(dlg.chosen.rows().index(next(c for c in dlg.chosen.rows() if c.id == world.cy)), 0)
    dlg.chosen.setData(cy, 2, Qt.ItemDataRole.CheckStateRole)
    qtbot.waitUntil(lambda: ("Cy Ro", "left_company") in {(w.contact, w.kind) for w in dlg.warnings_model.rows()},
                    timeout=3000)
    dlg.submit(include_warned=True)
    assert sorted(dlg.enrolled.enrolled) == sorted([world.ada, world.bo, world.cy, world.di])
    dlg2 = EnrollDialog(ctx, seq, contact_ids=[world.ada])  # enrolled already: skipped, nothing to enrol
    qtbot.addWidget(dlg2)
    assert [w.kind for w in dlg2.warnings_model.rows()] == ["already_in_sequence"] and not dlg2.ok.isEnabled()
    assert not errors


def test_sequences_view_builds_a_sequence_and_manages_enrolments(qtbot, qtmodeltester, ctx, world, monkeypatch,
                                                                 errors):
    view = SequencesView(ctx)
    qtbot.addWidget(view)
    assert [q.name for q in view.list_model.rows()] == ["Finance 2-step"] and view.steps_model.rowCount() == 2
    qtmodeltester.check(view.list_model)
    qtmodeltester.check(view.steps_model)

    def build(dlg: SequenceEditorDialog) -> int:
        dlg.name.setText("LinkedIn warm-up")
        dlg.add_step("linkedin", 0, instruction="Connect, no pitch")
        dlg.add_step()
        dlg.channel.setCurrentIndex(dlg.channel.findData("email"))
        dlg.template.setCurrentIndex(dlg.template.findData(world.pain_template))
        assert [r[1].channel for r in dlg.model.rows()] == ["linkedin", "email"]
        assert dlg.model.index(1, 3).data() == "Pain opener"
        dlg.submit()
        return dlg.result()

    _drive(monkeypatch, build)
    view.edit_sequence(new=True)
    assert view.selected_sequence().name == "LinkedIn warm-up"
    assert [(st.day_offset, st.channel) for st in view.selected_sequence().steps] == [(0, "linkedin"), (2, "email")]

    def enrol(dlg: EnrollDialog) -> int:
        dlg.submit()
        return dlg.result()

    _drive(monkeypatch, enrol)
    view.list.selectRow(view.list_model.row_of(world.sequence))
    view.enrol(account_id=world.account)
    assert {e.contact for e in view.enrol_model.rows()} == {"Ada Ng", "Di Ek"}  # Bo (no email) held back
    qtmodeltester.check(view.enrol_model)
    assert view.enrol_model.index(0, 2).data(BADGE_ROLE) == "active"
    view.enrolments.selectRow(next(i for i, e in enumerate(view.enrol_model.rows()) if e.contact == "Ada Ng"))
    view.pause_selected()
    assert view.selected_enrollment().status == "paused" and view.resume_button.isEnabled()
    view.resume_selected()
    assert _enrolment(ctx, world.ada)[0] == "active"
    view.remove_selected()
    assert view.enrol_model.rowCount() == 1 and _enrolment(ctx, world.ada)[0] == "removed"
    view.show_done.setChecked(True)
    assert view.enrol_model.rowCount() == 2 and not errors


@pytest.mark.parametrize("role", ["marketing", "bdr"])
def test_business_days_settings(qtbot, make_ctx, sqlite_workspace, errors, role):
    ctx = make_ctx(sqlite_workspace, role=role)
    w = BusinessCalendarSettings(ctx)
    qtbot.addWidget(w)
    assert [i for i, b in w.days.items() if b.isChecked()] == [0, 1, 2, 3, 4]
    if role == "bdr":
        assert not w.save_button.isEnabled() and not w.days[0].isEnabled()
        return
    w.days[4].setChecked(False)
    w.add_holiday(dt.date(2026, 12, 24))
    w.add_holiday(dt.date(2026, 12, 25))
    w.list.setCurrentIndex(w.model.index(1, 0))
    w.remove_holiday()
    w.save()
    with sqlite_workspace.session() as s:
        cal = load_calendar(s)
    assert cal.weekdays == frozenset(range(4)) and cal.holidays == frozenset({dt.date(2026, 12, 24)})
    for b in w.days.values():
        b.setChecked(False)
    assert not w.save_button.isEnabled() and "at least one weekday" in w.next_day.text()


def test_ctrl_l_and_the_messaging_tab_in_the_windows(qtbot, ctx, world, monkeypatch, errors):
    from ui.main_window import MainWindow

    shown = _drive(monkeypatch, lambda dlg: 0)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.quick_log()
    assert isinstance(shown[-1], QuickLogDialog) and shown[-1].account_id is None
    account = win.open_account(world.account)
    labels = [account.tabs.tabText(i) for i in range(account.tabs.count())]
    assert "Messaging" in labels
    account.quick_log()
    dlg = shown[-1]
    assert dlg.account_id == world.account and dlg.contacts.model.rowCount() == 4  # the account's people
    account.close()
    win.close()
