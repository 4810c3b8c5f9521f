"""The accounts filter bar: a search box and the everyday filters in one row, "More filters" (size band,
ICP score range, no activity in N days, target list) in a row that expands below, and the active filters as
removable chips. It only builds an :class:`AccountFilter`; the database evaluates it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from accounts.models import ABM_STAGES, TargetList
from accounts.queries import AccountFilter
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY, SIZE_BAND
from bdr_desk.users import User
from ui.context import AppContext
from ui.theme import icon

FILTER_DELAY_MS = 250

CHIP_STYLE = """
QPushButton { background: #eef2ff; color: #3730a3; border: 1px solid #c7d2fe; border-radius: 11px;
              padding: 2px 10px; }
QPushButton:hover { background: #e0e7ff; border-color: #818cf8; }
"""
_STYLE = """
#FilterMore { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 8px; }
#FilterMore QLabel { color: #475569; }
QPushButton#ClearChips { border: none; background: transparent; color: #1d4ed8; padding: 2px 6px; }
QPushButton#ClearChips:hover { text-decoration: underline; }
QToolButton#MoreFilters {
    background: #ffffff; border: 1px solid #cbd5e1; border-radius: 6px; padding: 5px 10px;
}
QToolButton#MoreFilters:checked { background: #eff6ff; border-color: #1d4ed8; color: #1d4ed8; }
"""


def _combo(everything: str, items: list[tuple[str, Any]]) -> QComboBox:
    c = QComboBox()
    c.addItem(everything, None)
    for text, value in items:
        c.addItem(text, value)
    c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    c.setMinimumContentsLength(9)
    return c


def _values(combo: QComboBox) -> tuple:
    value = combo.currentData()
    if value is None:
        return ()
    return tuple(value) if isinstance(value, tuple) else (value,)


def _select(combo: QComboBox, values: tuple, label: Callable[[Any], str]) -> None:
    """Select the item for ``values``; several values (from a saved view or list) get an item of their own."""
    if not values:
        combo.setCurrentIndex(0)
        return
    want: Any = values[0] if len(values) == 1 else tuple(values)
    i = combo.findData(want)
    if i < 0:
        combo.addItem(", ".join(label(v) for v in values), want)
        i = combo.count() - 1
    combo.setCurrentIndex(i)


class IntField(QLineEdit):
    """A whole number in a range, or empty for "Any" (looks like the other inputs, unlike a spin box)."""

    def __init__(self, minimum: int, maximum: int, placeholder: str = "Any", width: int = 70) -> None:
        super().__init__()
        self.setValidator(QIntValidator(minimum, maximum, self))
        self.setPlaceholderText(placeholder)
        self.setFixedWidth(width)
        self.setClearButtonEnabled(False)
        self._range = (minimum, maximum)

    def value(self) -> int | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            return max(self._range[0], min(self._range[1], int(text)))
        except ValueError:
            return None

    def setValue(self, value: int | None) -> None:  # noqa: N802 - Qt's naming, like QSpinBox
        self.setText("" if value is None else str(value))


class FilterBar(QWidget):
    changed = Signal()  # the filter changed (text changes arrive debounced)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self.ctx = ctx
        tax = ctx.taxonomy
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search accounts by name or domain…")
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.industry = _combo("All industries", [(t.label, t.key) for t in tax.terms[INDUSTRY]])
        self.tier = _combo("All tiers", [(f"Tier {t}", t) for t in (1, 2, 3)])
        self.stage = _combo("All stages", [(tax.label(ABM_STAGE, s), s) for s in ABM_STAGES])
        self.owner = _combo("All owners", [("My accounts", ctx.user.id)])
        self.more = QToolButton()
        self.more.setObjectName("MoreFilters")
        self.more.setIcon(icon("filter"))
        self.more.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.more.setCheckable(True)
        self.more.setToolTip("Size band, ICP score range, no activity in N days, target list")

        self.size_band = _combo("Any size", [(t.label, t.key) for t in tax.terms.get(SIZE_BAND, [])])
        self.icp_min = IntField(0, 100, "Min")
        self.icp_max = IntField(0, 100, "Max")
        self.icp_min.setToolTip("Lowest ICP score (0–100); empty for any")
        self.icp_max.setToolTip("Highest ICP score (0–100); empty for any")
        self.inactive = IntField(1, 3650, "Any")
        self.inactive.setToolTip("Accounts with no logged activity in this many days (or never); empty for any")
        self.list = _combo("Any list", [])

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(8)
        top.addWidget(self.search, 3)
        for w in (self.industry, self.tier, self.stage, self.owner):
            top.addWidget(w, 1)
        top.addWidget(self.more)

        self.more_panel = QFrame()
        self.more_panel.setObjectName("FilterMore")
        more = QHBoxLayout(self.more_panel)
        more.setContentsMargins(12, 8, 12, 8)
        more.setSpacing(8)
        dash = QLabel("–")
        for w in (QLabel("Size band"), self.size_band, _gap(), QLabel("ICP score"), self.icp_min, dash,
                  self.icp_max, _gap(), QLabel("No activity in"), self.inactive, QLabel("days"), _gap(), QLabel("List"), self.list):
            more.addWidget(w)
        more.addStretch(1)
        self.more_panel.setVisible(False)
        self.more.toggled.connect(self.more_panel.setVisible)

        self.chips = QHBoxLayout()
        self.chips.setContentsMargins(0, 0, 0, 0)
        self.chips.setSpacing(6)
        self.chip_row = QWidget()
        self.chip_row.setLayout(self.chips)
        self.chip_row.setVisible(False)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        lay.addLayout(top)
        lay.addWidget(self.more_panel)
        lay.addWidget(self.chip_row)

        self._quiet = False
        self._debounce = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(self._debounce.start)
        for c in self._combos():
            c.currentIndexChanged.connect(self._emit)
        for f in (self.icp_min, self.icp_max, self.inactive):
            f.textChanged.connect(self._debounce.start)
        self.reload_choices()
        self._update_chips()

    def _combos(self) -> tuple[QComboBox, ...]:
        return (self.industry, self.tier, self.stage, self.owner, self.size_band, self.list)

    # ---- choices that live in the database ----
    def reload_choices(self) -> None:
        """Owners and target lists, read again (a bulk action may have created a list)."""
        with self.ctx.workspace.session() as s:
            users = [(uid, name) for uid, name in s.execute(select(User.id, User.name).order_by(User.name))
                     if uid != self.ctx.user.id]
            lists = s.execute(select(TargetList.id, TargetList.name, TargetList.kind).order_by(TargetList.name)).all()
        self._quiet = True
        try:
            keep_owner, keep_list = _values(self.owner), _values(self.list)
            while self.owner.count() > 2:
                self.owner.removeItem(2)
            for uid, name in users:
                self.owner.addItem(name, uid)
            _select(self.owner, keep_owner, lambda v: self._owner_name(v))
            while self.list.count() > 1:
                self.list.removeItem(1)
            for lid, name, kind in lists:
                self.list.addItem(f"{name}{' (dynamic)' if kind == 'dynamic' else ''}", lid)
            _select(self.list, keep_list, lambda v: f"list {v}")
        finally:
            self._quiet = False

    def _owner_name(self, uid: Any) -> str:
        i = self.owner.findData(uid)
        return self.owner.itemText(i) if i >= 0 else f"user {uid}"

    # ---- the filter ----
    def current_filter(self) -> AccountFilter:
        lst = _values(self.list)
        return AccountFilter(
            text=self.search.text().strip(), industries=_values(self.industry), tiers=_values(self.tier),
            stages=_values(self.stage), owner_ids=_values(self.owner), list_id=lst[0] if lst else None,
            size_bands=_values(self.size_band),
            icp_min=self.icp_min.value(), icp_max=self.icp_max.value(), inactive_days=self.inactive.value(),
        )

    def set_filter(self, flt: AccountFilter, emit: bool = True) -> None:
        tax = self.ctx.taxonomy
        self._quiet = True
        try:
            for w in (self.search, self.icp_min, self.icp_max, self.inactive, *self._combos()):
                w.blockSignals(True)
            self.search.setText(flt.text)
            _select(self.industry, flt.industries, lambda v: tax.label(INDUSTRY, v))
            _select(self.tier, flt.tiers, lambda v: f"Tier {v}")
            _select(self.stage, flt.stages, lambda v: tax.label(ABM_STAGE, v))
            _select(self.owner, flt.owner_ids, self._owner_name)
            _select(self.size_band, flt.size_bands, lambda v: tax.label(SIZE_BAND, v))
            _select(self.list, (flt.list_id,) if flt.list_id is not None else (), lambda v: f"list {v}")
            self.icp_min.setValue(flt.icp_min)
            self.icp_max.setValue(flt.icp_max)
            self.inactive.setValue(flt.inactive_days)
        finally:
            for w in (self.search, self.icp_min, self.icp_max, self.inactive, *self._combos()):
                w.blockSignals(False)
            self._quiet = False
        if any(x for x in (flt.size_bands, flt.list_id, flt.inactive_days)) or flt.icp_min is not None \
                or flt.icp_max is not None:
            self.more.setChecked(True)
        self._debounce.stop()
        self._update_chips()
        if emit:
            self.changed.emit()

    def clear(self, emit: bool = True) -> None:
        self.set_filter(AccountFilter(), emit=emit)

    def flush(self) -> None:
        """Apply a pending (debounced) change now."""
        if self._debounce.isActive():
            self._emit()

    def _emit(self) -> None:
        self._debounce.stop()
        if self._quiet:
            return
        self._update_chips()
        self.changed.emit()

    # ---- chips ----
    def chip_texts(self) -> list[str]:
        return [c.text().removesuffix("  ✕") for c in self._chip_buttons()]

    def _chip_buttons(self) -> list[QPushButton]:
        out = []
        for i in range(self.chips.count()):
            w = self.chips.itemAt(i).widget()
            if isinstance(w, QPushButton) and w.objectName() == "Chip":
                out.append(w)
        return out

    def _update_chips(self) -> None:
        while self.chips.count():
            item = self.chips.takeAt(0)
            w = item.widget()
            if w is not None:  # hidden at once: deleteLater waits for the event loop
                w.hide()
                w.deleteLater()
        flt = self.current_filter()
        chips: list[tuple[str, Callable[[AccountFilter], AccountFilter]]] = []
        if flt.text:
            chips.append((f"“{flt.text}”", lambda f: replace(f, text="")))
        for combo, attr in ((self.industry, "industries"), (self.tier, "tiers"), (self.stage, "stages"),
                            (self.owner, "owner_ids"), (self.size_band, "size_bands")):
            if getattr(flt, attr):
                chips.append((combo.currentText(), lambda f, a=attr: replace(f, **{a: ()})))
        if flt.icp_min is not None or flt.icp_max is not None:
            lo, hi = flt.icp_min if flt.icp_min is not None else 0, flt.icp_max if flt.icp_max is not None else 100
            chips.append((f"ICP {lo}–{hi}", lambda f: replace(f, icp_min=None, icp_max=None)))
        if flt.inactive_days:
            chips.append((f"No activity in {flt.inactive_days} days", lambda f: replace(f, inactive_days=None)))
        if flt.list_id is not None:
            chips.append((f"List: {self.list.currentText()}", lambda f: replace(f, list_id=None)))
        n = sum(1 for v in (flt.size_bands, flt.inactive_days, flt.list_id is not None) if v) \
            + (1 if flt.icp_min is not None or flt.icp_max is not None else 0)
        self.more.setText(f"More filters ({n})" if n else "More filters")
        if not chips:
            self.chip_row.setVisible(False)
            return
        caption = QLabel("Filtered by")
        caption.setObjectName("Muted")
        self.chips.addWidget(caption)
        for text, without in chips:
            b = QPushButton(f"{text}  ✕")
            b.setObjectName("Chip")
            b.setStyleSheet(CHIP_STYLE)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setToolTip("Remove this filter")
            b.clicked.connect(lambda _=False, w=without: self.set_filter(w(self.current_filter())))
            self.chips.addWidget(b)
        clear = QPushButton("Clear all")
        clear.setObjectName("ClearChips")
        clear.setCursor(Qt.CursorShape.PointingHandCursor)
        clear.clicked.connect(lambda: self.clear())
        self.chips.addWidget(clear)
        self.chips.addStretch(1)
        self.chip_row.setVisible(True)


def _gap() -> QWidget:
    w = QWidget()
    w.setFixedWidth(10)
    return w
