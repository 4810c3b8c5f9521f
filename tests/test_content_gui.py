"""pytest-qt: the Content library page (search as you type, facets, sort, detail, copy link, the weak-search log),
the check list model and the account window's Content tab. Curation, import and insights: test_content_curation_gui."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from sqlalchemy import select

from accounts.models import Account, PainHypothesis
from content_library.items import ItemDraft, create_item
from content_library.models import ContentItem, ContentRequest, ContentUsage, SearchLogEntry
from tests.content_gui_support import _count, _page, _seed, _titles
from ui.account_content_panel import AccountContentPanel
from ui.pages.content import common
from ui.pages.content.cards import HTML_ROLE, META_ROLE
from ui.pages.content.checklist import CheckListModel
from ui.pages.content.page import PAGE_SIZE


def test_typing_narrows_results_with_highlighted_snippets(qtbot, qtmodeltester, marketing):
    _seed(marketing.workspace)
    page = _page(qtbot, marketing)
    assert page.model.rowCount() == 4 and page.count.text() == "4 items"
    qtmodeltester.check(page.model)
    qtbot.keyClicks(page.search, "aud")  # prefix search as you type: "aud" finds "audit"
    assert page.model.rowCount() == 4  # debounced: nothing yet
    qtbot.waitUntil(lambda: sorted(_titles(page)) == ["Bank security deck", "Hospital audit case study"])
    assert "<b>" in page.model.data(page.model.index(0), HTML_ROLE)
    assert page.count.text() == "2 results"
    qtbot.keyClicks(page.search, "it hospital")
    qtbot.waitUntil(lambda: _titles(page) == ["Hospital audit case study"])
    meta = page.model.data(page.model.index(0), META_ROLE)
    assert "Healthcare" in meta and "Used 2 times" in meta
    qtmodeltester.check(page.model)
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)


def test_facet_click_changes_results_and_counts(qtbot, marketing):
    _seed(marketing.workspace)
    page = _page(qtbot, marketing)
    industry, pain = page.facets.groups["industry"], page.facets.groups["pain"]
    assert industry.value("fintech").count.text() == "2" and pain.value("compliance_risk").count.text() == "2"
    qtbot.mouseClick(industry.value("fintech").box, Qt.MouseButton.LeftButton)
    assert sorted(_titles(page)) == ["Compliance one-pager", "Fintech close whitepaper"]
    assert pain.value("compliance_risk").count.text() == "1"  # counts follow the selection
    assert pain.value("audit_readiness").isHidden()  # no fintech item has that pain
    assert industry.value("healthcare").count.text() == "1"  # disjunctive: the other industries still count
    qtbot.mouseClick(industry.value("healthcare").box, Qt.MouseButton.LeftButton)
    assert len(_titles(page)) == 3
    qtbot.mouseClick(page.facets.groups["type"].value("case_study").box, Qt.MouseButton.LeftButton)
    assert _titles(page) == ["Hospital audit case study"]
    assert page.facets.groups["type"].value("one_pager").count.text() == ""  # listed without a number
    page.facets.clear()
    assert page.model.rowCount() == 4


def test_sort_by_most_used_and_newest(qtbot, marketing):
    ids = _seed(marketing.workspace)
    with marketing.workspace.session() as s:  # a known publication order
        for n, title in enumerate(("Fintech close whitepaper", "Compliance one-pager", "Hospital audit case study")):
            s.get(ContentItem, ids[title]).published_at = dt.datetime(2025, 1, 1 + n, tzinfo=dt.UTC)
    page = _page(qtbot, marketing)
    page.sort.setCurrentIndex(page.sort.findData("most_used"))
    assert _titles(page)[:2] == ["Hospital audit case study", "Compliance one-pager"]
    page.sort.setCurrentIndex(page.sort.findData("newest"))
    published = [t for t in _titles(page) if t != "Bank security deck"]
    assert published == ["Hospital audit case study", "Compliance one-pager", "Fintech close whitepaper"]


def test_results_page_in_lazily(qtbot, qtmodeltester, marketing):
    with marketing.workspace.session() as s:
        for i in range(PAGE_SIZE + 12):
            create_item(s, ItemDraft(title=f"Item {i:03d}", type="blog_post", status="published"))
    page = _page(qtbot, marketing)
    assert page.model.rowCount() == PAGE_SIZE and page.model.canFetchMore()
    assert page.count.text() == f"{PAGE_SIZE + 12} items"
    page.model.fetchMore()
    assert page.model.rowCount() == PAGE_SIZE + 12 and not page.model.canFetchMore()
    qtmodeltester.check(page.model)


def test_detail_shows_snippet_facets_and_stale_flag(qtbot, marketing):
    ids = _seed(marketing.workspace)
    page = _page(qtbot, marketing)
    qtbot.keyClicks(page.search, "payer")
    qtbot.waitUntil(lambda: _titles(page) == ["Hospital audit case study"])
    d = page.detail
    assert d.item_id == ids["Hospital audit case study"]
    assert d.title.text() == "Hospital audit case study"
    assert "payer" in d.snippet.text() and "fef08a" in d.snippet.text() and d.snippet.isVisible()
    chips = [w.text() for w in d.facets.findChildren(type(d.title)) if w.objectName() == "Chip"]
    assert {"Healthcare", "Compliance & regulatory risk", "CFO / Finance leader"} <= set(chips)
    assert d.stale.isVisible() and "Stale" in d.stale.text()
    assert "https://cdn.example/case_study" in d.link.text()
    assert "Version 1" in d.history.text() and "First version" in d.history.text()
    assert "Used 2 times" in d.meta.text()


def test_copy_link_records_usage_and_fills_clipboard(qtbot, marketing, monkeypatch):
    ids = _seed(marketing.workspace)
    page = _page(qtbot, marketing)
    item = ids["Fintech close whitepaper"]
    page.run_search(select_id=item)
    assert page.detail.item_id == item
    qtbot.mouseClick(page.detail.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "https://cdn.example/whitepaper"
    with marketing.workspace.session() as s:
        uses = s.execute(select(ContentUsage.kind, ContentUsage.user_id).where(ContentUsage.item_id == item)).all()
    assert uses == [("copied_link", marketing.user.id)]
    assert "Link copied" in page.notice.text.text() and "Used 1 time" in page.detail.meta.text()
    opened = []
    monkeypatch.setattr(common, "open_url", lambda url: opened.append(url) or True)
    qtbot.mouseClick(page.detail.open_button, Qt.MouseButton.LeftButton)
    assert opened == ["https://cdn.example/whitepaper"]


def test_weak_search_is_logged_once_after_a_pause(qtbot, marketing):
    _seed(marketing.workspace)
    page = _page(qtbot, marketing)
    page.log_timer.setInterval(150)
    ws = marketing.workspace
    qtbot.mouseClick(page.facets.groups["industry"].value("fintech").box, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.search, "quantum payroll")
    assert _count(ws, SearchLogEntry) == 0  # never per keystroke
    qtbot.waitUntil(lambda: page.results_stack.currentWidget() is page.no_hits)
    qtbot.waitUntil(lambda: _count(ws, SearchLogEntry) == 1)
    with ws.session() as s:
        entry = s.scalars(select(SearchLogEntry)).one()
        assert (entry.query, entry.result_count, entry.industry, entry.user_id) == \
            ("quantum payroll", 0, "fintech", marketing.user.id)
    page.run_search()  # the same search again: not logged twice
    qtbot.waitUntil(lambda: not page.log_timer.isActive())
    assert _count(ws, SearchLogEntry) == 1
    page.search.clear()
    page.facets.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    assert not page.log_timer.isActive()  # browsing is not a search
    qtbot.keyClicks(page.search, "compliance")  # two hits: weak, and logged once the user pauses
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    qtbot.waitUntil(lambda: _count(ws, SearchLogEntry) == 2)
    qtbot.waitUntil(lambda: not page.log_timer.isActive())
    assert _count(ws, SearchLogEntry) == 2


# ---- curation ----


def test_check_list_model(qtmodeltester):
    model = CheckListModel([("a", "Alpha"), ("b", "Beta")])
    model.set_checked(["b", "gone"])  # a value no longer offered stays visible so it can be unticked
    assert model.checked() == ["b", "gone"] and model.rowCount() == 3
    model.toggle(model.index(0))
    assert model.checked_labels() == ["Alpha", "Beta", "gone"]
    qtmodeltester.check(model)


# ---- the account window's Content tab ----

def _account_with_content(ws):
    with ws.session() as s:
        acc = Account(name="Quill Pay", domain="quill.example", industry="fintech", size_band="1001_5000", tier=1)
        other = Account(name="Elsewhere", domain="elsewhere.example", industry="retail")
        s.add_all([acc, other])
        s.flush()
        s.add(PainHypothesis(account_id=acc.id, pain="compliance_risk", persona="cfo",
                             hypothesis="Regulators ask for evidence every quarter"))
        return acc.id


def test_account_content_tab_recommends_with_reasons_and_records_use(qtbot, qtmodeltester, marketing, monkeypatch):
    ids = _seed(marketing.workspace)
    account_id = _account_with_content(marketing.workspace)
    panel = AccountContentPanel(marketing, account_id)
    qtbot.addWidget(panel)
    assert not panel.loaded  # nothing runs until the tab is shown
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.loaded and panel.stack.currentWidget() is panel.view
    titles = [panel.model.row_at(r).title for r in range(panel.model.rowCount())]
    assert titles[0] in ("Compliance one-pager", "Fintech close whitepaper")
    assert "Bank security deck" not in titles  # drafts are never recommended
    top = panel.model.data(panel.model.index(0), HTML_ROLE)
    assert "Why:" in top and "same industry" in top
    qtmodeltester.check(panel.model)

    panel.view.setCurrentIndex(panel.model.index(panel.model.row_of(ids["Compliance one-pager"])))
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "https://cdn.example/one_pager"
    qtbot.mouseClick(panel.attach_button, Qt.MouseButton.LeftButton)
    with marketing.workspace.session() as s:
        uses = s.execute(select(ContentUsage.kind).where(ContentUsage.account_id == account_id,
                                                         ContentUsage.item_id == ids["Compliance one-pager"])
                         .order_by(ContentUsage.id)).scalars().all()
    assert uses == ["copied_link", "attached"]
    assert panel.selected_id() == ids["Compliance one-pager"]
    assert "Used here 2×" in panel.model.data(panel.view.currentIndex(), META_ROLE)

    def file(dlg):
        assert (dlg.segment["industry"].currentData(), dlg.segment["size_band"].currentData(),
                dlg.segment["pain"].currentData(), dlg.segment["persona"].currentData()) == \
            ("fintech", "1001_5000", "compliance_risk", "cfo")
        dlg.title.setText("Fintech CFO audit case study")
        dlg.send()
        return dlg.result()

    monkeypatch.setattr(common, "run_dialog", file)
    qtbot.mouseClick(panel.request_button, Qt.MouseButton.LeftButton)
    with marketing.workspace.session() as s:
        assert s.scalars(select(ContentRequest.account_id)).one() == account_id


def test_account_content_tab_empty_state_and_window_wiring(qtbot, marketing):
    account_id = _account_with_content(marketing.workspace)
    from ui.account_window import AccountWindow

    win = AccountWindow(marketing, account_id)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    tabs = [win.tabs.tabText(i) for i in range(win.tabs.count())]
    assert "Content" in tabs and not win.content_panel.loaded
    win.tabs.setCurrentWidget(win.content_panel)
    qtbot.waitUntil(lambda: win.content_panel.loaded)
    assert win.content_panel.stack.currentWidget() is win.content_panel.empty
    assert "Request content" in win.content_panel.empty.buttons.itemAt(1).widget().text()
    win.close()

