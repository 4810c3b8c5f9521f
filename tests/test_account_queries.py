"""Paging, filtering and sorting accounts in SQL, on both engines."""

from __future__ import annotations

import pytest

from accounts.models import Account, TargetList, TargetListMember
from accounts.queries import AccountFilter, AccountSort, count_accounts, page_accounts
from tests.factories import add_accounts


def test_page_sort_and_count(workspace):
    add_accounts(workspace, 30)
    with workspace.session() as s:
        assert count_accounts(s) == 30
        first = page_accounts(s, limit=10)
        second = page_accounts(s, offset=10, limit=10)
        assert [r.name for r in first] == [f"Company {i:04d}" for i in range(10)]
        assert {r.id for r in first}.isdisjoint({r.id for r in second})
        by_icp = page_accounts(s, sort=AccountSort("icp_score", descending=True), limit=30)
        scores = [r.icp_score for r in by_icp]
        assert scores == sorted(scores, reverse=True)
        by_owner = page_accounts(s, sort=AccountSort("owner"), limit=30)
        assert [r.owner for r in by_owner] == sorted(r.owner for r in by_owner)


def test_filters_narrow_in_sql(workspace):
    add_accounts(workspace, 30)
    with workspace.session() as s:
        assert count_accounts(s, AccountFilter(text="0012")) == 1
        assert count_accounts(s, AccountFilter(text="COMPANY0012.EXAMPLE")) == 1  # domain, case-insensitive
        assert count_accounts(s, AccountFilter(industries=("fintech",))) == 6
        assert count_accounts(s, AccountFilter(industries=("fintech",), tiers=(1,))) == 2
        rows = page_accounts(s, AccountFilter(stages=("engaged",), tiers=(3,)))
        assert rows and all(r.stage == "engaged" and r.tier == 3 for r in rows)


@pytest.mark.parametrize("text", ["%", "_", "100%", "'; DROP TABLE accounts; --", '"', "\\"])
def test_text_filter_is_literal(workspace, text):
    add_accounts(workspace, 5)
    with workspace.session() as s:
        s.add(Account(name="100% Growth Ltd", domain="growth.example"))
    with workspace.session() as s:
        expected = 1 if text in ("%", "100%") else 0
        assert count_accounts(s, AccountFilter(text=text)) == expected
        assert count_accounts(s) == 6


def test_static_and_dynamic_lists(workspace):
    ids = add_accounts(workspace, 30)
    with workspace.session() as s:
        static = TargetList(name="Hand-picked", kind="static")
        dynamic = TargetList(name="Tier 1 fintech", kind="dynamic", filter={"industry": ["fintech"], "tier": [1]})
        s.add_all([static, dynamic])
        s.flush()
        s.add_all([TargetListMember(list_id=static.id, account_id=i) for i in ids[:4]])
        static_id, dynamic_id = static.id, dynamic.id
    with workspace.session() as s:
        assert count_accounts(s, AccountFilter(list_id=static_id)) == 4
        assert count_accounts(s, AccountFilter(list_id=static_id, tiers=(1,))) == 2
        rows = page_accounts(s, AccountFilter(list_id=dynamic_id))
        assert len(rows) == 2 and all(r.industry == "fintech" and r.tier == 1 for r in rows)


def test_bad_sort_key_is_rejected():
    with pytest.raises(ValueError, match="cannot sort accounts by 'colour'"):
        AccountSort("colour")
