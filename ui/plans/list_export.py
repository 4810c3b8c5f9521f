"""Export the account plans of a whole target list: one file per account into a folder, or one combined PDF.
The export runs as a job inside the dialog with a progress bar and Cancel; a cancelled export leaves no file
behind (``export_list`` writes into a staging folder and moves the files only when every plan is written)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.export.plan_format import slug
from bdr_desk.export.plans import BatchExport, export_list
from ui import dialogs
from ui.context import AppContext
from ui.jobs import JobHandle, JobProgressPanel
from ui.plans.common import FORMATS, FormatPicker, ResultNotice, TemplateCombo, load_templates
from ui.theme import app_icon, icon
from ui.widgets.common import label


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class PlanListExportDialog(QDialog):
    exportFinished = Signal(str)  # "done", "cancelled" or "failed"

    def __init__(self, ctx: AppContext, list_id: int, list_name: str, accounts: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.list_id, self.list_name, self.accounts = ctx, list_id, list_name, accounts
        self.handle: JobHandle | None = None
        self.result_value: BatchExport | None = None
        self.setWindowTitle("Export account plans")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(560)

        self.template = TemplateCombo(counts=True)
        self.template.set_templates(load_templates(ctx.workspace))
        self.format = FormatPicker()
        self.format.group.buttonToggled.connect(self._format_changed)
        self.each = QRadioButton("One file per account")
        self.combined = QRadioButton("One combined PDF, a page break between accounts")
        layout_group = QButtonGroup(self)
        for b in (self.each, self.combined):
            layout_group.addButton(b)
        self.each.setChecked(True)
        self.folder = QLineEdit(str(Path.home() / "Account plans" / (slug(list_name) or f"list-{list_id}")))
        self.folder.setToolTip("Created if missing; plans of the same name from an earlier export are replaced")
        self.browse = QPushButton("Choose…")
        self.browse.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.setSpacing(8)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        output = QVBoxLayout()
        output.setSpacing(4)
        output.addWidget(self.each)
        output.addWidget(self.combined)
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        form.addRow("Template", self.template)
        form.addRow("Format", self.format)
        form.addRow("Files", output)
        form.addRow("Folder", folder_row)
        self.form_widgets = (self.template, self.format, self.each, self.combined, self.folder, self.browse)

        self.progress = JobProgressPanel(inline=True)
        self.notice = ResultNotice()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setIcon(icon("import", "#ffffff"))
        self.export_button.setObjectName("Primary")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 14)
        lay.setSpacing(10)
        lay.addWidget(label(f"Account plans for “{list_name}”", "SectionTitle", wrap=True))
        lay.addWidget(label(f"{_plural(accounts, 'account')} in this list; every plan follows the template "
                            "you choose.", "Muted", wrap=True))
        lay.addSpacing(4)
        lay.addLayout(form)
        lay.addSpacing(4)
        lay.addWidget(self.progress)
        lay.addWidget(self.notice)
        lay.addStretch(1)
        lay.addWidget(self.buttons)
        self._format_changed()

    def _format_changed(self, *_: object) -> None:
        pdf = self.format.format() == "pdf"
        self.combined.setEnabled(pdf and self.handle is None)
        self.combined.setToolTip("" if pdf else "Only PDF plans can be combined into one file")
        if not pdf and self.combined.isChecked():
            self.each.setChecked(True)

    def choose_folder(self) -> None:
        path = dialogs.choose_folder(self, "Export the plans into", self.folder.text())
        if path:
            self.folder.setText(path)

    @property
    def running(self) -> bool:
        return self.handle is not None

    def start(self) -> None:
        folder = self.folder.text().strip()
        if not folder:
            self.notice.show_result("Choose a folder for the plans.", "warning")
            return
        ws, list_id, user_id = self.ctx.workspace, self.list_id, self.ctx.user.id
        fmt, combined, template = self.format.format(), self.combined.isChecked(), self.template.currentData()

        def job(progress, cancel) -> BatchExport:
            return export_list(ws, list_id, folder, fmt, progress, cancel, combined=combined, template=template,
                               user_id=user_id)

        self.notice.hide()
        self.handle = self.ctx.jobs.start(f"Exporting the plans of {self.list_name}", job, on_success=self._done,
                                          on_failure=self._failed, parent_widget=self, inline=True)
        self.handle.cancelled.connect(self._cancelled)
        self.handle.done.connect(self._finished)
        self.progress.attach(self.handle, f"Exporting {_plural(self.accounts, FORMATS[fmt] + ' plan')}")
        for w in self.form_widgets:
            w.setEnabled(False)
        self.export_button.setEnabled(False)

    def cancel(self) -> None:
        if self.handle is not None:
            self.progress.cancel_button.click()

    def _done(self, result: BatchExport) -> None:
        self.result_value = result
        if result.combined:
            path = result.files[0]
            self.notice.show_result(f"Wrote {_plural(result.accounts, 'account plan')} into one PDF: {path}",
                                    file=path, folder=path.parent)
        else:
            folder = result.files[0].parent if result.files else Path(self.folder.text())
            self.notice.show_result(f"Wrote {_plural(len(result.files), FORMATS[result.format] + ' plan')} "
                                    f"into {folder}", folder=folder)
        self.exportFinished.emit("done")

    def _failed(self, message: str, _details: str) -> None:
        self.notice.show_result(f"The export failed: {message}", "warning")
        self.exportFinished.emit("failed")

    def _cancelled(self) -> None:
        self.notice.show_result("Export cancelled; no files were written.", "warning")
        self.exportFinished.emit("cancelled")

    def _finished(self) -> None:
        self.handle = None
        for w in self.form_widgets:
            w.setEnabled(True)
        self.export_button.setEnabled(True)
        self._format_changed()

    def reject(self) -> None:
        """Close; a running export is cancelled first (it leaves no files)."""
        if self.handle is not None:
            self.cancel()
        super().reject()
