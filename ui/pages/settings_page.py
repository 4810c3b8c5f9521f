"""Settings: who you are (profile), where the workspace lives, and the shared taxonomy marketing curates."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import IntegrityError

from bdr_desk.config import ROLES, Profile, save_profile
from bdr_desk.db import current_revision, safe_url
from bdr_desk.taxonomy import (
    ABM_STAGE,
    BUYING_ROLE,
    FUNNEL_STAGE,
    INDUSTRY,
    PAIN,
    PERSONA,
    SIZE_BAND,
    VOCABULARIES,
    TaxonomyError,
    add_term,
)
from bdr_desk.users import ROLE_LABELS, update_user
from ui import dialogs
from ui.context import AppContext, CurrentUser
from ui.models.record_table import RecordTableModel
from ui.startup import EMAIL_RE, ROLE_HINTS
from ui.theme import icon
from ui.widgets.common import PageHeader, label

VOCABULARY_LABELS = {
    INDUSTRY: "Industries", SIZE_BAND: "Company size bands", PAIN: "Pains", PERSONA: "Personas",
    BUYING_ROLE: "Buying roles", ABM_STAGE: "ABM stages", FUNNEL_STAGE: "Funnel stages",
}
# Vocabularies the app's workflow is built on (stage order, size ranges) are shown but not extended here.
EXTENDABLE = (INDUSTRY, PAIN, PERSONA, BUYING_ROLE)
CURATORS = ("marketing", "manager")
ENGINE_LABELS = {"sqlite": "SQLite (this computer)", "postgresql": "PostgreSQL (shared team workspace)"}


def _tab(widget: QWidget) -> QVBoxLayout:
    lay = QVBoxLayout(widget)
    lay.setContentsMargins(20, 18, 20, 18)
    lay.setSpacing(12)
    return lay


def _readonly(text: str = "") -> QLineEdit:
    w = QLineEdit(text)
    w.setReadOnly(True)
    w.setStyleSheet("background: #f8fafc; color: #334155;")
    return w


class SettingsPage(QWidget):
    profileSaved = Signal()  # ctx.user was updated

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.header = PageHeader("Settings", "Your profile, this workspace, and the shared taxonomy")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(False)
        self.tabs.addTab(self._profile_tab(), icon("person"), "Profile")
        self.tabs.addTab(self._workspace_tab(), icon("link"), "Workspace")
        self.tabs.addTab(self._taxonomy_tab(), icon("lists"), "Taxonomy")
        from ui.widgets.committee_settings import CommitteeSettings

        self.committees = CommitteeSettings(ctx)
        self.tabs.addTab(self.committees, icon("person"), "Buying committees")
        from ui.messaging.calendar_settings import BusinessCalendarSettings

        self.business_days = BusinessCalendarSettings(ctx)
        self.tabs.addTab(self.business_days, icon("calendar"), "Business days")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(14)
        lay.addWidget(self.header)
        lay.addWidget(self.tabs, 1)

    # ---- profile ----
    def _profile_tab(self) -> QWidget:
        w = QWidget()
        lay = _tab(w)
        lay.addWidget(label("Who uses BDR Desk on this computer. New accounts and contacts you create are yours; "
                            "your role decides which page opens first.", "Muted", wrap=True))
        self.name = QLineEdit()
        self.name.setPlaceholderText("Jane Doe")
        self.email = QLineEdit()
        self.email.setPlaceholderText("jane.doe@yourcompany.com")
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(ROLE_LABELS[r], r)
        self.role_hint = label("", "Muted", wrap=True)
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        form.addRow("Name", self.name)
        form.addRow("Work email", self.email)
        form.addRow("Role", self.role)
        form.addRow("", self.role_hint)
        for field in (self.name, self.email, self.role):
            field.setMaximumWidth(420)
        lay.addLayout(form)
        self.save_button = QPushButton(icon("save", "#ffffff"), "Save profile")
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save_profile)
        self.profile_note = label("", "Muted", wrap=True)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.profile_note, 1)
        lay.addLayout(row)
        lay.addStretch(1)
        self.role.currentIndexChanged.connect(
            lambda *_: self.role_hint.setText(ROLE_HINTS[self.role.currentData()] + " Applies at next start."))
        self._load_profile()
        return w

    def _load_profile(self) -> None:
        user = self.ctx.user
        self.name.setText(user.name)
        self.email.setText(user.email)
        self.role.setCurrentIndex(max(self.role.findData(user.role), 0))
        self.role_hint.setText(ROLE_HINTS[self.role.currentData()] + " Applies at next start.")

    def save_profile(self) -> None:
        email = self.email.text().strip().lower()
        if not EMAIL_RE.match(email):
            dialogs.show_error(self, "Cannot save the profile", "Enter a work email such as jane@company.com.")
            return
        try:
            profile = Profile(self.name.text().strip(), email, self.role.currentData())
            with self.ctx.workspace.session() as s:  # the workspace first: a taken email changes nothing
                user = update_user(s, self.ctx.user.id, profile)
                current = CurrentUser(user.id, user.name, user.email, user.role)
            save_profile(self.ctx.settings, profile)
        except (ValueError, OSError) as exc:
            dialogs.show_error(self, "Cannot save the profile", str(exc))
            return
        self.ctx.user = current
        self.profileSaved.emit()
        self.profile_note.setText(
            f"Saved. BDR Desk opens on the {ROLE_LABELS[profile.role]} start page from the next start.")
        self._apply_permissions()

    # ---- workspace ----
    def _workspace_tab(self) -> QWidget:
        w = QWidget()
        lay = _tab(w)
        lay.addWidget(label("Where this workspace's data lives. Passwords in the database address are never "
                            "shown; CRM credentials stay in the OS keyring.", "Muted", wrap=True))
        self.db_url = _readonly()
        self.engine = _readonly()
        self.revision = _readonly()
        self.data_dir = _readonly()
        self.crash_log = _readonly()
        self.crash_note = label("", "Muted")
        self.copy_data_dir = self._copy_button(self.data_dir)
        self.copy_crash_log = self._copy_button(self.crash_log)
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        form.addRow("Database", self.db_url)
        form.addRow("Engine", self.engine)
        form.addRow("Schema revision", self.revision)
        form.addRow("Data folder", self._with_button(self.data_dir, self.copy_data_dir))
        form.addRow("Crash log", self._with_button(self.crash_log, self.copy_crash_log))
        form.addRow("", self.crash_note)
        lay.addLayout(form)
        lay.addStretch(1)
        return w

    def _copy_button(self, field: QLineEdit) -> QPushButton:
        b = QPushButton("Copy path")
        b.setToolTip("Copy the path to the clipboard")
        b.clicked.connect(lambda: QApplication.clipboard().setText(field.text()))
        return b

    @staticmethod
    def _with_button(field: QLineEdit, button: QPushButton) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        row.addWidget(button)
        return w

    def _show_workspace(self) -> None:
        ws, settings = self.ctx.workspace, self.ctx.settings
        self.db_url.setText(safe_url(ws.url))
        version = ws.engine.dialect.server_version_info
        engine = ENGINE_LABELS.get(ws.dialect, ws.dialect)
        if version:
            engine += " " + ".".join(str(p) for p in version[:3])
        self.engine.setText(engine)
        self.revision.setText(current_revision(ws.engine) or "not migrated")
        self.data_dir.setText(str(settings.data_dir))
        log = settings.crash_log
        self.crash_log.setText(str(log))
        self.crash_note.setText("A crash report was written here; attach it when you report a problem."
                                if log.exists() else "No crash has been recorded.")

    # ---- taxonomy ----
    def _taxonomy_tab(self) -> QWidget:
        w = QWidget()
        lay = _tab(w)
        lay.addWidget(label("One vocabulary for the whole team: accounts, contacts, content and every CRM mapping "
                            "use these terms.", "Muted", wrap=True))
        self.vocabulary = QComboBox()
        for v in VOCABULARIES:
            self.vocabulary.addItem(VOCABULARY_LABELS.get(v, v), v)
        self.term_count = label("", "Muted")
        top = QHBoxLayout()
        top.addWidget(label("Vocabulary", "Muted"))
        top.addWidget(self.vocabulary)
        top.addStretch(1)
        top.addWidget(self.term_count)
        lay.addLayout(top)
        self.terms_model = RecordTableModel([("Label", lambda t: t.label), ("Key", lambda t: t.key)], parent=self)
        self.terms = QTableView()
        self.terms.setModel(self.terms_model)
        self.terms.setAlternatingRowColors(True)
        self.terms.setShowGrid(False)
        self.terms.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.terms.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.terms.verticalHeader().hide()
        self.terms.verticalHeader().setDefaultSectionSize(28)
        self.terms.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.terms.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.terms, 1)
        self.new_term = QLineEdit()
        self.new_term.setPlaceholderText("New term, e.g. Climate tech")
        self.new_term.returnPressed.connect(self.add_term)
        self.add_button = QPushButton(icon("plus"), "Add term")
        self.add_button.clicked.connect(self.add_term)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_term, 1)
        add_row.addWidget(self.add_button)
        lay.addLayout(add_row)
        self.taxonomy_note = label("", "Muted", wrap=True)
        lay.addWidget(self.taxonomy_note)
        self.vocabulary.currentIndexChanged.connect(self._show_terms)
        return w

    @property
    def can_curate(self) -> bool:
        return self.ctx.user.role in CURATORS

    def _show_terms(self) -> None:
        vocabulary = self.vocabulary.currentData()
        terms = self.ctx.taxonomy.terms.get(vocabulary, [])
        self.terms_model.set_rows(terms)
        self.term_count.setText(f"{len(terms):,} terms")
        self._apply_permissions()

    def _apply_permissions(self) -> None:
        vocabulary = self.vocabulary.currentData()
        editable = self.can_curate and vocabulary in EXTENDABLE
        self.new_term.setEnabled(editable)
        self.add_button.setEnabled(editable)
        if not self.can_curate:
            note = ("Marketing curates the shared taxonomy; ask them when a term is missing. "
                    "You can use every term listed here.")
        elif vocabulary not in EXTENDABLE:
            note = (f"{VOCABULARY_LABELS[vocabulary]} are built into BDR Desk's workflow and cannot be extended "
                    "here. Industries, pains, personas and buying roles can.")
        else:
            note = "New terms are available to the whole team right away. A term's key is made from its label."
        self.taxonomy_note.setText(note)

    def add_term(self) -> None:
        vocabulary, text = self.vocabulary.currentData(), self.new_term.text().strip()
        if not (self.can_curate and vocabulary in EXTENDABLE):
            return
        try:
            with self.ctx.workspace.session() as s:
                add_term(s, vocabulary, text)
        except TaxonomyError as exc:
            message = str(exc)
            dialogs.show_error(self, "Cannot add the term", message[:1].upper() + message[1:])
            return
        except IntegrityError:  # a teammate added the same term a moment ago
            dialogs.show_error(self, "Cannot add the term", f"{text!r} was just added by someone else.")
            self.ctx.reload_taxonomy()
            self._show_terms()
            return
        self.ctx.reload_taxonomy()
        self.new_term.clear()
        self._show_terms()
        labels = [t.label for t in self.ctx.taxonomy.terms.get(vocabulary, [])]
        if text in labels:
            self.terms.selectRow(labels.index(text))
            self.terms.scrollTo(self.terms_model.index(labels.index(text), 0))

    def refresh(self) -> None:
        self._show_workspace()
        self._show_terms()
