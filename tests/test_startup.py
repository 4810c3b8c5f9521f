"""First run: the profile dialog, the profile file, the workspace user; and the crash log."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import func, select

from bdr_desk import cli
from bdr_desk.commands import core
from bdr_desk.config import Profile, load_profile, load_settings, save_profile
from bdr_desk.users import User, ensure_user
from ui.startup import ProfileDialog


def test_profile_dialog_requires_name_and_email(qtbot):
    dlg = ProfileDialog()
    qtbot.addWidget(dlg)
    start = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not start.isEnabled()
    qtbot.keyClicks(dlg.name, "Jane Doe")
    qtbot.keyClicks(dlg.email, "jane@")
    assert not start.isEnabled()
    qtbot.keyClicks(dlg.email, "acme.example")
    dlg.role.setCurrentIndex(dlg.role.findData("marketing"))
    assert start.isEnabled() and "content library" in dlg.hint.text()
    with qtbot.waitSignal(dlg.accepted):
        qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    assert dlg.profile() == Profile("Jane Doe", "jane@acme.example", "marketing")


def test_profile_round_trip_and_user_row(sqlite_workspace):
    settings = load_settings(sqlite_workspace.url)
    assert load_profile(settings) is None
    save_profile(settings, Profile("Jane Doe", "jane@acme.example", "bdr"))
    assert load_profile(settings) == Profile("Jane Doe", "jane@acme.example", "bdr")
    settings.profile_file.write_text("{not json")
    assert load_profile(settings) is None  # a damaged file means "ask again", not a crash
    with sqlite_workspace.session() as s:
        first = ensure_user(s, Profile("Jane Doe", "Jane@Acme.example", "bdr")).id
    with sqlite_workspace.session() as s:
        again = ensure_user(s, Profile("Jane D.", "jane@acme.example", "manager"))
        assert again.id == first and again.role == "manager"
        assert s.scalar(select(func.count()).select_from(User)) == 1


def test_profile_validates_role():
    with pytest.raises(ValueError, match="role must be one of"):
        Profile("X", "x@y.example", "ceo")


def test_unexpected_error_goes_to_crash_log(capsys, monkeypatch, sqlite_workspace):
    def boom(args, settings):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(core, "cmd_accounts_list", boom)
    code = cli.main(["--db", sqlite_workspace.url, "accounts", "list"])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "disk on fire" in err and "crash.log" in err
    log = load_settings().crash_log.read_text()
    assert "Traceback" in log and "RuntimeError: disk on fire" in log
