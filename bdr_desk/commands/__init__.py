"""Subcommands of ``bdr-desk``: one module per area, each with ``register(subparsers)``.

Shared here: the parser class (one-line usage errors), :class:`CliError` (a failure the user can act on,
exit 1), JSON printing and opening the workspace named by ``--db``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, NoReturn

from bdr_desk.config import Settings
from bdr_desk.db import Workspace, open_workspace


class CliError(Exception):
    """A failure the user can act on; printed as one line, exit code 1."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def open_ws(settings: Settings) -> Workspace:
    import bdr_desk.crm  # noqa: F401 - the outbox listeners: every change a command makes is queued for push

    return open_workspace(settings.database_url)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def current_user_id(ws: Workspace, settings: Settings) -> int | None:
    """The local profile's user in this workspace (created on first use), or None without a profile."""
    from bdr_desk.config import load_profile
    from bdr_desk.users import ensure_user

    profile = load_profile(settings)
    if profile is None:
        return None
    with ws.session() as s:
        return ensure_user(s, profile).id
