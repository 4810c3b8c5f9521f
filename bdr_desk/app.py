"""The GUI entry point (the only module outside ``ui/`` that imports it)."""

from __future__ import annotations

import gc
import sys

from bdr_desk.config import Profile, Settings, load_profile, save_profile
from bdr_desk.crashlog import one_line, write_crash
from bdr_desk.db import DatabaseError, open_workspace

APP_NAME = "BDR Desk"
ORG_NAME = "BDR Desk"


def demo_profile() -> Profile:
    """In the demo workspace you start as its first BDR, so "My accounts" and today's tasks have data."""
    from bdr_desk.demo import load_data

    user = next(u for u in load_data("people")["users"] if u["role"] == "bdr")
    return Profile(user["name"], user["email"], user["role"])


def settle_heap() -> None:
    """Freeze the objects of start-up (modules, Qt wrappers, the ORM registry) out of the garbage collector.

    A full collection in a worker thread walks every tracked object while holding the GIL; with the start-up
    heap frozen those passes drop from ~100 ms to a few ms, so background jobs no longer stall the window
    (measured by ``bench/bench_stall.py``).
    """
    gc.collect()
    gc.freeze()


def make_application(argv: list[str] | None = None):
    from PySide6.QtWidgets import QApplication

    from ui.theme import apply_theme

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    apply_theme(app)
    return app


def install_excepthook(settings: Settings) -> None:
    """An unexpected error in a slot: the traceback goes to the crash log, the user sees one line."""
    from ui import dialogs

    def excepthook(exc_type, exc, tb):
        log = write_crash(settings, exc, context="gui")
        dialogs.show_error(None, "Something went wrong", one_line(exc),
                           f"The details were written to {log}." if log else "")

    sys.excepthook = excepthook


def run_gui(settings: Settings, demo: bool = False) -> int:
    app = make_application()
    from ui import dialogs
    from ui.jobs import JobRunner
    from ui.main_window import MainWindow
    from ui.startup import ProfileDialog, create_context, seed_demo_with_progress

    install_excepthook(settings)
    try:
        workspace = open_workspace(settings.database_url)
    except DatabaseError as exc:
        dialogs.show_error(None, "Cannot open the workspace", str(exc))
        return 1
    runner = JobRunner(app)
    if demo:
        from bdr_desk.demo import is_empty

        with workspace.session() as s:
            empty = is_empty(s)
        if empty and not seed_demo_with_progress(workspace, runner):
            return 1
    profile = load_profile(settings)
    if profile is None:
        dialog = ProfileDialog(demo_profile() if demo else None)
        if dialog.exec() != ProfileDialog.DialogCode.Accepted:
            return 0
        profile = dialog.profile()
        save_profile(settings, profile)
    window = MainWindow(create_context(settings, workspace, profile, runner))
    window.show()
    settle_heap()
    code = app.exec()
    runner.wait(5_000)
    workspace.dispose()
    return code
