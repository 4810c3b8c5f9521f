"""Bulk actions on the selected accounts: add to a list, set tier, owner or stage — run as jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QMenu,
    QToolButton,
    QWidget,
)
from sqlalchemy import select

from accounts import bulk
from accounts.models import ABM_STAGES, TargetList
from bdr_desk.taxonomy import ABM_STAGE
from bdr_desk.users import User
from ui import dialogs
from ui.context import AppContext
from ui.models.account_table import ID_ROLE
from ui.theme import icon
from ui.widgets import pickers


class BulkActionsMixin:
    """Mixed into :class:`ui.pages.accounts_page.AccountsPage` (uses its table, model and ctx)."""

    ctx: AppContext

    def _tool(self, text: str, icon_name: str, slot: Callable[[], None] | None = None) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setIcon(icon(icon_name))
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        if slot is None:
            b.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        else:
            b.clicked.connect(slot)
        return b

    def _tier_menu(self, parent: QWidget | None = None) -> QMenu:
        m = QMenu(parent or self)
        for t in (1, 2, 3):
            m.addAction(f"Tier {t}", lambda t=t: self.bulk_set("tier", t))
        m.addSeparator()
        m.addAction("No tier", lambda: self.bulk_set("tier", None))
        return m

    def _stage_menu(self, parent: QWidget | None = None) -> QMenu:
        m = QMenu(parent or self)
        for s in ABM_STAGES:
            m.addAction(self.ctx.taxonomy.label(ABM_STAGE, s), lambda s=s: self.bulk_set("abm_stage", s))
        return m

    def _fill_owner_menu(self, m: QMenu) -> None:
        m.clear()
        with self.ctx.workspace.session() as s:
            users = s.execute(select(User.id, User.name).order_by(User.name)).all()
        m.addAction("Me", lambda: self.bulk_set("owner_id", self.ctx.user.id))
        m.addSeparator()
        for uid, name in users:
            if uid != self.ctx.user.id:
                m.addAction(name, lambda uid=uid: self.bulk_set("owner_id", uid))
        m.addSeparator()
        m.addAction("Unassigned", lambda: self.bulk_set("owner_id", None))

    # ---- filter ----

    def selected_ids(self) -> list[int]:
        return [int(self.model.data(i, ID_ROLE)) for i in self.table.selectionModel().selectedRows()]

    def _selection_changed(self, *_: Any) -> None:
        n = len(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else 0
        self.selection_label.setText(f"{n:,} selected")
        self.bulk_bar.setVisible(n > 0)

    def _context_menu(self, pos: QPoint) -> None:
        if not self.selected_ids():
            return
        self.context_menu().popup(self.table.viewport().mapToGlobal(pos))

    def context_menu(self) -> QMenu:
        m = QMenu(self)
        ids = self.selected_ids()
        if len(ids) == 1:
            m.addAction(icon("accounts"), "Open account", lambda: self.openAccount.emit(ids[0]))
            m.addSeparator()
        m.addAction(icon("lists"), "Add to list…", self.bulk_add_to_list)
        tier = m.addMenu(icon("accounts"), "Set tier")
        for a in self._tier_menu(m).actions():
            tier.addAction(a)
        owner = m.addMenu(icon("person"), "Set owner")
        self._fill_owner_menu(owner)
        stage = m.addMenu(icon("filter"), "Set stage")
        for a in self._stage_menu(m).actions():
            stage.addAction(a)
        return m

    def _run_bulk(self, title: str, op: Callable[..., bulk.BulkResult], **start: Any) -> None:
        """Run ``op(session, report)`` as a job in its own Session; Cancel stops it between chunks."""
        ws = self.ctx.workspace

        def job(progress: Any, token: Any) -> bulk.BulkResult:
            def report(done: int, total: int, message: str) -> None:
                token.raise_if_cancelled()
                progress(done, total, message)
            with ws.session() as s:
                return op(s, report)

        self.ctx.jobs.start(title, job, on_success=self._bulk_done, parent_widget=self, **start)

    def bulk_set(self, field: str, value: Any) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        user_id = self.ctx.user.id
        self._run_bulk(f"Set {bulk.FIELD_LABELS[field]} on {len(ids):,} accounts",
                       lambda s, report: bulk.set_field(s, ids, field, value, user_id, progress=report))

    def bulk_add_to_list(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        with self.ctx.workspace.session() as s:
            names = list(s.scalars(select(TargetList.name).where(TargetList.kind == "static")
                                   .order_by(TargetList.name)))
        name = pickers.choose_list(self, names, len(ids))
        if not name:
            return
        user_id = self.ctx.user.id
        self._run_bulk(f"Add {len(ids):,} accounts to {name}",
                       lambda s, report: bulk.add_to_list(s, ids, name, user_id, progress=report),
                       on_failure=lambda msg, _tb: dialogs.show_error(self, "Could not add to the list", msg))

    def _bulk_done(self, result: object) -> None:
        selected = set(self.selected_ids())
        if isinstance(result, bulk.BulkResult) and result.list_created:
            self.filters.reload_choices()
        self.model.refresh()
        self._reselect(selected)
        self.bulkFinished.emit(result)

    def _reselect(self, ids: set[int]) -> None:
        sel = self.table.selectionModel()
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id in ids:
                sel.select(self.model.index(row, 0), sel.SelectionFlag.Select | sel.SelectionFlag.Rows)

    # ---- other people's dialogs (guarded: they may not be installed yet) ----
