"""The research queue: research a whole target list in the background, one account (one host) at a time.

Each account has one row (``queued`` → ``running`` → ``done`` or ``failed`` with the reason), persisted, so the
queue survives a restart: a row left ``running`` by a crash goes back to ``queued`` when the queue starts
again (:func:`recover_interrupted`), and a cancelled run puts its current account back to ``queued``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from accounts.models import Account
from accounts.models.research import ResearchQueueItem
from accounts.research.fetch import CrawlOptions
from bdr_desk.db import Workspace, utcnow
from bdr_desk.jobs import CancelToken, Job, JobCancelled, ProgressFn, no_progress


@dataclass
class EnqueueResult:
    added: int = 0
    requeued: int = 0  # done or failed before, queued again
    already: int = 0  # queued or running already
    skipped: list[str] = field(default_factory=list)  # accounts without a website or domain

    def as_json(self) -> dict[str, Any]:
        return {"added": self.added, "requeued": self.requeued, "already": self.already, "skipped": self.skipped}


def enqueue(session: Session, account_ids: Sequence[int]) -> EnqueueResult:
    """Queue accounts for research (each once; finished ones are queued again)."""
    out = EnqueueResult()
    ids = list(dict.fromkeys(int(i) for i in account_ids))
    if not ids:
        return out
    accounts = {a.id: a for a in session.execute(
        select(Account.id, Account.name, Account.website, Account.domain).where(Account.id.in_(ids)))}
    rows = {r.account_id: r for r in session.scalars(
        select(ResearchQueueItem).where(ResearchQueueItem.account_id.in_(ids)))}
    now = utcnow()
    for aid in ids:
        acc = accounts.get(aid)
        if acc is None:
            out.skipped.append(f"account {aid} does not exist")
            continue
        if not (acc.website or acc.domain):
            out.skipped.append(f"{acc.name} has no website or domain")
            continue
        row = rows.get(aid)
        if row is None:
            session.add(ResearchQueueItem(account_id=aid, status="queued", enqueued_at=now))
            out.added += 1
        elif row.status in ("queued", "running"):
            out.already += 1
        else:
            row.status, row.error, row.enqueued_at = "queued", None, now
            row.started_at = row.finished_at = None
            out.requeued += 1
    session.flush()
    return out


def enqueue_list(session: Session, list_id: int) -> EnqueueResult:
    """Queue every account of a target list (static members or a dynamic list's saved filter)."""
    from accounts.queries import AccountFilter, account_ids

    return enqueue(session, account_ids(session, AccountFilter(list_id=list_id)))


def recover_interrupted(session: Session) -> int:
    """Rows a crash left ``running`` go back to ``queued``; returns how many."""
    res = session.execute(update(ResearchQueueItem).where(ResearchQueueItem.status == "running")
                          .values(status="queued", started_at=None)
                          .execution_options(synchronize_session=False))
    return res.rowcount or 0


def claim_next(session: Session) -> tuple[int, int] | None:
    """Mark the oldest queued row ``running`` and return (row id, account id); None when nothing is queued."""
    stmt = select(ResearchQueueItem).where(ResearchQueueItem.status == "queued").order_by(
        ResearchQueueItem.enqueued_at, ResearchQueueItem.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # two workers never take the same account
    row = session.scalars(stmt).first()
    if row is None:
        return None
    row.status, row.started_at, row.finished_at, row.error = "running", utcnow(), None, None
    row.attempts = (row.attempts or 0) + 1
    session.flush()
    return row.id, row.account_id


def finish(session: Session, item_id: int, status: str, error: str | None = None, run_id: int | None = None) -> None:
    row = session.get(ResearchQueueItem, item_id)
    if row is None:  # removed from the queue meanwhile
        return
    row.status = status
    row.error = (error or None) and error[:500]
    row.run_id = run_id or row.run_id
    row.finished_at = utcnow() if status in ("done", "failed") else None
    if status == "queued":
        row.started_at = None
    session.flush()


def retry_failed(session: Session, item_ids: Sequence[int] | None = None) -> int:
    """Queue failed rows again (all, or the given ones)."""
    stmt = update(ResearchQueueItem).where(ResearchQueueItem.status == "failed")
    if item_ids is not None:
        stmt = stmt.where(ResearchQueueItem.id.in_(list(item_ids)))
    res = session.execute(stmt.values(status="queued", error=None, started_at=None, finished_at=None,
                                      enqueued_at=utcnow()).execution_options(synchronize_session=False))
    return res.rowcount or 0


def remove(session: Session, item_ids: Sequence[int] | None = None, *, statuses: Sequence[str] = ("done",)) -> int:
    """Take rows off the queue: the given ones, or every row in ``statuses`` (never a running one)."""
    stmt = delete(ResearchQueueItem).where(ResearchQueueItem.status != "running")
    stmt = stmt.where(ResearchQueueItem.id.in_(list(item_ids))) if item_ids is not None else \
        stmt.where(ResearchQueueItem.status.in_(list(statuses)))
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0


@dataclass(frozen=True)
class QueueRow:
    id: int
    account_id: int
    account_name: str
    domain: str | None
    status: str
    attempts: int
    error: str | None
    enqueued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class QueueStatus:
    counts: dict[str, int]
    rows: list[QueueRow]

    def as_json(self) -> dict[str, Any]:
        return {"counts": self.counts, "items": [
            {"id": r.id, "account_id": r.account_id, "account": r.account_name, "domain": r.domain,
             "status": r.status, "attempts": r.attempts, "error": r.error,
             "enqueued_at": r.enqueued_at.isoformat(),
             "finished_at": r.finished_at.isoformat() if r.finished_at else None} for r in self.rows]}


def queue_status(session: Session, limit: int = 500) -> QueueStatus:
    counts = {s: 0 for s in ("queued", "running", "done", "failed")}
    for status, n in session.execute(select(ResearchQueueItem.status, func.count()).group_by(ResearchQueueItem.status)):
        counts[status] = n
    rows = [QueueRow(*r) for r in session.execute(
        select(ResearchQueueItem.id, ResearchQueueItem.account_id, Account.name, Account.domain,
               ResearchQueueItem.status, ResearchQueueItem.attempts, ResearchQueueItem.error,
               ResearchQueueItem.enqueued_at, ResearchQueueItem.started_at, ResearchQueueItem.finished_at)
        .join(Account, Account.id == ResearchQueueItem.account_id)
        .order_by(ResearchQueueItem.enqueued_at, ResearchQueueItem.id).limit(limit))]
    return QueueStatus(counts, rows)


@dataclass
class QueueRunResult:
    done: int = 0
    failed: int = 0
    recovered: int = 0  # rows a crash had left running
    remaining: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"done": self.done, "failed": self.failed, "recovered": self.recovered,
                "remaining": self.remaining, "errors": self.errors}


def run_queue(ws: Workspace, *, options: CrawlOptions | None = None, limit: int | None = None,
              progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
              http: requests.Session | None = None) -> QueueRunResult:
    """Research queued accounts one after another until the queue is empty (or ``limit`` accounts are done).
    A failure marks that row failed with the reason and goes on; a cancel puts the current row back."""
    from accounts.research.pipeline import one_line, research_account

    out = QueueRunResult()
    with ws.session() as s:
        out.recovered = recover_interrupted(s)
        total = s.scalar(select(func.count()).select_from(ResearchQueueItem)
                         .where(ResearchQueueItem.status == "queued")) or 0
    if limit is not None:
        total = min(total, limit)
    n = 0
    while limit is None or n < limit:
        if cancel is not None:
            cancel.raise_if_cancelled()
        with ws.session() as s:
            claimed = claim_next(s)
            name = s.scalar(select(Account.name).where(Account.id == claimed[1])) if claimed else None
        if claimed is None:
            break
        item_id, account_id = claimed
        n += 1

        def inner(done: int, of: int, message: str = "", _n: int = n, _name: str | None = name) -> None:
            progress(_n - 1, max(total, _n), f"{_name}: {message}" if message else str(_name))

        try:
            res = research_account(ws, account_id, options=options, progress=inner, cancel=cancel, http=http)
        except JobCancelled:
            with ws.session() as s:
                finish(s, item_id, "queued")
            raise
        except Exception as exc:  # noqa: BLE001 - one account's failure is recorded; the queue goes on
            reason = one_line(exc)
            with ws.session() as s:
                finish(s, item_id, "failed", reason)
            out.failed += 1
            out.errors.append(f"{name}: {reason}")
            continue
        with ws.session() as s:
            if res.summary.status == "done":
                finish(s, item_id, "done", run_id=res.summary.run_id)
                out.done += 1
            else:
                from accounts.models.research import ResearchRun

                reason = s.scalar(select(ResearchRun.error).where(ResearchRun.id == res.summary.run_id))
                finish(s, item_id, "failed", reason or "no page could be read", run_id=res.summary.run_id)
                out.failed += 1
                out.errors.append(f"{name}: {reason}")
        progress(n, max(total, n), f"{name}: {res.summary.status}")
    with ws.session() as s:
        out.remaining = s.scalar(select(func.count()).select_from(ResearchQueueItem)
                                 .where(ResearchQueueItem.status == "queued")) or 0
    return out


def queue_job(ws: Workspace, **kwargs: Any) -> Job[QueueRunResult]:
    def job(progress: ProgressFn, cancel: CancelToken) -> QueueRunResult:
        return run_queue(ws, progress=progress, cancel=cancel, **kwargs)

    return job
