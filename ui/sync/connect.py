"""Connect a CRM: a card per system with its state, a token field that goes straight to the OS keyring (never
the database, settings or logs), the base/instance URL (a workspace setting, not a secret) and "Test connection".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from accounts.models import WorkspaceSetting
from bdr_desk.crm import credentials
from bdr_desk.crm.connector import ConnectorError
from bdr_desk.crm.status import ConnectorStatus
from bdr_desk.db import Workspace
from ui.context import AppContext
from ui.theme import icon
from ui.widgets.common import label

URL_SETTING = "crm.base_url.{system}"
TOKEN_KEYS = {"hubspot": "token", "salesforce": "access_token"}
URL_LABELS = {"hubspot": "API base URL", "salesforce": "Instance URL"}
URL_HINTS = {"hubspot": "https://api.hubapi.com (default)", "salesforce": "https://yourorg.my.salesforce.com"}
TOKEN_HINTS = {"hubspot": "Private-app access token", "salesforce": "Access token"}
RESULT_CHARS = 160  # a failure's one line, shortened on the card (the whole line is its tooltip)
STATE_COLORS = {"ok": "#047857", "bad": "#b91c1c", "neutral": "#0f172a"}


def load_base_url(ws: Workspace, system: str) -> str:
    with ws.session() as s:
        row = s.get(WorkspaceSetting, URL_SETTING.format(system=system))
        return str(row.value or "") if row is not None else ""


def save_base_url(ws: Workspace, system: str, url: str) -> None:
    key = URL_SETTING.format(system=system)
    with ws.session() as s:
        row = s.get(WorkspaceSetting, key)
        if row is None:
            s.add(WorkspaceSetting(key=key, value=url or None))
        else:
            row.value = url or None


def connector_factory(system: str, base_url: str | None) -> Callable[[], Any]:
    """Builds the connector on the worker thread (the keyring is read there, not on the GUI thread)."""
    def build() -> Any:
        from bdr_desk.commands.sync import connector_for

        return connector_for(system, base_url or None)
    return build


def close_quietly(conn: Any) -> None:
    close = getattr(conn, "close", None)
    if callable(close):
        close()


class ConnectCard(QFrame):
    """One CRM. ``connectionTested(system, ok)`` after each test."""

    connectionTested = Signal(str, bool)  # noqa: N815 - Qt signal naming

    def __init__(self, ctx: AppContext, status: ConnectorStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.ctx = ctx
        self.system = status.system
        self.handle: Any = None
        self.name = label(status.label, "SectionTitle")
        self.state = label("", "CardState")
        self.how = label("", "Muted", wrap=True)
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(TOKEN_HINTS[self.system])
        self.token.returnPressed.connect(self.save_token)
        self.save_button = QPushButton(icon("save"), "Save to keyring")
        self.save_button.clicked.connect(self.save_token)
        self.url = QLineEdit(load_base_url(ctx.workspace, self.system))
        self.url.setPlaceholderText(URL_HINTS[self.system])
        self.url.editingFinished.connect(self.save_url)
        self.test_button = QPushButton(icon("zap"), "Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.result = label("", "Muted", wrap=True)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        grid.addWidget(label("Token", "Muted"), 0, 0)
        grid.addWidget(self.token, 0, 1)
        grid.addWidget(self.save_button, 0, 2)
        grid.addWidget(label(URL_LABELS[self.system], "Muted"), 1, 0)
        grid.addWidget(self.url, 1, 1)
        grid.addWidget(self.test_button, 1, 2)
        grid.setColumnStretch(1, 1)
        head = QHBoxLayout()
        head.addWidget(self.name)
        head.addStretch(1)
        head.addWidget(self.state)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(6)
        lay.addLayout(head)
        lay.addWidget(self.how)
        lay.addLayout(grid)
        lay.addWidget(self.result)
        lay.addStretch(1)  # cards side by side stay top-aligned whatever their result line says
        self.set_status(status)

    def base_url(self) -> str:
        return self.url.text().strip()

    def set_status(self, status: ConnectorStatus) -> None:
        if self.handle is None and not self.state.property("tested"):
            self._state(status.state, "neutral")
        self.how.setText(status.how_to_connect)

    def _state(self, text: str, tone: str) -> None:
        self.state.setText(text)
        self.state.setStyleSheet(f"font-weight: 600; color: {STATE_COLORS[tone]};")

    def save_url(self) -> None:
        save_base_url(self.ctx.workspace, self.system, self.base_url())

    def save_token(self) -> None:
        value = self.token.text()
        self.token.clear()  # the field never keeps it, whatever happens next
        if not value.strip():
            self.result.setText("Paste a token first.")
            return
        try:
            credentials.set_token(self.system, TOKEN_KEYS[self.system], value)
        except ConnectorError as exc:
            self.result.setText(str(exc))
            self._state("Token not stored", "bad")
            return
        self.result.setText("Token stored in the OS keyring. Test the connection to check it.")
        self._state("Token stored", "neutral")

    def test_connection(self) -> None:
        self.save_url()
        build = connector_factory(self.system, self.base_url())

        def job(progress: Any, cancel: Any) -> str:
            progress(0, 1, "connecting")
            conn = build()
            try:
                return conn.test_connection()
            finally:
                close_quietly(conn)

        self.test_button.setEnabled(False)
        self.result.setText("Testing…")
        self.handle = self.ctx.jobs.start(f"Test {self.name.text()} connection", job, self._tested_ok,
                                          self._tested_failed, self, inline=True)
        self.handle.done.connect(self._test_done)

    def _tested_ok(self, line: str) -> None:
        self.state.setProperty("tested", True)
        self._state("Connected", "ok")
        self.result.setText(f"✓ {line}")
        self.result.setToolTip("")
        self.connectionTested.emit(self.system, True)

    def _tested_failed(self, message: str, _details: str) -> None:
        self.state.setProperty("tested", True)
        self._state("Connection failed", "bad")
        short = message if len(message) <= RESULT_CHARS else message[:RESULT_CHARS - 1].rstrip() + "…"
        self.result.setText(f"✗ {short}")
        self.result.setToolTip(message)
        self.connectionTested.emit(self.system, False)

    def _test_done(self) -> None:
        self.handle = None
        self.test_button.setEnabled(True)
