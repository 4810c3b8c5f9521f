"""What the dashboard looks at: a period (a quarter, a month, the last N days, explicit dates, all time) and
the scope (owner, target list, segment, lead source), parsed from what people type and checked against the
workspace. Plain data; the SQL that applies a filter lives in :mod:`bdr_desk.kpi.scope`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from accounts.models import Contact, Opportunity, TargetList
from bdr_desk.taxonomy import SEGMENT_LABELS, SEGMENTS
from bdr_desk.users import User

NO_TOUCH_DAYS = 30
DEFAULT_PERIOD = "last-90-days"
MAX_DAYS = 3660
UNKNOWN_SOURCE = "unknown"
SOURCE_LABELS = {
    "paid": "Paid", "organic": "Organic", "webinar": "Webinar", "whitepaper": "Whitepaper",
    "outbound": "Outbound", "event": "Event", "referral": "Referral", "partner": "Partner",
    UNKNOWN_SOURCE: "Unknown source",
}
PERIOD_HELP = ("2026-Q4, 2026-11, 2026, last-90-days, this-quarter, last-quarter, this-month, last-month, "
               "this-year, all, or 2026-10-01..2026-12-31")


class KpiFilterError(ValueError):
    """A period, owner, list, segment or source that does not exist; the message is one line."""


def source_label(key: str | None) -> str:
    key = key or UNKNOWN_SOURCE
    return SOURCE_LABELS.get(key, key.replace("_", " ").capitalize())


def normalize_source(text: str) -> str:
    """The key lead sources are grouped by: lower-cased, trimmed (``" Webinar"`` → ``"webinar"``)."""
    return text.strip().lower() or UNKNOWN_SOURCE


# ---- periods -------------------------------------------------------------------------------------------------

def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def fmt_range(start: dt.date, end: dt.date) -> str:
    if start.year == end.year:
        return f"{start.day} {start:%b} – {_fmt(end)}" if start != end else _fmt(end)
    return f"{_fmt(start)} – {_fmt(end)}"


@dataclass(frozen=True)
class Period:
    """Days ``start``..``end``, both included; ``None`` on both sides for all time."""

    kind: str  # quarter, month, year, days, range, all
    start: dt.date | None
    end: dt.date | None
    key: str  # the canonical spelling, parsed back by :func:`parse_period`
    label: str

    @property
    def days(self) -> int | None:
        return None if self.start is None or self.end is None else (self.end - self.start).days + 1

    def in_progress(self, today: dt.date) -> bool:
        return self.start is not None and self.end is not None and self.start <= today < self.end

    def previous(self, today: dt.date) -> Period | None:
        """The period to compare with: the one before (previous quarter, month, year, or as many days just
        before). While this period is still running, only as many days of the previous one as have passed."""
        if self.start is None or self.end is None:
            return None
        if self.kind == "quarter":
            start, end = _add_months(self.start, -3), self.start - dt.timedelta(days=1)
        elif self.kind == "month":
            start, end = _add_months(self.start, -1), self.start - dt.timedelta(days=1)
        elif self.kind == "year":
            start, end = dt.date(self.start.year - 1, 1, 1), dt.date(self.start.year - 1, 12, 31)
        else:
            days = self.days or 1
            start, end = self.start - dt.timedelta(days=days), self.start - dt.timedelta(days=1)
        if self.in_progress(today):
            end = min(end, start + (today - self.start))
        return Period("range", start, end, f"{start.isoformat()}..{end.isoformat()}", fmt_range(start, end))

    def as_json(self) -> dict[str, object]:
        return {"key": self.key, "label": self.label, "start": self.start and self.start.isoformat(),
                "end": self.end and self.end.isoformat()}


ALL_TIME = Period("all", None, None, "all", "All time")


def quarter(year: int, q: int) -> Period:
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = _add_months(start, 3) - dt.timedelta(days=1)
    return Period("quarter", start, end, f"{year}-Q{q}", f"Q{q} {year}")


def month(year: int, m: int) -> Period:
    start = dt.date(year, m, 1)
    end = _add_months(start, 1) - dt.timedelta(days=1)
    return Period("month", start, end, f"{year}-{m:02d}", f"{start:%B %Y}")


def year_period(year: int) -> Period:
    return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31), str(year), str(year))


def last_days(days: int, today: dt.date) -> Period:
    if not 1 <= days <= MAX_DAYS:
        raise KpiFilterError(f"the last {days} days: choose from 1 to {MAX_DAYS} days")
    return Period("days", today - dt.timedelta(days=days - 1), today, f"last-{days}-days", f"Last {days} days")


def date_range(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise KpiFilterError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return Period("range", start, end, f"{start.isoformat()}..{end.isoformat()}", fmt_range(start, end))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise KpiFilterError(f"{text.strip()!r} is not a date; write it as YYYY-MM-DD") from None


_QUARTER = re.compile(r"^(\d{4})-?q(\d)$")
_QUARTER_FIRST = re.compile(r"^q(\d)[- ]?(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAYS = re.compile(r"^(?:last[- ]?)?(\d+)(?:[- ]?d(?:ays?)?)?$")


def parse_period(text: str | None, today: dt.date) -> Period:
    """``2026-Q4``, ``2026-11``, ``2026``, ``last-90-days`` (``90d``, ``last 90 days``), ``this-quarter``,
    ``last-quarter``, ``this-month``, ``last-month``, ``this-year``, ``last-year``, ``all``, or
    ``2026-10-01..2026-12-31``."""
    raw = (text or DEFAULT_PERIOD).strip()
    s = raw.lower().replace("_", "-")
    named = {
        "this-quarter": lambda: parse_period(_quarter_key(_quarter_start(today)), today),
        "last-quarter": lambda: parse_period(_quarter_key(_add_months(_quarter_start(today), -3)), today),
        "this-month": lambda: month(today.year, today.month),
        "last-month": lambda: month(*_ym(_add_months(today.replace(day=1), -1))),
        "this-year": lambda: year_period(today.year), "ytd": lambda: year_period(today.year),
        "last-year": lambda: year_period(today.year - 1),
        "all": lambda: ALL_TIME, "all-time": lambda: ALL_TIME,
    }
    if s.replace(" ", "-") in named:
        return named[s.replace(" ", "-")]()
    if ".." in s:
        lo, hi = s.split("..", 1)
        return date_range(_date(lo), _date(hi))
    if m := _QUARTER.match(s) or _QUARTER_FIRST.match(s):
        year, q = (int(m[1]), int(m[2])) if m.re is _QUARTER else (int(m[2]), int(m[1]))
        if not 1 <= q <= 4:
            raise KpiFilterError(f"unknown period {raw!r}: quarters run from Q1 to Q4 (e.g. {today.year}-Q4)")
        return quarter(year, q)
    if m := _MONTH.match(s):
        if not 1 <= int(m[2]) <= 12:
            raise KpiFilterError(f"unknown period {raw!r}: months run from 01 to 12 (e.g. {today.year}-11)")
        return month(int(m[1]), int(m[2]))
    if re.fullmatch(r"\d{4}", s):
        return year_period(int(s))
    if (m := _DAYS.match(s)) and s != m[1]:  # a bare number is a year above, never "days"
        return last_days(int(m[1]), today)
    raise KpiFilterError(f"unknown period {raw!r}; use {PERIOD_HELP}")


def _quarter_key(start: dt.date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _ym(day: dt.date) -> tuple[int, int]:
    return day.year, day.month


# ---- the filter ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KpiFilter:
    """One dashboard view. ``today`` is the "as of" day of the account snapshot (target accounts, no touch,
    open pipeline); the period bounds the flows (meetings, opportunities, closed deals, new contacts)."""

    today: dt.date
    period: Period
    owner_id: int | None = None
    list_id: int | None = None
    segment: str | None = None
    source: str | None = None  # a normalized lead-source key (see normalize_source)
    no_touch_days: int = NO_TOUCH_DAYS

    @classmethod
    def of(cls, period: str | Period | None = None, today: dt.date | None = None, **scope: object) -> KpiFilter:
        today = today or dt.datetime.now(dt.UTC).date()
        p = period if isinstance(period, Period) else parse_period(period, today)
        return cls(today=today, period=p, **scope)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> KpiFilter:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def previous(self) -> Period | None:
        return self.period.previous(self.today)

    @property
    def account_scoped(self) -> bool:
        """Whether anything narrows the accounts (the lead source narrows them too: see the scope)."""
        return any(v is not None for v in (self.owner_id, self.list_id, self.segment, self.source))


@dataclass(frozen=True)
class Choice:
    key: str | int
    label: str


@dataclass(frozen=True)
class FilterOptions:
    """What the filter bar offers: users, target lists, segments and the lead sources in the data."""

    owners: list[Choice]
    lists: list[Choice]
    segments: list[Choice]
    sources: list[Choice]


def lead_sources(session: Session) -> list[str]:
    """The normalized lead sources on contacts and opportunities (a DISTINCT over each; no row loop)."""
    from bdr_desk.kpi.scope import source_key

    stmt = union(select(source_key(Contact.lead_source)), select(source_key(Opportunity.lead_source)))
    keys = {k for (k,) in session.execute(stmt)}
    return sorted(keys, key=lambda k: (k == UNKNOWN_SOURCE, source_label(k).lower()))


def filter_options(session: Session) -> FilterOptions:
    owners = [Choice(i, n) for i, n in session.execute(select(User.id, User.name).order_by(User.name, User.id))]
    lists = [Choice(i, n) for i, n in session.execute(
        select(TargetList.id, TargetList.name).order_by(func.lower(TargetList.name), TargetList.id))]
    return FilterOptions(owners, lists, [Choice(s, SEGMENT_LABELS[s]) for s in SEGMENTS],
                         [Choice(k, source_label(k)) for k in lead_sources(session)])


def _one(kind: str, text: str, rows: list[tuple[int, str]], extra: str = "") -> int:
    """The id whose name is ``text`` (case-insensitive; else the one name containing it), or an error."""
    want = text.strip().casefold()
    if want.isdigit() and any(i == int(want) for i, _ in rows):
        return int(want)
    exact = [i for i, n in rows if n.casefold() == want]
    if len(exact) == 1:
        return exact[0]
    near = [(i, n) for i, n in rows if want and want in n.casefold()]
    if len(exact) > 1 or len(near) > 1:
        names = ", ".join(sorted({n for i, n in rows if (i, n) in near or i in exact}))
        raise KpiFilterError(f"{kind} {text!r} matches more than one: {names}")
    if near:
        return near[0][0]
    known = ", ".join(n for _, n in rows[:12]) + (" …" if len(rows) > 12 else "")
    raise KpiFilterError(f"unknown {kind} {text!r}" + (f"; {extra or kind + 's'}: {known}" if rows else ""))


def resolve_filter(session: Session, *, period: str | Period | None = None, start: str | dt.date | None = None,
                   end: str | dt.date | None = None, owner: str | int | None = None, list_name: str | None = None,
                   segment: str | None = None, source: str | None = None, today: dt.date | None = None,
                   no_touch_days: int = NO_TOUCH_DAYS) -> KpiFilter:
    """A :class:`KpiFilter` from names as people type them (CLI): raises :class:`KpiFilterError`."""
    today = today or dt.datetime.now(dt.UTC).date()
    if start is not None or end is not None:
        if period is not None:
            raise KpiFilterError("give either a period or --from/--to dates, not both")
        lo = start if isinstance(start, dt.date) else _date(start) if start else None
        hi = end if isinstance(end, dt.date) else _date(end) if end else today
        if lo is None:
            raise KpiFilterError("--to needs --from: the period needs a first day")
        p = date_range(lo, hi)
    else:
        p = period if isinstance(period, Period) else parse_period(period, today)
    if not 1 <= no_touch_days <= MAX_DAYS:
        raise KpiFilterError(f"no touch in {no_touch_days} days: choose from 1 to {MAX_DAYS} days")
    owner_id = list_id = None
    if owner is not None and str(owner).strip():
        users = [(i, n) for i, n in session.execute(select(User.id, User.name).order_by(User.name))]
        emails = {e.casefold(): i for i, e in session.execute(select(User.id, User.email))}
        owner_id = emails.get(str(owner).strip().casefold()) or _one("owner", str(owner), users, "users")
    if list_name is not None and list_name.strip():
        lists = [(i, n) for i, n in session.execute(select(TargetList.id, TargetList.name).order_by(TargetList.name))]
        list_id = _one("list", list_name, lists, "target lists")
    seg = None
    if segment is not None and segment.strip():
        key = segment.strip().lower().replace("-", "_").replace(" ", "_")
        by_label = {v.lower().replace("-", "_").replace(" ", "_"): k for k, v in SEGMENT_LABELS.items()}
        seg = key if key in SEGMENTS else by_label.get(key)
        if seg is None:
            raise KpiFilterError(f"unknown segment {segment!r}; use {', '.join(SEGMENTS)}")
    src = None
    if source is not None and source.strip():
        src = normalize_source(source)
        known = lead_sources(session)
        if src not in known:
            raise KpiFilterError(f"unknown lead source {source!r}; sources in this workspace: "
                                 + (", ".join(known) or "none yet"))
    return KpiFilter(today=today, period=p, owner_id=owner_id, list_id=list_id, segment=seg, source=src,
                     no_touch_days=no_touch_days)
