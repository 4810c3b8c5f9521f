"""What an import reports: options in, counts, row errors and planned changes out (plain dataclasses)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from accounts.dedupe import DEFAULT_THRESHOLD


class ImportMappingError(ValueError):
    """The mapping cannot drive an import (unknown column or field, nothing identifies an account)."""


@dataclass
class ImportOptions:
    list_name: str | None = None
    dry_run: bool = False
    user_id: int | None = None
    update_existing: bool = True
    external_system: str | None = None  # "hubspot"/"salesforce" for the CRM id column; guessed when None
    threshold: float = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row: header = 1, first data row = 2
    column: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class PlannedChange:
    row: int
    action: str  # create, update, merge, unchanged
    account_id: int | None  # None for an account still to be created
    name: str
    domain: str | None
    fields: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    merged: int = 0
    rejected: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)
    unknown_industries: dict[str, int] = field(default_factory=dict)
    planned: list[PlannedChange] = field(default_factory=list)
    import_run_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "merged": self.merged,
                "rejected": self.rejected, "unchanged": self.unchanged,
                "errors": [e.as_json() for e in self.errors], "dry_run": self.dry_run,
                "warnings": list(self.warnings), "unknown_industries": dict(self.unknown_industries)}


def result_dict(result: ImportResult) -> dict[str, Any]:
    """Everything about a result as plain data (the GUI's dry-run preview)."""
    return asdict(result)
