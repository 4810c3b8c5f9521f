"""DESIGN.md floors, checked by scanning every module's imports (no import side effects needed)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOOR1 = {"bdr_desk.config", "bdr_desk.db", "bdr_desk.taxonomy", "bdr_desk.jobs", "bdr_desk.users",
          "bdr_desk.crashlog"}
GUI_ENTRY = {"bdr_desk.app", "bdr_desk.__main__"}
# renderers that paint a PDF or PNG headless may use QtGui (DESIGN.md)
RENDERER_PARTS = ("pdf", "png", "image", "render")


def _modules(package: str) -> list[tuple[str, Path]]:
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts and path.parent.name == "versions":
            continue
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _is_renderer(module: str) -> bool:
    return module.startswith("bdr_desk.export") and any(p in module.rsplit(".", 1)[-1] for p in RENDERER_PARTS)


ALL = [m for pkg in ("bdr_desk", "accounts", "content_library", "ui") for m in _modules(pkg)]


def test_modules_found():
    names = {m for m, _ in ALL}
    assert {"bdr_desk.db", "accounts.models.account", "content_library.models", "ui.main_window"} <= names


# the GUI entry and the headless renderers (PDF/PNG painting) may use Qt; nothing else below ui/ may
@pytest.mark.parametrize("module,path", [m for m in ALL if not m[0].startswith("ui") and m[0] not in GUI_ENTRY
                                         and not _is_renderer(m[0])], ids=lambda v: str(v))
def test_no_qt_below_ui(module, path):
    bad = {i for i in _imports(path) if _top(i, "PySide6", "shiboken6", "ui")}
    assert not bad, f"{module} imports {sorted(bad)} (DESIGN.md floors)"


@pytest.mark.parametrize("module,path", [m for m in ALL if _top(m[0], "accounts")], ids=lambda v: str(v))
def test_accounts_imports_floor1_only(module, path):
    project = {i for i in _imports(path) if _top(i, "bdr_desk", "content_library", "ui")}
    bad = {i for i in project if i not in FLOOR1 and not _top(i, *FLOOR1)}
    assert not bad, f"{module} imports {sorted(bad)}; accounts may import only {sorted(FLOOR1)}"


@pytest.mark.parametrize("module,path", [m for m in ALL if _top(m[0], *FLOOR1)], ids=lambda v: str(v))
def test_ground_floor_imports_nothing_above(module, path):
    project = {i for i in _imports(path) if _top(i, "bdr_desk", "accounts", "content_library", "ui")}
    bad = {i for i in project if not _top(i, *FLOOR1)}
    assert not bad, f"{module} is on the ground floor but imports {sorted(bad)}"


@pytest.mark.parametrize("module,path", [m for m in ALL if _top(m[0], "content_library")], ids=lambda v: str(v))
def test_content_library_stays_below_application(module, path):
    bad = {i for i in _imports(path) if _top(i, "ui", "bdr_desk.crm", "bdr_desk.cli", "bdr_desk.app",
                                              "bdr_desk.kpi", "bdr_desk.export", "bdr_desk.demo")}
    assert not bad, f"{module} imports {sorted(bad)}"
