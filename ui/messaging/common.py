"""Shared pieces of the messaging & outreach GUI: one way to write (a short unit of work whose domain error goes
to the dialog seam), channel and activity icons, the ``mailto:`` link, status badges and the shared styles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QModelIndex, QObject, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTreeView,
    QWidget,
)

from accounts.activities import ActivityError
from accounts.business_days import CalendarError
from accounts.hypotheses import HypothesisError
from accounts.messaging import MessagingError
from accounts.models.messaging import CHANNEL_LABELS
from accounts.sequences import SequenceError
from accounts.template_sandbox import TemplateError
from content_library.items import ContentError
from ui import dialogs
from ui.context import AppContext
from ui.widgets.pill import PillDelegate

DOMAIN_ERRORS: tuple[type[Exception], ...] = (ActivityError, CalendarError, ContentError, HypothesisError,
                                              MessagingError, SequenceError, TemplateError)
FAILED: Any = object()  # what :func:`attempt` returns when the work raised a domain error
CURATORS = ("marketing", "manager")  # who curates shared templates and the workspace calendar

CHANNEL_ICONS = {"email": "mail", "call": "phone", "linkedin": "chat", "event": "calendar"}
TYPE_ICONS = {**CHANNEL_ICONS, "meeting": "calendar", "note": "edit", "task": "check"}
TYPE_LABELS = {"call": "Call", "email": "Email", "linkedin": "LinkedIn", "meeting": "Meeting", "event": "Event",
               "note": "Note", "task": "Task"}
STATUS_LABELS = {"untested": "Untested", "confirmed": "Confirmed", "rejected": "Rejected",
                 "active": "Active", "paused": "Paused", "finished": "Finished", "removed": "Removed"}
# (background, text) of each status pill
STATUS_COLORS = {"untested": ("#f1f5f9", "#475569"), "confirmed": ("#dcfce7", "#166534"),
                 "rejected": ("#fee2e2", "#991b1b"), "active": ("#dbeafe", "#1e40af"),
                 "paused": ("#fef3c7", "#92400e"), "finished": ("#e2e8f0", "#334155"),
                 "removed": ("#f1f5f9", "#94a3b8"), "overdue": ("#fee2e2", "#b91c1c"),
                 "today": ("#dbeafe", "#1e40af")}
OVERDUE_COLOR = "#dc2626"
BADGE_ROLE = Qt.ItemDataRole.UserRole + 40  # a status key the BadgeDelegate paints as a pill

STYLE = """
#MissingStrip { background: #fffbeb; border: 1px solid #fde68a; border-radius: 8px; }
#MissingText { color: #92400e; }
#ErrorStrip { background: #fef2f2; border: 1px solid #fecaca; border-radius: 8px; }
#ErrorText { color: #991b1b; }
#ReadyStrip { background: #ecfdf5; border: 1px solid #a7f3d0; border-radius: 8px; }
#ReadyText { color: #065f46; }
#PreviewSubject { font-weight: 600; font-size: 11pt; color: #0f172a; background: #ffffff; border: none;
                  border-bottom: 1px solid #e2e8f0; border-radius: 0; padding: 8px 10px; }
#PreviewBody { background: #ffffff; border: none; padding: 6px; }
#PreviewFrame { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 8px; }
#PreviewCaption, #FormCaption { color: #64748b; font-size: 8.5pt; font-weight: 700; letter-spacing: 0.5px; }
#Reason { color: #92400e; }
#ResultPanel { background: #ecfdf5; border: 1px solid #a7f3d0; border-radius: 8px; }
#ResultTitle { font-weight: 600; color: #065f46; }
#ResultLine { color: #065f46; }
#Hint { color: #64748b; font-size: 9pt; }
#StepBar { background: #eff6ff; border: 1px solid #bfdbfe; border-radius: 8px; }
QPushButton#TypeButton { padding: 5px 10px; border-radius: 6px; }
QPushButton#TypeButton:checked { background: #eff6ff; color: #1d4ed8; border-color: #93c5fd; }
QPushButton#OutcomeButton { padding: 6px 12px; }
"""


def attempt(ctx: AppContext, parent: QWidget | None, title: str, work: Callable[[Any], Any]) -> Any:
    """Run ``work(session)`` in one unit of work; a domain error is shown through the dialog seam, nothing is
    written, and :data:`FAILED` comes back."""
    try:
        with ctx.workspace.session() as s:
            return work(s)
    except DOMAIN_ERRORS as exc:
        dialogs.show_error(parent, title, str(exc))
        return FAILED


def run_dialog(dialog: QDialog) -> int:
    """Show one of the messaging dialogs modally (the seam tests replace to drive the dialog themselves)."""
    return dialog.exec()


def channel_label(channel: str | None) -> str:
    return CHANNEL_LABELS.get(channel or "", (channel or "").capitalize())


def mailto_url(to: str | None, subject: str, body: str) -> str:
    """A ``mailto:`` link (RFC 6068): address, subject and body percent-encoded, line breaks as CRLF."""
    query = []
    if subject:
        query.append("subject=" + quote(subject, safe=""))
    if body:
        query.append("body=" + quote(body.replace("\r\n", "\n").replace("\n", "\r\n"), safe=""))
    return "mailto:" + quote(to or "", safe="@") + ("?" + "&".join(query) if query else "")


def message_text(subject: str, body: str) -> str:
    """What Copy puts on the clipboard: the subject line (when there is one), a blank line, the body."""
    return f"{subject}\n\n{body}" if subject else body


class BadgeDelegate(PillDelegate):
    """Paints the index's :data:`BADGE_ROLE` status as a rounded pill with its label (display text)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(BADGE_ROLE, STATUS_COLORS, parent)


class WrapDelegate(QStyledItemDelegate):
    """Word-wraps text to its column's width (up to ``max_lines``, then elided) and sizes the row to fit, in a
    tree (which does not size rows for wrapped text by itself) or a table with rows resized to contents."""

    def __init__(self, view: QTreeView | QTableView, max_lines: int = 3) -> None:
        super().__init__(view)
        self.view, self.max_lines = view, max_lines
        header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
        header.sectionResized.connect(lambda *_: view.scheduleDelayedItemsLayout())

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        depth, parent = 0, index.parent()
        while parent.isValid():
            depth, parent = depth + 1, parent.parent()
        width = self.view.columnWidth(index.column()) - 28
        if index.column() == 0 and isinstance(self.view, QTreeView):
            width -= self.view.indentation() * (depth + 1)
        if not opt.icon.isNull():
            width -= opt.decorationSize.width() + 10
        fm = QFontMetrics(opt.font)
        rect = fm.boundingRect(0, 0, max(width, 40), 10_000, int(Qt.TextFlag.TextWordWrap), opt.text)
        lines = min(self.max_lines, max(1, -(-rect.height() // max(fm.lineSpacing(), 1))))
        return QSize(size.width(), max(lines * fm.lineSpacing() + 16, opt.decorationSize.height() + 12))
