"""New / Edit item: what a piece is (title, type, summary, link, status, review-by date) and how it is tagged.

Saving an edit passes the version the dialog loaded (optimistic locking): when someone else saved the item in
the meantime the dialog says so in place and offers to reload their version, instead of overwriting it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from content_library.items import ContentError, ItemDraft, create_item, update_item
from content_library.models import CONTENT_STATUSES, CONTENT_TYPES, ContentItem
from ui.context import AppContext
from ui.pages.content.checklist import TermPicker
from ui.pages.content.common import VOCAB_TITLES, status_label, term_options, type_label
from ui.widgets.common import label

PICKED = ("industry", "size_band", "pain", "persona", "funnel_stage")
REVIEW_MONTHS = 6  # the default review-by date of a new item


def field_grid(cells: list[tuple[str, QWidget]], columns: int = 2) -> QGridLayout:
    """Captioned fields in a grid, ``columns`` to a row (caption above each field)."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(16)
    grid.setVerticalSpacing(12)
    for i, (caption, widget) in enumerate(cells):
        cell = QVBoxLayout()
        cell.setSpacing(4)
        cell.addWidget(label(caption, "FieldCaption"))
        cell.addWidget(widget)
        grid.addLayout(cell, *divmod(i, columns))
    for col in range(columns):
        grid.setColumnStretch(col, 1)
    return grid


class ItemDialog(QDialog):
    """``item_id`` None creates an item; ``saved_id`` holds the item's id after a successful save."""

    def __init__(self, ctx: AppContext, item_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item_id = item_id
        self.version: int | None = None
        self.owner_id: int | None = ctx.user.id
        self.saved_id: int | None = None
        self.setWindowTitle("Edit item" if item_id else "New item")
        self.setMinimumWidth(640)

        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. “Marlwood Clearing: audit evidence in hours, not weeks”")
        self.title.setMaxLength(500)
        self.type = QComboBox()
        for t in CONTENT_TYPES:
            self.type.addItem(type_label(t), t)
        self.status = QComboBox()
        for s in CONTENT_STATUSES:
            self.status.addItem(status_label(s), s)
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText("Two or three sentences a BDR can skim: who it is for and what it proves.")
        self.summary.setFixedHeight(84)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://…")
        self.has_review = QCheckBox("Review by")
        self.review_by = QDateEdit()
        self.review_by.setCalendarPopup(True)
        self.review_by.setDisplayFormat("d MMM yyyy")
        self.review_by.setDate(QDate.currentDate().addMonths(REVIEW_MONTHS))
        self.has_review.toggled.connect(self.review_by.setEnabled)
        self.has_review.setChecked(True)
        self.pickers = {v: TermPicker(term_options(ctx, v), "Any") for v in PICKED}
        self.competitors = QLineEdit()
        self.competitors.setPlaceholderText("Names, separated by commas")
        self.file_note = label("", "Muted", wrap=True)
        self.error = label("", "ErrorNote", wrap=True)
        self.error.hide()
        self.reload_button = QPushButton("Load their version")
        self.reload_button.clicked.connect(self.reload)
        self.reload_button.hide()

        kind_row = QHBoxLayout()
        kind_row.setSpacing(12)
        kind_row.addWidget(self.type, 1)
        kind_row.addWidget(label("Status"))
        kind_row.addWidget(self.status, 1)
        review_row = QHBoxLayout()
        review_row.setSpacing(8)
        review_row.addWidget(self.has_review)
        review_row.addWidget(self.review_by)
        review_row.addWidget(label("stale after this date", "Muted"), 1)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        form.addRow("Title", self.title)
        form.addRow("Type", kind_row)
        form.addRow("Summary", self.summary)
        form.addRow("Link", self.url)
        form.addRow("", review_row)
        form.addRow("", self.file_note)

        cells = [(VOCAB_TITLES[v], self.pickers[v]) for v in PICKED] + [("Competitor", self.competitors)]
        tags = field_grid(cells)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("Primary")
        self.save_button.setText("Create item" if item_id is None else "Save changes")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        errors = QHBoxLayout()
        errors.addWidget(self.error, 1)
        errors.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(22, 18, 22, 16)
        lay.setSpacing(12)
        lay.addLayout(form)
        lay.addWidget(label("Tags — how the field finds it", "SectionTitle"))
        lay.addLayout(tags)
        lay.addLayout(errors)
        lay.addWidget(self.buttons)
        if item_id is not None:
            self.reload()
        else:
            self.status.setCurrentIndex(self.status.findData("draft"))
            self.file_note.hide()

    # ---- data ----
    def reload(self) -> None:
        """Fill the form from the database (on open, and after a conflicting save)."""
        with self.ctx.workspace.session() as s:
            item = s.get(ContentItem, self.item_id)
            if item is None:
                self._show_error("This item was deleted by someone else.")
                self.save_button.setEnabled(False)
                return
            facets: dict[str, list[str]] = {}
            for f in item.facets:
                facets.setdefault(f.vocabulary, []).append(f.term)
            self.version, self.owner_id = item.version, item.owner_id
            values = (item.title, item.type, item.status, item.summary, item.url, item.review_by, item.file_name,
                      item.extract_error)
        title, kind, status, summary, url, review_by, file_name, extract_error = values
        self.title.setText(title)
        self.type.setCurrentIndex(max(0, self.type.findData(kind)))
        self.status.setCurrentIndex(max(0, self.status.findData(status)))
        self.summary.setPlainText(summary or "")
        self.url.setText(url or "")
        self.url.setCursorPosition(0)
        self.has_review.setChecked(review_by is not None)
        if review_by is not None:
            self.review_by.setDate(QDate(review_by.year, review_by.month, review_by.day))
        for v, picker in self.pickers.items():
            picker.set_selected(facets.get(v, []))
        self.competitors.setText(", ".join(facets.get("competitor", [])))
        note = f"Attached file: {file_name}" if file_name else ""
        if file_name and extract_error:
            note += " (its text could not be read)"
        self.file_note.setText(note)
        self.file_note.setVisible(bool(note))
        self.error.hide()
        self.reload_button.hide()

    def draft(self) -> ItemDraft:
        facets = {v: p.selected() for v, p in self.pickers.items()}
        facets["competitor"] = [c.strip() for c in self.competitors.text().split(",") if c.strip()]
        review = self.review_by.date().toPython() if self.has_review.isChecked() else None
        return ItemDraft(title=self.title.text(), type=self.type.currentData(), status=self.status.currentData(),
                         summary=self.summary.toPlainText(), url=self.url.text(), facets=facets,
                         review_by=review if isinstance(review, dt.date) else None, owner_id=self.owner_id)

    def save(self) -> None:
        try:
            with self.ctx.workspace.session() as s:
                if self.item_id is None:
                    item = create_item(s, self.draft(), user_id=self.ctx.user.id, tax=self.ctx.taxonomy)
                else:
                    item = update_item(s, self.item_id, self.draft(), user_id=self.ctx.user.id,
                                       expected_version=self.version)
                self.saved_id = item.id
        except ContentError as exc:
            if self.item_id is not None and self._changed_elsewhere():
                self._show_error("Someone else saved this item after you opened it, so your changes were not "
                                 "saved. Load their version and make your changes again.", conflict=True)
            else:
                message = str(exc)
                self._show_error(message[:1].upper() + message[1:] + ".")
            return
        self.accept()

    def _changed_elsewhere(self) -> bool:
        with self.ctx.workspace.session() as s:
            current = s.scalar(select(ContentItem.version).where(ContentItem.id == self.item_id))
        return current != self.version

    def _show_error(self, message: str, conflict: bool = False) -> None:
        self.error.setText(message)
        self.error.show()
        self.reload_button.setVisible(conflict)
