"""Account-plan export: one account in each format (median of a few runs) and a 100-account target list per
format (one file per account, and one combined PDF), against a baseline measured in the same run —
``gather_plan`` alone, i.e. the plan's queries without building, drawing or writing anything.

The workspace is the demo (its library gives recommendations) plus 100 generated accounts with 8 contacts in a
reporting hierarchy, signals with sources, hypotheses with message-map lines, activities, an open task and
an opportunity each, all on one static target list.

``python -m bench.bench_plans``; from ``run_all``: ``summary += bench_plans.report(bench_plans.measure(root))``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench._common import median, ms, ratio, table, temp_root  # noqa: E402

N_BATCH = 100
REPEAT = 5
FORMATS = ("pdf", "docx", "md", "html")
LIST_NAME = "Bench plans"
ROLES = ("economic_buyer", "decision_maker", "champion", "technical_evaluator", "influencer", "user",
         "procurement", "blocker")
TITLES = ("Chief Financial Officer", "VP Finance", "Controller", "Director of IT", "Data Platform Manager",
          "Senior Accountant", "Head of Procurement", "Security Engineer")
FIRST = ("Amara", "Fintan", "Celeste", "Emeka", "Hallie", "Nikhil", "Anders", "Priya", "Tomasz", "Ines")
LAST = ("Oyelaran", "Lindgren", "Rasmussen", "Underhill", "Ashworth", "Sandoval", "Cardenas", "Nakamura")
PAINS = ("manual_processes", "compliance_risk", "scaling_growth", "data_silos")


def _enrich(s, account_ids: list[int], seed: int = 5) -> None:
    """Contacts, signals, hypotheses with map lines, activities, a task and an opportunity per account."""
    from accounts.models import Activity, Contact, MessageMapEntry, Opportunity, PainHypothesis, Signal

    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    for aid in account_ids:
        people = []
        for k in range(8):
            c = Contact(account_id=aid, first_name=rng.choice(FIRST), last_name=f"{rng.choice(LAST)}{aid}",
                        title=TITLES[k], buying_role=ROLES[k], email=f"p{k}.a{aid}@bench-plans.example",
                        influence=rng.randint(1, 5), sentiment=rng.choice(("champion", "supporter", "neutral")),
                        coverage_status=rng.choice(("identified", "contacted", "engaged")),
                        reports_to_id=people[0].id if 0 < k < 4 else people[min(k - 3, 3)].id if k else None,
                        left_company=k == 7 and rng.random() < 0.3)
            s.add(c)
            s.flush()
            people.append(c)
        s.add_all(Signal(account_id=aid, kind=rng.choice(("hiring", "funding", "expansion")),
                         title=f"Signal {j} at account {aid}", occurred_on=(now - dt.timedelta(days=9 * j)).date(),
                         source_url=f"https://news.bench-plans.example/{aid}/{j}") for j in range(3))
        for j, pain in enumerate(rng.sample(PAINS, 2)):
            h = PainHypothesis(account_id=aid, pain=pain, hypothesis=f"Hypothesis {j} for account {aid}",
                               evidence="A job post", confidence=rng.randint(30, 90), persona="cfo")
            s.add(h)
            s.flush()
            s.add(MessageMapEntry(account_id=aid, hypothesis_id=h.id, persona="cfo", angle=f"Angle {j}"))
        s.add_all(Activity(account_id=aid, contact_id=rng.choice(people).id, type=rng.choice(("call", "email")),
                           outcome="connected", completed=True, subject=f"Touch {j}",
                           occurred_at=now - dt.timedelta(days=3 * j + 1)) for j in range(10))
        s.add(Activity(account_id=aid, contact_id=people[0].id, type="task", completed=False, subject="Follow up",
                       occurred_at=now, due_at=now + dt.timedelta(days=2)))
        s.add(Opportunity(account_id=aid, name=f"Deal {aid}", stage="discovery", amount=Decimal(50_000)))


def build(root: Path, n: int = N_BATCH) -> tuple[Path, float]:
    from sqlalchemy import select

    from accounts.models import Account, TargetList, TargetListMember
    from bdr_desk.db import open_workspace
    from bdr_desk.demo import seed_demo
    from bdr_desk.taxonomy import Taxonomy
    from bench.generate import account_rows, make_users

    path = root / "plans" / "workspace.db"
    ws = open_workspace(f"sqlite:///{path}")
    try:
        t0 = time.perf_counter()
        with ws.session() as s:
            seed_demo(s)
        owners = make_users(ws)
        with ws.session() as s:
            tax = Taxonomy.load(s)
            accounts = [Account(**row) for row in account_rows(n, tax, owners, seed=21)]
            s.add_all(accounts)
            s.flush()
            ids = [a.id for a in accounts]
            _enrich(s, ids)
            lst = TargetList(name=LIST_NAME, kind="static")
            s.add(lst)
            s.flush()
            s.add_all(TargetListMember(list_id=lst.id, account_id=a) for a in ids)
            assert len(s.scalars(select(Account.id)).all()) >= n
        seconds = time.perf_counter() - t0
    finally:
        ws.dispose()
    return path, seconds


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(root: Path, n: int = N_BATCH, repeat: int = REPEAT) -> dict:
    from sqlalchemy import select

    from accounts.models import Account, TargetList, TargetListMember
    from bdr_desk.db import open_workspace
    from bdr_desk.export.plan_data import gather_plan
    from bdr_desk.export.plans import export_list, export_plan, plan_document

    db, gen_s = build(root, n)
    ws = open_workspace(f"sqlite:///{db}")
    out = root / "plans" / "out"
    out.mkdir()
    try:
        with ws.sessions() as s:
            aid = s.scalar(select(Account.id).where(Account.name == "Northwind Ledger"))
            contacts = len(gather_plan(s, aid).stakeholders.contacts)
            list_ids = list(s.scalars(select(TargetListMember.account_id).join(TargetList)
                                      .where(TargetList.name == LIST_NAME)))
        for fmt in FORMATS:  # warm-up: Qt start-up, fonts, imports
            export_plan(ws, aid, out / f"warm.{fmt}")

        def gather_one(account_id: int) -> None:
            with ws.sessions() as s:
                gather_plan(s, account_id)

        def document_only() -> None:
            with ws.sessions() as s:
                plan_document(s, aid, "html")

        single = {fmt: median([_timed(lambda f=fmt: export_plan(ws, aid, out / f"one.{f}")) for _ in range(repeat)])
                  for fmt in FORMATS}
        sizes = {fmt: (out / f"one.{fmt}").stat().st_size for fmt in FORMATS}
        gather = median([_timed(lambda: gather_one(aid)) for _ in range(repeat)])
        document = median([_timed(document_only) for _ in range(repeat)])
        batch_gather = _timed(lambda: [gather_one(a) for a in list_ids])
        batch = {f: _timed(lambda f=f: export_list(ws, LIST_NAME, out / f"batch-{f}", f)) for f in FORMATS}
        files = {fmt: len(os.listdir(out / f"batch-{fmt}")) for fmt in FORMATS}
        combined = _timed(lambda: export_list(ws, LIST_NAME, out / "all.pdf", "pdf", combined=True))
        combined_mb = (out / "all.pdf").stat().st_size / 1e6
    finally:
        ws.dispose()
    return {"n": len(list_ids), "gen_s": gen_s, "contacts": contacts, "single": single, "sizes": sizes,
            "gather": gather, "document": document, "batch_gather": batch_gather, "batch": batch, "files": files,
            "combined": combined, "combined_mb": combined_mb, "repeat": repeat}


def report(r: dict) -> list[list[str]]:
    n = r["n"]
    print(f"Account plan export: one demo account ({r['contacts']} contacts; median of {r['repeat']} runs) and a "
          f"{n}-account list (generated in {r['gen_s']:.1f} s); baseline = gather_plan alone (the plan's queries)")
    rows = [[f"1 account, {fmt.upper()}", ms(r["single"][fmt] * 1000), ms(r["gather"] * 1000),
             ratio(r["single"][fmt], r["gather"]), f"{r['sizes'][fmt] / 1000:,.0f} kB"] for fmt in FORMATS]
    rows.append(["1 account, document + chart PNG (no file)", ms(r["document"] * 1000), ms(r["gather"] * 1000),
                 ratio(r["document"], r["gather"]), ""])
    rows += [[f"{n} accounts, {fmt.upper()} files", f"{r['batch'][fmt]:.2f} s", f"{r['batch_gather']:.2f} s",
              ratio(r["batch"][fmt], r["batch_gather"]),
              f"{r['files'][fmt]} files, {r['batch'][fmt] / n * 1000:,.0f} ms/account"] for fmt in FORMATS]
    rows.append([f"{n} accounts, one combined PDF", f"{r['combined']:.2f} s", f"{r['batch_gather']:.2f} s",
                 ratio(r["combined"], r["batch_gather"]), f"{r['combined_mb']:.1f} MB"])
    print(table(rows, ["case", "BDR Desk", "gather_plan", "ratio", "output"]))
    return [["plans: 1 account PDF / DOCX / MD / HTML",
             " / ".join(ms(r["single"][f] * 1000) for f in FORMATS), ms(r["gather"] * 1000) + " gather_plan",
             ratio(r["single"]["pdf"], r["gather"]) + " (PDF)"],
            [f"plans: {n}-account list, PDF files", f"{r['batch']['pdf']:.1f} s", f"{r['batch_gather']:.1f} s gather",
             ratio(r["batch"]["pdf"], r["batch_gather"])],
            [f"plans: {n}-account list, combined PDF", f"{r['combined']:.1f} s", f"{r['batch_gather']:.1f} s gather",
             ratio(r["combined"], r["batch_gather"])]]


def main() -> list[list[str]]:
    with temp_root() as root:
        return report(measure(root))


if __name__ == "__main__":
    main()
