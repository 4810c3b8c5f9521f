"""One delegate that paints a cell as a rounded, coloured pill (status badges, signal kinds, page states).

A cell is a pill when ``index.data(role)`` is a key of ``colors`` (``{key: (background, text colour)}``); other
cells paint as usual. The pill holds the cell's display text, elided to the column width.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QModelIndex, QObject, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem


class PillDelegate(QStyledItemDelegate):
    def __init__(self, role: int, colors: Mapping[str, tuple[str, str]], parent: QObject | None = None, *,
                 shrink_pt: float = 0.0, padding: int = 18) -> None:
        super().__init__(parent)
        self.role, self.colors, self.shrink_pt, self.padding = role, colors, shrink_pt, padding

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        key = index.data(self.role)
        if key not in self.colors:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        bg, fg = self.colors[key]
        font = QFont(opt.font)
        if self.shrink_pt:
            font.setPointSizeF(max(7.0, font.pointSizeF() - self.shrink_pt))
        font.setWeight(QFont.Weight.DemiBold)
        fm = QFontMetrics(font)
        w = min(fm.horizontalAdvance(text) + self.padding, opt.rect.width() - 8)
        h = fm.height() + 4
        rect = QRectF(opt.rect.left() + 6, opt.rect.center().y() - h / 2 + 1, w, h)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(rect, h / 2, h / 2)
        painter.fillPath(path, QColor(bg))
        painter.setFont(font)
        painter.setPen(QColor(fg))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter,
                         fm.elidedText(text, Qt.TextElideMode.ElideRight, max(int(w) - 8, 0)))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width() + self.padding + 4, max(size.height(), 28))
