"""Duplicate review: candidate pairs on the left, the selected pair side by side on the right with a per-field
choice, then "Merge B into A" (contacts, activities and CRM references move to A), "Swap" or "Not a duplicate"
(remembered, so the pair never comes back).

Finding candidates and merging run as jobs; a dismissal is one small insert on the GUI thread.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from accounts.dedupe import (
    MERGE_FIELDS,
    DuplicateCandidate,
    MergeResult,
    dismiss_pair,
    find_duplicate_candidates,
    merge_accounts,
)
from accounts.history import FIELD_LABELS
from accounts.models import Account, Activity, Contact
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY
from bdr_desk.users import User
from ui import dialogs
from ui.context import AppContext
from ui.jobs import JobHandle
from ui.models.duplicates_model import DuplicatePairsModel
from ui.theme import app_icon, icon
from ui.widgets.common import EmptyState, label
from ui.widgets.tables import make_table

MOVED_LABELS = {"contacts": "contacts", "activities": "activities", "opportunities": "opportunities",
                "pain_hypotheses": "pain hypotheses", "messages": "messages", "signals": "signals",
                "account_events": "timeline events", "content_usage": "content uses",
                "content_requests": "content requests", "research_pages": "research pages",
                "account_technologies": "technologies", "target_list_members": "list memberships",
                "children": "child accounts"}


SINGULAR = {"activities": "activity", "opportunities": "opportunity", "pain hypotheses": "pain hypothesis",
            "technologies": "technology", "list memberships": "list membership"}


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def moved_text(moved: dict[str, int]) -> str:
    """``{"contacts": 4, "activities": 12}`` → "4 contacts, 12 activities moved"."""
    parts = []
    for table, n in moved.items():
        many = MOVED_LABELS.get(table, table.replace("_", " "))
        if n and table != "account_events":
            parts.append(_count(n, SINGULAR.get(many, many.removesuffix("s")), many))
    return (", ".join(parts) + " moved") if parts else "nothing else to move"


def field_label(field: str) -> str:
    text = FIELD_LABELS.get(field, field.replace("_", " "))
    return text[:1].upper() + text[1:]


def _merge_job(ctx: AppContext, keep_id: int, merge_id: int, choices: dict[str, str], progress: Any,
               cancel: Any) -> tuple[MergeResult, str, str | None]:
    progress(0, 0, "Merging accounts")
    with ctx.workspace.session() as s:
        result = merge_accounts(s, keep_id, merge_id, choices, ctx.user.id)
        kept = s.get(Account, keep_id)
        return result, kept.name, kept.domain  # type: ignore[union-attr]


class DuplicatesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Duplicate accounts")
        self.setWindowIcon(app_icon())
        self.setObjectName("DuplicatesDialog")
        self.resize(1200, 720)
        self.handle: JobHandle | None = None
        self.loaded = False
        self.swapped = False
        self.values: dict[int, dict[str, Any]] = {}
        self.groups: dict[str, QButtonGroup] = {}
        self.heads: list[Any] = []
        self.merged: list[MergeResult] = []

        self.title = label("Duplicate accounts", "PageTitle")
        self.subtitle = label("Looking for accounts that look like one company…", "PageSubtitle", wrap=True)
        self.model = DuplicatePairsModel(self)
        self.view = make_table(self.model, widths=(190, 190, 54), sortable=False)
        self.view.verticalHeader().setDefaultSectionSize(46)
        self.view.selectionModel().selectionChanged.connect(self._show_selected)

        self.compare_title = label("", "SectionTitle", wrap=True)
        self.compare_hint = label("For each field, pick the value the merged account keeps. A is kept; B is "
                                  "folded into it and deleted.", "Muted", wrap=True)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(6)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.grid_host)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }")
        self._build_grid()
        self.swap_button = QPushButton(icon("sync"), "Swap A and B")
        self.swap_button.clicked.connect(self.swap)
        self.dismiss_button = QPushButton(icon("cancel"), "Not a duplicate")
        self.dismiss_button.clicked.connect(self.dismiss)
        self.merge_button = QPushButton("Merge B into A")
        self.merge_button.setObjectName("Primary")
        self.merge_button.clicked.connect(self.merge)
        actions = QHBoxLayout()
        actions.addWidget(self.swap_button)
        actions.addWidget(self.dismiss_button)
        actions.addStretch(1)
        actions.addWidget(self.merge_button)
        right = QFrame()
        right.setObjectName("Card")
        rv = QVBoxLayout(right)
        rv.setContentsMargins(16, 14, 16, 14)
        rv.addWidget(self.compare_title)
        rv.addWidget(self.compare_hint)
        rv.addWidget(scroll, 1)
        rv.addLayout(actions)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(right)
        split.setSizes([590, 570])
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        right.setMinimumWidth(480)

        self.empty = EmptyState("accounts", "No likely duplicates",
                                "No two accounts have names similar enough to be one company. Pairs marked "
                                "“not a duplicate” stay hidden; imports match rows by domain and name, so new "
                                "duplicates are rare.")
        self.body = QStackedWidget()
        self.body.addWidget(split)
        self.body.addWidget(self.empty)
        self.status = label("", "Muted", wrap=True)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(close)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(10)
        lay.addWidget(self.title)
        lay.addWidget(self.subtitle)
        lay.addWidget(self.body, 1)
        lay.addLayout(footer)
        self._update()
        self.load()

    # ---- loading ------------------------------------------------------------------------------------
    def load(self) -> None:
        def job(progress: Any, cancel: Any) -> list[DuplicateCandidate]:
            progress(0, 0, "Comparing account names")
            with self.ctx.workspace.session() as s:
                return find_duplicate_candidates(s)
        self.handle = self.ctx.jobs.start("Finding duplicate accounts", job, on_success=self._loaded,
                                          parent_widget=self)
        self.handle.done.connect(self._update)
        self._update()

    def _loaded(self, pairs: list[DuplicateCandidate]) -> None:
        self.loaded = True
        self.model.set_pairs(pairs)
        if pairs:
            self.view.selectRow(0)
        self._update()

    def current(self) -> DuplicateCandidate | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.pair(rows[0].row()) if rows else None

    def sides(self) -> tuple[int, int] | None:
        """(A, B): the account kept and the one merged into it."""
        p = self.current()
        if p is None:
            return None
        return (p.b_id, p.a_id) if self.swapped else (p.a_id, p.b_id)

    # ---- the comparison -----------------------------------------------------------------------------
    def _show_selected(self, *_: Any) -> None:
        self.swapped = False
        self._fill()

    def _read(self, ids: tuple[int, int]) -> None:
        """The two accounts' fields and what hangs off them (a few small queries)."""
        self.values = {}
        with self.ctx.workspace.session() as s:
            for acc in s.scalars(select(Account).where(Account.id.in_(ids))):
                self.values[acc.id] = {f: getattr(acc, f) for f in MERGE_FIELDS}
            owners = {v["owner_id"] for v in self.values.values() if v["owner_id"]}
            names = {uid: name for uid, name in s.execute(select(User.id, User.name).where(User.id.in_(owners)))}
            for aid, v in self.values.items():
                v["_owner"] = names.get(v["owner_id"])
                v["_contacts"] = s.scalar(select(func.count(Contact.id)).where(Contact.account_id == aid))
                v["_activities"] = s.scalar(select(func.count(Activity.id)).where(Activity.account_id == aid))

    def _text(self, field: str, v: dict[str, Any]) -> str:
        value = v.get(field)
        if value in (None, ""):
            return ""
        if field == "industry":
            return self.ctx.taxonomy.label(INDUSTRY, value)
        if field == "abm_stage":
            return self.ctx.taxonomy.label(ABM_STAGE, value)
        if field == "owner_id":
            return v.get("_owner") or f"user {value}"
        if field == "employees":
            return f"{value:,}"
        if field == "annual_revenue":
            return f"${Decimal(value):,.0f}"
        if field == "tier":
            return f"Tier {value}"
        text = " ".join(str(value).split())
        return text if len(text) <= 30 else text[:29] + "…"

    def _build_grid(self) -> None:
        """One row per merge field: its label and a "keep A" / "take B" radio pair (filled per pair)."""
        self.heads = [label(""), label("")]
        for col, head in enumerate(self.heads, start=1):
            head.setTextFormat(Qt.TextFormat.RichText)
            self.grid.addWidget(head, 0, col)
        for row, field in enumerate(MERGE_FIELDS, start=1):
            self.grid.addWidget(label(field_label(field), "Muted"), row, 0)
            group = QButtonGroup(self.grid_host)
            for col in (1, 2):
                radio = QRadioButton()
                radio.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
                group.addButton(radio, col)
                self.grid.addWidget(radio, row, col)
            self.groups[field] = group
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.grid.setRowStretch(len(MERGE_FIELDS) + 1, 1)

    def _fill(self) -> None:
        sides = self.sides()
        self.values = {}
        if sides is not None:
            self._read(sides)
        shown = len(self.values) == 2
        self.grid_host.setVisible(shown)
        if not shown:
            self.compare_title.setText("One of these accounts no longer exists" if sides else
                                       "Select a pair to compare")
            self._update()
            return
        a, b = (self.values[i] for i in sides)  # type: ignore[union-attr]
        self.compare_title.setText(f"Keep “{a['name']}”, fold in “{b['name']}”")
        for head, tag, v in ((self.heads[0], "A · kept", a), (self.heads[1], "B · merged, then deleted", b)):
            head.setText(f"<b>{tag}</b><br><span style='color:#64748b'>{_count(v['_contacts'], 'contact')} · "
                         f"{_count(v['_activities'], 'activity', 'activities')}</span>")
        for field, group in self.groups.items():
            ta, tb = self._text(field, a), self._text(field, b)
            for col, text, full in ((1, ta, a.get(field)), (2, tb, b.get(field))):
                radio = group.button(col)
                radio.setText((text or "—").replace("&", "&&"))
                radio.setToolTip(str(full) if full not in (None, "") else "empty")
            group.button(2 if not ta and tb else 1).setChecked(True)
            same = a.get(field) == b.get(field) or not (ta or tb)
            for radio in group.buttons():
                radio.setEnabled(not same)
        self._update()

    def choices(self) -> dict[str, str]:
        return {f: ("merge" if g.checkedId() == 2 else "keep") for f, g in self.groups.items()}

    def choose(self, field: str, side: str) -> None:
        """Pick A's ("keep") or B's ("merge") value for ``field`` (what a click on a radio does)."""
        self.groups[field].button(2 if side == "merge" else 1).setChecked(True)

    def swap(self) -> None:
        self.swapped = not self.swapped
        self._fill()

    # ---- actions ------------------------------------------------------------------------------------
    def merge(self) -> None:
        sides = self.sides()
        if sides is None or self.busy() or len(self.values) < 2:
            return
        keep, gone = sides
        names = self.values[keep]["name"], self.values[gone]["name"]
        self.handle = self.ctx.jobs.start(
            "Merging accounts", partial(_merge_job, self.ctx, keep, gone, self.choices()),
            on_success=lambda r: self._merged(r, names),
            on_failure=lambda msg, tb: dialogs.show_error(self, "The merge failed", msg, tb), parent_widget=self)
        self.handle.done.connect(self._update)
        self.status.setText(f"Merging “{names[1]}” into “{names[0]}”…")
        self._update()

    def _merged(self, outcome: tuple[MergeResult, str, str | None], names: tuple[str, str]) -> None:
        result, name, domain = outcome
        self.merged.append(result)
        row = max(self.view.currentIndex().row(), 0)
        self.model.account_merged(result.keep_id, result.merged_id, name, domain)
        self.status.setText(f"Merged “{names[1]}” into “{names[0]}”: {moved_text(result.moved)}.")
        self._after_removal(row)

    def dismiss(self) -> None:
        p = self.current()
        if p is None or self.busy():
            return
        try:
            with self.ctx.workspace.session() as s:
                dismiss_pair(s, p.a_id, p.b_id, self.ctx.user.id)
        except (LookupError, ValueError) as exc:
            dialogs.show_error(self, "Could not mark the pair", str(exc))
            return
        row = self.model.row_of(p.a_id, p.b_id)
        self.model.remove_row(row)
        self.status.setText(f"“{p.a_name}” and “{p.b_name}” are marked as different companies; "
                            "they will not be suggested again.")
        self._after_removal(row)

    def _after_removal(self, row: int) -> None:
        if self.model.rowCount():
            self.view.selectRow(min(row, self.model.rowCount() - 1))
        else:
            self.view.clearSelection()
        self._fill()

    def busy(self) -> bool:
        return self.handle is not None and self.handle.running

    def _update(self, *_: Any) -> None:
        n, busy = self.model.rowCount(), self.busy()
        if self.loaded:
            self.subtitle.setText(f"{n:,} pair{'s' if n != 1 else ''} of accounts with similar names, most "
                                  "alike first. Merge them, or mark them as different companies." if n else
                                  "Nothing to review.")
            self.body.setCurrentIndex(0 if n else 1)
        ready = self.current() is not None and len(self.values) == 2 and not busy
        for b in (self.merge_button, self.swap_button, self.dismiss_button):
            b.setEnabled(ready)

    def reject(self) -> None:
        if self.busy() and self.handle is not None:
            self.handle.cancel()
        super().reject()
