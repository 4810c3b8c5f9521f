"""Plan snapshots and the diff between two of them (or a snapshot and the plan as it is now).

A snapshot keeps the plan's comparable facts as JSON: tier, ABM stage, ICP score, committee coverage,
the contacts (with role and whether they left), signals, hypotheses with their status, open pipeline.
The diff answers the quarterly review's question — what changed since last time: contacts who joined or
left, new signals, tier and stage moves, coverage change, hypotheses confirmed, rejected or added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import PlanSnapshot
from bdr_desk.export.plan_data import PlanData, gather_plan


class SnapshotError(ValueError):
    pass


def quarter_label(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def comparable(plan: PlanData) -> dict[str, Any]:
    a, smap = plan.account, plan.stakeholders
    return {
        "account": {"id": a.id, "name": a.name, "tier": a.tier, "abm_stage": a.abm_stage, "icp_score": a.icp_score,
                    "owner": a.owner_name},
        "coverage": round(float(smap.coverage.coverage), 4),
        "missing_roles": list(smap.coverage.missing_roles),
        "contacts": [{"id": c.id, "name": c.name, "title": c.title, "buying_role": c.buying_role,
                      "left_company": c.left_company, "coverage_status": c.coverage_status} for c in smap.contacts],
        "signals": [{"id": s.id, "kind": s.kind, "title": s.title, "date": s.date.isoformat() if s.date else None}
                    for s in plan.signals],
        "hypotheses": [{"id": b.hypothesis.id, "pain": b.pain_label, "text": b.hypothesis.hypothesis,
                        "status": b.hypothesis.status} for b in plan.message_map],
        "pipeline": float(a.pipeline_amount), "open_opportunities": a.open_opportunities,
    }


def take_snapshot(session: Session, account_id: int, *, label: str | None = None, user_id: int | None = None,
                  now: dt.datetime | None = None) -> PlanSnapshot:
    now = now or dt.datetime.now(dt.UTC)
    data = comparable(gather_plan(session, account_id, now=now))
    snap = PlanSnapshot(account_id=account_id, label=(label or "").strip() or quarter_label(now.date()), taken_at=now,
                        taken_by_id=user_id, data=data)
    session.add(snap)
    session.flush()
    return snap


def list_snapshots(session: Session, account_id: int) -> list[PlanSnapshot]:
    return list(session.scalars(select(PlanSnapshot).where(PlanSnapshot.account_id == account_id)
                                .order_by(PlanSnapshot.taken_at.desc(), PlanSnapshot.id.desc())))


@dataclass
class PlanDiff:
    since: str  # the older snapshot's label
    joined: list[str] = field(default_factory=list)  # contacts new since
    left: list[str] = field(default_factory=list)  # contacts who left the company or were removed
    role_changes: list[str] = field(default_factory=list)
    new_signals: list[str] = field(default_factory=list)
    tier: tuple[Any, Any] | None = None
    stage: tuple[str, str] | None = None
    icp_score: tuple[Any, Any] | None = None
    coverage: tuple[float, float] | None = None
    hypotheses: list[str] = field(default_factory=list)  # "confirmed: …", "rejected: …", "new: …"
    pipeline: tuple[float, float] | None = None

    @property
    def empty(self) -> bool:
        return not any((self.joined, self.left, self.role_changes, self.new_signals, self.tier, self.stage,
                        self.icp_score, self.coverage, self.hypotheses, self.pipeline))

    def lines(self) -> list[str]:
        out = []
        if self.tier:
            out.append(f"Tier {self.tier[0] or '—'} → {self.tier[1] or '—'}")
        if self.stage:
            out.append(f"ABM stage {self.stage[0]} → {self.stage[1]}")
        if self.icp_score:
            out.append(f"ICP score {self.icp_score[0]} → {self.icp_score[1]}")
        if self.coverage:
            out.append(f"Committee coverage {self.coverage[0]:.0%} → {self.coverage[1]:.0%}")
        out += [f"Joined: {n}" for n in self.joined] + [f"Left: {n}" for n in self.left]
        out += self.role_changes + [f"New signal: {t}" for t in self.new_signals] + self.hypotheses
        if self.pipeline:
            out.append(f"Open pipeline {self.pipeline[0]:,.0f} → {self.pipeline[1]:,.0f}")
        return out

    def as_json(self) -> dict[str, Any]:
        return {"since": self.since, "joined": self.joined, "left": self.left, "role_changes": self.role_changes,
                "new_signals": self.new_signals, "tier": self.tier, "stage": self.stage, "icp_score": self.icp_score,
                "coverage": self.coverage, "hypotheses": self.hypotheses, "pipeline": self.pipeline}


def _moved(old: Any, new: Any) -> tuple[Any, Any] | None:
    return (old, new) if old != new else None


def diff(old: dict[str, Any], new: dict[str, Any], since: str = "") -> PlanDiff:
    """What changed from the ``old`` comparable facts to the ``new`` ones."""
    d = PlanDiff(since=since)
    oa, na = old.get("account", {}), new.get("account", {})
    d.tier, d.stage, d.icp_score = (_moved(oa.get(k), na.get(k)) for k in ("tier", "abm_stage", "icp_score"))
    cov = _moved(old.get("coverage"), new.get("coverage"))
    d.coverage = (float(cov[0] or 0), float(cov[1] or 0)) if cov else None
    pipe = _moved(old.get("pipeline"), new.get("pipeline"))
    d.pipeline = (float(pipe[0] or 0), float(pipe[1] or 0)) if pipe else None
    before = {c["id"]: c for c in old.get("contacts", [])}
    after = {c["id"]: c for c in new.get("contacts", [])}
    d.joined = [c["name"] for cid, c in after.items() if cid not in before and not c.get("left_company")]
    d.left = [c["name"] for cid, c in before.items() if not c.get("left_company")
              and (cid not in after or after[cid].get("left_company"))]
    d.role_changes = [f"{c['name']}: role {before[cid].get('buying_role') or '—'} → {c.get('buying_role') or '—'}"
                      for cid, c in after.items() if cid in before
                      and before[cid].get("buying_role") != c.get("buying_role")]
    seen = {s["id"] for s in old.get("signals", [])}
    d.new_signals = [s["title"] for s in new.get("signals", []) if s["id"] not in seen]
    hyp_before = {h["id"]: h for h in old.get("hypotheses", [])}
    for h in new.get("hypotheses", []):
        prev = hyp_before.get(h["id"])
        if prev is None:
            d.hypotheses.append(f"New hypothesis ({h['pain']}): {h['text']}")
        elif prev["status"] != h["status"]:
            d.hypotheses.append(f"Hypothesis {h['status']} ({h['pain']}): {h['text']}")
    return d


def diff_since_last(session: Session, account_id: int, *, now: dt.datetime | None = None) -> PlanDiff | None:
    """The plan now against its latest snapshot; None when it has none."""
    snaps = list_snapshots(session, account_id)
    if not snaps:
        return None
    return diff(snaps[0].data, comparable(gather_plan(session, account_id, now=now)), snaps[0].label)


def diff_snapshots(session: Session, older_id: int, newer_id: int) -> PlanDiff:
    old, new = session.get(PlanSnapshot, older_id), session.get(PlanSnapshot, newer_id)
    if old is None or new is None:
        raise SnapshotError(f"no snapshot with id {older_id if old is None else newer_id}")
    if old.account_id != new.account_id:
        raise SnapshotError("the two snapshots are of different accounts")
    return diff(old.data, new.data, old.label)
