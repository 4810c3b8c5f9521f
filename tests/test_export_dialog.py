"""pytest-qt: exporting a target list from the Lists page, through the dialog, as a job."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from accounts.models import TargetList, TargetListMember
from tests.factories import add_accounts
from ui import dialogs
from ui.export_dialog import ExportDialog
from ui.pages.lists_page import ListsPage


def test_export_a_list_from_the_lists_page(qtbot, ctx, tmp_path, monkeypatch):
    ids = add_accounts(ctx.workspace, 12)
    with ctx.workspace.session() as s:
        lst = TargetList(name="Q1 Fintech Tier 1")
        s.add(lst)
        s.flush()
        s.add_all([TargetListMember(list_id=lst.id, account_id=i) for i in ids[:5]])
    target = tmp_path / "q1.xlsx"
    infos = []
    monkeypatch.setattr(dialogs, "save_file", lambda parent, title, suggested, filters: str(target))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, msg: infos.append(msg))

    def choose_hubspot_columns():
        dlg = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ExportDialog) and w.isVisible())
        assert dlg.scope_list.isChecked() and dlg.list_combo.currentText() == "Q1 Fintech Tier 1"
        assert dlg.suggested_name() == "q1-fintech-tier-1-default.xlsx"
        dlg.preset.setCurrentIndex(dlg.preset.findData("hubspot"))
        dlg.accept()

    page = ListsPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    QTimer.singleShot(0, choose_hubspot_columns)
    page.export_button.click()
    qtbot.waitUntil(lambda: bool(infos), timeout=10_000)
    assert infos == [f"5 accounts written to {target}."]
    from openpyxl import load_workbook

    header = [c.value for c in next(load_workbook(target).active.iter_rows())]
    assert header[:2] == ["Company name", "Company Domain Name"]


def test_cancelled_dialog_exports_nothing(qtbot, ctx, monkeypatch):
    from accounts.queries import AccountFilter
    from ui.export_dialog import export_accounts_dialog

    monkeypatch.setattr(ExportDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert export_accounts_dialog(None, ctx, AccountFilter()) is None
    assert ctx.jobs.active == 0
