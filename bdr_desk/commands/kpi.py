"""``kpi``: the shared dashboard's numbers (BDR KPIs, the funnel, by source, per BDR, content influence) for a
period and scope; ``kpi --drill METRIC [--key K]`` lists the records behind one number."""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal
from typing import Any

from bdr_desk.commands import CliError, open_ws, print_json
from bdr_desk.config import Settings


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.0%}"


def _money(v: Decimal | None, currency: str | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" + (f" {currency}" if currency else "")


def cmd_kpi(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.kpi import KpiFilterError, drill, kpi_report, resolve_filter

    today = None
    if args.as_of:
        try:
            today = dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise CliError(f"--as-of {args.as_of!r} is not a date; write it as YYYY-MM-DD") from None
    ws = open_ws(settings)
    try:
        with ws.session() as s:
            try:
                flt = resolve_filter(s, period=args.period, start=args.start, end=args.end, owner=args.owner,
                                     list_name=args.list, segment=args.segment, source=args.source, today=today,
                                     no_touch_days=args.no_touch_days)
                if args.drill:
                    result = drill(s, flt, args.drill, _key(args.drill, args.key), limit=args.limit)
                else:
                    report = kpi_report(s, flt)
            except KpiFilterError as exc:
                raise CliError(str(exc)) from exc
    finally:
        ws.dispose()
    if args.drill:
        if args.json:
            print_json(result.as_json())
        else:
            _print_drill(result)
        return 0
    if args.json:
        print_json(report.as_json())
    else:
        _print_report(report)
    return 0


def _key(metric: str, key: str | None) -> Any:
    if key is None:
        return None
    return int(key) if metric.startswith(("bdr_", "content_")) and key.lstrip("-").isdigit() else key


def _print_report(r: Any) -> None:
    cur = r.currency
    scope = [f"period {r.period.label}"]
    if r.owner_name:
        scope.append(f"owner {r.owner_name}")
    if r.list_name:
        scope.append(f"list {r.list_name}")
    if r.filter.segment:
        scope.append(f"segment {r.labels.get('segment') or r.filter.segment}")
    if r.filter.source:
        scope.append(f"source {r.filter.source}")
    print(f"KPIs as of {r.filter.today.isoformat()} · " + " · ".join(scope))
    if not r.workspace_accounts:
        print("The workspace has no accounts yet: import some with `bdr-desk import accounts FILE`.")
        return
    a, c = r.accounts, r.current
    lines = [
        ("Target accounts", f"{a.target_accounts:,} ({a.tier1_accounts:,} tier 1)"),
        (f"No touch in {r.filter.no_touch_days} days", f"{a.no_touch_accounts:,}"),
        ("Key contact identification", f"{_pct(a.key_contact_identification_rate)} "
                                        f"({a.key_contact_accounts:,} of {a.target_accounts:,})"),
        ("First meetings set / held", f"{c.first_meetings:,} / {c.first_meetings_held:,}"),
        ("Meetings booked / held", f"{c.meetings_booked:,} / {c.meetings_held:,}"),
        ("Qualified opportunities", f"{c.qualified_opportunities:,} of {c.opportunities_created:,} created"),
        ("Pipeline created", _money(c.pipeline_created, cur)),
        ("Open pipeline", f"{_money(a.pipeline_amount, cur)} ({a.open_opportunities:,} open)"),
        ("Win rate", f"{_pct(c.win_rate)} ({c.closed_won:,} won, {c.closed_lost:,} lost)"),
        ("Average enterprise deal", _money(c.avg_enterprise_deal_size, cur)),
    ]
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        print(f"  {k:<{width}}  {v}")
    print("\nFunnel (contacts created in the period, by the furthest stage reached)")
    for row in r.funnel:
        conv = "" if row.conversion_from_previous is None else f"  {_pct(row.conversion_from_previous):>5} from previous"
        print(f"  {row.label:<12} {row.count:>8,}{conv}")
    print(f"  {r.diagnosis}")
    if r.by_source:
        print("\nBy lead source")
        for s in r.by_source:
            weak = s.weakest
            w = f"weakest {weak[0].label} → {weak[1].label}" if weak else ""
            print(f"  {s.label:<16} {s.leads:>6,} leads  {s.funnel[-1].count:>5,} won  "
                  f"{s.opportunities:>4,} opps  {_money(s.pipeline, cur):>14}  {w}")
    if r.by_bdr:
        print("\nActivity vs outcome per BDR")
        for b in r.by_bdr:
            print(f"  {b.name:<22} {b.touches:>6,} touches  {b.connects:>5,} connects  "
                  f"{b.meetings_booked:>4,} meetings  {b.opportunities:>4,} opps")
    if r.content.items:
        print("\nContent influence (opportunities on accounts where the item was used)")
        for item in r.content.items[:10]:
            print(f"  {item.title[:48]:<48} {item.opportunities:>4,} opps  {_money(item.pipeline, cur):>14}")


def _print_drill(d: Any) -> None:
    print(f"{d.title}: {d.total:,} {d.kind}" + (f" (first {len(d.rows):,})" if len(d.rows) < d.total else ""))
    for row in d.rows:
        if d.kind == "accounts":
            print(f"  {row.id:>7}  {row.name[:40]:<40} {row.stage:<14} {row.detail or ''}")
        elif d.kind == "contacts":
            print(f"  {row.id:>7}  {row.name[:30]:<30} {row.account[:30]:<30} {row.stage or '':<12} {row.source}")
        elif d.kind == "activities":
            print(f"  {row.id:>7}  {row.occurred_at:%Y-%m-%d}  {row.type:<9} {row.outcome or '':<16} "
                  f"{row.account[:30]}")
        else:
            amount = "" if row.amount is None else f"{row.amount:,.0f} {row.currency}"
            print(f"  {row.id:>7}  {row.name[:40]:<40} {row.stage:<13} {amount:>16}  {row.account[:30]}")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "kpi", help="the dashboard's KPIs, funnel and breakdowns (JSON with --json)",
        description="BDR KPIs, the lead → closed-won funnel, by lead source, activity vs outcome per BDR and "
                    "content influence, for a period and scope. --drill lists the records behind one number.")
    p.add_argument("--period", metavar="PERIOD",
                   help="2026-Q4, 2026-11, 2026, last-90-days (default), this-quarter, last-quarter, this-month, "
                        "last-month, all, or 2026-10-01..2026-12-31")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day of an explicit period")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day of an explicit period (default today)")
    p.add_argument("--owner", metavar="NAME", help="only the accounts this user owns (name, e-mail or id)")
    p.add_argument("--list", metavar="NAME", help="only the accounts of this target list")
    p.add_argument("--segment", metavar="SEGMENT", help="smb, mid_market or enterprise")
    p.add_argument("--source", metavar="SOURCE", help="a lead source (paid, organic, webinar, whitepaper, outbound…)")
    p.add_argument("--no-touch-days", type=int, default=30, metavar="N",
                   help="'no touch' means no activity in this many days (default 30)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="count as if today were this day")
    p.add_argument("--drill", metavar="METRIC", help="list the records behind a number (e.g. first_meetings, "
                   "funnel, win_rate, bdr_calls, content_influence)")
    p.add_argument("--key", metavar="KEY", help="--drill: a funnel stage, a user id or a content item id")
    p.add_argument("--limit", type=int, default=200, metavar="N", help="--drill: list at most N records")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_kpi)
