"""``orgchart ACCOUNT -o FILE.png|FILE.svg [--scale N]``: an account's org chart rendered headless."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from bdr_desk.commands import CliError, open_ws, print_json
from bdr_desk.config import Settings

FORMATS = (".png", ".svg")


def _check_output(raw: str) -> Path:
    path = Path(raw).expanduser()
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise CliError(f"cannot write {path.name!r}: the org chart is exported as .png or .svg")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and (path.is_dir() or not os.access(path, os.W_OK))):
        raise CliError(f"cannot write {path}: permission denied")
    return path


def cmd_orgchart(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.stakeholders import StakeholderError, resolve_account, stakeholder_map
    from bdr_desk.taxonomy import Taxonomy

    path = _check_output(args.output)
    if not 0.1 <= args.scale <= 8:
        raise CliError(f"--scale {args.scale:g} is out of range (0.1 to 8)")
    ws = open_ws(settings)
    try:
        with ws.session() as session:
            try:
                smap = stakeholder_map(session, resolve_account(session, args.account))
            except StakeholderError as exc:
                raise CliError(str(exc)) from exc
            taxonomy = Taxonomy.load(session)
    finally:
        ws.dispose()

    from bdr_desk.export.orgchart_render import chart_layout, render_png, render_svg

    lay = chart_layout(smap)
    try:
        if path.suffix.lower() == ".svg":
            size = render_svg(smap, path, taxonomy, lay=lay)
        else:
            size = render_png(smap, path, taxonomy, scale=args.scale, lay=lay)
    except OSError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_json({"path": str(path), "width": size.width(), "height": size.height(), "account_id": smap.account_id,
                    "contacts": len(smap.contacts), "placeholders": len(lay.placeholders),
                    "cycles_broken": sorted(set(smap.cycles_broken) | set(lay.cycles_broken))})
        return 0
    print(f"Wrote {path} ({size.width()}×{size.height()})")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("orgchart", help="render an account's org chart (buying committee) as PNG or SVG",
                       description="Render an account's org chart headless: contacts by reporting line, cards "
                                   "coloured by buying role and bordered by sentiment, placeholders for missing "
                                   "committee roles.")
    p.add_argument("account", metavar="ACCOUNT", help="account id or domain")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="output file, .png or .svg")
    p.add_argument("--scale", type=float, default=1.0, metavar="N",
                   help="PNG pixel scale (2 = retina); default 1")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=cmd_orgchart)
