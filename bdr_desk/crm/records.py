"""Local records as the sync engine sees them: field values in canonical form (association fields as the
*external* id of the associated record), natural-key lookups, and writes that keep the account timeline
(source ``crm``), size band and segment, and the unique natural keys intact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.history import record_changes, record_event, snapshot
from accounts.models import Account, Activity, Contact, Opportunity
from bdr_desk.crm.mapping import LOCAL_FIELDS, NATURAL_KEYS, FieldMap
from bdr_desk.crm.refs import RefIndex
from bdr_desk.crm.values import ValueProblem, canonical, to_python
from bdr_desk.db import utcnow
from bdr_desk.taxonomy import Taxonomy

MODELS: dict[str, Any] = {"account": Account, "contact": Contact, "activity": Activity, "opportunity": Opportunity}
SYSTEM_LABELS = {"hubspot": "HubSpot", "salesforce": "Salesforce"}
CLOSED = ("closed_won", "closed_lost")


class Unlinked:
    """An association to a local record that has no CRM id yet (its own push is pending or failed)."""

    def __init__(self, object_type: str, local_id: int) -> None:
        self.object_type, self.local_id = object_type, local_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unlinked) and (other.object_type, other.local_id) == (self.object_type, self.local_id)

    def __hash__(self) -> int:
        return hash((self.object_type, self.local_id))

    def __repr__(self) -> str:
        return f"<{self.object_type} {self.local_id} not in the CRM yet>"


class LocalClash(ValueError):
    """A pulled natural key (domain, e-mail) that another local record already has."""


def load(session: Session, object_type: str, ids: Iterable[int]) -> dict[int, Any]:
    model = MODELS[object_type]
    wanted = sorted(set(ids))
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), 500):
        found.update((o.id, o) for o in session.scalars(select(model).where(model.id.in_(wanted[start:start + 500]))))
    return found


def label(obj: Any, object_type: str) -> str:
    if object_type == "account":
        return f"{obj.name} ({obj.domain})" if obj.domain else obj.name
    if object_type == "contact":
        return obj.full_name or f"contact {obj.id}"
    if object_type == "activity":
        return f"{obj.type}: {obj.subject or (obj.body or '')[:40]}".strip()
    return obj.name


def value_of(obj: Any, object_type: str, local: str, refs: RefIndex) -> Any:
    """One field's canonical value (association fields: the associated record's external id)."""
    lf = LOCAL_FIELDS[object_type][local]
    if object_type == "opportunity" and local in ("is_won", "is_closed"):
        return obj.stage == "closed_won" if local == "is_won" else obj.stage in CLOSED
    raw = getattr(obj, local)
    if lf.kind == "ref":
        if raw is None:
            return None
        return refs.external_id(lf.ref or "", raw) or Unlinked(lf.ref or "", raw)
    try:
        return canonical(lf.kind, raw)
    except ValueProblem:
        return None  # a local value the CRM could not read either (a country we cannot name)


def view(obj: Any, object_type: str, fields: Iterable[FieldMap], refs: RefIndex) -> dict[str, Any]:
    return {fm.local: value_of(obj, object_type, fm.local, refs) for fm in fields}


def changed_at(obj: Any) -> dt.datetime | None:
    """When the local record last changed (record-level; ``latest_wins`` compares it with the CRM's)."""
    moment = getattr(obj, "updated_at", None) or getattr(obj, "created_at", None)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def key_of(object_type: str, values: dict[str, Any]) -> str | None:
    field = NATURAL_KEYS.get(object_type)
    return values.get(field) if field else None


def find_by_key(session: Session, object_type: str, keys: Iterable[str]) -> dict[str, int]:
    """Local ids by natural key (normalized domain, lower-cased e-mail)."""
    field = NATURAL_KEYS.get(object_type)
    wanted = sorted({k for k in keys if k})
    if not field or not wanted:
        return {}
    model = MODELS[object_type]
    column = getattr(model, field)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        expr = func.lower(column) if object_type == "contact" else column
        for key, local_id in session.execute(select(expr, model.id).where(expr.in_(chunk))):
            found.setdefault(key, local_id)
    return found


def _check_unique(session: Session, obj: Any, object_type: str, field: str, value: Any) -> None:
    if value is None or field != NATURAL_KEYS.get(object_type):
        return
    model = MODELS[object_type]
    column = getattr(model, field)
    expr = func.lower(column) if object_type == "contact" else column
    other = session.scalar(select(model.id).where(expr == value, model.id != obj.id).limit(1))
    if other is not None:
        raise LocalClash(f"{field} {value} belongs to another local {object_type} (#{other}); merge them first")


def _firmographics(obj: Account, taxonomy: Taxonomy | None) -> None:
    if taxonomy is not None:
        band = taxonomy.size_band(obj.employees)
        obj.size_band, obj.segment = (band.key, band.segment) if band else (None, None)


def _opportunity_stage(obj: Opportunity, values: dict[str, Any]) -> None:
    closed, won = values.get("is_closed"), values.get("is_won")
    if values.get("stage") is None and closed is not None:
        if closed:
            obj.stage = "closed_won" if won else "closed_lost"
        elif obj.stage in CLOSED:
            obj.stage = "negotiation"
    if obj.stage in CLOSED and obj.closed_at is None:
        obj.closed_at = utcnow()
    elif obj.stage not in CLOSED:
        obj.closed_at = None


def apply(session: Session, obj: Any, object_type: str, values: dict[str, Any], refs: RefIndex, *,
          taxonomy: Taxonomy | None = None, system: str = "") -> dict[str, str]:
    """Write pulled canonical ``values`` onto ``obj``. Returns the fields that could not be written, with the
    reason (a natural key another record has, an association to a record we do not have)."""
    skipped: dict[str, str] = {}
    before = snapshot(obj) if object_type == "account" else None
    for name, value in values.items():
        lf = LOCAL_FIELDS[object_type][name]
        if lf.virtual:
            continue
        if lf.kind == "ref":
            target = refs.local_id(lf.ref or "", value) if value is not None else None
            if value is not None and target is None:
                skipped[name] = f"the CRM's {lf.ref} {value} is not here"
                continue
            if target is None and not type(obj).__table__.c[name].nullable:
                skipped[name] = f"a {object_type} needs a {lf.ref}; the CRM has none"
                continue
            setattr(obj, name, target)
            continue
        try:
            _check_unique(session, obj, object_type, name, value)
        except LocalClash as exc:
            skipped[name] = str(exc)
            continue
        if value is None and not type(obj).__table__.c[name].nullable:
            skipped[name] = "it cannot be blank here"
            continue
        setattr(obj, name, to_python(lf.kind, value))
    if object_type == "account":
        if "employees" in values:
            _firmographics(obj, taxonomy)
        if before is not None and obj.id is not None:
            record_changes(session, obj, before, source="crm")
    if object_type == "opportunity":
        _opportunity_stage(obj, values)
    return skipped


def create(session: Session, object_type: str, values: dict[str, Any], refs: RefIndex, *,
           taxonomy: Taxonomy | None = None, system: str = "") -> tuple[Any, dict[str, str]]:
    """A new local record from pulled ``values`` (flushed, so it has an id)."""
    model = MODELS[object_type]
    if object_type == "account":
        obj = model(name=values.get("name") or values.get("domain") or "(unnamed)")
    elif object_type == "contact":
        obj = model(source="crm")
    elif object_type == "opportunity":
        obj = model(name=values.get("name") or "(unnamed deal)")
    else:
        raise ValueError(f"{object_type} records are not created from the CRM")
    skipped = apply(session, obj, object_type, values, refs, taxonomy=taxonomy, system=system)
    session.add(obj)
    session.flush()
    if object_type == "account":
        record_event(session, obj.id, "created", f"Created from {SYSTEM_LABELS.get(system, system)}", source="crm")
    return obj, skipped


def remove(session: Session, obj: Any) -> None:
    session.delete(obj)
    session.flush()


def account_of(obj: Any, object_type: str) -> int | None:
    """The account whose timeline tells about this record."""
    if object_type == "account":
        return obj.id
    return getattr(obj, "account_id", None)
