"""What a sync run did: counts per object type and direction, API calls, per-record errors grouped by kind
(HubSpot's error cards), the dry-run preview; the ``sync_runs`` journal rows and their CSV/JSON export.

:class:`SyncResult` is what the engine returns and what ``bdr-desk sync … --json`` prints:
``objects`` holds ``created``, ``updated``, ``deleted``, ``conflicts``, ``errors``, ``api_calls`` (and
``skipped``, ``archived``) per object type, both directions added up; ``push`` and ``pull`` keep them apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bdr_desk.crm.models import SyncRun
from bdr_desk.db import utcnow

COUNTERS = ("created", "updated", "deleted", "archived", "conflicts", "errors", "skipped", "api_calls")
ENGINE_ERROR_KINDS = ("dependency", "mapping", "value", "local")  # beside connector.ERROR_KINDS
MAX_STORED_ERRORS = 1000
ERROR_LABELS = {
    "auth": "Authentication", "rate_limit": "Rate limit", "validation": "Rejected by the CRM",
    "duplicate": "Duplicate", "not_found": "Not found in the CRM", "server": "CRM server error",
    "network": "Network", "config": "Configuration", "dependency": "Waiting for a related record",
    "mapping": "Unmapped picklist value", "value": "Unreadable value", "local": "Local data",
}


@dataclass
class ObjectCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    archived: int = 0  # archived in the CRM (push) / marked or unlinked locally after a CRM archive (pull)
    conflicts: int = 0
    errors: int = 0
    skipped: int = 0
    api_calls: int = 0

    def add(self, other: ObjectCounts) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class RecordError:
    kind: str
    object_type: str
    direction: str
    message: str
    local_id: int | None = None
    external_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PlannedChange:
    """One line of a preview: what a run would do to one record, field by field ({field: [old, new]})."""

    direction: str  # push: to the CRM; pull: to this workspace
    object_type: str
    operation: str  # create, update, delete, archive, link, conflict
    label: str
    local_id: int | None = None
    external_id: str | None = None
    fields: dict[str, list[Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SyncResult:
    system: str
    direction: str
    dry_run: bool
    started_at: dt.datetime = field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    status: str = "running"  # ok, partial (some records failed), failed, cancelled
    run_id: int | None = None
    api_calls: int = 0
    push: dict[str, ObjectCounts] = field(default_factory=dict)
    pull: dict[str, ObjectCounts] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preview: list[PlannedChange] = field(default_factory=list)
    failure: str | None = None  # why the run stopped, for failed runs

    def counts(self, direction: str, object_type: str) -> ObjectCounts:
        return (self.push if direction == "push" else self.pull).setdefault(object_type, ObjectCounts())

    def error(self, direction: str, object_type: str, kind: str, message: str, *, local_id: int | None = None,
              external_id: str | None = None) -> None:
        self.errors.append(RecordError(kind, object_type, direction, message[:500], local_id, external_id))
        self.counts(direction, object_type).errors += 1

    def warn(self, message: str) -> None:
        if message not in self.warnings and len(self.warnings) < 200:
            self.warnings.append(message)

    @property
    def objects(self) -> dict[str, ObjectCounts]:
        total: dict[str, ObjectCounts] = {}
        for side in (self.pull, self.push):
            for object_type, counts in side.items():
                total.setdefault(object_type, ObjectCounts()).add(counts)
        return total

    @property
    def duration(self) -> float | None:
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()

    def error_groups(self) -> dict[str, int]:
        """Errors by kind, most frequent first (the error cards)."""
        return dict(Counter(e.kind for e in self.errors).most_common())

    def as_json(self) -> dict[str, Any]:
        return {
            "system": self.system, "direction": self.direction, "dry_run": self.dry_run, "status": self.status,
            "run_id": self.run_id, "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_s": round(self.duration, 3) if self.duration is not None else None,
            "api_calls": self.api_calls, "failure": self.failure,
            "objects": {k: v.as_json() for k, v in self.objects.items()},
            "push": {k: v.as_json() for k, v in self.push.items()},
            "pull": {k: v.as_json() for k, v in self.pull.items()},
            "error_groups": self.error_groups(), "errors": [e.as_json() for e in self.errors],
            "warnings": list(self.warnings),
            **({"preview": [p.as_json() for p in self.preview]} if self.dry_run else {}),
        }


# ---- the journal table --------------------------------------------------------------------------------------

def start_run(session: Session, system: str, direction: str, dry_run: bool) -> int:
    """A ``running`` journal row. Runs of ``system`` still ``running`` were killed mid-way: they become failed."""
    session.execute(update(SyncRun).where(SyncRun.system == system, SyncRun.status == "running")
                    .values(status="failed", finished_at=utcnow()).execution_options(synchronize_session=False))
    run = SyncRun(system=system, direction=direction, dry_run=dry_run, status="running")
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, result: SyncResult, cursor: str | None = None) -> None:
    run = session.get(SyncRun, result.run_id)
    if run is None:
        return
    run.status, run.finished_at, run.api_calls = result.status, result.finished_at or utcnow(), result.api_calls
    run.counts = {"push": {k: v.as_json() for k, v in result.push.items()},
                  "pull": {k: v.as_json() for k, v in result.pull.items()},
                  "warnings": result.warnings[:200], "failure": result.failure}
    run.errors = [e.as_json() for e in result.errors[:MAX_STORED_ERRORS]] or None
    run.cursor = cursor[:64] if cursor else None


@dataclass(frozen=True)
class RunDetail:
    id: int
    system: str
    direction: str
    dry_run: bool
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    api_calls: int
    objects: dict[str, dict[str, int]]  # both directions added up
    push: dict[str, dict[str, int]]
    pull: dict[str, dict[str, int]]
    error_groups: dict[str, int]
    errors: list[dict[str, Any]]
    warnings: list[str]
    failure: str | None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return data


def _detail(run: SyncRun) -> RunDetail:
    counts = run.counts or {}
    total: dict[str, dict[str, int]] = {}
    for side in ("pull", "push"):
        for object_type, c in (counts.get(side) or {}).items():
            slot = total.setdefault(object_type, dict.fromkeys(COUNTERS, 0))
            for k in COUNTERS:
                slot[k] += int(c.get(k, 0))
    errors = run.errors if isinstance(run.errors, list) else []
    groups = Counter(str(e.get("kind", "unknown")) if isinstance(e, dict) else "unknown" for e in errors)
    return RunDetail(run.id, run.system, run.direction, bool(run.dry_run), run.status, run.started_at,
                     run.finished_at, run.api_calls or 0, total, counts.get("push") or {}, counts.get("pull") or {},
                     dict(groups.most_common()), errors, list(counts.get("warnings") or []), counts.get("failure"))


def run_detail(session: Session, run_id: int) -> RunDetail | None:
    run = session.get(SyncRun, run_id)
    return _detail(run) if run is not None else None


def export_journal(session: Session, fmt: str = "csv", *, system: str | None = None, limit: int = 1000) -> str:
    """The journal as CSV (one line per run and object type, plus one per error group) or JSON (every run in
    full). Holds no credentials: runs store counts, ids and one-line messages only."""
    stmt = select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(limit)
    if system:
        stmt = stmt.where(SyncRun.system == system)
    details = [_detail(r) for r in session.scalars(stmt)]
    if fmt == "json":
        return json.dumps([d.as_json() for d in details], indent=2, default=str, ensure_ascii=False)
    if fmt != "csv":
        raise ValueError(f"export format must be csv or json, not {fmt!r}")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["run", "system", "direction", "dry_run", "status", "started_at", "duration_s", "api_calls",
                     "object_type", *COUNTERS[:-1], "error_kind", "error_count"])
    for d in details:
        duration = (d.finished_at - d.started_at).total_seconds() if d.finished_at else ""
        head = [d.id, d.system, d.direction, d.dry_run, d.status, d.started_at.isoformat(), duration, d.api_calls]
        for object_type, c in sorted(d.objects.items()):
            writer.writerow([*head, object_type, *(c[k] for k in COUNTERS[:-1]), "", ""])
        for kind, n in d.error_groups.items():
            writer.writerow([*head, "", *([""] * (len(COUNTERS) - 1)), kind, n])
        if not d.objects and not d.error_groups:
            writer.writerow([*head, "", *([""] * (len(COUNTERS) - 1)), "", ""])
    return out.getvalue()
