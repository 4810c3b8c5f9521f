"""The ``bdr-desk`` command: no subcommand opens the GUI; subcommands work headless on the same database.

Human text by default, JSON with ``--json``. Errors are one line on stderr: exit 2 for usage, 1 for failures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any, NoReturn

from bdr_desk import __version__
from bdr_desk.config import Settings, load_settings
from bdr_desk.crashlog import one_line, write_crash
from bdr_desk.db import DatabaseError, Workspace, current_revision, open_workspace, safe_url


class CliError(Exception):
    """A failure the user can act on; printed as one line, exit code 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _open(settings: Settings) -> Workspace:
    return open_workspace(settings.database_url)


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


# ---- subcommands -------------------------------------------------------------------------------------------

def cmd_gui(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.app import run_gui

    return run_gui(settings, demo=args.demo)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.demo import DemoError, seed_demo
    from bdr_desk.jobs import run_inline

    ws = _open(settings)
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
        _print_json(asdict(summary))
    else:
        print(f"Demo workspace seeded into {safe_url(settings.database_url)}: {summary}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    ws = _open(settings)
    rev = current_revision(ws.engine)
    ws.dispose()
    print(f"{safe_url(settings.database_url)} is at schema revision {rev}")
    return 0


def cmd_accounts_list(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.queries import AccountFilter, AccountSort, count_accounts, page_accounts

    try:
        sort = AccountSort(args.sort.lstrip("-"), args.desc or args.sort.startswith("-"))
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    flt = AccountFilter(text=args.search or "", industries=tuple(args.industry or ()),
                        tiers=tuple(args.tier or ()), stages=tuple(args.stage or ()))
    ws = _open(settings)
    try:
        with ws.session() as session:
            total = count_accounts(session, flt)
            rows = page_accounts(session, flt, sort, 0, args.limit or max(total, 1))
    finally:
        ws.dispose()
    if args.json:
        _print_json([r.as_json() for r in rows])
        return 0
    if not rows:
        print("No accounts match. Import some with `bdr-desk import accounts FILE` or try `bdr-desk demo`.")
        return 0
    print(f"{'ID':>6}  {'Name':<34} {'Domain':<30} {'Industry':<18} {'Tier':<4} {'Stage':<15} Owner")
    for r in rows:
        print(f"{r.id:>6}  {r.name[:34]:<34} {(r.domain or '')[:30]:<30} {(r.industry or '')[:18]:<18} "
              f"{r.tier or '':<4} {r.stage:<15} {r.owner or ''}")
    print(f"{len(rows)} of {total} accounts")
    return 0


# ---- parser ------------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bdr-desk", description="BDR Desk: account research, stakeholder maps and outreach for BDRs.")
    p.add_argument("--version", action="version", version=f"bdr-desk {__version__}")
    p.add_argument("--db", metavar="URL", help="workspace database URL (sqlite:///file.db or "
                   "postgresql+psycopg://user@host/db); default: BDR_DESK_DATABASE_URL or the local workspace")
    p.add_argument("--demo", action="store_true", help="open the demo workspace (seeded on first run)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    g = sub.add_parser("gui", help="open the desktop app (the default)")
    g.set_defaults(func=cmd_gui)

    d = sub.add_parser("demo", help="seed the demo workspace into an empty --db")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="workspace database maintenance")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True, parser_class=_Parser)
    dbsub.add_parser("upgrade", help="upgrade the schema to the latest revision").set_defaults(func=cmd_db_upgrade)

    acc = sub.add_parser("accounts", help="target accounts")
    accsub = acc.add_subparsers(dest="accounts_command", metavar="ACTION", required=True, parser_class=_Parser)
    ls = accsub.add_parser("list", help="list accounts (filtered and sorted in the database)")
    ls.add_argument("--json", action="store_true", help="print a JSON list")
    ls.add_argument("--search", metavar="TEXT", help="name or domain contains TEXT")
    ls.add_argument("--industry", action="append", metavar="KEY", help="industry key (repeatable)")
    ls.add_argument("--tier", action="append", type=int, choices=(1, 2, 3), help="tier (repeatable)")
    ls.add_argument("--stage", action="append", metavar="KEY", help="ABM stage key (repeatable)")
    ls.add_argument("--sort", default="name", metavar="KEY", help="sort key (name, domain, industry, tier, stage, "
                    "owner, icp_score, employees, updated_at); --sort=-KEY sorts descending")
    ls.add_argument("--desc", action="store_true", help="sort descending")
    ls.add_argument("--limit", type=int, metavar="N", help="at most N accounts")
    ls.set_defaults(func=cmd_accounts_list)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace, Settings], int] = getattr(args, "func", cmd_gui)
    settings = load_settings(args.db, demo=args.demo)
    try:
        return func(args, settings)
    except (CliError, DatabaseError) as exc:
        print(f"bdr-desk: error: {one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bdr-desk: cancelled", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line for the user, traceback to the log
        log = write_crash(settings, exc, context=" ".join(sys.argv))
        where = f" (details in {log})" if log else ""
        print(f"bdr-desk: error: {one_line(exc)}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
