"""Start-up: process start -> main window painted, for the real app against a bare PySide6 QMainWindow.

Each figure is the median of several fresh processes (``bench.startup_child``), bare and app runs
interleaved so machine noise hits both alike. The app opens on the Accounts page with a fixed profile,
no dialogs. Cases: an already-migrated workspace (the common case), a fresh workspace (first run: Alembic
creates the schema and seeds the taxonomy) and, when given, the 100,000-account workspace.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bench._common import median, ms, ratio, run_child, table, temp_root

CHILD = "bench.startup_child"
PHASES = ("python", "imports", "application", "workspace", "context", "window", "shown")


@dataclass
class Case:
    name: str
    runs: list[dict] = field(default_factory=list)

    @property
    def shown(self) -> float:
        return median([r["shown_ms"] for r in self.runs])

    @property
    def proc(self) -> float:
        values = [r["proc_ms"] for r in self.runs if r.get("proc_ms") is not None]
        return median(values) if values else float("nan")

    def phase(self, name: str) -> float:
        return median([r["marks"].get(name, float("nan")) for r in self.runs])


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def measure(root: Path, runs: int = 5, fresh_runs: int = 3, big_db: Path | None = None,
            big_runs: int = 3) -> dict[str, Case]:
    migrated = root / "migrated" / "workspace.db"
    migrated.parent.mkdir(parents=True)
    # warm-up (file cache, .pyc) and the one-time migration of the "migrated" workspace; not counted
    run_child(CHILD, "bare", root=root)
    run_child(CHILD, "app", sqlite_url(migrated), root=root)
    cases = {k: Case(k) for k in ("bare", "app_migrated", "app_fresh")}
    for i in range(runs):
        cases["bare"].runs.append(run_child(CHILD, "bare", root=root))
        cases["app_migrated"].runs.append(run_child(CHILD, "app", sqlite_url(migrated), root=root))
        if i < fresh_runs:
            fresh = root / f"fresh{i}" / "workspace.db"
            cases["app_fresh"].runs.append(run_child(CHILD, "app", sqlite_url(fresh), root=root))
            shutil.rmtree(fresh.parent, ignore_errors=True)
    if big_db is not None:
        cases["app_100k"] = Case("app_100k")
        for _ in range(big_runs):
            cases["app_100k"].runs.append(run_child(CHILD, "app", sqlite_url(big_db), root=root))
    return cases


LABELS = {"bare": "bare QMainWindow", "app_migrated": "app, migrated workspace",
          "app_fresh": "app, fresh workspace", "app_100k": "app, 100k accounts"}


def report(cases: dict[str, Case]) -> list[list[str]]:
    base = cases["bare"].shown
    print("Startup: process spawn -> main window first paint (median of fresh processes)")
    rows = [[LABELS[k], str(len(c.runs)), ms(c.shown), ms(c.proc), ratio(c.shown, base)] for k, c in cases.items()]
    print(table(rows, ["case", "runs", "spawn->shown", "kernel start->shown", "vs bare"]))
    print("\n  app phases (median ms since spawn; each mark is when that step finished):")
    for k, c in cases.items():
        if k == "bare":
            continue
        steps = "  ".join(f"{p} {c.phase(p):.0f}" for p in PHASES)
        print(f"  {LABELS[k]:<26} {steps}")
    print("  bare:                      "
          f"python {cases['bare'].phase('python'):.0f}  PySide6 imports {cases['bare'].phase('imports'):.0f}  "
          f"shown {base:.0f}")
    return [[f"startup: {LABELS[k]}", ms(c.shown), ms(base), ratio(c.shown, base)]
            for k, c in cases.items() if k != "bare"]


def main() -> None:
    with temp_root() as root:
        report(measure(root))


if __name__ == "__main__":
    main()
