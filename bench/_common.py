"""Shared helpers: private temp dirs, child processes, medians and formatting."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def temp_root(prefix: str = "bdr-bench-") -> Iterator[Path]:
    """A private temp dir for data, config, QSettings and databases; removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def bench_env(root: Path) -> dict[str, str]:
    """The environment for a child process: never the user's real data dir, config dir or QSettings."""
    env = dict(os.environ)
    env.pop("BDR_DESK_DATABASE_URL", None)
    env["BDR_DESK_DATA_DIR"] = str(root / "data")
    env["BDR_DESK_CONFIG_DIR"] = str(root / "config")
    env["XDG_CONFIG_HOME"] = str(root / "xdg")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # byte-code cached like an installed app's, but in the temp dir (never in the source tree)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def use_env(root: Path) -> None:
    """Point this process at the private dirs too (in-process benches)."""
    os.environ.update({k: v for k, v in bench_env(root).items() if k.startswith(("BDR_", "XDG_", "QT_"))})
    os.environ.pop("BDR_DESK_DATABASE_URL", None)


def run_child(module: str, *args: str, root: Path, timeout: float = 120) -> dict:
    """Run ``python -m module args`` and parse the JSON object on its last stdout line.

    ``BENCH_T0`` carries this process's ``time.time()`` taken just before the spawn, so the child can
    measure "process start -> X" including interpreter start-up.
    """
    env = bench_env(root)
    env["BENCH_T0"] = repr(time.time())
    proc = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{module} {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(value: float) -> str:
    return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"


def ratio(value: float, baseline: float) -> str:
    if baseline <= 0:
        return "n/a"
    r = value / baseline
    return f"{r:.1f}x" if r >= 0.95 else f"{r:.3f}x" if r < 0.1 else f"{r:.2f}x"


def mib(kib: float) -> str:
    return f"{kib / 1024:,.0f} MiB"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        cells = zip(r, widths, strict=True)
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(cells))
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def quiet_qt() -> None:
    """Drop the offscreen platform's "propagateSizeHints" chatter; other Qt messages still reach stderr."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)
