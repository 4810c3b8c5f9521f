"""Test set-up: headless Qt, private data/config dirs, and workspaces on SQLite and
PostgreSQL (each test gets a fresh, migrated database)."""

from __future__ import annotations

import os
import shutil
import uuid

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bdr_desk.db import Workspace, open_workspace  # noqa: E402
from tests.postgres_server import PostgresServer  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory, monkeypatch):
    """Never touch the user's real data dir, config dir, QSettings or database URL."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BDR_DESK_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("BDR_DESK_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg"))
    monkeypatch.delenv("BDR_DESK_DATABASE_URL", raising=False)


def fixtures_dir():
    """The shared real-world fixtures (BDR_DESK_FIXTURES); skip without them, except in CI."""
    path = os.environ.get("BDR_DESK_FIXTURES")
    if not path:
        if IN_CI:
            pytest.fail("BDR_DESK_FIXTURES is not set in CI")
        pytest.skip("BDR_DESK_FIXTURES not set: the real-world fixture tier is skipped")
    return path


# ---- PostgreSQL: one server per test session, one database per test cloned from a migrated template ----

@pytest.fixture(scope="session")
def postgres_admin_url():
    url = os.environ.get("BDR_DESK_TEST_POSTGRES_URL")
    server = None
    if not url:
        server = PostgresServer()
        url = server.start()
        if url is None:
            if IN_CI:
                pytest.fail(f"PostgreSQL tier cannot run in CI: {server.reason}")
            pytest.skip(f"PostgreSQL tier skipped: {server.reason}")
    yield url
    if server:
        server.stop()


def _admin_exec(admin_url: str, *statements: str) -> None:
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            for stmt in statements:
                conn.execute(text(stmt))
    finally:
        eng.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url):
    """A database migrated to head once; tests clone it (CREATE DATABASE ... TEMPLATE)."""
    name = f"bdr_tpl_{uuid.uuid4().hex[:8]}"
    _admin_exec(postgres_admin_url, f'CREATE DATABASE "{name}"')
    url = make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    ws = open_workspace(url)
    ws.dispose()
    yield name
    _admin_exec(postgres_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    ws = open_workspace(f"sqlite:///{path}")
    with ws.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    ws.dispose()
    return path


def _sqlite_workspace(template, tmp_path) -> Workspace:
    db = tmp_path / "workspace.db"
    shutil.copyfile(template, db)
    return open_workspace(f"sqlite:///{db}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def workspace(request, tmp_path, sqlite_template):
    """A fresh, migrated workspace on each engine."""
    if request.param == "sqlite":
        ws = _sqlite_workspace(sqlite_template, tmp_path)
        yield ws
        ws.dispose()
        return
    admin = request.getfixturevalue("postgres_admin_url")
    template = request.getfixturevalue("postgres_template")
    name = f"bdr_t_{uuid.uuid4().hex[:10]}"
    _admin_exec(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    ws = open_workspace(url)
    yield ws
    ws.dispose()
    _admin_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_workspace(tmp_path, sqlite_template):
    """A fresh SQLite workspace, for tests that are not about the engine (GUI, CLI)."""
    ws = _sqlite_workspace(sqlite_template, tmp_path)
    yield ws
    ws.dispose()


# ---- GUI ------------------------------------------------------------------------------------------------

@pytest.fixture
def make_ctx(qapp):
    """Build an AppContext over a workspace for a given role (the app's stylesheet applied)."""
    from bdr_desk.app import make_application
    from bdr_desk.config import Profile, load_settings
    from ui.jobs import JobRunner
    from ui.startup import create_context

    make_application()
    runners = []

    def build(ws, role="bdr", name="Test User", email=None):
        runner = JobRunner()
        runners.append(runner)
        profile = Profile(name, email or f"{role}@test.example", role)
        return create_context(load_settings(ws.url), ws, profile, runner)

    yield build
    for r in runners:  # leak check: no job may outlive its test
        r.cancel_all()
        assert r.wait(10_000), "a background job was still running after the test"


@pytest.fixture
def ctx(make_ctx, sqlite_workspace):
    return make_ctx(sqlite_workspace)


@pytest.fixture(autouse=True)
def _no_leftover_windows(request):
    yield
    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        return
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    left = [w for w in app.topLevelWidgets() if w.isVisible()]
    for w in left:
        w.close()
    assert not left, f"test left windows open: {[type(w).__name__ for w in left]}"



@pytest.fixture(scope="session", autouse=True)
def _one_qapplication(qapp):
    """Create the QApplication first: a headless renderer would otherwise create a bare QGuiApplication that
    later widget tests cannot use."""
    yield qapp


@pytest.fixture
def marketing(make_ctx, sqlite_workspace):
    """A marketing user's AppContext (curation rights) over a fresh SQLite workspace."""
    return make_ctx(sqlite_workspace, role="marketing")


@pytest.fixture
def seen_errors(monkeypatch):
    """The messages the GUI would have shown in error/info boxes, instead of modal dialogs."""
    from ui import dialogs

    seen: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": seen.append(msg))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, msg: seen.append(msg))
    return seen
