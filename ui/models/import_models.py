"""Qt models for the import wizard: the column mapping (one row per column of the file, the target field
editable through a combo delegate), a preview of the first rows, and the dry run's row errors and planned
changes.

The models adapt the Qt-free :mod:`accounts.tabular` / :mod:`accounts.column_mapping` /
:mod:`accounts.importing` data; they never touch the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionComboBox,
    QStyleOptionViewItem,
    QWidget,
)

from accounts.column_mapping import FIELD_LABELS
from accounts.history import FIELD_LABELS as HISTORY_LABELS
from ui.models.sortable_records import SortableRecordModel

Index = QModelIndex | QPersistentModelIndex
FIELD_ROLE = Qt.ItemDataRole.UserRole + 10  # the field key (str) or None for "Don't import"
DONT_IMPORT = "Don't import"
_DISPLAY, _EDIT, _TIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole
_FG = Qt.ItemDataRole.ForegroundRole
_MUTED = QColor("#94a3b8")
_ACCENT = QColor("#1d4ed8")


def _samples(rows: Sequence[Sequence[str]], col: int, n: int = 3, scan: int = 50) -> list[str]:
    out: list[str] = []
    for r in rows[:scan]:
        v = r[col].strip() if col < len(r) else ""
        if v and v not in out:
            out.append(v if len(v) <= 40 else v[:39] + "…")
            if len(out) >= n:
                break
    return out


class ColumnMappingModel(QAbstractTableModel):
    """Rows: the file's columns. Columns: the header, a few sample values, and the field it maps to
    (editable: ``setData(index, "domain")`` or ``setData(index, None)`` for "Don't import")."""

    HEADERS = ("Column in the file", "Sample values", "Maps to")
    MAPS_TO = 2
    mapping_changed = Signal()

    def __init__(self, parent: Any = None, labels: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self.labels = dict(labels or FIELD_LABELS)  # the fields of what is imported (accounts, contacts)
        self._headers: list[str] = []
        self._samples: list[list[str]] = []
        self._fields: list[str | None] = []

    def set_table(self, headers: Sequence[str], rows: Sequence[Sequence[str]],
                  mapping: dict[str, str | None]) -> None:
        self.beginResetModel()
        self._headers = list(headers)
        self._samples = [_samples(rows, i) for i in range(len(self._headers))]
        self._fields = [mapping.get(h) for h in self._headers]
        self.endResetModel()
        self.mapping_changed.emit()

    def mapping(self) -> dict[str, str | None]:
        return dict(zip(self._headers, self._fields, strict=True))

    def row_of(self, header: str) -> int:
        return self._headers.index(header) if header in self._headers else -1

    def set_field(self, header: str, field: str | None) -> bool:
        row = self.row_of(header)
        return row >= 0 and self.setData(self.index(row, self.MAPS_TO), field)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._headers)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f | Qt.ItemFlag.ItemIsEditable if index.column() == self.MAPS_TO else f

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._headers)):
            return None
        row, col = index.row(), index.column()
        field = self._fields[row]
        if col == 0 and role in (_DISPLAY, _TIP):
            return self._headers[row]
        if col == 1 and role in (_DISPLAY, _TIP):
            return " · ".join(self._samples[row]) if role == _DISPLAY else "\n".join(self._samples[row])
        if col == self.MAPS_TO:
            if role == _DISPLAY:
                return self.labels.get(field, field) if field else DONT_IMPORT
            if role in (_EDIT, FIELD_ROLE):
                return field
            if role == _TIP:
                return "Double-click to choose the field this column fills"
        if role == _FG:
            if field is None:
                return _MUTED
            if col == self.MAPS_TO:
                return _ACCENT
        return None

    def setData(self, index: Index, value: Any, role: int = _EDIT) -> bool:  # noqa: N802
        if not index.isValid() or index.column() != self.MAPS_TO or role not in (_EDIT, FIELD_ROLE):
            return False
        field = value or None
        if field is not None and field not in self.labels:
            return False
        if self._fields[index.row()] == field:
            return True
        self._fields[index.row()] = field
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.MAPS_TO))
        self.mapping_changed.emit()
        return True


class FieldDelegate(QStyledItemDelegate):
    """A combo over "Don't import" and every account field, for the "Maps to" column; drawn as a combo box
    even when not editing, so the column reads as a choice."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        box = QStyleOptionComboBox()
        box.rect = option.rect.adjusted(6, 3, -8, -3)
        box.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active
        box.palette = QPalette(option.palette)
        box.palette.setColor(QPalette.ColorRole.Button, QColor("#ffffff"))
        color = index.data(_FG)
        if isinstance(color, QColor):
            box.palette.setColor(QPalette.ColorRole.ButtonText, color)
        box.currentText = str(index.data() or "")
        box.frame = True
        style.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, box, painter, None)
        style.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, box, painter, None)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        combo = QComboBox(parent)
        combo.addItem(DONT_IMPORT, None)
        for key, text in index.model().labels.items():
            combo.addItem(text, key)
        combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        pos = editor.findData(index.data(FIELD_ROLE))
        editor.setCurrentIndex(max(pos, 0))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), _EDIT)


class PreviewModel(QAbstractTableModel):
    """The first rows of the file, one column per column of the file; a mapped column's header names its
    field, unmapped columns are greyed out."""

    def __init__(self, parent: Any = None, labels: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self.labels = dict(labels or FIELD_LABELS)
        self._headers: list[str] = []
        self._rows: list[list[str]] = []
        self._numbers: list[int] = []
        self._fields: dict[str, str | None] = {}

    def set_table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], numbers: Sequence[int]) -> None:
        self.beginResetModel()
        self._headers, self._rows, self._numbers = list(headers), [list(r) for r in rows], list(numbers)
        self.endResetModel()

    def set_mapping(self, mapping: dict[str, str | None]) -> None:
        self._fields = dict(mapping)
        if self._headers:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers) - 1)
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self._headers) - 1),
                                      [_FG])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            if role == _DISPLAY and 0 <= section < len(self._numbers):
                return str(self._numbers[section])
            return None
        if not 0 <= section < len(self._headers):
            return None
        header = self._headers[section]
        field = self._fields.get(header)
        if role == _DISPLAY:
            return f"{header}\n→ {self.labels.get(field, field)}" if field else f"{header}\n(not imported)"
        if role == _FG:
            return None if field else _MUTED
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() \
            else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) \
                or not (0 <= index.column() < len(self._headers)):
            return None
        row = self._rows[index.row()]
        value = row[index.column()] if index.column() < len(row) else ""
        if role == _DISPLAY:
            return value if len(value) <= 80 else value[:79] + "…"
        if role == _TIP:
            return value[:1000] or None
        if role == _FG and not self._fields.get(self._headers[index.column()]):
            return _MUTED
        return None


def row_errors_model(parent: Any = None) -> SortableRecordModel:
    """Row, column, reason of every rejected row (spreadsheet row numbers)."""
    return SortableRecordModel([
        ("Row", lambda e: e.row),
        ("Column", lambda e: e.column or "—", lambda e: e.column or ""),
        ("Problem", lambda e: e.message),
    ], parent=parent, align_right=(0,))


ACTION_LABELS = {"create": "Create", "update": "Update", "merge": "Merge into", "unchanged": "Unchanged"}


def _changed_label(field: str, labels: dict[str, str]) -> str:
    return labels.get(field) or HISTORY_LABELS.get(field, field.replace("_", " ")).capitalize()


def planned_changes_model(parent: Any = None, labels: dict[str, str] | None = None,
                          noun: str = "Account") -> SortableRecordModel:
    """What the import would do with each row: create, update or merge into a record (and which fields)."""
    labels = dict(labels or FIELD_LABELS)
    return SortableRecordModel([
        ("Row", lambda p: p.row),
        ("Action", lambda p: ACTION_LABELS.get(p.action, p.action)),
        (noun, lambda p: p.name),
        ("Domain" if noun == "Account" else "E-mail", lambda p: p.domain or ""),
        ("Fields changed", lambda p: ", ".join(_changed_label(f, labels) for f in p.fields
                                               if f not in ("size_band", "segment"))
         if p.action != "create" else ""),
    ], parent=parent, align_right=(0,), foreground=lambda p: "#94a3b8" if p.action == "unchanged" else None)

