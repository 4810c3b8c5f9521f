"""Saved views of the accounts table: a name, a filter, sort keys and visible columns, personal or shared.

The state is JSON: ``{"filter": AccountFilter.to_saved(), "sort": AccountSort.to_saved(), "columns": [...]}``
(the filter has the same shape as a dynamic list's saved filter). Everyone sees their own views and the
views others shared; only the owner can overwrite or delete a view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accounts.models import SavedView
from accounts.queries import AccountFilter, AccountSort
from bdr_desk.users import User

MAX_NAME = 200


class ViewError(ValueError):
    """A view that cannot be saved or deleted (the message says why, naming the view)."""


@dataclass(frozen=True)
class ViewInfo:
    id: int
    name: str
    owner_id: int | None
    owner_name: str | None
    shared: bool
    mine: bool
    state: dict[str, Any]

    @property
    def account_filter(self) -> AccountFilter:
        return AccountFilter.from_saved(self.state.get("filter") or {})

    @property
    def sort(self) -> AccountSort:
        return AccountSort.from_saved(self.state.get("sort"))

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.state.get("columns") or []]

    @property
    def label(self) -> str:
        if self.mine:
            return f"{self.name} (shared)" if self.shared else self.name
        return f"{self.name} — {self.owner_name or 'someone'}"


def view_state(flt: AccountFilter, sort: AccountSort, columns: list[str]) -> dict[str, Any]:
    return {"filter": flt.to_saved(), "sort": sort.to_saved(), "columns": list(columns)}


def _info(view: SavedView, owner_name: str | None, user_id: int | None) -> ViewInfo:
    return ViewInfo(view.id, view.name, view.owner_id, owner_name, view.shared, view.owner_id == user_id,
                    dict(view.state or {}))


def list_views(session: Session, user_id: int | None) -> list[ViewInfo]:
    """The user's own views, then views shared by others; each by name."""
    mine = SavedView.owner_id == user_id if user_id is not None else SavedView.owner_id.is_(None)
    rows = session.execute(
        select(SavedView, User.name).outerjoin(User, User.id == SavedView.owner_id)
        .where(or_(mine, SavedView.shared.is_(True)))
    ).all()
    views = [_info(v, owner, user_id) for v, owner in rows]
    return sorted(views, key=lambda v: (not v.mine, v.name.casefold(), v.id))


def get_view(session: Session, view_id: int, user_id: int | None) -> ViewInfo:
    row = session.execute(select(SavedView, User.name).outerjoin(User, User.id == SavedView.owner_id)
                          .where(SavedView.id == view_id)).first()
    if row is None or (row[0].owner_id != user_id and not row[0].shared):
        raise ViewError(f"view {view_id} does not exist")
    return _info(row[0], row[1], user_id)


def save_view(session: Session, user_id: int | None, name: str, state: dict[str, Any], *, shared: bool = False,
              overwrite: bool = False) -> ViewInfo:
    """Save a view under ``name``. A name the user already has is an error unless ``overwrite``."""
    name = " ".join((name or "").split())
    if not name:
        raise ViewError("a view needs a name")
    if len(name) > MAX_NAME:
        raise ViewError(f"a view name can be at most {MAX_NAME} characters")
    if not isinstance(state, dict):
        raise ViewError("a view's state must be a JSON object")
    owner = SavedView.owner_id == user_id if user_id is not None else SavedView.owner_id.is_(None)
    existing = session.scalars(select(SavedView).where(owner, func.lower(SavedView.name) == name.lower())).first()
    if existing is not None and not overwrite:
        raise ViewError(f"you already have a view named “{existing.name}”; choose another name or replace it")
    if existing is None:
        existing = SavedView(name=name, owner_id=user_id, shared=shared, state=state)
        session.add(existing)
    else:
        existing.name, existing.shared, existing.state = name, shared, state
    session.flush()
    owner_name = session.scalar(select(User.name).where(User.id == user_id)) if user_id is not None else None
    return _info(existing, owner_name, user_id)


def delete_view(session: Session, view_id: int, user_id: int | None) -> None:
    view = session.get(SavedView, view_id)
    if view is None:
        raise ViewError(f"view {view_id} does not exist")
    if view.owner_id != user_id:
        raise ViewError(f"“{view.name}” belongs to someone else; only its owner can delete it")
    session.delete(view)
    session.flush()
