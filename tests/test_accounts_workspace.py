"""pytest-qt: the accounts workspace (filters, columns, multi-sort, saved views, bulk actions) and the
account window's timeline and hierarchy tabs."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from accounts.history import TimelineEntry
from accounts.models import Account, AccountEvent, Activity, Contact, Opportunity
from accounts.queries import AccountFilter, AccountSort
from tests.factories import add_accounts
from ui import dialogs
from ui.models.account_table import COLUMN_KEYS, AccountTableModel
from ui.pages.accounts_page import AccountsPage
from ui.widgets import pickers


@pytest.fixture
def page(qtbot, ctx):
    add_accounts(ctx.workspace, 30)
    p = AccountsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1300, 800)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.close()


def _select(page, rows):
    sel = page.table.selectionModel()
    for r in rows:
        sel.select(page.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                   | QItemSelectionModel.SelectionFlag.Rows)


def test_filter_bar_narrows_rows_and_shows_chips(qtbot, page):
    bar = page.filters
    assert page.model.total == 30 and bar.chip_row.isHidden()
    bar.more.setChecked(True)
    assert bar.more_panel.isVisible()
    bar.icp_min.setValue(50)
    bar.flush()
    assert page.model.account_filter == AccountFilter(icp_min=50)
    assert all(page.model.row_at(i).icp_score >= 50 for i in range(page.model.rowCount()))
    page.tier.setCurrentIndex(page.tier.findData(1))
    assert page.model.account_filter == AccountFilter(tiers=(1,), icp_min=50)
    assert bar.chip_texts() == ["Tier 1", "ICP 50–100"] and not bar.chip_row.isHidden()
    assert bar.more.text() == "More filters (1)"
    chips = bar._chip_buttons()
    qtbot.mouseClick(chips[0], Qt.MouseButton.LeftButton)  # remove "Tier 1"
    assert page.model.account_filter == AccountFilter(icp_min=50)
    bar.inactive.setValue(30)
    bar.flush()
    assert page.model.account_filter.inactive_days == 30
    assert page.model.total == sum(1 for i in range(30) if (i * 7) % 101 >= 50)  # no activity logged at all
    bar.clear()
    assert page.model.account_filter.is_empty and page.model.total == 30


def test_column_chooser_hides_and_shows(qtbot, page):
    chooser = page.columns
    assert chooser.visible_keys()[:3] == ["name", "domain", "industry"]
    assert page.table.isColumnHidden(COLUMN_KEYS.index("hq_city"))
    actions = {a.data(): a for a in chooser.actions()}
    actions["hq_city"].trigger()
    assert not page.table.isColumnHidden(COLUMN_KEYS.index("hq_city"))
    actions = {a.data(): a for a in chooser.actions()}
    actions["domain"].trigger()
    assert page.table.isColumnHidden(COLUMN_KEYS.index("domain"))
    assert not actions["name"].isEnabled()  # the account name always shows
    chooser.set_column_visible("name", False)
    assert not page.table.isColumnHidden(0)
    chooser.reset()
    assert not page.table.isColumnHidden(COLUMN_KEYS.index("domain"))


def test_click_sorts_and_shift_click_adds_a_key(qtbot, page):
    header = page.table.horizontalHeader()
    owner, icp = COLUMN_KEYS.index("owner"), COLUMN_KEYS.index("icp_score")

    def click(col, shift=False):
        pos = header.rect().center()
        pos.setX(header.sectionViewportPosition(col) + 10)
        mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, mods, pos)

    click(owner)
    assert page.model.account_sort == AccountSort("owner")
    click(icp, shift=True)
    assert page.model.account_sort == AccountSort.of(("owner", False), ("icp_score", False))
    click(icp, shift=True)  # again: reverse that key
    assert page.model.account_sort == AccountSort.of(("owner", False), ("icp_score", True))
    assert page.sort_label.text() == "Sorted by Owner ↑, then ICP score ↓"
    assert page.model.headerData(icp, Qt.Orientation.Horizontal) == "ICP score ↓2"
    rows = [page.model.row_at(i) for i in range(page.model.rowCount())]
    assert [(r.owner, -r.icp_score) for r in rows] == sorted((r.owner, -r.icp_score) for r in rows)
    click(owner)  # a plain click on the primary key reverses it and drops the others
    assert page.model.account_sort == AccountSort("owner", True)


def test_save_and_reapply_a_view(qtbot, page, monkeypatch):
    page.tier.setCurrentIndex(page.tier.findData(2))
    page.model.set_sort(AccountSort.of(("icp_score", True), ("name", False)))
    page.columns.set_column_visible("hq_country", True)
    monkeypatch.setattr(pickers, "ask_view", lambda parent, name="", shared=False: ("Tier 2 by score", True))
    page.save_current_view()
    assert page.views.currentText() == "Tier 2 by score (shared)"
    assert page.delete_view_button.isEnabled()

    page.views.setCurrentIndex(0)
    page.views.activated.emit(0)  # the default view
    assert page.model.account_filter.is_empty and page.model.account_sort == AccountSort()
    assert page.table.isColumnHidden(COLUMN_KEYS.index("hq_country"))

    i = page.views.findText("Tier 2 by score (shared)")
    page.views.setCurrentIndex(i)
    page.views.activated.emit(i)
    assert page.model.account_filter == AccountFilter(tiers=(2,))
    assert page.model.account_sort == AccountSort.of(("icp_score", True), ("name", False))
    assert not page.table.isColumnHidden(COLUMN_KEYS.index("hq_country"))
    assert page.tier.currentData() == 2

    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": errors.append(msg))
    monkeypatch.setattr(dialogs, "ask", lambda parent, title, question: False)  # "replace it?" → no
    page.save_current_view()
    assert not errors and len(page._views) == 1
    monkeypatch.setattr(dialogs, "ask", lambda parent, title, question: True)
    page.delete_current_view()
    assert page.views.count() == 1 and page.current_view() is None


def test_bulk_set_tier_updates_rows_and_timeline(qtbot, page, ctx):
    from accounts.history import timeline

    page.filters.set_filter(AccountFilter(tiers=(3,)))
    ids = [page.model.row_at(r).id for r in (0, 1, 2)]
    _select(page, (0, 1, 2))
    assert page.bulk_bar.isVisible() and page.selection_label.text() == "3 selected"
    page.filters.clear()
    page.model.set_filter(AccountFilter())
    _select(page, [page.model.row_for_id(i) for i in ids])
    with qtbot.waitSignal(page.bulkFinished, timeout=10_000) as blocker:
        page.set_tier_button.menu().actions()[0].trigger()  # "Tier 1"
    assert blocker.args[0].changed == 3
    for i in ids:
        row = page.model.row_at(page.model.row_for_id(i))
        assert row.tier == 1 and row.tier_is_manual
    assert set(page.selected_ids()) == set(ids)  # the selection survives the refresh
    with ctx.workspace.session() as s:
        entry = timeline(s, ids[0])[0]
    assert entry.kind == "tier_changed" and entry.source == "bulk" and entry.who == ctx.user.name


def test_bulk_add_to_new_list_through_the_picker(qtbot, page, ctx, monkeypatch):
    _select(page, (0, 3))
    seen = {}

    def choose(parent, names, count):
        seen["count"] = count
        return "Hand-picked"

    monkeypatch.setattr(pickers, "choose_list", choose)
    with qtbot.waitSignal(page.bulkFinished, timeout=10_000) as blocker:
        page.bulk_add_to_list()
    assert seen["count"] == 2 and blocker.args[0].list_created
    list_id = blocker.args[0].list_id
    assert page.filters.list.findData(list_id) > 0  # the new list is offered as a filter
    page.filters.list.setCurrentIndex(page.filters.list.findData(list_id))
    assert page.model.total == 2


def test_context_menu_offers_bulk_actions(qtbot, page):
    _select(page, (0, 1))
    menu = page.context_menu()
    texts = [a.text() for a in menu.actions()]
    assert texts[:4] == ["Add to list…", "Set tier", "Set owner", "Set stage"]
    menu.deleteLater()


def test_header_buttons_open_their_dialogs(qtbot, page, monkeypatch):
    from PySide6.QtWidgets import QDialog

    import ui.pages.accounts_page as accounts_page
    from ui.duplicates_dialog import DuplicatesDialog
    from ui.export_dialog import ExportDialog
    from ui.import_wizard import ImportWizard
    from ui.scoring_dialog import IcpRulesDialog

    monkeypatch.setattr(accounts_page, "choose_import_kind", lambda parent: "accounts")
    opened = []
    for cls in (IcpRulesDialog, ImportWizard, ExportDialog, DuplicatesDialog):
        monkeypatch.setattr(cls, "exec", lambda self, c=cls: opened.append(c.__name__) or QDialog.DialogCode.Rejected)
    for b in (page.icp_button, page.import_button, page.export_button, page.duplicates_button):
        qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    assert opened == ["IcpRulesDialog", "ImportWizard", "ExportDialog", "DuplicatesDialog"]
    qtbot.waitUntil(lambda: page.ctx.jobs.active == 0)  # a dialog may load its data as a job


def test_new_models_pass_qtmodeltester(qtmodeltester, ctx):
    from accounts.hierarchy import family
    from ui.models.hierarchy_tree import HierarchyTreeModel
    from ui.models.timeline import TimelineModel

    add_accounts(ctx.workspace, 250)
    model = AccountTableModel(ctx.workspace, ctx.taxonomy)
    model.set_sort(AccountSort.of(("owner", False), ("icp_score", True)))
    model.set_filter(AccountFilter(icp_min=10))
    qtmodeltester.check(model)
    now = dt.datetime.now(dt.UTC)
    tl = TimelineModel([TimelineEntry(now, "tier_changed", "Tier: 2 → 1", "bulk", "Maya"),
                        TimelineEntry(now - dt.timedelta(days=3), "activity:call", "Cold call", "connected", "Bo")])
    qtmodeltester.check(tl)
    with ctx.workspace.session() as s:
        top = Account(name="Top")
        kids = [Account(name=f"Kid {i}", parent=top) for i in range(3)]
        grandkid = Account(name="Grandkid", parent=kids[1])
        s.add_all([top, *kids, grandkid])
        s.flush()
        fam = family(s, grandkid.id)
    tree = HierarchyTreeModel()
    tree.set_family(fam)
    qtmodeltester.check(tree)
    tree.set_family(None)
    qtmodeltester.check(tree)


# ---- the account window ----

def _account_family(ws) -> dict[str, int]:
    with ws.session() as s:
        top = Account(name="Parent Group", domain="parentgroup.example")
        acc = Account(name="Child Co", domain="childco.example", parent=top, tier=2, tier_is_manual=True,
                      icp_score=72, icp_explanation=[{"rule": "r1", "label": "Industry in Fintech", "points": 20},
                                                     {"rule": "r2", "label": "Employees 500–5,000",
                                                      "points": 15}])
        sibling = Account(name="Sibling Co", domain="sibling.example", parent=top)
        s.add_all([top, acc, sibling])
        s.flush()
        s.add_all([Contact(account_id=acc.id, first_name="Ann"), Contact(account_id=sibling.id, first_name="Bo"),
                   Opportunity(account_id=sibling.id, name="Deal", amount=2500)])
        now = dt.datetime.now(dt.UTC)
        s.add(Activity(account_id=acc.id, type="call", subject="Discovery call",
                       occurred_at=now - dt.timedelta(days=2)))
        s.add(AccountEvent(account_id=acc.id, kind="stage_changed", summary="ABM stage: target → engaged",
                           occurred_at=now - dt.timedelta(hours=1)))
        s.add(AccountEvent(account_id=acc.id, kind="imported", summary="Imported from file",
                           occurred_at=now - dt.timedelta(days=9), source="import"))
        return {"top": top.id, "acc": acc.id, "sibling": sibling.id}


def test_account_window_timeline_hierarchy_and_overview(qtbot, ctx):
    from ui.account_window import AccountWindow

    ids = _account_family(ctx.workspace)
    win = AccountWindow(ctx, ids["acc"])
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert "Tier 2 (manual override)" in [win.badges.itemAt(i).widget().text()
                                          for i in range(win.badges.count()) if win.badges.itemAt(i).widget()]
    assert "Industry in Fintech +20" in win.icp_widget.text()
    assert win.icp_area.count() >= 1

    tl = win.timeline_model
    assert [tl.entry(r).summary for r in range(tl.rowCount())] == \
        ["ABM stage: target → engaged", "Discovery call", "Imported from file"]
    assert tl.data(tl.index(0, 1)) == "Stage changed" and tl.data(tl.index(1, 1)) == "Call"
    assert tl.data(tl.index(0, 1), Qt.ItemDataRole.DecorationRole) is not None

    tree = win.hierarchy_model
    root = tree.index(0, 0)
    assert tree.data(root) == "Parent Group" and tree.rowCount(root) == 2
    assert tree.data(tree.index(0, 1)) == "2"  # contacts rolled up from both children
    assert tree.data(tree.index(0, 4)) == "$2,500"
    current = tree.index_of(ids["acc"])
    assert tree.data(current) == "Child Co  (this account)"
    assert tree.data(current, Qt.ItemDataRole.FontRole).bold()
    sibling = tree.index_of(ids["sibling"])
    win.tabs.setCurrentIndex(win.tabs.count() - 1)
    rect = win.tree.visualRect(sibling)
    qtbot.mouseClick(win.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(win.openAccount) as blocker:
        qtbot.mouseDClick(win.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [ids["sibling"]]
    win.close()


def test_parent_can_be_changed_but_not_into_a_cycle(qtbot, ctx, monkeypatch):
    from accounts.queries import AccountChoice
    from ui.account_window import AccountWindow

    ids = _account_family(ctx.workspace)
    win = AccountWindow(ctx, ids["top"])
    qtbot.addWidget(win)
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": errors.append(msg))
    monkeypatch.setattr(pickers, "pick_account", lambda *a, **k: AccountChoice(ids["acc"], "Child Co", None))
    win.choose_parent()
    assert win.changes() == {"parent_id": ids["acc"]}
    win.save()
    assert errors and "Parent Group would become its own ancestor" in errors[0]

    win2 = AccountWindow(ctx, ids["sibling"])
    qtbot.addWidget(win2)
    monkeypatch.setattr(pickers, "pick_account", lambda *a, **k: AccountChoice(ids["acc"], "Child Co", None))
    win2.choose_parent()
    with qtbot.waitSignal(win2.saved):
        win2.save()
    assert win2.parent_name.text() == "Child Co"
    assert win2.timeline_model.entry(0).summary.startswith("Parent account")
    win.close()
    win2.close()
