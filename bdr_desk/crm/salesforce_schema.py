"""Salesforce's side of our object types: which sObject each is, the lookup fields that carry associations,
field types, error codes, and a queried record turned into a :class:`~bdr_desk.crm.connector.RemoteRecord`.

Object types: ``account`` → Account, ``contact`` → Contact (``AccountId`` is the company association),
``activity`` → Task or Event (``@kind``; pushed only), ``opportunity`` → Opportunity (pulled only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bdr_desk.crm.connector import RemoteRecord
from bdr_desk.crm.mapping import KIND_KEY
from bdr_desk.crm.salesforce_soql import field_name, parse_datetime

SYSTEM = "salesforce"
SOBJECTS = {"account": "Account", "contact": "Contact", "activity": "Task", "opportunity": "Opportunity"}
ACTIVITY_KINDS = ("Task", "Event")  # an activity's ``@kind``; Task by default
WRITABLE = ("account", "contact", "activity")  # opportunities are pulled only
# which field carries the association from one of our object types to another
ASSOCIATIONS = {
    ("contact", "account"): "AccountId",
    ("opportunity", "account"): "AccountId",
    ("activity", "contact"): "WhoId",
    ("activity", "account"): "WhatId",
}

RECORD_ERROR_KINDS = {
    "DUPLICATES_DETECTED": "duplicate", "DUPLICATE_VALUE": "duplicate", "DUPLICATE_EXTERNAL_ID": "duplicate",
    "ENTITY_IS_DELETED": "not_found", "NOT_FOUND": "not_found",
    "UNABLE_TO_LOCK_ROW": "server", "SERVER_UNAVAILABLE": "server", "UNKNOWN_EXCEPTION": "server",
    "ALL_OR_NONE_OPERATION_ROLLED_BACK": "server",
    "REQUEST_LIMIT_EXCEEDED": "rate_limit",
    "INVALID_SESSION_ID": "auth", "INSUFFICIENT_ACCESS_OR_READONLY": "auth",
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": "auth",
}

FIELD_TYPES = {
    "string": "string", "textarea": "string", "email": "string", "phone": "string", "url": "string",
    "id": "string", "reference": "string", "combobox": "string", "encryptedstring": "string",
    "int": "number", "double": "number", "currency": "number", "percent": "number", "long": "number",
    "date": "date", "datetime": "datetime", "time": "string",
    "picklist": "enumeration", "multipicklist": "enumeration", "boolean": "bool",
}


def error_code(payload: Any) -> str | None:
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        return payload[0].get("errorCode") or payload[0].get("statusCode")
    if isinstance(payload, dict):
        return payload.get("errorCode") or payload.get("error")
    return None


def kind_of(record_id: str, default: str) -> str:
    """Task and Event ids differ in their key prefix; anything else keeps its object's type."""
    if default not in ACTIVITY_KINDS:
        return default
    return {"00T": "Task", "00U": "Event"}.get(record_id[:3], default)


def select_fields(object_type: str, sobject: str, properties: Sequence[str]) -> list[str]:
    """The SELECT list: Id, SystemModstamp, the (checked) field names asked for and the association fields."""
    names = ["Id", "SystemModstamp"]
    for p in properties:
        if p.startswith("@"):
            continue
        field_name(p)
        if p.lower() not in {n.lower() for n in names}:
            names.append(p)
    for (from_type, _), fieldname in ASSOCIATIONS.items():
        if from_type == object_type and fieldname.lower() not in {n.lower() for n in names}:
            names.append(fieldname)
    return names


def remote_record(object_type: str, raw: dict[str, Any], properties: Sequence[str]) -> RemoteRecord:
    """A queried record: the properties asked for, its associations, an activity's ``@kind``."""
    lower = {k.lower(): k for k in raw if k != "attributes"}
    sobject = str((raw.get("attributes") or {}).get("type") or SOBJECTS[object_type])
    props: dict[str, Any] = {}
    for p in properties:
        if p.startswith("@"):
            continue
        key = lower.get(p.lower())
        if key is not None:
            props[p] = raw[key]
    assoc: dict[str, list[str]] = {}
    for (from_type, to_type), fieldname in ASSOCIATIONS.items():
        value = raw.get(fieldname)
        if from_type == object_type and value:
            assoc[to_type] = [str(value)]
    if object_type == "activity":
        props.setdefault(KIND_KEY, sobject)
    return RemoteRecord(str(raw["Id"]), props, parse_datetime(raw.get("SystemModstamp")), assoc)

