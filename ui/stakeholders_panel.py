"""The Stakeholders tab of the account window: the buying committee as a table or as an org chart.

Toolbar: Add contact, Edit, Table/Chart, Search (filters the table, highlights and centres the chart), zoom
out / in / fit, and Export (PNG or SVG, through ``ui.dialogs.save_file``). Under it a coverage strip: committee
coverage %, the required roles nobody fills yet, and a warning when the map has gone stale or its reporting
lines loop.

Every change (drag a card onto its new manager, fill a placeholder, add an influence or conflict line, mark
someone as gone, delete) is one short unit of work through ``accounts.stakeholders``; the map is then reloaded.
Errors go through ``ui.dialogs.show_error``; nothing is written when one happens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from accounts.stakeholders import (
    ROLE_LABELS,
    ContactCard,
    StakeholderMap,
    stakeholder_map,
)
from bdr_desk.export import orgchart_render as render
from bdr_desk.taxonomy import BUYING_ROLE
from ui import dialogs
from ui.context import AppContext
from ui.models.contacts_model import ID_ROLE, ContactsFilterModel, ContactsModel
from ui.orgchart_view import OrgChartView
from ui.stakeholder_actions import StakeholderActionsMixin
from ui.theme import icon
from ui.widgets.common import EmptyState, label
from ui.widgets.tables import make_table

TABLE, CHART = 0, 1

STYLE = """
#CoverageStrip { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 8px; }
#CoveragePct { font-size: 15pt; font-weight: 600; color: #0f172a; }
#CoverageBar { border: none; background: #e2e8f0; border-radius: 4px; max-height: 8px; min-height: 8px; }
#CoverageBar::chunk { border-radius: 4px; background: %(bar)s; }
#MissingRoles { color: #b45309; }
#Complete { color: #047857; font-weight: 600; }
#StaleWarning { background: #fffbeb; color: #92400e; border: 1px solid #fde68a; border-radius: 6px;
                padding: 3px 10px; }
#CycleWarning { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 6px;
                padding: 3px 10px; }
#Segmented QPushButton { border-radius: 0; padding: 5px 14px; margin: 0; }
#Segmented QPushButton#SegLeft { border-top-left-radius: 6px; border-bottom-left-radius: 6px; }
#Segmented QPushButton#SegRight { border-top-right-radius: 6px; border-bottom-right-radius: 6px;
                                  border-left: none; }
#Segmented QPushButton:checked { background: #1d4ed8; color: #ffffff; border-color: #1d4ed8; }
QToolButton#ZoomButton { background: #ffffff; border: 1px solid #cbd5e1; border-radius: 6px;
                         padding: 4px; min-width: 22px; font-weight: 600; color: #334155; }
QToolButton#ZoomButton:hover { background: #f1f5f9; }
#ChartLegend { color: #475569; }
"""


def _toggle_icon(name: str) -> QIcon:
    """Grey when off, white on the checked (blue) segment."""
    ic = QIcon()
    ic.addPixmap(icon(name).pixmap(32, 32), QIcon.Mode.Normal, QIcon.State.Off)
    ic.addPixmap(icon(name, "#ffffff").pixmap(32, 32), QIcon.Mode.Normal, QIcon.State.On)
    return ic


def _bar_color(coverage: float) -> str:
    return "#10b981" if coverage >= 0.999 else "#1d4ed8" if coverage >= 0.5 else "#f59e0b"


class StakeholdersPanel(StakeholderActionsMixin, QWidget):
    changed = Signal()  # something about the account's contacts was written

    def __init__(self, ctx: AppContext, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StakeholdersPanel")
        self.ctx, self.account_id = ctx, account_id
        self.smap: StakeholderMap | None = None

        # ---- toolbar ----
        self.add_button = QPushButton(icon("plus", "#ffffff"), "Add contact")
        self.add_button.setObjectName("Primary")
        self.add_button.clicked.connect(self.add_contact)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.edit_button.setEnabled(False)
        seg = QWidget()
        seg.setObjectName("Segmented")
        seg_lay = QHBoxLayout(seg)
        seg_lay.setContentsMargins(0, 0, 0, 0)
        seg_lay.setSpacing(0)
        self.table_button = QPushButton(_toggle_icon("lists"), "Table")
        self.table_button.setObjectName("SegLeft")
        self.chart_button = QPushButton(_toggle_icon("link"), "Org chart")
        self.chart_button.setObjectName("SegRight")
        self.mode_group = QButtonGroup(self)
        for i, b in enumerate((self.table_button, self.chart_button)):
            b.setCheckable(True)
            self.mode_group.addButton(b, i)
            seg_lay.addWidget(b)
        self.table_button.setChecked(True)
        self.mode_group.idClicked.connect(self.set_mode)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search people, titles, roles…")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.setMinimumWidth(220)
        self.search_box.textChanged.connect(self.search)
        self.search_box.returnPressed.connect(self._next_match)
        self.match_label = label("", "Muted")
        self.zoom_out_button = self._tool("−", "Zoom out (Ctrl+wheel)")
        self.zoom_in_button = self._tool("+", "Zoom in (Ctrl+wheel)")
        self.fit_button = self._tool("Fit", "Fit the whole chart in view")
        self.export_button = QPushButton(icon("import"), "Export")
        export_menu = QMenu(self.export_button)
        export_menu.addAction("PNG image…", lambda: self.export("png"))
        export_menu.addAction("SVG drawing…", lambda: self.export("svg"))
        self.export_button.setMenu(export_menu)
        self.export_button.setToolTip("Save the org chart as a PNG image or an SVG drawing")
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addSpacing(8)
        bar.addWidget(seg)
        bar.addSpacing(8)
        bar.addWidget(self.search_box, 1)
        bar.addWidget(self.match_label)
        self.zoom_box = QWidget()
        zl = QHBoxLayout(self.zoom_box)
        zl.setContentsMargins(0, 0, 0, 0)
        zl.setSpacing(4)
        for b in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            zl.addWidget(b)
        bar.addWidget(self.zoom_box)
        bar.addWidget(self.export_button)

        # ---- coverage strip ----
        strip = QFrame()
        strip.setObjectName("CoverageStrip")
        self.coverage_pct = label("—", "CoveragePct")
        self.coverage_caption = label("committee coverage", "Muted")
        self.coverage_bar = QProgressBar()
        self.coverage_bar.setObjectName("CoverageBar")
        self.coverage_bar.setRange(0, 100)
        self.coverage_bar.setTextVisible(False)
        self.coverage_bar.setFixedWidth(160)
        self.missing = label("", "MissingRoles", wrap=True)
        self.stale = label("", "StaleWarning")
        self.cycles = label("", "CycleWarning", wrap=True)
        head = QVBoxLayout()
        head.setSpacing(2)
        pct_row = QHBoxLayout()
        pct_row.setSpacing(8)
        pct_row.addWidget(self.coverage_pct)
        pct_row.addWidget(self.coverage_caption, 0, Qt.AlignmentFlag.AlignBottom)
        pct_row.addStretch(1)
        head.addLayout(pct_row)
        head.addWidget(self.coverage_bar)
        sl = QHBoxLayout(strip)
        sl.setContentsMargins(14, 8, 14, 8)
        sl.setSpacing(18)
        sl.addLayout(head)
        sl.addWidget(self.missing, 1)
        sl.addWidget(self.stale, 0, Qt.AlignmentFlag.AlignVCenter)

        # ---- table and chart ----
        self.model = ContactsModel(ctx.taxonomy, self)
        self.proxy = ContactsFilterModel(self.model, self)
        self.table = make_table(self.proxy, (170, 230, 150, 96, 104, 110, 150), sortable=True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setIconSize(QSize(10, 10))
        self.table.doubleClicked.connect(self._table_activated)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.chart = OrgChartView()
        self.chart.reparentRequested.connect(self.reparent)
        self.chart.fillRequested.connect(self.fill_placeholder)
        self.chart.actionRequested.connect(self.card_action)
        self.chart.cardActivated.connect(self._card_activated)
        self.chart.scene().selectionChanged.connect(self._update_buttons)
        self.zoom_out_button.clicked.connect(self.chart.zoom_out)
        self.zoom_in_button.clicked.connect(self.chart.zoom_in)
        self.fit_button.clicked.connect(self.chart.fit)
        self.legend = label("", "ChartLegend", wrap=True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        chart_page = QWidget()
        cl = QVBoxLayout(chart_page)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(6)
        chart_frame = QFrame()
        chart_frame.setObjectName("ChartFrame")
        chart_frame.setStyleSheet("#ChartFrame { border: 1px solid #e2e8f0; border-radius: 8px; background: #f8fafc; }")
        fl = QVBoxLayout(chart_frame)
        fl.setContentsMargins(1, 1, 1, 1)
        fl.addWidget(self.chart)
        cl.addWidget(chart_frame, 1)
        cl.addWidget(self.legend)
        self.empty = EmptyState("person", "No stakeholders yet",
                                "Map the buying committee: add the economic buyer, the champion and the evaluators "
                                "you know of. Roles nobody fills yet show on the org chart as placeholders.")
        self.empty.add_button("Add contact", self.add_contact, primary=True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)  # TABLE
        self.stack.addWidget(chart_page)  # CHART
        self.stack.addWidget(self.empty)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(10)
        lay.addLayout(bar)
        lay.addWidget(strip)
        lay.addWidget(self.cycles)
        lay.addWidget(self.stack, 1)
        self._mode = TABLE
        self._fit_pending = True
        self.load()
        self.set_mode(TABLE)

    def _tool(self, text: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setObjectName("ZoomButton")
        b.setText(text)
        b.setToolTip(tip)
        b.setAutoRaise(False)
        return b

    # ---- data ----
    def load(self) -> None:
        with self.ctx.workspace.session() as s:
            smap = stakeholder_map(s, self.account_id)
        self.set_map(smap)

    def set_map(self, smap: StakeholderMap) -> None:
        selected = self.selected_contact_id()
        self.smap = smap
        self.model.set_taxonomy(self.ctx.taxonomy)
        self.model.set_rows(smap.contacts)
        self.chart.set_map(smap, self.ctx.taxonomy)
        self._show_coverage(smap)
        self._show_legend(smap)
        if self.search_box.text().strip():
            self.search(self.search_box.text())
        if selected is not None:
            self.select_contact(selected)
        self._show_page()
        self._update_buttons()

    def contacts(self) -> list[ContactCard]:
        return list(self.smap.contacts) if self.smap else []

    def contact(self, contact_id: int) -> ContactCard | None:
        return next((c for c in self.contacts() if c.id == contact_id), None)

    def _show_coverage(self, smap: StakeholderMap) -> None:
        cov = smap.coverage
        pct = round(cov.coverage * 100)
        self.coverage_pct.setText(f"{pct}%")
        self.coverage_bar.setValue(pct)
        self.setStyleSheet(STYLE % {"bar": _bar_color(cov.coverage)})
        required = [s for s in cov.slots if s.required]
        filled = sum(1 for s in required if s.filled_by)
        self.coverage_caption.setText(f"committee coverage · {filled} of {len(required)} required roles")
        labels = [ROLE_LABELS.get(r) or self.ctx.taxonomy.label(BUYING_ROLE, r) for r in cov.missing_roles]
        if labels:
            self.missing.setObjectName("MissingRoles")
            self.missing.setText("Missing: " + ", ".join(labels))
        else:
            self.missing.setObjectName("Complete")
            self.missing.setText("Every required role is filled")
        self.missing.setToolTip("\n".join(
            f"{s.label}: {'required' if s.required else 'optional'}, weight {s.weight:g} — "
            + (f"{len(s.filled_by)} contact{'s' if len(s.filled_by) != 1 else ''}" if s.filled_by else "nobody")
            for s in cov.slots))
        self.stale.setVisible(bool(smap.stale))
        if smap.stale:
            if smap.last_touch_at is None:
                self.stale.setText("⚠  No activity or research logged yet")
            else:
                self.stale.setText(f"⚠  No activity or research for {smap.stale_days}+ days")
            self.stale.setToolTip(f"Stale map: nothing logged with this account for {smap.stale_days} days or more "
                                  "(the threshold is a workspace setting)")
        names = {c.id: c.name for c in smap.contacts}
        self.cycles.setVisible(bool(smap.cycles_broken))
        if smap.cycles_broken:
            who = ", ".join(names.get(i, f"#{i}") for i in smap.cycles_broken)
            self.cycles.setText(f"Reporting lines loop back on themselves; {who} is drawn at the top of the chart. "
                                "Drag the card onto the right manager to fix it.")
        for w in (self.missing,):
            w.style().unpolish(w)
            w.style().polish(w)

    def _show_legend(self, smap: StakeholderMap) -> None:
        """Buying-role chips for the roles on this chart, the line styles, and the one gesture to know."""
        roles: list[str] = []
        for c in smap.contacts:
            if c.buying_role and c.buying_role not in roles:
                roles.append(c.buying_role)
        chips = [f"<span style='background:{render.ROLE_COLORS.get(r, render.ROLE_COLORS[None])};"
                 f"color:{render.ROLE_INK.get(r, render.ROLE_INK[None])}'>&nbsp;{render.role_label(r, self.ctx.taxonomy)}"
                 "&nbsp;</span>" for r in roles]
        colors = render.EDGE_COLORS
        lines = (f"<span style='color:{colors['reports']}'>━━</span> reports to&nbsp;&nbsp; "
                 f"<span style='color:{colors['influence']}'>∙∙∙▸</span> influences&nbsp;&nbsp; "
                 f"<span style='color:{colors['conflict']}'>╍╍</span> in conflict&nbsp;&nbsp; "
                 "border = sentiment&nbsp;&nbsp; dots = influence 1–5")
        hint = ("Drag a card onto another to change who it reports to (Shift-drop on empty space: nobody); "
                "right-click a card for more.")
        self.legend.setText("&nbsp; ".join(chips) + ("<br>" if chips else "") + lines
                            + f"&nbsp;&nbsp;&nbsp;<span style='color:#94a3b8'>{hint}</span>")

    # ---- modes, selection, search ----
    def set_mode(self, mode: int) -> None:
        self._mode = mode
        (self.table_button if mode == TABLE else self.chart_button).setChecked(True)
        self.zoom_box.setVisible(mode == CHART)
        self._show_page()
        if mode == CHART and self._fit_pending:
            self._fit_pending = False
            QTimer.singleShot(0, self.chart.overview)
        self._update_buttons()

    def mode(self) -> int:
        return self._mode

    def _show_page(self) -> None:
        has_people = bool(self.smap and self.smap.contacts)
        if self._mode == TABLE and not has_people:
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentIndex(self._mode)

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._mode == CHART and self._fit_pending:
            self._fit_pending = False
            QTimer.singleShot(0, self.chart.overview)

    def selected_contact_id(self) -> int | None:
        if self._mode == CHART:
            key = self.chart.selected_key()
            return key if isinstance(key, int) else None
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if rows:
            return rows[0].data(ID_ROLE)
        return None

    def select_contact(self, contact_id: int) -> None:
        src = self.model.row_of(contact_id)
        if src >= 0:
            idx = self.proxy.mapFromSource(self.model.index(src, 0))
            if idx.isValid():
                self.table.selectionModel().select(
                    idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        card = self.chart.card(contact_id)
        if card is not None:
            self.chart.scene().clearSelection()
            card.setSelected(True)

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.selected_contact_id() is not None)
        has = bool(self.smap and (self.smap.contacts or self.smap.coverage.missing_roles))
        self.export_button.setEnabled(has)

    def search(self, text: str) -> list[Any]:
        self.proxy.set_search(text)
        matches = self.chart.search(text)
        if text.strip():
            n = self.proxy.rowCount()
            self.match_label.setText(f"{n} match{'es' if n != 1 else ''}" if self._mode == TABLE
                                     else f"{len(matches)} on the chart")
        else:
            self.match_label.setText("")
        return matches

    def _next_match(self) -> None:
        m = self.chart.matches
        if self._mode == CHART and len(m) > 1:
            m.append(m.pop(0))  # Enter cycles through the matches
            self.chart.centerOn(self.chart.cards[m[0]])

    # ---- editing ----
    def export(self, fmt: str = "png") -> Path | None:
        if self.smap is None:
            return None
        stem = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in self.smap.account_name).strip()
        filters = "PNG image (*.png);;SVG drawing (*.svg)" if fmt == "png" else "SVG drawing (*.svg);;PNG image (*.png)"
        chosen = dialogs.save_file(self, "Export org chart", f"{stem or 'org chart'} org chart.{fmt}", filters)
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() not in (".png", ".svg"):
            path = path.with_suffix(f".{fmt}")
        try:
            if path.suffix.lower() == ".svg":
                render.render_svg(self.smap, str(path), self.ctx.taxonomy)
            else:
                render.render_png(self.smap, str(path), self.ctx.taxonomy)
        except (OSError, ValueError) as exc:
            dialogs.show_error(self, "Could not export the org chart", str(exc))
            return None
        return path
