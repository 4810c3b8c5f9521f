"""What the import wizard can import: accounts or contacts — the fields, the header guessing and validation,
the import job and its options for each. The wizard itself is the same for both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.column_mapping import FIELD_LABELS, guess_mapping, guess_system, validate_mapping
from accounts.contact_importing import import_contacts
from accounts.contact_mapping import (
    CONTACT_FIELDS,
    ContactImportOptions,
    contact_system,
    guess_contact_mapping,
    validate_contact_mapping,
)
from accounts.importing import ImportOptions, import_accounts


@dataclass(frozen=True)
class ImportKind:
    noun: str  # "accounts", "contacts"
    record: str  # "Account", "Contact" (a column header)
    labels: dict[str, str]  # field key → label, in the order the mapping combo lists them
    guess: Callable[[list[str]], dict[str, str | None]]
    validate: Callable[[list[str], dict[str, str | None]], list[str]]
    system: Callable[[list[str]], str | None]
    run: Callable[..., Any]  # (workspace, table, mapping, options, progress, cancel) -> ImportResult
    options: Callable[[bool, str | None, bool, int | None], Any]  # (dry_run, list, update_existing, user)
    lists: bool  # the imported records can go on a target list


ACCOUNTS = ImportKind(
    "accounts", "Account", dict(FIELD_LABELS), guess_mapping, validate_mapping, guess_system, import_accounts,
    lambda dry, lst, update, user: ImportOptions(list_name=lst, dry_run=dry, update_existing=update, user_id=user),
    lists=True,
)
CONTACTS = ImportKind(
    "contacts", "Contact", dict(CONTACT_FIELDS), guess_contact_mapping, validate_contact_mapping, contact_system,
    import_contacts,
    lambda dry, lst, update, user: ContactImportOptions(dry_run=dry, update_existing=update, user_id=user),
    lists=False,
)
