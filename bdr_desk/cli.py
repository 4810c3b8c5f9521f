"""The ``bdr-desk`` command: no subcommand opens the GUI; subcommands work headless on the same database.

Human text by default, JSON with ``--json``. Errors are one line on stderr: exit 2 for usage, 1 for failures.
Each area registers its subcommands from ``bdr_desk/commands/<area>.py``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from bdr_desk import __version__
from bdr_desk.commands import CliError, Parser
from bdr_desk.config import Settings, load_settings
from bdr_desk.crashlog import one_line, write_crash
from bdr_desk.db import DatabaseError
from bdr_desk.jobs import JobCancelled

# "accounts" must come first: later modules add actions under `accounts`
COMMAND_MODULES = ("core", "importing", "scoring", "exporting", "orgchart", "stakeholders", "content", "outreach",
                   "plans", "kpi", "research", "sync")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="bdr-desk", description="BDR Desk: account research, stakeholder maps and outreach for BDRs.")
    p.add_argument("--version", action="version", version=f"bdr-desk {__version__}")
    p.add_argument("--db", metavar="URL", help="workspace database URL (sqlite:///file.db or "
                   "postgresql+psycopg://user@host/db); default: BDR_DESK_DATABASE_URL or the local workspace")
    p.add_argument("--demo", action="store_true", help="open the demo workspace (seeded on first run)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"bdr_desk.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bdr_desk.commands.{name}":
                raise
            continue
        module.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from bdr_desk.commands.core import cmd_gui

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if "bdr_desk.commands.content" in sys.modules:
        from bdr_desk.commands.content import free_query_argv

        argv = free_query_argv(argv)
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace, Settings], int] = getattr(args, "func", cmd_gui)
    settings = load_settings(args.db, demo=args.demo)
    try:
        return func(args, settings)
    except (CliError, DatabaseError) as exc:
        print(f"bdr-desk: error: {one_line(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `bdr-desk … --json | head`: the reader left; not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (KeyboardInterrupt, JobCancelled):
        print("bdr-desk: cancelled; nothing was changed by the cancelled step", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line for the user, traceback to the log
        log = write_crash(settings, exc, context=" ".join(sys.argv))
        where = f" (details in {log})" if log else ""
        print(f"bdr-desk: error: {one_line(exc)}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
