"""The HubSpot connector pushing 10,000 companies and 30,000 contacts to the fake HubSpot (``tests.fake_hubspot``,
served on 127.0.0.1 in a thread, enforcing 190 requests / 10 s and 100 inputs per batch).

Figures: API calls used against the minimum, ``ceil(n / 100)`` per object type (goal: equal); wall time against
the time HubSpot's budget needs for that many calls at its sustained 19 requests per second (the client keeps
~5% under it: the token bucket allows at most 180.5 in any 10 s); 429s received (goal: 0); then a no-op re-read
of every record by id (``read``: batch reads of 100, plus the contacts' company associations, 1,000 per call)
and a no-op incremental pull (``changed_since`` after the push: one search call per type).

This measures the connector; the engine-level push (outbox, mapping, journal) is measured separately.

``python -m bench.bench_crm_push`` (about a minute: the budget, not the CPU, sets the pace);
``--virtual`` runs on a virtual clock (no waiting: the client's own cost per call).
From ``run_all``: ``summary += bench_crm_push.report(bench_crm_push.measure())``.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time

from bench._common import ratio, table

N_COMPANIES = 10_000
N_CONTACTS = 30_000
BATCH = 100
SUSTAINED = 19.0  # HubSpot private apps: 190 requests per 10 s


def _companies(n: int) -> list[dict[str, str]]:
    return [{"name": f"Bench Company {i}", "domain": f"bench-{i}.example", "industry": "COMPUTER_SOFTWARE",
             "city": "Leeds", "numberofemployees": str(50 + i % 5000)} for i in range(n)]


def _contacts(n: int, n_companies: int) -> list[dict[str, str]]:
    return [{"email": f"person{i}@bench-{i % n_companies}.example", "firstname": f"First{i}",
             "lastname": f"Last{i}", "jobtitle": "VP Finance" if i % 7 == 0 else "Controller",
             "lifecyclestage": "lead"} for i in range(n)]


def measure(n_companies: int = N_COMPANIES, n_contacts: int = N_CONTACTS, *, virtual: bool = False) -> dict:
    from bdr_desk.crm.hubspot import HubSpotConnector
    from tests.fake_hubspot import FakeClock, FakeHubSpot

    clock = FakeClock() if virtual else None
    kw = {"clock": clock, "sleep": clock.sleep} if clock else {}
    out: dict = {"virtual": virtual, "n": {"account": n_companies, "contact": n_contacts}}
    with FakeHubSpot(clock=clock or time.time) as fake, \
            HubSpotConnector(fake.url, token=fake.token, **kw) as conn:
        records = {"account": _companies(n_companies), "contact": _contacts(n_contacts, n_companies)}
        ids: dict[str, list[str]] = {}
        high_water = dt.datetime.min.replace(tzinfo=dt.UTC)
        out["push"] = {}
        for object_type, rows in records.items():
            before, t0 = conn.api_calls, time.perf_counter()
            results = conn.create(object_type, rows)
            seconds = time.perf_counter() - t0
            ids[object_type] = [r.external_id for r in results if r.ok]
            high_water = max([high_water, *(r.updated_at for r in results if r.updated_at)])
            out["push"][object_type] = {"calls": conn.api_calls - before, "seconds": seconds,
                                        "ok": len(ids[object_type]), "minimum": math.ceil(len(rows) / BATCH)}
        out["remote"] = {"account": len(fake.live("companies")), "contact": len(fake.live("contacts"))}
        out["rate_limited"] = fake.statuses().count(429)
        before, t0 = conn.api_calls, time.perf_counter()
        reread = {t: len(conn.read(t, ids[t], ["name", "domain"] if t == "account" else ["email"])) for t in ids}
        out["reread"] = {"calls": conn.api_calls - before, "seconds": time.perf_counter() - t0, "records": reread,
                         "minimum": sum(math.ceil(len(v) / BATCH) for v in ids.values())}
        before = conn.api_calls
        since = high_water + dt.timedelta(milliseconds=1)  # what a sync keeps as its cursor
        changed = sum(len(conn.changed_since(t, since, ["name"]).records) for t in ids)
        out["noop_pull"] = {"calls": conn.api_calls - before, "changed": changed}
        out["total_calls"] = conn.api_calls
        out["requests_logged"] = len(fake.requests)
    return out


def report(r: dict) -> list[list[str]]:
    mode = "virtual clock (no waiting)" if r["virtual"] else "real clock"
    print(f"CRM push through HubSpotConnector.create to the fake HubSpot ({mode}); "
          f"{r['n']['account']:,} companies, {r['n']['contact']:,} contacts")
    rows = []
    for t, p in r["push"].items():
        budget = p["calls"] / SUSTAINED
        rows.append([f"push {r['n'][t]:,} {t}s: API calls", f"{p['calls']:,}", f"{p['minimum']:,} = ceil(n/100)",
                     ratio(p["calls"], p["minimum"]), f"{p['ok']:,} ok"])
        rows.append([f"push {r['n'][t]:,} {t}s: wall time", f"{p['seconds']:.1f} s",
                     f"{budget:.1f} s at 19 calls/s", ratio(p["seconds"], budget) if not r["virtual"] else "n/a",
                     f"{p['ok'] / p['seconds']:,.0f} records/s"])
    rr = r["reread"]
    rows.append(["no-op re-read of every record: API calls", f"{rr['calls']:,}", f"{rr['minimum']:,} batch reads",
                 ratio(rr["calls"], rr["minimum"]), "+ contacts' company associations (1,000 per call)"])
    rows.append(["no-op re-read: wall time", f"{rr['seconds']:.1f} s", f"{rr['calls'] / SUSTAINED:.1f} s at 19/s",
                 ratio(rr["seconds"], rr["calls"] / SUSTAINED) if not r["virtual"] else "n/a", ""])
    rows.append(["no-op incremental pull: API calls", f"{r['noop_pull']['calls']}", "2 (one search per type)",
                 ratio(r["noop_pull"]["calls"], 2), f"{r['noop_pull']['changed']} changed"])
    print(table(rows, ["case", "figure", "baseline", "ratio", "note"]))
    print(f"429 responses: {r['rate_limited']}; records in the fake: {r['remote']['account']:,} companies, "
          f"{r['remote']['contact']:,} contacts; requests served: {r['requests_logged']:,} "
          f"(= API calls counted: {r['total_calls']:,})")
    push_calls = sum(p["calls"] for p in r["push"].values())
    push_min = sum(p["minimum"] for p in r["push"].values())
    push_s = sum(p["seconds"] for p in r["push"].values())
    return [["crm push 10k companies + 30k contacts: API calls", f"{push_calls:,}", f"{push_min:,} minimum",
             ratio(push_calls, push_min)],
            ["crm push: wall time (HubSpot budget)", f"{push_s:.1f} s", f"{push_calls / SUSTAINED:.1f} s at 19/s",
             ratio(push_s, push_calls / SUSTAINED) if not r["virtual"] else "n/a"],
            ["crm no-op re-read: API calls", f"{rr['calls']:,}", f"{rr['minimum']:,} batch reads",
             ratio(rr["calls"], rr["minimum"])]]


def main(argv: list[str] | None = None) -> list[list[str]]:
    args = sys.argv[1:] if argv is None else argv
    return report(measure(virtual="--virtual" in args))


if __name__ == "__main__":
    main()
