"""pytest-qt: the main window, its navigation, the accounts page and the account workspace."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from accounts.queries import AccountFilter
from tests.factories import add_accounts
from ui import dialogs
from ui.main_window import PAGES, MainWindow


def _window(qtbot, ctx, **kw) -> MainWindow:
    w = MainWindow(ctx, **kw)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_opens_on_the_role_page_and_navigates(qtbot, make_ctx, sqlite_workspace):
    w = _window(qtbot, make_ctx(sqlite_workspace, role="marketing"))
    assert w.current_page() == "content"
    for i, (key, *_rest) in enumerate(PAGES):
        qtbot.mouseClick(w.nav.button(i), Qt.MouseButton.LeftButton)
        assert w.current_page() == key
        assert w.nav_buttons[key].isChecked()
    w.close()
    manager = _window(qtbot, make_ctx(sqlite_workspace, role="manager", email="boss@test.example"))
    assert manager.current_page() == "dashboard"


def test_accounts_model_passes_qtmodeltester(qtmodeltester, ctx):
    add_accounts(ctx.workspace, 450)
    from ui.models.account_table import AccountTableModel

    model = AccountTableModel(ctx.workspace, ctx.taxonomy)
    assert model.rowCount() == AccountTableModel.PAGE_SIZE and model.total == 450
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 450
    model.sort(6, Qt.SortOrder.DescendingOrder)  # ICP score
    scores = [model.row_at(i).icp_score for i in range(model.rowCount())]
    assert scores == sorted(scores, reverse=True)
    qtmodeltester.check(model)


def test_filter_box_narrows_rows_and_empty_states(qtbot, ctx):
    add_accounts(ctx.workspace, 40)
    w = _window(qtbot, ctx, start_page="accounts")
    page = w.pages["accounts"]
    assert page.model.rowCount() == 40 and page.stack.currentWidget() is page.table
    qtbot.keyClicks(page.search, "0013")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.row_at(0).name == "Company 0013"
    assert page.count.text() == "1 account"
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 40)
    page.tier.setCurrentIndex(page.tier.findData(2))
    assert page.model.account_filter == AccountFilter(tiers=(2,))
    assert all(page.model.row_at(i).tier == 2 for i in range(page.model.rowCount()))
    qtbot.keyClicks(page.search, "no such company")
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.no_match)
    qtbot.mouseClick(page.no_match.buttons.itemAt(1).widget(), Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 40 and page.search.text() == ""


def test_empty_workspace_says_what_to_do(qtbot, ctx):
    w = _window(qtbot, ctx, start_page="accounts")
    page = w.pages["accounts"]
    assert page.stack.currentWidget() is page.empty
    assert "demo" in page.empty.text.text() and "import" in page.empty.text.text().lower()


def test_double_click_opens_account_and_saves(qtbot, ctx, monkeypatch):
    add_accounts(ctx.workspace, 5)
    w = _window(qtbot, ctx, start_page="accounts")
    page = w.pages["accounts"]
    view = page.table
    index = page.model.index(2, 0)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(w.account_windows) == 1
    win = next(iter(w.account_windows.values()))
    qtbot.waitExposed(win)
    assert win.title.text() == "Company 0002"
    assert win.fields["name"].text() == "Company 0002"

    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": errors.append(msg))
    win.fields["employees"].setText("many")
    qtbot.mouseClick(win.save_button, Qt.MouseButton.LeftButton)
    assert errors and "employees must be a whole number" in errors[0]

    win.fields["employees"].setText("2,500")
    win.stage.setCurrentIndex(win.stage.findData("engaged"))
    with qtbot.waitSignal(win.saved):
        qtbot.mouseClick(win.save_button, Qt.MouseButton.LeftButton)
    assert "Enterprise" in win.segment.text()
    assert page.model.row_at(2).stage == "engaged"
    win.close()


def test_window_geometry_is_remembered(qtbot, ctx):
    QSettings().remove("main_window/geometry")
    w = _window(qtbot, ctx)
    w.resize(w.minimumWidth(), 707)  # the offscreen screen is 800x800 (narrower than the window may be)
    w.move(w.x(), 31)
    w.close()
    assert QSettings().value("main_window/geometry") is not None
    again = _window(qtbot, ctx)
    assert (again.height(), again.y()) == (707, 31)


def test_profile_change_shows_in_the_status_bar(qtbot, ctx):
    w = _window(qtbot, ctx, start_page="settings")
    settings = w.page("settings")
    settings.name.setText("Renamed Person")
    qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)
    assert w.statusBar().currentMessage().startswith("Renamed Person · BDR")


def test_lists_open_filtered_accounts(qtbot, ctx):
    from accounts.models import TargetList, TargetListMember

    ids = add_accounts(ctx.workspace, 10)
    with ctx.workspace.session() as s:
        lst = TargetList(name="Three of them", kind="static")
        s.add(lst)
        s.flush()
        s.add_all([TargetListMember(list_id=lst.id, account_id=i) for i in ids[:3]])
        list_id = lst.id
    w = _window(qtbot, ctx, start_page="lists")
    w.page("lists").openList.emit(list_id, "Three of them")
    assert w.current_page() == "accounts"
    accounts = w.page("accounts")
    assert accounts.model.total == 3 and "Three of them" in accounts.header.subtitle.text()
    qtbot.mouseClick(accounts.all_accounts_button, Qt.MouseButton.LeftButton)
    assert accounts.model.total == 10 and accounts.all_accounts_button.isHidden()


def test_account_owner_can_be_changed(qtbot, ctx):
    ids = add_accounts(ctx.workspace, 2)
    w = _window(qtbot, ctx, start_page="accounts")
    win = w.open_account(ids[0])
    qtbot.waitExposed(win)
    win.owner.setCurrentIndex(win.owner.findText("Owner 1"))
    with qtbot.waitSignal(win.saved):
        qtbot.mouseClick(win.save_button, Qt.MouseButton.LeftButton)
    assert w.page("accounts").model.row_at(0).owner == "Owner 1"
    win.close()
