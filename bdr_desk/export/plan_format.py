"""Formatting shared by every account-plan format: dates, money, labels, safe links, file names, colours.

Qt-free and query-free: the block builder (:mod:`bdr_desk.export.plan_blocks`) and the renderers use these
so a date or an amount reads the same in the PDF, the DOCX, the Markdown and the HTML plan.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from urllib.parse import urlsplit

DASH = "—"
LINK_SCHEMES = ("http", "https", "mailto")
CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}

# one palette for every format (the app's stylesheet colours)
ACCENT = "#1d4ed8"
INK = "#0f172a"
MUTED = "#64748b"
RULE = "#e2e8f0"
HEAD_FILL = "#f1f5f9"
CALLOUT_FILL = "#eff6ff"
CALLOUT_RULE = "#bfdbfe"
WARN = "#b45309"

_SPELLED = {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "đ": "d", "ł": "l",
            "Ł": "L", "þ": "th", "&": " and "}
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


def humanize(key: str | None) -> str:
    """``left_voicemail`` → ``Left voicemail``; empty → a dash."""
    if not key:
        return DASH
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    """``4 Dec 2026`` (with no-break spaces); datetimes are shown by their UTC date."""
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        value = (value.astimezone(dt.UTC) if value.tzinfo else value).date()
    return f"{value.day}\u00a0{value:%b}\u00a0{value.year}"  # no-break spaces: a date never wraps in a table


def fmt_int(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


def fmt_money(amount: Decimal | float | int | None, currency: str | None = "USD") -> str:
    """``$240,000``, ``€1.2M`` style is avoided: plans show the whole amount."""
    if amount is None:
        return DASH
    code = (currency or "USD").upper()
    sign = CURRENCY_SIGNS.get(code)
    number = f"{Decimal(amount):,.0f}"
    return f"{sign}{number}" if sign else f"{number} {code}"


def fmt_pct(fraction: float | None) -> str:
    return DASH if fraction is None else f"{round(float(fraction) * 100)}%"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) or mailto link, else None (never ``javascript:``, never relative)."""
    text = (url or "").strip()
    if not text or any(c in text for c in "\r\n\t\x00"):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return text


def short_url(url: str | None, limit: int = 48) -> str:
    """``www.acme.com/news/x`` for display (scheme dropped, long paths elided)."""
    text = safe_url(url)
    if not text:
        return DASH
    parts = urlsplit(text)
    shown = (parts.netloc + parts.path).rstrip("/") or text
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def slug(text: str, limit: int = 80) -> str:
    """A lower-case ASCII file-name stem: ``Wicklow & Pine Outfitters`` → ``wicklow-pine-outfitters``."""
    spelled = "".join(_SPELLED.get(c, c) for c in (text or ""))
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
    if stem in _WINDOWS_RESERVED:
        stem += "-plan"
    return stem


def unique_file_name(stem: str, suffix: str, taken: set[str], fallback: str) -> str:
    """``stem.suffix``, or ``stem-2.suffix`` … when taken (compared case-insensitively); records the name."""
    base = stem or fallback
    name, n = f"{base}{suffix}", 1
    while name.casefold() in taken:
        n += 1
        name = f"{base}-{n}{suffix}"
    taken.add(name.casefold())
    return name


def fit(width: float, height: float, max_width: float, max_height: float) -> tuple[int, int]:
    """``width × height`` scaled down (never up) to fit ``max_width × max_height``, keeping the aspect."""
    if width <= 0 or height <= 0:
        return 0, 0
    k = min(1.0, max_width / width, max_height / height)
    return max(1, round(width * k)), max(1, round(height * k))
