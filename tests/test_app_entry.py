"""The GUI entry as `make run` uses it: demo seeded on first run, the profile asked once, the main window
opened on the role's page; and the GUI's last line of defence (excepthook → crash log + one line)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

import bdr_desk.app as app_module
from accounts.models import Account
from bdr_desk.config import load_profile, load_settings
from bdr_desk.db import open_workspace
from ui import dialogs
from ui.main_window import MainWindow
from ui.startup import ProfileDialog


def test_first_run_of_the_demo(qapp, tmp_path, monkeypatch):
    settings = load_settings(f"sqlite:///{tmp_path / 'demo.db'}", demo=True)
    seen = {}

    def accept_prefilled(dialog):
        seen["prefilled"] = dialog.profile()
        return ProfileDialog.DialogCode.Accepted

    def fake_exec(*_args):
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        seen["page"] = window.current_page()
        seen["rows"] = window.page("accounts").model.total
        window.close()
        return 0

    monkeypatch.setattr(ProfileDialog, "exec", accept_prefilled)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setattr(app_module, "settle_heap", lambda: seen.setdefault("settled", True))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)

    assert app_module.run_gui(settings, demo=True) == 0
    assert seen["prefilled"].role == "bdr" and seen["prefilled"].email.endswith("@bdrdesk.example")
    assert load_profile(settings) == seen["prefilled"]
    assert not (settings.config_dir / "profile.json").exists()  # the demo never becomes your real profile
    assert seen["page"] == "outreach" and seen["rows"] >= 30 and seen["settled"]

    # second start: no dialog, no second seed
    monkeypatch.setattr(ProfileDialog, "exec", lambda d: (_ for _ in ()).throw(AssertionError("asked twice")))
    assert app_module.run_gui(settings, demo=True) == 0
    ws = open_workspace(settings.database_url)
    with ws.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == seen["rows"]
    ws.dispose()


def test_unopenable_workspace_is_one_dialog(qapp, monkeypatch):
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": errors.append((title, msg)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    settings = load_settings("postgresql+psycopg://bdr:s3cret@127.0.0.1:9/none")
    assert app_module.run_gui(settings) == 1
    assert errors[0][0] == "Cannot open the workspace" and "s3cret" not in errors[0][1]


def test_excepthook_logs_and_shows_one_line(monkeypatch):
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": errors.append((msg, details)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    settings = load_settings()
    app_module.install_excepthook(settings)
    try:
        raise KeyError("account 42 vanished")
    except KeyError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert errors == [("'account 42 vanished'", f"The details were written to {settings.crash_log}.")]
    assert "KeyError: 'account 42 vanished'" in settings.crash_log.read_text()
