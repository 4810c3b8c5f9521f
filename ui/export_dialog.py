"""Export accounts from the GUI: which accounts (this view, everything, a list), which columns (BDR Desk,
HubSpot import, Salesforce Data Loader), CSV or XLSX; the export itself runs as a job."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from accounts.exporting import ExportResult, export_accounts
from accounts.models import TargetList
from accounts.queries import AccountFilter, AccountSort, count_accounts
from ui import dialogs
from ui.context import AppContext
from ui.jobs import JobHandle
from ui.theme import app_icon
from ui.widgets.common import label

PRESET_LABELS = {"default": "BDR Desk columns", "hubspot": "HubSpot company import",
                 "salesforce": "Salesforce Data Loader (Account)"}
FORMATS = {"xlsx": "Excel workbook (.xlsx)", "csv": "CSV, UTF-8 (.csv)"}


class ExportDialog(QDialog):
    def __init__(self, ctx: AppContext, flt: AccountFilter, parent: QWidget | None = None,
                 list_id: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export accounts")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(460)
        self.ctx, self.view_filter = ctx, flt
        with ctx.workspace.session() as s:
            in_view = count_accounts(s, flt)
            everything = count_accounts(s)
            lists = list(s.execute(select(TargetList.id, TargetList.name).order_by(TargetList.name)))
        self.scope_view = QRadioButton(f"This view ({in_view:,} accounts)")
        self.scope_all = QRadioButton(f"All accounts ({everything:,})")
        self.scope_list = QRadioButton("A target list:")
        self.list_combo = QComboBox()
        for lid, name in lists:
            self.list_combo.addItem(name, lid)
        self.scope_list.setEnabled(bool(lists))
        self.list_combo.setEnabled(False)
        self.scope_list.toggled.connect(self.list_combo.setEnabled)
        group = QButtonGroup(self)
        for b in (self.scope_view, self.scope_all, self.scope_list):
            group.addButton(b)
        if list_id is not None and self.list_combo.findData(list_id) >= 0:
            self.scope_list.setChecked(True)
            self.list_combo.setCurrentIndex(self.list_combo.findData(list_id))
        else:
            self.scope_view.setChecked(True)
        self.preset = QComboBox()
        for key, text in PRESET_LABELS.items():
            self.preset.addItem(text, key)
        self.format = QComboBox()
        for key, text in FORMATS.items():
            self.format.addItem(text, key)
        form = QFormLayout()
        form.addRow("Columns", self.preset)
        form.addRow("Format", self.format)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Choose file…")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("Primary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 14)
        lay.setSpacing(10)
        lay.addWidget(label("Which accounts", "SectionTitle"))
        for w in (self.scope_view, self.scope_all, self.scope_list, self.list_combo):
            lay.addWidget(w)
        lay.addSpacing(6)
        lay.addLayout(form)
        lay.addWidget(label("HubSpot and Salesforce presets use the column names their importers recognise; "
                            "industries are translated to their picklists.", "Muted", wrap=True))
        lay.addWidget(buttons)

    def chosen_filter(self) -> AccountFilter:
        if self.scope_all.isChecked():
            return AccountFilter()
        if self.scope_list.isChecked():
            return AccountFilter(list_id=self.list_combo.currentData())
        return self.view_filter

    def suggested_name(self) -> str:
        stem = self.list_combo.currentText() if self.scope_list.isChecked() else "accounts"
        safe = "".join(c if c.isalnum() or c in "-_ " else "_" for c in stem).strip().replace(" ", "-").lower()
        return f"{safe or 'accounts'}-{self.preset.currentData()}.{self.format.currentData()}"


def export_accounts_dialog(parent: QWidget | None, ctx: AppContext, flt: AccountFilter,
                           sort: AccountSort | None = None, list_id: int | None = None) -> JobHandle | None:
    """Ask what and where, then export as a job; returns the job's handle (None when cancelled)."""
    dlg = ExportDialog(ctx, flt, parent, list_id=list_id)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    fmt = dlg.format.currentData()
    path = dialogs.save_file(parent, "Export accounts", str(Path.home() / dlg.suggested_name()),
                             f"{FORMATS[fmt]} (*.{fmt})")
    if not path:
        return None
    if not path.lower().endswith((".csv", ".xlsx")):
        path += f".{fmt}"
    chosen, preset = dlg.chosen_filter(), dlg.preset.currentData()
    use_sort = sort if chosen == flt else None

    def job(progress, cancel) -> ExportResult:
        with ctx.workspace.session() as s:
            return export_accounts(s, path, flt=chosen, sort=use_sort, preset=preset, progress=progress, cancel=cancel)

    def done(result: ExportResult) -> None:
        dialogs.show_info(parent, "Export finished", f"{result.rows:,} accounts written to {result.path}.")

    return ctx.jobs.start("Exporting accounts", job, on_success=done, parent_widget=parent)
