"""The ICP rules dialog: edit the rule set (label and points in place, add and remove rules), set the tier
thresholds, preview what would move, save as a new version (and rescore), restore an older version.

Previews, saves and restores run as jobs (``ctx.jobs``) with progress shown in the dialog's footer; errors go
through ``ui.dialogs``. Rules are validated against the taxonomy on the GUI thread before any job starts.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from accounts.scoring import (
    RescorePreview,
    RescoreResult,
    RuleSetVersion,
    list_versions,
    preview_job,
    restore_and_rescore,
    save_and_rescore,
)
from accounts.scoring_rules import ScoringError, validate_rules, validate_thresholds
from ui import dialogs
from ui.context import AppContext
from ui.models.icp_rules import IcpRulesModel, TierMovesModel
from ui.models.record_table import RecordTableModel
from ui.theme import icon
from ui.widgets.common import Card, label
from ui.widgets.rule_form import RuleForm
from ui.widgets.tables import make_table


class IcpRulesDialog(QDialog):
    """``IcpRulesDialog(ctx, parent).exec()`` from the Accounts page; ``rescored`` fires after a save/restore."""

    rescored = Signal(object)  # RescoreResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("ICP scoring rules")
        self.setObjectName("IcpRulesDialog")
        self.resize(1100, 720)
        self.active: RuleSetVersion | None = None
        self.handle: Any = None
        self.last_preview: RescorePreview | None = None
        self.last_result: RescoreResult | None = None

        self.title = label("ICP scoring rules", "PageTitle")
        self.subtitle = label("", "PageSubtitle", wrap=True)

        # rules and thresholds (left)
        self.rules_model = IcpRulesModel(ctx.taxonomy, parent=self)
        self.rules_view = make_table(self.rules_model, widths=(210, 110, 300, 64), stretch=2, sortable=False)
        self.rules_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                        | QAbstractItemView.EditTrigger.EditKeyPressed
                                        | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.remove_button = QPushButton(icon("cancel"), "Remove rule")
        self.remove_button.clicked.connect(self._remove_rule)
        self.tier1, self.tier2 = QSpinBox(), QSpinBox()
        for spin in (self.tier1, self.tier2):
            spin.setRange(0, 100)
            spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.PlusMinus)
            spin.setFixedWidth(76)
            spin.setToolTip("Accounts scoring at least this much get this tier")
            spin.valueChanged.connect(self._on_edited)
        thresholds = QHBoxLayout()
        thresholds.addWidget(label("Tier thresholds", "SectionTitle"))
        thresholds.addSpacing(8)
        thresholds.addWidget(label("Tier 1 at score ≥", ""))
        thresholds.addWidget(self.tier1)
        thresholds.addSpacing(8)
        thresholds.addWidget(label("Tier 2 at ≥", ""))
        thresholds.addWidget(self.tier2)
        thresholds.addSpacing(8)
        thresholds.addWidget(label("else tier 3", "Muted"))
        thresholds.addStretch(1)
        rules_head = QHBoxLayout()
        rules_head.addWidget(label("Rules", "SectionTitle"))
        rules_head.addWidget(label("double-click a label or points to edit · score clamped to 0–100", "Muted"), 1)
        rules_head.addWidget(self.remove_button)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 8, 0)
        lv.addLayout(rules_head)
        lv.addWidget(self.rules_view, 1)
        lv.addLayout(thresholds)

        # add / preview / versions (right)
        self.form = RuleForm(ctx)
        self.form.add_button.clicked.connect(self._add_rule)
        self.preview_button = QPushButton(icon("search"), "Preview rescoring")
        self.preview_button.clicked.connect(self.preview)
        self.preview_summary = label("Preview shows which accounts would change tier with the rules on the left, "
                                     "before anything is saved.", "Muted", wrap=True)
        self.tier_cards = {t: Card(f"Tier {t}", "—", "accounts in this tier before → after") for t in ("1", "2", "3")}
        cards = QHBoxLayout()
        for c in self.tier_cards.values():
            c.value.setStyleSheet("font-size: 13pt;")
            c.caption.setStyleSheet("font-size: 8.5pt;")
            cards.addWidget(c)
        self.moves_model = TierMovesModel(self)
        self.moves_view = make_table(self.moves_model, widths=(150, 58, 80, 90), sortable=False)
        preview = QWidget()
        pv = QVBoxLayout(preview)
        pv.setContentsMargins(12, 12, 12, 12)
        top = QHBoxLayout()
        top.addWidget(self.preview_button)
        top.addStretch(1)
        pv.addLayout(top)
        pv.addWidget(self.preview_summary)
        pv.addLayout(cards)
        pv.addWidget(self.moves_view, 1)
        self.versions_model = RecordTableModel([
            ("Version", lambda v: f"v{v.version}" + ("  (active)" if v.active else "")),
            ("Saved", lambda v: v.created_at.astimezone().strftime("%Y-%m-%d %H:%M")),
            ("Rules", lambda v: len(v.rules)),
            ("Note", lambda v: v.note or ""),
        ], parent=self)
        self.versions_view = make_table(self.versions_model, widths=(88, 120, 48), sortable=False)
        self.restore_button = QPushButton(icon("sync"), "Restore as new version")
        self.restore_button.clicked.connect(self.restore_selected)
        self.versions_view.selectionModel().selectionChanged.connect(self._update_buttons)
        versions = QWidget()
        vv = QVBoxLayout(versions)
        vv.setContentsMargins(12, 12, 12, 12)
        vv.addWidget(label("Every save adds a version; restoring copies an old one into a new version, so the "
                           "history is never rewritten.", "Muted", wrap=True))
        vv.addWidget(self.versions_view, 1)
        vrow = QHBoxLayout()
        vrow.addStretch(1)
        vrow.addWidget(self.restore_button)
        vv.addLayout(vrow)
        self.tabs = QTabWidget()
        self.tabs.addTab(preview, "Preview")
        self.tabs.addTab(self.form, "Add a rule")
        self.tabs.addTab(versions, "Versions")

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([540, 420])
        split.setChildrenCollapsible(False)

        # footer: job progress, note, actions
        self.status = label("", "Muted")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(200)
        self.progress.hide()
        self.note = QLineEdit()
        self.note.setPlaceholderText("What changed and why (saved with the version)")
        self.save_button = QPushButton(icon("save", "#ffffff"), "Save as new version")
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #e2e8f0;")
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.progress)
        footer.addWidget(self.note, 2)
        footer.addWidget(self.close_button)
        footer.addWidget(self.save_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(10)
        lay.addWidget(self.title)
        lay.addWidget(self.subtitle)
        lay.addWidget(split, 1)
        lay.addWidget(line)
        lay.addLayout(footer)

        self.rules_model.edited.connect(self._on_edited)
        self.rules_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.load()

    # ---- state ----------------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the versions (a handful of small rows) and show the active one."""
        with self.ctx.workspace.session() as s:
            versions = list_versions(s)
        self.versions_model.set_rows(versions)
        self.active = next(v for v in versions if v.active)
        self.rules_model.set_rules(self.active.rules)
        self.rules_view.setCurrentIndex(QModelIndex())
        for spin, key in ((self.tier1, "1"), (self.tier2, "2")):
            spin.blockSignals(True)
            spin.setValue(int(self.active.thresholds[key]))
            spin.blockSignals(False)
        who = f" · {self.active.note}" if self.active.note else ""
        self.subtitle.setText(f"Version {self.active.version} is active · {len(self.active.rules)} rules · "
                              f"tier 1 at {self.active.thresholds['1']}, tier 2 at {self.active.thresholds['2']}{who}")
        self._update_buttons()

    def thresholds(self) -> dict[str, int]:
        return {"1": self.tier1.value(), "2": self.tier2.value()}

    def dirty(self) -> bool:
        return self.active is None or self.rules_model.rules() != self.active.rules \
            or self.thresholds() != self.active.thresholds

    def busy(self) -> bool:
        return self.handle is not None and self.handle.running

    def _on_edited(self, *_: Any) -> None:
        self._update_buttons()
        if self.dirty():
            self.status.setText("Unsaved changes — preview them, then save as a new version")

    def _update_buttons(self, *_: Any) -> None:
        idle = not self.busy()
        self.save_button.setEnabled(idle and self.dirty())
        self.preview_button.setEnabled(idle)
        self.form.add_button.setEnabled(idle)
        self.remove_button.setEnabled(idle and self.rules_view.selectionModel().hasSelection())
        rows = self.versions_view.selectionModel().selectedRows()
        self.restore_button.setEnabled(idle and bool(rows) and not self.versions_model.row_at(rows[0].row()).active)

    def _validated(self) -> tuple[list[dict[str, Any]], dict[str, int]] | None:
        try:
            return validate_rules(self.rules_model.rules(), self.ctx.taxonomy), validate_thresholds(self.thresholds())
        except ScoringError as exc:
            dialogs.show_error(self, "The ICP rules need a fix", str(exc))
            return None

    # ---- rule editing ---------------------------------------------------------------------------------
    def _add_rule(self) -> None:
        rule = self.form.rule()
        try:
            clean = validate_rules([rule], self.ctx.taxonomy)[0]
        except ScoringError as exc:
            dialogs.show_error(self, "This rule needs a fix", str(exc).replace("rule 1 ", "", 1))
            return
        row = self.rules_model.add_rule(clean)
        self.rules_view.selectRow(row)
        self.form.label_edit.clear()

    def _remove_rule(self) -> None:
        rows = self.rules_view.selectionModel().selectedRows()
        if rows:
            self.rules_model.remove_row(rows[0].row())

    # ---- jobs -----------------------------------------------------------------------------------------
    def _start(self, title: str, job: Any, on_success: Any) -> None:
        self.handle = self.ctx.jobs.start(title, job, on_success=on_success, parent_widget=self)
        self.handle.progress.connect(self._on_progress)
        self.handle.done.connect(self._on_done)
        self.handle.cancelled.connect(lambda: self.status.setText(f"{title}: cancelled, nothing was changed"))
        self.status.setText(f"{title}…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self._update_buttons()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        if message:
            self.status.setText(message)

    def _on_done(self) -> None:
        self.progress.hide()
        self._update_buttons()

    def preview(self) -> None:
        checked = self._validated()
        if checked is None or self.busy():
            return
        self._start("Previewing ICP rescoring", partial(preview_job, self.ctx.workspace, *checked), self._show_preview)

    def _show_preview(self, preview: RescorePreview) -> None:
        self.last_preview = preview
        self.moves_model.set_moves(preview.tier_moves)
        moving = sum(1 for m in preview.tier_moves if not m.manual)
        kept = len(preview.tier_moves) - moving
        self.preview_summary.setText(
            f"{preview.scored:,} accounts scored · {preview.changed_scores:,} scores would change · "
            f"{moving:,} tiers would move" + (f" · {kept:,} manual tiers kept" if kept else "")
            + " · accounts per tier, before → after:")
        for key, card in self.tier_cards.items():
            before, after = preview.tiers_before.get(key, 0), preview.tiers_after.get(key, 0)
            card.set_value(f"{before:,} → {after:,}")
        self.status.setText("Preview ready — nothing was written")
        self.tabs.setCurrentIndex(0)

    def save(self) -> None:
        checked = self._validated()
        if checked is None or self.busy() or not self.dirty():
            return
        job = partial(save_and_rescore, self.ctx.workspace, *checked, self.note.text(), self.ctx.user.id)
        self._start("Saving ICP rules and rescoring", job, self._finished)

    def restore_selected(self) -> None:
        rows = self.versions_view.selectionModel().selectedRows()
        if not rows or self.busy():
            return
        version = self.versions_model.row_at(rows[0].row()).version
        if self.dirty() and not dialogs.ask(self, "Discard unsaved changes?",
                                            f"Restoring version {version} discards the rules you edited here."):
            return
        job = partial(restore_and_rescore, self.ctx.workspace, version, self.ctx.user.id)
        self._start(f"Restoring ICP rules v{version} and rescoring", job, self._finished)

    def _finished(self, result: RescoreResult) -> None:
        self.last_result = result
        self.note.clear()
        self.load()
        self.moves_model.set_moves([])
        self.status.setText(f"Version {result.version} saved · {result.scored:,} accounts rescored in "
                            f"{result.seconds:.1f} s · {result.changed:,} scores changed · "
                            f"{result.tier_changes:,} tiers moved")
        self.rescored.emit(result)

    def reject(self) -> None:
        if self.busy():
            self.handle.cancel()
        super().reject()
