"""pytest-qt: the account window's Research tab against a real local website on 127.0.0.1 (pages, company facts,
people, technologies, signals; apply a fact; add a person; cancel mid-crawl; stale marks and refresh; re-read
offline) and the research queue of a target list (three accounts, interrupted, resumed)."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import ExitStack

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select, update

from accounts.models import (
    Account,
    AccountEvent,
    AccountTechnology,
    Contact,
    ResearchPage,
    TargetList,
    TargetListMember,
)
from accounts.models.research import ResearchQueueItem, ResearchRun
from accounts.research import queue as Q
from accounts.research.fetch import CrawlOptions
from bdr_desk.db import utcnow
from tests.research_server import SiteServer, html
from tests.research_site import site
from ui import dialogs
from ui.research import common
from ui.research.common import PILL_ROLE
from ui.research.fact_models import STATE_ROLE

FAST = CrawlOptions(delay=0, backoff=0.05, connect_timeout=2, read_timeout=5, page_timeout=8)
CHECK = Qt.ItemDataRole.CheckStateRole


@pytest.fixture(autouse=True)
def _fast(monkeypatch):
    monkeypatch.setattr(common, "crawl_options", lambda ctx: FAST)


@pytest.fixture
def opened(monkeypatch):
    urls: list[str] = []
    monkeypatch.setattr(dialogs, "open_url", lambda url: urls.append(url) or True)
    return urls


def serve(stack: ExitStack, gate: threading.Event | None = None) -> SiteServer:
    srv = stack.enter_context(SiteServer())
    srv.routes.update(site(srv.base, gate))
    return srv


def new_account(ws, name="Acme Robotics", website=None, **fields) -> int:
    with ws.session() as s:
        acc = Account(name=name, website=website, **fields)
        s.add(acc)
        s.flush()
        return acc.id


@pytest.fixture
def open_tab(qtbot, ctx):
    from ui.account_window import AccountWindow

    windows = []

    def open_(account_id: int):
        win = AccountWindow(ctx, account_id)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.tabs.setCurrentWidget(win.research)
        windows.append(win)
        return win, win.research

    yield open_
    for w in windows:
        w.close()


def run(qtbot, panel, click=None, outcome="done"):
    with qtbot.waitSignal(panel.finished, timeout=30_000) as blocker:
        (click or panel.research_button).click()
    assert blocker.args == [outcome], panel.notice.text.text()


def column(model, col, role=Qt.ItemDataRole.DisplayRole):
    return [model.data(model.index(r, col), role) for r in range(model.rowCount())]


def test_research_from_the_tab_shows_everything_with_sources(qtbot, ctx, open_tab, opened, qtmodeltester):
    nowhere = new_account(ctx.workspace, "Nowhere Inc")
    win, panel = open_tab(nowhere)  # no website: the empty state says how to set one
    assert panel.body.currentWidget() is panel.no_website and not panel.research_button.isEnabled()
    panel.no_website.buttons.itemAt(1).widget().click()
    assert win.tabs.currentIndex() == 0
    with ExitStack() as stack:
        srv = serve(stack)
        win, panel = open_tab(new_account(ctx.workspace, website=srv.url("/")))
        assert panel.body.currentWidget() is panel.not_researched and "Not researched yet" in \
            panel.not_researched.title.text()
        assert not panel.refresh_button.isEnabled() and not panel.reread_button.isEnabled()
        run(qtbot, panel)
    assert panel.body.currentWidget() is panel.content and panel.refresh_button.isEnabled()
    assert panel.notice.text.text().startswith("Read 7 pages") and "3 people (3 new)" in panel.notice.text.text()
    pages = panel.pages_model
    assert set(column(pages, pages.PAGE)) >= {"home page", "/team", "/about", "/careers", "/press"}
    assert "HTTP 404 Not Found" in column(pages, pages.PROBLEM) and "error" in column(pages, pages.STATUS, PILL_ROLE)
    facts = panel.facts_model
    found = {facts.row_at(r).field: facts.row_at(r).value for r in range(facts.rowCount())}
    assert found["name"] == "Acme Robotics" and found["city"] == "Austin" and found["employees"] == 420
    assert set(panel.sections["company"].social_buttons) == {"linkedin", "twitter", "github"}
    people = panel.people_model
    assert set(column(people, people.NAME)) >= {"Jane Doe", "Raj Patel", "Maria Gonzalez"}
    raj = people.row_of("Raj Patel")
    assert [people.data(people.index(raj, c)) for c in (people.SENIORITY, people.FUNCTION, people.ROLE)] == [
        "C-level", "Finance", "Economic buyer"]
    tech = panel.tech_model.names()
    assert tech["Marketing automation"] == ["HubSpot"] and tech["Tag manager"] == ["Google Tag Manager"]
    assert {"Chat", "A/B testing", "CRM"} <= set(tech)
    signals = panel.signals_model
    kinds = column(signals, signals.KIND, PILL_ROLE)
    assert {"funding", "hiring", "leadership_change", "expansion", "product_launch"} <= set(kinds)
    dated = [signals.row_at(r).occurred_on for r in range(signals.rowCount()) if signals.row_at(r).occurred_on]
    assert dated == sorted(dated, reverse=True)  # a timeline, newest first
    assert panel.nav["people"].text() == f"People  {people.rowCount()}"
    # sources open through the open_url seam: a fact's, a person's, a social profile
    panel.show_section("people")
    view = panel.sections["people"].view
    index = people.index(raj, people.SOURCE)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    panel.sections["company"].social_buttons["linkedin"].click()
    assert opened == [srv.url("/team"), "https://www.linkedin.com/company/acme-robotics"]
    for model in (facts, people, panel.tech_model, signals, pages):
        qtmodeltester.check(model)


def test_apply_company_facts_field_by_field(qtbot, ctx, open_tab, seen_errors):
    with ExitStack() as stack:
        srv = serve(stack)
        aid = new_account(ctx.workspace, website=srv.url("/"), hq_city="Dallas", employees=380)
        win, panel = open_tab(aid)
        run(qtbot, panel)
    facts = panel.facts_model
    states = {facts.row_at(r).field: facts.data(facts.index(r, 0), STATE_ROLE) for r in range(facts.rowCount())}
    assert states["city"] == states["employees"] == "differs" and states["description"] == "new"
    assert states["name"] == "same" and states["phone"] == "info"  # accounts have no phone field
    assert facts.data(facts.index(0, facts.ACTION)) == "Replace"  # conflicts first
    assert not panel.sections["company"].conflict_note.isHidden()
    view = panel.sections["company"].view
    city = facts.index(facts.row_of("city"), facts.ACTION)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(city).center())
    with ctx.workspace.session() as s:
        acc = s.get(Account, aid)
        assert acc.hq_city == "Austin" and acc.employees == 380
        assert s.scalar(select(AccountEvent.new_value).where(AccountEvent.account_id == aid,
                                                              AccountEvent.field == "hq_city")) is not None
    assert win.fields["hq_city"].text() == "Austin"  # the window reloaded (no unsaved edits)
    assert facts.data(facts.index(facts.row_of("city"), facts.CURRENT)) == "Austin"
    assert "Applied to the account: HQ city" in panel.notice.text.text()
    for name in ("description", "country"):  # tick two, apply both at once
        assert facts.setData(facts.index(facts.row_of(name), 0), Qt.CheckState.Checked.value, CHECK)
    assert panel.sections["company"].apply_button.text() == "Apply selected (2)"
    panel.sections["company"].apply_button.click()
    with ctx.workspace.session() as s:
        acc = s.get(Account, aid)
        assert (acc.hq_country, acc.description) == ("US", "Acme Robotics builds autonomous picking robots for "
                                                             "warehouses.")
        s.execute(update(Account).where(Account.id == aid).values(version=Account.version + 1))  # saved elsewhere
    panel.apply_fields(["employees"])
    assert seen_errors and "changed by someone else" in seen_errors[-1]
    with ctx.workspace.session() as s:
        assert s.get(Account, aid).employees == 380


def test_add_people_to_stakeholders_once(qtbot, ctx, open_tab):
    with ExitStack() as stack:
        srv = serve(stack)
        aid = new_account(ctx.workspace, website=srv.url("/"))
        with ctx.workspace.session() as s:  # already a contact: research links, never duplicates
            s.add(Contact(account_id=aid, first_name="Maria", last_name="Gonzalez", title="VP Engineering"))
        win, panel = open_tab(aid)
        run(qtbot, panel)
    people, section = panel.people_model, panel.sections["people"]
    maria = people.row_of("Maria Gonzalez")
    assert people.data(people.index(maria, people.STATUS)) == "Stakeholder"
    assert not people.flags(people.index(maria, 0)) & Qt.ItemFlag.ItemIsUserCheckable
    assert not section.add_button.isEnabled()
    jane = people.row_of("Jane Doe")
    assert people.setData(people.index(jane, 0), Qt.CheckState.Checked.value, CHECK)
    assert section.add_button.isEnabled()
    with qtbot.waitSignal(panel.contactsChanged):
        section.add_button.click()
    jane = people.row_of("Jane Doe")
    assert people.data(people.index(jane, people.STATUS), PILL_ROLE) == "accepted"
    jane_id = people.row_at(jane).id
    panel.add_people([jane_id])  # again: nothing new
    assert "already a contact" in panel.notice.text.text()
    with ctx.workspace.session() as s:
        rows = s.execute(select(Contact.first_name, Contact.buying_role, Contact.source)
                         .where(Contact.account_id == aid, Contact.last_name == "Doe")).all()
        assert rows == [("Jane", "economic_buyer", "research")]
        assert s.scalar(select(func.count()).select_from(Contact).where(Contact.account_id == aid)) == 2
    assert win.stakeholders.model.rowCount() == 2  # the Stakeholders tab shows the new contact
    assert win.cards["contacts"].value.text() == "2"
    section.all_box.setChecked(True)
    assert people.checked_ids() == [people.row_at(people.row_of("Raj Patel")).id]
    section.dismiss_button.click()
    assert people.data(people.index(people.rowCount() - 1, people.STATUS)) == "Dismissed"


def test_cancel_mid_crawl_stores_nothing(qtbot, ctx, open_tab):
    gate = threading.Event()
    with ExitStack() as stack:
        srv = serve(stack, gate)
        aid = new_account(ctx.workspace, website=srv.url("/"))
        win, panel = open_tab(aid)
        with qtbot.waitSignal(panel.finished, timeout=30_000) as blocker:
            panel.research_button.click()
            assert not panel.progress.isHidden() and not panel.research_button.isEnabled()
            qtbot.waitUntil(lambda: "/team" in srv.paths(), timeout=10_000)  # the team page is being fetched
            panel.cancel()
            gate.set()
        assert blocker.args == ["cancelled"]
    assert panel.notice.text.text() == "Research cancelled; nothing was stored."
    assert panel.body.currentWidget() is panel.not_researched and panel.research_button.isEnabled()
    with ctx.workspace.session() as s:
        for table in (ResearchRun, ResearchPage, AccountTechnology):
            assert s.scalar(select(func.count()).select_from(table)) == 0


def test_stale_marks_refresh_and_reread_offline(qtbot, ctx, open_tab):
    old = utcnow() - dt.timedelta(days=90)
    with ExitStack() as stack:
        srv = serve(stack)
        aid = new_account(ctx.workspace, website=srv.url("/"))
        win, panel = open_tab(aid)
        run(qtbot, panel)
        with ctx.workspace.session() as s:  # the home and about pages (and what came from them) are old
            s.execute(update(ResearchPage).where(ResearchPage.url.in_([srv.url("/"), srv.url("/about")]))
                      .values(fetched_at=old))
            s.execute(update(AccountTechnology).where(AccountTechnology.name == "Intercom").values(detected_at=old))
            run_row = s.scalars(select(ResearchRun).where(ResearchRun.account_id == aid)).one()
            company = dict(run_row.company)
            company["sources"] = {**company["sources"], "name": {**company["sources"]["name"],
                                                                 "captured_at": old.isoformat()}}
            run_row.company = company
        panel.refresh()
        pages, facts = panel.pages_model, panel.facts_model
        about = column(pages, pages.PAGE).index("/about")
        assert pages.data(pages.index(about, pages.FETCHED)).endswith("· stale")
        assert pages.data(pages.index(about, pages.FETCHED), Qt.ItemDataRole.ForegroundRole).name() == common.STALE
        assert facts.data(facts.index(facts.row_of("name"), facts.CAPTURED)).endswith("· stale")
        assert "stale" in panel.tech_model.data(panel.tech_model.index(0, 4, panel.tech_model.index(
            list(panel.tech_model.names()).index("Chat"), 0)))
        assert "3 pages to refresh" in panel.status.text()  # the old ones and the one that failed
        assert "Fetch the 3 pages older than 30 days" in panel.refresh_button.toolTip()
        home = srv.routes["/"]  # meanwhile the site swapped its chat tool
        srv.routes["/"] = (home[0], home[1], home[2].replace(b"widget.intercom.io/widget", b"js.driftt.com/include"))
        before = len(srv.paths())
        run(qtbot, panel, panel.refresh_button)
        fetched = [p for p in srv.paths()[before:] if p != "/robots.txt"]
        assert sorted(fetched) == ["/", "/about", "/press/2"]
    assert not pages.data(pages.index(about, pages.FETCHED)).endswith("stale")
    assert "re-read 5 offline" in panel.notice.text.text()
    assert "Technology changes: added Drift, removed Intercom" in panel.notice.text.text()
    signals = panel.signals_model
    changes = [signals.row_at(r).title for r in range(signals.rowCount()) if signals.row_at(r).kind ==
               "technology_change"]
    assert sorted(changes) == ["Added Drift", "Removed Intercom"] and "Tech change" in column(signals, signals.KIND)
    assert panel.tech_model.names()["Chat"] == ["Drift"]
    run(qtbot, panel, panel.reread_button)  # the site is gone: the stored pages are read again
    assert panel.notice.text.text().startswith("Re-read 7 stored pages offline")
    assert "HubSpot" in panel.tech_model.names()["Marketing automation"]
    with ctx.workspace.session() as s:
        kinds = s.scalars(select(ResearchRun.kind).where(ResearchRun.account_id == aid).order_by(ResearchRun.id))
        assert list(kinds) == ["crawl", "refresh", "reextract"]
    assert "offline re-read" in panel.status.text()


def _gated_home(srv: SiteServer, gate: threading.Event) -> None:
    answer = html("<a href='/about'>About us</a>", title="Gated")

    def handler(_h):
        gate.wait(10)
        return answer

    srv.routes["/"] = handler


def test_list_queue_runs_three_accounts_and_resumes_after_an_interruption(qtbot, ctx, monkeypatch,
                                                                          qtmodeltester):
    from ui.pages import lists_page
    from ui.research.queue_dialog import QueueRunner, ResearchQueueDialog

    gate = threading.Event()
    with ExitStack() as stack:
        servers = [serve(stack) for _ in range(3)]
        _gated_home(servers[1], gate)
        ids = [new_account(ctx.workspace, f"Site {i}", srv.url("/")) for i, srv in enumerate(servers)]
        ids.append(new_account(ctx.workspace, "No Site"))
        with ctx.workspace.session() as s:
            lst = TargetList(name="Q4 Robots", kind="static")
            s.add(lst)
            s.flush()
            s.add_all(TargetListMember(list_id=lst.id, account_id=a) for a in ids)
            list_id = lst.id
        page = lists_page.ListsPage(ctx)
        qtbot.addWidget(page)
        shown = []
        monkeypatch.setattr(lists_page, "run_dialog", lambda dlg: shown.append(dlg) or 0)
        assert page.research_button.isEnabled()
        page.research_button.click()
        assert isinstance(shown[0], ResearchQueueDialog) and shown[0].list_id == list_id
        dlg = ResearchQueueDialog(ctx, list_id, "Q4 Robots")
        qtbot.addWidget(dlg)
        assert "4 accounts, 3 with a website" in dlg.list_line.text()
        assert dlg.start_button.text() == "Research 3 accounts"
        with qtbot.waitSignal(dlg.runner.finished, timeout=60_000) as blocker:
            dlg.start_button.click()
            assert "Skipped 1 without a website: No Site" in dlg.notice.text.text()
            qtbot.waitUntil(lambda: "/" in servers[1].paths(), timeout=20_000)
            dlg.cancel()
            gate.set()
        assert blocker.args == ["cancelled"]
        with ctx.workspace.session() as s:
            assert Q.queue_status(s).counts == {"queued": 2, "running": 0, "done": 1, "failed": 0}
            assert Q.claim_next(s)[1] == ids[1]  # a worker took the next account … and the app crashed
        dlg.close()
        dlg = ResearchQueueDialog(ctx, list_id, "Q4 Robots")  # opened again after the restart
        qtbot.addWidget(dlg)
        model = dlg.model
        qtmodeltester.check(model)
        assert column(model, model.STATUS) == ["Done", "Interrupted", "Waiting"]
        assert dlg.resume_button.isVisibleTo(dlg) and dlg.resume_button.text() == "Resume (2 waiting)"
        assert "2 accounts from an earlier run are still waiting" in dlg.notice.text.text()
        assert dlg.counts.text() == "Queue: 2 waiting · 1 done · 0 failed"
        with qtbot.waitSignal(dlg.runner.finished, timeout=60_000) as blocker:
            dlg.resume_button.click()
            assert dlg.runner.running and not dlg.resume_button.isVisibleTo(dlg)
        assert blocker.args == ["done"]
    assert column(model, model.STATUS) == ["Done", "Done", "Done"]
    assert "Researched 2 accounts: 2 done, 0 failed. 1 account interrupted earlier was researched again." == \
        dlg.notice.text.text()
    assert QueueRunner.of(ctx) is dlg.runner and not dlg.runner.running
    with ctx.workspace.session() as s:
        done = s.scalars(select(ResearchRun.account_id).where(ResearchRun.status == "done")).all()
        assert sorted(done) == sorted(ids[:3])
        attempts = s.scalar(select(ResearchQueueItem.attempts).where(ResearchQueueItem.account_id == ids[1]))
        assert attempts == 3  # cancelled, interrupted, done
    dlg.clear_button.click()
    assert model.rowCount() == 0 and dlg.counts.text() == "Queue: 0 waiting · 0 done · 0 failed"
    dlg.close()
