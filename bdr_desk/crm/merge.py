"""The per-field 3-way merge: local value, CRM value and the base (their value at the last sync) → what to do.

Pure: no database, no network. Push and pull both call :func:`decide`, so a dry run plans exactly what a real
run does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bdr_desk.crm.mapping import FieldMap, Translator, Unmapped
from bdr_desk.crm.records import Unlinked
from bdr_desk.crm.values import ValueProblem

ACTIONS = ("keep", "base", "push", "pull", "conflict", "skip", "defer")


@dataclass(frozen=True)
class Decision:
    action: str  # keep: nothing to do; base: both sides agree, remember it; push; pull; conflict; skip; defer
    value: Any = None  # push: the local value; pull: the CRM value (canonical, local form); base: the agreed one
    remote: Any = None  # the CRM value in local form (for a conflict row)
    reason: str | None = None


_UNKNOWN = object()


def decide(tr: Translator, object_type: str, fm: FieldMap, *, local: Any, base: Any, has_base: bool,
           remote_raw: Any = None, remote_is_base: bool = False, local_at: dt.datetime | None = None,
           remote_at: dt.datetime | None = None) -> Decision:
    """What to do with one field. ``remote_is_base``: the CRM is known to still hold the base value (this run
    pulled every CRM change already), so no CRM value is needed."""
    if fm.direction == "none" or fm.rule == "dont_sync":
        return Decision("keep")
    if isinstance(local, Unlinked):
        return Decision("defer", reason=f"its {local.object_type} is not in the CRM yet")
    reason = None
    if remote_is_base:
        remote: Any = base if has_base else None
        remote_changed, in_sync = False, local == remote
    else:
        try:
            remote = tr.into(object_type, fm, remote_raw)
        except (Unmapped, ValueProblem) as exc:
            remote, reason = _UNKNOWN, str(exc)
        in_sync = tr.same(object_type, fm, local, remote_raw)
        if has_base:
            remote_changed = not tr.same(object_type, fm, base, remote_raw)
        else:
            remote_changed = remote is not None
    if in_sync:
        return Decision("keep") if has_base and base == local else Decision("base", local)
    local_changed = local != base if has_base else local is not None
    direction = fm.direction
    if direction == "push":
        return Decision("push", local) if local_changed else Decision("keep")
    if remote is _UNKNOWN:
        return Decision("skip", reason=reason) if remote_changed or local_changed else Decision("keep")
    if direction == "pull":
        return Decision("pull", remote) if remote_changed else Decision("keep")
    # both directions
    if local_changed and not remote_changed:
        return Decision("push", local)
    if remote_changed and not local_changed:
        if fm.rule == "crm_unless_blank" and remote is None and local is not None:
            return Decision("push", local)
        return Decision("pull", remote)
    if not (local_changed or remote_changed):
        return Decision("keep")
    return _winner(fm, local, remote, local_at, remote_at)


def _winner(fm: FieldMap, local: Any, remote: Any, local_at: dt.datetime | None,
            remote_at: dt.datetime | None) -> Decision:
    """Both sides changed the field to different values since the last sync."""
    if fm.rule == "crm_wins":
        return Decision("pull", remote)
    if fm.rule == "local_wins":
        return Decision("push", local)
    if fm.rule == "crm_unless_blank":
        return Decision("push", local) if remote is None else Decision("pull", remote)
    if fm.rule == "latest_wins" and local_at is not None and remote_at is not None and local_at != remote_at:
        return Decision("push", local) if local_at > remote_at else Decision("pull", remote)
    why = ("changed on both sides at the same time" if fm.rule == "latest_wins" and local_at and remote_at
           else "changed on both sides; no timestamp decides" if fm.rule == "latest_wins"
           else "changed on both sides")
    return Decision("conflict", local, remote, why)
