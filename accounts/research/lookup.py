"""What every research step starts from: :class:`ResearchError`, the account it is about
(:func:`require_account`) and its last research run (:func:`last_run`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import Account
from accounts.models.research import ResearchRun


class ResearchError(ValueError):
    """A research step that cannot go on; one line naming the account, page or field."""


def require_account(session: Session, account_id: int) -> Account:
    acc = session.get(Account, account_id)
    if acc is None:
        raise ResearchError(f"account {account_id} does not exist")
    return acc


def last_run(session: Session, account_id: int, *, status: str | None = "done") -> ResearchRun | None:
    stmt = select(ResearchRun).where(ResearchRun.account_id == account_id)
    if status:
        stmt = stmt.where(ResearchRun.status == status)
    return session.scalars(stmt.order_by(ResearchRun.started_at.desc(), ResearchRun.id.desc()).limit(1)).first()
