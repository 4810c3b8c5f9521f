"""The Lists, Content Library and Outreach pages: real data shown, filters narrow, honest empty states\n(the library's search, curation and insights are tested in depth in test_content_gui.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from accounts.models import Account, Activity, Contact, TargetList, TargetListMember
from bdr_desk.config import Profile, load_settings
from bdr_desk.users import User
from content_library.models import ContentFacet, ContentItem, ContentUsage
from ui.jobs import JobRunner
from ui.messaging.models import TodayModel
from ui.models.sortable_records import ID_ROLE, SortableRecordModel
from ui.pages.content.cards import BADGES_ROLE, META_ROLE
from ui.pages.content.page import ContentPage
from ui.pages.lists_page import ListsPage
from ui.pages.outreach_page import OVERDUE_COLOR, OutreachPage
from ui.startup import create_context


def _ctx(ws, role="bdr"):
    return create_context(load_settings(ws.url), ws, Profile("Test BDR", "bdr@test.example", role), JobRunner())


def _page(qtbot, cls, ctx):
    page = cls(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    qtbot.waitExposed(page)
    return page


def _column(view, col):
    m = view.model()
    return [m.data(m.index(r, col)) for r in range(m.rowCount())]


# ---- the shared model ----

@dataclass(frozen=True)
class _Rec:
    id: int
    name: str
    n: int | None


def test_sortable_model_sorts_keeps_selection_and_passes_modeltester(qtmodeltester):
    model = SortableRecordModel(
        [("Name", lambda r: r.name), ("N", lambda r: r.n, lambda r: r.n)],
        [_Rec(1, "beta", 10), _Rec(2, "Alpha", 9), _Rec(3, "gamma", None)],
        align_right={1}, foreground=lambda r: "#ff0000" if r.n is None else None,
    )
    qtmodeltester.check(model)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert [model.row_at(i).id for i in range(3)] == [2, 1, 3]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [model.row_at(i).id for i in range(3)] == [1, 2, 3]  # empty values stay last
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.row_at(i).name for i in range(3)] == ["Alpha", "beta", "gamma"]  # case-insensitive
    model.set_rows([_Rec(4, "zed", 1), _Rec(5, "abe", 2)])  # new rows keep the sort
    assert [model.row_at(i).id for i in range(2)] == [5, 4]
    assert model.data(model.index(0, 1)) == "2"
    assert model.data(model.index(0, 0), ID_ROLE) == 5
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) is not None
    model.set_rows([_Rec(6, "x", None)])
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) == QColor("#ff0000")
    assert model.row_of(6) == 0 and model.row_of(99) == -1
    qtmodeltester.check(model)


# ---- Lists ----

def _seed_lists(ws, user_id):
    with ws.session() as s:
        accs = [Account(name=n, domain=d, industry=i, tier=t) for n, d, i, t in (
            ("Alpha Health", "alpha.example", "healthcare", 1), ("Beta Clinics", "beta.example", "healthcare", 2),
            ("Gamma Care", "gamma.example", "healthcare", 3), ("Delta Bank", "delta.example", "banking", 1),
        )]
        s.add_all(accs)
        dyn = TargetList(name="Healthcare T1-2", kind="dynamic", owner_id=user_id,
                         filter={"industry": ["healthcare"], "tier": [1, 2]}, description="Q3 compliance play")
        static = TargetList(name="Booth visitors", kind="static")
        s.add_all([dyn, static])
        s.flush()
        s.add_all([TargetListMember(list_id=static.id, account_id=a.id) for a in accs])
        return dyn.id, static.id


def test_lists_page_empty_state(qtbot, sqlite_workspace):
    page = _page(qtbot, ListsPage, _ctx(sqlite_workspace))
    assert page.stack.currentWidget() is page.empty
    text = page.empty.text.text()
    assert "static" in text and "dynamic" in text and "Accounts page" in text and "import" in text
    assert "coming soon" not in text.lower()
    assert not page.open_button.isEnabled()


def test_lists_page_shows_counts_and_saved_filter(qtbot, sqlite_workspace):
    ctx = _ctx(sqlite_workspace)
    dyn_id, static_id = _seed_lists(sqlite_workspace, ctx.user.id)
    page = _page(qtbot, ListsPage, ctx)
    assert page.stack.currentWidget() is page.content
    assert _column(page.table, 0) == ["Booth visitors", "Healthcare T1-2"]
    assert _column(page.table, 1) == ["Static", "Dynamic"]
    assert _column(page.table, 2) == ["4", "2"]
    assert _column(page.table, 3) == ["", "Test BDR"]
    assert page.count.text() == "2 lists"
    page.table.selectRow(1)
    assert page.detail_name.text() == "Healthcare T1-2"
    assert page.detail_criteria.text() == "Industry: Healthcare · Tier 1, 2"
    assert page.detail_description.text() == "Q3 compliance play"
    assert "2 accounts" in page.detail_count.text()
    # refresh keeps the selection and picks up new data
    with sqlite_workspace.session() as s:
        s.add(Account(name="Epsilon Health", domain="epsilon.example", industry="healthcare", tier=1))
    page.refresh()
    assert page.current_list().id == dyn_id
    assert _column(page.table, 2) == ["4", "3"]


def test_lists_page_opens_list_on_double_click_and_button(qtbot, sqlite_workspace):
    ctx = _ctx(sqlite_workspace)
    dyn_id, static_id = _seed_lists(sqlite_workspace, ctx.user.id)
    page = _page(qtbot, ListsPage, ctx)
    view = page.table
    rect = view.visualRect(view.model().index(0, 0))
    with qtbot.waitSignal(page.openList, timeout=2000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [static_id, "Booth visitors"]
    page.table.selectRow(1)
    with qtbot.waitSignal(page.openList, timeout=2000) as blocker:
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [dyn_id, "Healthcare T1-2"]


# ---- Content Library ----

def _seed_content(ws):
    with ws.session() as s:
        a = ContentItem(title="Hospital audit case study", type="case_study", status="published",
                        summary="Audit prep cut by 60%", url="https://example.com/cs",
                        review_by=dt.date.today() - dt.timedelta(days=3))
        b = ContentItem(title="Bank security deck", type="deck", status="draft", summary="For CISOs",
                        review_by=dt.date.today() + dt.timedelta(days=30))
        c = ContentItem(title="Compliance one-pager", type="one_pager", status="published")
        s.add_all([a, b, c])
        s.flush()
        s.add_all([
            ContentFacet(item_id=a.id, vocabulary="industry", term="healthcare"),
            ContentFacet(item_id=a.id, vocabulary="pain", term="compliance_risk"),
            ContentFacet(item_id=b.id, vocabulary="industry", term="banking"),
            ContentFacet(item_id=b.id, vocabulary="persona", term="ciso"),
            ContentFacet(item_id=c.id, vocabulary="pain", term="compliance_risk"),
        ])
        s.add_all([ContentUsage(item_id=a.id), ContentUsage(item_id=a.id), ContentUsage(item_id=b.id)])
        return a.id, b.id, c.id


def _titles(page):
    return [page.model.row_at(r).title for r in range(page.model.rowCount())]


def _tick(page, vocabulary, term):
    page.facets.groups[vocabulary].value(term).box.toggle()


def test_content_page_empty_state(qtbot, sqlite_workspace):
    page = _page(qtbot, ContentPage, _ctx(sqlite_workspace, "marketing"))
    assert page.results_stack.currentWidget() is page.empty_library
    assert page.empty_library.title.text() == "Your library is empty"
    text = page.empty_library.text.text()
    assert "drop them here" in text and "industry" in text and "demo" in text
    bdr = _page(qtbot, ContentPage, _ctx(sqlite_workspace, "bdr"))
    assert "Request content" in bdr.empty_library.buttons.itemAt(1).widget().text()


def test_content_page_lists_items_with_usage(qtbot, sqlite_workspace):
    a, b, c = _seed_content(sqlite_workspace)
    page = _page(qtbot, ContentPage, _ctx(sqlite_workspace, "marketing"))
    assert page.results_stack.currentWidget() is page.results_page
    assert page.count.text() == "3 items"
    meta = {page.model.row_at(r).title: page.model.data(page.model.index(r), META_ROLE)
            for r in range(page.model.rowCount())}
    assert "Used 2 times" in meta["Hospital audit case study"] and "Healthcare" in meta["Hospital audit case study"]
    assert "Used 1 time" in meta["Bank security deck"] and "Not used yet" in meta["Compliance one-pager"]
    badges = {page.model.row_at(r).title: page.model.data(page.model.index(r), BADGES_ROLE)
              for r in range(page.model.rowCount())}
    assert badges == {"Hospital audit case study": [("Case study", "type"), ("Stale", "stale")],
                      "Bank security deck": [("Deck", "type"), ("Draft", "draft")],
                      "Compliance one-pager": [("One-pager", "type")]}
    bdr = _page(qtbot, ContentPage, _ctx(sqlite_workspace, "bdr"))
    assert sorted(_titles(bdr)) == ["Compliance one-pager", "Hospital audit case study"]  # no drafts


def test_content_page_filters_narrow_and_clear(qtbot, sqlite_workspace):
    a, b, c = _seed_content(sqlite_workspace)
    page = _page(qtbot, ContentPage, _ctx(sqlite_workspace, "marketing"))
    _tick(page, "pain", "compliance_risk")
    assert sorted(_titles(page)) == ["Compliance one-pager", "Hospital audit case study"]
    _tick(page, "status", "published")
    _tick(page, "industry", "healthcare")
    assert _titles(page) == ["Hospital audit case study"]
    page.facets.groups["persona"].set_selected(["ciso"], emit=True)
    assert page.results_stack.currentWidget() is page.no_hits
    page.clear_filters()
    assert page.results_stack.currentWidget() is page.results_page and page.model.rowCount() == 3
    assert page.facets.selection() == {}
    _tick(page, "type", "deck")
    assert _titles(page) == ["Bank security deck"]
    page.clear_filters()
    # the search box is debounced: nothing changes until the timer fires
    page.search.setText("AUDIT")
    assert page.model.rowCount() == 3
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert _titles(page) == ["Hospital audit case study"]
    page.search.setText("nothing like this")
    qtbot.waitUntil(lambda: page.results_stack.currentWidget() is page.no_hits, timeout=2000)
    assert page.count.text() == "No results"


def test_content_page_detail_and_stale_warning(qtbot, sqlite_workspace):
    a, b, c = _seed_content(sqlite_workspace)
    page = _page(qtbot, ContentPage, _ctx(sqlite_workspace, "marketing"))
    page.run_search(select_id=a)
    d = page.detail
    assert d.title.text() == "Hospital audit case study"
    assert "Used 2 times" in d.meta.text()
    assert d.stale.isVisible() and "Stale" in d.stale.text()
    assert d.summary.text() == "Audit prep cut by 60%"
    chips = {w.text() for w in d.facets.findChildren(QLabel) if w.objectName() == "Chip"}
    assert chips == {"Healthcare", "Compliance & regulatory risk"}
    assert "https://example.com/cs" in d.link.text()
    page.run_search(select_id=b)
    assert d.stale.isHidden() and "review by" in d.meta.text()
    assert "CISO / Security" in {w.text() for w in d.facets.findChildren(QLabel) if w.objectName() == "Chip"}


# ---- Outreach ----

def _seed_outreach(ws, user_id):
    now = dt.datetime.now().astimezone()
    today_local = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with ws.session() as s:
        other = User(name="Otto Other", email="otto@test.example", role="bdr")
        acc = Account(name="Alpha Health", domain="alpha.example")
        s.add_all([other, acc])
        s.flush()
        contact = Contact(account_id=acc.id, first_name="Dana", last_name="Lee")
        s.add(contact)
        s.flush()

        def add(uid, subject, due=None, done=False, at=None, kind="call"):
            s.add(Activity(account_id=acc.id, contact_id=contact.id, user_id=uid, type=kind, subject=subject,
                           due_at=due and due.astimezone(dt.UTC), completed=done,
                           occurred_at=(at or now).astimezone(dt.UTC)))
        add(user_id, "Overdue follow-up", due=today_local - dt.timedelta(days=2))
        add(user_id, "Call this morning", due=today_local + dt.timedelta(minutes=1))
        add(user_id, "Next week", due=today_local + dt.timedelta(days=7))
        add(other.id, "Otto's task", due=today_local + dt.timedelta(minutes=2))
        add(user_id, "Logged call", done=True, at=now - dt.timedelta(seconds=2))
        add(other.id, "Otto's email", done=True, at=now - dt.timedelta(seconds=1), kind="email")
        return acc.id


def test_outreach_page_empty_state(qtbot, sqlite_workspace):
    page = _page(qtbot, OutreachPage, _ctx(sqlite_workspace))
    assert page.tasks_stack.currentWidget() is page.tasks_empty
    assert page.tasks_empty.title.text() == "Nothing due today"
    assert "sequence" in page.tasks_empty.text.text() and "log a call" in page.tasks_empty.text.text()
    assert page.recent_stack.currentWidget() is page.recent_empty
    assert [c.value.text() for c in (page.due_card, page.overdue_card, page.touches_card)] == ["0", "0", "0"]


def _today(page):
    """The Today tree as {group title: [what to do, …]}."""
    m = page.tasks_model
    return {m.index(g, 0).data(): [m.index(r, TodayModel.WHAT, m.index(g, 0)).data()
                                   for r in range(m.rowCount(m.index(g, 0)))] for g in range(m.rowCount())}


def test_outreach_page_bdr_sees_own_tasks_with_overdue_in_red(qtbot, sqlite_workspace):
    ctx = _ctx(sqlite_workspace, "bdr")
    account_id = _seed_outreach(sqlite_workspace, ctx.user.id)
    page = _page(qtbot, OutreachPage, ctx)
    assert page.tasks_stack.currentWidget() is page.tasks
    assert _today(page) == {"Overdue · 1": ["Overdue follow-up"], "Due today · 1": ["Call this morning"]}
    assert [c.value.text() for c in (page.due_card, page.overdue_card, page.touches_card)] == ["1", "1", "1"]
    m = page.tasks_model
    overdue, today = m.index(0, 0), m.index(1, 0)
    red = QColor(OVERDUE_COLOR)
    assert m.data(m.index(0, 0, overdue), Qt.ItemDataRole.ForegroundRole) == red
    assert m.data(m.index(0, 0, today), Qt.ItemDataRole.ForegroundRole) is None
    assert "late" in m.index(0, 0, overdue).data() and m.index(0, 0, today).data() == "Today"
    assert _column(page.recent, 3) == ["Logged call"]
    assert page.tasks_count.text() == "2 open tasks"
    with qtbot.waitSignal(page.openAccount, timeout=2000) as blocker:  # a task opens its account
        page.tasks.doubleClicked.emit(m.index(0, 0, overdue))
    assert blocker.args == [account_id]


@pytest.mark.parametrize("role", ["manager", "marketing"])
def test_outreach_page_others_see_the_team(qtbot, sqlite_workspace, role):
    ctx = _ctx(sqlite_workspace, role)
    _seed_outreach(sqlite_workspace, ctx.user.id)
    page = _page(qtbot, OutreachPage, ctx)
    items = [w for rows in _today(page).values() for w in rows]
    assert sorted(items) == ["Call this morning", "Otto's task", "Overdue follow-up"]
    assert [c.value.text() for c in (page.due_card, page.overdue_card, page.touches_card)] == ["2", "1", "2"]
    assert _column(page.recent, 3) == ["Otto's email", "Logged call"]  # newest first
    assert "team" in page.header.subtitle.text()


def test_new_dynamic_list_and_delete(qtbot, sqlite_workspace, monkeypatch):
    from PySide6.QtWidgets import QDialog

    import ui.pages.lists_page as lists_page
    from ui import dialogs as seam
    from ui.widgets.new_list_dialog import NewListDialog

    ctx = _ctx(sqlite_workspace)
    from tests.factories import add_accounts

    add_accounts(sqlite_workspace, 15)

    def fill(dlg: NewListDialog) -> int:
        qtbot.keyClicks(dlg.name, "Fintech tier 1")
        dlg.dynamic.setChecked(True)
        dlg.industry.setCurrentIndex(dlg.industry.findData("fintech"))
        dlg.tier.setCurrentIndex(dlg.tier.findData(1))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(lists_page, "run_dialog", fill)
    page = ListsPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    page.new_button.click()
    row = page.current_list()
    assert (row.name, row.kind, row.account_count) == ("Fintech tier 1", "dynamic", 1)
    assert "Tier 1" in row.criteria
    errors = []
    monkeypatch.setattr(seam, "show_error", lambda parent, title, msg, details="": errors.append(msg))
    page.new_button.click()  # same name again
    assert errors and "already exists" in errors[0]
    monkeypatch.setattr(seam, "ask", lambda parent, title, question: True)
    page.delete_button.click()
    assert page.model.rowCount() == 0


def test_list_detail_shows_key_contact_identification_rate(qtbot, sqlite_workspace):
    from accounts.models import Account, Contact, TargetList, TargetListMember

    ctx = _ctx(sqlite_workspace)
    with sqlite_workspace.session() as s:
        full = Account(name="Full", segment="smb")
        empty = Account(name="Empty", segment="smb")
        lst = TargetList(name="SMB push")
        s.add_all([full, empty, lst])
        s.flush()
        s.add_all([Contact(account_id=full.id, buying_role="decision_maker"),
                   Contact(account_id=full.id, buying_role="champion"),
                   TargetListMember(list_id=lst.id, account_id=full.id),
                   TargetListMember(list_id=lst.id, account_id=empty.id)])
    page = ListsPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    assert page.detail_kcir.text().startswith("Key contact identification rate: 50% — 1 of 2 accounts")
