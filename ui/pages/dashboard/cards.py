"""KPI cards: a caption, a big number, the change against the previous period and one line of context. A
card is a button: clicking it (or Enter/Space on it) asks for the records behind the number."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget


@dataclass(frozen=True)
class CardSpec:
    key: str  # the report's metric key (and the drill-down's)
    caption: str
    hint: str  # the definition, as a tooltip
    kind: str = "count"  # count, percent or money


ACCOUNT_CARDS = [
    CardSpec("target_accounts", "Target accounts", "Accounts in scope whose ABM stage is not won or lost"),
    CardSpec("tier1_accounts", "Tier-1 accounts", "Target accounts in tier 1"),
    CardSpec("no_touch_accounts", "No touch in 30 days",
             "Target accounts with no activity logged in the last N days"),
    CardSpec("key_contact_identification_rate", "Key contacts identified",
             "Share of target accounts whose required buying-committee roles (the segment's template) are all "
             "held by current contacts", "percent"),
    CardSpec("open_opportunities", "Open opportunities", "Opportunities not closed yet"),
    CardSpec("pipeline_amount", "Open pipeline", "Sum of the amounts of the open opportunities", "money"),
]
PERIOD_CARDS = [
    CardSpec("first_meetings", "First meetings set",
             "Accounts whose first meeting ever was booked in the period"),
    CardSpec("first_meetings_held", "First meetings held", "Accounts whose first meeting ever was held in the period"),
    CardSpec("qualified_opportunities", "Qualified opportunities",
             "Qualified opportunities opened in the period"),
    CardSpec("pipeline_created", "Pipeline created", "Amount of the opportunities opened in the period", "money"),
    CardSpec("win_rate", "Win rate", "Closed won ÷ (closed won + closed lost), closed in the period", "percent"),
    CardSpec("avg_enterprise_deal_size", "Avg enterprise deal",
             "Average amount of the deals won in the period on enterprise accounts", "money"),
]


class KpiCard(QFrame):
    clicked = Signal(str)  # the card's key

    def __init__(self, spec: CardSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName("KpiCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(f"{spec.hint}.\nClick to see the records behind this number.")
        self.setAccessibleName(spec.caption)
        self.caption = QLabel(spec.caption.upper(), objectName="KpiCaption")
        self.value = QLabel("—", objectName="KpiValue")
        self.delta = QLabel("", objectName="KpiDelta")
        self.note = QLabel("", objectName="KpiNote")
        self.note.setWordWrap(False)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.value)
        row.addStretch(1)
        row.addWidget(self.delta, 0, Qt.AlignmentFlag.AlignBottom)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 14, 12)
        lay.setSpacing(2)
        lay.addWidget(self.caption)
        lay.addLayout(row)
        lay.addWidget(self.note)
        self.setMinimumWidth(150)

    def set_caption(self, text: str) -> None:
        self.caption.setText(text.upper())

    def show_value(self, value: str, note: str = "", delta: str = "", color: str = "#64748b",
                   delta_tip: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)
        self.delta.setText(delta)
        self.delta.setStyleSheet(f"color: {color};")
        self.delta.setToolTip(delta_tip)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self.spec.key)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit(self.spec.key)
            return
        super().keyPressEvent(event)
