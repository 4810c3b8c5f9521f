"""``stakeholders ACCOUNT``, ``stakeholders kcir`` and ``import contacts FILE``."""

from __future__ import annotations

import argparse
from typing import Any

from bdr_desk.commands import CliError, open_ws, print_json
from bdr_desk.config import Settings

ERRORS_SHOWN = 20


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def map_json(m: Any, domain: str | None) -> dict[str, Any]:
    return {
        "account": {"id": m.account_id, "name": m.account_name, "domain": domain},
        "segment": m.segment,
        "contacts": [{"id": c.id, "name": c.name, "title": c.title, "email": c.email, "phone": c.phone,
                      "buying_role": c.buying_role, "reports_to": c.reports_to, "reports_to_id": c.reports_to_id,
                      "influence": c.influence, "sentiment": c.sentiment, "coverage_status": c.coverage_status,
                      "seniority": c.seniority, "function": c.function, "owner": c.owner_name,
                      "left_company": c.left_company, "last_touch_at": _iso(c.last_touch_at)} for c in m.contacts],
        "coverage": m.coverage.coverage,
        "missing_roles": list(m.coverage.missing_roles),
        "roles": [{"role": s.role, "label": s.label, "required": s.required, "weight": s.weight,
                   "filled_by": list(s.filled_by)} for s in m.coverage.slots],
        "relationships": [{"id": r.id, "from_id": r.from_id, "to_id": r.to_id, "kind": r.kind, "note": r.note}
                          for r in m.relationships],
        "stale": m.stale,
        "stale_days": m.stale_days,
        "last_touch_at": _iso(m.last_touch_at),
        "cycles_broken": list(m.cycles_broken),
    }


def _print_map(m: Any, domain: str | None) -> None:
    from accounts.stakeholders import ROLE_LABELS

    print(f"{m.account_name}{f' ({domain})' if domain else ''} — buying committee ({m.segment.replace('_', '-')})")
    missing = ", ".join(ROLE_LABELS.get(r, r) for r in m.coverage.missing_roles) or "none"
    print(f"Coverage {m.coverage.coverage:.0%}; missing roles: {missing}")
    if m.stale:
        print(f"Stale map: no activity or research in the last {m.stale_days} days")
    if not m.contacts:
        print("No contacts yet. Import some with `bdr-desk import contacts FILE`.")
        return
    children: dict[int | None, list[Any]] = {}
    for c in m.contacts:
        children.setdefault(c.reports_to_id, []).append(c)

    def show(c: Any, depth: int, seen: set[int]) -> None:
        seen.add(c.id)
        role = ROLE_LABELS.get(c.buying_role or "", "—")
        flags = " [left the company]" if c.left_company else ""
        infl = f"influence {c.influence}" if c.influence else "influence ?"
        print(f"{'  ' * depth}- {c.name}, {c.title or 'no title'} · {role} · {c.sentiment} · {infl}{flags}")
        for k in children.get(c.id, ()):
            if k.id not in seen:
                show(k, depth + 1, seen)

    seen: set[int] = set()
    for c in children.get(None, ()):
        show(c, 0, seen)
    for c in m.contacts:  # anything not reachable from a top (defensive; cycles are broken already)
        if c.id not in seen:
            show(c, 0, seen)
    if m.cycles_broken:
        print(f"Reporting cycle ignored for contacts {', '.join(map(str, m.cycles_broken))}")
    for r in m.relationships:
        names = {c.id: c.name for c in m.contacts}
        print(f"  {names.get(r.from_id, r.from_id)} {'influences' if r.kind == 'influence' else 'conflicts with'} "
              f"{names.get(r.to_id, r.to_id)}{f' ({r.note})' if r.note else ''}")


def cmd_stakeholders(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.models import Account
    from accounts.stakeholders import StakeholderError, resolve_account, stakeholder_map

    if args.account == "kcir":
        return cmd_kcir(args, settings)
    if args.list:
        raise CliError("--list goes with `stakeholders kcir`")
    ws = open_ws(settings)
    try:
        with ws.session() as s:
            try:
                aid = resolve_account(s, args.account)
                m = stakeholder_map(s, aid)
            except StakeholderError as exc:
                raise CliError(str(exc)) from exc
            domain = s.get(Account, aid).domain
    finally:
        ws.dispose()
    if args.json:
        print_json(map_json(m, domain))
    else:
        _print_map(m, domain)
    return 0


def cmd_kcir(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.queries import AccountFilter
    from accounts.stakeholders import key_contact_identification_rate
    from bdr_desk.commands.core import list_id_by_name

    ws = open_ws(settings)
    try:
        with ws.session() as s:
            flt = AccountFilter(list_id=list_id_by_name(s, args.list))
            res = key_contact_identification_rate(s, flt)
    finally:
        ws.dispose()
    if args.json:
        print_json({"accounts": res.accounts, "identified": res.identified, "rate": res.rate})
    elif res.rate is None:
        print("No target accounts" + (f" in {args.list}" if args.list else ""))
    else:
        print(f"Key contact identification rate: {res.rate:.0%} ({res.identified} of {res.accounts} target "
              f"accounts have every required committee role identified)")
    return 0


def cmd_import_contacts(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.contact_importing import ContactImportOptions, guess_contact_mapping, import_contacts
    from bdr_desk.commands.importing import read_with_mapping, run_and_report

    table, mapping = read_with_mapping(args, guess_contact_mapping)
    return run_and_report(args, settings, table, mapping, lambda user_id: ContactImportOptions(
        dry_run=args.dry_run, user_id=user_id, create_accounts=args.create_accounts), import_contacts)


def register(sub: Any) -> None:
    from accounts.contact_mapping import CONTACT_FIELDS

    st = sub.add_parser("stakeholders", help="an account's buying committee; `stakeholders kcir` for the KPI",
                        description="ACCOUNT is an account id or domain; `kcir` prints the key contact "
                        "identification rate instead")
    st.add_argument("account", metavar="ACCOUNT|kcir", help="account id or domain, or `kcir`")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.add_argument("--list", metavar="NAME", help="kcir: only the accounts of this target list")
    st.set_defaults(func=cmd_stakeholders)

    imp = getattr(sub, "import_actions", None)
    if imp is None:
        return
    c = imp.add_parser("contacts", help="import contacts (matched by e-mail, accounts by e-mail domain or name)")
    c.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    c.add_argument("--dry-run", action="store_true", help="report what would happen; change nothing")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--sheet", metavar="NAME", help="XLSX sheet (default: the first)")
    c.add_argument("--create-accounts", action="store_true",
                   help="create the account of a row whose company is not in the workspace")
    c.add_argument("--map", action="append", metavar="HEADER=FIELD",
                   help=f"map a column to a field (repeatable; empty FIELD ignores it); fields: {', '.join(CONTACT_FIELDS)}")
    c.set_defaults(func=cmd_import_contacts)
