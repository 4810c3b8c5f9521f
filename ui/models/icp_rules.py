"""Item models for the ICP rules dialog: the editable rule list (label and points edit in place) and the
read-only tier moves of a rescoring preview."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from accounts.scoring import TierMove
from accounts.scoring_rules import KIND_LABELS, MAX_POINTS, describe
from bdr_desk.taxonomy import Taxonomy
from ui.models.record_table import RowsTableModel

Index = QModelIndex | QPersistentModelIndex
POSITIVE, NEGATIVE, MUTED = QColor("#047857"), QColor("#b91c1c"), QColor("#64748b")
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)


def signed(points: int) -> str:
    return f"+{points}" if points > 0 else f"−{-points}" if points < 0 else "0"


class IcpRulesModel(QAbstractTableModel):
    """The rules of the version being edited, as plain dicts. ``edited`` fires on any change."""

    LABEL, KIND, CONDITION, POINTS = range(4)
    HEADERS = ("Rule", "Kind", "Condition", "Points")
    edited = Signal()

    def __init__(self, taxonomy: Taxonomy, rules: Sequence[dict[str, Any]] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self.taxonomy = taxonomy
        self._rules = copy.deepcopy(list(rules))

    # -- plain data in and out --
    def set_rules(self, rules: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rules = copy.deepcopy(list(rules))
        self.endResetModel()

    def rules(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._rules)

    def rule_at(self, row: int) -> dict[str, Any]:
        return copy.deepcopy(self._rules[row])

    def add_rule(self, rule: dict[str, Any]) -> int:
        taken = {r["id"] for r in self._rules}
        rid, n = rule.get("id") or rule["kind"], 2
        base = rid
        while rid in taken:
            rid, n = f"{base}_{n}", n + 1
        row = len(self._rules)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rules.append({**copy.deepcopy(rule), "id": rid})
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rules):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rules[row]
            self.endRemoveRows()
            self.edited.emit()

    # -- Qt --
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rules)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.HEADERS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section == self.POINTS:
                return _RIGHT
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (self.LABEL, self.POINTS):
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rules)):
            return None
        r, col = self._rules[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.LABEL:
                return r["label"]
            if col == self.KIND:
                return KIND_LABELS.get(r["kind"], r["kind"])
            if col == self.CONDITION:
                return describe(r["kind"], r.get("params") or {}, self.taxonomy)
            if col == self.POINTS:
                return signed(int(r["points"]))
        elif role == Qt.ItemDataRole.EditRole:
            if col == self.LABEL:
                return r["label"]
            if col == self.POINTS:
                return int(r["points"])
        elif role == Qt.ItemDataRole.ToolTipRole:
            return f"{r['label']}: {describe(r['kind'], r.get('params') or {}, self.taxonomy)} → {signed(int(r['points']))}"
        elif role == Qt.ItemDataRole.ForegroundRole:
            if col == self.POINTS:
                return POSITIVE if r["points"] > 0 else NEGATIVE if r["points"] < 0 else MUTED
            if col in (self.KIND, self.CONDITION):
                return MUTED
        elif role == Qt.ItemDataRole.TextAlignmentRole and col == self.POINTS:
            return _RIGHT
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        rule = self._rules[index.row()]
        if index.column() == self.LABEL:
            text = str(value or "").strip()
            if not text or text == rule["label"]:
                return False
            rule["label"] = text[:200]
        else:
            try:
                points = int(str(value).replace("−", "-").replace("+", "").strip())
            except ValueError:
                return False
            if not -MAX_POINTS <= points <= MAX_POINTS or points == rule["points"]:
                return False
            rule["points"] = points
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        self.edited.emit()
        return True


class TierMovesModel(RowsTableModel):
    """Accounts whose tier would move (manual tiers: the suggestion moves, the tier is kept)."""

    HEADERS = ("Account", "Tier", "ICP score", "")

    def set_moves(self, moves: Sequence[TierMove]) -> None:
        self.set_rows(moves)

    def move_at(self, row: int) -> TierMove:
        return self.row_at(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        m, col = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                return m.name
            if col == 1:
                return f"{m.old_tier or '—'} → {m.new_tier}"
            if col == 2:
                return f"{'—' if m.old_score is None else m.old_score} → {m.new_score}"
            return "manual tier kept" if m.manual else ("up" if m.old_tier and m.new_tier < m.old_tier else
                                                         "down" if m.old_tier else "first tier")
        if role == Qt.ItemDataRole.ForegroundRole and col in (1, 3):
            if m.manual:
                return MUTED
            if m.old_tier is not None:
                return POSITIVE if m.new_tier < m.old_tier else NEGATIVE
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2):
            return _CENTER
        return None
