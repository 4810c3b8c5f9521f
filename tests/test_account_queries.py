"""Paging, filtering and sorting accounts in SQL, on both engines."""

from __future__ import annotations

import pytest

from accounts.models import Account, TargetList, TargetListMember
from accounts.queries import AccountFilter, AccountSort, count_accounts, find_accounts, page_accounts
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


# ---- the workspace's filters, multi-key sort and saved JSON ----

def _set_activity(ws, ids_days: dict[int, int | None]) -> None:
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    with ws.session() as s:
        for acc_id, days in ids_days.items():
            s.get(Account, acc_id).last_activity_at = None if days is None else now - dt.timedelta(days=days)


def test_size_band_icp_range_and_inactive_filters(workspace):
    ids = add_accounts(workspace, 30)
    with workspace.session() as s:
        for i, acc_id in enumerate(ids):
            s.get(Account, acc_id).size_band = ("11_50", "51_200", "201_500")[i % 3]
    _set_activity(workspace, {ids[0]: 2, ids[1]: 40, ids[2]: None, **{i: 1 for i in ids[3:]}})
    with workspace.session() as s:
        assert count_accounts(s, AccountFilter(size_bands=("51_200",))) == 10
        assert count_accounts(s, AccountFilter(size_bands=("51_200", "201_500"))) == 20
        scores = [r.icp_score for r in page_accounts(s, AccountFilter(icp_min=20, icp_max=60), limit=100)]
        assert scores and all(20 <= x <= 60 for x in scores)
        expected = sum(1 for i in range(30) if 20 <= (i * 7) % 101 <= 60)
        assert count_accounts(s, AccountFilter(icp_min=20, icp_max=60)) == expected
        assert count_accounts(s, AccountFilter(icp_min=101)) == 0
        stale = {r.id for r in page_accounts(s, AccountFilter(inactive_days=30), limit=100)}
        assert stale == {ids[1], ids[2]}  # older than 30 days, or never
        assert count_accounts(s, AccountFilter(inactive_days=1, tiers=(1,))) >= 1


def test_owner_and_list_filters_combine(workspace):
    ids = add_accounts(workspace, 12)
    with workspace.session() as s:
        owner = s.get(Account, ids[0]).owner_id
        lst = TargetList(name="Few", kind="static")
        s.add(lst)
        s.flush()
        s.add_all([TargetListMember(list_id=lst.id, account_id=i) for i in ids[:5]])
        list_id = lst.id
    with workspace.session() as s:
        assert count_accounts(s, AccountFilter(owner_ids=(owner,))) == 6
        assert count_accounts(s, AccountFilter(owner_ids=(owner,), list_id=list_id)) == 3


def test_multi_key_sort(workspace):
    from accounts.queries import SortKey

    add_accounts(workspace, 40)
    with workspace.session() as s:
        rows = page_accounts(s, sort=AccountSort.of(("owner", False), ("icp_score", True)), limit=100)
    keys = [(r.owner, -r.icp_score) for r in rows]
    assert keys == sorted(keys)
    sort = AccountSort("tier", then=(SortKey("employees", True),))
    assert sort.keys == (SortKey("tier"), SortKey("employees", True))
    assert AccountSort("tier") == AccountSort.of("tier")  # the old two-argument form still works
    with workspace.session() as s:
        rows = page_accounts(s, sort=sort, limit=100)
    assert [(r.tier, -r.employees) for r in rows] == sorted((r.tier, -r.employees) for r in rows)
    with pytest.raises(ValueError, match="already sorted by 'tier'"):
        AccountSort("tier", then=(SortKey("tier", True),))
    assert sort.with_key("tier", True).keys[0] == SortKey("tier", True)
    assert AccountSort.from_saved(sort.to_saved()) == sort
    assert AccountSort.from_saved([["gone", True], ["owner", False]]) == AccountSort("owner")


def test_every_sort_key_runs(workspace):
    from accounts.queries import SORT_KEYS

    add_accounts(workspace, 5)
    with workspace.session() as s:
        for key in SORT_KEYS:
            for desc in (False, True):
                assert len(page_accounts(s, sort=AccountSort(key, desc))) == 5


def test_filter_json_round_trip_and_dynamic_lists_with_new_keys(workspace):
    ids = add_accounts(workspace, 30)
    flt = AccountFilter(text="Co", industries=("fintech",), tiers=(1, 2), size_bands=("51_200",), icp_min=5,
                        icp_max=90, inactive_days=14, owner_ids=(3,), list_id=7)
    assert AccountFilter.from_saved(flt.to_saved()) == flt
    assert AccountFilter().to_saved() == {}
    with workspace.session() as s:
        old = TargetList(name="Old JSON", kind="dynamic", filter={"industry": ["fintech"], "tier": [1]})
        new = TargetList(name="New JSON", kind="dynamic", filter={"industry": ["fintech"], "icp_min": 50})
        static = TargetList(name="Static", kind="static")
        s.add_all([old, new, static])
        s.flush()
        s.add_all([TargetListMember(list_id=static.id, account_id=i) for i in ids[:10]])
        nested = TargetList(name="Nested", kind="dynamic", filter={"list_id": static.id, "tier": [1]})
        loop = TargetList(name="Loop", kind="dynamic", filter={})
        s.add_all([nested, loop])
        s.flush()
        loop.filter = {"list_id": loop.id, "tier": [2]}
        list_ids = old.id, new.id, nested.id, loop.id
    with workspace.session() as s:
        assert count_accounts(s, AccountFilter(list_id=list_ids[0])) == 2
        rows = page_accounts(s, AccountFilter(list_id=list_ids[1]), limit=100)
        assert rows and all(r.industry == "fintech" and r.icp_score >= 50 for r in rows)
        assert {r.id for r in page_accounts(s, AccountFilter(list_id=list_ids[2]))} == \
            {i for n, i in enumerate(ids[:10]) if n % 3 == 0}
        assert count_accounts(s, AccountFilter(list_id=list_ids[3])) == 10  # tier 2, the loop ends


def test_find_accounts_for_pickers(workspace):
    ids = add_accounts(workspace, 12)
    with workspace.session() as s:
        found = find_accounts(s, "company 001", exclude=(ids[10],))
    assert [c.name for c in found] == ["Company 0011"]
    with workspace.session() as s:
        assert len(find_accounts(s, "", limit=5)) == 5
