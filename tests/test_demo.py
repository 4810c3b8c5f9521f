"""The demo workspace: what it contains (counted in SQL), its integrity, determinism and the job protocol."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from accounts.models import (
    Account,
    Activity,
    Contact,
    Enrollment,
    MessageTemplate,
    Opportunity,
    PainHypothesis,
    Sequence,
    SequenceStep,
    Signal,
    TargetList,
    TargetListMember,
)
from bdr_desk.db import Workspace, open_workspace
from bdr_desk.demo import DemoError, DemoSummary, is_empty, seed_demo, workspace_summary
from bdr_desk.jobs import CancelToken, JobCancelled
from bdr_desk.taxonomy import Taxonomy
from bdr_desk.users import User
from content_library.models import ContentFacet, ContentItem, ContentRequest, ContentUsage

TODAY = dt.date(2026, 12, 4)


def _open(path: Path) -> Workspace:
    return open_workspace(f"sqlite:///{path}")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = _open(tmp_path / "w.db")
    yield workspace
    workspace.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """One seeded workspace shared by the read-only tests of this module."""
    workspace = _open(tmp_path_factory.mktemp("demo") / "w.db")
    with workspace.session() as s:
        seed_demo(s, today=TODAY)
    with workspace.sessions() as s:
        yield s
    workspace.dispose()


def count(s: Session, model: type, column: Any = None, where: tuple[Any, ...] = ()) -> int:
    """Rows of ``model`` matching ``where``; with ``column``, the number of distinct values in it."""
    what = func.count() if column is None else func.count(distinct(column))
    return s.scalar(select(what).select_from(model).where(*where)) or 0


def test_empty_workspace_then_seed_returns_summary(ws: Workspace) -> None:
    progress: list[tuple[int, int, str]] = []
    with ws.session() as s:
        assert is_empty(s)
        start = time.perf_counter()
        summary = seed_demo(s, today=TODAY, progress=lambda d, t, m="": progress.append((d, t, m)))
        assert time.perf_counter() - start < 2.0
        assert not is_empty(s)
    assert isinstance(summary, DemoSummary)
    assert summary.accounts == 36 and summary.users == 5
    assert progress[-1][0] == progress[-1][1] > 0
    with ws.sessions() as s:
        assert workspace_summary(s) == summary


def test_accounts_cover_industries_tiers_and_stages(seeded: Session) -> None:
    s = seeded
    assert count(s, Account) >= 30
    assert count(s, Account, Account.industry) >= 5
    assert set(s.scalars(select(Account.tier).distinct())) == {1, 2, 3}
    assert len(set(s.scalars(select(Account.abm_stage).distinct()))) == 8
    assert count(s, Account, where=(Account.parent_id.is_not(None),)) >= 3
    owners = set(s.scalars(select(User.role).join(Account, Account.owner_id == User.id)))
    assert owners == {"bdr"}
    roles = sorted(s.scalars(select(User.role)))
    assert roles == ["bdr", "bdr", "bdr", "manager", "marketing"]
    assert all(e.endswith("@bdrdesk.example") for e in s.scalars(select(User.email)))
    for acc in s.scalars(select(Account)):
        assert acc.size_band and acc.segment and acc.owner_id and acc.description
        # scored by the default ICP rules; the BDRs' own tiers stay, flagged where the ICP disagrees
        assert 0 <= acc.icp_score <= 100 and acc.icp_version == 1
        assert sum(r["points"] for r in acc.icp_explanation) == acc.icp_score
        assert acc.tier_is_manual == (acc.tier != acc.suggested_tier), acc.name


def test_domains_are_unique_lower_case_and_fictional(seeded: Session) -> None:
    domains = list(seeded.scalars(select(Account.domain)))
    assert len(domains) == len(set(domains))
    for d in domains:
        assert d == d.lower()
        assert d.endswith(".example") or d.endswith(".example.com"), d
    for email in seeded.scalars(select(Contact.email)):
        assert re.fullmatch(r"[a-z]+\.[a-z]+@[a-z.]+\.example(\.com)?", email), email


def test_buying_committees(seeded: Session) -> None:
    s = seeded
    per_account = s.execute(select(Contact.account_id, func.count()).group_by(Contact.account_id)).all()
    assert len(per_account) == count(s, Account)
    assert all(3 <= n <= 8 for _, n in per_account)
    for role in ("economic_buyer", "decision_maker", "champion", "technical_evaluator", "procurement", "blocker"):
        assert count(s, Contact, where=(Contact.buying_role == role,)) > 0, role
    assert count(s, Contact, where=(Contact.left_company.is_(True),)) >= 3
    assert count(s, Contact, where=(Contact.influence.between(1, 5),)) == count(s, Contact)
    assert count(s, Contact, Contact.sentiment) >= 5
    assert count(s, Contact, Contact.coverage_status) == 4
    stages = set(s.scalars(select(Contact.lifecycle_stage).distinct()))
    assert {"lead", "mql", "sal", "sql", "opportunity", "closed_won"} <= stages
    assert count(s, Contact, where=(Contact.lead_source.is_(None),)) == 0
    assert count(s, Contact, Contact.lead_source) >= 5


def test_reporting_lines_stay_in_account_and_have_no_cycles(seeded: Session) -> None:
    rows = seeded.execute(select(Contact.id, Contact.account_id, Contact.reports_to_id)).all()
    account_of = {cid: acc for cid, acc, _ in rows}
    boss_of = {cid: boss for cid, _, boss in rows}
    assert sum(1 for b in boss_of.values() if b is not None) > len(rows) // 2
    for cid, boss in boss_of.items():
        if boss is not None:
            assert account_of[boss] == account_of[cid]
        seen = {cid}
        while boss is not None:
            assert boss not in seen, f"reporting cycle through contact {cid}"
            seen.add(boss)
            boss = boss_of[boss]


def test_taxonomy_keys_are_known(seeded: Session) -> None:
    tax = Taxonomy.load(seeded)
    checks = [
        (Account.industry, "industry"), (Account.size_band, "size_band"), (Account.abm_stage, "abm_stage"),
        (Contact.persona, "persona"), (Contact.buying_role, "buying_role"), (Contact.lifecycle_stage, "funnel_stage"),
        (PainHypothesis.pain, "pain"), (PainHypothesis.persona, "persona"), (MessageTemplate.persona, "persona"),
        (MessageTemplate.industry, "industry"), (MessageTemplate.pain, "pain"), (ContentRequest.pain, "pain"),
    ]
    for column, vocabulary in checks:
        used = set(seeded.scalars(select(column).distinct().where(column.is_not(None))))
        assert used <= set(tax.keys(vocabulary)), (column, used - set(tax.keys(vocabulary)))
    for facet in seeded.scalars(select(ContentFacet).where(ContentFacet.vocabulary != "competitor")):
        assert facet.term in tax.keys(facet.vocabulary), (facet.vocabulary, facet.term)


def test_lists_hypotheses_and_signals(seeded: Session) -> None:
    s = seeded
    assert count(s, TargetList, where=(TargetList.kind == "static",)) >= 3
    dynamic = s.scalars(select(TargetList).where(TargetList.kind == "dynamic")).all()
    assert len(dynamic) == 1 and dynamic[0].filter == {"industry": ["healthcare"], "tier": [1, 2]}
    assert count(s, TargetListMember) >= 10
    assert count(s, PainHypothesis, PainHypothesis.account_id) == count(s, Account)
    for status in ("confirmed", "rejected", "untested"):
        assert count(s, PainHypothesis, where=(PainHypothesis.status == status,)) >= 3, status
    assert count(s, Signal, Signal.kind) >= 5


def test_content_library(seeded: Session) -> None:
    s = seeded
    assert count(s, ContentItem) >= 20
    assert count(s, ContentItem, ContentItem.type) == 9
    assert count(s, ContentItem, where=(ContentItem.status == "archived",)) == 1
    assert count(s, ContentItem, where=(ContentItem.status == "draft",)) >= 2
    stale = (ContentItem.status == "published", ContentItem.review_by < TODAY)
    assert count(s, ContentItem, where=stale) >= 2
    assert count(s, ContentFacet, ContentFacet.vocabulary) == 6
    assert count(s, ContentItem, where=(func.length(ContentItem.body_text) > 200,)) >= 20
    assert count(s, ContentUsage) >= 20
    assert count(s, ContentRequest) >= 3
    assert "Fintech CFO compliance ROI one-pager" in set(s.scalars(select(ContentRequest.title)))


def test_templates_sequences_and_enrollments(seeded: Session) -> None:
    s = seeded
    bodies = list(s.scalars(select(MessageTemplate.body)))
    assert 5 <= len(bodies) <= 6
    assert all("{{ contact.first_name | default(\"there\") }}" in b for b in bodies)
    assert any("{{ account.name }}" in b for b in bodies)
    steps = s.execute(select(SequenceStep.sequence_id, func.count()).group_by(SequenceStep.sequence_id)).all()
    assert count(s, Sequence) == 2 and all(4 <= n <= 6 for _, n in steps)
    assert count(s, Enrollment) >= 10
    assert count(s, Enrollment, Enrollment.status) >= 2


def test_activities_and_opportunities_are_relative_to_today(seeded: Session) -> None:
    s = seeded
    now = dt.datetime.combine(TODAY, dt.time(23, 59))
    oldest = now - dt.timedelta(days=182)
    occurred = list(s.scalars(select(Activity.occurred_at)))
    assert len(occurred) >= 150
    assert all(oldest <= t.replace(tzinfo=None) <= now for t in occurred)
    assert count(s, Activity, Activity.type) >= 5
    for outcome in ("connected", "no_answer", "replied", "meeting_booked"):
        assert count(s, Activity, where=(Activity.outcome == outcome,)) > 0, outcome
    open_tasks = (Activity.type == "task", Activity.completed.is_(False))
    start_of_today = dt.datetime.combine(TODAY, dt.time())
    assert count(s, Activity, where=(*open_tasks, Activity.due_at < start_of_today)) >= 2
    assert count(s, Activity, where=(*open_tasks, Activity.due_at >= start_of_today)) >= 2
    assert count(s, Activity, where=(Activity.occurred_at >= now - dt.timedelta(days=7),)) >= 5
    for acc in s.scalars(select(Account)):
        last = s.scalar(select(func.max(Activity.occurred_at)).where(Activity.account_id == acc.id))
        assert acc.last_activity_at == last
    quiet = (Account.last_activity_at < now - dt.timedelta(days=60),)
    assert count(s, Account, where=quiet) >= 2
    stages = set(s.scalars(select(Opportunity.stage).distinct()))
    assert {"closed_won", "closed_lost"} < stages and len(stages) >= 5
    assert count(s, Opportunity, Opportunity.lead_source) >= 5
    assert count(s, Opportunity, where=(Opportunity.qualified.is_(True),)) >= 3
    assert count(s, Opportunity, where=(Opportunity.amount.is_(None),)) == 0


def test_seeding_twice_raises_and_changes_nothing(ws: Workspace) -> None:
    with ws.session() as s:
        seed_demo(s, today=TODAY)
    with ws.sessions() as s:
        before = workspace_summary(s)
        with pytest.raises(DemoError, match="already has 36 accounts"):
            seed_demo(s, today=TODAY)
        s.rollback()
        assert workspace_summary(s) == before


def test_seeding_is_deterministic(tmp_path: Path) -> None:
    snapshots = []
    for name in ("a.db", "b.db"):
        ws = _open(tmp_path / name)
        with ws.session() as s:
            seed_demo(s, today=TODAY)
        with ws.sessions() as s:
            snapshots.append((
                list(s.scalars(select(Account.name).order_by(Account.id))),
                list(s.scalars(select(Contact.email).order_by(Contact.id))),
                list(s.execute(select(Activity.account_id, Activity.type, Activity.occurred_at).order_by(Activity.id))),
            ))
        ws.dispose()
    assert snapshots[0] == snapshots[1]


def test_cancelled_before_start_commits_nothing(ws: Workspace) -> None:
    token = CancelToken()
    token.cancel()
    with ws.sessions() as s:
        with pytest.raises(JobCancelled):
            seed_demo(s, today=TODAY, cancel=token)
        s.rollback()
    with ws.sessions() as s:
        assert is_empty(s)
        assert workspace_summary(s) == DemoSummary()


def test_cancel_between_accounts_rolls_back_cleanly(ws: Workspace) -> None:
    token = CancelToken()

    def progress(done: int, total: int, message: str = "") -> None:
        if done == 5:
            token.cancel()

    with pytest.raises(JobCancelled), ws.session() as s:
        seed_demo(s, today=TODAY, progress=progress, cancel=token)
    with ws.sessions() as s:
        assert is_empty(s)
