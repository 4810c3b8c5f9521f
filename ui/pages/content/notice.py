"""A slim, dismissable line above the results: what just happened ("Link copied"), or why the results look
the way they do ("No item has every word…")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QWidget

from ui.theme import icon
from ui.widgets.common import label

KINDS = ("info", "success", "warning")


class Notice(QFrame):
    def __init__(self, parent: QWidget | None = None, closable: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("Notice")
        self.text = label("", "NoticeText", wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setIcon(icon("cancel"))
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.hide)
        self.close_button.setVisible(closable)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 6, 6)
        lay.setSpacing(8)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        self.setProperty("kind", kind if kind in KINDS else "info")
        self.style().unpolish(self)
        self.style().polish(self)
        self.text.setText(text)
        self.show()
