"""Generates a large, realistic workspace quickly: users and accounts by bulk INSERT in chunks."""

from __future__ import annotations

import datetime as dt
import random
import time

from sqlalchemy import func, insert, select

from accounts.models import ABM_STAGES, Account
from bdr_desk.db import Workspace
from bdr_desk.taxonomy import INDUSTRY, Taxonomy
from bdr_desk.users import User

PREFIXES = (
    "North", "Northwind", "Northern", "South", "Blue", "Red", "Summit", "Acme", "Globex", "Initech", "Vertex",
    "Pioneer", "Harbor", "Granite", "Silver", "Cedar", "Atlas", "Nova", "Apex", "Bright", "Clearwater",
    "Evergreen", "Falcon", "Horizon", "Iron", "Keystone", "Liberty", "Meridian", "Oakridge", "Pacific",
    "Quantum", "Riverside", "Sterling", "Titan", "Union", "Vista", "Westfield", "Zenith", "Lumen", "Orbit",
)
SUFFIXES = {
    "software": ("Software", "Systems", "Labs", "Cloud"), "fintech": ("Pay", "Capital", "Ledger", "Fintech"),
    "banking": ("Bank", "Bancorp", "Trust"), "insurance": ("Insurance", "Assurance", "Mutual"),
    "healthcare": ("Health", "Care", "Medical"), "life_sciences": ("Bio", "Therapeutics", "Pharma"),
    "manufacturing": ("Manufacturing", "Industries", "Works"), "retail": ("Retail", "Stores", "Outfitters"),
    "logistics": ("Logistics", "Freight", "Shipping"), "telecom": ("Telecom", "Networks", "Wireless"),
    "energy": ("Energy", "Power", "Solar"), "media": ("Media", "Studios", "Publishing"),
}
GENERIC = ("Group", "Solutions", "Partners", "Holdings", "Technologies")
LEGAL = ("", "", "", " Inc", " Ltd", " GmbH", " LLC", " plc")
TLDS = (".com", ".com", ".com", ".io", ".co.uk", ".de", ".net")
COUNTRIES = ("US", "US", "US", "GB", "DE", "FR", "NL", "CA", "AU", "SE")
OWNERS = ("Alex Rivera", "Priya Shah", "Jordan Lee", "Morgan Chen", "Sam Okafor")


def make_users(ws: Workspace) -> list[int]:
    with ws.session() as s:
        users = [User(name=n, email=n.lower().replace(" ", ".") + "@bench.example", role="bdr") for n in OWNERS]
        s.add_all(users)
        s.flush()
        return [u.id for u in users]


def account_rows(n: int, taxonomy: Taxonomy, owner_ids: list[int], seed: int = 7, start: int = 0):
    """Yield ``n`` account dicts (domains unique within one seed/start)."""
    rng = random.Random(seed)
    industries = taxonomy.keys(INDUSTRY)
    now = dt.datetime.now(dt.UTC)
    for i in range(start, start + n):
        industry = rng.choice(industries)
        prefix = rng.choice(PREFIXES)
        word = rng.choice(SUFFIXES.get(industry, GENERIC) + GENERIC[:2])
        employees = max(1, int(rng.lognormvariate(5.0, 1.8)))
        band = taxonomy.size_band(employees)
        icp = None if rng.random() < 0.05 else min(100, max(0, int(rng.gauss(55, 20))))
        tier = 1 if icp and icp >= 80 else 2 if icp and icp >= 60 else 3
        stamp = now - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        yield {
            "name": f"{prefix} {word}{rng.choice(LEGAL)}",
            "domain": f"{prefix.lower()}{word.lower()}{i}{rng.choice(TLDS)}",
            "industry": industry, "employees": employees,
            "size_band": band.key if band else None, "segment": band.segment if band else None,
            "tier": tier, "icp_score": icp, "abm_stage": rng.choice(ABM_STAGES),
            "owner_id": None if rng.random() < 0.1 else rng.choice(owner_ids),
            "hq_country": rng.choice(COUNTRIES), "tier_is_manual": False, "version": 1,
            "created_at": stamp, "updated_at": stamp,
        }


def insert_accounts(ws: Workspace, n: int, chunk: int = 10_000, seed: int = 7) -> float:
    """Bulk-insert ``n`` accounts (plus five owners); returns seconds taken."""
    t0 = time.perf_counter()
    owner_ids = make_users(ws)
    with ws.session() as s:
        taxonomy = Taxonomy.load(s)
    rows = account_rows(n, taxonomy, owner_ids, seed)
    done = 0
    while done < n:
        batch = [next(rows) for _ in range(min(chunk, n - done))]
        with ws.session() as s:
            s.execute(insert(Account), batch)
        done += len(batch)
    with ws.session() as s:
        assert s.scalar(select(func.count(Account.id))) == n
    return time.perf_counter() - t0
