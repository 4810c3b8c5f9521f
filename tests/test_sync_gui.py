"""The Sync page with real widgets against the HubSpot fake on 127.0.0.1: the token goes to the keyring (and
nowhere else), test connection, dry run, sync now and the journal, the conflict queue, the mapping editor."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem, QWidget
from sqlalchemy import func, select

import bdr_desk.crm  # noqa: F401 - the outbox listeners
import ui.dialogs
from accounts.models import Account, WorkspaceSetting
from bdr_desk.crm.journal import ObjectCounts, SyncResult
from bdr_desk.crm.mapping_store import load_mapping
from bdr_desk.crm.models import SyncConflict, SyncRun
from tests.crm_support import pending, seed
from tests.fake_hubspot import FakeHubSpot
from tests.memory_keyring import MemoryKeyring
from ui.pages.sync_page import SyncPage
from ui.sync.models import MappingModel

TOKEN_KEY = ("bdr-desk", "hubspot:token")


@pytest.fixture
def memory_keyring(monkeypatch):
    for name in ("BDR_DESK_HUBSPOT_TOKEN", "BDR_DESK_SALESFORCE_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


@pytest.fixture
def hub():
    """The HubSpot fake on a free 127.0.0.1 port (real clock)."""
    with FakeHubSpot() as fake:
        yield fake
    assert not fake.bugs, fake.bugs


@pytest.fixture
def page(qtbot, make_ctx, sqlite_workspace, memory_keyring, seen_errors):
    p = SyncPage(make_ctx(sqlite_workspace))
    qtbot.addWidget(p)
    p.resize(1280, 860)
    p.refresh()
    yield p
    assert seen_errors == []


def connect(page, fake, token=None):
    card = page.connectors["hubspot"]
    card.url.setText(fake.url)
    card.save_url()
    card.token.setText(token or fake.token)
    card.save_button.click()
    return card


def run(qtbot, page, dry_run, direction="both"):
    page.run.direction.setCurrentIndex(page.run.direction.findData(direction))
    with qtbot.waitSignal(page.run.finished, timeout=30_000) as blocker:
        (page.run.preview_button if dry_run else page.run.sync_button).click()
    result = blocker.args[0]
    assert result is not None, page.run.detail.text()
    return result


def db_bytes(ws) -> bytes:
    path = Path(ws.url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


# ---- connect ----

def test_token_goes_to_the_keyring_and_never_the_database(page, sqlite_workspace, memory_keyring, hub):
    card = page.connectors["hubspot"]
    assert card.state.text() == "Not connected"
    assert card.token.echoMode() == card.token.EchoMode.Password
    card = connect(page, hub, token="pat-na1-SECRET-1234")
    assert memory_keyring.store == {TOKEN_KEY: "pat-na1-SECRET-1234"}
    assert card.token.text() == "" and "keyring" in card.result.text()
    with sqlite_workspace.session() as s:  # the URL is a workspace setting; the token is nowhere in the DB
        assert s.get(WorkspaceSetting, "crm.base_url.hubspot").value == hub.url
    sqlite_workspace.engine.dispose()
    assert b"pat-na1-SECRET" not in db_bytes(sqlite_workspace)
    card.save_button.click()  # an empty field stores nothing
    assert memory_keyring.store == {TOKEN_KEY: "pat-na1-SECRET-1234"} and "Paste a token" in card.result.text()


def test_connection_ok_then_failed(qtbot, page, hub):
    card = connect(page, hub)
    with qtbot.waitSignal(card.connectionTested, timeout=20_000) as ok:
        card.test_button.click()
    assert ok.args == ["hubspot", True]
    assert card.state.text() == "Connected" and card.result.text().startswith("✓ HubSpot portal 24681357")
    connect(page, hub, token="wrong-token")
    with qtbot.waitSignal(card.connectionTested, timeout=20_000) as bad:
        card.test_button.click()
    assert bad.args == ["hubspot", False]
    assert card.state.text() == "Connection failed" and card.result.text().startswith("✗ ")
    assert "\n" not in card.result.text() and "wrong-token" not in card.result.text()
    assert card.test_button.isEnabled()


def test_connection_without_a_token_says_how(qtbot, page, hub):
    card = page.connectors["hubspot"]
    card.url.setText(hub.url)
    with qtbot.waitSignal(card.connectionTested, timeout=20_000):
        card.test_button.click()
    assert "BDR_DESK_HUBSPOT_TOKEN" in card.result.text()


# ---- run, journal ----

def test_dry_run_previews_and_writes_nothing(qtbot, page, sqlite_workspace, hub, qtmodeltester):
    seed(sqlite_workspace, n_accounts=3, contacts_per=2)
    page.refresh()
    assert page.badge.text().endswith("out of sync") and page.badge.text().split()[0] == str(pending(
        sqlite_workspace))
    before = pending(sqlite_workspace)
    connect(page, hub)
    result = run(qtbot, page, dry_run=True)
    assert result.dry_run and result.status == "ok"
    assert hub.live("companies") == [] and hub.live("contacts") == []
    assert pending(sqlite_workspace) == before
    with sqlite_workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(SyncRun)) == 0
    assert page.run.preview_box.isVisibleTo(page) and "nothing was written" in page.run.detail.text()
    preview = page.run.preview
    lines = [preview.row_at(i) for i in range(preview.rowCount())]
    assert any(ln.operation == "create" and ln.label.startswith("Company co1") and ln.field == "Domain"
               and ln.new == "co1.com" for ln in lines)
    assert preview.data(preview.index(0, 0)) == "To the CRM"
    counts = page.run.counts
    objects = {counts.data(counts.index(r, 0)) for r in range(counts.rowCount())}
    assert {"Accounts", "Contacts"} <= objects
    qtmodeltester.check(preview)
    qtmodeltester.check(counts)
    assert page.journal.stack.currentWidget() is page.journal.empty


def test_sync_now_pushes_and_the_journal_shows_it(qtbot, page, sqlite_workspace, hub, qtmodeltester,
                                                 monkeypatch, tmp_path):
    seed(sqlite_workspace, n_accounts=3, contacts_per=2)
    connect(page, hub)
    result = run(qtbot, page, dry_run=False)
    assert result.status == "ok", result.errors
    assert len(hub.live("companies")) == 3 and len(hub.live("contacts")) == 6
    assert pending(sqlite_workspace) == 0
    assert page.badge.text() == "In sync"
    assert not page.run.preview_box.isVisibleTo(page) and page.run.error_cards() == []
    m = page.journal.model
    assert m.rowCount() == 1
    row = [m.data(m.index(0, c)) for c in range(m.columnCount())]
    assert row[1:5] == ["HubSpot", "Push + pull", "No", "OK"] and int(row[6]) == result.api_calls > 0
    assert page.journal.count.text() == "1 run"
    qtmodeltester.check(m)

    out = tmp_path / "journal.json"
    monkeypatch.setattr(ui.dialogs, "save_file", lambda *a: str(out))
    page.journal.export_button.click()
    data = json.loads(out.read_text())
    assert data[0]["status"] == "ok" and hub.token not in out.read_text()
    csv_out = tmp_path / "journal.csv"
    monkeypatch.setattr(ui.dialogs, "save_file", lambda *a: str(csv_out))
    page.journal.export_button.click()
    assert csv_out.read_text().splitlines()[0].startswith("run,system,direction,dry_run,status")
    assert hub.token not in csv_out.read_text() and page.journal.count.text() == "Exported to journal.csv"


def test_cancel_stops_a_run(qtbot, page, sqlite_workspace, hub):
    seed(sqlite_workspace, n_accounts=3, contacts_per=1)
    connect(page, hub)
    hub.fail_next("timeout", times=1)  # the first call hangs for a moment: time to press Cancel
    with qtbot.waitSignal(page.run.finished, timeout=30_000) as blocker:
        page.run.sync_button.click()
        assert page.run.progress.isVisibleTo(page) and not page.run.sync_button.isEnabled()
        page.run.progress.cancel_button.click()
    assert blocker.args == [None] and page.run.summary.text() == "Cancelled"
    assert page.run.sync_button.isEnabled()


def test_error_cards_group_errors_by_kind(page):
    result = SyncResult("hubspot", "push", False, status="partial")
    result.push["contact"] = ObjectCounts(created=2)
    for i in range(3):
        result.error("push", "contact", "duplicate", f"Contact already exists. Existing ID: {i}")
    result.error("push", "account", "validation", "Property values were not valid: industry")
    page.run.show_result(result)
    cards = page.run.error_cards()
    assert [(c.kind, c.count.text()) for c in cards] == [("duplicate", "3 records"), ("validation", "1 record")]
    assert cards[0].title.text() == "Duplicate" and cards[0].examples.text().count("•") == 3
    assert "Partly done" in page.run.summary.text()


# ---- conflicts ----

def test_conflict_from_both_sides_is_resolved_from_the_queue(qtbot, page, sqlite_workspace, hub,
                                                              qtmodeltester):
    seed(sqlite_workspace, n_accounts=1, contacts_per=1, activities=False)
    editor = page.mapping
    editor.object_type.setCurrentIndex(editor.object_type.findData("account"))
    fields = [editor.model.row_at(r).local for r in range(editor.model.rowCount())]
    for name in ("hq_city", "name", "description"):
        assert editor.model.setData(editor.model.index(fields.index(name), MappingModel.RULE), "ask")
    assert editor.save(), editor.problems.text()
    connect(page, hub)
    run(qtbot, page, dry_run=False)
    company = hub.live("companies")[0]
    with sqlite_workspace.session() as s:
        acc = s.scalar(select(Account))
        acc_id = acc.id
        acc.hq_city, acc.name, acc.description = "York", "Local name", "ours"
    hub.touch("companies", company["id"], {"city": "Hull", "name": "Remote name", "description": "theirs"})
    result = run(qtbot, page, dry_run=False)
    assert result.objects["account"].conflicts == 3

    queue = page.conflict_queue
    assert queue.stack.currentWidget() is queue.table and queue.model.rowCount() == 3
    assert page.tabs.tabText(2) == "Conflicts (3)"
    qtmodeltester.check(queue.model)
    rows = {queue.model.row_at(r).field: r for r in range(queue.model.rowCount())}
    m = queue.model
    r = rows["hq_city"]
    assert [m.data(m.index(r, c)) for c in range(6)] == ["HubSpot", "Accounts", m.row_at(r).record_label,
                                                        "HQ city", "York", "Hull"]
    queue.table.selectRow(rows["hq_city"])
    queue.keep_local.click()
    rows = {queue.model.row_at(r).field: r for r in range(queue.model.rowCount())}
    queue.table.selectRow(rows["name"])
    queue.take_remote.click()
    queue.table.selectRow(0)
    assert queue.model.row_at(0).field == "description" and queue.value.text() == "ours"
    queue.value.setText("agreed")
    queue.use_value.click()
    assert queue.stack.currentWidget() is queue.empty and page.tabs.tabText(2) == "Conflicts"
    assert "agreed" in queue.note.text()
    with sqlite_workspace.session() as s:
        acc = s.get(Account, acc_id)
        assert (acc.hq_city, acc.name, acc.description) == ("York", "Remote name", "agreed")
        assert s.scalar(select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))) == 0
    run(qtbot, page, dry_run=False)
    props = hub.get("companies", company["id"])["properties"]
    assert (props["city"], props["name"], props["description"]) == ("York", "Remote name", "agreed")


# ---- mapping editor ----

def test_mapping_editor_validates_and_saves(qtbot, page, sqlite_workspace, qtmodeltester):
    editor = page.mapping
    editor.object_type.setCurrentIndex(editor.object_type.findData("contact"))
    model = editor.model
    qtmodeltester.check(model)
    local = [model.row_at(r).local for r in range(model.rowCount())]
    title = local.index("title")
    assert model.data(model.index(title, 0)) == "Job title"
    assert model.data(model.index(title, 1)) == "jobtitle"
    # the combo editor offers the object's directions and every rule
    view = editor.table
    delegate = view.itemDelegate()
    combo = delegate.createEditor(view.viewport(), QStyleOptionViewItem(), model.index(title, model.DIRECTION))
    assert isinstance(combo, QComboBox)
    assert [combo.itemData(i) for i in range(combo.count())] == ["both", "push", "pull", "none"]
    delegate.setEditorData(combo, model.index(title, model.DIRECTION))
    assert combo.currentData() == "both"
    combo.setCurrentIndex(combo.findData("pull"))
    delegate.setModelData(combo, model, model.index(title, model.DIRECTION))
    assert model.data(model.index(title, model.DIRECTION)) == "Pull from CRM"
    assert "Unsaved" in editor.state.text()
    text_editor = delegate.createEditor(view.viewport(), QStyleOptionViewItem(), model.index(title, 1))
    assert isinstance(text_editor, QWidget) and not isinstance(text_editor, QComboBox)

    model.setData(model.index(local.index("phone"), model.PROPERTY), "")  # a pushed field without a property
    assert not editor.save()
    assert "contact.phone: no CRM property given" in editor.problems.text()
    with sqlite_workspace.session() as s:
        assert s.get(WorkspaceSetting, "crm.mapping.hubspot") is None  # nothing stored
    model.setData(model.index(local.index("phone"), model.PROPERTY), "mobilephone")
    model.setData(model.index(local.index("lead_source"), model.RULE), "dont_sync")
    assert model.row_at(local.index("lead_source")).direction == "none"
    assert editor.save() and editor.problems.text() == "" and "saved" in editor.state.text()
    with sqlite_workspace.session() as s:
        contact = load_mapping(s, "hubspot").objects["contact"]
    assert contact.field("title").direction == "pull" and contact.field("phone").remote == "mobilephone"
    assert contact.field("lead_source").rule == "dont_sync"
    # opportunities are pulled only: the direction combo says so
    editor.object_type.setCurrentIndex(editor.object_type.findData("opportunity"))
    assert [k for k, _ in model.choices(model.index(0, model.DIRECTION))] == ["pull", "none"]
    assert model.data(model.index(0, 0), Qt.ItemDataRole.EditRole)
