"""``plan``: account plans to PDF, DOCX, Markdown or HTML, for one account or a whole target list, and plan
snapshots with the diff since the last one.

    bdr-desk plan ACCOUNT -o FILE.pdf|.docx|.md|.html [--template NAME] [--since-last-snapshot]
    bdr-desk plan --list NAME -o DIR [--format pdf|docx|md|html] [--combined]
    bdr-desk plan snapshot ACCOUNT [--label 2026-Q4] [--json]
    bdr-desk plan diff ACCOUNT [--json]
"""

from __future__ import annotations

import argparse
from typing import Any

from bdr_desk.commands import CliError, current_user_id, open_ws, print_json
from bdr_desk.config import Settings

ACTIONS = ("snapshot", "diff")


def _account(session: Any, ref: str) -> int:
    from accounts.stakeholders import StakeholderError, resolve_account

    try:
        return resolve_account(session, ref)
    except StakeholderError as exc:
        raise CliError(str(exc)) from None


def _only(args: argparse.Namespace, allowed: set[str], what: str) -> None:
    """Refuse options that do not go with this form of ``plan``."""
    given = {"output": args.output, "template": args.template, "since_last_snapshot": args.since_last_snapshot,
             "list": args.list, "format": args.format, "combined": args.combined, "label": args.label}
    flags = {"output": "-o", "since_last_snapshot": "--since-last-snapshot"}
    bad = [flags.get(k, "--" + k) for k, v in given.items() if v not in (None, False) and k not in allowed]
    if bad:
        raise CliError(f"{', '.join(bad)}: not used with {what}")


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    words = list(args.target or [])
    if words and words[0] in ACTIONS:
        if len(words) != 2:
            raise CliError(f"usage: bdr-desk plan {words[0]} ACCOUNT")
        return (cmd_snapshot if words[0] == "snapshot" else cmd_diff)(args, settings, words[1])
    if args.list:
        if words:
            raise CliError("name either an account or --list, not both")
        return cmd_plan_list(args, settings)
    if len(words) != 1:
        raise CliError("name one account (id, domain or name), or use --list NAME" if not words
                       else f"one account at a time; got {len(words)}: {' '.join(words)}")
    return cmd_plan_one(args, settings, words[0])


def cmd_plan_one(args: argparse.Namespace, settings: Settings, ref: str) -> int:
    from bdr_desk.export.plans import SINCE_LAST, PlanExportError, check_target, export_plan, format_for

    _only(args, {"output", "template", "since_last_snapshot"}, "a single plan")
    if not args.output:
        raise CliError("-o FILE is required (.pdf, .docx, .md or .html)")
    try:
        format_for(args.output)
        check_target(args.output)
    except PlanExportError as exc:
        raise CliError(str(exc)) from None
    ws = open_ws(settings)
    try:
        user_id = current_user_id(ws, settings)
        with ws.session() as session:
            account_id = _account(session, ref)
            try:
                result = export_plan(session, account_id, args.output, template=args.template, user_id=user_id,
                                     diff=SINCE_LAST if args.since_last_snapshot else None)
            except PlanExportError as exc:
                raise CliError(str(exc)) from None
    finally:
        ws.dispose()
    if args.json:
        print_json({"path": str(result.path), "format": result.format, "account_id": result.account_id,
                    "account": result.account_name, "sections": list(result.sections),
                    "content_recorded": result.content_recorded})
    else:
        print(f"Wrote {result.path} ({result.format.upper()}, {len(result.sections)} sections) "
              f"for {result.account_name}")
    return 0


def cmd_plan_list(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.export.plans import PlanExportError, export_list
    from bdr_desk.jobs import run_inline

    _only(args, {"output", "template", "list", "format", "combined"}, "--list")
    if not args.output:
        raise CliError("-o DIR is required with --list (a folder; with --combined also FILE.pdf)")
    fmt = args.format or "pdf"
    ws = open_ws(settings)
    try:
        user_id = current_user_id(ws, settings)

        def job(progress, cancel):
            return export_list(ws, args.list, args.output, fmt, progress, cancel, combined=args.combined,
                               template=args.template, user_id=user_id)
        try:
            result = run_inline(job)
        except PlanExportError as exc:
            raise CliError(str(exc)) from None
    finally:
        ws.dispose()
    if args.json:
        print_json({"list": result.list_name, "format": result.format, "combined": result.combined,
                    "accounts": result.accounts, "files": [str(p) for p in result.files],
                    "content_recorded": result.content_recorded})
    elif result.combined:
        print(f"Wrote {result.files[0]}: {result.accounts} account plans of {result.list_name!r} in one PDF")
    else:
        folder = result.files[0].parent if result.files else args.output
        print(f"Wrote {len(result.files)} {result.format.upper()} account plans of {result.list_name!r} "
              f"into {folder}")
    return 0


def cmd_snapshot(args: argparse.Namespace, settings: Settings, ref: str) -> int:
    from bdr_desk.export.snapshots import take_snapshot

    _only(args, {"label"}, "plan snapshot")
    ws = open_ws(settings)
    try:
        user_id = current_user_id(ws, settings)
        with ws.session() as session:
            snap = take_snapshot(session, _account(session, ref), label=args.label, user_id=user_id)
            data = snap.data
            out = {"id": snap.id, "account_id": snap.account_id, "account": data["account"]["name"],
                   "label": snap.label, "taken_at": snap.taken_at.isoformat(), "tier": data["account"]["tier"],
                   "abm_stage": data["account"]["abm_stage"], "coverage": data["coverage"],
                   "contacts": len(data["contacts"]), "signals": len(data["signals"]),
                   "hypotheses": len(data["hypotheses"])}
    finally:
        ws.dispose()
    if args.json:
        print_json(out)
    else:
        print(f"Snapshot {out['label']!r} of {out['account']} taken (id {out['id']}): {out['contacts']} contacts, "
              f"coverage {round(out['coverage'] * 100)}%, {out['signals']} signals, {out['hypotheses']} hypotheses")
    return 0


def cmd_diff(args: argparse.Namespace, settings: Settings, ref: str) -> int:
    from bdr_desk.export.plan_data import gather_plan
    from bdr_desk.export.snapshots import comparable, diff, list_snapshots

    _only(args, set(), "plan diff")
    ws = open_ws(settings)
    try:
        with ws.session() as session:
            account_id = _account(session, ref)
            snaps = list_snapshots(session, account_id)
            plan = gather_plan(session, account_id)
            if not snaps:
                raise CliError(f"{plan.account.name} has no plan snapshot yet; take one with "
                               f"`bdr-desk plan snapshot {ref}`")
            d = diff(snaps[0].data, comparable(plan), snaps[0].label)
            taken_at = snaps[0].taken_at
    finally:
        ws.dispose()
    if args.json:
        print_json({"account_id": account_id, "account": plan.account.name, "snapshot_id": snaps[0].id,
                    "taken_at": taken_at.isoformat(), **d.as_json(), "changes": d.lines(), "empty": d.empty})
        return 0
    print(f"{plan.account.name} since snapshot {d.since!r} ({taken_at:%Y-%m-%d}):")
    for line in d.lines() or ["No changes."]:
        print(f"  {line}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "plan", help="account plans (PDF, DOCX, Markdown, HTML); `plan snapshot` / `plan diff`",
        description="Export an account plan (the format follows the -o suffix), the plans of a whole target "
                    "list (--list, one file per account or --combined into one PDF), take a dated snapshot "
                    "of a plan (`plan snapshot ACCOUNT`) or show what changed since the last one "
                    "(`plan diff ACCOUNT`). ACCOUNT is an account id, domain or exact name.")
    p.add_argument("target", nargs="*", metavar="ACCOUNT | snapshot ACCOUNT | diff ACCOUNT",
                   help="the account, or `snapshot`/`diff` and the account")
    p.add_argument("-o", "--output", metavar="FILE|DIR",
                   help="FILE.pdf, .docx, .md or .html; with --list a folder (or FILE.pdf with --combined)")
    p.add_argument("--template", metavar="NAME", help="plan template: which sections, in what order "
                   "(built in: 'Full account plan', 'One-page brief')")
    p.add_argument("--since-last-snapshot", action="store_true",
                   help="start the plan with what changed since the account's last snapshot")
    p.add_argument("--list", metavar="NAME", help="export the plans of every account of this target list")
    p.add_argument("--format", choices=("pdf", "docx", "md", "html"),
                   help="with --list: the files' format (default pdf)")
    p.add_argument("--combined", action="store_true", help="with --list: one PDF, a page break between accounts")
    p.add_argument("--label", metavar="LABEL", help="snapshot: its label (default: the quarter, e.g. 2026-Q4)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=cmd_plan)
