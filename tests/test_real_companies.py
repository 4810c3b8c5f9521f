"""The harder tier: the accounts table over 503 real company names (S&P 500 constituents, shared fixtures).

Real names carry '&', apostrophes, dots and non-ASCII letters; searching for them must match literally and
paging must neither skip nor repeat a row, on both engines."""

from __future__ import annotations

import csv
from pathlib import Path

from accounts.models import Account
from accounts.queries import AccountFilter, AccountSort, count_accounts, page_accounts
from tests.conftest import fixtures_dir


def _load(ws) -> list[str]:
    path = Path(fixtures_dir()) / "companies" / "sp500_constituents.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with ws.session() as s:
        s.add_all(Account(name=r["Security"], sub_industry=r["GICS Sub-Industry"], hq_region=r["Headquarters Location"])
                  for r in rows)
    return [r["Security"] for r in rows]


def test_paging_covers_every_real_company_once(workspace):
    names = _load(workspace)
    assert len(names) > 500
    seen: list[str] = []
    with workspace.session() as s:
        total = count_accounts(s)
        for offset in range(0, total, 97):
            seen += [r.name for r in page_accounts(s, sort=AccountSort("name"), offset=offset, limit=97)]
    assert sorted(seen) == sorted(names) and len(seen) == len(set(seen)) == total


def test_searching_real_names_with_punctuation(workspace):
    names = _load(workspace)
    with workspace.session() as s:
        for needle in ("&", "'", ".", "Inc."):
            expected = sorted(n for n in names if needle.lower() in n.lower())
            got = sorted(r.name for r in page_accounts(s, AccountFilter(text=needle), limit=1000))
            assert got == expected, needle
            assert count_accounts(s, AccountFilter(text=needle)) == len(expected)
