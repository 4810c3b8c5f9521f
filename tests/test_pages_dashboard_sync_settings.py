"""The Sync and Settings pages on real workspaces: numbers shown, empty states, the profile and taxonomy
editors, and the dialog seam (the dashboard's tests are in ``tests/test_dashboard_gui.py``)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

import ui.dialogs
from bdr_desk.config import Profile, load_profile, load_settings
from bdr_desk.crm.models import SyncOutbox, SyncRun
from bdr_desk.db import current_revision, safe_url
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY
from bdr_desk.users import User
from tests.test_kpi import at
from ui.jobs import JobRunner
from ui.pages.settings_page import SettingsPage
from ui.pages.sync_page import SyncPage
from ui.startup import create_context


def make_ctx(ws, role: str = "marketing", name: str = "Test Marketer", email: str = "m@test.example"):
    return create_context(load_settings(ws.url), ws, Profile(name, email, role), JobRunner())


@pytest.fixture
def errors(monkeypatch):
    """Replace the dialog seam; collect (title, message)."""
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(ui.dialogs, "show_error",
                        lambda parent, title, message, details="": seen.append((title, message)))
    return seen


def build(qtbot, cls, ctx):
    page = cls(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.refresh()
    return page


def select_data(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


# ---- dashboard: tests/test_dashboard_gui.py ----


# ---- sync ----

def test_sync_page_journal_and_counts(qtbot, sqlite_workspace, qtmodeltester, monkeypatch):
    monkeypatch.delenv("BDR_DESK_HUBSPOT_TOKEN", raising=False)
    page = build(qtbot, SyncPage, make_ctx(sqlite_workspace))
    journal = page.journal
    assert journal.stack.currentWidget() is journal.empty
    assert journal.empty.title.text().startswith("No sync has run yet")
    assert not journal.export_button.isEnabled()
    assert page.connectors["hubspot"].state.text() == "Not connected"
    assert "BDR_DESK_HUBSPOT_TOKEN" in page.connectors["hubspot"].how.text()
    assert "BDR_DESK_SALESFORCE_" in page.connectors["salesforce"].how.text()
    assert page.badge.text() == "In sync"
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["Run", "Journal", "Conflicts",
                                                                        "Field mapping"]

    with sqlite_workspace.session() as s:
        s.add(SyncRun(system="hubspot", direction="push", dry_run=True, status="failed", api_calls=7,
                      started_at=at(2024, 6, 1, 9, 0), finished_at=at(2024, 6, 1, 9, 0).replace(second=42),
                      errors=[{"id": 1}, {"id": 2}, {"id": 3}]))
        s.add_all([SyncOutbox(object_type="account", local_id=1, operation="update"),
                   SyncOutbox(object_type="account", local_id=2, operation="update", last_error="timeout")])
    with qtbot.waitSignal(page.outOfSync) as badge:
        page.refresh()
    assert badge.args == [2]
    assert journal.stack.currentWidget() is journal.table and journal.export_button.isEnabled()
    assert page.badge.text() == "2 changes out of sync · 1 failing"
    assert page.tabs.tabText(2) == "Conflicts"
    m = journal.model
    assert m.rowCount() == 1
    row = [m.data(m.index(0, c)) for c in range(m.columnCount())]
    assert row[1:] == ["HubSpot", "Push", "Yes", "Failed", "42 s", "7", "3"]
    assert m.headerData(7, Qt.Orientation.Horizontal) == "Errors"
    assert journal.count.text() == "1 run"
    qtmodeltester.check(m)


# ---- settings ----

def test_settings_profile_save(qtbot, sqlite_workspace, errors):
    ctx = make_ctx(sqlite_workspace)
    page = build(qtbot, SettingsPage, ctx)
    assert page.name.text() == "Test Marketer"
    page.name.setText("Maria Keller")
    select_data(page.role, "manager")
    page.save_button.click()
    assert errors == []
    assert load_profile(ctx.settings) == Profile("Maria Keller", "m@test.example", "manager")
    with sqlite_workspace.session() as s:
        user = s.scalar(select(User).where(User.email == "m@test.example"))
        assert (user.name, user.role) == ("Maria Keller", "manager")
    assert ctx.user.name == "Maria Keller"
    assert "next start" in page.profile_note.text()

    page.email.setText("not an email")
    page.save_button.click()
    assert errors and "email" in errors[-1][1].lower()
    assert load_profile(ctx.settings).email == "m@test.example"


def test_settings_email_change_keeps_the_user_and_refuses_a_taken_email(qtbot, sqlite_workspace, errors):
    ctx = make_ctx(sqlite_workspace)
    with sqlite_workspace.session() as s:
        s.add(User(name="Other Person", email="other@test.example", role="bdr"))
    page = build(qtbot, SettingsPage, ctx)
    user_id = ctx.user.id
    with qtbot.waitSignal(page.profileSaved):
        page.email.setText("maria.keller@test.example")
        page.save_button.click()
    assert ctx.user.id == user_id and ctx.user.email == "maria.keller@test.example"
    page.email.setText("other@test.example")
    page.save_button.click()
    assert errors and "already belongs to Other Person" in errors[-1][1]
    assert load_profile(ctx.settings).email == "maria.keller@test.example"
    with sqlite_workspace.session() as s:
        assert s.scalar(select(User.email).where(User.id == user_id)) == "maria.keller@test.example"
        assert s.scalar(select(func.count()).select_from(User)) == 2


def test_settings_workspace_tab(qtbot, sqlite_workspace):
    ctx = make_ctx(sqlite_workspace)
    page = build(qtbot, SettingsPage, ctx)
    assert page.db_url.text() == safe_url(sqlite_workspace.url)
    assert page.engine.text().startswith("SQLite")
    assert page.revision.text() == current_revision(sqlite_workspace.engine)
    assert page.crash_log.text() == str(ctx.settings.crash_log)
    page.copy_crash_log.click()
    assert QApplication.clipboard().text() == str(ctx.settings.crash_log)


def test_settings_hides_database_password(qtbot, sqlite_workspace, monkeypatch):
    ctx = make_ctx(sqlite_workspace)
    page = build(qtbot, SettingsPage, ctx)
    # only the shown address changes; the engine stays the test's SQLite one
    monkeypatch.setattr(ctx.workspace, "url", "postgresql+psycopg://bdr:s3cret@db.example:5432/team")
    page.refresh()
    assert "s3cret" not in page.db_url.text()
    assert page.db_url.text().startswith("postgresql+psycopg://bdr:***@db.example")


def test_settings_taxonomy_marketing_adds_term(qtbot, sqlite_workspace, errors, qtmodeltester):
    ctx = make_ctx(sqlite_workspace)
    page = build(qtbot, SettingsPage, ctx)
    select_data(page.vocabulary, INDUSTRY)
    assert page.add_button.isEnabled()
    before = page.terms_model.rowCount()
    page.new_term.setText("Climate Tech")
    page.add_button.click()
    assert errors == []
    labels = [page.terms_model.row_at(i).label for i in range(page.terms_model.rowCount())]
    assert page.terms_model.rowCount() == before + 1 and "Climate Tech" in labels
    assert "climate_tech" in ctx.taxonomy.keys(INDUSTRY)
    assert page.new_term.text() == ""
    qtmodeltester.check(page.terms_model)

    page.new_term.setText("Fintech")  # a built-in industry
    page.add_button.click()
    assert len(errors) == 1 and "already exists" in errors[0][1]
    assert page.terms_model.rowCount() == before + 1

    select_data(page.vocabulary, ABM_STAGE)  # the workflow's own stages are read-only
    assert not page.add_button.isEnabled()
    assert "cannot be extended" in page.taxonomy_note.text()


def test_settings_taxonomy_read_only_for_bdr(qtbot, sqlite_workspace):
    ctx = make_ctx(sqlite_workspace, role="bdr", name="Bo", email="bo@test.example")
    page = build(qtbot, SettingsPage, ctx)
    select_data(page.vocabulary, INDUSTRY)
    assert page.terms_model.rowCount() == len(ctx.taxonomy.keys(INDUSTRY)) > 0
    assert not page.add_button.isEnabled() and not page.new_term.isEnabled()
    assert "Marketing curates" in page.taxonomy_note.text()
