"""The dashboard's filter bar: period (or custom dates), owner, target list, segment and lead source."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QWidget

from bdr_desk.kpi import FilterOptions, KpiFilter, parse_period
from bdr_desk.kpi.filters import date_range
from ui.widgets.common import label

PERIODS = [("Last 30 days", "last-30-days"), ("Last 90 days", "last-90-days"), ("Last 180 days", "last-180-days"),
           ("This quarter", "this-quarter"), ("Last quarter", "last-quarter"), ("This month", "this-month"),
           ("Last month", "last-month"), ("This year", "this-year"), ("All time", "all"),
           ("Custom dates…", "custom")]
DEFAULT_PERIOD = "last-90-days"


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.period = QComboBox()
        for text, key in PERIODS:
            self.period.addItem(text, key)
        self.period.setCurrentIndex(self.period.findData(DEFAULT_PERIOD))
        self.period.setAccessibleName("Period")
        today = QDate.currentDate()
        self.date_from, self.date_to = QDateEdit(today.addDays(-89)), QDateEdit(today)
        for d, name in ((self.date_from, "From"), (self.date_to, "To")):
            d.setCalendarPopup(True)
            d.setDisplayFormat("d MMM yyyy")
            d.setAccessibleName(name)
            d.hide()
            d.dateChanged.connect(self.changed)
        self.owner, self.target_list = QComboBox(), QComboBox()
        self.segment, self.source = QComboBox(), QComboBox()
        for combo, text, width in ((self.owner, "Everyone", 170), (self.target_list, "All accounts", 170),
                                   (self.segment, "All segments", 120), (self.source, "All lead sources", 140)):
            combo.addItem(text, None)
            combo.setMinimumWidth(width)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.changed)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.status = label("", "Muted")
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(6)
        for caption, widget in (("Period", self.period), ("", self.date_from), ("", self.date_to),
                                ("Owner", self.owner), ("List", self.target_list), ("Segment", self.segment),
                                ("Source", self.source)):
            if caption:
                bar.addSpacing(6)
                bar.addWidget(label(caption, "Muted"))
                widget.setAccessibleName(caption)
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.status)

    def _period_changed(self) -> None:
        custom = self.period.currentData() == "custom"
        for d in (self.date_from, self.date_to):
            d.setVisible(custom)
        self.changed.emit()

    def set_busy(self, busy: bool, as_of: dt.date | None = None) -> None:
        self.status.setStyleSheet("color: #1d4ed8;" if busy else "")
        self.status.setText("Refreshing…" if busy else f"As of {as_of:%d %b %Y}" if as_of else "")

    def filter(self, today: dt.date, owner: Any = ...) -> KpiFilter:
        """The filter on screen (``owner``: instead of the owner combo's, e.g. a BDR's own id at start)."""
        key = self.period.currentData()
        if key == "custom":
            lo, hi = self.date_from.date().toPython(), self.date_to.date().toPython()
            period = date_range(min(lo, hi), max(lo, hi))  # type: ignore[type-var]
        else:
            period = parse_period(key, today)
        return KpiFilter(today=today, period=period,
                         owner_id=self.owner.currentData() if owner is ... else owner,
                         list_id=self.target_list.currentData(), segment=self.segment.currentData(),
                         source=self.source.currentData())

    def set_options(self, options: FilterOptions, flt: KpiFilter, me: int | None) -> None:
        """Fill the combos with the workspace's users, lists, segments and sources; keep ``flt``'s choices."""
        for combo, choices, current in (
                (self.owner, [(c.key, f"{c.label} (me)" if c.key == me else c.label) for c in options.owners],
                 flt.owner_id),
                (self.target_list, [(c.key, c.label) for c in options.lists], flt.list_id),
                (self.segment, [(c.key, c.label) for c in options.segments], flt.segment),
                (self.source, [(c.key, c.label) for c in options.sources], flt.source)):
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for key, text in choices:
                combo.addItem(text, key)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)

    def select(self, combo: QComboBox, value: Any) -> None:
        combo.setCurrentIndex(max(combo.findData(value), 0))

    def describe(self, flt: KpiFilter) -> str:
        """The filter in words, for a drill-down's subtitle: "Q4 2026 · Maya Okafor's accounts · Webinar"."""
        def text(combo: QComboBox, value: Any) -> str:
            i = combo.findData(value)
            return combo.itemText(i) if i >= 0 else str(value)

        parts = [flt.period.label]
        if flt.owner_id is None:
            parts.append("everyone's accounts")
        else:
            name = text(self.owner, flt.owner_id)
            parts.append("your accounts" if name.endswith(" (me)") else f"{name}'s accounts")
        parts += [text(c, v) for c, v in ((self.target_list, flt.list_id), (self.segment, flt.segment),
                                          (self.source, flt.source)) if v is not None]
        return " · ".join(parts)
