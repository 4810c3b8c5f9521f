"""pytest-qt: the account window's Messaging tab (pain hypotheses, confirm with the conversation, the message map
with collateral), the composer (live preview, unfilled fields block sending, attach content, copy, mailto) and
the template editor (syntax errors with line and column, sandbox escapes refused, shared only for curators)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from accounts.hypotheses import HypothesisDraft, save_hypothesis
from accounts.models import Message, MessageTemplate, PainHypothesis
from content_library.models import ContentUsage, MapCollateral
from tests.messaging_seed import seed
from ui import dialogs
from ui.messaging import common
from ui.messaging.common import BADGE_ROLE
from ui.messaging.composer import ComposerDialog
from ui.messaging.contact_search import ContactListModel
from ui.messaging.hypothesis_dialog import HypothesisDialog, StatusDialog
from ui.messaging.map_dialog import MapLineDialog
from ui.messaging.messaging_tab import MessagingPanel
from ui.messaging.models import KIND_ROLE, HypothesesModel, MessageMapModel
from ui.messaging.preview import ERROR, MISSING, READY
from ui.messaging.template_editor import TemplateEditorDialog


@pytest.fixture
def seen(monkeypatch):
    """Errors, the clipboard and opened links, captured at the dialog seam."""
    out: dict[str, list] = {"errors": [], "clipboard": [], "urls": []}
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": out["errors"].append(msg))
    monkeypatch.setattr(dialogs, "ask", lambda *a: True)
    monkeypatch.setattr(dialogs, "copy_text", out["clipboard"].append)
    monkeypatch.setattr(dialogs, "open_url", lambda url: out["urls"].append(url) or True)
    return out


def drive(monkeypatch, *steps):
    """Replace the modal seam: each dialog shown is handed to the next step, which fills it and submits."""
    queue = list(steps)
    shown = []

    def run(dlg):
        shown.append(dlg)
        return queue.pop(0)(dlg) if queue else 0
    monkeypatch.setattr(common, "run_dialog", run)
    return shown


def _submit(dlg) -> int:
    dlg.submit()
    return dlg.result()


def _panel(qtbot, ctx, account_id) -> MessagingPanel:
    panel = MessagingPanel(ctx, account_id)
    qtbot.addWidget(panel)
    panel.resize(1100, 700)
    return panel


def test_build_a_hypothesis_then_confirm_it_with_a_note(qtbot, qtmodeltester, ctx, monkeypatch, seen):
    ids = seed(ctx.workspace)
    panel = _panel(qtbot, ctx, ids.account)
    assert panel.hyp_stack.currentWidget() is panel.hyp_empty and panel.map_stack.currentWidget() is panel.map_empty

    def fill(dlg: HypothesisDialog) -> int:
        assert not dlg.ok.isEnabled()  # no statement yet
        dlg.pain.setCurrentIndex(dlg.pain.findData("manual_processes"))
        dlg.statement.setPlainText("Close takes 9 days: reconciliations are matched by hand in spreadsheets")
        dlg.signal.setCurrentIndex(dlg.signal.findData(ids.signal))  # evidence: the account's research signal
        dlg.evidence.setPlainText("Job post asks for Excel reconciliation experience")
        dlg.confidence.setValue(60)
        dlg.persona.setCurrentIndex(dlg.persona.findData("cfo"))
        assert dlg.ok.isEnabled()
        return _submit(dlg)

    drive(monkeypatch, fill)
    panel.add_hypothesis()
    assert not seen["errors"]
    model = panel.hyp_model
    assert model.rowCount() == 1 and panel.hyp_stack.currentWidget() is panel.hyp_table
    row = model.row_at(0)
    assert (row.pain, row.confidence, row.persona, row.evidence_signal_id) == ("manual_processes", 60, "cfo",
                                                                               ids.signal)
    assert model.index(0, HypothesesModel.EVIDENCE).data().startswith("Signal: Hiring a Head of Financial Controls")
    assert model.index(0, HypothesesModel.STATUS).data(BADGE_ROLE) == "untested"
    qtmodeltester.check(model)

    panel.hyp_table.selectRow(0)
    assert panel.confirm_button.isEnabled() and not panel.reopen_button.isEnabled()

    def confirm(dlg: StatusDialog) -> int:
        assert not dlg.ok.isEnabled()  # which conversation? nothing chosen yet
        assert dlg.activity.findData(ids.call) >= 0  # the account's logged call can be picked
        dlg.note.setPlainText("Discovery call: the CFO said close takes nine days")
        return _submit(dlg)

    drive(monkeypatch, confirm)
    panel.change_status("confirmed")
    with ctx.workspace.session() as s:
        hyp = s.scalars(select(PainHypothesis)).one()
        assert (hyp.status, hyp.status_note) == ("confirmed", "Discovery call: the CFO said close takes nine days")
    assert model.index(0, HypothesesModel.STATUS).data(BADGE_ROLE) == "confirmed"
    assert "nine days" in model.index(0, HypothesesModel.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert not panel.confirm_button.isEnabled() and panel.reopen_button.isEnabled()


def test_map_line_with_collateral_edit_and_remove(qtbot, qtmodeltester, ctx, monkeypatch, seen):
    ids = seed(ctx.workspace)
    with ctx.workspace.session() as s:
        hyp = save_hypothesis(s, ids.account, HypothesisDraft("manual_processes", "Close is manual",
                                                              persona="cfo")).id
    panel = _panel(qtbot, ctx, ids.account)
    m = panel.map_model
    assert m.rowCount() == 1 and m.index(0, 0, m.index(0, 0)).data() == MessageMapModel.EMPTY

    def add(dlg: MapLineDialog) -> int:
        assert dlg.hypothesis.currentData() == hyp
        titles = [dlg.collateral.row_at(i).label for i in range(dlg.collateral.rowCount())]
        assert titles == ["Close faster: the Acme-sized playbook"]  # published only, never the draft
        dlg.angle.setPlainText("Close in four days, with audit evidence built as you go")
        dlg.filter.setText("playbook")
        assert dlg.proxy.rowCount() == 1
        assert dlg.proxy.setData(dlg.proxy.index(0, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
        qtmodeltester.check(dlg.collateral)
        return _submit(dlg)

    drive(monkeypatch, add)
    panel.map_view.setCurrentIndex(m.index(0, 0))
    panel.add_line()
    assert not seen["errors"]
    branch = m.index(0, 0)
    line = m.index(0, 0, branch)
    assert line.data(KIND_ROLE) == "line"
    assert line.data() == "CFO / Finance leader: Close in four days, with audit evidence built as you go"
    assert m.index(0, MessageMapModel.COLLATERAL, branch).data() == "Close faster: the Acme-sized playbook"
    assert m.index(0, MessageMapModel.MESSAGES).data() == "none yet"
    with ctx.workspace.session() as s:
        assert s.scalars(select(MapCollateral.item_id)).all() == [ids.deck]
    qtmodeltester.check(m)

    assert panel.selected_line() is not None and panel.remove_line_button.isEnabled()

    def edit(dlg: MapLineDialog) -> int:
        dlg.step.setCurrentIndex(1)  # the first step of "Finance 2-step"
        return _submit(dlg)

    drive(monkeypatch, edit)
    panel.edit_line()
    assert m.index(0, MessageMapModel.STEP, m.index(0, 0)).data().startswith("Finance 2-step · step 1")
    panel.remove_line()
    assert m.index(0, 0, m.index(0, 0)).data(KIND_ROLE) == "empty"
    with ctx.workspace.session() as s:
        assert s.scalars(select(MapCollateral)).all() == []


def test_composer_previews_flags_missing_fields_then_saves_with_attachment(qtbot, ctx, monkeypatch, seen):
    ids = seed(ctx.workspace)
    with ctx.workspace.session() as s:
        hyp = save_hypothesis(s, ids.account, HypothesisDraft("manual_processes", "Close is manual")).id
    dlg = ComposerDialog(ctx, account_id=ids.account, contact_id=ids.ada, template_id=ids.pain_template)
    qtbot.addWidget(dlg)
    assert dlg.channel.currentData() == "email" and dlg.template.currentData() == ids.pain_template
    preview = dlg.preview
    assert preview.state == MISSING and preview.missing == ["hypothesis.pain"]
    assert "hypothesis.pain" in preview.status.text.text()
    assert 'background-color:#fde68a;">{{ hypothesis.pain }}</span>' in preview.body.toHtml()  # highlighted
    assert preview.subject.text() == "Acme Ledger: month-end close"
    for b in (dlg.save_button, dlg.copy_button, dlg.mail_button):
        assert not b.isEnabled()
    assert "hypothesis.pain" in dlg.reason.text()
    dlg.save_draft()  # refused while a field is missing
    with ctx.workspace.session() as s:
        assert s.scalars(select(Message)).all() == []

    dlg.hypothesis.setCurrentIndex(dlg.hypothesis.findData(hyp))  # the field gets its value …
    qtbot.waitUntil(lambda: preview.state == READY, timeout=3000)  # … after the debounced re-render
    assert "manual processes is what slows the close" in dlg.preview.plain_body()
    assert dlg.save_button.isEnabled() and dlg.copy_button.isEnabled() and dlg.mail_button.isEnabled()
    dlg.item.setCurrentIndex(dlg.item.findData(ids.deck))
    qtbot.waitUntil(lambda: "https://example.com/playbook" in dlg.preview.plain_body(), timeout=3000)

    dlg.copy()
    assert seen["clipboard"] == [dlg.preview.plain_subject() + "\n\n" + dlg.preview.plain_body()]
    dlg.open_mail()
    url = seen["urls"][0]
    assert url.startswith("mailto:ada@acmeledger.example?subject=Acme%20Ledger%3A%20month-end%20close&body=Hi%20Ada")
    assert "%0D%0A" in url and unquote(url.split("body=")[1]).replace("\r\n", "\n") == dlg.preview.plain_body()

    with qtbot.waitSignal(dlg.saved, timeout=2000) as saved:
        dlg.save_draft()
    with ctx.workspace.session() as s:
        msg = s.get(Message, saved.args[0])
        assert (msg.contact_id, msg.hypothesis_id, msg.template_id, msg.channel) == (ids.ada, hyp, ids.pain_template,
                                                                                     "email")
        usage = s.scalars(select(ContentUsage)).one()
        assert (usage.kind, usage.item_id, usage.message_id, usage.contact_id) == ("attached", ids.deck, msg.id,
                                                                                  ids.ada)
    assert not dlg.save_button.isEnabled() and dlg.reason.text() == "Draft saved."
    assert not seen["errors"]
    panel = _panel(qtbot, ctx, ids.account)  # the map counts the message that tests the hypothesis
    assert panel.map_model.index(0, MessageMapModel.MESSAGES).data() == "1 message"


def test_composer_without_email_and_hand_edited_text(qtbot, ctx, seen):
    ids = seed(ctx.workspace)
    dlg = ComposerDialog(ctx, contact_id=ids.bo, template_id=ids.pain_template)
    qtbot.addWidget(dlg)
    assert dlg.account_id == ids.account and dlg.contact_id() == ids.bo
    assert dlg.preview.missing == ["hypothesis.pain"]
    dlg.personalise.setChecked(True)  # edit the text by hand: the placeholder is still flagged …
    assert dlg.current().missing == ["hypothesis.pain"] and not dlg.save_button.isEnabled()
    dlg.edit_body.setPlainText(dlg.edit_body.toPlainText().replace("{{ hypothesis.pain }}", "manual matching"))
    assert dlg.current().ready and dlg.save_button.isEnabled()  # … until it is replaced
    assert not dlg.mail_button.isEnabled() and "no email address" in dlg.reason.text()
    dlg.save_draft()
    with ctx.workspace.session() as s:
        assert "manual matching" in s.scalars(select(Message.body)).one()


def test_contact_list_model_passes_qtmodeltester(qtmodeltester, ctx):
    ids = seed(ctx.workspace)
    from ui.messaging import data

    with ctx.workspace.session() as s:
        rows = data.account_contacts(s, ids.account)
    model = ContactListModel(checkable=True)
    model.set_rows(rows, [ids.ada])
    assert model.checked_ids() == [ids.ada] and model.index(len(rows) - 1, 0).data().startswith("Cy Ro (left)")
    qtmodeltester.check(model)


def test_template_editor_shows_errors_with_line_and_column_and_refuses_escapes(qtbot, ctx, seen):
    ids = seed(ctx.workspace)
    dlg = TemplateEditorDialog(ctx, preview_contact_id=ids.ada)
    qtbot.addWidget(dlg)
    assert not dlg.shared.isEnabled() and not dlg.shared.isChecked()  # a BDR's templates stay personal
    dlg.name.setText("My opener")
    dlg.body.setPlainText("Hi {{ contact.first_name }},\nAbout {{ account.name }\nBye")
    dlg.render_now()
    assert dlg.preview.state == ERROR and dlg.error_position() == ("body", 2, 7)
    assert "line 2, column 7" in dlg.preview.status.text.text()
    assert len(dlg.body.extraSelections()) == 1  # the line is marked in the editor
    assert not dlg.save_button.isEnabled() and dlg.reason.text() == "Fix the error before saving."

    dlg.body.setPlainText("Hi {{ ''.__class__.__mro__ }}")
    dlg.render_now()
    assert dlg.preview.state == ERROR and "not allowed" in dlg.preview.status.text.text()
    dlg.save()  # refused: the error goes to the dialog seam and nothing is written
    assert seen["errors"] and "not allowed" in seen["errors"][-1]
    with ctx.workspace.session() as s:
        assert s.scalar(select(MessageTemplate).where(MessageTemplate.name == "My opener")) is None

    dlg.body.setPlainText("Hi {{ contact.first_name }}, ")
    cursor = dlg.body.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    dlg.body.setTextCursor(cursor)
    dlg.insert_field("account.name")  # the merge-field picker inserts at the cursor
    assert dlg.body.toPlainText() == "Hi {{ contact.first_name }}, {{ account.name }}"
    dlg.render_now()
    assert dlg.preview.state == READY and dlg.preview.plain_body() == "Hi Ada, Acme Ledger"
    dlg.body.setPlainText("Hi {{ contact.nickname }}")
    dlg.render_now()
    assert dlg.preview.state == MISSING and dlg.save_button.isEnabled()  # missing fields may be saved
    dlg.save()
    with ctx.workspace.session() as s:
        tpl = s.scalar(select(MessageTemplate).where(MessageTemplate.name == "My opener"))
        assert (tpl.owner_id, tpl.shared, tpl.body) == (ctx.user.id, False, "Hi {{ contact.nickname }}")


def test_shared_templates_are_curated_by_marketing(qtbot, make_ctx, sqlite_workspace, monkeypatch, seen):
    bdr = make_ctx(sqlite_workspace)
    ids = seed(sqlite_workspace)
    from ui.messaging import data

    with sqlite_workspace.session() as s:
        shared = next(t for t in data.template_rows(s) if t.id == ids.pain_template)
    view = TemplateEditorDialog(bdr, shared)
    qtbot.addWidget(view)
    assert view.read_only and view.body.isReadOnly()
    assert view.duplicate_button.isVisibleTo(view) and not view.save_button.isVisibleTo(view)

    def as_mine(copy: TemplateEditorDialog) -> int:
        assert not copy.read_only and copy.name.text() == "Pain opener (copy)" and not copy.shared.isChecked()
        copy.save()
        return copy.result()

    drive(monkeypatch, as_mine)
    view.duplicate()
    with sqlite_workspace.session() as s:
        mine = s.scalar(select(MessageTemplate).where(MessageTemplate.name == "Pain opener (copy)"))
        assert mine.owner_id == bdr.user.id and not mine.shared

    marketing = make_ctx(sqlite_workspace, role="marketing", email="mk@test.example")
    editor = TemplateEditorDialog(marketing, shared)
    qtbot.addWidget(editor)
    assert not editor.read_only and editor.shared.isEnabled() and editor.shared.isChecked()


def test_templates_view_filters_and_opens_the_editor(qtbot, qtmodeltester, ctx, monkeypatch, seen):
    from ui.messaging.templates_view import TemplatesView

    seed(ctx.workspace)
    view = TemplatesView(ctx)
    qtbot.addWidget(view)
    assert [t.name for t in view.model.rows()] == ["Call script", "Pain opener"] and view.count.text() == "2 templates"
    view.channel.setCurrentIndex(view.channel.findData("call"))
    assert [t.name for t in view.model.rows()] == ["Call script"] and view.count.text() == "1 of 2"
    view.channel.setCurrentIndex(0)
    view.search.setText("month-end")
    assert [t.name for t in view.model.rows()] == ["Pain opener"]
    qtmodeltester.check(view.model)
    view.table.selectRow(0)
    shown = drive(monkeypatch, lambda dlg: 0)
    view.open_selected()
    assert isinstance(shown[0], TemplateEditorDialog) and shown[0].read_only  # shared: a BDR duplicates it


def test_messaging_tab_enrols_the_accounts_stakeholders(qtbot, ctx, monkeypatch, seen):
    ids = seed(ctx.workspace)
    panel = _panel(qtbot, ctx, ids.account)
    panel._fill_enrol_menu()
    actions = panel.enrol_menu.actions()
    assert [a.text() for a in actions] == ["Finance 2-step (2 steps)"]

    def enrol(dlg) -> int:
        assert dlg.summary.text() == "2 ready to enrol; 1 with warnings."  # Bo has no email; Cy left, unticked
        dlg.submit()
        return dlg.result()

    drive(monkeypatch, enrol)
    with qtbot.waitSignal(panel.changed, timeout=2000):
        actions[0].trigger()
    from accounts.models import Enrollment

    with ctx.workspace.session() as s:
        assert sorted(s.scalars(select(Enrollment.contact_id))) == sorted([ids.ada, ids.di])
