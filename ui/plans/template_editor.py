"""Plan templates: which sections an account plan has, and in what order. Built-in templates are read-only
("Duplicate" makes an editable copy); the workspace's own can be renamed, changed and deleted."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.export.plan_data import SECTIONS
from bdr_desk.export.plan_templates import (
    BUILT_IN,
    DEFAULT,
    PlanTemplateError,
    delete_plan_template,
    save_plan_template,
)
from ui import dialogs
from ui.context import AppContext
from ui.models.record_table import RecordTableModel
from ui.plans.common import load_templates
from ui.plans.models import SectionListModel
from ui.theme import app_icon, icon
from ui.widgets.common import label

READ_ONLY_NOTE = "A built-in template cannot be changed. Duplicate it to make your own version."
EDIT_NOTE = "Tick the sections to include; drag them (or use Up and Down) to set the order."


@dataclass(frozen=True)
class TemplateRow:
    name: str
    sections: tuple[str, ...]

    @property
    def built_in(self) -> bool:
        return self.name in BUILT_IN


def _clean(name: str) -> str:
    return " ".join((name or "").split())


class TemplateEditor(QDialog):
    def __init__(self, ctx: AppContext, current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Plan templates")
        self.setWindowIcon(app_icon())
        self.resize(680, 480)
        self._name: str | None = None  # the stored template shown in the editor (None: a new, unsaved one)
        self._loaded: tuple[str, tuple[str, ...]] = ("", ())
        self._last_saved: str | None = None
        self._switching = False

        self.list_model = RecordTableModel([("Template", lambda r: r.name + ("  · built in" if r.built_in else ""))],
                                           parent=self)
        self.list_view = QListView()
        self.list_view.setModel(self.list_model)
        self.list_view.setObjectName("CheckList")
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.selectionModel().currentRowChanged.connect(self._picked)
        self.new_button = QPushButton(icon("plus"), "New")
        self.new_button.clicked.connect(self.new_template)
        self.duplicate_button = QPushButton(icon("copy"), "Duplicate")
        self.duplicate_button.clicked.connect(self.duplicate)
        self.delete_button = QPushButton(icon("trash"), "Delete")
        self.delete_button.clicked.connect(self.delete)
        left_buttons = QHBoxLayout()
        left_buttons.setSpacing(6)
        for b in (self.new_button, self.duplicate_button, self.delete_button):
            left_buttons.addWidget(b)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(label("TEMPLATES", "FieldCaption"))
        left.addWidget(self.list_view, 1)
        left.addLayout(left_buttons)

        self.name = QLineEdit()
        self.name.setPlaceholderText("Name, e.g. Quarterly business review")
        self.name.setMaxLength(80)
        self.note = label("", "Muted", wrap=True)
        self.sections_model = SectionListModel(self, editable=True)
        self.sections_view = QListView()
        self.sections_view.setModel(self.sections_model)
        self.sections_view.setObjectName("CheckList")
        self.sections_view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.sections_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.sections_view.setDropIndicatorShown(True)
        self.sections_view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.up_button = QPushButton(icon("chevron-up"), "Up")
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button = QPushButton(icon("chevron-down"), "Down")
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.error = label("", "ErrorNote", wrap=True)
        self.error.hide()
        self.save_button = QPushButton(icon("save", "#ffffff"), "Save template")
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save)
        for signal in (self.name.textChanged, self.sections_model.dataChanged, self.sections_model.rowsMoved):
            signal.connect(self._update_buttons)
        move = QHBoxLayout()
        move.setSpacing(6)
        move.addWidget(self.up_button)
        move.addWidget(self.down_button)
        move.addStretch(1)
        move.addWidget(self.save_button)
        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(label("NAME", "FieldCaption"))
        right.addWidget(self.name)
        right.addWidget(label("SECTIONS", "FieldCaption"))
        right.addWidget(self.sections_view, 1)
        right.addWidget(self.note)
        right.addWidget(self.error)
        right.addLayout(move)

        body = QHBoxLayout()
        body.setSpacing(20)
        body.addLayout(left, 2)
        body.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 14)
        lay.setSpacing(12)
        lay.addLayout(body, 1)
        lay.addWidget(close)
        self.reload(current or DEFAULT)

    # ---- state ----
    def reload(self, select: str | None = None) -> None:
        rows = [TemplateRow(n, s) for n, s in load_templates(self.ctx.workspace).items()]
        self._switching = True
        self.list_model.set_rows(rows)
        self._switching = False
        names = [r.name for r in rows]
        self.select(names.index(select) if select in names else 0)

    def select(self, row: int) -> None:
        self.list_view.selectionModel().setCurrentIndex(
            self.list_model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def current(self) -> TemplateRow | None:
        index = self.list_view.currentIndex()
        return self.list_model.row_at(index.row()) if index.isValid() else None

    def chosen_name(self) -> str | None:
        """The template to pick after the dialog: the last one saved, else the one selected."""
        row = self.current()
        return self._last_saved or (row.name if row else None)

    def dirty(self) -> bool:
        """Edits not saved yet (a new template counts once it has a name)."""
        if not self.sections_model.editable:
            return False
        if self._name is None:
            return bool(_clean(self.name.text()))
        return (_clean(self.name.text()), self.sections_model.sections()) != self._loaded

    def _show(self, name: str | None, sections: tuple[str, ...], built_in: bool) -> None:
        self._name = name
        self.name.setText(name or "")
        self.name.setReadOnly(built_in)
        self.sections_model.set_sections(sections, editable=not built_in, numbered=built_in)  # read-only: a list
        self.sections_view.setDragEnabled(not built_in)
        self.note.setText(READ_ONLY_NOTE if built_in else EDIT_NOTE)
        self.error.hide()
        self._loaded = (_clean(name or ""), self.sections_model.sections())
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        editable = self.sections_model.editable
        row = self.sections_view.currentIndex().row() if self.sections_view.currentIndex().isValid() else -1
        self.up_button.setEnabled(editable and row > 0)
        self.down_button.setEnabled(editable and 0 <= row < self.sections_model.rowCount() - 1)
        self.save_button.setEnabled(self.dirty())
        current = self.current()
        self.delete_button.setEnabled(self._name is not None and current is not None and not current.built_in)

    def _picked(self, index: QModelIndex, previous: QModelIndex) -> None:
        if self._switching or not index.isValid():
            return
        if self.dirty() and not dialogs.ask(self, "Unsaved changes", "Discard the changes to this template?"):
            self._switching = True
            self.list_view.selectionModel().setCurrentIndex(previous, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self._switching = False
            return
        row = self.list_model.row_at(index.row())
        self._show(row.name, row.sections, row.built_in)

    # ---- actions ----
    def move_current(self, delta: int) -> None:
        row = self.sections_view.currentIndex().row()
        new = self.sections_model.move(row, delta)
        self.sections_view.setCurrentIndex(self.sections_model.index(new, 0))

    def new_template(self) -> None:
        self._switching = True
        self.list_view.selectionModel().clear()
        self._switching = False
        self._show(None, SECTIONS, built_in=False)
        self.name.setFocus()

    def _unique(self, base: str) -> str:
        taken = {r.name.casefold() for r in self.list_model.rows()}
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base} {n}"
        return name

    def duplicate(self) -> None:
        """Save a copy of what the editor shows under a new name, and edit that."""
        base = _clean(self.name.text()) or "Custom plan"
        self._store(self._unique(f"{base} (copy)"), self.sections_model.sections() or SECTIONS, rename=False)

    def save(self) -> None:
        self._store(_clean(self.name.text()), self.sections_model.sections(), rename=True)

    def _store(self, name: str, sections: tuple[str, ...], rename: bool) -> None:
        old = self._name if rename and self._name not in BUILT_IN else None
        clash = [r.name for r in self.list_model.rows() if r.name.casefold() == name.casefold() and r.name != old
                 and r.name not in BUILT_IN]
        try:
            if clash:
                raise PlanTemplateError(f"a template named {clash[0]!r} already exists; choose another name")
            with self.ctx.workspace.session() as s:
                save_plan_template(s, name, sections)
                if old and old != name:
                    delete_plan_template(s, old)
        except PlanTemplateError as exc:
            self.error.setText(str(exc)[:1].upper() + str(exc)[1:] + ".")
            self.error.show()
            return
        self._last_saved = name
        self._name = name  # saved: switching away no longer asks
        self._loaded = (name, tuple(sections))
        self.reload(name)

    def delete(self) -> None:
        row = self.current()
        if row is None or row.built_in:
            return
        if not dialogs.ask(self, "Delete template", f"Delete the plan template {row.name!r}?"):
            return
        with self.ctx.workspace.session() as s:
            delete_plan_template(s, row.name)
        if self._last_saved == row.name:
            self._last_saved = None
        self._name = row.name
        self._loaded = (_clean(self.name.text()), self.sections_model.sections())  # nothing left to discard
        self.reload(DEFAULT)

    def reject(self) -> None:
        if self.dirty() and not dialogs.ask(self, "Unsaved changes", "Close without saving the changes to this template?"):
            return
        super().reject()
