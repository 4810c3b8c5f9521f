"""``export accounts``: a list or a filtered view to CSV/XLSX, optionally in HubSpot or Salesforce columns."""

from __future__ import annotations

import argparse
from typing import Any

from bdr_desk.commands import CliError, Parser, open_ws, print_json
from bdr_desk.commands.core import filter_from_args
from bdr_desk.config import Settings


def cmd_export_accounts(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.exporting import PRESETS, ExportError, export_accounts
    from bdr_desk.jobs import run_inline

    if args.preset not in PRESETS:
        raise CliError(f"unknown preset {args.preset!r}; choose one of {', '.join(PRESETS)}")
    ws = open_ws(settings)
    try:
        with ws.session() as session:
            flt = filter_from_args(session, args)

            def job(progress, cancel):
                return export_accounts(session, args.output, flt=flt, preset=args.preset,
                                       progress=progress, cancel=cancel)
            try:
                result = run_inline(job)
            except (ExportError, OSError) as exc:
                raise CliError(str(exc)) from exc
    finally:
        ws.dispose()
    if args.json:
        print_json({"path": str(result.path), "rows": result.rows, "preset": result.preset, "format": result.format})
    else:
        print(f"Exported {result.rows:,} accounts to {result.path} ({result.format.upper()}, {result.preset} columns)")
    return 0


def register(sub: Any) -> None:
    exp = sub.add_parser("export", help="export accounts to CSV or XLSX")
    expsub = exp.add_subparsers(dest="export_command", metavar="WHAT", required=True, parser_class=Parser)
    acc = expsub.add_parser("accounts", help="a target list or a filtered view of accounts")
    acc.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.csv or FILE.xlsx")
    acc.add_argument("--list", metavar="NAME", help="only the accounts of this target list")
    acc.add_argument("--preset", default="default", metavar="NAME",
                     help="columns: default, hubspot (company import) or salesforce (Data Loader)")
    acc.add_argument("--search", metavar="TEXT", help="name or domain contains TEXT")
    acc.add_argument("--industry", action="append", metavar="KEY", help="industry key (repeatable)")
    acc.add_argument("--tier", action="append", type=int, choices=(1, 2, 3), help="tier (repeatable)")
    acc.add_argument("--stage", action="append", metavar="KEY", help="ABM stage key (repeatable)")
    acc.add_argument("--json", action="store_true", help="print the result as JSON")
    acc.set_defaults(func=cmd_export_accounts)
