"""The four pages of the import wizard (file, columns, check, import), built as a mixin of the wizard."""


from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.import_kinds import ImportKind
from ui.jobs import JobProgressPanel
from ui.models.import_models import (
    ColumnMappingModel,
    FieldDelegate,
    PreviewModel,
    planned_changes_model,
    row_errors_model,
)
from ui.models.sortable_records import SortableRecordModel
from ui.theme import icon
from ui.widgets.common import Card, label
from ui.widgets.tables import make_table

FILTERS = "Spreadsheets (*.csv *.tsv *.txt *.xlsx)"
STEPS = ("File", "Columns", "Check", "Import")
PREVIEW_ROWS, PLANNED_ROWS = 20, 500
DELIMITERS = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated", "|": "pipe-separated"}
ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252",
             "mixed": "mixed UTF-8 / Windows-1252"}
SYSTEMS = {"hubspot": "HubSpot", "salesforce": "Salesforce"}
COUNTS = (("created", "New {noun}"), ("updated", "Updated"), ("merged", "Merged into existing"),
          ("unchanged", "Already up to date"), ("rejected", "Rejected rows"))
_ERROR_CSS = "color: #b91c1c;"


def _page(*widgets: Any, margins: int = 0) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    lay = QVBoxLayout(page)
    lay.setContentsMargins(margins, margins, margins, margins)
    lay.setSpacing(10)
    for w in widgets:
        lay.addWidget(w)
    return page, lay


def _cards(parent_layout: QVBoxLayout, noun: str) -> dict[str, Card]:
    cards = {key: Card(caption.format(noun=noun)) for key, caption in COUNTS}
    row = QHBoxLayout()
    row.setSpacing(10)
    for c in cards.values():
        row.addWidget(c)
    parent_layout.addLayout(row)
    return cards


class WizardPages:
    """Page builders mixed into :class:`ui.import_wizard.ImportWizard` (they wire its slots)."""

    ctx: AppContext
    kind: ImportKind

    def _file_page(self) -> QWidget:
        self.drop_zone = QFrame()
        self.drop_zone.setObjectName("DropZone")
        self.choose_button = QPushButton(icon("import", "#ffffff"), "Choose a file…")
        self.choose_button.setObjectName("Primary")
        self.choose_button.clicked.connect(self.choose_file)
        zone = QVBoxLayout(self.drop_zone)
        zone.setContentsMargins(24, 28, 24, 28)
        zone.setSpacing(8)
        for w in (label("Drop a CSV or Excel file here", "EmptyTitle"),
                  label("Exports from HubSpot (Companies) and Salesforce (Accounts, Data Loader) are recognised; "
                        "any CSV with a header row works. UTF-8, UTF-16 and Windows encodings are detected.",
                        "EmptyText", wrap=True)):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            zone.addWidget(w)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.choose_button)
        row.addStretch(1)
        zone.addLayout(row)
        self.file_name = label("", "SectionTitle")
        self.file_facts = label("", "Muted", wrap=True)
        self.file_warnings = label("", "Muted", wrap=True)
        self.file_error = label("", wrap=True)
        self.file_error.setStyleSheet(_ERROR_CSS)
        self.read_strip = JobProgressPanel(inline=True)
        self.file_card = QFrame()
        self.file_card.setObjectName("Card")
        card = QVBoxLayout(self.file_card)
        card.setContentsMargins(16, 12, 16, 12)
        for w in (self.file_name, self.file_facts, self.file_warnings):
            card.addWidget(w)
        self.file_card.hide()
        page, lay = _page(self.drop_zone, self.read_strip, self.file_error, self.file_card)
        lay.addStretch(1)
        return page

    def _mapping_page(self) -> QWidget:
        self.system_note = label("", "Muted", wrap=True)
        self.mapping_model = ColumnMappingModel(self, labels=self.kind.labels)
        self.mapping_view = make_table(self.mapping_model, widths=(220, 330), stretch=2, sortable=False)
        self.mapping_view.setItemDelegateForColumn(ColumnMappingModel.MAPS_TO, FieldDelegate(self.mapping_view))
        self.mapping_view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.problems = label("", wrap=True)
        self.problems.setStyleSheet(_ERROR_CSS)
        self.list_name = QLineEdit()
        self.list_name.setPlaceholderText("Optional — a new or existing static list")
        self.update_existing = QCheckBox(f"Update {self.kind.noun} that already exist (blank cells never erase values)")
        self.update_existing.setChecked(True)
        self.preview_model = PreviewModel(self, labels=self.kind.labels)
        self.preview_view = make_table(self.preview_model, sortable=False)
        self.preview_view.verticalHeader().show()
        self.preview_view.horizontalHeader().setStretchLastSection(False)
        self.preview_view.horizontalHeader().setMinimumSectionSize(90)
        top, tl = _page(label("Match each column of the file to an account field", "SectionTitle"),
                        self.system_note, self.mapping_view, self.problems)
        options = QHBoxLayout()
        self.list_label = label(f"Add the {self.kind.noun} to list:")
        options.addWidget(self.list_label)
        options.addWidget(self.list_name, 1)
        self.list_label.setVisible(self.kind.lists)
        self.list_name.setVisible(self.kind.lists)
        options.addSpacing(12)
        options.addWidget(self.update_existing)
        tl.addLayout(options)
        tl.addSpacing(6)
        bottom, _ = _page(label(f"Preview — the first {PREVIEW_ROWS} rows", "SectionTitle"), self.preview_view)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([330, 230])
        split.setChildrenCollapsible(False)
        return split

    def _check_page(self) -> QWidget:
        self.check_strip = JobProgressPanel(inline=True)
        self.check_summary = label("", "Muted", wrap=True)
        self.check_warnings = label("", "Muted", wrap=True)
        page, lay = _page(label("Dry run — what the import would do (nothing is written yet)", "SectionTitle"),
                          self.check_strip, self.check_summary)
        self.check_cards = _cards(lay, self.kind.noun)
        lay.addWidget(self.check_warnings)
        self.errors_model = row_errors_model(self)
        self.errors_view = make_table(self.errors_model, widths=(64, 200), sortable=True)
        self.planned_model = planned_changes_model(self, labels=self.kind.labels, noun=self.kind.record)
        self.planned_view = make_table(self.planned_model, widths=(64, 96, 240, 180), sortable=True)
        self.industries_model = SortableRecordModel([("Industry in the file", lambda t: t[0]),
                                                     ("Rows", lambda t: t[1])], parent=self, align_right=(1,))
        self.industries_view = make_table(self.industries_model, widths=(320,), sortable=True)
        for view, col, order in ((self.errors_view, 0, Qt.SortOrder.AscendingOrder),
                                 (self.planned_view, 0, Qt.SortOrder.AscendingOrder),
                                 (self.industries_view, 1, Qt.SortOrder.DescendingOrder)):
            view.sortByColumn(col, order)
        self.check_tabs = QTabWidget()
        self.check_tabs.addTab(self.planned_view, "Planned changes")
        self.check_tabs.addTab(self.errors_view, "Rows with problems")
        self.check_tabs.addTab(self.industries_view, "Unknown industries")
        self.check_tabs.setTabVisible(2, self.kind.noun == "accounts")
        self.rerun_button = QPushButton(icon("sync"), "Run the check again")
        self.rerun_button.clicked.connect(self.start_dry_run)
        self.rerun_button.hide()
        lay.addWidget(self.check_tabs, 1)
        lay.addWidget(self.rerun_button, 0, Qt.AlignmentFlag.AlignLeft)
        return page

    def _import_page(self) -> QWidget:
        self.import_strip = JobProgressPanel(inline=True)
        self.import_title = label("Importing…", "SectionTitle")
        self.import_summary = label("", "Muted", wrap=True)
        self.skipped_title = label("Rows that were skipped", "SectionTitle")
        self.skipped_view = make_table(self.errors_model, widths=(64, 200), sortable=True)
        page, lay = _page(self.import_title, self.import_strip, self.import_summary)
        self.cards_host = QWidget()
        cards = QVBoxLayout(self.cards_host)
        cards.setContentsMargins(0, 4, 0, 4)
        self.import_cards = _cards(cards, self.kind.noun)
        lay.addWidget(self.cards_host)
        lay.addWidget(self.skipped_title)
        lay.addWidget(self.skipped_view, 1)
        lay.addStretch(0)
        return page

    # ---- step 1: the file ---------------------------------------------------------------------------
