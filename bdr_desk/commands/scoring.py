"""``accounts score`` (rescore every account with the active ICP rule set, or preview it) and
``accounts explain ID`` (an account's ICP score and the rules behind it)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from bdr_desk.commands import CliError, current_user_id, open_ws, print_json
from bdr_desk.config import Settings

MAX_LISTED_MOVES = 25


def cmd_accounts_score(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.scoring import ScoringError, active_rule_set, preview_rescore, rescore_all
    from bdr_desk.jobs import run_inline

    ws = open_ws(settings)
    try:
        try:
            if args.dry_run:
                def preview_job(progress, cancel):
                    with ws.sessions() as session:  # never committed: not even the default version 1
                        try:
                            rs = active_rule_set(session)
                            return rs.version, preview_rescore(session, rs.rules, rs.tier_thresholds,
                                                               progress, cancel)
                        finally:
                            session.rollback()
                version, preview = run_inline(preview_job)
            else:
                user_id = current_user_id(ws, settings)
                result = run_inline(lambda progress, cancel: rescore_all(ws, progress, cancel, user_id))
        except ScoringError as exc:
            raise CliError(str(exc)) from exc
    finally:
        ws.dispose()
    if args.dry_run:
        moves = [asdict(m) for m in preview.tier_moves]
        real = [m for m in preview.tier_moves if not m.manual]
        if args.json:
            print_json({"dry_run": True, "version": version, "scored": preview.scored,
                        "changed": preview.changed_scores, "tier_changes": len(real), "tier_moves": moves,
                        "tiers_before": preview.tiers_before, "tiers_after": preview.tiers_after,
                        "histogram": preview.histogram})
            return 0
        print(f"Dry run with ICP rules v{version}: {preview.scored:,} accounts scored, "
              f"{preview.changed_scores:,} scores would change, {len(real):,} tiers would move "
              "(nothing written)")
        _print_moves(preview.tier_moves)
        return 0
    if args.json:
        print_json(asdict(result))
        return 0
    print(f"Rescored {result.scored:,} accounts with ICP rules v{result.version} in {result.seconds:.1f} s: "
          f"{result.changed:,} scores changed, {result.tier_changes:,} tiers moved"
          + (f", {result.manual_kept:,} manual tiers kept" if result.manual_kept else ""))
    return 0


def _print_moves(moves: list[Any]) -> None:
    if not moves:
        return
    print(f"{'ID':>6}  {'Name':<34} {'Tier':>9}  {'ICP':>9}")
    for m in moves[:MAX_LISTED_MOVES]:
        old = "—" if m.old_tier is None else m.old_tier
        score = f"{'—' if m.old_score is None else m.old_score} → {m.new_score}"
        note = "  (manual tier kept)" if m.manual else ""
        print(f"{m.account_id:>6}  {m.name[:34]:<34} {f'{old} → {m.new_tier}':>9}  {score:>9}{note}")
    if len(moves) > MAX_LISTED_MOVES:
        print(f"… and {len(moves) - MAX_LISTED_MOVES:,} more (use --json for all)")


def cmd_accounts_explain(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.scoring import ScoringError, explain_account

    ws = open_ws(settings)
    try:
        with ws.session() as session:
            try:
                score = explain_account(session, args.id)
            except ScoringError as exc:
                raise CliError(str(exc)) from exc
    finally:
        ws.dispose()
    if args.json:
        print_json(score.as_json())
        return 0
    if score.score is None:
        print(f"{score.name} (#{score.account_id}) has not been scored yet: run `bdr-desk accounts score`.")
        return 0
    manual = " (manual override)" if score.manual else ""
    print(f"{score.name} (#{score.account_id}): ICP {score.score}, tier {score.tier or '—'}{manual}, "
          f"suggested tier {score.suggested_tier or '—'}")
    for row in score.explanation:
        print(f"  {row['points']:+4d}  {row['label']}")
    if not score.explanation:
        print("  no rule fired")
    if not score.up_to_date:
        print(f"  (scored with rules v{score.version}; v{score.active_version} is active — rescore to update)")
    return 0


def register(sub: Any) -> None:
    acc = getattr(sub, "accounts_actions", None)
    if acc is None:
        raise RuntimeError("bdr_desk.commands.core must register `accounts` before scoring")
    sc = acc.add_parser("score", help="rescore every account with the active ICP rule set")
    sc.add_argument("--json", action="store_true", help="print a JSON object")
    sc.add_argument("--dry-run", action="store_true", help="show what would change (tier moves) without writing")
    sc.set_defaults(func=cmd_accounts_score)
    ex = acc.add_parser("explain", help="an account's ICP score and the rules that gave it")
    ex.add_argument("id", type=int, metavar="ID", help="account id")
    ex.add_argument("--json", action="store_true", help="print a JSON object")
    ex.set_defaults(func=cmd_accounts_explain)
