"""``import accounts FILE`` and ``duplicates [merge|dismiss]``."""

from __future__ import annotations

import argparse
from typing import Any

from bdr_desk.commands import CliError, Parser, current_user_id, open_ws, print_json
from bdr_desk.config import Settings

ERRORS_SHOWN = 20


def _parse_map(items: list[str] | None) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in items or ():
        header, sep, fld = item.partition("=")
        if not sep or not header.strip():
            raise CliError(f"--map needs HEADER=FIELD (FIELD empty to ignore a column), not {item!r}")
        out[header.strip()] = fld.strip() or None
    return out


def read_with_mapping(args: argparse.Namespace, guess: Any) -> tuple[Any, dict[str, str | None]]:
    """The file (``args.file``, ``--sheet``) and its column mapping: guessed, then ``--map`` overrides."""
    from accounts.tabular import TabularError, read_table

    try:
        table = read_table(args.file, sheet=args.sheet)
    except TabularError as exc:
        raise CliError(str(exc)) from exc
    mapping = guess(table.headers)
    overrides = _parse_map(args.map)
    for header in overrides:
        if header not in mapping:
            raise CliError(f"--map: no column {header!r} in {table.source}; columns: {', '.join(table.headers)[:300]}")
    mapping.update(overrides)
    return table, mapping


def run_and_report(args: argparse.Namespace, settings: Settings, table: Any, mapping: dict[str, str | None],
                   make_options: Any, run_import: Any) -> int:
    """Run an import (accounts or contacts) as a job with stderr progress, then print its result: JSON with
    ``--json``, else a summary, warnings and the first rejected rows."""
    from accounts.import_results import ImportMappingError
    from bdr_desk.jobs import run_inline

    ws = open_ws(settings)
    try:
        options = make_options(current_user_id(ws, settings))
        try:
            result = run_inline(lambda progress, cancel: run_import(ws, table, mapping, options, progress, cancel))
        except ImportMappingError as exc:
            raise CliError(f"{table.source}: {exc}") from exc
    finally:
        ws.dispose()
    if args.json:
        print_json(result.as_json())
        return 0
    head = "Dry run — nothing was saved. " if result.dry_run else ""
    print(f"{head}{table.source}: {result.created} created, {result.updated} updated, {result.merged} merged, "
          f"{result.rejected} rejected, {result.unchanged} unchanged")
    for w in result.warnings:
        print(f"warning: {w}")
    if result.unknown_industries:
        top = sorted(result.unknown_industries.items(), key=lambda kv: -kv[1])[:10]
        print("unknown industries: " + ", ".join(f"{k} ({n})" for k, n in top))
    for e in result.errors[:ERRORS_SHOWN]:
        print(f"row {e.row}{f' [{e.column}]' if e.column else ''}: {e.message}")
    if len(result.errors) > ERRORS_SHOWN:
        print(f"… and {len(result.errors) - ERRORS_SHOWN} more rejected rows (use --json to see them all)")
    return 0


def cmd_import_accounts(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.column_mapping import guess_mapping
    from accounts.importing import ImportOptions, import_accounts

    table, mapping = read_with_mapping(args, guess_mapping)
    return run_and_report(args, settings, table, mapping, lambda user_id: ImportOptions(
        list_name=args.list, dry_run=args.dry_run, user_id=user_id), import_accounts)


def cmd_duplicates(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.dedupe import find_duplicate_candidates

    ws = open_ws(settings)
    try:
        with ws.session() as s:
            found = find_duplicate_candidates(s, threshold=args.threshold, limit=args.limit)
    finally:
        ws.dispose()
    if args.json:
        print_json([c.as_json() for c in found])
        return 0
    if not found:
        print("No duplicate candidates.")
        return 0
    for c in found:
        print(f"{c.score:5.1f}  {c.a_id:>6} {c.a_name[:30]:<30} {(c.a_domain or '')[:24]:<24}  ~  "
              f"{c.b_id:>6} {c.b_name[:30]:<30} {(c.b_domain or '')[:24]:<24}  {c.reason}")
    print(f"{len(found)} candidate pairs; `bdr-desk duplicates merge KEEP_ID MERGE_ID` or "
          "`bdr-desk duplicates dismiss A_ID B_ID`")
    return 0


def cmd_duplicates_merge(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.dedupe import merge_accounts

    choices: dict[str, str] = {}
    for f in args.take or ():
        choices[f] = "merge"
    ws = open_ws(settings)
    try:
        uid = current_user_id(ws, settings)
        try:
            with ws.session() as s:
                res = merge_accounts(s, args.keep_id, args.merge_id, choices, user_id=uid)
        except (LookupError, ValueError) as exc:
            raise CliError(str(exc)) from exc
    finally:
        ws.dispose()
    if args.json:
        print_json({"kept": res.keep_id, "merged": res.merged_id, "changed_fields": res.changed_fields,
                    "moved": res.moved})
    else:
        moved = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in res.moved.items() if n)
        print(f"Merged account {res.merged_id} into {res.keep_id}" + (f"; moved {moved}" if moved else ""))
    return 0


def cmd_duplicates_dismiss(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.dedupe import dismiss_pair

    ws = open_ws(settings)
    try:
        uid = current_user_id(ws, settings)
        try:
            with ws.session() as s:
                dismiss_pair(s, args.a_id, args.b_id, user_id=uid)
        except (LookupError, ValueError) as exc:
            raise CliError(str(exc)) from exc
    finally:
        ws.dispose()
    if args.json:
        print_json({"dismissed": [min(args.a_id, args.b_id), max(args.a_id, args.b_id)]})
    else:
        print(f"Accounts {args.a_id} and {args.b_id} are marked as not duplicates")
    return 0


def register(sub: Any) -> None:
    from accounts.column_mapping import FIELD_KEYS
    from accounts.dedupe import MERGE_FIELDS

    imp = sub.add_parser("import", help="import records from CSV or XLSX")
    impsub = imp.add_subparsers(dest="import_command", metavar="WHAT", required=True, parser_class=Parser)
    acc = impsub.add_parser("accounts", help="import accounts (dedupe by domain, then by name)")
    acc.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    acc.add_argument("--list", metavar="NAME", help="add every imported or matched account to this static list")
    acc.add_argument("--dry-run", action="store_true", help="report what would happen; change nothing")
    acc.add_argument("--json", action="store_true", help="print the result as JSON")
    acc.add_argument("--sheet", metavar="NAME", help="XLSX sheet (default: the first)")
    acc.add_argument("--map", action="append", metavar="HEADER=FIELD",
                     help=f"map a column to a field (repeatable; empty FIELD ignores it); fields: {', '.join(FIELD_KEYS)}")
    acc.set_defaults(func=cmd_import_accounts)
    # `import contacts` and other kinds attach here
    sub.import_actions = impsub

    dup = sub.add_parser("duplicates", help="duplicate account candidates; merge or dismiss them")
    dup.add_argument("--json", action="store_true")
    dup.add_argument("--threshold", type=float, default=88, metavar="N", help="name similarity 0-100 (default 88)")
    dup.add_argument("--limit", type=int, default=500, metavar="N", help="at most N pairs (default 500)")
    dup.set_defaults(func=cmd_duplicates)
    dupsub = dup.add_subparsers(dest="duplicates_command", metavar="ACTION", parser_class=Parser)
    m = dupsub.add_parser("merge", help="merge MERGE_ID into KEEP_ID")
    m.add_argument("keep_id", type=int, metavar="KEEP_ID")
    m.add_argument("merge_id", type=int, metavar="MERGE_ID")
    m.add_argument("--take", action="append", choices=MERGE_FIELDS, metavar="FIELD",
                   help="take this field from the merged account (repeatable)")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_duplicates_merge)
    d = dupsub.add_parser("dismiss", help="mark two accounts as not duplicates")
    d.add_argument("a_id", type=int, metavar="A_ID")
    d.add_argument("b_id", type=int, metavar="B_ID")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_duplicates_dismiss)
