"""The five sections of the Research tab — company facts (with social profiles), people, technologies,
signals and pages — each a titled view with its own empty state. Sections show data and say what the user
asked for (signals); the panel does the work."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui.research.common import SOCIAL_LABELS, PillDelegate, open_links, plural
from ui.research.fact_models import CompanyFactsModel, PeopleModel
from ui.research.site_models import PagesModel, SignalsModel, TechnologyTreeModel
from ui.theme import icon
from ui.widgets.common import EmptyState, label
from ui.widgets.tables import make_table


def button(text: str, icon_name: str, tip: str, primary: bool = False) -> QPushButton:
    b = QPushButton(icon(icon_name, "#ffffff") if primary else icon(icon_name), text)
    if primary:
        b.setObjectName("Primary")
    b.setToolTip(tip)
    return b


class Section(QWidget):
    """One line of what this section is with its actions beside it, then the view (or its empty state). The
    panel's section buttons carry the title and the count."""

    def __init__(self, hint: str, view: QAbstractItemView, empty: EmptyState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.empty = view, empty
        self.actions = QHBoxLayout()
        self.actions.setSpacing(8)
        self.hint = label(hint, "Muted", wrap=True)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(self.hint, 1)
        top.addLayout(self.actions)
        self.stack = QStackedWidget()
        self.stack.addWidget(view)
        self.stack.addWidget(empty)
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(8)
        self.lay.addLayout(top)
        self.lay.addWidget(self.stack, 1)
        open_links(view)

    def set_count(self, n: int) -> None:
        self.stack.setCurrentWidget(self.view if n else self.empty)


class CompanySection(Section):
    applyRequested = Signal(list)  # research field names

    def __init__(self, model: CompanyFactsModel, parent: QWidget | None = None) -> None:
        view = make_table(model, (120, 240, 170, 100, 140, 100, 96), stretch=model.FOUND, sortable=False)
        view.setItemDelegateForColumn(model.ACTION, PillDelegate(view))
        super().__init__("What the website says about the company, each fact with its source. "
                         "Apply writes a fact to the account and records the change in its timeline.",
                         view, EmptyState("building", "No company facts found",
                                          "The pages read carry no structured company data (schema.org, meta "
                                          "tags) and no address, phone or founding year in their text."), parent)
        self.model = model
        view.clicked.connect(self._clicked)
        self.apply_button = button("Apply selected", "check", "Apply every ticked fact to the account at once",
                                   primary=True)
        self.apply_button.clicked.connect(lambda: self.applyRequested.emit(model.checked_fields()))
        self.actions.addWidget(self.apply_button)
        self.conflict_note = label("", "StaleNote", wrap=True)
        self.conflict_note.hide()
        self.lay.insertWidget(1, self.conflict_note)
        self.social = QHBoxLayout()
        self.social.setSpacing(4)
        self.lay.addLayout(self.social)
        self.social_buttons: dict[str, QPushButton] = {}
        model.dataChanged.connect(self._update)
        model.modelReset.connect(self._update)

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == self.model.ACTION and self.model.appliable(self.model.row_at(index.row())):
            self.applyRequested.emit([self.model.row_at(index.row()).field])

    def _update(self, *_: object) -> None:
        n = len(self.model.checked_fields())
        self.apply_button.setEnabled(n > 0)
        self.apply_button.setText(f"Apply selected ({n})" if n else "Apply selected")
        conflicts = self.model.conflicts()
        self.conflict_note.setVisible(conflicts > 0)
        self.conflict_note.setText(f"{plural(conflicts, 'fact')} on the website {'differs' if conflicts == 1 else 'differ'}"
                                   " from the account (amber). Replace overwrites the account's value; leave it "
                                   "when the account is right.")

    def set_social(self, social: dict[str, str], open_url) -> None:  # noqa: ANN001
        while self.social.count():
            item = self.social.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.social_buttons = {}
        self.social.addWidget(label("Social profiles", "FieldCaption"))
        self.social.addSpacing(6)
        if not social:
            self.social.addWidget(label("none found on the pages read", "Muted"))
        for key, url in social.items():
            b = QPushButton(icon("external", "#1d4ed8"), SOCIAL_LABELS.get(key, key.capitalize()))
            b.setObjectName("LinkButton")
            b.setToolTip(url)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.clicked.connect(lambda _=False, u=url: open_url(u))
            self.social.addWidget(b)
            self.social_buttons[key] = b
        self.social.addStretch(1)


class PeopleSection(Section):
    acceptRequested = Signal(list)  # research person ids
    dismissRequested = Signal(list)

    def __init__(self, model: PeopleModel, parent: QWidget | None = None) -> None:
        view = make_table(model, (170, 200, 100, 110, 130, 90, 140, 110), stretch=model.TITLE, sortable=False)
        view.setItemDelegateForColumn(model.STATUS, PillDelegate(view))
        super().__init__("Names and titles from team, leadership and about pages. The title "
                         "suggests seniority, function and buying role; add the people who matter to the "
                         "stakeholder map.", view,
                         EmptyState("person", "No people found",
                                    "None of the pages read lists people with their job titles. Team, "
                                    "leadership and management pages usually do; check the Pages section "
                                    "for what was read."), parent)
        self.model = model
        self.all_box = QCheckBox("Select all")
        self.all_box.toggled.connect(model.set_all_checked)
        self.dismiss_button = button("Dismiss", "x-circle", "Not someone to add: keep them out of the way")
        self.add_button = button("Add to stakeholders", "plus", "Create a contact for each ticked person "
                                 "(or the selected one), with the suggested buying role", primary=True)
        self.add_button.clicked.connect(lambda: self.acceptRequested.emit(self.chosen()))
        self.dismiss_button.clicked.connect(lambda: self.dismissRequested.emit(self.chosen()))
        for w in (self.all_box, self.dismiss_button, self.add_button):
            self.actions.addWidget(w)
        model.dataChanged.connect(self._update)
        model.modelReset.connect(self._update)
        view.selectionModel().selectionChanged.connect(self._update)

    def chosen(self) -> list[int]:
        """The ticked candidates, else the selected row when it is a candidate."""
        ids = self.model.checked_ids()
        if ids:
            return ids
        rows = self.view.selectionModel().selectedRows()
        picked = [self.model.row_at(i.row()) for i in rows]
        return [p.id for p in picked if p.status == "candidate"]

    def _update(self, *_: object) -> None:
        n = len(self.chosen())
        self.add_button.setEnabled(n > 0)
        self.dismiss_button.setEnabled(n > 0)
        self.add_button.setText(f"Add {n} to stakeholders" if n > 1 else "Add to stakeholders")
        candidates = sum(1 for r in self.model.rows() if r.status == "candidate")
        self.all_box.setEnabled(candidates > 0)
        if not self.model.checked_ids() and self.all_box.isChecked():
            self.all_box.blockSignals(True)
            self.all_box.setChecked(False)
            self.all_box.blockSignals(False)


class TechnologiesSection(Section):
    def __init__(self, model: TechnologyTreeModel, parent: QWidget | None = None) -> None:
        view = QTreeView()
        view.setModel(model)
        view.setAlternatingRowColors(True)
        view.setUniformRowHeights(True)
        view.setStyleSheet("QTreeView::item { padding: 4px 2px; }")
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = view.header()
        header.setStretchLastSection(False)
        for col, width in enumerate((230, 300, 110, 110, 150)):
            view.setColumnWidth(col, width)
        header.setSectionResizeMode(model.EVIDENCE, QHeaderView.ResizeMode.Stretch)
        model.modelReset.connect(lambda: self._span(view, model))
        super().__init__("What the site runs, read from its scripts, links, meta tags and cookies; "
                         "the evidence says what gave each one away.", view,
                         EmptyState("layers", "No technologies detected",
                                    "None of the pages read loads a known marketing, analytics, chat, CMS, "
                                    "e-commerce or hiring tool."), parent)
        self.model = model


    @staticmethod
    def _span(view: QTreeView, model: TechnologyTreeModel) -> None:
        """Category rows span every column; all are open."""
        for row in range(model.rowCount()):
            view.setFirstColumnSpanned(row, QModelIndex(), True)
        view.expandAll()


class SignalsSection(Section):
    def __init__(self, model: SignalsModel, parent: QWidget | None = None) -> None:
        view = make_table(model, (110, 120, 420, 110, 100), stretch=model.TEXT, sortable=False)
        view.setItemDelegateForColumn(model.KIND, PillDelegate(view))
        super().__init__("Trigger events, newest first: funding, hiring, leadership changes, "
                         "expansion, launches and press from the site, and technology changes between research "
                         "runs.", view,
                         EmptyState("zap", "No signals yet",
                                    "No dated press item, open role or trigger sentence was found, and no "
                                    "technology has changed since the last research."), parent)
        self.model = model


class PagesSection(Section):
    def __init__(self, model: PagesModel, parent: QWidget | None = None) -> None:
        view = make_table(model, (190, 80, 230, 200, 260), stretch=model.PROBLEM, sortable=False)
        view.setItemDelegateForColumn(model.STATUS, PillDelegate(view))
        super().__init__("The pages research read, stored so they can be re-read offline. Refresh "
                         "fetches only the stale ones (and those that failed).", view,
                         EmptyState("file-text", "No pages stored", "Research the website to read its pages."),
                         parent)
        self.model = model
