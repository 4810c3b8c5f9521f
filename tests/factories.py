"""Small hand-written data for tests (the demo workspace and the shared fixtures are the other tiers)."""

from __future__ import annotations

from accounts.models import Account
from bdr_desk.db import Workspace
from bdr_desk.users import User

INDUSTRIES = ("fintech", "healthcare", "manufacturing", "retail", "software")
STAGES = ("target", "researching", "engaged", "meeting_booked", "opportunity")


def add_accounts(ws: Workspace, n: int, prefix: str = "Company") -> list[int]:
    """``n`` accounts with predictable fields: industry, tier and stage cycle with the index."""
    with ws.session() as s:
        owners = [User(name=f"Owner {i}", email=f"owner{i}@test.example", role="bdr") for i in range(2)]
        s.add_all(owners)
        s.flush()
        accs = [
            Account(name=f"{prefix} {i:04d}", domain=f"{prefix.lower()}{i:04d}.example",
                    industry=INDUSTRIES[i % 5], tier=1 + i % 3, abm_stage=STAGES[i % 5],
                    icp_score=(i * 7) % 101, employees=50 + i * 10, owner_id=owners[i % 2].id)
            for i in range(n)
        ]
        s.add_all(accs)
        s.flush()
        return [a.id for a in accs]
