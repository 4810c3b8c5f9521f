"""What every page needs: the workspace, who is using it, the taxonomy snapshot and the job runner."""

from __future__ import annotations

from dataclasses import dataclass

from bdr_desk.config import Settings
from bdr_desk.db import Workspace
from bdr_desk.taxonomy import Taxonomy
from ui.jobs import JobRunner


@dataclass(frozen=True)
class CurrentUser:
    id: int
    name: str
    email: str
    role: str  # bdr, marketing, manager


@dataclass
class AppContext:
    settings: Settings
    workspace: Workspace
    user: CurrentUser
    taxonomy: Taxonomy
    jobs: JobRunner

    def reload_taxonomy(self) -> None:
        with self.workspace.session() as s:
            self.taxonomy = Taxonomy.load(s)
