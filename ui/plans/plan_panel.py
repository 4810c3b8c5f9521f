"""The account window's Plan tab: export the account plan (template, format, optionally the changes since the
last snapshot) as a job, snapshot the plan, and see what changed since any snapshot.

The plan "now" is gathered once per refresh (when the tab is shown, after a snapshot) and compared with the
chosen snapshot; both are reads of one account."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from accounts.account_detail import AccountNotFound
from accounts.models import Account, PlanSnapshot
from bdr_desk.export.plan_data import gather_plan
from bdr_desk.export.plan_format import slug
from bdr_desk.export.plans import SINCE_LAST, SUFFIXES, PlanExport, export_plan
from bdr_desk.export.snapshots import PlanDiff, comparable, diff, quarter_label, take_snapshot
from bdr_desk.users import User
from ui import dialogs
from ui.context import AppContext
from ui.jobs import JobProgressPanel
from ui.plans import common
from ui.plans.common import (
    FILTERS,
    FORMATS,
    FormatPicker,
    ResultNotice,
    TemplateCombo,
    load_templates,
    with_suffix,
)
from ui.plans.models import GOOD, DiffModel, SectionListModel, SnapshotRow, diff_rows, snapshots_model
from ui.theme import ICON_STROKE, icon
from ui.widgets.common import label
from ui.widgets.tables import make_table

NO_SNAPSHOTS = ("No snapshots yet", "Snapshot the plan at each quarterly review. Later, pick a snapshot here to "
                "see who joined or left the buying committee, new signals, tier and stage moves, the coverage "
                "change and which hypotheses were confirmed or rejected.")


def _card(title: str, hint: str) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame(objectName="Card")
    card.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # the stretch factors decide
    card.setMinimumWidth(360)
    lay = QVBoxLayout(card)
    lay.setContentsMargins(18, 16, 18, 16)
    lay.setSpacing(10)
    lay.addWidget(label(title, "SectionTitle"))
    lay.addWidget(label(hint, "Muted", wrap=True))
    return card, lay


class QuietState(QFrame):
    """A compact empty state for the diff area (the full-size EmptyState needs more height than a tab has)."""

    def __init__(self, icon_name: str, color: str, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        pic = QLabel()
        pic.setPixmap(icon(icon_name, color).pixmap(QSize(28, 28)))
        self.title = label(title, "EmptyTitle", wrap=True)
        self.text = label(text, "EmptyText", wrap=True)
        words = QVBoxLayout()
        words.setSpacing(4)
        words.addWidget(self.title)
        words.addWidget(self.text)
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(pic, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 14)
        lay.addLayout(row)
        lay.addStretch(1)

    def set_message(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.text.setText(text)


class PlanPanel(QWidget):
    exported = Signal(object)  # PlanExport
    snapshotTaken = Signal(int)  # snapshot id

    def __init__(self, ctx: AppContext, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.account_id = ctx, account_id
        self.account_name = ""
        self.handle = None
        self._now_facts: dict | None = None
        self.diff: PlanDiff | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 16, 16, 16)
        lay.setSpacing(16)
        lay.addWidget(self._export_card(), 5)
        lay.addWidget(self._snapshot_card(), 6)

    # ---- layout ----
    def _export_card(self) -> QFrame:
        card, lay = _card("Export the plan", "One document for the account review, with the sections of the "
                          "template you choose.")
        self.template = TemplateCombo()
        self.template.currentIndexChanged.connect(self._template_changed)
        self.templates_button = QPushButton(icon("edit"), "Edit…")
        self.templates_button.setToolTip("Plan templates: which sections a plan has, and in what order")
        self.templates_button.clicked.connect(self.edit_templates)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.template, 1)
        row.addWidget(self.templates_button)
        self.format = FormatPicker()
        self.since_last = QCheckBox("Begin with the changes since the last snapshot")
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        form.addRow("Template", row)
        form.addRow("Format", self.format)
        form.addRow(self.since_last)
        lay.addLayout(form)
        lay.addWidget(label("SECTIONS", "FieldCaption"))
        self.preview_model = SectionListModel(self, numbered=True)
        self.preview = QListView()
        self.preview.setModel(self.preview_model)
        self.preview.setObjectName("CheckList")
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        lay.addWidget(self.preview, 1)
        self.progress = JobProgressPanel(inline=True)
        self.progress.cancel_button.hide()  # one plan takes a moment; nothing to cancel
        self.notice = ResultNotice()
        lay.addWidget(self.notice)
        self.export_button = QPushButton(icon("import", "#ffffff"), "Export…")
        self.export_button.setObjectName("Primary")
        self.export_button.clicked.connect(self.export)
        bottom = QHBoxLayout()
        bottom.setSpacing(10)
        bottom.addWidget(self.progress, 1)
        bottom.addStretch(0)
        bottom.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignRight)
        lay.addLayout(bottom)
        return card

    def _snapshot_card(self) -> QFrame:
        card, lay = _card("Snapshots", "A dated copy of the plan's facts, e.g. one per quarter. Pick one to see "
                          "what has changed since.")
        self.snapshot_label = QLineEdit(quarter_label(dt.date.today()))
        self.snapshot_label.setPlaceholderText("Label, e.g. 2026-Q4")
        self.snapshot_label.setMaxLength(120)
        self.snapshot_button = QPushButton(icon("archive"), "Snapshot this plan")
        self.snapshot_button.clicked.connect(self.take_snapshot)
        self.snapshot_label.returnPressed.connect(self.snapshot_button.click)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.snapshot_label, 1)
        row.addWidget(self.snapshot_button)
        lay.addLayout(row)
        self.snapshots = snapshots_model(self)
        self.snapshot_view = make_table(self.snapshots, (120, 160), sortable=False)
        self.snapshot_view.setFixedHeight(124)  # the header and three snapshots; more scroll
        self.snapshot_view.selectionModel().selectionChanged.connect(self._show_diff)
        lay.addWidget(self.snapshot_view)
        self.diff_title = label("", "SectionTitle", wrap=True)
        self.diff_note = label("", "Muted", wrap=True)
        self.diff_model = DiffModel(self)
        self.diff_view = QListView()
        self.diff_view.setModel(self.diff_model)
        self.diff_view.setObjectName("CheckList")
        self.diff_view.setIconSize(QSize(16, 16))
        self.diff_view.setWordWrap(True)
        self.diff_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.no_changes = QuietState("check-circle", GOOD, "No changes", "")
        self.no_snapshots = QuietState("archive", ICON_STROKE, *NO_SNAPSHOTS)
        self.diff_stack = QStackedWidget()
        for w in (self.diff_view, self.no_changes, self.no_snapshots):
            self.diff_stack.addWidget(w)
        lay.addWidget(self.diff_title)
        lay.addWidget(self.diff_note)
        lay.addWidget(self.diff_stack, 1)
        return card

    # ---- data ----
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh()  # cheap (one account); keeps the diff current after edits on other tabs

    def refresh(self, select_snapshot: int | None = None) -> None:
        """Reload the templates, the snapshots and the plan as it is now."""
        self.template.set_templates(load_templates(self.ctx.workspace))
        with self.ctx.workspace.session() as s:
            self.account_name = s.scalar(select(Account.name).where(Account.id == self.account_id)) or ""
            rows = [SnapshotRow(snap.id, snap.label, snap.taken_at, by, snap.data) for snap, by in s.execute(
                select(PlanSnapshot, User.name).outerjoin(User, User.id == PlanSnapshot.taken_by_id)
                .where(PlanSnapshot.account_id == self.account_id)
                .order_by(PlanSnapshot.taken_at.desc(), PlanSnapshot.id.desc()))]
            try:
                self._now_facts = comparable(gather_plan(s, self.account_id)) if rows else None
            except AccountNotFound:
                self._now_facts = None
        keep = select_snapshot if select_snapshot is not None else self.selected_snapshot_id()
        self.snapshots.set_rows(rows)
        self.since_last.setEnabled(bool(rows))
        self.since_last.setToolTip(f"Begin the plan with what changed since {rows[0].label!r}" if rows else
                                   "Take a snapshot first; the plan can then start with what changed since")
        if rows:
            ids = [r.id for r in rows]
            self.snapshot_view.selectRow(ids.index(keep) if keep in ids else 0)
        self._show_diff()

    def selected_snapshot(self) -> SnapshotRow | None:
        picked = self.snapshot_view.selectionModel().selectedRows()
        return self.snapshots.row_at(picked[0].row()) if picked else None

    def selected_snapshot_id(self) -> int | None:
        row = self.selected_snapshot()
        return row.id if row else None

    def _template_changed(self, *_: object) -> None:
        self.preview_model.set_sections(self.template.sections())

    def _show_diff(self, *_: object) -> None:
        snap = self.selected_snapshot()
        has_snapshots = self.snapshots.rowCount() > 0
        for w in (self.snapshot_view, self.diff_title, self.diff_note):
            w.setVisible(has_snapshots)  # before the first snapshot: just what snapshots are for
        if snap is None or self._now_facts is None:
            self.diff = None
            self.diff_stack.setCurrentWidget(self.no_snapshots)
            return
        self.diff = diff(snap.data, self._now_facts, snap.label)
        who = f" by {snap.by}" if snap.by else ""
        taken = snap.taken_at if snap.taken_at.tzinfo else snap.taken_at.replace(tzinfo=dt.UTC)
        day = f"{taken.astimezone():%d %b %Y}".lstrip("0")
        self.diff_note.setText(f"Snapshot taken {day}{who}, compared with the plan as it is now.")
        self.diff_model.set_rows(diff_rows(self.diff))
        if self.diff.empty:
            self.diff_title.setText(f"What changed since {snap.label}")
            self.no_changes.set_message(f"No changes since {snap.label}",
                                        "The committee, signals, tier, stage, coverage and hypotheses read "
                                        "the same as in this snapshot.")
            self.diff_stack.setCurrentWidget(self.no_changes)
        else:
            n = len(self.diff_model.lines())
            self.diff_title.setText(f"What changed since {snap.label} — {n} change{'s' if n != 1 else ''}")
            self.diff_stack.setCurrentWidget(self.diff_view)

    # ---- actions ----
    def take_snapshot(self) -> None:
        text = self.snapshot_label.text().strip() or quarter_label(dt.date.today())
        try:
            with self.ctx.workspace.session() as s:
                snap_id = take_snapshot(s, self.account_id, label=text, user_id=self.ctx.user.id).id
        except AccountNotFound as exc:
            dialogs.show_error(self, "Cannot snapshot the plan", str(exc))
            return
        self.refresh(select_snapshot=snap_id)
        self.snapshotTaken.emit(snap_id)

    def edit_templates(self) -> None:
        from ui.plans.template_editor import TemplateEditor

        dlg = TemplateEditor(self.ctx, self.template.currentData(), self)
        common.run_dialog(dlg)
        self.template.set_templates(load_templates(self.ctx.workspace), select=dlg.chosen_name())
        dlg.deleteLater()

    def export(self) -> None:
        fmt = self.format.format()
        stem = slug(self.account_name) or f"account-{self.account_id}"
        suggested = str(Path.home() / f"{stem}-account-plan{SUFFIXES[fmt]}")
        path = dialogs.save_file(self, "Export account plan", suggested, FILTERS[fmt])
        if not path:
            return
        path = with_suffix(path, fmt)
        ws, account_id, user_id = self.ctx.workspace, self.account_id, self.ctx.user.id
        template = self.template.currentData()
        since = SINCE_LAST if self.since_last.isEnabled() and self.since_last.isChecked() else None

        def job(progress, cancel) -> PlanExport:
            cancel.raise_if_cancelled()
            progress(0, 0, "")
            return export_plan(ws, account_id, path, template=template, diff=since, user_id=user_id)

        self.notice.hide()
        self.export_button.setEnabled(False)
        self.handle = self.ctx.jobs.start("Exporting the account plan", job, on_success=self._exported,
                                          parent_widget=self, inline=True)
        self.handle.done.connect(lambda: self.export_button.setEnabled(True))
        self.progress.attach(self.handle, f"Exporting the {FORMATS[fmt]} plan…")

    def _exported(self, result: PlanExport) -> None:
        n = len(result.sections)
        self.notice.show_result(f"Wrote {result.path.name} · {FORMATS[result.format]}, {n} section"
                                f"{'s' if n != 1 else ''}", file=result.path, folder=result.path.parent)
        self.notice.setToolTip(str(result.path))
        self.exported.emit(result)
