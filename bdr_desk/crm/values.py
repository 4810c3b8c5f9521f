"""Field values as the sync engine compares them.

Every local field has a *kind* (``str``, ``email``, ``domain``, ``int``, ``decimal``, ``date``, ``datetime``,
``bool``, ``country``, ``ref``). A value is compared, stored as the 3-way merge base
(``ExternalRef.synced_values``) and shown in a preview in its *canonical* form: JSON-able, ``None`` for a
blank, numbers without formatting noise, timestamps in UTC at second precision, e-mails lower-cased, domains
normalized, countries as ISO codes. Remote values arrive in whatever shape the CRM sends (``"250"``,
``"1.5E6"``, epoch milliseconds, ``"United States"``) and are canonicalized the same way, so ``"250"`` from
HubSpot equals the local integer 250 and a round trip changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from accounts.domains import normalize_domain
from accounts.normalize import country_name, parse_country

KINDS = ("str", "email", "domain", "int", "decimal", "date", "datetime", "bool", "country", "ref")


class ValueProblem(ValueError):
    """A remote value that cannot be read as the local field's kind (``"abc"`` for employees)."""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueProblem(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(f"{str(value)[:60]!r} is not a number") from None
    if not number.is_finite():
        raise ValueProblem(f"{str(value)[:60]!r} is not a number")
    return number


def decimal_text(value: Decimal) -> str:
    """``Decimal("1500000.00")`` → ``"1500000"``, ``Decimal("12.50")`` → ``"12.5"`` (no exponent)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    elif isinstance(value, int | float) or (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
        number = int(value)
        # HubSpot sends epoch milliseconds; anything this large is milliseconds, not seconds
        moment = dt.datetime.fromtimestamp(number / 1000 if abs(number) > 10**11 else number, dt.UTC)
    else:
        text = str(value).strip().replace("Z", "+00:00")
        if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # Salesforce: 2024-06-01T09:00:00.000+0000
            text = text[:-2] + ":" + text[-2:]
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueProblem(f"{str(value)[:60]!r} is not a date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def canonical(kind: str, value: Any) -> Any:
    """The canonical form of ``value`` (local or remote) for a field of ``kind``; None for a blank.
    Raises :class:`ValueProblem` when the value cannot be read as that kind."""
    if _blank(value):
        return None
    if kind == "str" or kind == "ref":
        return str(value).strip()
    if kind == "email":
        return str(value).strip().lower()
    if kind == "domain":
        return normalize_domain(str(value))
    if kind == "int":
        number = _decimal(value)
        if number != number.to_integral_value():
            raise ValueProblem(f"{value!r} is not a whole number")
        return int(number)
    if kind == "decimal":
        return decimal_text(_decimal(value))
    if kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        text = str(value).strip()
        if len(text) == 10 and text[4] == "-":
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise ValueProblem(f"{text!r} is not a date") from None
        return _datetime(value).date().isoformat()
    if kind == "datetime":
        return _datetime(value).isoformat().replace("+00:00", "Z")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "y"):
            return True
        if text in ("false", "0", "no", "n"):
            return False
        raise ValueProblem(f"{value!r} is not true or false")
    if kind == "country":
        code = parse_country(str(value))
        if code is None:
            raise ValueProblem(f"{str(value)[:60]!r} is not a country we know")
        return code
    raise ValueError(f"unknown field kind {kind!r}")


def to_python(kind: str, value: Any) -> Any:
    """A canonical value as the ORM column wants it (Decimal, date, datetime…)."""
    if value is None:
        return None
    if kind == "decimal":
        return Decimal(str(value))
    if kind == "date":
        return dt.date.fromisoformat(str(value))
    if kind == "datetime":
        return _datetime(value)
    if kind == "int":
        return int(value)
    return value


def to_remote(kind: str, value: Any, hint: str | None = None) -> Any:
    """A canonical value as sent to a CRM. ``hint`` ``"date"`` sends only the date of a timestamp."""
    if value is None:
        return None
    if hint == "date" and kind in ("datetime", "date"):
        return str(value)[:10]
    if kind == "decimal":
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "country":
        return country_name(str(value)) or str(value)
    return value


def as_text(value: Any) -> str | None:
    """How a canonical value is stored in a conflict row and shown to people."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_text(kind: str, text: str | None) -> Any:
    """The inverse of :func:`as_text` for a field of ``kind`` (the conflict queue's stored values)."""
    if text is None:
        return None
    return canonical(kind, text)
