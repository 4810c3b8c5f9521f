"""The Messaging tab of the account window: the account's pain hypotheses (what we believe, why, how sure, for
whom, and whether a conversation confirmed it) and its message map — hypothesis → persona angle → collateral →
sequence step, with how many drafted messages test each hypothesis. "Draft message" opens the composer on the
selected hypothesis and collateral."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from accounts.hypotheses import delete_map_entry, set_status
from ui import dialogs
from ui.context import AppContext
from ui.messaging import common, data
from ui.messaging.common import FAILED, STYLE, BadgeDelegate, WrapDelegate, attempt
from ui.messaging.models import ID_ROLE, KIND_ROLE, ROW_ROLE, HypothesesModel, MessageMapModel
from ui.theme import icon
from ui.widgets.common import EmptyState, label
from ui.widgets.tables import make_table


def _button(text: str, icon_name: str, slot, tip: str = "", primary: bool = False) -> QPushButton:  # noqa: ANN001
    b = QPushButton(icon(icon_name, "#ffffff") if primary else icon(icon_name), text)
    if primary:
        b.setObjectName("Primary")
    b.setToolTip(tip)
    b.clicked.connect(slot)
    return b


class MessagingPanel(QWidget):
    changed = Signal()  # a hypothesis, a map line or a message of the account was written

    def __init__(self, ctx: AppContext, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessagingPanel")
        self.setStyleSheet(STYLE)
        self.ctx, self.account_id = ctx, account_id
        self.state = data.AccountMessaging()

        # ---- hypotheses ----
        self.new_button = _button("New hypothesis", "plus", self.add_hypothesis, "Add a pain hypothesis (Ctrl+N)",
                                  primary=True)
        self.edit_button = _button("Edit…", "edit", self.edit_hypothesis, "Edit the selected hypothesis")
        self.confirm_button = _button("Confirm…", "check-circle", lambda: self.change_status("confirmed"),
                                      "A conversation confirmed it: say which")
        self.reject_button = _button("Reject…", "x-circle", lambda: self.change_status("rejected"),
                                     "A conversation disproved it: say which")
        self.reopen_button = _button("Reopen", "sync", self.reopen, "Back to untested")
        self.draft_button = _button("Draft message", "send", self.draft_message,
                                    "Draft a message for a stakeholder that tests the selected hypothesis (Ctrl+M)")
        self.enrol_button = QToolButton()
        self.enrol_button.setText("Enrol in sequence")
        self.enrol_button.setIcon(icon("sequence"))
        self.enrol_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.enrol_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.enrol_button.setToolTip("Enrol this account's stakeholders in a sequence")
        self.enrol_button.setStyleSheet(
            "QToolButton { padding: 5px 26px 5px 10px; border: 1px solid #cbd5e1; border-radius: 6px; "
            "background: #ffffff; } QToolButton::menu-indicator { subcontrol-origin: padding; "
            "subcontrol-position: center right; right: 8px; }")
        self.enrol_menu = QMenu(self.enrol_button)
        self.enrol_menu.aboutToShow.connect(self._fill_enrol_menu)
        self.enrol_button.setMenu(self.enrol_menu)
        self.hyp_count = label("", "Muted")
        bar = QVBoxLayout()  # title with the account-level actions, then the hypothesis actions
        title = QHBoxLayout()
        title.setSpacing(8)
        title.addWidget(label("Pain hypotheses", "SectionTitle"))
        title.addWidget(self.hyp_count)
        title.addStretch(1)
        title.addWidget(self.enrol_button)
        title.addWidget(self.draft_button)
        tools = QHBoxLayout()
        tools.setSpacing(8)
        for b in (self.new_button, self.edit_button, self.confirm_button, self.reject_button, self.reopen_button):
            tools.addWidget(b)
        tools.addStretch(1)
        bar.addLayout(title)
        bar.addLayout(tools)
        self.hyp_model = HypothesesModel(self)
        self.hyp_table = make_table(self.hyp_model, (104, 130, 300, 220, 96, 124, 84), stretch=2, sortable=False)
        self.hyp_table.horizontalHeader().setSectionResizeMode(HypothesesModel.EVIDENCE, QHeaderView.ResizeMode.Stretch)
        self.hyp_table.setWordWrap(True)
        self.hyp_table.setItemDelegate(WrapDelegate(self.hyp_table, max_lines=2))
        self.hyp_table.setItemDelegateForColumn(HypothesesModel.STATUS, BadgeDelegate(self.hyp_table))
        self.hyp_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.hyp_table.doubleClicked.connect(lambda *_: self.edit_hypothesis())
        self.hyp_table.activated.connect(lambda *_: self.edit_hypothesis())
        self.hyp_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.hyp_empty = EmptyState("bulb", "No pain hypotheses yet",
                                    "Write down what pain you believe this account feels and why (a research "
                                    "signal, a page, a conversation). Test it in calls and emails, then confirm "
                                    "or reject it here.")
        self.hyp_empty.add_button("New hypothesis", self.add_hypothesis, primary=True)
        self.hyp_stack = QStackedWidget()
        self.hyp_stack.addWidget(self.hyp_table)
        self.hyp_stack.addWidget(self.hyp_empty)

        # ---- message map ----
        self.add_line_button = _button("Add map line", "plus", self.add_line,
                                       "Add a persona angle for the selected hypothesis")
        self.edit_line_button = _button("Edit line…", "edit", self.edit_line, "Edit the angle, collateral and step")
        self.remove_line_button = _button("Remove", "trash", self.remove_line, "Remove the selected map line (Del)")
        mbar = QHBoxLayout()
        mbar.setSpacing(8)
        mbar.addWidget(label("Message map", "SectionTitle"))
        flow = label("hypothesis → persona angle → collateral → sequence step", "Muted")
        flow.setMinimumWidth(40)
        flow.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        mbar.addWidget(flow, 1)
        for b in (self.add_line_button, self.edit_line_button, self.remove_line_button):
            mbar.addWidget(b)
        self.map_model = MessageMapModel(self)
        self.map_view = QTreeView()
        self.map_view.setModel(self.map_model)
        self.map_view.setAlternatingRowColors(True)
        self.map_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.map_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.map_view.setStyleSheet("QTreeView::item { padding: 5px 2px; }")
        self.map_view.setWordWrap(True)
        self.map_view.setUniformRowHeights(False)
        self.map_view.setItemDelegate(WrapDelegate(self.map_view))
        self.map_view.setExpandsOnDoubleClick(False)
        self.map_view.doubleClicked.connect(self._map_activated)
        self.map_view.activated.connect(self._map_activated)
        self.map_view.selectionModel().selectionChanged.connect(self._update_buttons)
        hh = self.map_view.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 220), (2, 240), (3, 100)):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.map_view.setColumnWidth(col, width)
        self.map_empty = EmptyState("map", "The message map is empty",
                                    "Once you have a hypothesis, add map lines: the angle for each persona, "
                                    "the collateral that backs it up, and the sequence step that carries it.")
        self.map_stack = QStackedWidget()
        self.map_stack.addWidget(self.map_view)
        self.map_stack.addWidget(self.map_empty)

        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self._section(bar, self.hyp_stack))
        split.addWidget(self._section(mbar, self.map_stack))
        split.setSizes([260, 320])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.addWidget(split)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.add_hypothesis,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+M"), self, activated=self.draft_message,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.map_view, activated=self.remove_line,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.load()

    @staticmethod
    def _section(bar: QHBoxLayout | QVBoxLayout, body: QWidget) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 6, 0, 6)
        lay.setSpacing(8)
        lay.addLayout(bar)
        lay.addWidget(body, 1)
        return w

    # ---- data ----
    def load(self, select_hypothesis: int | None = None, select_entry: int | None = None) -> None:
        keep_h = select_hypothesis if select_hypothesis is not None else self.selected_hypothesis_id()
        keep_e = select_entry if select_entry is not None else self.selected_entry_id()
        with self.ctx.workspace.session() as s:
            self.state = data.load_account_messaging(s, self.account_id)
        hyps = self.state.hypotheses
        self.hyp_model.set_rows(hyps)
        self.map_model.set_branches(self.state.branches)
        self.map_view.expandAll()
        confirmed = sum(h.status == "confirmed" for h in hyps)
        self.hyp_count.setText(f"{len(hyps)} · {confirmed} confirmed" if hyps else "")
        self.hyp_stack.setCurrentWidget(self.hyp_table if hyps else self.hyp_empty)
        self.map_stack.setCurrentWidget(self.map_view if hyps else self.map_empty)
        if keep_h is not None and (row := self.hyp_model.row_of(keep_h)) >= 0:
            self.hyp_table.selectRow(row)
        if keep_e is not None and (ix := self.map_model.index_of_entry(keep_e)).isValid():
            self.map_view.selectionModel().setCurrentIndex(
                ix, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._update_buttons()

    def selected_hypothesis(self) -> data.HypothesisRow | None:
        rows = self.hyp_table.selectionModel().selectedRows()
        return self.hyp_model.data(rows[0], ROW_ROLE) if rows else None

    def selected_hypothesis_id(self) -> int | None:
        h = self.selected_hypothesis()
        return h.id if h else None

    def _map_current(self) -> QModelIndex:
        rows = self.map_view.selectionModel().selectedRows()
        return rows[0] if rows else QModelIndex()

    def selected_line(self) -> data.MapLineRow | None:
        ix = self._map_current()
        return self.map_model.data(ix, ROW_ROLE) if ix.isValid() and ix.data(KIND_ROLE) == "line" else None

    def selected_entry_id(self) -> int | None:
        line = self.selected_line()
        return line.id if line else None

    def _map_hypothesis_id(self) -> int | None:
        ix = self._map_current()
        if not ix.isValid():
            return None
        if ix.data(KIND_ROLE) == "hypothesis":
            return ix.data(ID_ROLE)
        return self.map_model.data(ix.parent(), ID_ROLE)

    def _update_buttons(self) -> None:
        h = self.selected_hypothesis()
        self.edit_button.setEnabled(h is not None)
        self.confirm_button.setEnabled(h is not None and h.status != "confirmed")
        self.reject_button.setEnabled(h is not None and h.status != "rejected")
        self.reopen_button.setEnabled(h is not None and h.status != "untested")
        self.add_line_button.setEnabled(bool(self.state.hypotheses))
        line = self.selected_line()
        self.edit_line_button.setEnabled(line is not None)
        self.remove_line_button.setEnabled(line is not None)

    def _written(self, hypothesis_id: int | None = None, entry_id: int | None = None) -> None:
        self.load(hypothesis_id, entry_id)
        self.changed.emit()

    # ---- hypotheses ----
    def add_hypothesis(self) -> None:
        from ui.messaging.hypothesis_dialog import HypothesisDialog

        dlg = HypothesisDialog(self.ctx, self.account_id, parent=self)
        if common.run_dialog(dlg) and dlg.hypothesis_id is not None:
            self._written(dlg.hypothesis_id)

    def edit_hypothesis(self) -> None:
        from ui.messaging.hypothesis_dialog import HypothesisDialog

        h = self.selected_hypothesis()
        if h is None:
            return
        dlg = HypothesisDialog(self.ctx, self.account_id, h, parent=self)
        if common.run_dialog(dlg):
            self._written(h.id)

    def change_status(self, status: str) -> None:
        from ui.messaging.hypothesis_dialog import StatusDialog

        h = self.selected_hypothesis()
        if h is None or h.status == status:
            return
        if common.run_dialog(StatusDialog(self.ctx, self.account_id, h, status, parent=self)):
            self._written(h.id)

    def reopen(self) -> None:
        h = self.selected_hypothesis()
        if h is not None and attempt(self.ctx, self, "Could not reopen the hypothesis",
                                     lambda s: set_status(s, h.id, "untested")) is not FAILED:
            self._written(h.id)

    # ---- the map ----
    def _map_activated(self, index: QModelIndex) -> None:
        kind = index.data(KIND_ROLE) if index.isValid() else None
        if kind == "line":
            self.edit_line()
        elif kind in ("hypothesis", "empty"):
            self.add_line()

    def add_line(self) -> None:
        from ui.messaging.map_dialog import MapLineDialog

        hyp = self._map_hypothesis_id() or self.selected_hypothesis_id()
        dlg = MapLineDialog(self.ctx, self.account_id, hypothesis_id=hyp, parent=self)
        if common.run_dialog(dlg) and dlg.entry_id is not None:
            self._written(entry_id=dlg.entry_id)

    def edit_line(self) -> None:
        from ui.messaging.map_dialog import MapLineDialog

        line = self.selected_line()
        if line is None:
            return
        dlg = MapLineDialog(self.ctx, self.account_id, line=line, parent=self)
        if common.run_dialog(dlg):
            self._written(entry_id=line.id)

    def remove_line(self) -> None:
        line = self.selected_line()
        if line is None or not dialogs.ask(self, "Remove map line", f"Remove the angle “{line.angle[:80]}” from "
                                           "the message map? Its collateral choice goes with it."):
            return
        if attempt(self.ctx, self, "Could not remove the map line",
                   lambda s: delete_map_entry(s, line.id)) is not FAILED:
            self._written()

    # ---- sequences and messages ----
    def _fill_enrol_menu(self) -> None:
        self.enrol_menu.clear()
        with self.ctx.workspace.session() as s:
            sequences = data.sequence_rows(s)
        for q in sequences:
            self.enrol_menu.addAction(icon("sequence"), f"{q.name} ({len(q.steps)} steps)",
                                      lambda q=q: self.enrol(q))
        if not sequences:
            self.enrol_menu.addAction("No sequences yet: build one on Outreach › Sequences").setEnabled(False)

    def enrol(self, sequence: data.SequenceRow) -> None:
        from ui.messaging.enroll_dialog import EnrollDialog

        dlg = EnrollDialog(self.ctx, sequence, account_id=self.account_id, parent=self)
        if common.run_dialog(dlg) and dlg.enrolled is not None:
            self.changed.emit()

    def draft_message(self) -> None:
        from ui.messaging.composer import ComposerDialog

        line = self.selected_line()
        hyp = line.hypothesis_id if line else (self.selected_hypothesis_id() or self._map_hypothesis_id())
        content = line.collateral[0][0] if line and line.collateral else None
        dlg = ComposerDialog(self.ctx, account_id=self.account_id, hypothesis_id=hyp, content_id=content,
                             parent=self)
        dlg.saved.connect(lambda *_: self._written())
        common.run_dialog(dlg)
