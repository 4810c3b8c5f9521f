"""pytest-qt: marketing's curation of the Content library (new/edit with optimistic locking, bulk tags,
publish/archive, drag-and-drop import as a cancellable job), the Insights view and the request dialog."""

from __future__ import annotations

import threading

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import select

from accounts.models import Account, PainHypothesis
from content_library.importer import draft_from_file
from content_library.items import ItemDraft, update_item
from content_library.models import ContentFacet, ContentItem, ContentRequest
from content_library.requests import RequestDraft, file_request
from tests.content_gui_support import ITEMS, _count, _page, _seed, _titles
from ui.pages.content import common, importing
from ui.pages.content.item_dialog import ItemDialog
from ui.pages.content.request_dialog import RequestDialog
from ui.pages.content.tag_dialog import TagDialog


def test_new_item_dialog_creates_an_item(qtbot, marketing, monkeypatch):
    _seed(marketing.workspace)
    page = _page(qtbot, marketing)

    def fill(dlg):
        assert isinstance(dlg, ItemDialog) and dlg.status.currentData() == "draft"
        dlg.title.setText("Insurance claims case study")
        dlg.type.setCurrentIndex(dlg.type.findData("case_study"))
        dlg.status.setCurrentIndex(dlg.status.findData("published"))
        dlg.summary.setPlainText("Claims leakage down 12%")
        dlg.url.setText("https://cdn.example/claims")
        dlg.pickers["industry"].set_selected(["insurance"])
        dlg.pickers["pain"].set_selected(["cost_pressure"])
        assert dlg.pickers["industry"].text() == "Insurance"
        dlg.competitors.setText("Acme Claims, ")
        dlg.has_review.setChecked(False)
        dlg.save()
        return dlg.result()

    monkeypatch.setattr(common, "run_dialog", fill)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    with marketing.workspace.session() as s:
        item = s.scalars(select(ContentItem).where(ContentItem.title == "Insurance claims case study")).one()
        facets = {(f.vocabulary, f.term) for f in item.facets}
        assert (item.status, item.owner_id, item.review_by) == ("published", marketing.user.id, None)
    assert facets == {("industry", "insurance"), ("pain", "cost_pressure"), ("competitor", "Acme Claims")}
    assert page.detail.item_id == item.id and "Created" in page.notice.text.text()


def test_new_item_dialog_explains_bad_input(qtbot, marketing):
    dlg = ItemDialog(marketing, None)
    qtbot.addWidget(dlg)
    dlg.url.setText("ftp://nope")
    dlg.title.setText("Something")
    dlg.save()
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert not dlg.error.isHidden() and "not an http(s) address" in dlg.error.text()
    assert _count(marketing.workspace, ContentItem) == 0


def test_edit_conflict_is_explained_and_their_version_can_be_loaded(qtbot, marketing):
    ids = _seed(marketing.workspace)
    item = ids["Compliance one-pager"]
    dlg = ItemDialog(marketing, item)
    qtbot.addWidget(dlg)
    assert dlg.title.text() == "Compliance one-pager" and dlg.pickers["pain"].selected() == ["compliance_risk"]
    with marketing.workspace.session() as s:  # someone else saves first
        update_item(s, item, ItemDraft(title="Their title", type="one_pager", status="published"))
    dlg.title.setText("My title")
    dlg.save()
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert not dlg.error.isHidden() and "Someone else saved this item" in dlg.error.text()
    assert not dlg.reload_button.isHidden()
    with marketing.workspace.session() as s:
        assert s.get(ContentItem, item).title == "Their title"
    qtbot.mouseClick(dlg.reload_button, Qt.MouseButton.LeftButton)
    assert dlg.title.text() == "Their title" and dlg.error.isHidden()
    dlg.title.setText("My title")
    dlg.save()
    assert dlg.result() == QDialog.DialogCode.Accepted
    with marketing.workspace.session() as s:
        assert s.get(ContentItem, item).title == "My title"


def test_bulk_tag_publish_and_archive(qtbot, qtmodeltester, marketing, monkeypatch):
    ids = _seed(marketing.workspace)
    page = _page(qtbot, marketing)
    picked = [ids["Bank security deck"], ids["Fintech close whitepaper"]]
    page.run_search(select_ids=picked)
    assert sorted(page.selected_ids()) == sorted(picked)
    assert page.bulk_bar.isVisible() and page.bulk_label.text() == "2 selected"

    def tag(dlg):
        assert isinstance(dlg, TagDialog)
        dlg.set_vocabulary("pain")
        qtmodeltester.check(dlg.terms)
        dlg.terms.set_checked(["data_silos", "manual_processes"])
        assert dlg.ok.isEnabled() and dlg.ok.text() == "Add 2 tags"
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(common, "run_dialog", tag)
    qtbot.mouseClick(page.bulk_buttons["tag"], Qt.MouseButton.LeftButton)
    with marketing.workspace.session() as s:
        tagged = set(s.execute(select(ContentFacet.item_id, ContentFacet.term)
                               .where(ContentFacet.vocabulary == "pain")).all())
    assert {(i, t) for i in picked for t in ("data_silos", "manual_processes")} <= tagged
    assert "Added 4 pain tags on 2 items" in page.notice.text.text()
    assert sorted(page.selected_ids()) == sorted(picked)  # the selection survives the refresh

    qtbot.mouseClick(page.bulk_buttons["publish"], Qt.MouseButton.LeftButton)
    with marketing.workspace.session() as s:
        assert {s.get(ContentItem, i).status for i in picked} == {"published"}
    assert "Published 1 item" in page.notice.text.text()  # the whitepaper already was

    page.run_search(select_id=picked[0])
    assert page.detail.status_button.text() == "Archive"
    qtbot.mouseClick(page.detail.status_button, Qt.MouseButton.LeftButton)
    with marketing.workspace.session() as s:
        assert s.get(ContentItem, picked[0]).status == "archived"
    assert "Bank security deck" not in _titles(page)  # archived items only when asked for
    qtbot.mouseClick(page.facets.groups["status"].value("archived").box, Qt.MouseButton.LeftButton)
    assert _titles(page) == ["Bank security deck"]


def test_bdr_sees_the_library_read_only(qtbot, make_ctx, sqlite_workspace):
    _seed(sqlite_workspace)
    page = _page(qtbot, make_ctx(sqlite_workspace, role="bdr"))
    for w in (page.new_button, page.add_button, page.detail.curate_row, page.bulk_bar):
        assert w.isHidden()
    assert not page.request_button.isHidden()
    assert not page.acceptDrops() and "status" not in page.facets.groups
    assert "Bank security deck" not in _titles(page)  # drafts are marketing's business
    page.view.selectAll()
    assert len(page.selected_ids()) == 1 and page.bulk_bar.isHidden()
    page.new_item()  # even called directly, nothing opens
    page.change_status(page.selected_ids(), "archived")
    assert _count(sqlite_workspace, ContentItem, ContentItem.status == "archived") == 0


def _drop(page, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = page.rect().center()
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page, enter)
    assert enter.isAccepted() and page.drop_hint.isVisible()
    drop = QDropEvent(QPoint(pos).toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page, drop)
    assert page.drop_hint.isHidden()
    return mime


def _documents(tmp_path):
    folder = tmp_path / "drop"
    (folder / "sub").mkdir(parents=True)
    (folder / "fintech-compliance-case-study.md").write_text(
        "---\ntitle: Fintech compliance case study\nindustry: Fintech\npains: [Compliance & regulatory risk]\n---\n"
        "# Fintech compliance\n\nHow a payments company passed its audit.\n", encoding="utf-8")
    (folder / "sub" / "retail-notes.txt").write_text("Retail shrink and loss prevention notes.\n", encoding="utf-8")
    (folder / "picture.xyz").write_bytes(b"\x00\x01")
    single = tmp_path / "Battlecard vs Acme.md"
    single.write_text("# Battlecard vs Acme\n\nWhere we win.\n", encoding="utf-8")
    return folder, single


def test_drop_files_and_folders_imports_them_as_a_job(qtbot, marketing, tmp_path):
    _seed(marketing.workspace)
    page = _page(qtbot, marketing)
    folder, single = _documents(tmp_path)
    _drop(page, [folder, single])
    handle = page.import_handle
    assert handle is not None and page.import_strip.isVisible()
    with qtbot.waitSignal(handle.done, timeout=20_000):
        pass
    assert page.import_strip.isHidden()
    with marketing.workspace.session() as s:
        added = {i.title: i for i in s.scalars(select(ContentItem).where(ContentItem.status == "draft",
                                                                         ContentItem.file_sha256.is_not(None)))}
        assert set(added) == {"Fintech compliance case study", "Retail notes", "Battlecard vs Acme"}
        fintech = added["Fintech compliance case study"]
        assert fintech.type == "case_study" and fintech.owner_id == marketing.user.id
        assert {(f.vocabulary, f.term) for f in fintech.facets} >= {("industry", "fintech")}
        assert added["Battlecard vs Acme"].type == "battlecard"
    message = page.notice.text.text()
    assert "Added 3 items as drafts" in message and "picture.xyz" in message
    assert sorted(page.selected_ids()) == sorted(i.id for i in added.values())
    _drop(page, [single])  # the same content again is skipped, not duplicated
    with qtbot.waitSignal(page.import_handle.done, timeout=20_000):
        pass
    assert "already in the library" in page.notice.text.text()
    assert _count(marketing.workspace, ContentItem) == len(ITEMS) + 3


def test_cancelling_an_import_leaves_the_library_unchanged(qtbot, marketing, tmp_path, monkeypatch):
    _seed(marketing.workspace)
    page = _page(qtbot, marketing)
    folder, single = _documents(tmp_path)
    started, gate = threading.Event(), threading.Event()

    def slow(*args, **kw):
        started.set()
        gate.wait(10)
        return draft_from_file(*args, **kw)

    monkeypatch.setattr(importing, "draft_from_file", slow)
    before = _count(marketing.workspace, ContentItem)
    _drop(page, [folder])
    handle = page.import_handle
    qtbot.waitUntil(started.is_set)
    qtbot.mouseClick(page.import_strip.cancel_button, Qt.MouseButton.LeftButton)
    assert "cancelling" in page.import_strip.label.text()
    gate.set()
    with qtbot.waitSignal(handle.cancelled, timeout=20_000):
        pass
    assert _count(marketing.workspace, ContentItem) == before
    assert "nothing was added" in page.notice.text.text()


def test_add_files_button_uses_the_file_seam(qtbot, marketing, tmp_path, monkeypatch):
    page = _page(qtbot, marketing)
    assert page.results_stack.currentWidget() is page.empty_library
    assert "drop them here" in page.empty_library.text.text()
    _folder, single = _documents(tmp_path)
    monkeypatch.setattr(common, "choose_files", lambda parent: [str(single)])
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.import_handle.done, timeout=20_000):
        pass
    assert _titles(page) == ["Battlecard vs Acme"] and page.results_stack.currentWidget() is page.results_page


# ---- insights and requests ----

def test_insights_view_shows_gap_rows_usage_and_requests(qtbot, qtmodeltester, marketing):
    ids = _seed(marketing.workspace)
    with marketing.workspace.session() as s:
        acc = Account(name="Harbor Bank", domain="harbor.example", industry="banking", size_band="1001_5000",
                      tier=1)
        s.add(acc)
        s.flush()
        s.add(PainHypothesis(account_id=acc.id, pain="data_silos", hypothesis="Core and cards never reconcile"))
        request = file_request(s, RequestDraft(title="Banking data silos case study", industry="banking",
                                               size_band="1001_5000", pain="data_silos"), user_id=marketing.user.id)
        request_id = request.id
    page = _page(qtbot, marketing)
    qtbot.mouseClick(page.insights_button, Qt.MouseButton.LeftButton)
    ins = page.insights
    assert page.stack_views.currentWidget() is ins and page.search_row.isHidden()
    gaps = ins.gap_model
    assert gaps.rowCount() >= 1
    top = gaps.row_at(0)
    assert (top.industry, top.size_band, top.pain, top.requests, top.supply) == \
        ("banking", "1001_5000", "data_silos", 1, 0)
    row = [gaps.data(gaps.index(0, c)) for c in range(gaps.columnCount())]
    assert row[:3] == ["Banking & Capital Markets", "1,001-5,000 employees", "Data silos"]
    assert "1 request" in row[4] and "1 target account" in row[4]
    assert row[7] == "Banking data silos case study"
    assert ins.cards["published"].value.text() == "3" and ins.cards["requests"].value.text() == "1"
    assert ins.most_model.row_at(0).id == ids["Hospital audit case study"]
    assert [u.id for u in ins.stale_model.rows()] == [ids["Hospital audit case study"]]
    for model in (gaps, ins.most_model, ins.never_model, ins.stale_model, ins.requests):
        qtmodeltester.check(model)
    ins.requests_table.selectRow(0)
    qtbot.mouseClick(ins.request_buttons["in_progress"], Qt.MouseButton.LeftButton)
    with marketing.workspace.session() as s:
        assert s.get(ContentRequest, request_id).status == "in_progress"
    ins.most_table.doubleClicked.emit(ins.most_model.index(0, 0))  # back to the library, item selected
    assert page.stack_views.currentWidget() is page.library
    assert page.detail.item_id == ids["Hospital audit case study"]


def test_request_dialog_from_an_empty_search(qtbot, marketing, monkeypatch):
    _seed(marketing.workspace)
    page = _page(qtbot, marketing)
    qtbot.mouseClick(page.facets.groups["industry"].value("fintech").box, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.search, "quantum payroll")
    qtbot.waitUntil(lambda: page.results_stack.currentWidget() is page.no_hits)
    assert "quantum payroll" in page.no_hits.title.text() and "Remove a filter (Fintech)" in page.no_hits.text.text()

    def file(dlg):
        assert isinstance(dlg, RequestDialog)
        assert "quantum payroll" in dlg.title.text() and dlg.segment["industry"].currentData() == "fintech"
        dlg.type.setCurrentIndex(dlg.type.findData("case_study"))
        dlg.segment["persona"].setCurrentIndex(dlg.segment["persona"].findData("cfo"))
        dlg.question.setPlainText("Who else runs payroll on this?")
        dlg.competitor.setText("Acme")
        dlg.send()
        return dlg.result()

    monkeypatch.setattr(common, "run_dialog", file)
    qtbot.mouseClick(page.no_hits_request, Qt.MouseButton.LeftButton)
    with marketing.workspace.session() as s:
        req = s.scalars(select(ContentRequest)).one()
        assert (req.industry, req.persona, req.query, req.requested_by_id) == \
            ("fintech", "cfo", "quantum payroll", marketing.user.id)
        assert "Who else runs payroll on this?" in req.description and "Competitor: Acme" in req.description
    assert "Request sent" in page.notice.text.text()


def test_request_dialog_needs_a_title(qtbot, ctx):
    dlg = RequestDialog(ctx)
    qtbot.addWidget(dlg)
    assert not dlg.ok.isEnabled()
    dlg.title.setText("  ")
    assert not dlg.ok.isEnabled()
    dlg.send()
    assert not dlg.error.isHidden() and _count(ctx.workspace, ContentRequest) == 0


