"""A random but reproducible book of accounts written as plain rows, and an independent recount of every KPI
over those rows in Python (no SQL, no code shared with ``bdr_desk.kpi``), for ``test_kpi_reference.py``.

The recount returns the *ids* behind each number, so the tests compare the dashboard's numbers with their
lengths (or sums) and the drill-downs with the ids themselves.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

UTC = dt.UTC
TODAY = dt.date(2026, 11, 18)
STAGES = ("target", "researching", "engaged", "meeting_booked", "opportunity", "won", "lost", "nurture")
LIFECYCLE = (None, "lead", "lead", "mql", "sal", "sql", "opportunity", "closed_won", "closed_lost", "subscriber")
RANK = {"lead": 1, "mql": 2, "sal": 3, "sql": 4, "opportunity": 5, "closed_lost": 5, "closed_won": 6}
SOURCES = (None, "", "webinar", " Webinar", "PAID", "paid", "organic", "outbound", "outbound", "whitepaper")
ROLES = (None, "economic_buyer", "decision_maker", "champion", "technical_evaluator", "user", "influencer")
OUTCOMES = {"call": ("connected", "voicemail", "no_answer", "meeting_booked"),
            "email": ("sent", "replied", "bounced", "meeting_booked"),
            "linkedin": ("connection_sent", "connected", "replied", "message_sent"),
            "meeting": ("booked", "held", "held", "no_show", "cancelled", None),
            "event": ("invited", "attended"), "note": (None,), "task": (None,)}
CONNECTS = {("call", "connected"), ("email", "replied"), ("linkedin", "replied"), ("linkedin", "connected"),
            ("event", "attended")}
OPP_STAGES = ("discovery", "qualification", "proposal", "closed_won", "closed_won", "closed_lost")


def norm(source: str | None) -> str:
    return (source or "").strip().lower() or "unknown"


@dataclass
class World:
    users: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    usage: list[dict[str, Any]] = field(default_factory=list)
    static_members: set[int] = field(default_factory=set)
    dynamic: dict[str, Any] = field(default_factory=lambda: {"industry": ["fintech"], "tier": [1, 2]})
    templates: dict[str, list[str]] = field(default_factory=dict)  # segment -> required roles (read back)


def make_world(seed: int = 11) -> World:
    rng = random.Random(seed)
    w = World()

    def when(days: int = 400) -> dt.datetime:
        base = dt.datetime.combine(TODAY, dt.time(0, 0), tzinfo=UTC)
        return base - dt.timedelta(minutes=rng.randrange(-3 * 1440, days * 1440))  # a few days ahead too

    w.users = [{"id": i + 1, "name": n, "email": f"{n.lower()}@ref.test"} for i, n in
               enumerate(("Ana Ortiz", "Ben Hale", "Cy Moss", "Dee Park"))]
    for i in range(1, 61):
        last = rng.choice([None, when(90), when(90), dt.datetime.combine(
            TODAY - dt.timedelta(days=30), dt.time(0, 0), tzinfo=UTC)])
        w.accounts.append({"id": i, "name": f"Account {i:02d}", "industry": rng.choice(("fintech", "retail", "healthcare")),
                           "tier": rng.choice((1, 2, 3, None)), "segment": rng.choice(("smb", "mid_market", "enterprise", None)),
                           "abm_stage": rng.choice(STAGES), "owner_id": rng.choice((1, 1, 2, 3, None)),
                           "last_activity_at": last})
    w.static_members = set(rng.sample(range(1, 61), 18))
    cid = aid = oid = 0
    for a in w.accounts:
        for _ in range(rng.randint(0, 7)):
            cid += 1
            w.contacts.append({"id": cid, "account_id": a["id"], "lifecycle_stage": rng.choice(LIFECYCLE),
                               "lead_source": rng.choice(SOURCES), "buying_role": rng.choice(ROLES),
                               "left_company": rng.random() < 0.12, "created_at": when()})
        for _ in range(rng.randint(0, 10)):
            aid += 1
            kind = rng.choice(("call", "call", "email", "email", "linkedin", "meeting", "meeting", "event", "note", "task"))
            w.activities.append({"id": aid, "account_id": a["id"], "type": kind,
                                 "outcome": rng.choice(OUTCOMES[kind]), "occurred_at": when(),
                                 "user_id": rng.choice((a["owner_id"], a["owner_id"], 4, None)),
                                 "completed": rng.random() > 0.1})
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            oid += 1
            stage = rng.choice(OPP_STAGES)
            closed = stage.startswith("closed")
            w.opportunities.append({
                "id": oid, "account_id": a["id"], "name": f"Deal {oid}", "stage": stage,
                "amount": rng.choice((None, Decimal(rng.randrange(1000, 90000, 250)))),
                "lead_source": rng.choice(SOURCES), "qualified": rng.random() < 0.6,
                "opened_on": rng.choice((None, when().date())), "created_at": when(),
                "closed_at": rng.choice((None, when(200))) if closed else None,
                "close_date": rng.choice((None, when(200).date())) if closed else None,
                "owner_id": rng.choice((a["owner_id"], None, 2))})
    w.items = [{"id": i, "title": f"Item {i}", "type": "case_study"} for i in range(1, 6)]
    w.usage = [{"id": i, "item_id": rng.randint(1, 5), "account_id": rng.choice((None, rng.randint(1, 60))),
                "used_at": when()} for i in range(1, 81)]
    return w


# ---- the recount ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RefFilter:
    start: dt.date | None
    end: dt.date | None
    prev: tuple[dt.date, dt.date] | None = None
    owner_id: int | None = None
    list: str | None = None  # "static" or "dynamic"
    segment: str | None = None
    source: str | None = None
    no_touch_days: int = 30


def in_days(day: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    if day is None:
        return False
    return (start is None or day >= start) and (end is None or day <= end)


def in_ts(ts: dt.datetime | None, start: dt.date | None, end: dt.date | None) -> bool:
    return ts is not None and in_days(ts.astimezone(UTC).date(), start, end)


class Recount:
    def __init__(self, w: World, f: RefFilter) -> None:
        self.w, self.f = w, f
        self.contacts_of: dict[int, list[dict]] = {}
        for c in w.contacts:
            self.contacts_of.setdefault(c["account_id"], []).append(c)
        self.opps_of: dict[int, list[dict]] = {}
        for o in w.opportunities:
            self.opps_of.setdefault(o["account_id"], []).append(o)
        self.acc = {a["id"]: a for a in w.accounts}
        self.base = {a["id"] for a in w.accounts if self._base(a)}
        self.scoped = {i for i in self.base if f.source is None or any(
            norm(x["lead_source"]) == f.source for x in self.contacts_of.get(i, []) + self.opps_of.get(i, []))}

    def _base(self, a: dict) -> bool:
        f = self.f
        if f.owner_id is not None and a["owner_id"] != f.owner_id:
            return False
        if f.list == "static" and a["id"] not in self.w.static_members:
            return False
        if f.list == "dynamic" and not (a["industry"] in self.w.dynamic["industry"] and a["tier"] in self.w.dynamic["tier"]):
            return False
        return f.segment is None or a["segment"] == f.segment

    # accounts
    def targets(self) -> set[int]:
        return {i for i in self.scoped if self.acc[i]["abm_stage"] not in ("won", "lost")}

    def no_touch(self, today: dt.date) -> set[int]:
        cutoff = dt.datetime.combine(today - dt.timedelta(days=self.f.no_touch_days), dt.time(0, 0), tzinfo=UTC)
        return {i for i in self.targets() if self.acc[i]["last_activity_at"] is None
                or self.acc[i]["last_activity_at"] < cutoff}

    def identified(self) -> set[int]:
        out = set()
        for i in self.targets():
            seg = self.acc[i]["segment"] if self.acc[i]["segment"] in self.w.templates else "mid_market"
            need = set(self.w.templates.get(seg, self.w.templates.get("mid_market", [])))
            held = {c["buying_role"] for c in self.contacts_of.get(i, []) if c["buying_role"] and not c["left_company"]}
            if need <= held:
                out.add(i)
        return out

    # records in scope
    def contacts(self) -> list[dict]:
        return [c for c in self.w.contacts if c["account_id"] in self.base
                and (self.f.source is None or norm(c["lead_source"]) == self.f.source)]

    def activities(self) -> list[dict]:
        return [a for a in self.w.activities if a["account_id"] in self.scoped]

    def opportunities(self) -> list[dict]:
        return [o for o in self.w.opportunities if o["account_id"] in self.base
                and (self.f.source is None or norm(o["lead_source"]) == self.f.source)]

    # predicates
    @staticmethod
    def booking(a: dict) -> bool:
        return a["outcome"] == "meeting_booked" or (a["type"] == "meeting" and a["outcome"] == "booked")

    @staticmethod
    def held(a: dict) -> bool:
        return a["type"] == "meeting" and a["outcome"] in ("held", None)

    def period(self, previous: bool = False) -> tuple[dt.date | None, dt.date | None]:
        return self.f.prev if previous else (self.f.start, self.f.end)  # type: ignore[return-value]

    def opened(self, o: dict, previous: bool = False) -> bool:
        lo, hi = self.period(previous)
        return in_days(o["opened_on"], lo, hi) if o["opened_on"] else in_ts(o["created_at"], lo, hi)

    def closed(self, o: dict, stage: str | None = None, previous: bool = False) -> bool:
        if o["stage"] not in ((stage,) if stage else ("closed_won", "closed_lost")):
            return False
        lo, hi = self.period(previous)
        if lo is None and hi is None:
            return True
        if o["closed_at"] is not None:
            return in_ts(o["closed_at"], lo, hi)
        return in_days(o["close_date"], lo, hi)

    def firsts(self, held: bool) -> dict[int, dt.datetime]:
        first: dict[int, dt.datetime] = {}
        for a in self.activities():
            ok = self.held(a) if held else (a["outcome"] == "meeting_booked" or a["type"] == "meeting")
            if ok and (a["account_id"] not in first or a["occurred_at"] < first[a["account_id"]]):
                first[a["account_id"]] = a["occurred_at"]
        return first

    def ids(self, metric: str, key: Any = None, today: dt.date = TODAY, previous: bool = False) -> set[int]:
        """The ids behind a metric (accounts, contacts, activities or opportunities by metric)."""
        lo, hi = self.period(previous)
        acts = [a for a in self.activities() if in_ts(a["occurred_at"], lo, hi)]
        opps = self.opportunities()
        who = (lambda a: (a["user_id"] or 0) == key) if metric.startswith("bdr_") else (lambda a: True)
        owner = (lambda o: (o["owner_id"] or self.acc[o["account_id"]]["owner_id"] or 0) == key) \
            if metric.startswith("bdr_") else (lambda o: True)
        touch = lambda a, t=None: a["completed"] and a["type"] in ((t,) if t else ("call", "email", "linkedin"))  # noqa: E731
        won_amt = [o["id"] for o in opps if self.closed(o, "closed_won", previous) and o["amount"] is not None]
        table = {
            "target_accounts": lambda: self.targets(),
            "tier1_accounts": lambda: {i for i in self.targets() if self.acc[i]["tier"] == 1},
            "no_touch_accounts": lambda: self.no_touch(today),
            "key_contact_accounts": lambda: self.identified(),
            "key_contact_identification_rate": lambda: self.targets(),
            "first_meetings": lambda: {i for i, t in self.firsts(False).items() if in_ts(t, lo, hi)},
            "first_meetings_held": lambda: {i for i, t in self.firsts(True).items() if in_ts(t, lo, hi)},
            "meetings_booked": lambda: {a["id"] for a in acts if self.booking(a)},
            "meetings_held": lambda: {a["id"] for a in acts if self.held(a)},
            "opportunities_created": lambda: {o["id"] for o in opps if self.opened(o, previous)},
            "qualified_opportunities": lambda: {o["id"] for o in opps if self.opened(o, previous) and o["qualified"]},
            "open_opportunities": lambda: {o["id"] for o in opps if not o["stage"].startswith("closed")},
            "closed_won": lambda: {o["id"] for o in opps if self.closed(o, "closed_won", previous)},
            "closed_lost": lambda: {o["id"] for o in opps if self.closed(o, "closed_lost", previous)},
            "win_rate": lambda: {o["id"] for o in opps if self.closed(o, None, previous)},
            "avg_deal_size": lambda: set(won_amt),
            "avg_enterprise_deal_size": lambda: {i for i in won_amt if self.acc[
                next(o for o in opps if o["id"] == i)["account_id"]]["segment"] == "enterprise"},
            "funnel": lambda: {c["id"] for c in self.contacts() if in_ts(c["created_at"], lo, hi)
                               and RANK.get(c["lifecycle_stage"], 0) >= RANK[key]},
            "bdr_calls": lambda: {a["id"] for a in acts if who(a) and touch(a, "call")},
            "bdr_emails": lambda: {a["id"] for a in acts if who(a) and touch(a, "email")},
            "bdr_touches": lambda: {a["id"] for a in acts if who(a) and touch(a)},
            "bdr_connects": lambda: {a["id"] for a in acts if who(a) and a["completed"]
                                     and (a["type"], a["outcome"]) in CONNECTS},
            "bdr_meetings_booked": lambda: {a["id"] for a in acts if who(a) and self.booking(a)},
            "bdr_meetings_held": lambda: {a["id"] for a in acts if who(a) and self.held(a)},
            "bdr_opportunities": lambda: {o["id"] for o in opps if owner(o) and self.opened(o)},
            "bdr_won": lambda: {o["id"] for o in opps if owner(o) and self.closed(o, "closed_won")},
            "content_influence": lambda: self.influenced(key),
            "content_influenced": lambda: self.influenced(None),
        }
        return set(table[metric]())

    def influenced(self, item_id: int | None) -> set[int]:
        out = set()
        for o in self.opportunities():
            if not self.opened(o):
                continue
            for u in self.w.usage:
                if u["account_id"] == o["account_id"] and (item_id is None or u["item_id"] == item_id) and (
                        o["closed_at"] is None or u["used_at"] <= o["closed_at"]):
                    out.add(o["id"])
        return out

    def amount(self, opp_ids: set[int]) -> Decimal:
        return sum((o["amount"] or Decimal(0) for o in self.w.opportunities if o["id"] in opp_ids), Decimal(0))
