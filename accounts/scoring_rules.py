"""ICP rules as plain data: the rule kinds, their validation, and their evaluation in Python.

A rule is a JSON-able dict ``{"id", "label", "kind", "params", "points"}``; a rule set is a list of them plus
tier thresholds ``{"1": 75, "2": 50}`` (score ≥ 75 → tier 1, ≥ 50 → tier 2, else tier 3). Nothing here
touches the database: :mod:`accounts.scoring` fetches rows and the per-account technology/signal sets, and
calls :func:`evaluate` on each.

The score is the sum of the points of the rules that fired, clamped to 0–100. The explanation lists each fired
rule with its points; when the clamp bites, a last ``{"rule": "_clamp"}`` row records the adjustment, so the
explanation always sums to the score.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from accounts.models.account import ABM_STAGES
from accounts.models.research import SIGNAL_KINDS
from bdr_desk.taxonomy import INDUSTRY, SEGMENT_LABELS, SEGMENTS, SIZE_BAND, Taxonomy

KIND_LABELS = {
    "industry": "Industry",
    "employees": "Employees",
    "revenue": "Annual revenue",
    "segment": "Segment",
    "size_band": "Size band",
    "hq_country": "HQ country",
    "hq_region": "HQ region",
    "technology": "Technology present",
    "signal": "Recent signal",
    "abm_stage": "ABM stage",
}
KINDS = tuple(KIND_LABELS)
# the list parameter of each "value in {...}" kind
LIST_PARAM = {"industry": "industries", "segment": "segments", "size_band": "bands", "hq_country": "countries",
              "hq_region": "regions", "technology": "names", "signal": "kinds", "abm_stage": "stages"}
DEFAULT_THRESHOLDS = {"1": 75, "2": 50}
MAX_POINTS = 100
CLAMP_RULE = "_clamp"
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class ScoringError(ValueError):
    """A rule set that cannot be saved or evaluated; the message names the offending rule."""


def default_rules() -> list[dict[str, Any]]:
    """Version 1 of every workspace: a sensible mid-market/enterprise B2B SaaS ICP."""
    return [
        {"id": "target_industry", "label": "Target industry", "kind": "industry", "points": 20,
         "params": {"industries": ["software", "fintech", "banking", "insurance", "healthcare"],
                    "sub_industry_contains": None}},
        {"id": "core_size", "label": "Employees 200–5,000", "kind": "employees", "points": 20,
         "params": {"min": 200, "max": 5000}},
        {"id": "large_size", "label": "Employees 5,001+", "kind": "employees", "points": 10,
         "params": {"min": 5001, "max": None}},
        {"id": "revenue_50m", "label": "Revenue ≥ $50M", "kind": "revenue", "points": 10,
         "params": {"min": 50_000_000, "max": None}},
        {"id": "core_geo", "label": "HQ in US/GB/DE/NL/CA", "kind": "hq_country", "points": 10,
         "params": {"countries": ["US", "GB", "DE", "NL", "CA"]}},
        {"id": "crm_stack", "label": "Uses a CRM / marketing automation", "kind": "technology", "points": 10,
         "params": {"names": ["HubSpot", "Salesforce", "Marketo", "Pardot"]}},
        {"id": "recent_trigger", "label": "Funding or hiring in the last 90 days", "kind": "signal", "points": 15,
         "params": {"kinds": ["funding", "hiring"], "days": 90}},
        {"id": "lost_deal", "label": "Stage: lost", "kind": "abm_stage", "points": -20,
         "params": {"stages": ["lost"]}},
    ]


# ---- validation ------------------------------------------------------------------------------------------

def _name(rule: Mapping[str, Any], index: int) -> str:
    parts = [f"rule {index + 1}"]
    if rule.get("id"):
        parts.append(repr(str(rule["id"])))
    if rule.get("label"):
        parts.append(f"({rule['label']})")
    return " ".join(parts)


def _int(value: Any, what: str, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{what} must be between {lo} and {hi}, not {value}")
    return value


def _amount(value: Any, what: str) -> int | float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number")
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{what} must be zero or more, not {value!r}")
    return int(number) if number == number.to_integral_value() else float(number)


def _range(params: Mapping[str, Any], what: str) -> dict[str, Any]:
    lo, hi = _amount(params.get("min"), f"{what} min"), _amount(params.get("max"), f"{what} max")
    if lo is None and hi is None:
        raise ValueError(f"{what} needs a min, a max or both")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"{what} min {lo:,} is above max {hi:,}")
    return {"min": lo, "max": hi}


def _strings(params: Mapping[str, Any], key: str) -> list[str]:
    values = params.get(key)
    if isinstance(values, str):
        values = [v for v in re.split(r"[,;]", values)]
    if not isinstance(values, list | tuple):
        raise ValueError(f"{key} must be a list")
    out = [str(v).strip() for v in values if str(v).strip()]
    if not out:
        raise ValueError(f"{key} must name at least one value")
    return list(dict.fromkeys(out))


def _subset(values: list[str], allowed: Iterable[str], what: str) -> list[str]:
    allowed = set(allowed)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(repr(u) for u in unknown)}")
    return values


def _params(kind: str, params: Mapping[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    if kind == "industry":
        keys = _subset([v.lower() for v in _strings(params, "industries")], taxonomy.keys(INDUSTRY), "industry")
        sub = str(params.get("sub_industry_contains") or "").strip()
        return {"industries": keys, "sub_industry_contains": sub or None}
    if kind == "employees":
        out = _range(params, "employees")
        return {k: None if v is None else int(v) for k, v in out.items()}
    if kind == "revenue":
        return _range(params, "revenue")
    if kind == "segment":
        return {"segments": _subset([v.lower() for v in _strings(params, "segments")], SEGMENTS, "segment")}
    if kind == "size_band":
        return {"bands": _subset(_strings(params, "bands"), taxonomy.keys(SIZE_BAND), "size band")}
    if kind == "hq_country":
        codes = [v.upper() for v in _strings(params, "countries")]
        bad = [c for c in codes if not _COUNTRY_RE.match(c)]
        if bad:
            raise ValueError(f"countries must be ISO 3166 two-letter codes, not {', '.join(map(repr, bad))}")
        return {"countries": codes}
    if kind == "hq_region":
        return {"regions": _strings(params, "regions")}
    if kind == "technology":
        return {"names": _strings(params, "names")}
    if kind == "signal":
        kinds = _subset([v.lower() for v in _strings(params, "kinds")], SIGNAL_KINDS, "signal kind")
        return {"kinds": kinds, "days": _int(params.get("days"), "days", 1, 3650)}
    if kind == "abm_stage":
        return {"stages": _subset([v.lower() for v in _strings(params, "stages")], ABM_STAGES, "ABM stage")}
    raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")


def validate_rules(rules: Iterable[Mapping[str, Any]], taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Normalized copies of ``rules``; a :class:`ScoringError` naming the first bad rule otherwise."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            raise ScoringError(f"rule {i + 1}: must be an object with id, label, kind, params and points")
        try:
            kind = str(rule.get("kind") or "")
            params = _params(kind, rule.get("params") or {}, taxonomy)
            points = _int(rule.get("points"), "points", -MAX_POINTS, MAX_POINTS)
        except ValueError as exc:
            raise ScoringError(f"{_name(rule, i)}: {exc}") from None
        rid = str(rule.get("id") or "").strip() or f"{kind}_{i + 1}"
        if rid in seen:
            raise ScoringError(f"{_name(rule, i)}: duplicate rule id {rid!r}")
        seen.add(rid)
        label = str(rule.get("label") or "").strip() or describe(kind, params, taxonomy)
        out.append({"id": rid, "label": label[:200], "kind": kind, "params": params, "points": points})
    return out


def validate_thresholds(thresholds: Mapping[str, Any]) -> dict[str, int]:
    try:
        t1 = _int(thresholds.get("1"), "tier 1 threshold", 0, 100)
        t2 = _int(thresholds.get("2"), "tier 2 threshold", 0, 100)
    except (ValueError, AttributeError) as exc:
        raise ScoringError(f"tier thresholds: {exc}") from None
    if t2 > t1:
        raise ScoringError(f"tier thresholds: tier 2 ({t2}) must not be above tier 1 ({t1})")
    return {"1": t1, "2": t2}


def tier_for(score: int, thresholds: Mapping[str, Any]) -> int:
    if score >= int(thresholds["1"]):
        return 1
    if score >= int(thresholds["2"]):
        return 2
    return 3


def describe(kind: str, params: Mapping[str, Any], taxonomy: Taxonomy | None = None) -> str:
    """A short human reading of a rule's condition ("Industry in Fintech, Banking")."""
    def names(values: Iterable[str], label: Callable[[str], str] = str) -> str:
        return ", ".join(label(v) for v in values)

    def span(p: Mapping[str, Any], money: bool = False) -> str:
        fmt = (lambda v: f"${v:,.0f}") if money else (lambda v: f"{v:,}")
        lo, hi = p.get("min"), p.get("max")
        if lo is not None and hi is not None:
            return f"{fmt(lo)}–{fmt(hi)}"
        return f"≥ {fmt(lo)}" if lo is not None else f"≤ {fmt(hi)}"

    tax = taxonomy or Taxonomy()
    if kind == "industry":
        text = f"Industry in {names(params.get('industries', []), lambda k: tax.label(INDUSTRY, k))}"
        sub = params.get("sub_industry_contains")
        return f"{text}, sub-industry contains “{sub}”" if sub else text
    if kind == "employees":
        return f"Employees {span(params)}"
    if kind == "revenue":
        return f"Revenue {span(params, money=True)}"
    if kind == "segment":
        return f"Segment in {names(params.get('segments', []), lambda k: SEGMENT_LABELS.get(k, k))}"
    if kind == "size_band":
        return f"Size band in {names(params.get('bands', []), lambda k: tax.label(SIZE_BAND, k))}"
    if kind == "technology":
        return f"Uses {names(params.get('names', []))}"
    if kind == "signal":
        kinds = names(params.get("kinds", []), lambda k: k.replace("_", " "))
        return f"{kinds[:1].upper()}{kinds[1:]} signal within {params.get('days')} days"
    if kind in LIST_PARAM:
        return f"{KIND_LABELS[kind]} in {names(params.get(LIST_PARAM[kind], []))}"
    return kind


# ---- evaluation -------------------------------------------------------------------------------------------

Test = Callable[[Any, frozenset[str], Mapping[str, dt.date]], bool]
_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CompiledRule:
    id: str
    label: str
    points: int
    test: Test  # (account row, its technology names lower-cased, {signal kind: latest date}) -> fired


@dataclass(frozen=True)
class Compiled:
    rules: tuple[CompiledRule, ...]
    thresholds: dict[str, int]
    technologies: frozenset[str]  # lower-cased names any rule asks about
    signal_kinds: frozenset[str]


def _between(lo: Any, hi: Any) -> Callable[[Any], bool]:
    lo = None if lo is None else Decimal(str(lo))
    hi = None if hi is None else Decimal(str(hi))

    def inside(value: Any) -> bool:
        if value is None:
            return False
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        return (lo is None or value >= lo) and (hi is None or value <= hi)
    return inside


def _test(kind: str, p: Mapping[str, Any], today: dt.date) -> Test:
    if kind == "industry":
        keys, sub = frozenset(p["industries"]), (p.get("sub_industry_contains") or "").lower()
        if sub:
            return lambda r, t, s: r.industry in keys and sub in (r.sub_industry or "").lower()
        return lambda r, t, s: r.industry in keys
    if kind == "employees":
        lo, hi = p.get("min"), p.get("max")
        lo = -1 if lo is None else lo
        hi = float("inf") if hi is None else hi
        return lambda r, t, s: r.employees is not None and lo <= r.employees <= hi
    if kind == "revenue":
        inside = _between(p.get("min"), p.get("max"))
        return lambda r, t, s: inside(r.annual_revenue)
    if kind == "segment":
        segs = frozenset(p["segments"])
        return lambda r, t, s: r.segment in segs
    if kind == "size_band":
        bands = frozenset(p["bands"])
        return lambda r, t, s: r.size_band in bands
    if kind == "hq_country":
        codes = frozenset(c.upper() for c in p["countries"])
        return lambda r, t, s: (r.hq_country or "").upper() in codes
    if kind == "hq_region":
        regions = frozenset(v.strip().lower() for v in p["regions"])
        return lambda r, t, s: (r.hq_region or "").strip().lower() in regions
    if kind == "technology":
        names = frozenset(n.lower() for n in p["names"])
        return lambda r, t, s: not names.isdisjoint(t)
    if kind == "signal":
        kinds, since = tuple(p["kinds"]), today - dt.timedelta(days=int(p["days"]))

        def recent(r: Any, t: frozenset[str], s: Mapping[str, dt.date]) -> bool:
            return any((d := s.get(k)) is not None and d >= since for k in kinds)
        return recent
    if kind == "abm_stage":
        stages = frozenset(p["stages"])
        return lambda r, t, s: r.abm_stage in stages
    raise ScoringError(f"unknown rule kind {kind!r}")


def compile_rules(rules: Iterable[Mapping[str, Any]], thresholds: Mapping[str, Any],
                  today: dt.date | None = None) -> Compiled:
    """Turn validated rule dicts into closures (done once per rescoring, not once per account)."""
    today = today or dt.datetime.now(dt.UTC).date()
    compiled, techs, kinds = [], set(), set()
    for r in rules:
        compiled.append(CompiledRule(r["id"], r["label"], int(r["points"]), _test(r["kind"], r["params"], today)))
        if r["kind"] == "technology":
            techs.update(n.lower() for n in r["params"]["names"])
        elif r["kind"] == "signal":
            kinds.update(r["params"]["kinds"])
    return Compiled(tuple(compiled), {k: int(v) for k, v in thresholds.items()}, frozenset(techs),
                    frozenset(kinds))


@dataclass(frozen=True)
class Evaluation:
    score: int
    explanation: list[dict[str, Any]]
    suggested_tier: int


def evaluate(compiled: Compiled, row: Any, technologies: frozenset[str] = _EMPTY,
             signals: Mapping[str, dt.date] | None = None) -> Evaluation:
    """Score one account row (anything with the Account column attributes)."""
    sig = signals or {}
    fired = [{"rule": r.id, "label": r.label, "points": r.points}
             for r in compiled.rules if r.test(row, technologies, sig)]
    total = sum(f["points"] for f in fired)
    score = min(MAX_POINTS, max(0, total))
    if score != total:
        fired.append({"rule": CLAMP_RULE, "label": "Capped at 100" if total > MAX_POINTS else "Floored at 0",
                      "points": score - total})
    return Evaluation(score, fired, tier_for(score, compiled.thresholds))
