"""The sync ENGINE pushing 10,000 accounts and 30,000 contacts from a workspace to the fake HubSpot
(``tests.fake_hubspot`` on 127.0.0.1; 100 inputs per batch) on a virtual clock, then a no-op re-sync.

Figures: API calls of the first push against the minimum ``ceil(n / 100)`` per object type (the issue's goal:
equal) — the engine also looks records up by domain / e-mail before creating them (idempotency after a crash)
and associates contacts with their companies, so it spends more; wall time (engine + HTTP, no rate-limit waits:
the virtual clock); API calls of a no-op re-sync (pull + push with nothing to do).

``python -m bench.bench_crm_sync [--small]``; from ``run_all``:
``summary += bench_crm_sync.report(bench_crm_sync.measure(root))``.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

from bench._common import ratio, table, temp_root

N_ACCOUNTS = 10_000
N_CONTACTS = 30_000
BATCH = 100


def _seed(ws, n_accounts: int, n_contacts: int) -> None:
    from sqlalchemy import insert

    from accounts.models import Account, Contact

    with ws.session() as s:  # ORM-level inserts through the session: captured into the outbox like an import
        s.execute(insert(Account), [{"id": i + 1, "name": f"Bench Company {i}", "domain": f"bench-{i}.example",
                                     "industry": "software", "employees": 50 + i % 5000, "hq_city": "Leeds"}
                                    for i in range(n_accounts)])
        s.execute(insert(Contact), [{"account_id": 1 + i % n_accounts, "first_name": f"First{i}",
                                     "last_name": f"Last{i}", "email": f"person{i}@bench-{i % n_accounts}.example",
                                     "title": "Controller"} for i in range(n_contacts)])


def measure(root: Path, n_accounts: int = N_ACCOUNTS, n_contacts: int = N_CONTACTS) -> dict:
    import bdr_desk.crm  # noqa: F401 - the outbox listeners
    from bdr_desk.crm.engine import run_sync
    from bdr_desk.crm.hubspot import HubSpotConnector
    from bdr_desk.db import open_workspace
    from tests.fake_hubspot import FakeClock, FakeHubSpot

    ws = open_workspace(f"sqlite:///{root / 'crm_sync.db'}")
    try:
        t0 = time.perf_counter()
        _seed(ws, n_accounts, n_contacts)
        seed_s = time.perf_counter() - t0
        clock = FakeClock()
        with FakeHubSpot(clock=clock) as fake, \
                HubSpotConnector(fake.url, token=fake.token, clock=clock, sleep=clock.sleep) as conn:
            t0 = time.perf_counter()
            first = run_sync(ws, conn, direction="push")
            push_s = time.perf_counter() - t0
            remote = {"account": len(fake.live("companies")), "contact": len(fake.live("contacts"))}
            t0 = time.perf_counter()
            again = run_sync(ws, conn)
            noop_s = time.perf_counter() - t0
        return {"n": {"account": n_accounts, "contact": n_contacts}, "seed_s": seed_s, "push_s": push_s,
                "status": first.status, "calls": {k: v.api_calls for k, v in first.push.items()},
                "push_calls": first.api_calls, "remote": remote, "noop_calls": again.api_calls, "noop_s": noop_s,
                "noop_created": sum(c.created for c in again.objects.values())}
    finally:
        ws.dispose()


def report(r: dict) -> list[list[str]]:
    n = r["n"]
    minimum = {k: math.ceil(v / BATCH) for k, v in n.items()}
    print(f"CRM sync engine: push {n['account']:,} accounts + {n['contact']:,} contacts to the fake HubSpot "
          f"(virtual clock), status {r['status']}; seeded in {r['seed_s']:.1f} s")
    rows = [[f"{k} API calls", f"{r['calls'].get(k, 0):,}", f"{minimum[k]:,} = ceil(n/100)",
             ratio(r["calls"].get(k, 0), minimum[k]), f"{r['remote'][k]:,} in the CRM"] for k in ("account", "contact")]
    rows.append(["push wall time", f"{r['push_s']:.1f} s", "", "", f"{r['push_calls']:,} calls in all"])
    rows.append(["no-op re-sync API calls", f"{r['noop_calls']:,}", "0 writes", "",
                 f"{r['noop_s']:.1f} s, {r['noop_created']} created"])
    print(table(rows, ["case", "engine", "minimum", "ratio", "note"]))
    total_min = sum(minimum.values())
    return [[f"crm: engine push {n['account'] // 1000}k+{n['contact'] // 1000}k, API calls",
             f"{sum(r['calls'].values()):,}", f"{total_min:,} minimum", ratio(sum(r["calls"].values()), total_min)],
            ["crm: no-op re-sync, API calls", f"{r['noop_calls']:,}", "", ""]]


def main(argv: list[str] | None = None) -> int:
    from bench._common import use_env

    small = "--small" in (argv if argv is not None else sys.argv[1:])
    with temp_root() as root:
        use_env(root)
        report(measure(root, 1_000, 3_000) if small else measure(root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
