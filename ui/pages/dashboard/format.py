"""How the dashboard writes numbers: counts, shares, compact amounts with the currency, and deltas."""

from __future__ import annotations

from decimal import Decimal

from bdr_desk.kpi.report import currency_symbol

UP, DOWN, FLAT = "#047857", "#b91c1c", "#64748b"


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 meeting``, ``3 meetings``, ``1 opportunity``, ``2 opportunities``."""
    if n == 1:
        return f"1 {word}"
    return f"{n:,} {words or (word[:-1] + 'ies' if word.endswith('y') else word + 's')}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def compact(value: float) -> str:
    v = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            digits = 2 if abs(v) < limit * 10 else 1 if abs(v) < limit * 100 else 0
            return f"{v / limit:.{digits}f}".rstrip("0").rstrip(".") + suffix
    return f"{v:,.0f}"


def money(value: Decimal | float | None, currency: str | None) -> str:
    """``$1.06M``; an unknown or mixed currency gets its code (or nothing) after the number."""
    if value is None:
        return "—"
    symbol = currency_symbol(currency)
    if symbol:
        return ("-" if value < 0 else "") + symbol + compact(abs(float(value)))
    return compact(float(value)) + (f" {currency}" if currency else "")


def delta(kind: str, value: object, previous: object) -> tuple[str, str]:
    """(text, colour) of the change against the previous period: counts in units, amounts in per cent,
    shares in points. Empty text when there is nothing to compare."""
    if previous is None or value is None:
        return "", FLAT
    if kind == "percent":
        diff = (float(value) - float(previous)) * 100  # type: ignore[arg-type]
        text = f"{abs(diff):.0f} pt" + ("" if round(abs(diff)) == 1 else "s")
    elif kind == "money":
        if not previous:
            return ("new", UP) if value else ("", FLAT)
        diff = (float(value) - float(previous)) / float(previous) * 100  # type: ignore[arg-type]
        text = f"{abs(diff):.0f}%"
    else:
        diff = float(value) - float(previous)  # type: ignore[arg-type]
        text = f"{abs(diff):,.0f}"
    if round(diff) == 0:
        return "no change", FLAT
    return ("▲ " if diff > 0 else "▼ ") + text, UP if diff > 0 else DOWN
