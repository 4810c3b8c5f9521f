"""Item models of what research read: technologies grouped by category (a two-level tree), the signals
timeline, the pages list, and the rows of the research queue."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from accounts.research.queue import QueueRow
from accounts.research.store import PageRow, SignalRow, TechnologyRow
from ui.models.record_table import RowsTableModel
from ui.research.common import (
    BAD,
    CATEGORY_LABELS,
    MUTED,
    PILL_ROLE,
    QUEUE_LABELS,
    ROW_ROLE,
    SIGNAL_LABELS,
    STALE,
    day,
    link_data,
    short_url,
    when,
)
from ui.theme import icon

Index = QModelIndex | QPersistentModelIndex
D, TIP, FG = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole
CENTER = int(Qt.AlignmentFlag.AlignCenter)


@dataclass(frozen=True)
class TechItem:
    row: TechnologyRow
    first_seen: dt.datetime


def category_label(key: str | None) -> str:
    return CATEGORY_LABELS.get(key or "", (key or "Other").replace("_", " ").capitalize())


class TechnologyTreeModel(QAbstractItemModel):
    """Categories (in :data:`CATEGORY_LABELS` order) with their technologies as children. A category's
    internal id is 0; a technology's is its category's row + 1."""

    HEADERS = ("Technology", "Evidence", "Source", "First seen", "Last seen")
    NAME, EVIDENCE, SOURCE, FIRST, LAST = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[str, list[TechItem]]] = []
        self.stale_days = 30

    def set_technologies(self, rows: Sequence[TechnologyRow], first_seen: dict[str, dt.datetime],
                         stale_days: int) -> None:
        groups: dict[str, list[TechItem]] = {}
        for r in rows:
            groups.setdefault(r.category or "other", []).append(
                TechItem(r, min(first_seen.get(r.name.casefold(), r.detected_at), r.detected_at)))
        order = list(CATEGORY_LABELS)
        self.beginResetModel()
        self.stale_days = stale_days
        self._groups = [(k, sorted(v, key=lambda t: t.row.name.casefold())) for k, v in sorted(
            groups.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))]
        self.endResetModel()

    def names(self) -> dict[str, list[str]]:
        """Category label → technology names, as shown."""
        return {category_label(k): [t.row.name for t in items] for k, items in self._groups}

    def count(self) -> int:
        return sum(len(items) for _k, items in self._groups)

    # ---- the tree ----
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not 0 <= column < len(self.HEADERS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self._groups) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0 or not 0 <= parent.row() < len(self._groups):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1) if row < len(self._groups[parent.row()][1]) \
            else QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(int(index.internalId()) - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0 and 0 <= parent.row() < len(self._groups):
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = D) -> Any:  # noqa: N802
        if role == D and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags if index.internalId() == 0 else flags | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = D) -> Any:
        if not index.isValid():
            return None
        gid = int(index.internalId())
        if gid == 0:
            if not 0 <= index.row() < len(self._groups) or index.column() != self.NAME:
                return None
            key, items = self._groups[index.row()]
            if role == D:
                return f"{category_label(key)}  ({len(items)})"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setWeight(QFont.Weight.DemiBold)
                return font
            if role == Qt.ItemDataRole.DecorationRole:
                return icon("layers")
            return None
        if not 0 <= gid - 1 < len(self._groups) or not 0 <= index.row() < len(self._groups[gid - 1][1]):
            return None
        item = self._groups[gid - 1][1][index.row()]
        r, col = item.row, index.column()
        if role == ROW_ROLE:
            return r
        if col == self.SOURCE:
            return link_data(r.source_url, role)
        if col == self.LAST and r.stale and role in (FG, Qt.ItemDataRole.DecorationRole):
            return QColor(STALE) if role == FG else icon("clock", STALE)
        if role == D:
            return {self.NAME: r.name, self.EVIDENCE: r.evidence or "", self.FIRST: day(item.first_seen),
                    self.LAST: day(r.detected_at) + (" · stale" if r.stale else "")}.get(col)
        if role == TIP:
            return {self.NAME: f"{r.name} — {category_label(r.category)}", self.EVIDENCE: r.evidence,
                    self.FIRST: f"First seen by research on {when(item.first_seen)}",
                    self.LAST: f"Last seen {when(r.detected_at)}" + (
                        f"\nOlder than {self.stale_days} days: Refresh to check it is still there"
                        if r.stale else "")}.get(col)
        return None


class SignalsModel(RowsTableModel):
    """The signals timeline, newest first (undated ones last): date, kind, what happened, source."""

    HEADERS = ("Date", "Kind", "What happened", "Source", "Confidence")
    DATE, KIND, TEXT, SOURCE, CONFIDENCE = range(5)

    def data(self, index: Index, role: int = D) -> Any:
        if not self.valid(index):
            return None
        r: SignalRow = self._rows[index.row()]
        col = index.column()
        if role == ROW_ROLE:
            return r
        if col == self.DATE:
            if role == D:
                return day(r.occurred_on) if r.occurred_on else "No date"
            if role == FG:
                return QColor(MUTED) if r.occurred_on is None or r.stale else None
            if role == TIP:
                return f"Detected {when(r.detected_at)}" + (" (stale)" if r.stale else "")
        elif col == self.KIND:
            if role in (D, TIP):
                return SIGNAL_LABELS.get(r.kind, r.kind.replace("_", " ").capitalize())
            if role == PILL_ROLE:
                return r.kind if r.kind in SIGNAL_LABELS else "news"
        elif col == self.TEXT and role in (D, TIP):
            return r.title
        elif col == self.SOURCE:
            return link_data(r.source_url, role) if r.source_url else ("—" if role == D else None)
        elif col == self.CONFIDENCE and r.confidence is not None:
            if role == D:
                return f"{r.confidence}%"
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return CENTER
        return None


def _problem(error: str | None, url: str) -> str:
    """A page error without the address it starts with (the Page column shows it)."""
    if not error:
        return ""
    return error[len(url) + 2:] if error.startswith(url + ": ") else error


class PagesModel(RowsTableModel):
    HEADERS = ("Page", "Status", "Title", "Fetched", "Problem")
    PAGE, STATUS, TITLE, FETCHED, PROBLEM = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.stale_days = 30

    def set_pages(self, rows: Sequence[PageRow], stale_days: int) -> None:
        self.stale_days = stale_days
        self.set_rows(rows)

    @staticmethod
    def status_kind(r: PageRow) -> str:
        if r.status is not None and 200 <= r.status < 400 and r.has_html:
            return "ok"
        return "error" if r.status is not None or r.error else "none"

    def data(self, index: Index, role: int = D) -> Any:
        if not self.valid(index):
            return None
        r: PageRow = self._rows[index.row()]
        col = index.column()
        if role == ROW_ROLE:
            return r
        if col == self.PAGE:
            return link_data(r.url, role, short_url(r.url))
        if col == self.STATUS:
            kind = self.status_kind(r)
            if role == D:
                return str(r.status) if r.status is not None else ("Failed" if kind == "error" else "—")
            if role == PILL_ROLE:
                return kind
            if role == TIP:
                return {"ok": "Read and stored (it can be re-read offline)", "none": "Not fetched"}.get(
                    kind, "Could not be read")
        elif col == self.TITLE and role in (D, TIP):
            return r.title or ""
        elif col == self.FETCHED:
            if role == D:
                return f"{day(r.fetched_at)} · stale" if r.stale else when(r.fetched_at)
            if role == FG and r.stale:
                return QColor(STALE)
            if role == Qt.ItemDataRole.DecorationRole and r.stale:
                return icon("clock", STALE)
            if role == TIP:
                return f"Fetched {when(r.fetched_at)}" + (
                    f"\nOlder than {self.stale_days} days: Refresh fetches it again" if r.stale else "")
        elif col == self.PROBLEM:
            if role in (D, TIP):
                return _problem(r.error, r.url)
            if role == FG:
                return QColor(BAD if not r.has_html else STALE)
            if role == Qt.ItemDataRole.DecorationRole and r.error:
                return icon("warning", BAD if not r.has_html else STALE)
        return None


class QueueModel(RowsTableModel):
    """The research queue: account, website, status pill, attempts, finished, and why it failed."""

    HEADERS = ("Account", "Website", "Status", "Attempts", "Finished", "Reason")
    ACCOUNT, WEBSITE, STATUS, ATTEMPTS, FINISHED, REASON = range(6)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.running = False  # a row marked running while nothing runs was interrupted
        self.websites: dict[int, str | None] = {}

    def set_queue(self, rows: Sequence[QueueRow], running: bool, websites: dict[int, str | None] | None = None) -> None:
        self.running = running
        self.websites = dict(websites or {})
        self.set_rows(rows)

    def website(self, r: QueueRow) -> str:
        url = self.websites.get(r.account_id)
        return r.domain or (urlsplit(url).netloc if url else "")

    def status(self, r: QueueRow) -> str:
        return "interrupted" if r.status == "running" and not self.running else r.status

    def data(self, index: Index, role: int = D) -> Any:
        if not self.valid(index):
            return None
        r: QueueRow = self._rows[index.row()]
        col = index.column()
        if role == ROW_ROLE:
            return r
        if col == self.STATUS:
            status = self.status(r)
            if role == D:
                return QUEUE_LABELS.get(status, status)
            if role == PILL_ROLE:
                return status
            if role == TIP and status == "interrupted":
                return "BDR Desk stopped while researching this account; Resume researches it again"
            return None
        if col == self.REASON and role == FG:
            return QColor(BAD)
        if col == self.REASON and role == D:
            return re.sub(r"^https?://\S+?: ", "", r.error or "")  # the website column names the address
        if col == self.ATTEMPTS and role == Qt.ItemDataRole.TextAlignmentRole:
            return CENTER
        if role in (D, TIP):
            return {self.ACCOUNT: r.account_name, self.WEBSITE: self.website(r),
                    self.ATTEMPTS: str(r.attempts) if r.attempts else "",
                    self.FINISHED: when(r.finished_at), self.REASON: r.error or ""}.get(col)
        return None
