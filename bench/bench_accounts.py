"""The Accounts page over 100,000 generated accounts: filter/sort/scroll latency through the GUI's model
against the same SQL run directly with sqlite3, and peak RSS against a bare PySide6 process."""

from __future__ import annotations

import time
from pathlib import Path

from bench._common import median, mib, ms, ratio, run_child, table, temp_root
from bench.generate import insert_accounts

N_ACCOUNTS = 100_000
CHILD = "bench.accounts_child"
SLOW_MS = 100.0  # a filter or sort the user waits for on the GUI thread


def build_workspace(root: Path, n: int = N_ACCOUNTS) -> tuple[Path, float]:
    """A migrated SQLite workspace with ``n`` accounts; returns its path and seconds taken to generate."""
    from bdr_desk.db import open_workspace

    path = root / "big" / "workspace.db"
    ws = open_workspace(f"sqlite:///{path}")
    try:
        seconds = insert_accounts(ws, n)
        with ws.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        ws.dispose()
    return path, seconds


def measure(root: Path, db: Path) -> dict:
    gui = run_child(CHILD, "gui", f"sqlite:///{db}", root=root, timeout=300)
    bare = median([run_child(CHILD, "bare", root=root)["peak_rss_kib"] for _ in range(3)])
    return {"gui": gui, "bare_rss_kib": bare}


def report(result: dict, n: int = N_ACCOUNTS, gen_s: float | None = None) -> list[list[str]]:
    gui = result["gui"]
    if gen_s is not None:
        print(f"Generated {n:,} accounts by bulk INSERT in {gen_s:.1f} s ({n / gen_s:,.0f} rows/s)")
    print(f"Accounts page over {n:,} accounts: GUI model call (COUNT + first 200 rows, or fetchMore) vs the "
          "same SQL replayed with sqlite3 (median of runs)")
    rows, summary = [], []
    for op in gui["ops"]:
        rows.append([op["op"], f"{op['total']:,}", ms(op["gui_ms"]), ms(op["raw_ms"]),
                     ratio(op["gui_ms"], op["raw_ms"]), ms(op["gui_ms"] - op["raw_ms"])])
        summary.append([f"accounts: {op['op']}", ms(op["gui_ms"]), ms(op["raw_ms"]) + " sql",
                        ratio(op["gui_ms"], op["raw_ms"])])
    print(table(rows, ["operation", "matches", "GUI model", "raw sqlite3", "ratio", "overhead"]))
    print(f"  page built and shown (COUNT + first page, cold): {ms(gui['load_ms'])}")
    slow = [op for op in gui["ops"] if op["gui_ms"] >= SLOW_MS or op["raw_ms"] >= SLOW_MS]
    for op in slow:
        print(f"  SLOW ({ms(op['gui_ms'])}): {op['op']} — query plans:")
        for sql, plan, each in zip(op["sql"], op["plan"], op["raw_each_ms"], strict=True):
            kind = "COUNT" if sql[0].lstrip().upper().startswith("SELECT COUNT") else "page "
            print(f"    {kind} {ms(each):>9}  {plan}")
            if len(op["sql"]) > 2:
                print(f"    ... and {len(op['sql']) - 1} more alike")
                break
    rss, bare = gui["peak_rss_kib"], result["bare_rss_kib"]
    print(f"  peak RSS after loading the page, filtering, sorting and scrolling: {mib(rss)} vs "
          f"{mib(bare)} for a bare PySide6 process with a QApplication ({ratio(rss, bare)})")
    summary.append(["accounts: peak RSS", mib(rss), mib(bare) + " bare", ratio(rss, bare)])
    return summary


def main() -> None:
    with temp_root() as root:
        t = time.perf_counter()
        db, gen_s = build_workspace(root)
        report(measure(root, db), gen_s=gen_s)
        print(f"({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
