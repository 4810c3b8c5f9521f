"""Workspace-wide settings (the ``workspace_settings`` key/value table): one place to read and write them.

Values are JSON. Whole-number settings with a range (stale-map days, research stale days …) go through
:func:`int_setting` / :func:`set_int_setting` so every one validates and falls back the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accounts.models import WorkspaceSetting


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(WorkspaceSetting, key)
    return default if row is None else row.value


def put_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(WorkspaceSetting, key)
    if row is None:
        session.add(WorkspaceSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def int_setting(session: Session, key: str, default: int) -> int:
    """A positive whole-number setting; ``default`` when unset or unusable."""
    try:
        value = int(get_setting(session, key))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def set_int_setting(session: Session, key: str, value: int, *, label: str, error: type[Exception],
                    low: int = 1, high: int = 3650) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise error(f"{label} must be a whole number from {low} to {high}, not {value!r}")
    put_setting(session, key, value)
