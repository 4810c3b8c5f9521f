"""The main window: a navigation rail on the left, one page per area, a job strip and a status bar."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.db import safe_url
from bdr_desk.users import ROLE_LABELS
from ui.context import AppContext
from ui.jobs import JobProgressPanel
from ui.theme import app_icon, nav_icon

if TYPE_CHECKING:
    from ui.account_window import AccountWindow

# key, label, icon, page factory
# key, label, icon, the page's class as "module:Class" — imported when the page is first shown, so start-up
# pays only for the first page's modules
PAGES: list[tuple[str, str, str, str]] = [
    ("accounts", "Accounts", "accounts", "ui.pages.accounts_page:AccountsPage"),
    ("lists", "Lists", "lists", "ui.pages.lists_page:ListsPage"),
    ("content", "Content\nLibrary", "content", "ui.pages.content.page:ContentPage"),
    ("outreach", "Outreach", "outreach", "ui.pages.outreach_page:OutreachPage"),
    ("dashboard", "Dashboard", "dashboard", "ui.pages.dashboard_page:DashboardPage"),
    ("sync", "Sync", "sync", "ui.pages.sync_page:SyncPage"),
    ("settings", "Settings", "settings", "ui.pages.settings_page:SettingsPage"),
]
START_PAGE = {"bdr": "outreach", "marketing": "content", "manager": "dashboard"}


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, start_page: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("BDR Desk")
        self.setWindowIcon(app_icon())
        self.setMinimumSize(1000, 640)
        self.account_windows: dict[int, AccountWindow] = {}

        rail = QFrame(objectName="NavRail")
        rail_lay = QVBoxLayout(rail)
        rail_lay.setContentsMargins(0, 8, 0, 8)
        rail_lay.setSpacing(2)
        brand = QLabel("BDR Desk", objectName="NavBrand")
        brand.setAlignment(Qt.AlignmentFlag.AlignCenter)
        rail_lay.addWidget(brand)
        self.nav = QButtonGroup(self)
        self.nav.setExclusive(True)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}  # built on first visit: start-up pays only for the first page
        self.nav_buttons: dict[str, QToolButton] = {}
        for i, (key, text, icon_name, _factory) in enumerate(PAGES):
            b = QToolButton()
            b.setText(text)
            b.setIcon(nav_icon(icon_name))
            b.setIconSize(QSize(22, 22))
            b.setCheckable(True)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            b.setToolTip(text.replace("\n", " ") + f" (Ctrl+{i + 1})")
            self.nav.addButton(b, i)
            self.nav_buttons[key] = b
            if key == "settings":
                rail_lay.addStretch(1)
            rail_lay.addWidget(b)
            QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self, activated=lambda k=key: self.show_page(k))
        self.nav.idClicked.connect(lambda i: self.show_page(PAGES[i][0]))
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.quick_log)  # log a touch from anywhere

        self.job_panel = JobProgressPanel(ctx.jobs)
        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        right_lay.setSpacing(0)
        right_lay.addWidget(self.stack, 1)
        right_lay.addWidget(self.job_panel)
        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(rail)
        lay.addWidget(right, 1)
        self.setCentralWidget(central)

        self.update_status()
        self.set_badge("sync", self._pending_changes())
        self.restore_state()
        self.show_page(start_page or START_PAGE.get(ctx.user.role, "accounts"))

    # ---- navigation ----
    def update_status(self) -> None:
        user = self.ctx.user
        self.statusBar().showMessage(
            f"{user.name} · {ROLE_LABELS.get(user.role, user.role)}   |   Workspace: {safe_url(self.ctx.workspace.url)}"
        )

    def _pending_changes(self) -> int:
        from bdr_desk.crm.status import sync_overview

        with self.ctx.workspace.session() as s:
            return sync_overview(s).pending_changes

    def set_badge(self, key: str, count: int) -> None:
        """A count on a navigation button (the Sync page: local changes out of sync with the CRM)."""
        button = self.nav_buttons[key]
        text = next(t for k, t, _i, _f in PAGES if k == key)
        button.setText(f"{text} ({count:,})" if count else text)
        tip = text.replace("\n", " ") + f" (Ctrl+{list(self.nav_buttons).index(key) + 1})"
        button.setToolTip(f"{tip} — {count:,} local change{'s' if count != 1 else ''} out of sync"
                          if count else tip)

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built the first time it is needed."""
        page = self.pages.get(key)
        if page is None:
            module_name, class_name = next(f for k, _t, _i, f in PAGES if k == key).split(":")
            page = getattr(importlib.import_module(module_name), class_name)(self.ctx)
            self.pages[key] = page
            self.stack.addWidget(page)
            if hasattr(page, "openAccount"):  # accounts, outreach: double-click opens the account workspace
                page.openAccount.connect(self.open_account)
            if hasattr(page, "openList"):
                page.openList.connect(self._open_list)
            if hasattr(page, "profileSaved"):
                page.profileSaved.connect(self.update_status)
            if hasattr(page, "outOfSync"):  # the Sync page: pending outbox changes on its nav button
                page.outOfSync.connect(lambda n, k=key: self.set_badge(k, n))
        return page

    def show_page(self, key: str) -> None:
        page = self.page(key)
        self.stack.setCurrentWidget(page)
        self.nav_buttons[key].setChecked(True)
        refresh = getattr(page, "refresh", None)
        if callable(refresh) and key != "accounts":  # the accounts model keeps its own pages fresh
            refresh()

    def current_page(self) -> str:
        return next(k for k, p in self.pages.items() if p is self.stack.currentWidget())

    def quick_log(self) -> None:
        """Ctrl+L: the quick-log dialog (any contact); the Outreach page shows what was logged."""
        from ui.messaging.quick_log import open_quick_log

        if open_quick_log(self.ctx, self).summary is not None and "outreach" in self.pages:
            self.pages["outreach"].refresh()  # type: ignore[attr-defined]

    def _open_list(self, list_id: int, name: str) -> None:
        self.page("accounts").show_list(list_id, name)  # type: ignore[attr-defined]
        self.show_page("accounts")

    def open_account(self, account_id: int) -> AccountWindow:
        from ui.account_window import AccountWindow  # its imports are paid when the first account opens

        win = self.account_windows.get(account_id)
        if win is None:
            win = AccountWindow(self.ctx, account_id)
            win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            win.openAccount.connect(self.open_account)  # hierarchy: open a parent or child account
            win.destroyed.connect(lambda *_: self.account_windows.pop(account_id, None))
            accounts = self.page("accounts")
            win.saved.connect(lambda *_: accounts.refresh())  # type: ignore[attr-defined]
            self.account_windows[account_id] = win
        win.show()
        win.raise_()
        win.activateWindow()
        return win

    # ---- window state (QSettings holds window state only) ----
    def restore_state(self) -> None:
        geometry = QSettings().value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 840)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        for win in list(self.account_windows.values()):
            win.close()
        self.ctx.jobs.cancel_all()
        self.ctx.jobs.wait(5_000)
        super().closeEvent(event)
