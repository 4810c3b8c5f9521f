"""pytest-qt: the account-plan GUI — export from the account window's Plan tab in every format (through the
save-file seam, as a job), plan templates (the choice, the editor), snapshots and the "what changed since"
view, and the Lists page's batch export with progress and Cancel."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtWidgets import QDialog

from accounts.models import Account, Contact, TargetList, TargetListMember
from bdr_desk.export import plans as plan_export
from bdr_desk.export.plan_data import SECTION_TITLES, SECTIONS
from bdr_desk.export.snapshots import diff, quarter_label
from tests.factories import add_accounts
from tests.plan_factories import build_world
from ui import dialogs
from ui.pages import lists_page
from ui.pages.lists_page import ListsPage
from ui.plans import common
from ui.plans.list_export import PlanListExportDialog
from ui.plans.models import (
    KEY_ROLE,
    KIND_ROLE,
    DiffModel,
    SectionListModel,
    SnapshotRow,
    diff_rows,
    snapshots_model,
)
from ui.plans.template_editor import TemplateEditor

CHECK = Qt.ItemDataRole.CheckStateRole


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())  # tabs, nbsp


def _text(path: Path) -> str:
    if path.suffix == ".pdf":
        return _pdf_text(path)
    if path.suffix == ".docx":
        doc = Document(str(path))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    return path.read_text(encoding="utf-8")


def _lines(model) -> list[str]:
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


@pytest.fixture
def world(ctx):
    return build_world(ctx.workspace)


@pytest.fixture
def window(qtbot, ctx, world):
    from ui.account_window import AccountWindow

    win = AccountWindow(ctx, world.halcyon)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.plan_button.click()  # the header's "Account plan" opens the Plan tab
    assert win.tabs.currentWidget() is win.plan_panel
    yield win
    win.close()


def _export(qtbot, panel, monkeypatch, path: Path, seen: list[str] | None = None):
    def save_file(parent, title, suggested, filters):
        if seen is not None:
            seen.append(suggested)
        return str(path)

    monkeypatch.setattr(dialogs, "save_file", save_file)
    with qtbot.waitSignal(panel.exported, timeout=30_000) as blocker:
        panel.export_button.click()
    assert panel.export_button.isEnabled()
    return blocker.args[0]


def test_export_every_format_from_the_account_window(qtbot, window, tmp_path, monkeypatch):
    panel = window.plan_panel
    opened: list[str] = []
    monkeypatch.setattr(dialogs, "open_url", lambda url: opened.append(url) or True)
    suggested: list[str] = []
    # a typed name without a suffix gets the format's; a known suffix of the format is kept
    for fmt, name, written in (("pdf", "plan", "plan.pdf"), ("docx", "plan", "plan.docx"),
                               ("md", "plan.markdown", "plan.markdown"), ("html", "plan.htm", "plan.htm")):
        panel.format.buttons[fmt].click()
        result = _export(qtbot, panel, monkeypatch, tmp_path / name, suggested)
        assert (result.format, result.path, result.sections) == (fmt, tmp_path / written, SECTIONS)
        text = _text(result.path)
        assert "Halcyon Mirrorworks" in text and "Corvina" not in text, fmt
        assert "Peregrin Ashdown" in text and "Stakeholder map" in text
    assert [Path(s).name for s in suggested] == [f"halcyon-mirrorworks-account-plan.{s}"
                                                 for s in ("pdf", "docx", "md", "html")]
    assert "Account plan: Halcyon Mirrorworks" in PdfReader(str(tmp_path / "plan.pdf")).metadata.title
    assert not panel.notice.isHidden() and panel.notice.text.text() == "Wrote plan.htm · HTML, 9 sections"
    panel.notice.open_button.click()
    panel.notice.folder_button.click()
    assert opened == [QUrl.fromLocalFile(str(tmp_path / "plan.htm")).toString(),
                      QUrl.fromLocalFile(str(tmp_path)).toString()]


def test_cancelled_save_dialog_exports_nothing(qtbot, window, ctx, monkeypatch):
    monkeypatch.setattr(dialogs, "save_file", lambda *a: None)
    window.plan_panel.export_button.click()
    assert ctx.jobs.active == 0 and window.plan_panel.notice.isHidden()


def test_template_choice_changes_the_sections(qtbot, window, tmp_path, monkeypatch):
    panel = window.plan_panel
    assert _lines(panel.preview_model)[0] == "1.  Overview and firmographics" and panel.preview_model.rowCount() == 9
    panel.template.setCurrentIndex(panel.template.findData("One-page brief"))
    brief = ("overview", "stakeholders", "messaging", "next_steps")
    assert _lines(panel.preview_model) == [f"{i}.  {SECTION_TITLES[s]}" for i, s in enumerate(brief, 1)]
    panel.format.buttons["md"].click()
    result = _export(qtbot, panel, monkeypatch, tmp_path / "brief.md")
    assert result.sections == brief
    md = result.path.read_text(encoding="utf-8")
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert headings == [SECTION_TITLES[s] for s in brief]


def test_snapshot_then_hand_made_changes_show_in_the_diff(qtbot, window, ctx, world, tmp_path, monkeypatch):
    panel = window.plan_panel
    assert panel.diff_stack.currentWidget() is panel.no_snapshots and not panel.since_last.isEnabled()
    assert panel.snapshot_label.text() == quarter_label(dt.date.today())
    panel.snapshot_label.setText("2026-Q3")
    with qtbot.waitSignal(panel.snapshotTaken):
        panel.snapshot_button.click()
    snaps = panel.snapshots
    assert [snaps.data(snaps.index(0, c)) for c in (0, 2)] == ["2026-Q3", "Test User"]
    assert panel.diff_stack.currentWidget() is panel.no_changes
    assert panel.no_changes.title.text() == "No changes since 2026-Q3" and panel.since_last.isEnabled()

    with ctx.workspace.session() as s:  # the quarter goes by: the champion leaves, the account moves up a tier
        s.get(Contact, world.contacts["Peregrin Ashdown"]).left_company = True
        s.get(Account, world.halcyon).tier = 1
    window.tabs.setCurrentIndex(0)
    window.tabs.setCurrentWidget(panel)  # showing the tab again compares with the plan as it is now
    lines = panel.diff_model.lines()
    assert "Tier 2 → 1" in lines and "Left: Peregrin Ashdown" in lines
    assert panel.diff_stack.currentWidget() is panel.diff_view
    assert panel.diff_title.text() == f"What changed since 2026-Q3 — {len(lines)} changes"
    kinds = {panel.diff_model.data(panel.diff_model.index(r, 0)): panel.diff_model.data(
        panel.diff_model.index(r, 0), KIND_ROLE) for r in range(len(lines))}
    assert kinds["Tier 2 → 1"] == "up" and kinds["Left: Peregrin Ashdown"] == "left"

    # a newer snapshot reads the same as now; picking the older one shows the changes again
    panel.snapshot_label.setText("2026-Q4")
    panel.snapshot_button.click()
    assert [snaps.data(snaps.index(r, 0)) for r in range(2)] == ["2026-Q4", "2026-Q3"]
    assert panel.no_changes.title.text() == "No changes since 2026-Q4"
    panel.snapshot_view.selectRow(1)
    assert "Left: Peregrin Ashdown" in panel.diff_model.lines()

    # the export can start with the changes since the last snapshot (Q4: none)
    panel.format.buttons["md"].click()
    panel.since_last.setChecked(True)
    md = _export(qtbot, panel, monkeypatch, tmp_path / "since.md").path.read_text(encoding="utf-8")
    assert "2026-Q4" in md


def test_templates_editor_saves_a_custom_template_used_by_the_export(qtbot, window, ctx, tmp_path, monkeypatch):
    panel = window.plan_panel
    monkeypatch.setattr(dialogs, "ask", lambda *a: True)
    wanted = ("next_steps", "opportunities", "overview")

    def drive(dlg):
        assert isinstance(dlg, TemplateEditor)
        m = dlg.sections_model
        # built-ins are read-only: no check boxes, no moves, no save or delete
        assert dlg.current().name == "Full account plan" and dlg.name.isReadOnly()
        assert not m.flags(m.index(0, 0)) & Qt.ItemFlag.ItemIsUserCheckable
        assert not (dlg.save_button.isEnabled() or dlg.delete_button.isEnabled() or dlg.up_button.isEnabled())
        # Duplicate makes an editable copy, which can be deleted again
        dlg.duplicate_button.click()
        assert dlg.current().name == "Full account plan (copy)" and not dlg.name.isReadOnly()
        dlg.delete_button.click()
        assert [r.name for r in dlg.list_model.rows()] == ["Full account plan", "One-page brief"]

        dlg.new_button.click()
        assert not dlg.save_button.isEnabled()  # no name yet
        dlg.name.setText("full account plan")
        dlg.save_button.click()
        assert not dlg.error.isHidden() and "is built in" in dlg.error.text()
        dlg.name.setText("  Deal   review ")
        for key in wanted[:2]:  # Up until each is where it belongs
            row = next(r for r in range(m.rowCount()) if m.data(m.index(r, 0), KEY_ROLE) == key)
            dlg.sections_view.setCurrentIndex(m.index(row, 0))
            while dlg.sections_view.currentIndex().row() > wanted.index(key):
                dlg.up_button.click()
        for r in range(m.rowCount()):
            key = m.data(m.index(r, 0), KEY_ROLE)
            assert m.setData(m.index(r, 0), Qt.CheckState.Checked if key in wanted else Qt.CheckState.Unchecked, CHECK)
        assert m.sections() == wanted and dlg.dirty()
        dlg.save_button.click()
        assert dlg.error.isHidden() and dlg.current().name == "Deal review" and not dlg.dirty()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(common, "run_dialog", drive)
    panel.templates_button.click()
    assert panel.template.currentData() == "Deal review"
    assert _lines(panel.preview_model) == [f"{i}.  {SECTION_TITLES[s]}" for i, s in enumerate(wanted, 1)]
    panel.format.buttons["md"].click()
    result = _export(qtbot, panel, monkeypatch, tmp_path / "deal.md")
    assert result.sections == wanted
    headings = [line[3:] for line in result.path.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headings == [SECTION_TITLES[s] for s in wanted]


def _list(ws, n: int) -> int:
    ids = add_accounts(ws, n, prefix="Plan")
    with ws.session() as s:
        lst = TargetList(name="Q4 Plans")
        s.add(lst)
        s.flush()
        s.add_all([TargetListMember(list_id=lst.id, account_id=i) for i in ids])
        return lst.id


def test_list_export_writes_one_file_per_account_or_one_pdf(qtbot, ctx, tmp_path, monkeypatch):
    _list(ctx.workspace, 5)
    out = tmp_path / "plans"
    monkeypatch.setattr(dialogs, "choose_folder", lambda parent, title, start: str(out))
    opened: list[str] = []
    monkeypatch.setattr(dialogs, "open_url", lambda url: opened.append(url) or True)
    page = ListsPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    assert page.plans_button.isEnabled()

    def drive(dlg):
        assert isinstance(dlg, PlanListExportDialog) and dlg.accounts == 5
        dlg.browse.click()
        assert dlg.folder.text() == str(out)
        dlg.format.buttons["md"].click()
        assert not dlg.combined.isEnabled()
        with qtbot.waitSignal(dlg.exportFinished, timeout=60_000) as blocker:
            dlg.export_button.click()
            assert not dlg.export_button.isEnabled() and not dlg.progress.isHidden()
        assert blocker.args == ["done"] and dlg.export_button.isEnabled()
        assert sorted(p.name for p in out.iterdir()) == [f"plan-{i:04d}.md" for i in range(5)]
        assert dlg.notice.text.text() == f"Wrote 5 Markdown plans into {out}"
        dlg.notice.folder_button.click()
        assert opened == [QUrl.fromLocalFile(str(out)).toString()]

        dlg.format.buttons["pdf"].click()
        dlg.combined.setChecked(True)
        with qtbot.waitSignal(dlg.exportFinished, timeout=60_000):
            dlg.export_button.click()
        combined = out / "q4-plans.pdf"
        assert dlg.result_value.files == [combined] and dlg.notice.file == combined
        text = _pdf_text(combined)
        assert all(f"Plan {i:04d}" in text for i in range(5))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(lists_page, "run_dialog", drive)
    page.plans_button.click()
    assert len(list(out.iterdir())) == 6


def test_cancel_midway_leaves_no_files(qtbot, ctx, tmp_path, monkeypatch):
    list_id = _list(ctx.workspace, 4)
    second_started, release = threading.Event(), threading.Event()
    real, calls = plan_export.plan_document, []

    def hooked(*args, **kwargs):  # the worker pauses in the second plan until the test has pressed Cancel
        calls.append(args[1])
        if len(calls) == 2:
            second_started.set()
            release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan_export, "plan_document", hooked)
    dlg = PlanListExportDialog(ctx, list_id, "Q4 Plans", 4)
    qtbot.addWidget(dlg)
    out = tmp_path / "out"
    dlg.folder.setText(str(out))
    dlg.format.buttons["html"].click()
    dlg.export_button.click()
    qtbot.waitUntil(second_started.is_set, timeout=30_000)
    assert dlg.running and dlg.progress.cancel_button.isEnabled() and not dlg.folder.isEnabled()
    with qtbot.waitSignal(dlg.exportFinished, timeout=30_000) as blocker:
        dlg.progress.cancel_button.click()
        release.set()
    assert blocker.args == ["cancelled"] and len(calls) == 2
    assert not out.exists()  # the folder the export made is gone, with the plan already written
    assert dlg.notice.text.text() == "Export cancelled; no files were written." and dlg.folder.isEnabled()


def test_item_models_pass_the_model_tester(qtmodeltester):
    editable = SectionListModel(editable=True)
    editable.set_sections(("next_steps", "overview"))
    assert editable.sections() == ("next_steps", "overview") and editable.rowCount() == len(SECTIONS)
    assert editable.moveRows(QModelIndex(), 0, 1, QModelIndex(), 2)  # drag "next_steps" below "overview"
    assert editable.sections() == ("overview", "next_steps")
    assert not editable.moveRows(QModelIndex(), 0, 1, QModelIndex(), 1)  # onto itself
    assert editable.move(0, -1) == 0 and editable.move(0, 1) == 1
    qtmodeltester.check(editable)
    preview = SectionListModel(numbered=True)
    preview.set_sections(("overview", "icp"))
    assert preview.rowCount() == 2 and preview.data(preview.index(0, 0), CHECK) is None
    qtmodeltester.check(preview)

    old = {"account": {"tier": 2, "abm_stage": "researching"}, "coverage": 0.5,
           "contacts": [{"id": 1, "name": "Ann", "left_company": False}],
           "signals": [], "hypotheses": [{"id": 7, "pain": "Cost", "text": "Too slow", "status": "untested"}]}
    new = {"account": {"tier": 3, "abm_stage": "engaged"}, "coverage": 0.75,
           "contacts": [{"id": 1, "name": "Ann", "left_company": False}, {"id": 2, "name": "Bo"}],
           "signals": [{"id": 5, "title": "Raises a round"}],
           "hypotheses": [{"id": 7, "pain": "Cost", "text": "Too slow", "status": "rejected"}]}
    rows = diff_rows(diff(old, new, "2026-Q3"))
    assert [k for k, _ in rows] == ["down", "up", "up", "joined", "signal", "rejected"]
    model = DiffModel()
    model.set_rows(rows)
    assert model.data(model.index(0, 0)) == "Tier 2 → 3"
    assert not model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole).isNull()
    qtmodeltester.check(model)

    snaps = snapshots_model()
    snaps.set_rows([SnapshotRow(1, "2026-Q3", dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC), None, {})])
    assert snaps.data(snaps.index(0, 2)) == "—"
    qtmodeltester.check(snaps)
