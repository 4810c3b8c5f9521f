"""The conflict queue: fields changed both here and in the CRM since the last sync. Keep local, take the
CRM's value, or type the value both sides should get."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from bdr_desk.crm.conflicts import ConflictError, ConflictRow, list_conflicts, resolve
from ui import dialogs
from ui.context import AppContext
from ui.sync.models import ConflictsModel
from ui.sync.run import table
from ui.theme import icon
from ui.widgets.common import EmptyState, label


class ConflictPanel(QWidget):
    resolved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ConflictsModel(self)
        self.table = table(self.model)
        for col, width in enumerate((90, 90, 200, 120, 180)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.table.doubleClicked.connect(lambda *_: self.value.setFocus())
        self.empty = EmptyState(
            "check-circle", "No open conflicts",
            "When a field changes both here and in the CRM and its rule cannot decide, it waits here with both "
            "values. Nothing is overwritten until you choose.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.keep_local = QPushButton(icon("check"), "Keep local")
        self.keep_local.clicked.connect(lambda: self.resolve_selected("local"))
        self.take_remote = QPushButton(icon("import"), "Take CRM")
        self.take_remote.clicked.connect(lambda: self.resolve_selected("remote"))
        self.value = QLineEdit()
        self.value.setPlaceholderText("Or type the value both sides should get")
        self.value.returnPressed.connect(lambda: self.resolve_selected("manual"))
        self.use_value = QPushButton(icon("edit"), "Use this value")
        self.use_value.clicked.connect(lambda: self.resolve_selected("manual"))
        self.note = label("", "Muted", wrap=True)
        actions = QHBoxLayout()
        actions.addWidget(self.keep_local)
        actions.addWidget(self.take_remote)
        actions.addSpacing(12)
        actions.addWidget(self.value, 1)
        actions.addWidget(self.use_value)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.addWidget(self.stack, 1)
        lay.addLayout(actions)
        lay.addWidget(self.note)
        self._enable(False)

    def refresh(self) -> None:
        with self.ctx.workspace.session() as s:
            rows = list_conflicts(s)
        self.model.set_rows(rows)
        self.stack.setCurrentWidget(self.table if rows else self.empty)
        if rows:
            self.table.selectRow(0)
        self._enable(bool(rows))

    def _enable(self, on: bool) -> None:
        for w in (self.keep_local, self.take_remote, self.value, self.use_value):
            w.setEnabled(on)

    def current(self) -> ConflictRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.conflict(rows[0].row()) if rows else None

    def _selected(self, *_: QItemSelection) -> None:
        c = self.current()
        self.value.setText((c.local_value or "") if c else "")
        self._enable(c is not None)

    def resolve_selected(self, choice: str) -> None:
        c = self.current()
        if c is None:
            return
        try:
            with self.ctx.workspace.session() as s:
                resolve(s, c.id, choice, self.value.text().strip() if choice == "manual" else None)
        except ConflictError as exc:
            dialogs.show_error(self, "Conflict not resolved", str(exc))
            return
        what = {"local": "kept the local value", "remote": "took the CRM value",
                "manual": f"set “{self.value.text().strip()}”"}[choice]
        self.note.setText(f"{c.record_label} · {c.field_label}: {what}. The next sync brings the CRM in line.")
        self.refresh()
        self.resolved.emit()
