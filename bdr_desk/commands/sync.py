"""``sync hubspot|salesforce``, ``sync journal``, ``sync conflicts`` and ``sync token``.

Credentials come from the environment (``BDR_DESK_HUBSPOT_TOKEN``, ``BDR_DESK_SALESFORCE_*``) or the OS keyring;
``sync token SYSTEM`` stores one in the keyring (read from stdin, never from an argument, so it is not left in the
shell history). No token is ever printed, logged or written to the workspace.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bdr_desk.commands import CliError, open_ws, print_json
from bdr_desk.config import Settings

SYSTEMS = ("hubspot", "salesforce")


def connector_for(system: str, base_url: str | None) -> Any:
    """The connector of ``system`` (credentials from the environment or the keyring); ConnectorError if none."""
    if system == "hubspot":
        from bdr_desk.crm.hubspot import DEFAULT_BASE_URL, HubSpotConnector

        return HubSpotConnector(base_url or DEFAULT_BASE_URL)
    from bdr_desk.crm.salesforce import SalesforceConnector

    return SalesforceConnector(instance_url=base_url)


def _print_result(out: dict[str, Any]) -> None:
    mode = "Dry run — nothing was written. " if out["dry_run"] else ""
    print(f"{mode}{out['system']} {out['direction']}: {out['status']} · {out['api_calls']} API calls"
          + (f" · {out['duration_s']:.1f} s" if out.get("duration_s") is not None else ""))
    for obj, c in out["objects"].items():
        print(f"  {obj:<12} created {c['created']}, updated {c['updated']}, deleted {c['deleted']}, "
              f"conflicts {c['conflicts']}, errors {c['errors']}")
    for kind, n in out.get("error_groups", {}).items():
        print(f"  ! {n} × {kind}")
    for p in out.get("preview", [])[:50]:
        print(f"  would {p.get('action')} {p.get('object_type')} {p.get('label') or p.get('local_id') or ''}")
    if out.get("failure"):
        print(f"  failed: {out['failure']}")


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.crm.connector import ConnectorError
    from bdr_desk.crm.engine import SyncError, run_sync

    direction = "push" if args.push and not args.pull else "pull" if args.pull and not args.push else "both"
    try:
        connector = connector_for(args.system, args.base_url)
    except ConnectorError as exc:
        raise CliError(f"{args.system}: {exc}") from None
    ws = open_ws(settings)
    try:
        result = run_sync(ws, connector, direction=direction, dry_run=args.dry_run)
    except SyncError as exc:
        raise CliError(str(exc)) from None
    finally:
        ws.dispose()
    out = result.as_json()
    if args.json:
        print_json(out)
    else:
        _print_result(out)
    if result.status == "failed":
        print(f"bdr-desk: error: {args.system} sync failed: {result.failure}", file=sys.stderr)
        return 1
    return 0


def cmd_journal(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.crm.status import recent_runs

    ws = open_ws(settings)
    try:
        with ws.session() as s:
            runs = recent_runs(s, limit=args.limit)
    finally:
        ws.dispose()
    rows = [{"id": r.id, "system": r.system, "direction": r.direction, "dry_run": r.dry_run, "status": r.status,
             "started_at": r.started_at.isoformat(), "api_calls": r.api_calls, "errors": r.error_count}
            for r in runs]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No sync runs yet. Run `bdr-desk sync hubspot --dry-run` to preview one.")
    for r in rows:
        print(f"#{r['id']:<5} {r['started_at'][:16]}  {r['system']:<10} {r['direction']:<5} {r['status']:<9} "
              f"{r['api_calls']} calls, {r['errors']} errors{' (dry run)' if r['dry_run'] else ''}")
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.crm import credentials

    key = "access_token" if args.system == "salesforce" else "token"
    if args.delete:
        credentials.delete_token(args.system, key)
        print(f"{args.system} {key} removed from the keyring.")
        return 0
    token = sys.stdin.readline().strip()
    if not token:
        raise CliError(f"give the {args.system} {key} on standard input (e.g. `bdr-desk sync token {args.system} "
                       "< token.txt`)")
    try:
        credentials.set_token(args.system, key, token)
    except Exception as exc:  # noqa: BLE001 - keyring backends raise their own types
        raise CliError(f"could not store the token in the OS keyring: {type(exc).__name__}") from None
    print(f"{args.system} {key} stored in the OS keyring.")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("sync", help="two-way CRM sync with HubSpot or Salesforce")
    p.add_argument("system", choices=[*SYSTEMS, "journal", "token"], metavar="{hubspot,salesforce,journal,token}")
    p.add_argument("token_system", nargs="?", choices=SYSTEMS, help=argparse.SUPPRESS)
    p.add_argument("--base-url", help="API base URL (HubSpot) or instance URL (Salesforce); for sandboxes and tests")
    p.add_argument("--push", action="store_true", help="only push local changes")
    p.add_argument("--pull", action="store_true", help="only pull remote changes")
    p.add_argument("--dry-run", action="store_true", help="preview what would change, field by field; write nothing")
    p.add_argument("--delete", action="store_true", help="with `sync token`: remove the stored token")
    p.add_argument("--limit", type=int, default=20, help="with `sync journal`: how many runs")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_dispatch)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.system == "journal":
        return cmd_journal(args, settings)
    if args.system == "token":
        if not args.token_system:
            raise CliError("name the system: `bdr-desk sync token hubspot|salesforce`")
        args.system = args.token_system
        return cmd_token(args, settings)
    return cmd_sync(args, settings)
