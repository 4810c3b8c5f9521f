"""The demo workspace: a realistic, fictional book of accounts seeded into an empty workspace.

The hand-written data lives in ``resources/demo/*.json``; this module turns it into rows, choosing
committee members, activities and other details with a fixed-seed RNG so every seed is identical.
Dates are relative to ``today`` so the workspace always looks alive. The caller commits.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import partial
from importlib.resources import files
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import bdr_desk.schema  # noqa: F401 - every model mapped before we insert
from accounts.business_days import BusinessCalendar
from accounts.models.account import Account, TargetList, TargetListMember
from accounts.models.activity import Activity, Opportunity
from accounts.models.contact import Contact
from accounts.models.messaging import MessageTemplate, PainHypothesis
from accounts.models.research import Signal
from accounts.models.sequences import Enrollment, Sequence, SequenceStep
from accounts.sequences import due_at
from bdr_desk.demo_touches import add_message_map, finish_demo
from bdr_desk.jobs import CancelToken, ProgressFn
from bdr_desk.taxonomy import Taxonomy
from bdr_desk.users import User
from content_library.models import (
    ContentFacet,
    ContentItem,
    ContentRequest,
    ContentUsage,
    ContentVersion,
    SearchLogEntry,
)

SEED = 20261204
# JSON keys copied verbatim onto model columns
ACCOUNT_FIELDS = ("name", "domain", "industry", "sub_industry", "employees", "hq_country", "hq_region", "hq_city",
                  "tier", "icp_score", "abm_stage", "description")
ITEM_FIELDS = ("title", "type", "summary", "body_text", "status")
REQUEST_FIELDS = ("title", "description", "industry", "size_band", "pain", "persona", "query", "status")
COVERAGE = ("identified", "contacted", "engaged", "meeting_held")
ACTIVITY_TYPES = ["call"] * 6 + ["email"] * 7 + ["linkedin"] * 2 + ["note"]
USAGE_KINDS = ("shared", "attached", "presented", "viewed")
PAUSE_REASONS = ("Out of office until next month", "Replied - handling manually", "Asked to reconnect next quarter")


class DemoError(Exception):
    """The demo cannot be seeded (the workspace is not empty)."""


@dataclass
class DemoSummary:
    users: int = 0
    accounts: int = 0
    contacts: int = 0
    lists: int = 0
    list_members: int = 0
    hypotheses: int = 0
    signals: int = 0
    content_items: int = 0
    content_usage: int = 0
    content_requests: int = 0
    templates: int = 0
    sequences: int = 0
    enrollments: int = 0
    activities: int = 0
    open_tasks: int = 0
    opportunities: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in asdict(self).items())


def load_data(name: str) -> Any:
    """One demo data file, parsed (``accounts``, ``people``, ``content``, ``templates``, ``playbook``)."""
    return json.loads((files("resources") / "demo" / f"{name}.json").read_text(encoding="utf-8"))


def _count(session: Session, model: type[Any], *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def is_empty(session: Session) -> bool:
    return _count(session, Account) == 0


def workspace_summary(session: Session) -> DemoSummary:
    """Row counts of the workspace (after a seed: what the demo put in)."""
    n = partial(_count, session)
    return DemoSummary(
        users=n(User), accounts=n(Account), contacts=n(Contact), lists=n(TargetList),
        list_members=n(TargetListMember), hypotheses=n(PainHypothesis), signals=n(Signal),
        content_items=n(ContentItem), content_usage=n(ContentUsage), content_requests=n(ContentRequest),
        templates=n(MessageTemplate), sequences=n(Sequence), enrollments=n(Enrollment), activities=n(Activity),
        open_tasks=n(Activity, Activity.completed.is_(False)), opportunities=n(Opportunity))


def seed_demo(session: Session, *, today: dt.date | None = None, progress: ProgressFn | None = None,
              cancel: CancelToken | None = None) -> DemoSummary:
    """Insert the demo workspace into an empty workspace (flushes; the caller commits or rolls back)."""
    existing = _count(session, Account)
    if existing:
        raise DemoError(f"workspace already has {existing} accounts; demo data only goes into an empty workspace")
    from bdr_desk.crm.outbox import capture_off

    with capture_off(session):  # demo records are not local changes waiting for a CRM
        return _Seeder(session, today or dt.date.today(), progress, cancel).run()


class _Seeder:
    def __init__(self, session: Session, today: dt.date, progress: ProgressFn | None,
                 cancel: CancelToken | None) -> None:
        self.s, self.today, self.cancel = session, today, cancel
        self.progress = progress or (lambda done, total, message="": None)
        self.rng = random.Random(SEED)
        self.calendar = BusinessCalendar()
        self.tax = Taxonomy.load(session)
        self.people, self.book, self.playbook, self.content, self.templates_data = (
            load_data(name) for name in ("people", "accounts", "playbook", "content", "templates"))
        self.users: dict[str, User] = {}
        self.accounts: dict[str, Account] = {}
        self.contacts: dict[str, list[Contact]] = {}
        self.items: dict[str, ContentItem] = {}
        self.seats = {seat["key"]: seat for seat in self.people["seats"]}
        self.stages = self.playbook["stages"]

    def warmth(self, acc: Account) -> int:
        """How far along the buying journey the account's ABM stage is (0 target .. 5 won)."""
        return int(self.stages[acc.abm_stage]["warmth"])

    def at(self, days_ago: int, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randint(8, 17) if hour is None else hour
        day = self.today - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(hour, self.rng.choice((0, 15, 30, 45))), tzinfo=dt.UTC)

    def step(self, done: int, total: int, message: str) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        self.progress(done, total, message)

    def run(self) -> DemoSummary:
        rows = self.book["accounts"]
        total = len(rows) + 2
        self.step(0, total, "Users, content library and templates")
        self.seed_users()
        self.seed_content()
        self.seed_templates()
        self.seed_accounts(rows)
        self.s.flush()
        for done, row in enumerate(rows, start=1):
            self.step(done, total, row["name"])
            self.seed_account_detail(row)
        self.step(total - 1, total, "Target lists and sequences")
        self.mark_left_company()
        self.seed_lists()
        self.seed_enrollments()
        self.seed_requests()
        self.s.flush()
        finish_demo(self.s)
        self.progress(total, total, "Demo workspace ready")
        return workspace_summary(self.s)

    def seed_users(self) -> None:
        for u in self.people["users"]:  # reuse a workspace user with the same email (e.g. the local profile)
            user = self.s.scalar(select(User).where(User.email == u["email"]))
            self.users[u["key"]] = user or User(name=u["name"], email=u["email"], role=u["role"])
        self.s.add_all(self.users.values())
        self.s.flush()

    def seed_content(self) -> None:
        owner = self.users["dana"]
        for c in self.content["items"]:
            published = self.at(c["published_days_ago"], 10) if c["published_days_ago"] is not None else None
            created = published - dt.timedelta(days=7) if published else self.at(self.rng.randint(3, 20))
            review = self.today + dt.timedelta(days=c["review_in_days"]) if c["review_in_days"] is not None else None
            slug = "-".join("".join(ch for ch in c["title"].lower() if ch.isalnum() or ch == " ").split())[:80]
            item = ContentItem(
                **{k: c[k] for k in ITEM_FIELDS}, url=f"https://content.bdrdesk.example/library/{slug}",
                owner_id=owner.id, published_at=published, review_by=review, created_at=created,
                updated_at=published or created,
                facets=[ContentFacet(vocabulary=v, term=t) for v, terms in c["facets"].items() for t in terms],
            )
            self.s.add(item)
            self.items[c["title"]] = item
        self.s.flush()
        for item in self.items.values():
            self.s.add(ContentVersion(item_id=item.id, version=1, title=item.title, summary=item.summary,
                                    changed_by_id=owner.id, changed_at=item.created_at, note="First version"))

    def seed_templates(self) -> None:
        templates: dict[str, MessageTemplate] = {}
        for t in self.templates_data["templates"]:
            fields = {k: v for k, v in t.items() if k != "owner"}
            templates[t["name"]] = MessageTemplate(**fields, owner_id=self.users[t["owner"]].id)
        self.s.add_all(templates.values())
        self.s.flush()
        self.sequences: dict[int, Sequence] = {}
        for q in self.templates_data["sequences"]:
            steps = [SequenceStep(position=i, day_offset=st["day_offset"], channel=st["channel"],
                                  template_id=templates[st["template"]].id if st["template"] else None,
                                  instruction=st["instruction"]) for i, st in enumerate(q["steps"], start=1)]
            seq = Sequence(name=q["name"], description=q["description"], owner_id=self.users[q["owner"]].id,
                           steps=steps)
            self.s.add(seq)
            self.sequences[seq.owner_id or 0] = seq

    def seed_accounts(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            band = self.tax.size_band(r["employees"])
            acc = Account(
                **{k: r[k] for k in ACCOUNT_FIELDS}, website=f"https://www.{r['domain']}",
                annual_revenue=Decimal(r["annual_revenue"]), size_band=band.key if band else None,
                segment=band.segment if band else None, owner_id=self.users[r["owner"]].id,
                parent=self.accounts.get(r.get("parent", "")), created_at=self.at(self.rng.randint(190, 420)))
            self.accounts[r["domain"]] = acc
        self.s.add_all(self.accounts.values())

    def seed_account_detail(self, row: dict[str, Any]) -> None:
        acc = self.accounts[row["domain"]]
        contacts = self.seed_contacts(acc, row)
        self.s.flush()
        signals = self.seed_signals(acc)
        activities = self.seed_activities(acc, row, contacts)
        self.s.flush()
        self.seed_hypotheses(acc, signals, activities)
        if "opportunity" in row:
            self.seed_opportunity(acc, row["opportunity"], contacts)
        self.seed_usage(acc, contacts)

    def seed_contacts(self, acc: Account, row: dict[str, Any]) -> list[Contact]:
        lo, hi = self.people["committee_size"][str(acc.tier)]
        core = list(self.people["core_seats"])
        chosen = set(core + self.rng.sample(self.people["optional_seats"], self.rng.randint(lo, hi) - len(core)))
        keys = core + [k for k in self.seats if k in chosen and k not in core]  # core first: cfo, vp, champion
        stage, warmth = self.stages[acc.abm_stage], self.warmth(acc)
        opp_source = row.get("opportunity", {}).get("lead_source")
        by_seat: dict[str, Contact] = {}
        last_names = self.rng.sample(self.people["last_names"], len(keys))  # no two alike within an account
        prefix = self.people["phone_prefixes"].get(acc.hq_country or "")
        digits = 2 if prefix and prefix.startswith("+1") else 3  # +1 555-01xx and +44 20 7946 0xxx: fiction ranges
        phones = self.rng.sample(range(10**digits), len(keys))
        for n, key in enumerate(keys):
            seat = self.seats[key]
            first, last = self.rng.choice(self.people["first_names"]), last_names[n]
            is_core = key in core
            lifecycle = stage["core_lifecycle"] if is_core else None
            coverage = max(0, min(3, warmth - 1 + self.rng.choice((-1, 0, 0, 1)) - (0 if is_core else 1)))
            by_seat[key] = Contact(
                account=acc, first_name=first, last_name=last,
                title=seat["titles"].get(acc.industry, seat["title"]), seniority=seat["seniority"],
                function=seat["function"], persona=seat.get("personas", {}).get(acc.industry, seat["persona"]),
                email=f"{first}.{last}@{acc.domain}".lower(),
                phone=f"{prefix}{phones[n]:0{digits}d}" if prefix else None,
                buying_role=seat["buying_role"], influence=seat["influence"],
                sentiment=self.rng.choice(self.people["sentiments"][seat["buying_role"]]) if warmth >= 2
                else "unknown",
                coverage_status=COVERAGE[coverage],
                lifecycle_stage=lifecycle or self.rng.choice(stage["lifecycle"]),
                lead_source=opp_source if is_core and opp_source else self.rng.choice(self.people["lead_sources"]),
                owner_id=acc.owner_id, source="demo", created_at=self.at(self.rng.randint(30, 185)),
            )
        for key, contact in by_seat.items():
            boss = next((b for b in self.seats[key]["reports_to"] if b in by_seat), None)
            contact.reports_to = by_seat[boss] if boss else None
        contacts = list(by_seat.values())
        self.s.add_all(contacts)
        self.contacts[acc.domain or ""] = contacts
        return contacts

    def seed_signals(self, acc: Account) -> list[tuple[Signal, str]]:
        """The account's trigger signals, each with the pain it hints at."""
        count = self.rng.randint(*{1: (1, 2), 2: (0, 2), 3: (0, 1)}[acc.tier or 3])
        signals: list[tuple[Signal, str]] = []
        for tpl in self.rng.sample(self.playbook["signals"], count):
            days = self.rng.randint(3, 120)
            title = tpl["title"].format(name=acc.name, city=acc.hq_city)
            slug = "-".join(title.lower().replace(acc.name.lower(), "").split())[:60].strip("-")
            sig = Signal(account_id=acc.id, kind=tpl["kind"], title=title,
                         detail=tpl["detail"].format(name=acc.name), source_url=f"https://www.{acc.domain}/news/{slug}",
                         occurred_on=self.today - dt.timedelta(days=days), detected_at=self.at(days - 1),
                         confidence=self.rng.randint(60, 95))
            signals.append((sig, tpl["pain"]))
        self.s.add_all(sig for sig, _ in signals)
        return signals

    def seed_activities(self, acc: Account, row: dict[str, Any], contacts: list[Contact]) -> list[Activity]:
        warmth, quiet = self.warmth(acc), bool(row.get("quiet"))
        newest = 65 if quiet else 1  # quiet accounts: nothing in the last two months
        count = self.rng.randint(*self.stages[acc.abm_stage]["activities"])
        days = sorted((self.rng.randint(newest, 178) for _ in range(count)), reverse=True)
        if days and not quiet:
            days[-1] = self.rng.randint(1, 24)
        acts = [self.make_activity(acc, contacts, self.rng.choice(ACTIVITY_TYPES), d) for d in days]
        if warmth >= 3:
            booked = self.rng.randint(newest + 8, 120)
            channel = self.rng.choice(("call", "email"))
            acts.append(self.make_activity(acc, contacts, channel, booked, outcome="meeting_booked"))
            acts.append(self.make_activity(acc, contacts, "meeting", booked - self.rng.randint(4, 7), outcome="held"))
        if warmth >= 1 and not quiet:
            due = self.today + dt.timedelta(days=self.rng.randint(-6, 7))
            task = self.make_activity(acc, contacts, "task", days[-1] if days else 1)
            task.due_at = dt.datetime.combine(due, dt.time(9, 0), tzinfo=dt.UTC)
            task.completed = False
            acts.append(task)
        self.s.add_all(acts)
        acc.last_activity_at = max((a.occurred_at for a in acts), default=None)
        for c in contacts:  # a contact exists before anyone touches them
            touches = [a.occurred_at for a in acts if a.contact_id == c.id and a.completed]
            c.last_touch_at = max(touches, default=None)
            c.created_at = min([c.created_at, *(t - dt.timedelta(days=2) for t in touches)])
        return acts

    def make_activity(self, acc: Account, contacts: list[Contact], kind: str, days_ago: int,
                      outcome: str | None = None) -> Activity:
        options = [a for a in self.playbook["activities"][kind]  # bookings are placed deliberately, not by chance
                   if a.get("outcome") == outcome or (outcome is None and a.get("outcome") != "meeting_booked")]
        tpl = self.rng.choice(options)
        contact = self.rng.choice(contacts[:3] * 2 + contacts)
        inbound = tpl.get("outcome") == "replied"
        act = Activity(account_id=acc.id, contact_id=None if kind == "note" else contact.id,
                       user_id=acc.owner_id, type=kind, direction=None if kind in ("note", "task") else
                       ("inbound" if inbound else "outbound"), outcome=tpl.get("outcome"),
                       subject=tpl["subject"].format(name=acc.name), body=tpl["body"].format(name=acc.name),
                       occurred_at=self.at(days_ago))
        act.created_at = act.occurred_at
        return act

    def seed_hypotheses(self, acc: Account, signals: list[tuple[Signal, str]], activities: list[Activity]) -> None:
        warmth = self.warmth(acc)
        pool = self.playbook["hypotheses"][acc.industry or ""]
        talks = [a for a in activities if a.outcome in ("connected", "held")]
        made = []
        for h in self.rng.sample(pool, {1: 3, 2: 2, 3: 1}[acc.tier or 3]):
            status = "untested" if warmth < 2 or not talks else self.rng.choice(
                ("confirmed", "confirmed", "confirmed", "rejected", "untested", "untested"))
            evidence = next((sig for sig, pain in signals if pain == h["pain"]), None)
            notes = self.playbook["status_notes"].get(status)
            note = self.rng.choice(notes).format(n=self.rng.randint(2, 6)) if notes else None
            hyp = PainHypothesis(
                account_id=acc.id, pain=h["pain"], hypothesis=h["hypothesis"].format(name=acc.name),
                evidence=h["evidence"].format(name=acc.name), evidence_signal_id=evidence.id if evidence else None,
                confidence=max(5, min(95, h["confidence"] + self.rng.randint(-10, 10))), persona=h["persona"],
                status=status, status_note=note,
                status_activity_id=self.rng.choice(talks).id if status != "untested" else None,
                created_by_id=acc.owner_id)
            self.s.add(hyp)
            made.append(hyp)
        if warmth >= 1:
            self.s.flush()
            seq = self.sequences.get(acc.owner_id or 0) or next(iter(self.sequences.values()))
            add_message_map(self.s, acc, [h for h in made if h.status != "rejected"], self.playbook["angles"],
                            list(self.items.values()), seq)

    def seed_opportunity(self, acc: Account, o: dict[str, Any], contacts: list[Contact]) -> None:
        opened = self.today - dt.timedelta(days=o["opened_days_ago"])
        close = self.today + dt.timedelta(days=o["close_in_days"])
        self.s.add(Opportunity(
            account_id=acc.id, primary_contact_id=contacts[2].id, name=o["name"], stage=o["stage"],
            amount=Decimal(o["amount"]), lead_source=o["lead_source"],
            qualified=o["stage"] != "discovery" and (o["stage"] != "closed_lost" or self.rng.random() < 0.5),
            opened_on=opened, close_date=close,
            closed_at=dt.datetime.combine(close, dt.time(16, 0), tzinfo=dt.UTC) if o["stage"].startswith("closed")
            else None,
            owner_id=acc.owner_id, created_at=dt.datetime.combine(opened, dt.time(11, 0), tzinfo=dt.UTC)))

    def seed_usage(self, acc: Account, contacts: list[Contact]) -> None:
        if self.warmth(acc) < 2:
            return
        fits = [(c, self.items[c["title"]]) for c in self.content["items"] if c["status"] == "published"
                and acc.industry in c["facets"].get("industry", [acc.industry])]
        for c, item in self.rng.sample(fits, min(len(fits), self.rng.randint(1, 3))):
            contact = self.rng.choice(contacts)
            self.s.add(ContentUsage(item_id=item.id, account_id=acc.id, contact_id=contact.id, user_id=acc.owner_id,
                                  kind=self.rng.choice(USAGE_KINDS),
                                  used_at=self.at(self.rng.randint(1, min(170, c["published_days_ago"])))))

    def mark_left_company(self) -> None:
        core = len(self.people["core_seats"])  # committees list their core seats first
        pool = [c for cs in self.contacts.values() for c in cs[core:]]
        for c in self.rng.sample(pool, 4):
            c.left_company, c.notes = True, self.playbook["contact_notes"]["left_company"]

    def seed_lists(self) -> None:
        for spec in self.book["lists"]:
            owner = self.users[spec["owner"]]
            members = [TargetListMember(account=self.accounts[d], added_by_id=owner.id,
                                        added_at=self.at(self.rng.randint(20, 90)))
                       for d in spec.get("members", [])]
            self.s.add(TargetList(name=spec["name"], kind=spec["kind"], description=spec["description"],
                                filter=spec.get("filter"), owner_id=owner.id, members=members))

    def seed_enrollments(self) -> None:
        candidates = [(acc, c) for d, acc in self.accounts.items() if self.warmth(acc) in (1, 2, 3)
                      for c in self.contacts[d] if not c.left_company and c.buying_role != "gatekeeper"]
        fallback = next(iter(self.sequences.values()))
        for acc, c in self.rng.sample(candidates, min(24, len(candidates))):
            seq = self.sequences.get(acc.owner_id or 0, fallback)
            status = self.rng.choice(("active", "active", "active", "active", "paused", "finished", "finished"))
            step = len(seq.steps) if status == "finished" else self.rng.randint(1, len(seq.steps))
            # active ones are due from three business days ago to a week ahead: a Today view with work in it
            due = (due_at(self.calendar.add_business_days(self.today - dt.timedelta(days=4), self.rng.randint(0, 8)))
                   if status == "active" else None)
            self.s.add(Enrollment(
                sequence_id=seq.id, contact_id=c.id, status=status, enrolled_by_id=acc.owner_id, current_step=step,
                enrolled_at=self.at(self.rng.randint(2, 40)), next_due_at=due,
                last_step_at=self.at(self.rng.randint(1, 5)) if step > 1 else None,
                paused_reason=self.rng.choice(PAUSE_REASONS) if status == "paused" else None))

    def seed_requests(self) -> None:
        for r in self.content["requests"]:
            fulfilled = self.items.get(r.get("fulfilled_by", ""))
            self.s.add(ContentRequest(
                **{k: r[k] for k in REQUEST_FIELDS}, account_id=self.accounts[r["account"]].id,
                requested_by_id=self.users[r["requested_by"]].id, fulfilled_item_id=fulfilled.id if fulfilled else None,
                created_at=self.at(r["created_days_ago"])))
        for w in self.content.get("weak_searches", []):  # searches that found nothing: the gap report's demand
            self.s.add(SearchLogEntry(
                query=w["query"], result_count=0, industry=w.get("industry"), size_band=w.get("size_band"),
                pain=w.get("pain"), user_id=self.users[w["user"]].id, searched_at=self.at(w["days_ago"])))
