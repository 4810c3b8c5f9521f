"""The seam between the sync engine (``bdr_desk.crm.engine``) and a CRM (``hubspot``, ``salesforce``).

A connector speaks the CRM's API over HTTP (``bdr_desk.crm.http``: one session, the token bucket, retries,
``Retry-After``, call counting, the token never logged) and translates records to and from plain dicts of
*CRM property names*. Field mapping and picklist translation (our taxonomy ↔ their values) live in the engine's
mapping, not here. Object types are ours: ``account``, ``contact``, ``activity``, ``opportunity``.

Every batch call returns one :class:`ItemResult` per input, in input order, so the engine can handle partial
failures (HubSpot 207 multi-status, Salesforce ``allOrNone=false``) record by record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

OBJECT_TYPES = ("account", "contact", "activity", "opportunity")
ERROR_KINDS = ("auth", "rate_limit", "validation", "duplicate", "not_found", "server", "network", "config")


class ConnectorError(Exception):
    """A call that failed as a whole. ``kind`` is one of ERROR_KINDS; the message is one line, names the
    endpoint (never the token) and is safe to show and to store in the journal."""

    def __init__(self, kind: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


@dataclass(frozen=True)
class RemoteRecord:
    external_id: str
    properties: dict[str, Any]
    updated_at: dt.datetime | None  # HubSpot updatedAt / hs_lastmodifieddate; Salesforce SystemModstamp
    associations: dict[str, list[str]] = field(default_factory=dict)  # e.g. {"account": ["123"]} for a contact
    archived: bool = False


@dataclass(frozen=True)
class ItemResult:
    """The outcome for one input of a batch call: an id on success, else an error kind and message."""

    index: int
    external_id: str | None = None
    error_kind: str | None = None
    error: str | None = None
    updated_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error_kind is None


@dataclass(frozen=True)
class RemoteField:
    name: str
    label: str
    type: str  # string, number, date, datetime, enumeration, bool
    options: tuple[str, ...] = ()  # picklist values
    read_only: bool = False


@dataclass(frozen=True)
class ChangePage:
    records: list[RemoteRecord]
    cursor: str | None  # where the next page starts (HubSpot `after`; Salesforce nextRecordsUrl), None when done


class Connector(Protocol):
    system: str  # "hubspot" | "salesforce"
    api_calls: int  # HTTP requests made so far (retries included)

    def batch_limit(self, object_type: str) -> int: ...  # HubSpot 100, Salesforce 200

    def test_connection(self) -> str: ...  # a one-line description of the account/org, or ConnectorError

    def fields(self, object_type: str) -> list[RemoteField]: ...

    def create(self, object_type: str, records: Sequence[dict[str, Any]]) -> list[ItemResult]: ...

    def update(self, object_type: str, records: Sequence[tuple[str, dict[str, Any]]]) -> list[ItemResult]: ...

    def delete(self, object_type: str, external_ids: Sequence[str]) -> list[ItemResult]: ...  # archive

    def read(self, object_type: str, external_ids: Sequence[str], properties: Sequence[str]) -> list[RemoteRecord]: ...

    def find(self, object_type: str, key_property: str, values: Sequence[str],
             properties: Sequence[str]) -> dict[str, RemoteRecord]: ...  # idempotency: by email / domain

    def changed_since(self, object_type: str, since: dt.datetime | None, properties: Sequence[str],
                      cursor: str | None = None) -> ChangePage: ...

    def deleted_since(self, object_type: str, since: dt.datetime) -> list[str]: ...

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None: ...


def iter_changes(conn: Connector, object_type: str, since: dt.datetime | None,
                 properties: Sequence[str]) -> Iterator[RemoteRecord]:
    """Every record changed since ``since``, page by page."""
    cursor: str | None = None
    while True:
        page = conn.changed_since(object_type, since, properties, cursor)
        yield from page.records
        if not page.cursor:
            return
        cursor = page.cursor
