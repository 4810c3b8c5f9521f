"""SOQL for the Salesforce connector: literals (escaped strings, LIKE patterns, dateTimes), identifier checks
(field API names, record ids), Salesforce's timestamp format and splitting long value lists across queries.

Identifiers are never trusted: field names must look like API names, record ids like 15/18-character ids, and
every string literal in SOQL is escaped (quotes, backslashes, control characters; ``%``/``_`` in LIKE).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote_plus

from bdr_desk.crm.connector import ConnectorError

SOQL_BUDGET = 8_000  # URL-encoded characters of SOQL per GET: far below Salesforce's 16 KB URL limit
IDS_PER_QUERY = 200

FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}


def soql_string(value: str, *, like: bool = False) -> str:
    """A quoted SOQL string literal for ``value``; with ``like``, ``%`` and ``_`` are literal too."""
    out = []
    for ch in str(value):
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif like and ch in "%_":
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def soql_like_contains(value: str) -> str:
    """A LIKE pattern literal matching any text that contains ``value`` literally."""
    return "'%" + soql_string(value, like=True)[1:-1] + "%'"


def soql_datetime(value: dt.datetime) -> str:
    """A SOQL dateTime literal (unquoted, UTC), rounded *down* to the second: a filter ``> since`` then
    overlaps by under a second instead of skipping records stamped in the same second."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str | None) -> dt.datetime | None:
    """``2024-05-01T12:34:56.000+0000`` (Salesforce) → an aware datetime."""
    if not text:
        return None
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def field_name(name: str) -> str:
    if not isinstance(name, str) or not FIELD_NAME.match(name):
        raise ConnectorError("config", f"not a Salesforce field name: {str(name)[:60]!r}")
    return name


def is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(RECORD_ID.match(value))


def soql_chunks(values: list[str], budget: int, by_domain: bool) -> Iterable[list[str]]:
    """Split values so each SOQL condition list stays within ``budget`` characters, URL-encoded."""
    chunk: list[str] = []
    size = 0
    for v in values:
        literal = soql_like_contains(v) if by_domain else soql_string(v)
        cost = len(quote_plus(literal)) + (30 if by_domain else 3)
        if chunk and (size + cost > budget or len(chunk) >= IDS_PER_QUERY):
            yield chunk
            chunk, size = [], 0
        chunk.append(v)
        size += cost
    if chunk:
        yield chunk
