"""Every number of ``bdr-desk kpi --json``, and every drill-down, against an independent Python recount over
the raw rows of a random book (``tests/kpi_reference.py``), for a matrix of periods and scopes, on both
engines."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from accounts.models import (
    Account,
    Activity,
    CommitteeTemplate,
    Contact,
    Opportunity,
    TargetList,
    TargetListMember,
)
from bdr_desk.cli import main
from bdr_desk.kpi import METRICS, drill, drill_ids, resolve_filter
from bdr_desk.users import User
from content_library.models import ContentItem, ContentUsage
from tests.kpi_reference import RANK, TODAY, Recount, RefFilter, World, make_world, norm

D = dt.date
CASES = {  # CLI options -> the same filter written out by hand for the recount
    "all": ({"period": "all"}, RefFilter(None, None)),
    "last-90": ({}, RefFilter(D(2026, 8, 21), TODAY, (D(2026, 5, 23), D(2026, 8, 20)))),
    "q4-running": ({"period": "2026-Q4"}, RefFilter(D(2026, 10, 1), D(2026, 12, 31), (D(2026, 7, 1), D(2026, 8, 18)))),
    "q3": ({"period": "2026-q3"}, RefFilter(D(2026, 7, 1), D(2026, 9, 30), (D(2026, 4, 1), D(2026, 6, 30)))),
    "month": ({"period": "2026-10"}, RefFilter(D(2026, 10, 1), D(2026, 10, 31), (D(2026, 9, 1), D(2026, 9, 30)))),
    "dates": ({"from": "2026-03-01", "to": "2026-08-31"},
              RefFilter(D(2026, 3, 1), D(2026, 8, 31), (D(2025, 8, 29), D(2026, 2, 28)))),
    "owner": ({"owner": "ana ortiz"}, RefFilter(D(2026, 8, 21), TODAY, (D(2026, 5, 23), D(2026, 8, 20)), owner_id=1)),
    "static": ({"period": "all", "list": "Static ref"}, RefFilter(None, None, list="static")),
    "dynamic": ({"period": "2026-Q3", "list": "dynamic REF"},
                RefFilter(D(2026, 7, 1), D(2026, 9, 30), (D(2026, 4, 1), D(2026, 6, 30)), list="dynamic")),
    "segment": ({"period": "all", "segment": "Enterprise"}, RefFilter(None, None, segment="enterprise")),
    "webinar": ({"period": "all", "source": "Webinar"}, RefFilter(None, None, source="webinar")),
    "unknown": ({"period": "all", "source": "unknown"}, RefFilter(None, None, source="unknown")),
    "combined": ({"period": "2026-Q3", "owner": "Ben", "source": "paid", "no-touch-days": "14"},
                 RefFilter(D(2026, 7, 1), D(2026, 9, 30), (D(2026, 4, 1), D(2026, 6, 30)), owner_id=2, source="paid",
                           no_touch_days=14)),
}


def insert_world(ws) -> World:
    w = make_world()
    with ws.session() as s:
        s.execute(insert(User), [{**u, "role": "bdr"} for u in w.users])
        s.execute(insert(Account), [{**a, "version": 1} for a in w.accounts])
        s.execute(insert(Contact), [{**c, "version": 1} for c in w.contacts])
        s.execute(insert(Activity), w.activities)
        s.execute(insert(Opportunity), [{**o, "version": 1} for o in w.opportunities])
        s.execute(insert(ContentItem), [{**i, "version": 1} for i in w.items])
        s.execute(insert(ContentUsage), w.usage)
        static = TargetList(name="Static ref", kind="static")
        s.add_all([static, TargetList(name="Dynamic ref", kind="dynamic", filter=w.dynamic)])
        s.flush()
        s.execute(insert(TargetListMember), [{"list_id": static.id, "account_id": i} for i in sorted(w.static_members)])
        for seg, roles in s.execute(select(CommitteeTemplate.segment, CommitteeTemplate.roles)):
            w.templates[seg] = [r["role"] for r in roles if r.get("required")]
    return w


@pytest.fixture
def world(workspace):
    return insert_world(workspace)


def cli_args(opts: dict[str, str]) -> list[str]:
    return [x for k, v in opts.items() for x in (f"--{k}", v)]


def approx(value):
    return None if value is None else pytest.approx(float(value), abs=0.006)


def ratio(a, b):
    return a / b if b else None


def funnel(r: Recount, lo, hi) -> list[int]:
    ranks = [RANK.get(c["lifecycle_stage"], 0) for c in r.contacts() if lo is None and hi is None
             or (c["created_at"].date() >= lo and c["created_at"].date() <= hi)]
    return [sum(1 for k in ranks if k >= n) for n in range(1, 7)]


def check_funnel(rows, counts) -> None:
    assert [row["count"] for row in rows] == counts
    conv = [None] + [ratio(b, a) for a, b in zip(counts, counts[1:], strict=False)]
    assert [row["conversion_from_previous"] for row in rows] == [approx(c) for c in conv]
    present = [(c, i) for i, c in enumerate(conv) if c is not None]
    weakest = min(present)[1] if present else None  # lowest rate, the earlier step on a tie
    assert [i for i, row in enumerate(rows) if row["weakest"]] == ([] if weakest is None else [weakest])


def period_numbers(r: Recount, previous: bool) -> dict:
    ids = {m: r.ids(m, previous=previous) for m in (
        "meetings_booked", "meetings_held", "first_meetings", "first_meetings_held", "opportunities_created",
        "qualified_opportunities", "closed_won", "closed_lost", "avg_deal_size", "avg_enterprise_deal_size")}
    out = {k: len(v) for k, v in ids.items() if not k.startswith("avg")}
    out["pipeline_created"] = r.amount(ids["opportunities_created"])
    out["won_amount"] = r.amount(ids["closed_won"])
    out["win_rate"] = ratio(out["closed_won"], out["closed_won"] + out["closed_lost"])
    for k in ("avg_deal_size", "avg_enterprise_deal_size"):
        out[k] = ratio(r.amount(ids[k]), len(ids[k]))
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_cli_json_against_recount(world, workspace, capsys, case):
    opts, f = CASES[case]
    assert main(["--db", workspace.url, "kpi", "--json", "--as-of", TODAY.isoformat(), *cli_args(opts)]) == 0
    k = json.loads(capsys.readouterr().out)
    r = Recount(world, f)
    targets = r.targets()
    assert (k["workspace_accounts"], k["accounts_in_scope"]) == (60, len(r.scoped))
    assert k["target_accounts"] == len(targets) and k["tier1_accounts"] == len(r.ids("tier1_accounts"))
    assert k["no_touch_accounts"] == len(r.no_touch(TODAY)) and k["filters"]["no_touch_days"] == f.no_touch_days
    assert k["key_contact_accounts"] == len(r.identified())
    assert k["key_contact_identification_rate"] == approx(ratio(len(r.identified()), len(targets)))
    open_ids = r.ids("open_opportunities")
    assert (k["open_opportunities"], k["pipeline_amount"]) == (len(open_ids), approx(r.amount(open_ids)))
    for key, value in period_numbers(r, False).items():
        assert k[key] == (approx(value) if isinstance(value, Decimal | float) else value), key
    if f.prev is None:
        assert k["previous"] is None
    else:
        assert (k["previous_period"]["start"], k["previous_period"]["end"]) == tuple(d.isoformat() for d in f.prev)
        for key, value in period_numbers(r, True).items():
            assert k["previous"][key] == (approx(value) if isinstance(value, Decimal | float) else value), key
    check_funnel(k["funnel"], funnel(r, f.start, f.end))

    # by lead source: the same funnel per contact source, and the opportunities of that source
    expected_sources = {}
    for src in {norm(c["lead_source"]) for c in world.contacts} | {norm(o["lead_source"]) for o in world.opportunities}:
        rs = Recount(world, RefFilter(f.start, f.end, f.prev, f.owner_id, f.list, f.segment, src, f.no_touch_days))
        if f.source not in (None, src):
            continue
        counts, opened = funnel(rs, f.start, f.end), rs.ids("opportunities_created")
        won, lost = rs.ids("closed_won"), rs.ids("closed_lost")
        if counts[0] or opened or won or lost:
            expected_sources[src] = (counts, len(opened), approx(rs.amount(opened)), len(won), len(lost),
                                     approx(rs.amount(won)))
    got = {s["source"]: s for s in k["by_source"]}
    assert set(got) == set(expected_sources)
    for src, (counts, n, pipe, won, lost, won_amount) in expected_sources.items():
        s = got[src]
        check_funnel(s["funnel"], counts)
        assert (s["leads"], s["opportunities"], s["pipeline"], s["closed_won"], s["closed_lost"], s["won_amount"]) == \
            (counts[0], n, pipe, won, lost, won_amount)

    # activity vs outcome per BDR
    expected_bdrs = {}
    for uid in (0, 1, 2, 3, 4):
        acts = {m: len(r.ids(f"bdr_{m}", uid)) for m in ("calls", "emails", "touches", "connects", "meetings_booked",
                                                         "meetings_held")}
        opened, won = r.ids("bdr_opportunities", uid), r.ids("bdr_won", uid)
        qualified = {o["id"] for o in world.opportunities if o["id"] in opened and o["qualified"]}
        outcome = (len(opened), len(qualified), approx(r.amount(opened)), len(won), approx(r.amount(won)))
        if any(acts.values()) or any(outcome[i] for i in (0, 1, 3)) or r.amount(opened) or r.amount(won):
            expected_bdrs[uid] = (acts, outcome)
    got = {b["user_id"] or 0: b for b in k["by_bdr"]}
    assert set(got) == set(expected_bdrs)
    for uid, (acts, outcome) in expected_bdrs.items():
        b = got[uid]
        assert {m: b[m] for m in acts} == acts
        assert b["linkedin"] == acts["touches"] - acts["calls"] - acts["emails"]
        assert (b["opportunities"], b["qualified_opportunities"], b["pipeline"], b["closed_won"], b["won_amount"]) == \
            outcome
        assert b["connect_rate"] == approx(ratio(acts["connects"], acts["touches"]))

    # content influence per item, and in total
    got = {c["item_id"]: c for c in k["content_influence"]}
    for item in world.items:
        opps = r.influenced(item["id"])
        if not opps:
            assert item["id"] not in got
            continue
        c = got[item["id"]]
        accounts = {o["account_id"] for o in world.opportunities if o["id"] in opps}
        won = {o["id"] for o in world.opportunities if o["id"] in opps and o["stage"] == "closed_won"}
        assert (c["opportunities"], c["accounts"], c["pipeline"], c["closed_won"], c["won_amount"]) == \
            (len(opps), len(accounts), approx(r.amount(opps)), len(won), approx(r.amount(won)))
    every = r.influenced(None)
    assert k["content_influenced_opportunities"] == len(every)
    assert k["content_influenced_amount"] == approx(r.amount(every))


@pytest.mark.parametrize("case", ["all", "q4-running", "owner", "dynamic", "webinar", "combined"])
def test_drill_down_is_exactly_the_records_counted(world, workspace, case):
    opts, f = CASES[case]
    r = Recount(world, f)
    keys = {"funnel": list(RANK)[:4] + ["opportunity", "closed_won"], "content_influence": [1, 2, 3, 4, 5]}
    with workspace.session() as s:
        flt = resolve_filter(s, today=TODAY, period=opts.get("period"), start=opts.get("from"), end=opts.get("to"),
                             owner=opts.get("owner"), list_name=opts.get("list"), segment=opts.get("segment"),
                             source=opts.get("source"), no_touch_days=int(opts.get("no-touch-days", 30)))
        for metric, spec in METRICS.items():
            if metric in ("pipeline_created", "pipeline_amount", "won_amount", "bdr_linkedin", "bdr_qualified"):
                continue  # the same records as opportunities_created, open_opportunities, closed_won…
            for key in keys.get(metric, [0, 1, 2, 4] if spec.keyed else [None]):
                got = drill_ids(s, flt, metric, key)
                assert got == sorted(r.ids(metric, key)), (metric, key)
        d = drill(s, flt, "target_accounts", limit=5)
        assert d.total == len(r.targets()) and len(d.rows) == min(5, d.total)
        assert [row.name for row in d.rows] == sorted(r.acc[i]["name"] for i in r.targets())[:5]
        for metric, key in (("funnel", "lead"), ("bdr_touches", 1), ("opportunities_created", None),
                            ("first_meetings", None)):  # every kind of record list, on both engines
            d = drill(s, flt, metric, key, limit=None)
            assert sorted(row.id for row in d.rows) == sorted(r.ids(metric, key)) and d.total == len(d.rows)
            assert all(row.account == r.acc[row.account_id]["name"] for row in d.rows)
        opps = r.ids("opportunities_created")
        assert drill(s, flt, "opportunities_created").amount == pytest.approx(r.amount(opps))
