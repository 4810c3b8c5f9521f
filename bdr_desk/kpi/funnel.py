"""The lead → closed-won funnel: stage counts, stage-to-stage conversion, the weakest step and what it means
(the primer's "where in the funnel is the issue")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bdr_desk.kpi.scope import FUNNEL_STAGES

STAGE_LABELS = {"lead": "Lead", "mql": "MQL", "sal": "SAL", "sql": "SQL", "opportunity": "Opportunity",
                "closed_won": "Closed Won"}
# the primer's diagnosis of a weak step, and what to do about it
DIAGNOSIS = {
    "mql": "Leads are coming in but MQL conversion is weak: check lead quality by source and whether the MQL "
           "criteria match who actually buys.",
    "sal": "MQLs are flowing but inside sales is not accepting them: revisit the MQL definition with sales and "
           "the hand-off SLA (first contact within 24 hours).",
    "sql": "Inside sales accepts leads but few qualify: sharpen qualification (pain, budget, decision process) "
           "and the account-specific messaging.",
    "opportunity": "SQLs are handed off but few become opportunities: check the hand-off notes and the "
                   "feedback loop from field sales.",
    "closed_won": "Opportunities are flowing but the win rate is weak: share loss reasons between inside sales, "
                  "field sales and marketing.",
}


@dataclass(frozen=True)
class FunnelRow:
    stage: str
    label: str
    count: int
    conversion_from_previous: float | None  # None for the first stage, or after an empty stage


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def build_funnel(at_rank: Mapping[int, int], labels: Mapping[str, str] | None = None) -> list[FunnelRow]:
    """Rows from contact counts per furthest stage rank (1 = lead … 6 = closed won): each stage counts the
    contacts that reached at least it."""
    labels = labels or STAGE_LABELS
    rows: list[FunnelRow] = []
    reached = 0
    for rank in range(len(FUNNEL_STAGES), 0, -1):
        reached += int(at_rank.get(rank, 0))
        stage = FUNNEL_STAGES[rank - 1]
        rows.append(FunnelRow(stage, labels.get(stage, STAGE_LABELS[stage]), reached, None))
    rows.reverse()
    return [r if i == 0 else FunnelRow(r.stage, r.label, r.count, _ratio(r.count, rows[i - 1].count))
            for i, r in enumerate(rows)]


def weakest_step(rows: Iterable[FunnelRow]) -> tuple[FunnelRow, FunnelRow] | None:
    """The (previous, stage) pair with the lowest conversion (the earlier one on a tie), or None."""
    rows = list(rows)
    pairs = [(a, b) for a, b in zip(rows, rows[1:], strict=False) if b.conversion_from_previous is not None]
    return min(pairs, key=lambda p: p[1].conversion_from_previous or 0.0) if pairs else None


def diagnosis(rows: list[FunnelRow]) -> str:
    """One or two sentences for the caption: where the funnel leaks, and the primer's advice."""
    if not rows or rows[0].count == 0:
        return "No contacts in this view have a lifecycle stage yet: set Lead, MQL, SAL… on the buying committee " \
               "(or sync it from the CRM) and the funnel fills in."
    weak = weakest_step(rows)
    if weak is None:
        return "Not enough contacts past the first stage to compare conversions yet."
    prev, stage = weak
    rate = stage.conversion_from_previous or 0.0
    text = f"The funnel leaks most at {prev.label} → {stage.label}: {rate:.0%} convert. {DIAGNOSIS[stage.stage]}"
    if rows[0].count < 20:
        text += " Volumes are small, so read the rates with care; if counts are short, scale up programs first."
    return text


def funnel_json(rows: list[FunnelRow]) -> list[dict[str, Any]]:
    weak = weakest_step(rows)
    return [{"stage": r.stage, "label": r.label, "count": r.count,
             "conversion_from_previous": _round(r.conversion_from_previous),
             "weakest": weak is not None and weak[1] is r} for r in rows]


def weakest_json(rows: list[FunnelRow]) -> dict[str, Any] | None:
    weak = weakest_step(rows)
    if weak is None:
        return None
    return {"from": weak[0].stage, "to": weak[1].stage, "conversion": _round(weak[1].conversion_from_previous)}
