"""Content rows drawn as cards: a bold title with badges on the right, a muted meta line, and a rich-text line
(the search snippet with the matched words highlighted, or a recommendation's reasons).

:class:`CardListModel` holds plain rows and answers the card roles through a ``describe(row) -> Card``
function; :class:`CardDelegate` paints them. The library's results and the account Content tab both use them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.pages.content.common import BADGE_COLORS

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
BADGES_ROLE = Qt.ItemDataRole.UserRole + 3
META_ROLE = Qt.ItemDataRole.UserRole + 4
HTML_ROLE = Qt.ItemDataRole.UserRole + 5

HIGHLIGHT_CSS = "b { color: #0f172a; background-color: #fef08a; font-weight: 600; }"
PAD_X, PAD_Y, LINE_GAP = 14, 10, 4


@dataclass(frozen=True)
class Card:
    title: str
    badges: tuple[tuple[str, str], ...] = ()  # (text, badge kind in BADGE_COLORS)
    meta: str = ""
    html: str = ""  # escaped rich text: <b> marks the matched words


class CardListModel(QAbstractListModel):
    """A list of plain rows (with an ``id``) shown as cards; ``fetch_more(n_loaded)`` pages in more rows."""

    def __init__(self, describe: Callable[[Any], Card], parent: Any = None) -> None:
        super().__init__(parent)
        self._describe = describe
        self._rows: list[Any] = []
        self._cards: list[Card] = []
        self._total = 0
        self.fetcher: Callable[[int], Sequence[Any]] | None = None

    def set_rows(self, rows: Sequence[Any], total: int | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cards = [self._describe(r) for r in self._rows]
        self._total = len(self._rows) if total is None else max(total, len(self._rows))
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_of(self, record_id: Any) -> int:
        return next((i for i, r in enumerate(self._rows) if getattr(r, "id", None) == record_id), -1)

    @property
    def total(self) -> int:
        return self._total

    # ---- Qt ----
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._rows):
            return None
        card = self._cards[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return card.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return card.title
        if role == ID_ROLE:
            return getattr(self._rows[index.row()], "id", None)
        if role == ROW_ROLE:
            return self._rows[index.row()]
        if role == BADGES_ROLE:
            return list(card.badges)
        if role == META_ROLE:
            return card.meta
        if role == HTML_ROLE:
            return card.html
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self.fetcher is not None and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        more = list(self.fetcher(len(self._rows)))[: self._total - len(self._rows)]  # type: ignore[misc]
        if not more:
            self._total = len(self._rows)  # the index shrank under us: stop asking
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._rows.extend(more)
        self._cards.extend(self._describe(r) for r in more)
        self.endInsertRows()


class CardDelegate(QStyledItemDelegate):
    """Paints a card: title and badges, meta line, up to ``html_lines`` lines of rich text."""

    def __init__(self, parent: Any = None, html_lines: int = 2) -> None:
        super().__init__(parent)
        self.html_lines = html_lines
        self._doc = QTextDocument()
        self._doc.setDocumentMargin(0)
        self._doc.setDefaultStyleSheet(HIGHLIGHT_CSS)

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        title = QFont(option.font)
        title.setPointSizeF(max(title.pointSizeF(), 9.0) + 0.5)
        title.setWeight(QFont.Weight.DemiBold)
        small = QFont(option.font)
        small.setPointSizeF(max(small.pointSizeF() - 1, 7.5))
        badge = QFont(small)
        badge.setWeight(QFont.Weight.DemiBold)
        return title, small, badge

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        title, small, _ = self._fonts(option)
        height = 2 * PAD_Y + QFontMetrics(title).height() + LINE_GAP + QFontMetrics(small).height()
        if self.html_lines:
            height += LINE_GAP + 2 + self.html_lines * QFontMetrics(option.font).lineSpacing()
        return QSize(320, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.fillRect(r, QColor("#dbeafe" if selected else "#f8fafc" if hovered else "#ffffff"))
        if selected:
            painter.fillRect(QRect(r.left(), r.top(), 3, r.height()), QColor("#1d4ed8"))
        painter.setPen(QColor("#eef2f7"))
        painter.drawLine(r.left() + PAD_X, r.bottom(), r.right() - PAD_X, r.bottom())

        title_font, small, badge_font = self._fonts(option)
        x, y, right = r.left() + PAD_X, r.top() + PAD_Y, r.right() - PAD_X
        # badges, right to left
        bm = QFontMetrics(badge_font)
        th = QFontMetrics(title_font).height()
        bx = right
        for text, kind in reversed(index.data(BADGES_ROLE) or []):
            fg, bg = BADGE_COLORS.get(kind, BADGE_COLORS["type"])
            w = bm.horizontalAdvance(text) + 16
            rect = QRectF(bx - w, y + (th - bm.height() - 4) / 2, w, bm.height() + 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.setPen(QColor(fg))
            painter.setFont(badge_font)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            bx -= w + 6
        # title
        painter.setFont(title_font)
        painter.setPen(QColor("#0f172a"))
        title = QFontMetrics(title_font).elidedText(index.data() or "", Qt.TextElideMode.ElideRight, bx - x - 8)
        painter.drawText(QRect(x, y, bx - x - 8, th), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         title)
        y += th + LINE_GAP
        # meta
        sm = QFontMetrics(small)
        painter.setFont(small)
        painter.setPen(QColor("#64748b"))
        meta = sm.elidedText(index.data(META_ROLE) or "", Qt.TextElideMode.ElideRight, right - x)
        painter.drawText(QRect(x, y, right - x, sm.height()), Qt.AlignmentFlag.AlignLeft, meta)
        y += sm.height() + LINE_GAP + 2
        # rich text, clipped to its lines
        html = index.data(HTML_ROLE) or ""
        if self.html_lines and html:
            self._doc.setDefaultFont(option.font)
            self._doc.setHtml(f"<span style='color:#334155'>{html}</span>")
            self._doc.setTextWidth(right - x)
            height = self.html_lines * QFontMetrics(option.font).lineSpacing()
            painter.translate(x, y)
            clip = QRectF(0, 0, right - x, height)
            painter.setClipRect(clip)
            ctx = QAbstractTextDocumentLayout.PaintContext()
            ctx.clip = clip
            ctx.palette.setColor(QPalette.ColorRole.Text, QColor("#334155"))
            self._doc.documentLayout().draw(painter, ctx)
        painter.restore()


def make_card_list(model: CardListModel, html_lines: int = 2, multi: bool = False) -> QListView:
    view = QListView()
    view.setModel(model)
    view.setItemDelegate(CardDelegate(view, html_lines))
    view.setUniformItemSizes(True)
    view.setMouseTracking(True)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                          else QAbstractItemView.SelectionMode.SingleSelection)
    view.setObjectName("CardList")
    return view
