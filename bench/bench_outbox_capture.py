"""What the CRM outbox capture costs: the same imports and edits with the listeners off and on.

* the account import of 10,000 generated rows (``bench_import``'s HubSpot-style CSV: Core executemany of new
  accounts — captured by the id high-water mark, one ``SELECT max(id)`` per insert and one id scan at commit);
* 10,000 accounts added through the ORM unit of work in one transaction (captured in ``after_flush``);
* 20,000 small ORM reads (``session.get`` / ``scalars``): every ``Session.execute`` now passes the
  ``do_orm_execute`` hook, which returns at once for anything but an INSERT/UPDATE/DELETE.

Each case runs ``ROUNDS`` times alternating off/on in fresh workspaces; medians are reported.
``python -m bench.bench_outbox_capture [n]``
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bench._common import ratio, table, temp_root, use_env

N = 10_000
ROUNDS = 3


def _import(folder: Path, csv_path: Path, tag: str) -> float:
    from accounts.column_mapping import guess_mapping
    from accounts.importing import import_accounts
    from accounts.tabular import read_table
    from bdr_desk.db import open_workspace

    ws = open_workspace(f"sqlite:///{folder / f'import-{tag}.db'}")
    try:
        tbl = read_table(csv_path)
        mapping = guess_mapping(tbl.headers)
        t0 = time.perf_counter()
        import_accounts(ws, tbl, mapping)
        return time.perf_counter() - t0
    finally:
        ws.dispose()


def _orm_adds(folder: Path, n: int, tag: str) -> float:
    from accounts.models import Account
    from bdr_desk.db import open_workspace

    ws = open_workspace(f"sqlite:///{folder / f'orm-{tag}.db'}")
    try:
        t0 = time.perf_counter()
        with ws.session() as s:
            s.add_all(Account(name=f"Orm {i}", domain=f"orm{i}.example.com", industry="software") for i in range(n))
        return time.perf_counter() - t0
    finally:
        ws.dispose()


def _reads(folder: Path, n: int, tag: str) -> float:
    from sqlalchemy import select

    from accounts.models import Account
    from bdr_desk.db import open_workspace

    ws = open_workspace(f"sqlite:///{folder / f'orm-{tag}.db'}")
    try:
        t0 = time.perf_counter()
        with ws.session() as s:
            for i in range(1, n // 2 + 1):
                s.get(Account, i)
                s.scalars(select(Account.id).where(Account.id == i)).first()
        return time.perf_counter() - t0
    finally:
        ws.dispose()


def measure(root: Path, n: int = N) -> dict:
    use_env(root)
    import bdr_desk.crm  # noqa: F401 - installs the listeners
    from bdr_desk.crm import outbox
    from bench.bench_import import generate

    folder = root / "capture"
    folder.mkdir(exist_ok=True)
    csv_path = folder / "companies.csv"
    generate(csv_path, n)
    times: dict[str, dict[str, list[float]]] = {k: {"off": [], "on": []} for k in ("import", "orm", "reads")}
    for r in range(ROUNDS):
        for state in ("off", "on"):
            (outbox.install if state == "on" else outbox.uninstall)()
            tag = f"{state}{r}"
            times["import"][state].append(_import(folder, csv_path, tag))
            times["orm"][state].append(_orm_adds(folder, n, tag))
            times["reads"][state].append(_reads(folder, 2 * n, tag))
    outbox.install()
    return {"n": n, **{k: {s: statistics.median(v) for s, v in d.items()} for k, d in times.items()}}


def report(r: dict) -> list[list[str]]:
    n = r["n"]
    print(f"CRM outbox capture: the same work with the listeners off and on (median of {ROUNDS}, SQLite)")
    names = {"import": f"import {n:,} new accounts (CSV)", "orm": f"{n:,} ORM adds, one transaction",
             "reads": f"{2 * n:,} small ORM reads"}
    rows = [[names[k], f"{r[k]['off']:.3f} s", f"{r[k]['on']:.3f} s", ratio(r[k]["on"], r[k]["off"]),
             f"{(r[k]['on'] - r[k]['off']) * 1000:+.0f} ms"] for k in ("import", "orm", "reads")]
    print(table(rows, ["work", "capture off", "capture on", "ratio", "difference"]))
    return [[f"outbox capture: {names['import']}", f"{r['import']['on']:.2f} s",
             f"{r['import']['off']:.2f} s without", ratio(r["import"]["on"], r["import"]["off"])]]


def main() -> list[list[str]]:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else N
    with temp_root() as root:
        return report(measure(root, n))


if __name__ == "__main__":
    main()
