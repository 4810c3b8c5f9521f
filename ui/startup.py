"""Start-up steps that need a screen: the first-run profile dialog, seeding the demo workspace with a
progress dialog, and building the application context."""

from __future__ import annotations

import re

from PySide6.QtCore import QEventLoop, QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from bdr_desk.config import ROLES, Profile, Settings
from bdr_desk.db import Workspace
from bdr_desk.taxonomy import Taxonomy
from bdr_desk.users import ROLE_LABELS, ensure_user
from ui.context import AppContext, CurrentUser
from ui.jobs import JobRunner
from ui.theme import app_icon

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLE_HINTS = {
    "bdr": "BDR — opens on today's outreach; new accounts and contacts are yours.",
    "marketing": "Marketing — opens on the content library you curate.",
    "manager": "Manager — opens on the team dashboard and funnel.",
}


class ProfileDialog(QDialog):
    """Who is using BDR Desk on this machine: decides the first page and who owns new records."""

    def __init__(self, profile: Profile | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to BDR Desk")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(460)
        intro = QLabel("Tell BDR Desk who you are. Your role decides which page opens first and who owns the "
                       "accounts and contacts you create.")
        intro.setWordWrap(True)
        self.name = QLineEdit(profile.name if profile else "")
        self.name.setPlaceholderText("Jane Doe")
        self.email = QLineEdit(profile.email if profile else "")
        self.email.setPlaceholderText("jane.doe@yourcompany.com")
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(ROLE_LABELS[r], r)
        if profile:
            self.role.setCurrentIndex(ROLES.index(profile.role))
        self.hint = QLabel(objectName="Muted")
        self.hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Work email", self.email)
        form.addRow("Role", self.role)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(QSize(40, 40)))
        title = QLabel("Welcome to BDR Desk", objectName="PageTitle")
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(logo)
        head.addWidget(title, 1)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("Primary")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(12)
        lay.addLayout(head)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.hint)
        lay.addWidget(self.buttons)
        for w in (self.name, self.email):
            w.textChanged.connect(self._validate)
        self.role.currentIndexChanged.connect(self._validate)
        self._validate()

    def _validate(self) -> None:
        self.hint.setText(ROLE_HINTS[self.role.currentData()])
        ok = bool(self.name.text().strip()) and bool(EMAIL_RE.match(self.email.text().strip()))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def profile(self) -> Profile:
        return Profile(self.name.text().strip(), self.email.text().strip().lower(), self.role.currentData())


def seed_demo_with_progress(workspace: Workspace, runner: JobRunner, parent: QWidget | None = None) -> bool:
    """Seed the demo into an empty workspace as a job, with a progress dialog and Cancel. True if seeded."""
    from bdr_desk.demo import seed_demo

    def job(progress, cancel):
        with workspace.session() as session:
            return seed_demo(session, progress=progress, cancel=cancel)

    dialog = QProgressDialog("Preparing the demo workspace…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle("BDR Desk")
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(300)
    loop = QEventLoop()
    outcome = {"ok": False}
    handle = runner.start("Seeding the demo workspace", job,
                          on_success=lambda _r: outcome.update(ok=True), parent_widget=parent)
    handle.progress.connect(lambda d, t, m: (dialog.setMaximum(t), dialog.setValue(d), dialog.setLabelText(m)))
    dialog.canceled.connect(handle.cancel)
    handle.done.connect(loop.quit)
    if handle.running:
        loop.exec()
    dialog.close()
    return outcome["ok"]


def create_context(settings: Settings, workspace: Workspace, profile: Profile, runner: JobRunner) -> AppContext:
    with workspace.session() as s:
        user = ensure_user(s, profile)
        current = CurrentUser(user.id, user.name, user.email, user.role)
        taxonomy = Taxonomy.load(s)
    return AppContext(settings=settings, workspace=workspace, user=current, taxonomy=taxonomy, jobs=runner)
