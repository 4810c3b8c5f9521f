"""The plain results of ICP scoring that the CLI and the GUI show (frozen dataclasses, no ORM objects)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from accounts.models import IcpRuleSet


@dataclass(frozen=True)
class RuleSetVersion:
    version: int
    rules: list[dict[str, Any]]
    thresholds: dict[str, int]
    note: str | None
    active: bool
    created_at: dt.datetime
    created_by_id: int | None

    @classmethod
    def of(cls, rs: IcpRuleSet) -> RuleSetVersion:
        return cls(rs.version, list(rs.rules), dict(rs.tier_thresholds), rs.note, rs.active, rs.created_at,
                   rs.created_by_id)


@dataclass(frozen=True)
class TierMove:
    account_id: int
    name: str
    old_tier: int | None
    new_tier: int  # for a manual tier: the new *suggestion*; the tier itself is kept
    old_score: int | None
    new_score: int
    manual: bool


@dataclass
class RescorePreview:
    scored: int
    changed_scores: int
    tier_moves: list[TierMove]
    histogram: list[int]  # new scores per decile: 0–9, 10–19, …, 90–100
    tiers_before: dict[str, int] = field(default_factory=dict)  # "1", "2", "3", "none"
    tiers_after: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RescoreResult:
    scored: int
    changed: int  # accounts whose score changed
    tier_changes: int  # accounts whose tier moved (manual tiers never do)
    version: int
    seconds: float
    written: int = 0  # rows updated (score, explanation, suggestion or rule version changed)
    manual_kept: int = 0  # manual tiers that differ from the new suggestion


@dataclass(frozen=True)
class AccountScore:
    account_id: int
    name: str
    score: int | None
    tier: int | None
    suggested_tier: int | None
    manual: bool
    explanation: list[dict[str, Any]]
    version: int | None  # the rule-set version that produced the score
    active_version: int

    @property
    def up_to_date(self) -> bool:
        return self.version == self.active_version

    def as_json(self) -> dict[str, Any]:
        return {"id": self.account_id, "name": self.name, "icp_score": self.score, "tier": self.tier,
                "suggested_tier": self.suggested_tier, "tier_is_manual": self.manual,
                "explanation": self.explanation, "icp_version": self.version,
                "active_version": self.active_version, "up_to_date": self.up_to_date}


