"""``gui``, ``demo``, ``db upgrade`` and ``accounts list``."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from bdr_desk.commands import CliError, Parser, open_ws, print_json
from bdr_desk.config import Settings
from bdr_desk.db import current_revision, safe_url


def cmd_gui(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.app import run_gui

    return run_gui(settings, demo=args.demo)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.demo import DemoError, seed_demo
    from bdr_desk.jobs import run_inline

    ws = open_ws(settings)
    try:
        def job(progress, cancel):
            with ws.session() as session:
                return seed_demo(session, progress=progress, cancel=cancel)
        try:
            summary = run_inline(job)
        except DemoError as exc:
            raise CliError(str(exc)) from exc
    finally:
        ws.dispose()
    if args.json:
        print_json(asdict(summary))
    else:
        print(f"Demo workspace seeded into {safe_url(settings.database_url)}: {summary}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    ws = open_ws(settings)
    rev = current_revision(ws.engine)
    ws.dispose()
    print(f"{safe_url(settings.database_url)} is at schema revision {rev}")
    return 0


def list_id_by_name(session: Any, name: str | None) -> int | None:
    """The id of the target list called ``name`` (case-insensitive); a CliError when there is none."""
    if not name:
        return None
    from sqlalchemy import func, select

    from accounts.models import TargetList

    found = session.scalar(select(TargetList.id).where(func.lower(TargetList.name) == name.strip().lower()))
    if found is None:
        raise CliError(f"no target list named {name!r}")
    return found


def filter_from_args(session: Any, args: argparse.Namespace) -> Any:
    """The accounts filter given by ``--search``, ``--industry``, ``--tier``, ``--stage`` and ``--list``."""
    from accounts.queries import AccountFilter

    return AccountFilter(text=args.search or "", industries=tuple(args.industry or ()),
                         tiers=tuple(args.tier or ()), stages=tuple(args.stage or ()),
                         list_id=list_id_by_name(session, args.list))


def cmd_accounts_list(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.queries import AccountSort, count_accounts, page_accounts

    try:
        sort = AccountSort(args.sort.lstrip("-"), args.desc or args.sort.startswith("-"))
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    ws = open_ws(settings)
    try:
        with ws.session() as session:
            flt = filter_from_args(session, args)
            total = count_accounts(session, flt)
            rows = page_accounts(session, flt, sort, 0, args.limit or max(total, 1))
    finally:
        ws.dispose()
    if args.json:
        print_json([r.as_json() for r in rows])
        return 0
    if not rows:
        print("No accounts match. Import some with `bdr-desk import accounts FILE` or try `bdr-desk demo`.")
        return 0
    print(f"{'ID':>6}  {'Name':<34} {'Domain':<30} {'Industry':<18} {'Tier':<4} {'ICP':>3}  {'Stage':<15} Owner")
    for r in rows:
        print(f"{r.id:>6}  {r.name[:34]:<34} {(r.domain or '')[:30]:<30} {(r.industry or '')[:18]:<18} "
              f"{r.tier or '':<4} {'' if r.icp_score is None else r.icp_score:>3}  {r.stage:<15} {r.owner or ''}")
    print(f"{len(rows)} of {total} accounts")
    return 0


def register(sub: Any) -> None:
    g = sub.add_parser("gui", help="open the desktop app (the default)")
    g.set_defaults(func=cmd_gui)

    d = sub.add_parser("demo", help="seed the demo workspace into an empty --db")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="workspace database maintenance")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True, parser_class=Parser)
    dbsub.add_parser("upgrade", help="upgrade the schema to the latest revision").set_defaults(func=cmd_db_upgrade)

    acc = sub.add_parser("accounts", help="target accounts")
    accsub = acc.add_subparsers(dest="accounts_command", metavar="ACTION", required=True, parser_class=Parser)
    ls = accsub.add_parser("list", help="list accounts (filtered and sorted in the database)")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.add_argument("--list", metavar="NAME", help="only the accounts of this target list")
    ls.add_argument("--search", metavar="TEXT", help="name or domain contains TEXT")
    ls.add_argument("--industry", action="append", metavar="KEY", help="industry key (repeatable)")
    ls.add_argument("--tier", action="append", type=int, choices=(1, 2, 3), help="tier (repeatable)")
    ls.add_argument("--stage", action="append", metavar="KEY", help="ABM stage key (repeatable)")
    ls.add_argument("--sort", default="name", metavar="KEY", help="sort key (name, domain, industry, tier, stage, "
                    "owner, icp_score, employees, updated_at); --sort=-KEY sorts descending")
    ls.add_argument("--desc", action="store_true", help="sort descending")
    ls.add_argument("--limit", type=int, metavar="N", help="at most N accounts")
    ls.set_defaults(func=cmd_accounts_list)
    # `accounts ACTION` subcommands of other modules attach here
    sub.accounts_actions = accsub
