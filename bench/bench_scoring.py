"""Rescoring 100,000 generated accounts with the default ICP rules (``accounts.scoring.rescore_all``: chunked
column reads, grouped technology/signal queries, Python rules, executemany UPDATE with the version bump,
timeline events) against a raw ``sqlite3`` loop doing the same per-row work on a copy of the same database
(SELECT, the same compiled rules, executemany UPDATE + event INSERT).

``python -m bench.bench_scoring``; from ``run_all``: ``summary += bench_scoring.report(bench_scoring.measure(root))``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import sqlite3
import time
from collections import defaultdict, namedtuple
from pathlib import Path

from bench._common import ratio, table, temp_root
from bench.generate import insert_accounts

N_ACCOUNTS = 100_000
TECHS = ("HubSpot", "Salesforce", "Marketo", "Google Tag Manager", "Intercom", "Segment", "Pardot", "Zendesk")
COLUMNS = ("id", "name", "industry", "sub_industry", "employees", "annual_revenue", "hq_country", "hq_region",
           "segment", "size_band", "abm_stage", "tier", "tier_is_manual", "icp_score", "suggested_tier",
           "icp_explanation", "icp_version", "version")


def add_facts(ws, n: int, seed: int = 11) -> None:
    """Technologies on ~40% of the accounts, signals on ~15%, revenue on ~70% (bulk INSERT/UPDATE)."""
    from sqlalchemy import bindparam, insert, update

    from accounts.models import Account, AccountTechnology, Signal

    rng = random.Random(seed)
    today = dt.date.today()
    techs, signals, revenue = [], [], []
    for aid in range(1, n + 1):
        if rng.random() < 0.4:
            for name in rng.sample(TECHS, rng.randint(1, 3)):
                techs.append({"account_id": aid, "name": name, "category": "martech"})
        if rng.random() < 0.15:
            signals.append({"account_id": aid, "kind": rng.choice(("funding", "hiring", "news")), "title": "signal",
                            "occurred_on": today - dt.timedelta(days=rng.randrange(0, 365))})
        if rng.random() < 0.7:
            revenue.append({"b_id": aid, "b_rev": rng.randrange(1, 2_000) * 500_000})
    with ws.session() as s:
        s.execute(insert(AccountTechnology), techs)
        s.execute(insert(Signal), signals)
        t = Account.__table__
        s.execute(update(t).where(t.c.id == bindparam("b_id")).values(annual_revenue=bindparam("b_rev")), revenue)


def build(root: Path, n: int = N_ACCOUNTS) -> tuple[Path, Path, float]:
    from bdr_desk.db import open_workspace

    path = root / "scoring" / "workspace.db"
    ws = open_workspace(f"sqlite:///{path}")
    try:
        t0 = time.perf_counter()
        insert_accounts(ws, n)
        add_facts(ws, n)
        seconds = time.perf_counter() - t0
        with ws.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        ws.dispose()
    copy = root / "scoring" / "baseline.db"
    shutil.copyfile(path, copy)
    return path, copy, seconds


def raw_rescore(db: Path, chunk: int = 5_000) -> tuple[float, int]:
    """The baseline: plain sqlite3, same rules and the same writes."""
    from accounts.scoring_rules import compile_rules, default_rules, evaluate

    t0 = time.perf_counter()
    compiled = compile_rules(default_rules(), {"1": 75, "2": 50})
    Row = namedtuple("Row", COLUMNS)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    names = sorted(compiled.technologies)
    kinds = sorted(compiled.signal_kinds)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    last, written = 0, 0
    with con:
        while True:
            rows = [Row(*r) for r in con.execute(
                f"SELECT {', '.join(COLUMNS)} FROM accounts WHERE id > ? ORDER BY id LIMIT ?", (last, chunk))]
            if not rows:
                break
            lo, hi = rows[0].id, rows[-1].id
            techs: defaultdict[int, set[str]] = defaultdict(set)
            for aid, name in con.execute(
                    f"SELECT account_id, lower(name) FROM account_technologies WHERE account_id BETWEEN ? AND ? "
                    f"AND lower(name) IN ({','.join('?' * len(names))})", (lo, hi, *names)):
                techs[aid].add(name)
            signals: defaultdict[int, dict[str, dt.date]] = defaultdict(dict)
            for aid, kind, occurred in con.execute(
                    f"SELECT account_id, kind, max(occurred_on) FROM signals WHERE account_id BETWEEN ? AND ? "
                    f"AND kind IN ({','.join('?' * len(kinds))}) GROUP BY account_id, kind", (lo, hi, *kinds)):
                if occurred:
                    signals[aid][kind] = dt.date.fromisoformat(occurred[:10])
            updates, events = [], []
            for r in rows:
                ev = evaluate(compiled, r, frozenset(techs.get(r.id, ())), signals.get(r.id))
                tier = r.tier if r.tier_is_manual else ev.suggested_tier
                updates.append((ev.score, json.dumps(ev.explanation), ev.suggested_tier, tier, r.id, r.version))
                if tier != r.tier:
                    events.append((r.id, now, "tier_changed", "scoring", "tier", r.tier, tier, f"Tier → {tier}"))
                elif r.icp_score is None or abs(ev.score - r.icp_score) >= 5:
                    events.append((r.id, now, "scored", "scoring", "icp_score", r.icp_score, ev.score, "ICP"))
            con.executemany("UPDATE accounts SET icp_score = ?, icp_explanation = ?, suggested_tier = ?, tier = ?, "
                            "icp_version = 1, version = version + 1 WHERE id = ? AND version = ?", updates)
            con.executemany("INSERT INTO account_events (account_id, occurred_at, kind, source, field, old_value, "
                            "new_value, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", events)
            written += len(updates)
            last = hi
    con.close()
    return time.perf_counter() - t0, written


def measure(root: Path, n: int = N_ACCOUNTS) -> dict:
    from accounts.scoring import rescore_all
    from bdr_desk.db import open_workspace

    db, baseline_db, gen_s = build(root, n)
    ws = open_workspace(f"sqlite:///{db}")
    try:
        t0 = time.perf_counter()
        result = rescore_all(ws)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = rescore_all(ws)  # nothing changed: read + evaluate only
        idle = time.perf_counter() - t0
    finally:
        ws.dispose()
    raw_s, raw_written = raw_rescore(baseline_db)
    return {"n": n, "gen_s": gen_s, "ours_s": ours, "raw_s": raw_s, "idle_s": idle, "written": result.written,
            "raw_written": raw_written, "changed": result.changed, "tier_changes": result.tier_changes,
            "again_written": again.written}


def report(r: dict) -> list[list[str]]:
    n = r["n"]
    print(f"ICP rescoring of {n:,} generated accounts (default rules, technologies and signals; generated in "
          f"{r['gen_s']:.1f} s): rescore_all vs a raw sqlite3 loop with the same rules and writes")
    rows = [
        ["rescore_all (first run)", f"{r['ours_s']:.2f} s", f"{r['raw_s']:.2f} s", ratio(r["ours_s"], r["raw_s"]),
         f"{r['written']:,} rows, {r['changed']:,} scores and {r['tier_changes']:,} tiers changed"],
        ["rescore_all (nothing to change)", f"{r['idle_s']:.2f} s", "", "", f"{r['again_written']:,} rows written"],
    ]
    print(table(rows, ["case", "BDR Desk", "raw sqlite3", "ratio", "work"]))
    print(f"  {n / r['ours_s']:,.0f} accounts/s; the raw loop wrote {r['raw_written']:,} rows")
    return [[f"scoring: rescore {n:,} accounts", f"{r['ours_s']:.2f} s", f"{r['raw_s']:.2f} s raw sqlite3",
             ratio(r["ours_s"], r["raw_s"])]]


def main() -> list[list[str]]:
    with temp_root() as root:
        summary = report(measure(root))
    return summary


if __name__ == "__main__":
    main()
