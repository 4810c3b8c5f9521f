"""The detail pane beside the results: what the piece is, whether it is still current, how it is tagged, where it
lives, and what you can do with it (open, copy the link; edit, publish or archive it when you curate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget
from sqlalchemy import func, select

from bdr_desk.users import User
from content_library.models import ContentItem, ContentVersion
from content_library.queries import ContentDetail, content_detail
from ui.context import AppContext
from ui.pages.content.common import (
    VOCAB_TITLES,
    badges,
    can_curate,
    is_stale,
    plural,
    short_date,
    term_label,
)
from ui.pages.content.flow import FlowLayout
from ui.theme import icon
from ui.widgets.common import label

VERSIONS_SHOWN = 5
HIGHLIGHT = "background-color:#fef08a; color:#0f172a; font-weight:600;"


@dataclass(frozen=True)
class ItemView:
    """Everything the pane shows about one item."""

    detail: ContentDetail
    version: int
    revisions: int
    extract_error: str | None
    file_size: int | None
    versions: tuple[tuple[int, dt.datetime | None, str, str], ...] = ()  # newest first: version, when, note, who


def load_item(ctx: AppContext, item_id: int) -> ItemView | None:
    with ctx.workspace.session() as s:
        d = content_detail(s, item_id)
        if d is None:
            return None
        version, error, size = s.execute(select(ContentItem.version, ContentItem.extract_error, ContentItem.file_size)
                                         .where(ContentItem.id == item_id)).one()
        revisions = s.scalar(select(func.count(ContentVersion.id)).where(ContentVersion.item_id == item_id)) or 0
        versions = tuple(
            (int(v), when, note or "", who or "")
            for v, when, note, who in s.execute(
                select(ContentVersion.version, ContentVersion.changed_at, ContentVersion.note, User.name)
                .outerjoin(User, User.id == ContentVersion.changed_by_id)
                .where(ContentVersion.item_id == item_id)
                .order_by(ContentVersion.version.desc(), ContentVersion.id.desc()).limit(VERSIONS_SHOWN))
        )
    return ItemView(d, int(version), int(revisions), error, size, versions)


def _size(n: int | None) -> str:
    if not n:
        return ""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return ""


def _discard(w: QWidget) -> None:
    """Take a widget out of the pane now (``deleteLater`` alone leaves it painted until the loop runs)."""
    w.hide()
    w.setParent(None)
    w.deleteLater()


def _button(text: str, icon_name: str, primary: bool = False) -> QPushButton:
    b = QPushButton(icon(icon_name, "#ffffff") if primary else icon(icon_name), text)
    if primary:
        b.setObjectName("Primary")
    return b


class DetailPane(QScrollArea):
    openClicked = Signal(int)
    copyClicked = Signal(int)
    editClicked = Signal(int)
    statusClicked = Signal(int, str)  # item id, new status
    requestClicked = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item: ItemView | None = None
        card = QFrame(objectName="Card")
        self.title = label("", "DetailTitle", wrap=True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge_row = QHBoxLayout()
        self.badge_row.setSpacing(6)
        self.meta = label("", "Muted", wrap=True)
        self.stale = label("", "StaleNote", wrap=True)
        self.open_button = _button("Open", "open", primary=True)
        self.copy_button = _button("Copy link", "copy")
        self.open_button.clicked.connect(lambda: self._emit(self.openClicked))
        self.copy_button.clicked.connect(lambda: self._emit(self.copyClicked))
        self.edit_button = _button("Edit…", "edit")
        self.edit_button.clicked.connect(lambda: self._emit(self.editClicked))
        self.status_button = _button("Publish", "publish")
        self.status_button.clicked.connect(self._status)
        self.summary = label("", "DetailBody", wrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facets = QWidget()
        self.facet_lay = QVBoxLayout(self.facets)
        self.facet_lay.setContentsMargins(0, 0, 0, 0)
        self.facet_lay.setSpacing(8)
        self.link = label("", "", wrap=True)
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.link.linkActivated.connect(lambda *_: self._emit(self.openClicked))
        self.extract_error = label("", "ErrorNote", wrap=True)
        self.snippet_title = label("Matched text", "FieldCaption")
        self.snippet = label("", "DetailSnippet", wrap=True)
        self.snippet.setTextFormat(Qt.TextFormat.RichText)
        self.history_title = label("History", "FieldCaption")
        self.history = label("", "Muted", wrap=True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.request_link = label("<a href='#'>Not quite right? Request content…</a>", "", wrap=True)
        self.request_link.setTextFormat(Qt.TextFormat.RichText)
        self.request_link.linkActivated.connect(lambda *_: self.requestClicked.emit())
        self.placeholder = label("Select an item to see its summary, tags and link.", "Muted", wrap=True)

        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addWidget(self.open_button)
        actions.addWidget(self.copy_button)
        actions.addStretch(1)
        self.curate_row = QWidget()
        cr = QHBoxLayout(self.curate_row)
        cr.setContentsMargins(0, 0, 0, 0)
        cr.setSpacing(8)
        cr.addWidget(self.edit_button)
        cr.addWidget(self.status_button)
        cr.addStretch(1)
        self.curate_row.setVisible(can_curate(ctx))
        self.summary_title = label("Summary", "FieldCaption")
        self.where_title = label("Where it lives", "FieldCaption")
        lay = QVBoxLayout(card)
        lay.setContentsMargins(20, 18, 20, 18)
        lay.setSpacing(10)
        for w in (self.placeholder, self.title):
            lay.addWidget(w)
        lay.addLayout(self.badge_row)
        lay.addWidget(self.meta)
        lay.addWidget(self.stale)
        lay.addSpacing(2)
        lay.addLayout(actions)
        lay.addWidget(self.curate_row)
        lay.addSpacing(6)
        for w in (self.snippet_title, self.snippet, self.summary_title, self.summary, self.facets, self.where_title,
                  self.link, self.extract_error, self.history_title, self.history):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.request_link)
        self._content = [self.title, self.meta, self.stale, self.open_button, self.copy_button, self.summary_title,
                         self.summary, self.facets, self.where_title, self.link, self.extract_error, self.history,
                         self.history_title, self.snippet_title, self.snippet]
        self.setWidget(card)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(320)
        self.show_item(None)

    def _emit(self, signal: Signal) -> None:
        if self.item is not None:
            signal.emit(self.item.detail.id)

    def _status(self) -> None:
        if self.item is not None:
            self.statusClicked.emit(self.item.detail.id, self.status_button.property("status"))

    @property
    def item_id(self) -> int | None:
        return self.item.detail.id if self.item else None

    def show_item(self, item: ItemView | None, note: str = "", snippet_html: str = "") -> None:
        """Show ``item`` (or ``note`` when None); ``snippet_html`` is the search hit's text, words in <b>."""
        self.item = item
        self._clear_badges()
        if item is None:
            for w in self._content:
                w.hide()
            self.curate_row.hide()
            self.placeholder.setText(note or "Select an item to see its summary, tags and link.")
            self.placeholder.show()
            return
        self.placeholder.hide()
        self.verticalScrollBar().setValue(0)
        for w in self._content:
            w.show()
        self.curate_row.setVisible(can_curate(self.ctx))
        d = item.detail
        self.title.setText(d.title)
        for text, kind in badges(d.type, d.status, d.review_by):
            b = label(text, "CardBadge")
            b.setProperty("kind", kind)  # colours in style.qss, as BADGE_COLORS paints them on the cards
            self.badge_row.addWidget(b)
        self.badge_row.addStretch(1)
        meta = [f"used {plural(d.times_used, 'time')}"]
        if d.owner:
            meta.append(f"owner {d.owner}")
        if d.published_at:
            meta.append(f"published {short_date(d.published_at)}")
        if d.updated_at:
            meta.append(f"updated {short_date(d.updated_at)}")
        text = " · ".join(meta)
        self.meta.setText(text[:1].upper() + text[1:])
        self._show_review(d.review_by)
        self.summary.setText(d.summary or "No summary yet.")
        self.snippet.setText(snippet_html.replace("<b>", f"<span style='{HIGHLIGHT}'>").replace("</b>", "</span>"))
        self.snippet.setVisible(bool(snippet_html))
        self.snippet_title.setVisible(bool(snippet_html))
        self._show_facets(d)
        self._show_where(item)
        self._show_history(item)
        self.status_button.setText("Archive" if d.status == "published" else "Publish")
        self.status_button.setIcon(icon("archive" if d.status == "published" else "publish"))
        self.status_button.setProperty("status", "archived" if d.status == "published" else "published")

    def _show_history(self, item: ItemView) -> None:
        lines = [f"<b style='color:#334155'>Version {item.version}</b> · {plural(item.revisions, 'saved revision')}"]
        for version, when, note, who in item.versions:
            by = f" by {escape(who)}" if who else ""
            lines.append(f"v{version} · {escape(note or 'Saved')}{by} · {short_date(when)}")
        self.history.setText("<br>".join(lines))

    def _clear_badges(self) -> None:
        while self.badge_row.count():
            it = self.badge_row.takeAt(0)
            if it.widget():
                _discard(it.widget())

    def _show_review(self, review_by: dt.date | None) -> None:
        if review_by is not None and is_stale(review_by):
            self.stale.setText(f"⚠  Stale: its review was due {short_date(review_by)}. Check the facts and figures "
                               "are still current before you send it.")
            self.stale.show()
        else:
            self.stale.hide()
            if review_by is not None:
                self.meta.setText(self.meta.text() + f" · review by {short_date(review_by)}")

    def _show_facets(self, d: ContentDetail) -> None:
        while self.facet_lay.count():
            it = self.facet_lay.takeAt(0)
            if it.widget():
                _discard(it.widget())
        grouped: dict[str, list[str]] = {}
        for vocabulary, term in d.facets:
            grouped.setdefault(vocabulary, []).append(term_label(self.ctx, vocabulary, term))
        if not grouped:
            self.facet_lay.addWidget(label("Not tagged yet: nobody will find it by industry, size or pain.", "Muted",
                                           wrap=True))
            return
        for vocabulary, labels in grouped.items():
            self.facet_lay.addWidget(label(VOCAB_TITLES.get(vocabulary, vocabulary), "FieldCaption"))
            row = QWidget()
            flow = FlowLayout(row)
            for text in labels:
                flow.addWidget(label(text, "Chip"))
            self.facet_lay.addWidget(row)

    def _show_where(self, item: ItemView) -> None:
        d = item.detail
        parts = []
        if d.url:
            parts.append(f"<a href='{escape(d.url, quote=True)}' style='color:#1d4ed8'>{escape(d.url)}</a>")
        if d.file_name:
            size = _size(item.file_size)
            parts.append(f"File: {escape(d.file_name)}" + (f" <span style='color:#64748b'>· {size}</span>"
                                                           if size else ""))
        self.link.setText("<br>".join(parts) or "<span style='color:#64748b'>No link or file yet.</span>")
        has_link = bool(d.url or d.file_name)
        self.open_button.setEnabled(has_link)
        self.copy_button.setEnabled(has_link)
        if item.extract_error:
            reason = item.extract_error
            if not reason.lower().startswith("text not extracted"):
                reason = f"text not extracted: {reason}"
            self.extract_error.setText(f"{reason[0].upper()}{reason[1:]}. Search only sees its title and summary.")
            self.extract_error.show()
        else:
            self.extract_error.hide()
