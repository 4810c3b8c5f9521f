"""Field mapping: which local field syncs with which CRM property, in which direction, under which rule, and
how picklists (industry, lifecycle stage, …) translate between our taxonomy keys and the CRM's values.

A mapping is plain frozen data (:class:`SyncMapping`), one per CRM system, stored in ``workspace_settings``
(``bdr_desk.crm.mapping_store``: load, validate, edit) with defaults in ``bdr_desk.crm.mapping_defaults``.

Directions: ``both``, ``push`` (local → CRM only), ``pull`` (CRM → local only), ``none``.
Rules (what happens when a field changed on both sides since the last sync, and for blanks):

* ``crm_wins`` — the CRM value is kept and applied locally;
* ``local_wins`` — the local value is kept and pushed;
* ``crm_unless_blank`` — the CRM value wins unless it is blank, then the local value is kept (and pushed);
* ``latest_wins`` — the side whose record changed last wins; equal or unknown timestamps → conflict queue;
* ``ask`` — never decide: both changed → conflict queue (Zotero's conflict dialog);
* ``dont_sync`` — the field is ignored (same as direction ``none``).

Conventions shared with the connectors (they speak CRM property names only):

* a remote name starting with ``@`` is not a property: ``@account`` / ``@contact`` carry the external id of
  the associated record, ``@kind`` the CRM object an activity becomes (Salesforce ``Task``/``Event``).
  Connectors that understand these pseudo-properties in a record dict declare ``inline_associations = True``
  (Salesforce: they become AccountId / WhatId / WhoId). For the others (HubSpot) the engine never sends them:
  it associates after the write (``associate_many`` when the connector has it, else ``Connector.associate``),
  and the kind follows from the properties sent (``hs_task_*`` → a task). On reads the engine takes
  associations from ``RemoteRecord.associations``.
* a field's remote name may differ per activity kind (``{"calls": "hs_call_title", "tasks":
  "hs_task_subject"}``); a kind without an entry does not get that field.
* a remote name may end in ``:date`` to send only the date part of a timestamp (Salesforce ``ActivityDate``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bdr_desk.crm.values import ValueProblem, canonical, to_remote

DIRECTIONS = ("both", "push", "pull", "none")
RULES = ("crm_wins", "local_wins", "crm_unless_blank", "latest_wins", "ask", "dont_sync")
REMOTE_DELETE_POLICIES = ("keep", "delete", "mark")  # a record archived in the CRM → local record
LOCAL_DELETE_POLICIES = ("archive", "unlink")  # a record deleted locally → CRM record
KIND_KEY = "@kind"
PUSHES = ("both", "push")
PULLS = ("both", "pull")


@dataclass(frozen=True)
class LocalField:
    name: str
    kind: str  # see bdr_desk.crm.values.KINDS
    label: str
    picklist: str | None = None  # translation table used for this field
    ref: str | None = None  # kind "ref": the object type the local id points to
    virtual: bool = False  # no column: read by the record adapter (opportunity is_won / is_closed)


def _fields(*specs: tuple[Any, ...]) -> dict[str, LocalField]:
    return {s[0]: LocalField(*s) for s in specs}


# Every local field any mapping may use. The outbox records changes of these fields only.
LOCAL_FIELDS: dict[str, dict[str, LocalField]] = {
    "account": _fields(
        ("name", "str", "Name"), ("domain", "domain", "Domain"), ("website", "str", "Website"),
        ("industry", "str", "Industry", "industry"), ("employees", "int", "Employees"),
        ("annual_revenue", "decimal", "Annual revenue"), ("hq_city", "str", "HQ city"),
        ("hq_region", "str", "HQ region / state"), ("hq_country", "country", "HQ country"),
        ("description", "str", "Description"), ("abm_stage", "str", "ABM stage", "abm_stage"),
        ("owner_id", "int", "Owner", "owner"),
    ),
    "contact": _fields(
        ("email", "email", "Email"), ("first_name", "str", "First name"), ("last_name", "str", "Last name"),
        ("title", "str", "Job title"), ("phone", "str", "Phone"),
        ("lifecycle_stage", "str", "Lifecycle stage", "lifecycle_stage"), ("lead_source", "str", "Lead source"),
        ("coverage_status", "str", "Coverage status", "lead_status"), ("linkedin_url", "str", "LinkedIn URL"),
        ("account_id", "ref", "Company", None, "account"), ("owner_id", "int", "Owner", "owner"),
    ),
    "activity": _fields(
        ("type", "str", "Type", "activity_type"), ("subject", "str", "Subject"), ("body", "str", "Notes"),
        ("occurred_at", "datetime", "When"), ("due_at", "datetime", "Due"),
        ("completed", "bool", "Completed", "task_status"), ("direction", "str", "Direction", "call_direction"),
        ("outcome", "str", "Outcome"), ("account_id", "ref", "Company", None, "account"),
        ("contact_id", "ref", "Contact", None, "contact"),
    ),
    "opportunity": _fields(
        ("name", "str", "Name"), ("amount", "decimal", "Amount"), ("stage", "str", "Stage", "opportunity_stage"),
        ("close_date", "date", "Close date"), ("opened_on", "date", "Created"), ("currency", "str", "Currency"),
        ("lead_source", "str", "Lead source"), ("account_id", "ref", "Company", None, "account"),
        ("is_won", "bool", "Won", None, None, True), ("is_closed", "bool", "Closed", None, None, True),
    ),
}
NATURAL_KEYS = {"account": "domain", "contact": "email"}  # local field whose value identifies a record
# which directions an object type allows at all: activities are pushed, opportunities pulled (for KPIs)
OBJECT_DIRECTIONS = {"account": DIRECTIONS, "contact": DIRECTIONS, "activity": ("push", "none"),
                     "opportunity": ("pull", "none")}
SYNC_ORDER = ("account", "contact", "activity", "opportunity")  # parents before children


@dataclass(frozen=True)
class FieldMap:
    local: str
    remote: str | dict[str, str]  # a property name, or one per activity kind
    direction: str = "both"
    rule: str = "latest_wins"

    def remote_for(self, kind: str | None = None) -> tuple[str | None, str | None]:
        """(property name, hint) for a record of ``kind``; (None, None) when this kind has no such property."""
        spec = self.remote.get(kind or "") if isinstance(self.remote, dict) else self.remote
        if not spec:
            return None, None
        name, _, hint = spec.partition(":")
        return name, hint or None

    def remote_names(self) -> list[str]:
        specs = self.remote.values() if isinstance(self.remote, dict) else [self.remote]
        return sorted({s.partition(":")[0] for s in specs if s})

    @property
    def pushes(self) -> bool:
        return self.direction in PUSHES and self.rule != "dont_sync"

    @property
    def pulls(self) -> bool:
        return self.direction in PULLS and self.rule != "dont_sync"

    def as_json(self) -> dict[str, Any]:
        return {"local": self.local, "remote": self.remote, "direction": self.direction, "rule": self.rule}


@dataclass(frozen=True)
class ObjectMap:
    object_type: str
    fields: tuple[FieldMap, ...]
    enabled: bool = True
    key: str | None = None  # the CRM property of the natural key (used by Connector.find)
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind or "*" → values sent on create

    def field(self, local: str) -> FieldMap | None:
        return next((f for f in self.fields if f.local == local), None)

    def as_json(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "key": self.key, "fields": [f.as_json() for f in self.fields],
                "defaults": self.defaults}


@dataclass(frozen=True)
class Picklist:
    """Our keys ↔ the CRM's values. Several keys may share one CRM value (``sal`` and ``mql`` →
    ``marketingqualifiedlead``); ``to_local`` then says which key a CRM value comes back as.

    Unknown values: a CRM value missing from ``to_local`` becomes ``fallback_local`` (or, for taxonomy
    vocabularies, the term whose label matches); failing that, the field is left alone and the run's journal
    says which value was not mapped. A local key missing from ``to_remote`` is sent as ``fallback_remote``, or
    not sent at all (with a journal line) — a CRM rejects an unknown picklist value for the whole record."""

    to_remote: dict[str, str]
    to_local: dict[str, str]
    fallback_local: str | None = None
    fallback_remote: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"to_remote": dict(self.to_remote), "to_local": dict(self.to_local),
                "fallback_local": self.fallback_local, "fallback_remote": self.fallback_remote}


@dataclass(frozen=True)
class SyncMapping:
    system: str
    objects: dict[str, ObjectMap]
    picklists: dict[str, Picklist]
    remote_deletes: str = "mark"
    local_deletes: str = "archive"

    def object(self, object_type: str) -> ObjectMap | None:
        obj = self.objects.get(object_type)
        return obj if obj is not None and obj.enabled else None

    def pushed(self, object_type: str) -> list[FieldMap]:
        obj = self.object(object_type)
        return [f for f in obj.fields if f.pushes] if obj else []

    def pulled(self, object_type: str) -> list[FieldMap]:
        obj = self.object(object_type)
        return [f for f in obj.fields if f.pulls] if obj else []

    def as_json(self) -> dict[str, Any]:
        return {"version": 1, "system": self.system,
                "objects": {k: o.as_json() for k, o in self.objects.items()},
                "picklists": {k: p.as_json() for k, p in self.picklists.items()},
                "remote_deletes": self.remote_deletes, "local_deletes": self.local_deletes}


class Unmapped(ValueError):
    """A picklist value with no translation and no fallback: the field is skipped for this record."""

    def __init__(self, picklist: str, value: Any, outward: bool) -> None:
        side = "local value" if outward else "CRM value"
        super().__init__(f"{side} {value!r} has no translation in the {picklist} picklist")
        self.picklist, self.value, self.outward = picklist, value, outward


def picklist_key(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _raw_text(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return picklist_key(raw).strip()


class Translator:
    """Translates one field's values between local canonical form and the CRM's form, for one mapping.
    ``resolve(picklist, text)`` is the fallback for unknown CRM values (taxonomy label matching)."""

    def __init__(self, mapping: SyncMapping, resolve: Callable[[str, str], str | None] | None = None) -> None:
        self.mapping = mapping
        self.resolve = resolve

    def local_field(self, object_type: str, fm: FieldMap) -> LocalField:
        return LOCAL_FIELDS[object_type][fm.local]

    def out(self, object_type: str, fm: FieldMap, value: Any, hint: str | None = None) -> Any:
        """Canonical local value → the CRM's value (raises :class:`Unmapped`)."""
        lf = self.local_field(object_type, fm)
        if value is None:
            return None
        if lf.picklist:
            table = self.mapping.picklists.get(lf.picklist)
            key = picklist_key(value)
            if table is not None and key in table.to_remote:
                return table.to_remote[key]
            if table is not None and table.fallback_remote is not None:
                return table.fallback_remote
            raise Unmapped(lf.picklist, value, outward=True)
        return to_remote(lf.kind, value, hint)

    def into(self, object_type: str, fm: FieldMap, raw: Any) -> Any:
        """The CRM's value → canonical local value (raises :class:`Unmapped` or ``ValueProblem``)."""
        lf = self.local_field(object_type, fm)
        if lf.picklist:
            text = _raw_text(raw)
            if text is None:
                return None
            table = self.mapping.picklists.get(lf.picklist)
            key = table.to_local.get(text) if table is not None else None
            if key is None and self.resolve is not None:
                key = self.resolve(lf.picklist, text)
            if key is None and table is not None:
                key = table.fallback_local
            if key is None:
                raise Unmapped(lf.picklist, text, outward=False)
            return canonical(lf.kind, key)
        return canonical(lf.kind, raw)

    def same(self, object_type: str, fm: FieldMap, value: Any, raw: Any) -> bool:
        """Does the CRM's ``raw`` value say the same as the canonical local ``value``? Picklists compare on
        either side, so ``sal`` (sent as ``marketingqualifiedlead``) coming back as ``mql`` is no change, nor
        is a ``subscriber`` that we read as ``lead``."""
        lf = self.local_field(object_type, fm)
        if lf.picklist:
            try:
                if self.out(object_type, fm, value) == _raw_text(raw):
                    return True
            except Unmapped:
                pass
        try:
            return self.into(object_type, fm, raw) == value
        except (Unmapped, ValueProblem):
            return False
