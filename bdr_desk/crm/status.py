"""What the Sync page shows: connector state, the local outbox, open conflicts and the journal of runs.
Plain dataclasses; counts are done in SQL.

Credentials are never read here: a connector only reports *where* credentials would come from. The OS
keyring is not probed (it can block on a locked desktop keyring); environment variables are.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bdr_desk.crm.models import SyncConflict, SyncOutbox, SyncRun

SYSTEM_LABELS = {"hubspot": "HubSpot", "salesforce": "Salesforce"}
ENV_PREFIXES = {"hubspot": "BDR_DESK_HUBSPOT_", "salesforce": "BDR_DESK_SALESFORCE_"}
HOW_TO_CONNECT = {
    "hubspot": "Store a private-app token in the OS keyring, or set BDR_DESK_HUBSPOT_TOKEN before starting "
               "BDR Desk.",
    "salesforce": "Store the connected-app credentials in the OS keyring, or set the BDR_DESK_SALESFORCE_* "
                  "environment variables before starting BDR Desk.",
}
DIRECTION_LABELS = {"push": "Push", "pull": "Pull", "both": "Push + pull"}
STATUS_LABELS = {"running": "Running", "ok": "OK", "partial": "Partly done", "failed": "Failed",
                 "cancelled": "Cancelled"}


@dataclass(frozen=True)
class ConnectorStatus:
    system: str
    label: str
    connected: bool
    state: str  # one short line: "Not connected", "Credentials found in the environment"
    how_to_connect: str


@dataclass(frozen=True)
class SyncOverview:
    pending_changes: int  # outbox rows not processed yet
    failing_changes: int  # of those, the ones whose last attempt failed
    open_conflicts: int
    runs: int
    last_run_at: dt.datetime | None


@dataclass(frozen=True)
class SyncRunRow:
    id: int
    system: str
    direction: str
    dry_run: bool
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    api_calls: int
    error_count: int

    @property
    def duration(self) -> dt.timedelta | None:
        if self.finished_at is None:
            return None
        return _aware(self.finished_at) - _aware(self.started_at)

    @property
    def system_label(self) -> str:
        return SYSTEM_LABELS.get(self.system, self.system)

    @property
    def direction_label(self) -> str:
        return DIRECTION_LABELS.get(self.direction, self.direction)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back naive; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def connector_statuses(environ: Mapping[str, str] | None = None) -> list[ConnectorStatus]:
    """HubSpot and Salesforce: whether credentials are offered, and how to offer them."""
    env = os.environ if environ is None else environ
    result = []
    for system, prefix in ENV_PREFIXES.items():
        found = any(k.startswith(prefix) and v.strip() for k, v in env.items())
        # Without a verified connection (the Connect flow checks the credentials) nothing is "connected" yet.
        state = "Not connected — credentials found in the environment" if found else "Not connected"
        result.append(ConnectorStatus(system, SYSTEM_LABELS[system], False, state, HOW_TO_CONNECT[system]))
    return result


def sync_overview(session: Session) -> SyncOverview:
    pending, failing = session.execute(
        select(
            func.count(SyncOutbox.id),
            func.coalesce(func.sum(case((SyncOutbox.last_error.is_not(None), 1), else_=0)), 0),
        ).where(SyncOutbox.processed_at.is_(None))
    ).one()
    conflicts = session.scalar(select(func.count(SyncConflict.id)).where(SyncConflict.resolved_at.is_(None)))
    runs, last = session.execute(select(func.count(SyncRun.id), func.max(SyncRun.started_at))).one()
    return SyncOverview(int(pending), int(failing), int(conflicts or 0), int(runs),
                        _aware(last) if last is not None else None)


def _error_count(session: Session):  # noqa: ANN202 - a SQL expression
    """Length of the JSON ``errors`` list in SQL; 0 for SQL NULL, JSON null or anything not a list."""
    if session.get_bind().dialect.name == "postgresql":
        return case((func.json_typeof(SyncRun.errors) == "array", func.json_array_length(SyncRun.errors)),
                    else_=0)
    return func.coalesce(func.json_array_length(SyncRun.errors), 0)  # SQLite: 0 for a non-array


def recent_runs(session: Session, limit: int = 200) -> list[SyncRunRow]:
    """The journal, newest first."""
    stmt = select(
        SyncRun.id, SyncRun.system, SyncRun.direction, SyncRun.dry_run, SyncRun.status, SyncRun.started_at,
        SyncRun.finished_at, SyncRun.api_calls, _error_count(session),
    ).order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(limit)
    return [
        SyncRunRow(i, system, direction, bool(dry), status, _aware(started),
                   _aware(finished) if finished is not None else None, int(calls or 0), int(errors or 0))
        for i, system, direction, dry, status, started, finished, calls, errors in session.execute(stmt)
    ]
