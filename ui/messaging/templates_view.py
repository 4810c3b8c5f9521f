"""The template library (Outreach › Templates): shared templates curated by marketing and your personal ones,
filtered by channel and text; open one in the editor, create or duplicate."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from accounts.models.messaging import CHANNEL_LABELS
from bdr_desk.taxonomy import INDUSTRY, PAIN, PERSONA
from ui.context import AppContext
from ui.messaging import common, data
from ui.messaging.common import CHANNEL_ICONS, STYLE
from ui.models.sortable_records import ROW_ROLE, SortableRecordModel
from ui.theme import icon
from ui.widgets.common import EmptyState, label
from ui.widgets.tables import make_table


class TemplatesView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setStyleSheet(STYLE)
        tax = ctx.taxonomy
        self._rows: list[data.TemplateRow] = []
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search templates…")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMaximumWidth(320)
        self.search.textChanged.connect(self._filter)
        self.channel = QComboBox()
        self.channel.addItem("All channels", None)
        for key, text in CHANNEL_LABELS.items():
            self.channel.addItem(icon(CHANNEL_ICONS[key]), text, key)
        self.channel.currentIndexChanged.connect(self._filter)
        self.new_button = QPushButton(icon("plus", "#ffffff"), "New template")
        self.new_button.setObjectName("Primary")
        self.new_button.clicked.connect(self.new_template)
        self.open_button = QPushButton(icon("edit"), "Open…")
        self.open_button.clicked.connect(self.open_selected)
        self.copy_button = QPushButton(icon("copy"), "Duplicate")
        self.copy_button.setToolTip("Start a personal template from the selected one")
        self.copy_button.clicked.connect(lambda: self.open_selected(copy=True))
        self.count = label("", "Muted")
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.search)
        bar.addWidget(self.channel)
        bar.addWidget(self.count)
        bar.addStretch(1)
        for b in (self.open_button, self.copy_button, self.new_button):
            bar.addWidget(b)

        def tags(t: data.TemplateRow) -> str:
            return " · ".join(p for p in (tax.label(PERSONA, t.persona), tax.label(INDUSTRY, t.industry),
                                          tax.label(PAIN, t.pain)) if p)

        def scope(t: data.TemplateRow) -> str:
            if t.shared:
                return "Shared"
            return "Mine" if t.owner_id == ctx.user.id else (t.owner or "Personal")

        self.model = SortableRecordModel([
            ("Name", lambda t: t.name), ("Channel", lambda t: t.channel_label), ("Subject", lambda t: t.subject),
            ("Tags", tags), ("Scope", scope)], parent=self)
        self.table = make_table(self.model, (300, 120, 320, 300, 110), stretch=2)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(lambda *_: self.open_selected())
        self.table.activated.connect(lambda *_: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.empty = EmptyState("template", "No templates yet",
                                "Templates are messages with merge fields — {{ account.name }}, "
                                "{{ contact.first_name }}, {{ hypothesis.pain }} — that the composer fills in "
                                "for each stakeholder. Marketing shares the team's; you can keep your own.")
        self.empty.add_button("New template", self.new_template, primary=True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 10, 0, 0)
        lay.setSpacing(10)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)
        self.refresh()

    def refresh(self) -> None:
        user_id = self.ctx.user.id if self.ctx.user.role == "bdr" else None
        with self.ctx.workspace.session() as s:
            self._rows = data.template_rows(s, user_id=user_id)
        self._filter()

    def _filter(self) -> None:
        words, channel = self.search.text().casefold().split(), self.channel.currentData()
        rows = [t for t in self._rows if (channel is None or t.channel == channel)
                and all(w in f"{t.name} {t.subject or ''} {t.body}".casefold() for w in words)]
        self.model.set_rows(rows)
        self.count.setText(f"{len(rows)} of {len(self._rows)}" if len(rows) != len(self._rows) else
                           f"{len(rows)} template{'s' if len(rows) != 1 else ''}")
        self.stack.setCurrentWidget(self.table if self._rows else self.empty)
        self._update_buttons()

    def selected(self) -> data.TemplateRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], ROW_ROLE) if rows else None

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected() is not None)
        self.copy_button.setEnabled(self.selected() is not None)

    def new_template(self) -> None:
        self._edit(None)

    def open_selected(self, copy: bool = False) -> None:
        t = self.selected()
        if t is not None:
            self._edit(t, copy)

    def _edit(self, template: data.TemplateRow | None, copy: bool = False) -> None:
        from ui.messaging.template_editor import TemplateEditorDialog

        dlg = TemplateEditorDialog(self.ctx, template, copy=copy, parent=self)
        if common.run_dialog(dlg) and dlg.saved_id is not None:
            self.refresh()
            row = self.model.row_of(dlg.saved_id)
            if row >= 0:
                self.table.selectRow(row)
