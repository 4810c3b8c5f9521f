"""The field-mapping editor: per CRM and object type a table of fields (our field, CRM property, direction,
rule) with combo editors; Save validates through ``mapping_store`` and lists every problem."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.crm.mapping import SyncMapping
from bdr_desk.crm.mapping_store import MappingError, load_mapping, reset_mapping, save_mapping
from bdr_desk.crm.status import SYSTEM_LABELS
from ui import dialogs
from ui.context import AppContext
from ui.sync.models import OBJECT_LABELS, MappingModel
from ui.sync.run import table
from ui.theme import icon
from ui.widgets.common import label

Index = QModelIndex | QPersistentModelIndex


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box for cells whose model offers :meth:`MappingModel.choices`; the default editor otherwise."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        choices = index.model().choices(index)
        if not choices:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        for key, text in choices:
            combo.addItem(text, key)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class MappingPanel(QWidget):
    saved = Signal(str)  # system

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.mapping: SyncMapping | None = None
        self.system = QComboBox()
        for key, text in SYSTEM_LABELS.items():
            self.system.addItem(text, key)
        self.object_type = QComboBox()
        for key, text in OBJECT_LABELS.items():
            self.object_type.addItem(text, key)
        self.system.currentIndexChanged.connect(lambda *_: self.load())
        self.object_type.currentIndexChanged.connect(lambda *_: self.show_object())
        self.model = MappingModel(self)
        self.model.dataChanged.connect(lambda *_: self._changed())
        self.table = table(self.model)
        self.table.setItemDelegate(ChoiceDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.SelectedClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        for col, width in enumerate((170, 240, 150)):
            self.table.setColumnWidth(col, width)
        self.save_button = QPushButton(icon("save", "#ffffff"), "Save mapping")
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.clicked.connect(self.load)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.clicked.connect(self.reset)
        self.problems = label("", wrap=True)
        self.problems.setStyleSheet("color: #b91c1c;")
        self.state = label("", "Muted")
        head = QHBoxLayout()
        head.addWidget(label("CRM", "Muted"))
        head.addWidget(self.system)
        head.addSpacing(8)
        head.addWidget(label("Object", "Muted"))
        head.addWidget(self.object_type)
        head.addStretch(1)
        head.addWidget(self.state)
        foot = QHBoxLayout()
        foot.addWidget(label("Double-click a cell to change it. Rules decide what happens when a field changed "
                             "on both sides; “Ask” sends it to the conflict queue.", "Muted", wrap=True), 1)
        foot.addWidget(self.reset_button)
        foot.addWidget(self.revert_button)
        foot.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.addLayout(head)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.problems)
        lay.addLayout(foot)
        self.edited: dict[str, Any] = {}  # object type → fields edited but not saved yet

    def current_system(self) -> str:
        return str(self.system.currentData())

    def current_object(self) -> str:
        return str(self.object_type.currentData())

    def load(self) -> None:
        with self.ctx.workspace.session() as s:
            self.mapping = load_mapping(s, self.current_system())
        self.edited = {}
        self.problems.setText("")
        self.show_object()

    def show_object(self) -> None:
        if self.mapping is None:
            return
        obj = self.mapping.objects.get(self.current_object())
        fields = self.edited.get(self.current_object()) or (obj.fields if obj else ())
        self.model.set_fields(self.current_object(), fields)
        self.model.dirty = self.current_object() in self.edited
        self._update_state()

    def _changed(self) -> None:
        self.edited[self.model.object_type] = self.model.fields()
        self._update_state()

    def _update_state(self) -> None:
        self.state.setText(f"Unsaved changes in {len(self.edited)} object type(s)" if self.edited else "Saved")
        self.revert_button.setEnabled(bool(self.edited))

    def edited_mapping(self) -> SyncMapping:
        assert self.mapping is not None
        objects = dict(self.mapping.objects)
        for object_type, fields in self.edited.items():
            if object_type in objects:
                objects[object_type] = replace(objects[object_type], fields=tuple(fields))
        return replace(self.mapping, objects=objects)

    def save(self) -> bool:
        if self.mapping is None:
            return False
        new = self.edited_mapping()
        try:
            with self.ctx.workspace.session() as s:
                save_mapping(s, new)
        except MappingError as exc:
            self.problems.setText("Not saved — fix these first:\n" + "\n".join(f"• {p}" for p in exc.problems))
            return False
        self.mapping, self.edited = new, {}
        self.problems.setText("")
        self.show_object()
        self.state.setText(f"{SYSTEM_LABELS.get(new.system, new.system)} mapping saved")
        self.saved.emit(new.system)
        return True

    def reset(self) -> None:
        name = SYSTEM_LABELS.get(self.current_system(), self.current_system())
        if not dialogs.ask(self, "Reset mapping", f"Replace the {name} field mapping with the defaults?"):
            return
        with self.ctx.workspace.session() as s:
            reset_mapping(s, self.current_system())
        self.load()
