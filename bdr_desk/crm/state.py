"""Sync state per workspace, in ``workspace_settings``: the pull cursor per system and object type, and which
CRM systems consume the outbox.

A cursor is ``{"since": ISO timestamp or None, "page": paging token or None, "high": ISO timestamp or None}``:
pull asks for records changed since ``since``; after each applied page it stores the next page's token and
the newest ``updatedAt`` seen, in the page's own transaction; when the last page is done ``since`` moves to
that high-water mark. A run killed mid-way resumes at the stored page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from accounts.models import WorkspaceSetting
from accounts.settings import get_setting as _get
from accounts.settings import put_setting as _put

CURSOR = "crm.cursor.{system}.{object_type}"
SYSTEMS = "crm.systems"


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass
class Cursor:
    since: dt.datetime | None = None
    page: str | None = None
    high: dt.datetime | None = None

    def seen(self, moment: dt.datetime | None) -> None:
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            if self.high is None or moment > self.high:
                self.high = moment

    def as_json(self) -> dict[str, Any]:
        return {"since": self.since.isoformat() if self.since else None, "page": self.page,
                "high": self.high.isoformat() if self.high else None}


def load_cursor(session: Session, system: str, object_type: str) -> Cursor:
    data = _get(session, CURSOR.format(system=system, object_type=object_type)) or {}
    return Cursor(_time(data.get("since")), data.get("page"), _time(data.get("high")))


def save_cursor(session: Session, system: str, object_type: str, cursor: Cursor) -> None:
    _put(session, CURSOR.format(system=system, object_type=object_type), cursor.as_json())


def reset_cursor(session: Session, system: str, object_type: str) -> None:
    """The next pull of this object type reads everything again (a full resync; idempotent)."""
    row = session.get(WorkspaceSetting, CURSOR.format(system=system, object_type=object_type))
    if row is not None:
        session.delete(row)


def systems_in_use(session: Session) -> set[str]:
    return set(_get(session, SYSTEMS) or [])


def add_system(session: Session, system: str) -> bool:
    """Register ``system`` as an outbox consumer; True the first time (the first push queues every record)."""
    current = systems_in_use(session)
    if system in current:
        return False
    _put(session, SYSTEMS, sorted(current | {system}))
    return True
