"""Small building blocks shared by every page: page headers, empty states, KPI cards."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.theme import icon


def label(text: str, object_name: str = "", wrap: bool = False) -> QLabel:
    w = QLabel(text)
    if object_name:
        w.setObjectName(object_name)
    w.setWordWrap(wrap)
    return w


class PageHeader(QWidget):
    """Title, one line of context, and the page's main actions on the right."""

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label(title, "PageTitle")
        self.subtitle = label(subtitle, "PageSubtitle")
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.subtitle)
        self.actions = QHBoxLayout()
        self.actions.setSpacing(8)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(text, 1)
        lay.addLayout(self.actions)

    def add_action(self, text: str, icon_name: str, slot: Callable[[], None], primary: bool = False) -> QPushButton:
        b = QPushButton(icon(icon_name, "#ffffff") if primary else icon(icon_name), text)
        if primary:
            b.setObjectName("Primary")
        b.clicked.connect(slot)
        self.actions.addWidget(b)
        return b


class EmptyState(QWidget):
    """What to show instead of an empty table: an icon, what this place is for, and what to do next."""

    def __init__(self, icon_name: str, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pic = QLabel()
        pic.setPixmap(icon(icon_name).pixmap(QSize(56, 56)))
        pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = label(title, "EmptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label(text, "EmptyText", wrap=True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setFixedWidth(480)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        col = QVBoxLayout(self)
        col.addStretch(1)
        col.addWidget(pic)
        col.addSpacing(8)
        col.addWidget(self.title)
        # no alignment flag here: an aligned item gets its sizeHint height, which clips wrapped text;
        # stretches on both sides centre it while the layout still honours height-for-width
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text)
        row.addStretch(1)
        col.addLayout(row)
        col.addSpacing(12)
        col.addLayout(self.buttons)
        col.addStretch(2)
        self._tail = True

    def add_button(self, text: str, slot: Callable[[], None], primary: bool = False) -> QPushButton:
        b = QPushButton(text)
        if primary:
            b.setObjectName("Primary")
        b.clicked.connect(slot)
        if self._tail:
            self.buttons.addStretch(1)
            self._tail = False
        self.buttons.insertWidget(self.buttons.count() - 1, b)
        return b

    def set_message(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.text.setText(text)


class Card(QFrame):
    """A KPI card: a big number and what it counts."""

    def __init__(self, caption: str, value: str = "—", hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.value = label(value, "CardValue")
        self.caption = label(caption, "CardLabel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(self.value)
        lay.addWidget(self.caption)
        if hint:
            self.setToolTip(hint)

    def set_value(self, value: str) -> None:
        self.value.setText(value)
