"""pytest-qt: the KPI dashboard on the hand-worked book of ``tests/test_kpi.py`` — cards and deltas, filters
that change the numbers, the funnel's weakest step, and every kind of drill-down down to opening an account."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from bdr_desk.kpi import KpiFilter, drill_ids
from tests.test_kpi import TODAY, seed
from ui.main_window import MainWindow
from ui.models.sortable_records import ROW_ROLE
from ui.pages.dashboard_page import DashboardPage


@pytest.fixture
def book(sqlite_workspace):
    with sqlite_workspace.session() as s:
        return seed(s)


def build(qtbot, ctx) -> DashboardPage:
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.today = TODAY
    page.resize(1400, 900)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    return page


def values(page) -> dict[str, str]:
    return {k: c.value.text() for k, c in page.cards.items()}


def choose(qtbot, page, combo, data) -> None:
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        combo.setCurrentIndex(combo.findData(data))


def drilled(qtbot, page, action) -> object:
    """Run ``action`` (a click), wait for the drill-down's records; returns the dialog."""
    action()
    dialog = page.drill_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.records is not None, timeout=10_000)
    return dialog


def shown_ids(dialog) -> list[int]:
    m = dialog.model
    return sorted(m.data(m.index(r, 0), ROW_ROLE).id for r in range(m.rowCount()))


def test_cards_deltas_and_funnel(qtbot, make_ctx, sqlite_workspace, book):
    page = build(qtbot, make_ctx(sqlite_workspace, role="manager"))
    assert page.stack.currentWidget() is page.scroll
    v = values(page)
    assert (v["target_accounts"], v["tier1_accounts"], v["no_touch_accounts"]) == ("4", "2", "2")
    assert (v["key_contact_identification_rate"], v["open_opportunities"], v["pipeline_amount"]) == ("50%", "3", "$3.5k")
    assert (v["first_meetings"], v["first_meetings_held"], v["qualified_opportunities"]) == ("2", "2", "3")
    assert (v["pipeline_created"], v["win_rate"], v["avg_enterprise_deal_size"]) == ("$4.2k", "50%", "$5k")
    deltas = {k: c.delta.text() for k, c in page.cards.items()}
    assert (deltas["first_meetings"], deltas["first_meetings_held"], deltas["win_rate"]) == ("▲ 1", "▲ 2", "▲ 50 pts")
    assert deltas["pipeline_created"] == "▼ 16%" and deltas["target_accounts"] == ""  # no delta for the book
    assert page.cards["first_meetings"].delta.toolTip() == "3 Jan – 1 Apr 2024: 1"
    assert page.cards["key_contact_identification_rate"].note.text() == "2 of 4 target accounts"
    assert "compared with 3 Jan – 1 Apr 2024" in page.period_section.text()
    assert page.funnel.chart.bar_values() == [8, 7, 5, 4, 3, 1]
    assert page.funnel.chart.value_texts() == ["8", "7", "5", "4", "3", "1"]
    assert page.funnel.chart.highlighted() == [5] and page.funnel.weak_chip() == 4
    assert "Opportunity → Closed Won" in page.funnel.insight.text()
    assert "Where in the funnel is the issue?" in page.funnel.insight.text()
    assert [r.source for r in page.sources.model.rows()] == ["webinar", "outbound", "paid", "unknown"]
    assert [r.name for r in page.bdrs.model.rows()] == ["Ana", "Ben", "Unassigned"]
    assert [r.title for r in page.content_items.model.rows()] == ["Battlecard", "Case study"]
    assert page.filters.status.text() == "As of 30 Jun 2024"


def test_filters_change_the_cards(qtbot, make_ctx, sqlite_workspace, book):
    page = build(qtbot, make_ctx(sqlite_workspace, role="manager"))
    f = page.filters
    assert f.owner.count() == 4  # everyone, Ana, Ben, the manager
    choose(qtbot, page, f.owner, book["ana"])
    assert values(page)["target_accounts"] == "3" and values(page)["win_rate"] == "0%"
    assert page.funnel.chart.bar_values() == [4, 3, 2, 1, 0, 0] and page.funnel.chart.highlighted() == [4]
    assert "SQL → Opportunity" in page.funnel.insight.text()
    choose(qtbot, page, f.owner, None)
    choose(qtbot, page, f.segment, "enterprise")
    assert values(page)["target_accounts"] == "0" and values(page)["key_contact_identification_rate"] == "—"
    choose(qtbot, page, f.segment, None)
    choose(qtbot, page, f.source, "webinar")
    assert values(page)["target_accounts"] == "2" and page.funnel.chart.bar_values() == [2, 1, 1, 1, 0, 0]
    assert [r.source for r in page.sources.model.rows()] == ["webinar"]
    choose(qtbot, page, f.source, None)
    choose(qtbot, page, f.target_list, book["dynamic"])
    assert values(page)["target_accounts"] == "2" and values(page)["tier1_accounts"] == "2"
    choose(qtbot, page, f.target_list, None)
    choose(qtbot, page, f.period, "all")
    v = values(page)
    assert (v["win_rate"], v["avg_enterprise_deal_size"]) == ("50%", "$5k") and page.cards["win_rate"].delta.text() == ""
    assert page.cards["win_rate"].note.text() == "2 won · 2 lost"
    choose(qtbot, page, f.period, "custom")
    assert not f.date_from.isHidden()
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        f.date_from.setDate(QDate(2023, 12, 1))
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        f.date_to.setDate(QDate(2023, 12, 31))
    assert page.report.period.key == "2023-12-01..2023-12-31"
    assert values(page)["first_meetings_held"] == "1"
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()  # keeps the chosen filters
    assert f.period.currentData() == "custom" and page.report.period.start == dt.date(2023, 12, 1)


def test_bdr_starts_on_own_book(qtbot, make_ctx, sqlite_workspace, book):
    ctx = make_ctx(sqlite_workspace, role="bdr", name="Ana", email="ana@x.test")
    page = build(qtbot, ctx)
    assert page.filters.owner.currentData() == ctx.user.id and page.filters.owner.currentText() == "Ana (me)"
    assert values(page)["target_accounts"] == "3"
    assert page.filters.describe(page.report.filter) == "Last 90 days · your accounts"


def test_card_and_funnel_drill_down(qtbot, make_ctx, sqlite_workspace, book, qtmodeltester):
    page = build(qtbot, make_ctx(sqlite_workspace, role="manager"))
    flt = page.report.filter
    card = page.cards["first_meetings"]
    dialog = drilled(qtbot, page, lambda: qtbot.mouseClick(card, Qt.MouseButton.LeftButton))
    with sqlite_workspace.session() as s:
        expected = drill_ids(s, flt, "first_meetings")
    assert len(expected) == 2 and shown_ids(dialog) == expected
    assert dialog.title.text() == "Accounts with a first meeting set"
    assert dialog.summary.text() == "2 accounts · Last 90 days · everyone's accounts"
    qtmodeltester.check(dialog.model)
    # the funnel's SQL bar: the four contacts that reached SQL, opened from the bar itself
    chart = page.funnel.chart
    pos = chart.bar_center(3).toPoint()
    dialog = drilled(qtbot, page, lambda: qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=pos))
    assert dialog.records.kind == "contacts" and dialog.records.title == "Contacts that reached SQL"
    with sqlite_workspace.session() as s:
        assert shown_ids(dialog) == drill_ids(s, flt, "funnel", "sql") and len(shown_ids(dialog)) == 4
    qtmodeltester.check(dialog.model)
    # the weakest step's chip lists the contacts who made it: those that reached Closed Won
    chip = page.funnel.chips[page.funnel.weak_chip()]
    dialog = drilled(qtbot, page, lambda: qtbot.mouseClick(chip, Qt.MouseButton.LeftButton))
    assert dialog.records.title == "Contacts that reached Closed Won" and dialog.records.total == 1
    # Enter on a focused card drills too
    page.cards["target_accounts"].setFocus()
    dialog = drilled(qtbot, page, lambda: qtbot.keyClick(page.cards["target_accounts"], Qt.Key.Key_Return))
    assert [r.name for r in dialog.model.rows()] == ["A1", "A2", "A3", "A6"]
    dialog.close()


def test_breakdown_tables_drill_down(qtbot, make_ctx, sqlite_workspace, book, qtmodeltester):
    page = build(qtbot, make_ctx(sqlite_workspace, role="manager"))
    for panel in (page.sources, page.bdrs, page.content_items):
        qtmodeltester.check(panel.model)
    flt = page.report.filter

    def click(panel, row, col):
        view = panel.view
        rect = view.visualRect(panel.model.index(row, col))
        return drilled(qtbot, page, lambda: qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                                                             pos=rect.center()))

    dialog = click(page.bdrs, 0, page.bdrs.model.header_labels().index("Calls"))  # Ana's calls
    with sqlite_workspace.session() as s:
        assert shown_ids(dialog) == drill_ids(s, flt, "bdr_calls", book["ana"]) and len(shown_ids(dialog)) == 2
    assert dialog.records.title == "Calls · Ana"
    dialog = click(page.sources, 2, page.sources.model.header_labels().index("MQL"))  # paid MQLs
    with sqlite_workspace.session() as s:
        assert shown_ids(dialog) == drill_ids(s, flt.with_(source="paid"), "funnel", "mql")
    assert len(shown_ids(dialog)) == 2 and "Paid" in dialog.summary.text()
    dialog = click(page.content_items, 0, 3)  # the battlecard's opportunities
    with sqlite_workspace.session() as s:
        assert shown_ids(dialog) == drill_ids(s, flt, "content_influence", book["card"])
    assert len(shown_ids(dialog)) == 3
    qtmodeltester.check(dialog.model)
    # the share chart: the pipeline bar of webinar opens webinar's opportunities
    i = next(i for i, src in enumerate(page.shares.sources) if src.source == "webinar")
    dialog = drilled(qtbot, page, lambda: page.shares.chart.pipeline.clicked.emit(page.shares.chart._n - 1 - i))
    assert dialog.records.kind == "opportunities" and dialog.records.total == 1
    dialog.close()


def test_open_account_from_a_drill_down(qtbot, make_ctx, sqlite_workspace, book):
    page = build(qtbot, make_ctx(sqlite_workspace, role="manager"))
    dialog = drilled(qtbot, page, lambda: qtbot.mouseClick(page.cards["win_rate"], Qt.MouseButton.LeftButton))
    rows = dialog.model.rows()
    assert [r.stage for r in rows] == ["closed_won", "closed_lost"] and rows[1].id == book["o5"]
    assert not dialog.open_button.isEnabled()
    view = dialog.view
    qtbot.waitExposed(dialog)
    rect = view.visualRect(dialog.model.index(0, 0))
    with qtbot.waitSignal(page.openAccount) as opened:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [rows[0].account_id]
    view.selectRow(1)
    assert dialog.open_button.isEnabled()
    with qtbot.waitSignal(page.openAccount) as opened:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [rows[1].account_id]
    dialog.close()


def test_main_window_opens_the_account(qtbot, make_ctx, sqlite_workspace, book):
    w = MainWindow(make_ctx(sqlite_workspace, role="manager"), start_page="dashboard")
    qtbot.addWidget(w)
    w.show()
    page = w.page("dashboard")
    page.today = TODAY
    qtbot.waitUntil(lambda: page.report is not None, timeout=10_000)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    dialog = drilled(qtbot, page, lambda: page.open_drill("target_accounts"))
    account = dialog.model.rows()[0]
    dialog.view.doubleClicked.emit(dialog.model.index(0, 0))
    assert list(w.account_windows) == [account.id]
    for win in list(w.account_windows.values()):
        win.close()
    dialog.close()
    w.close()


def test_empty_workspace(qtbot, make_ctx, sqlite_workspace):
    page = build(qtbot, make_ctx(sqlite_workspace, role="manager"))
    assert page.stack.currentWidget() is page.empty and page.filters.isHidden()
    text = (page.empty.title.text() + page.empty.text.text()).lower()
    assert "import" in text and "coming soon" not in text
    assert page.open_drill("target_accounts") is not None  # a drill-down of nothing is an empty list
    page.drill_dialog.close()


def test_no_stages_and_no_breakdowns(qtbot, make_ctx, sqlite_workspace):
    from accounts.models import Account

    with sqlite_workspace.session() as s:
        s.add(Account(name="Only"))
    page = build(qtbot, make_ctx(sqlite_workspace, role="manager"))
    assert page.stack.currentWidget() is page.scroll
    assert values(page)["win_rate"] == "—" and values(page)["target_accounts"] == "1"
    assert page.funnel.chart.bar_values() == [0] * 6 and page.funnel.chart.highlighted() == []
    assert "lifecycle stage" in page.funnel.insight.text()
    for panel in (page.sources, page.bdrs, page.content_items):
        assert panel.view.isHidden() and panel.empty.text()
    assert "No contacts or opportunities with a lead source" in page.shares.caption.text()
    assert KpiFilter.of("last-90-days", TODAY) == page.report.filter


def test_a_failed_refresh_goes_to_the_dialog_seam(qtbot, make_ctx, sqlite_workspace, monkeypatch):
    import ui.dialogs
    import ui.pages.dashboard_page as dashboard

    seen = []
    monkeypatch.setattr(ui.dialogs, "show_error", lambda parent, title, message, details="": seen.append(message))

    def broken(session, flt):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(dashboard, "kpi_report", broken)
    page = DashboardPage(make_ctx(sqlite_workspace, role="manager"))
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen == ["database is locked"] and page.filters.status.text() != "Refreshing…"
