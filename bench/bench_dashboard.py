"""The KPI dashboard over a 100,000-account workspace with contacts, activities, opportunities and content
use: one full refresh (every KPI with its previous-period value, the funnel, by source, per BDR, content
influence) through ``bdr_desk.kpi.kpi_report``, scoped refreshes, drill-downs, and the page itself refreshing
through the job runner while a :class:`StallProbe` watches the GUI thread.

Baseline, measured in the same run: the floor of any dashboard over this data — one plain ``sqlite3``
aggregate scan of each table the dashboard reads (accounts, contacts, activities, opportunities, content use).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
import statistics
import time
from pathlib import Path

from bench._common import median, ms, quiet_qt, ratio, table, temp_root, use_env

N_ACCOUNTS = 100_000
RUNS = 5
SEED = 5
DT = "%Y-%m-%d %H:%M:%S.%f"
STAGES = (None, None, "lead", "lead", "lead", "mql", "mql", "sal", "sql", "opportunity", "closed_won", "closed_lost")
SOURCES = ("outbound", "outbound", "webinar", "whitepaper", "organic", "paid", "event", None)
ROLES = (None, None, "economic_buyer", "decision_maker", "champion", "technical_evaluator", "user", "influencer")
ACTS = (("call", ("connected", "no_answer", "voicemail", "meeting_booked")), ("email", ("sent", "replied", "bounced")),
        ("linkedin", ("connection_sent", "connected", "replied")), ("meeting", ("booked", "held", "no_show")),
        ("note", (None,)))
OPP_STAGES = ("discovery", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")


def add_facts(db: Path, seed: int = SEED) -> dict[str, int]:
    """Contacts (~3 per account), activities (~5), opportunities (1 in 5 accounts), 40 content items used
    30,000 times, a static list of 5,000 accounts and a dynamic list — by plain INSERTs in one transaction."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def ago(days: int) -> dt.datetime:
        return now - dt.timedelta(minutes=rng.randrange(0, days * 1440))

    con = sqlite3.connect(db)
    accounts = con.execute("SELECT id, owner_id FROM accounts").fetchall()
    contacts, acts, opps, last = [], [], [], []
    for acc, owner in accounts:
        for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5, 6))):
            created = ago(400).strftime(DT)
            contacts.append((acc, rng.choice(ROLES), rng.choice(STAGES), rng.choice(SOURCES), rng.random() < 0.08,
                             owner, created, created))
        newest = None
        for _ in range(rng.choice((0, 0, 2, 4, 6, 8, 10, 10))):
            kind, outcomes = rng.choice(ACTS)
            when = ago(365)
            newest = max(newest or when, when)
            acts.append((acc, owner if rng.random() < 0.9 else None, kind, rng.choice(outcomes), when.strftime(DT),
                         True, when.strftime(DT)))
        if newest:
            last.append((newest.strftime(DT), acc))
        if rng.random() < 0.2:
            stage = rng.choice(OPP_STAGES)
            opened = ago(365)
            closed = (opened + dt.timedelta(days=rng.randrange(10, 120))) if stage.startswith("closed") else None
            opps.append((acc, f"Deal {acc}", stage, rng.randrange(5_000, 400_000, 500), rng.choice(SOURCES),
                         rng.random() < 0.6, opened.date().isoformat(), closed and closed.strftime(DT), owner,
                         opened.strftime(DT), opened.strftime(DT)))
    with con:
        con.executemany("INSERT INTO contacts (account_id, buying_role, lifecycle_stage, lead_source, left_company, "
                        "owner_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)", contacts)
        con.executemany("INSERT INTO activities (account_id, user_id, type, outcome, occurred_at, completed, "
                        "created_at) VALUES (?,?,?,?,?,?,?)", acts)
        con.executemany("UPDATE accounts SET last_activity_at = ? WHERE id = ?", last)
        con.executemany("INSERT INTO opportunities (account_id, name, stage, amount, lead_source, qualified, "
                        "opened_on, closed_at, owner_id, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", opps)
        stamp = now.strftime(DT)
        con.executemany("INSERT INTO content_items (title, type, status, created_at, updated_at) VALUES (?,?,?,?,?)",
                        [(f"Item {i}", "case_study", "published", stamp, stamp) for i in range(40)])
        items = [i for (i,) in con.execute("SELECT id FROM content_items")]
        ids = [a for a, _ in accounts]
        con.executemany("INSERT INTO content_usage (item_id, account_id, kind, used_at) VALUES (?,?,?,?)",
                        [(rng.choice(items), rng.choice(ids), "shared", ago(365).strftime(DT)) for _ in range(30_000)])
        con.execute("INSERT INTO target_lists (name, kind, created_at, updated_at) VALUES ('Bench static', 'static', "
                    "?, ?)", (stamp, stamp))
        con.execute("INSERT INTO target_lists (name, kind, filter, created_at, updated_at) VALUES ('Bench dynamic', "
                    "'dynamic', '{\"industry\": [\"fintech\"], \"tier\": [1, 2]}', ?, ?)", (stamp, stamp))
        static = con.execute("SELECT id FROM target_lists WHERE name = 'Bench static'").fetchone()[0]
        con.executemany("INSERT INTO target_list_members (list_id, account_id, added_at) VALUES (?,?,?)",
                        [(static, a, stamp) for a in rng.sample(ids, 5_000)])
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return {"accounts": len(accounts), "contacts": len(contacts), "activities": len(acts),
            "opportunities": len(opps), "content_usage": 30_000}


def build(root: Path, big_db: Path | None = None) -> tuple[Path, float, dict[str, int]]:
    """The 100k workspace (a copy of ``big_db`` when given, so other benches keep theirs) plus the facts."""
    t = time.perf_counter()
    db = root / "dashboard" / "workspace.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    if big_db is None:
        from bench.bench_accounts import build_workspace

        big_db, _ = build_workspace(root)
    shutil.copyfile(big_db, db)
    counts = add_facts(db)
    return db, time.perf_counter() - t, counts


def raw_baseline(db: Path) -> float:
    """One aggregate scan of each table, plain sqlite3: the floor of any dashboard over this data (ms)."""
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=90)).strftime(DT)
    sql = [
        ("SELECT count(*), sum(abm_stage NOT IN ('won','lost')), sum(tier = 1), sum(last_activity_at < ?) "
         "FROM accounts", (since,)),
        ("SELECT lead_source, lifecycle_stage, count(*) FROM contacts GROUP BY 1, 2", ()),
        ("SELECT user_id, type, outcome, count(*) FROM activities WHERE occurred_at >= ? GROUP BY 1, 2, 3", (since,)),
        ("SELECT stage, lead_source, count(*), sum(amount) FROM opportunities GROUP BY 1, 2", ()),
        ("SELECT item_id, count(DISTINCT account_id) FROM content_usage GROUP BY 1", ()),
    ]
    con = sqlite3.connect(db)
    runs = []
    for _ in range(RUNS):
        t = time.perf_counter()
        for q, args in sql:
            con.execute(q, args).fetchall()
        runs.append((time.perf_counter() - t) * 1000)
    con.close()
    return median(runs)


def _timed(fn, runs: int = RUNS) -> float:
    fn()  # warm: the first run pays the imports and the page cache
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return median(out)


def measure_engine(db: Path) -> dict:
    from sqlalchemy import event, select

    from accounts.models import TargetList
    from bdr_desk.db import open_workspace
    from bdr_desk.kpi import KpiFilter, drill, filter_options, kpi_report
    from bdr_desk.users import User

    ws = open_workspace(f"sqlite:///{db}")
    with ws.session() as s:
        owner = s.scalar(select(User.id).order_by(User.id))
        lists = dict(s.execute(select(TargetList.name, TargetList.id)).all())
    queries: list[tuple[float, str]] = []

    @event.listens_for(ws.engine, "before_cursor_execute")
    def _start(conn, cursor, statement, params, context, executemany):  # noqa: ARG001
        conn.info.setdefault("t", []).append(time.perf_counter())

    @event.listens_for(ws.engine, "after_cursor_execute")
    def _stop(conn, cursor, statement, params, context, executemany):  # noqa: ARG001
        queries.append(((time.perf_counter() - conn.info["t"].pop()) * 1000, statement))

    def report(**scope):
        def run():
            with ws.session() as s:
                kpi_report(s, KpiFilter.of(**scope))
        return run

    cases = [("everyone, last 90 days", {"period": "last-90-days"}),
             ("everyone, this quarter", {"period": "this-quarter"}),
             ("everyone, all time", {"period": "all"}),
             ("one owner", {"period": "last-90-days", "owner_id": owner}),
             ("lead source webinar", {"period": "last-90-days", "source": "webinar"}),
             ("static list (5,000)", {"period": "last-90-days", "list_id": lists["Bench static"]}),
             ("dynamic list + segment", {"period": "last-90-days", "list_id": lists["Bench dynamic"],
                                         "segment": "enterprise"})]
    out = {"reports": [], "drills": []}
    for name, scope in cases:
        out["reports"].append((name, _timed(report(**scope))))
    queries.clear()
    report(period="last-90-days")()
    out["queries"] = sorted(queries, reverse=True)
    with ws.session() as s:
        out["options_ms"] = _timed(lambda: filter_options(s))
    flt = KpiFilter.of("last-90-days")
    for name, metric, key in (("target accounts (first 1,000)", "target_accounts", None),
                              ("funnel: leads (first 1,000)", "funnel", "lead"),
                              ("key contacts, by account", "key_contact_identification_rate", None),
                              ("won deals", "closed_won", None)):
        def run(metric=metric, key=key):
            with ws.session() as s:
                return drill(s, flt, metric, key)
        out["drills"].append((name, _timed(run, 3)))
    ws.dispose()
    return out


def measure_gui(root: Path, db: Path) -> dict:
    """The page refreshing through the job runner: time to numbers on screen, and the GUI thread's longest gap."""
    use_env(root)
    from PySide6.QtCore import QEventLoop, QTimer

    from bdr_desk.app import make_application, settle_heap
    from bdr_desk.config import Profile, load_settings
    from bdr_desk.db import open_workspace
    from bench.stall_probe import StallProbe
    from ui.jobs import JobRunner
    from ui.startup import create_context

    quiet_qt()
    app = make_application()
    ws = open_workspace(f"sqlite:///{db}")
    ctx = create_context(load_settings(ws.url), ws, Profile("Bench Manager", "mgr@bench.example", "manager"),
                         JobRunner())
    from ui.pages.dashboard_page import DashboardPage

    page = DashboardPage(ctx)
    page.resize(1440, 900)
    page.show()
    settle_heap()  # as the app does once its window is up (bench_stall: full GC passes hold the GIL)
    times, gaps = [], []
    for i in range(RUNS + 1):
        probe = StallProbe(interval_ms=5)
        probe.start()
        loop = QEventLoop()
        page.refreshed.connect(loop.quit)
        t = time.perf_counter()
        page.refresh() if i == 0 else page.reload()
        QTimer.singleShot(120_000, loop.quit)
        loop.exec()
        elapsed = (time.perf_counter() - t) * 1000
        page.refreshed.disconnect(loop.quit)
        report = probe.stop()
        probe.deleteLater()
        if i:  # the first refresh also reads the filter choices and warms up
            times.append(elapsed)
            gaps.append(report.max_gap_ms)
    first_card = page.cards["target_accounts"].value.text()
    page.close()
    ctx.jobs.wait()
    ws.dispose()
    del app
    return {"refresh_ms": median(times), "max_gap_ms": max(gaps), "p50_gap": statistics.median(gaps),
            "target_accounts": first_card}


def measure(root: Path, big_db: Path | None = None) -> dict:
    db, gen_s, counts = build(root, big_db)
    return {"gen_s": gen_s, "counts": counts, "baseline_ms": raw_baseline(db), "engine": measure_engine(db),
            "gui": measure_gui(root, db)}


def report(r: dict) -> list[list[str]]:
    c = r["counts"]
    print(f"Dashboard over {c['accounts']:,} accounts, {c['contacts']:,} contacts, {c['activities']:,} activities, "
          f"{c['opportunities']:,} opportunities, {c['content_usage']:,} content uses (facts added in "
          f"{r['gen_s']:.1f} s)")
    base = r["baseline_ms"]
    print(f"Baseline: one plain sqlite3 aggregate scan of each of the five tables: {ms(base)} (median of {RUNS})")
    e = r["engine"]
    rows = [[name, ms(t), ratio(t, base)] for name, t in e["reports"]]
    print(table(rows, ["full refresh (kpi_report)", "median", "vs baseline"]))
    total = sum(t for t, _ in e["queries"])
    print(f"  {len(e['queries'])} queries per refresh, {ms(total)} in SQL; slowest:")
    for t, sql in e["queries"][:3]:
        print(f"    {ms(t):>9}  {' '.join(sql.split())[:110]}…")
    print(f"  filter choices (users, lists, lead sources): {ms(e['options_ms'])}")
    print(table([[name, ms(t)] for name, t in e["drills"]], ["drill-down", "median"]))
    g = r["gui"]
    print(f"  page refresh through the job runner (filter change → numbers on screen): {ms(g['refresh_ms'])}; "
          f"longest GUI-thread gap meanwhile {ms(g['max_gap_ms'])} over {RUNS} refreshes (median of the runs' "
          f"longest {ms(g['p50_gap'])}; goal < 50 ms); target accounts shown "
          f"{g['target_accounts']}")
    everyone = e["reports"][0][1]
    return [["dashboard: full refresh, 100k", ms(everyone), ms(base) + " raw scans", ratio(everyone, base)],
            ["dashboard: page refresh (job)", ms(g["refresh_ms"]), ms(base) + " raw scans", ratio(g["refresh_ms"], base)],
            ["dashboard: GUI gap in refresh", ms(g["max_gap_ms"]), "50 ms goal", ratio(g["max_gap_ms"], 50.0)]]


def main() -> list[list[str]]:
    with temp_root() as root:
        t = time.perf_counter()
        summary = report(measure(root))
        print(f"({time.perf_counter() - t:.0f} s)")
        return summary


if __name__ == "__main__":
    main()
