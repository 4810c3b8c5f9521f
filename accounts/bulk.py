"""Bulk actions on a selection of accounts: add to a target list, set tier / owner / ABM stage.

Work is done a chunk of accounts at a time in SQL (one SELECT of the current values and one UPDATE per
chunk, never a flush per account). Every account that actually changed gets its own timeline event
(``source="bulk"``) through :mod:`accounts.history`, and its ``version`` is bumped so an account window
open elsewhere notices the change when it saves (optimistic locking).

The caller commits (``Workspace.session()`` does, on leaving the ``with`` block).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from accounts.history import record_changes, record_event
from accounts.models import ABM_STAGES, Account, TargetList, TargetListMember
from accounts.target_lists import ListError, create_list
from bdr_desk.db import utcnow
from bdr_desk.users import User

CHUNK = 500
BULK_FIELDS = ("tier", "owner_id", "abm_stage")
FIELD_LABELS = {"tier": "tier", "owner_id": "owner", "abm_stage": "ABM stage"}
Progress = Callable[[int, int, str], None]


class BulkError(ValueError):
    """A bulk action that cannot run: an unknown field, a bad value, a list that cannot take members."""


@dataclass(frozen=True)
class BulkResult:
    changed: int  # accounts changed (or added to the list)
    unchanged: int  # already had the value (or were already members), or no longer exist
    list_id: int | None = None
    list_name: str | None = None
    list_created: bool = False

    @property
    def summary(self) -> str:
        tail = f"; {self.unchanged:,} already so" if self.unchanged else ""
        return f"{self.changed:,} account{'s' if self.changed != 1 else ''} changed{tail}"


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield list(ids[i:i + size])


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ids))


@dataclass
class _Changed:
    """What :func:`accounts.history.record_changes` reads of an account: its id and the changed field."""

    id: int
    field: str
    value: Any

    def __getattr__(self, name: str) -> Any:
        if name == self.field:
            return self.value
        raise AttributeError(name)


def _clean_value(session: Session, field: str, value: Any) -> Any:
    if field not in BULK_FIELDS:
        raise BulkError(f"cannot set {field!r} in bulk; choose one of {', '.join(BULK_FIELDS)}")
    if field == "tier":
        if value is not None and value not in (1, 2, 3):
            raise BulkError(f"tier must be 1, 2 or 3 (or empty), not {value!r}")
    elif field == "abm_stage":
        if value not in ABM_STAGES:
            raise BulkError(f"unknown ABM stage {value!r}")
    elif field == "owner_id" and value is not None:
        if session.get(User, int(value)) is None:
            raise BulkError(f"no user with id {value}")
        value = int(value)
    return value


def set_field(session: Session, account_ids: Iterable[int], field: str, value: Any, user_id: int | None = None,
              *, progress: Progress | None = None, chunk: int = CHUNK) -> BulkResult:
    """Set ``field`` (tier, owner_id or abm_stage) to ``value`` on every account. A tier set this way is a
    manual override (clearing the tier clears the override, so scoring may suggest one again)."""
    value = _clean_value(session, field, value)
    ids = _unique(account_ids)
    column = getattr(Account, field)
    changed = 0
    done = 0
    for part in _chunks(ids, chunk):
        before = session.execute(
            select(Account.id, column).where(Account.id.in_(part), column.is_distinct_from(value))
        ).all()
        if before:
            values: dict[str, Any] = {field: value, "version": Account.version + 1, "updated_at": utcnow()}
            if field == "tier":
                values["tier_is_manual"] = value is not None
            session.execute(
                update(Account).where(Account.id.in_([r[0] for r in before])).values(**values)
                .execution_options(synchronize_session=False)
            )
            for acc_id, old in before:
                record_changes(session, cast(Account, _Changed(acc_id, field, value)), {field: old},
                               user_id=user_id, source="bulk")
            changed += len(before)
        done += len(part)
        if progress:
            progress(done, len(ids), f"Set {FIELD_LABELS[field]}")
    session.flush()
    session.expire_all()  # objects loaded earlier in this session must not show the old values
    return BulkResult(changed=changed, unchanged=len(ids) - changed)


def find_list(session: Session, list_name_or_id: int | str) -> TargetList | None:
    if isinstance(list_name_or_id, int):
        return session.get(TargetList, list_name_or_id)
    name = str(list_name_or_id).strip()
    return session.scalars(select(TargetList).where(func.lower(TargetList.name) == name.lower())).first()


def add_to_list(session: Session, account_ids: Iterable[int], list_name_or_id: int | str,
                user_id: int | None = None, *, progress: Progress | None = None, chunk: int = CHUNK,
                source: str = "bulk") -> BulkResult:
    """Add the accounts to a static target list, created (static) when no list has that name. Accounts already
    on the list, and ids that no longer exist, are skipped."""
    lst = find_list(session, list_name_or_id)
    created = False
    if lst is None:
        if isinstance(list_name_or_id, int):
            raise BulkError(f"no target list with id {list_name_or_id}")
        if len(str(list_name_or_id).strip()) > 200:
            raise BulkError("a target list name can be at most 200 characters")
        try:
            lst = create_list(session, str(list_name_or_id), owner_id=user_id)
        except ListError as exc:
            raise BulkError(str(exc)) from None
        created = True
    elif lst.kind != "static":
        raise BulkError(f"“{lst.name}” is a dynamic list: its members follow its saved filter, "
                        "so accounts cannot be added by hand")
    ids = _unique(account_ids)
    added = 0
    done = 0
    for part in _chunks(ids, chunk):
        members = select(TargetListMember.account_id).where(TargetListMember.list_id == lst.id,
                                                             TargetListMember.account_id.in_(part))
        new = list(session.scalars(select(Account.id).where(Account.id.in_(part), Account.id.not_in(members))))
        if new:
            now = utcnow()
            session.execute(insert(TargetListMember), [
                {"list_id": lst.id, "account_id": a, "added_at": now, "added_by_id": user_id} for a in new
            ])
            for a in new:
                record_event(session, a, "list_added", f"Added to list {lst.name}", user_id=user_id,
                             source=source, field="list", new=lst.name)
            added += len(new)
        done += len(part)
        if progress:
            progress(done, len(ids), f"Add to {lst.name}")
    session.flush()
    return BulkResult(changed=added, unchanged=len(ids) - added, list_id=lst.id, list_name=lst.name,
                      list_created=created)
